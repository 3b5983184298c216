"""ENG-CHG-01/02 on workflows socready was not written against: approval as a status that moves on, deploy by a
status transition, the approver and approval-time pair, emergency changes by issue type, and a mid-window as-of."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from socready.readiness.model import ControlResult
from socready_sandbox.jira import format_time
from tests.controls.jira_fixtures import jira_sandbox, jira_scope, seed_change, seed_workflow
from tests.helpers import make_scope, run_control

NEW_YORK = ZoneInfo("America/New_York")
DEPLOY = datetime(2026, 7, 8, 15, tzinfo=UTC)
BEFORE = DEPLOY - timedelta(hours=5)
NOT_APPROVED = "The production change was not approved before it was deployed."
OWN = "The production change was approved by its own implementer."
# Approval and deploy as workflow statuses, as most Jira change workflows record them.
BY_STATUS = {"approval_field": "status", "deploy_time": None, "deploy_status": "Deployed"}


@pytest.fixture
def jira(monkeypatch):
    yield from jira_sandbox(monkeypatch)


def assess(jira, folder, fields: dict, control: str = "ENG-CHG-01", as_of=None, **settings) -> ControlResult:
    return run_control(make_scope(folder, jira=jira_scope(jira, fields, **settings)), control, as_of)


def failing(result: ControlResult) -> dict[str, str]:
    return {e.resource.removeprefix("change/"): e.reason for e in result.exceptions}


def values(folder, control: str = "ENG-CHG-01") -> str:
    return next((folder / "evidence" / "derived").rglob(f"{control}/dataset.csv")).read_text()


def shipped(*moves: tuple[datetime, str, str]) -> tuple[tuple[datetime, str, str], ...]:
    """`moves`, then deployed at DEPLOY and done an hour later by the implementer."""
    return (*moves, (DEPLOY, "u-alice", "Deployed"), (DEPLOY + timedelta(hours=1), "u-alice", "Done"))


def test_a_status_approval_stands_while_the_ticket_moves_on_and_ends_when_sent_back(jira, tmp_path):
    moved_on = seed_workflow(jira, shipped((BEFORE, "u-carol", "Approved")))
    via_progress = seed_workflow(
        jira, shipped((BEFORE, "u-carol", "Approved"), (BEFORE + timedelta(hours=1), "u-alice", "In Progress"))
    )
    to_do = seed_workflow(
        jira, shipped((BEFORE, "u-carol", "Approved"), (BEFORE + timedelta(hours=1), "u-bob", "To Do"))
    )
    in_review = seed_workflow(
        jira,
        shipped(
            (BEFORE - timedelta(days=1), "u-alice", "In Review"),
            (BEFORE, "u-carol", "Approved"),
            (BEFORE + timedelta(hours=1), "u-carol", "In Review"),
        ),
    )
    result = assess(jira, tmp_path, BY_STATUS)
    assert result.population == 4
    assert failing(result) == {to_do: NOT_APPROVED, in_review: NOT_APPROVED}
    assert {moved_on, via_progress}.isdisjoint(failing(result))
    sent_back = next(e for e in result.exceptions if e.resource == f"change/{to_do}")
    assert sent_back.value == (
        "deployed 2026-07-08 15:00 UTC (status Deployed), approved 2026-07-08 10:00 UTC but sent back before the deploy"
    )


def test_approved_sent_back_and_approved_again_is_judged_by_the_last_approval(jira, tmp_path):
    back, again = (BEFORE + timedelta(hours=1), "u-alice", "To Do"), BEFORE + timedelta(hours=2)
    by_carol = seed_workflow(jira, shipped((BEFORE, "u-bob", "Approved"), back, (again, "u-carol", "Approved")))
    by_herself = seed_workflow(jira, shipped((BEFORE, "u-carol", "Approved"), back, (again, "u-alice", "Approved")))
    result = assess(jira, tmp_path, BY_STATUS)
    assert result.population == 2
    assert failing(result) == {by_herself: OWN}
    assert by_carol not in failing(result)
    assert "approved by Carol Lead, implemented by Alice Dev; approved 2026-07-08 12:00 UTC" in values(tmp_path)


def test_a_status_approval_after_the_deploy_is_an_exception_until_it(jira, tmp_path):
    late = seed_workflow(jira, [(DEPLOY, "u-alice", "Deployed"), (DEPLOY + timedelta(hours=3), "u-carol", "Approved")])
    on_time = seed_workflow(jira, shipped((BEFORE, "u-carol", "Approved")))
    result = assess(jira, tmp_path, BY_STATUS)
    assert failing(result) == {late: NOT_APPROVED}
    [exception] = result.exceptions
    assert (exception.start, exception.end) == (DEPLOY, DEPLOY + timedelta(hours=3))
    assert on_time not in failing(result)


def test_a_change_approved_by_its_implementer_says_so_not_never_approved(jira, tmp_path):
    mine = seed_workflow(jira, shipped((BEFORE, "u-alice", "Approved")))
    seed_workflow(jira, shipped((BEFORE, "u-bob", "Approved")))
    result = assess(jira, tmp_path, BY_STATUS)
    assert failing(result) == {mine: OWN}
    assert result.exceptions[0].value.startswith("approved by Alice Dev, implemented by Alice Dev; approved")
    assert "never approved" not in values(tmp_path)


def test_sent_back_statuses_replace_the_statuses_held_before_the_approval(jira, tmp_path):
    back_to_do = seed_workflow(
        jira, shipped((BEFORE, "u-carol", "Approved"), (BEFORE + timedelta(hours=1), "u-bob", "To Do"))
    )
    reopened = seed_workflow(
        jira, shipped((BEFORE, "u-carol", "Approved"), (BEFORE + timedelta(hours=1), "u-bob", "Reopened"))
    )
    result = assess(jira, tmp_path, {**BY_STATUS, "sent_back_statuses": ["Reopened"]})
    assert failing(result) == {reopened: NOT_APPROVED}
    assert back_to_do not in failing(result)


@pytest.mark.parametrize(
    ("fields", "source"),
    [
        (BY_STATUS, "status Deployed"),
        ({"approval_field": "status", "deploy_time": "customfield_10041"}, "field customfield_10041"),
        ({"approval_field": "status", "deploy_time": None}, "resolution date"),
        ({"approval_field": "status", "deploy_time": None, "done_statuses": ["Deployed"]}, "done status"),
    ],
)
def test_the_deploy_time_names_where_it_was_read(jira, tmp_path, fields, source):
    """Each ticket is deployed and resolved at DEPLOY (the Deploy field says so too)."""
    at_deploy = {"customfield_10041": format_time(DEPLOY)}
    deploy = [(DEPLOY, "u-alice", "Deployed"), (DEPLOY, "u-alice", "Done")]
    unapproved = seed_workflow(jira, deploy, fields=at_deploy)
    seed_workflow(jira, [(BEFORE, "u-carol", "Approved"), *deploy], fields=at_deploy)
    result = assess(jira, tmp_path, fields)
    assert result.population == 2
    assert failing(result) == {unapproved: NOT_APPROVED}
    assert result.exceptions[0].value == f"deployed 2026-07-08 15:00 UTC ({source}), never approved"


def test_a_change_not_yet_in_the_deploy_status_has_not_shipped(jira, tmp_path):
    seed_workflow(jira, [(BEFORE, "u-alice", "In Progress"), (DEPLOY, "u-alice", "Done")])  # never Deployed
    result = assess(jira, tmp_path, BY_STATUS)
    assert (result.status, result.population) == ("operating", 0)


def test_an_approver_and_approval_time_pair_approves(jira, tmp_path):
    pair = {"approver": "customfield_10050", "approval_time": "customfield_10051"}

    def approved(at: datetime | None, by: str) -> dict:
        return {"customfield_10050": {"accountId": by}, **({"customfield_10051": format_time(at)} if at else {})}

    on_time = seed_change(jira, DEPLOY, fields=approved(BEFORE, "u-carol"))
    late = seed_change(jira, DEPLOY, fields=approved(DEPLOY + timedelta(hours=2), "u-carol"))
    mine = seed_change(jira, DEPLOY, fields=approved(BEFORE, "u-alice"))
    unset = seed_change(jira, DEPLOY, fields=approved(None, "u-carol"))
    result = assess(jira, tmp_path, pair)
    assert result.population == 4
    assert failing(result) == {late: NOT_APPROVED, mine: OWN, unset: NOT_APPROVED}
    assert on_time not in failing(result)
    late_row = next(e for e in result.exceptions if e.resource == f"change/{late}")
    assert (late_row.end, late_row.value) == (
        DEPLOY + timedelta(hours=2),
        "deployed 2026-07-08 15:00 UTC (field customfield_10041), approved 2026-07-08 17:00 UTC",
    )
    assert "approved by Carol Lead, implemented by Alice Dev" in values(tmp_path)


FRIDAY = datetime(2026, 7, 10, 22, tzinfo=NEW_YORK)
TUESDAY, WEDNESDAY = datetime(2026, 7, 14, 17, tzinfo=NEW_YORK), datetime(2026, 7, 15, 9, tzinfo=NEW_YORK)


def emergency(jira, approved: datetime | None, issue_type: str = "Emergency Change", deployed=FRIDAY) -> str:
    moves = [(deployed, "u-alice", "Deployed")] + ([(approved, "u-carol", "Approved")] if approved else [])
    return seed_workflow(jira, moves, issue_type=issue_type)


def test_emergency_changes_by_their_issue_type(jira, tmp_path):
    by_type = {**BY_STATUS, "emergency": None, "emergency_issue_types": ["Emergency Change"]}
    late = emergency(jira, WEDNESDAY)
    emergency(jira, TUESDAY)
    emergency(jira, WEDNESDAY, issue_type="Change")  # a normal change: ENG-CHG-01's
    result = assess(jira, tmp_path, by_type, "ENG-CHG-02")
    assert result.population == 2
    assert failing(result) == {late: "The emergency change was not approved within 2 business days of its deploy."}
    (tmp_path / "normal").mkdir()
    normal = assess(jira, tmp_path / "normal", by_type)
    assert normal.population == 1


def test_a_mid_window_as_of_does_not_see_an_emergency_approval_made_after_it(jira, tmp_path):
    """At Tuesday noon the Wednesday approval has not happened: the change is still within its two days."""
    by_type = {**BY_STATUS, "emergency": None, "emergency_issue_types": ["Emergency Change"]}
    emergency(jira, WEDNESDAY)
    overdue = emergency(jira, None, deployed=FRIDAY - timedelta(days=7))
    emergency(jira, datetime(2026, 7, 13, 9, tzinfo=NEW_YORK))  # approved Monday, before as-of
    as_of = datetime(2026, 7, 14, 12, tzinfo=NEW_YORK)
    result = assess(jira, tmp_path, by_type, "ENG-CHG-02", as_of=as_of)
    assert result.population == 3
    assert failing(result) == {overdue: "The emergency change was not approved within 2 business days of its deploy."}
    assert "approved 2026-07-15" not in values(tmp_path, "ENG-CHG-02")


def test_a_mid_window_as_of_does_not_see_a_later_approval_of_a_change(jira, tmp_path):
    late = seed_workflow(jira, [(DEPLOY, "u-alice", "Deployed"), (DEPLOY + timedelta(days=1), "u-carol", "Approved")])
    seed_workflow(jira, shipped((BEFORE, "u-carol", "Approved")))
    result = assess(jira, tmp_path, BY_STATUS, as_of=DEPLOY + timedelta(hours=6))
    assert failing(result) == {late: NOT_APPROVED}
    assert result.exceptions[0].value == "deployed 2026-07-08 15:00 UTC (status Deployed), never approved"
