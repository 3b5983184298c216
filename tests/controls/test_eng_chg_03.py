"""ENG-CHG-03: production writes in CloudTrail (moto S3 over HTTP) against change tickets (sandbox Jira) per month."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from socready.readiness.model import ControlResult
from socready_sandbox.cloudtrail_files import cloudtrail_event
from tests.controls.aws_fixtures import BUCKET, create_log_bucket, upload_logs
from tests.controls.jira_fixtures import jira_sandbox, jira_scope, seed_change
from tests.helpers import make_scope, run_control

CONTROL = "ENG-CHG-03"
PROD, STAGING = "111111111111", "222222222222"
WRITE = datetime(2026, 7, 15, 13, tzinfo=UTC)
PROD_ONLY = {CONTROL: {"parameters": {"production_accounts": PROD}}}
JUNE_JULY = {"start": "2026-06-01", "end": "2026-07-31", "timezone": "America/New_York"}


@pytest.fixture
def jira(monkeypatch):
    yield from jira_sandbox(monkeypatch)


@pytest.fixture
def logs(aws):
    create_log_bucket(aws, PROD)
    return aws


def write(account: str = PROD, when: datetime = WRITE, name: str = "AuthorizeSecurityGroupIngress") -> dict:
    return cloudtrail_event(name, when, account, "us-east-1", "deployer", {"groupId": "sg-1"}, service="ec2")


def assess(
    endpoint: str, jira, folder, events: list[dict], *, first: date = date(2026, 6, 30), **extra
) -> ControlResult:
    upload_logs(endpoint, PROD, [PROD, STAGING], ["us-east-1"], events, first=first)
    scope = make_scope(
        folder,
        endpoint=endpoint,
        accounts=[PROD, STAGING],
        log_bucket=BUCKET,
        jira=jira_scope(jira),
        **extra,
    )
    return run_control(scope, CONTROL)


def test_a_month_with_production_writes_and_a_change_ticket_operates(logs, jira, tmp_path):
    seed_change(jira, WRITE - timedelta(hours=1), [(WRITE - timedelta(days=1), "u-carol")])
    result = assess(logs, jira, tmp_path, [write()], controls=PROD_ONLY)
    assert result.status == "operating", result.reason
    assert result.population == 1  # one month


def test_a_month_with_production_writes_but_no_change_ticket_is_an_exception(logs, jira, tmp_path):
    result = assess(logs, jira, tmp_path, [write()], controls=PROD_ONLY)
    [exception] = result.exceptions
    assert (exception.resource, exception.value) == ("month/2026-07", "1 production mutations, 0 change tickets")
    assert exception.reason == "Production changed in this month but no change ticket was raised."


def test_writes_outside_production_sign_ins_and_reads_are_not_changes(logs, jira, tmp_path):
    events = [write(STAGING), write(name="ConsoleLogin"), write(name="DescribeInstances"), write(name="AssumeRole")]
    result = assess(logs, jira, tmp_path, events, controls=PROD_ONLY)
    assert result.status == "operating", result.reason


def test_production_accounts_default_to_the_scope_account_named_production(logs, jira, tmp_path):
    upload_logs(logs, PROD, [PROD, STAGING], ["us-east-1"], [write(), write(STAGING)])
    aws = {
        "accounts": [{"id": PROD, "name": "Production"}, {"id": STAGING, "name": "staging"}],
        "regions": ["us-east-1"],
        "endpoint_url": logs,
        "cloudtrail_logs": [{"bucket": BUCKET, "account": PROD}],
        "role": {"name": "socready-collector", "external_id": "fixture-external-id"},
    }
    result = run_control(make_scope(tmp_path, aws=aws, jira=jira_scope(jira)), CONTROL)
    assert [(e.resource, e.value) for e in result.exceptions] == [
        ("month/2026-07", "1 production mutations, 0 change tickets")
    ]


def test_months_across_the_window_each_judged(logs, jira, tmp_path):
    june = datetime(2026, 6, 10, 15, tzinfo=UTC)
    seed_change(jira, WRITE, [(WRITE - timedelta(days=1), "u-carol")])
    events = [write(when=june), write()]
    result = assess(
        logs,
        jira,
        tmp_path,
        events,
        first=date(2026, 5, 31),
        window=JUNE_JULY,
        controls=PROD_ONLY,
    )
    assert [e.resource for e in result.exceptions] == ["month/2026-06"]
    assert result.population == 2


def test_a_month_without_production_logs_or_tickets_lacks_evidence(logs, jira, tmp_path):
    upload_logs(logs, PROD, [STAGING], ["us-east-1"])
    scope = make_scope(
        tmp_path, endpoint=logs, accounts=[PROD, STAGING], log_bucket=BUCKET, jira=jira_scope(jira), controls=PROD_ONLY
    )
    result = run_control(scope, CONTROL)
    assert result.status == "no_evidence"
    assert [(g.resource, g.value) for g in result.coverage_gaps] == [
        ("month/2026-07", "0 production mutations, 0 change tickets, no CloudTrail records from a production account")
    ]


def test_an_unknown_production_account_makes_the_evidence_unusable(logs, jira, tmp_path):
    result = assess(logs, jira, tmp_path, [], controls={CONTROL: {"parameters": {"production_accounts": "prod-eu"}}})
    assert result.status == "no_evidence"
    assert "production_accounts" in result.reason
