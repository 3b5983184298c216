"""ENG-CHG-01 with Jira Service Management approvals (`approval_field: jsm`), read per request from the sandbox's
/rest/servicedeskapi/request/{key}/approval over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from socready.readiness.model import ControlResult
from tests.controls.jira_fixtures import jira_sandbox, jira_scope, seed_workflow
from tests.helpers import make_scope, run_control

DEPLOY = datetime(2026, 7, 8, 15, tzinfo=UTC)
BEFORE = DEPLOY - timedelta(hours=5)
JSM = {"approval_field": "jsm", "deploy_time": None, "deploy_status": "Deployed"}
NOT_APPROVED = "The production change was not approved before it was deployed."
APPROVALS = "/rest/servicedeskapi/request/<key>/approval"


@pytest.fixture
def jira(monkeypatch):
    yield from jira_sandbox(monkeypatch)


def change(jira, *decisions: tuple[str, str, datetime]) -> str:
    """A change deployed at DEPLOY by Alice, with JSM approvals (approver, final decision, decided at)."""
    key = seed_workflow(
        jira, [(BEFORE - timedelta(hours=1), "u-alice", "In Progress"), (DEPLOY, "u-alice", "Deployed")]
    )
    for who, final, at in decisions:
        jira.seed_approval(key, [(who, final), ("u-bob", "pending")], final=final, created=BEFORE, completed=at)
    return key


def assess(jira, folder, as_of: datetime | None = None) -> ControlResult:
    return run_control(make_scope(folder, jira=jira_scope(jira, JSM)), "ENG-CHG-01", as_of)


def test_jsm_approvals_decide_changes(jira, tmp_path):
    on_time = change(jira, ("u-carol", "approved", BEFORE))
    declined = change(jira, ("u-carol", "declined", BEFORE))
    late = change(jira, ("u-carol", "approved", DEPLOY + timedelta(hours=2)))
    mine = change(jira, ("u-alice", "approved", BEFORE))
    again = change(jira, ("u-carol", "declined", BEFORE - timedelta(hours=1)), ("u-bob", "approved", BEFORE))
    withdrawn = change(jira, ("u-carol", "approved", BEFORE - timedelta(hours=1)), ("u-bob", "declined", BEFORE))
    result = assess(jira, tmp_path)
    assert result.population == 6
    assert {e.resource.removeprefix("change/"): e.reason for e in result.exceptions} == {
        declined: NOT_APPROVED,
        late: NOT_APPROVED,
        mine: "The production change was approved by its own implementer.",
        withdrawn: NOT_APPROVED,
    }
    assert {on_time, again}.isdisjoint(e.resource.removeprefix("change/") for e in result.exceptions)
    late_row = next(e for e in result.exceptions if e.resource == f"change/{late}")
    assert (late_row.end, late_row.value) == (
        DEPLOY + timedelta(hours=2),
        "deployed 2026-07-08 15:00 UTC (status Deployed), approved 2026-07-08 17:00 UTC",
    )
    assert jira.requests_made[("GET", APPROVALS)] == 6  # one page per request, kept as evidence


def test_a_jsm_approval_decided_after_as_of_is_not_seen(jira, tmp_path):
    later = change(jira, ("u-carol", "approved", DEPLOY + timedelta(days=1)))
    change(jira, ("u-carol", "approved", BEFORE))
    result = assess(jira, tmp_path, as_of=DEPLOY + timedelta(hours=6))
    assert [(e.resource, e.value) for e in result.exceptions] == [
        (f"change/{later}", "deployed 2026-07-08 15:00 UTC (status Deployed), never approved")
    ]


def test_approvals_jira_refuses_to_show_mean_no_evidence(jira, tmp_path):
    change(jira, ("u-carol", "approved", BEFORE))
    jira.inject_faults(status=403, path_contains="/servicedeskapi/")
    result = assess(jira, tmp_path)
    assert result.status == "no_evidence"
    assert result.collection_errors == ['jira.changes: JiraRefused on project = "CHG"']
