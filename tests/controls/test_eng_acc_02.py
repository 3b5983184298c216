"""ENG-ACC-02: IAM grants in CloudTrail (moto S3 over HTTP) each preceded by an approved access request (Jira)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from socready.readiness.model import ControlResult
from socready_sandbox.cloudtrail_files import cloudtrail_event
from tests.controls.aws_fixtures import BUCKET, create_log_bucket, upload_events, upload_logs
from tests.controls.jira_fixtures import QUERIES, jira_sandbox, jira_scope, seed_ticket, seed_workflow
from tests.helpers import make_scope, run_control

CONTROL = "ENG-ACC-02"
PROD = "111111111111"
GRANTED = datetime(2026, 7, 6, 14, tzinfo=UTC)


@pytest.fixture
def jira(monkeypatch):
    yield from jira_sandbox(monkeypatch)


@pytest.fixture
def logs(aws):
    create_log_bucket(aws, PROD)
    return aws


def grant(user: str, name: str = "AddUserToGroup", when: datetime = GRANTED) -> dict:
    return cloudtrail_event(name, when, PROD, "us-east-1", "it-admin", {"userName": user, "groupName": "developers"})


def request(jira, user: str, approved: datetime | None, *, in_summary: bool = False, created: datetime | None = None):
    created = created or (approved or GRANTED) - timedelta(days=1)
    steps = [(approved, "u-carol", [("Approval", "Pending", "Approved")])] if approved else []
    fields = {"customfield_10040": {"value": "Approved" if approved else "Pending"}}
    if not in_summary:
        fields["customfield_10046"] = user
    summary = f"Console and developer access for {user}" if in_summary else "Developer access"
    return seed_ticket(jira, "ACR", summary, created, None, issue_type="Access Request", fields=fields, steps=steps)


def assess(endpoint: str, jira, folder, events: list[dict], fields: dict | None = None) -> ControlResult:
    upload_events(endpoint, PROD, events)
    scope = make_scope(folder, endpoint=endpoint, accounts=[PROD], log_bucket=BUCKET, jira=jira_scope(jira, fields))
    return run_control(scope, CONTROL)


def test_grants_after_an_approved_request_operate(logs, jira, tmp_path):
    request(jira, "farid", GRANTED - timedelta(hours=3))
    events = [grant("farid", "CreateUser"), grant("farid", "CreateLoginProfile"), grant("farid")]
    result = assess(logs, jira, tmp_path, events)
    assert result.status == "operating", result.reason
    assert result.population == 3
    assert {s.source for s in result.evidence.sources} == {"aws.cloudtrail.logs", "jira.access_requests"}


def test_a_grant_without_any_request_is_an_exception(logs, jira, tmp_path):
    request(jira, "farid", GRANTED - timedelta(hours=3))
    result = assess(logs, jira, tmp_path, [grant("bilal")])
    [exception] = result.exceptions
    assert exception.resource == f"iam/{PROD}/user/bilal"
    assert exception.value.endswith("no access request names bilal")
    assert exception.reason == "Access was granted without an access request approved before it."


def test_a_request_approved_after_the_grant_is_an_exception_until_the_approval(logs, jira, tmp_path):
    approved = GRANTED + timedelta(hours=5)
    key = request(jira, "farid", approved)
    result = assess(logs, jira, tmp_path, [grant("farid")])
    [exception] = result.exceptions
    assert (exception.start, exception.end) == (GRANTED, approved)
    assert exception.value.endswith(f"{key} approved 2026-07-06 19:00 UTC, after the grant")


def test_an_approval_older_than_the_request_validity_does_not_cover_the_grant(logs, jira, tmp_path):
    request(jira, "farid", GRANTED - timedelta(days=45))
    result = assess(logs, jira, tmp_path, [grant("farid")])
    assert result.status == "exception"
    assert "not approved within 30 days before it" in result.exceptions[0].value


def test_without_a_mapped_field_the_summary_names_the_user(logs, jira, tmp_path):
    request(jira, "farid", GRANTED - timedelta(hours=3), in_summary=True)
    result = assess(logs, jira, tmp_path, [grant("farid")], fields={"iam_user": None})
    assert result.status == "operating", result.reason


def test_many_grants_only_the_unrequested_ones_fail(logs, jira, tmp_path):
    request(jira, "farid", GRANTED - timedelta(hours=3))
    request(jira, "gina", GRANTED - timedelta(hours=3))
    later = GRANTED + timedelta(days=2)
    events = [grant("farid"), grant("gina", "AttachUserPolicy"), grant("hugo", "PutUserPolicy", later)]
    result = assess(logs, jira, tmp_path, events)
    assert result.population == 3
    assert [e.resource for e in result.exceptions] == [f"iam/{PROD}/user/hugo"]


def test_logs_without_grants_are_an_empty_population(logs, jira, tmp_path):
    upload_logs(logs, PROD, [PROD], ["us-east-1"])
    scope = make_scope(tmp_path, endpoint=logs, accounts=[PROD], log_bucket=BUCKET, jira=jira_scope(jira))
    result = run_control(scope, CONTROL)
    assert (result.status, result.population) == ("operating", 0)


def test_an_account_without_log_files_lacks_evidence(logs, jira, tmp_path):
    other = "222222222222"
    upload_events(logs, PROD, [grant("farid")])
    request(jira, "farid", GRANTED - timedelta(hours=3))
    scope = make_scope(tmp_path, endpoint=logs, accounts=[PROD, other], log_bucket=BUCKET, jira=jira_scope(jira))
    result = run_control(scope, CONTROL)
    assert result.status == "no_evidence"
    assert [g.resource for g in result.coverage_gaps] == [f"account/{other}"]


def test_access_requests_approved_by_their_own_statuses_beside_change_approvals(logs, jira, tmp_path):
    """An access workflow without an Approved status (To Do -> In Progress -> Done) while changes keep Approved."""
    asked = GRANTED - timedelta(hours=3)
    requests = {
        "farid": [(asked, "u-carol", "In Progress")],
        "gina": [(asked, "u-carol", "In Progress"), (GRANTED, "u-carol", "Done")],
        "hugo": [(asked, "u-carol", "Reopened")],  # not taken up: not approved
    }
    for user, moves in requests.items():
        fields = {"customfield_10046": user}
        seed_workflow(jira, moves, project="ACR", issue_type="Access Request", summary="Access", fields=fields)
    deploy = (GRANTED + timedelta(hours=2), "u-alice", "Deployed")
    in_progress = seed_workflow(jira, [(GRANTED - timedelta(hours=3), "u-carol", "In Progress"), deploy])
    approved = seed_workflow(jira, [(GRANTED - timedelta(hours=3), "u-carol", "Approved"), deploy])
    upload_events(logs, PROD, [grant("farid"), grant("gina"), grant("hugo")])
    own_statuses = {**QUERIES["access_requests"], "fields": {"approved_status": ["In Progress", "Done"]}}
    fields = {"approval_field": "status", "deploy_time": None, "deploy_status": "Deployed"}
    settings = jira_scope(jira, fields, access_requests=own_statuses)
    scope = make_scope(tmp_path, endpoint=logs, accounts=[PROD], log_bucket=BUCKET, jira=settings)
    result = run_control(scope, CONTROL)
    assert result.population == 3
    assert [e.resource for e in result.exceptions] == [f"iam/{PROD}/user/hugo"]
    changes = run_control(scope, "ENG-CHG-01")
    assert [e.resource for e in changes.exceptions] == [f"change/{in_progress}"]
    assert f"change/{approved}" not in {e.resource for e in changes.exceptions}
