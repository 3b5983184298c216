"""ENG-BCK-03 through the sandbox Jira: a successful restore test within the policy's cadence on every day of W."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from jira import JIRA

from socready.readiness.model import ControlResult
from socready_sandbox.jira import DEFAULT_TOKEN
from tests.controls.jira_fixtures import jira_sandbox, jira_scope, seed_ticket
from tests.helpers import make_scope, run_control

CONTROL = "ENG-BCK-03"
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def jira(monkeypatch):
    yield from jira_sandbox(monkeypatch)


def restore_test(jira, done: datetime | None, created: datetime | None = None) -> str:
    created = created or (done or datetime(2026, 7, 1, tzinfo=UTC)).replace(day=1)
    return seed_ticket(jira, "DR", "Restore the production database from backup", created, done)


def assess(jira, folder, fields: dict | None = None, **extra) -> ControlResult:
    """A1.3 is an availability criterion: the scope must include that category."""
    scope = make_scope(folder, jira=jira_scope(jira, fields), categories=["security", "availability"], **extra)
    return run_control(scope, CONTROL)


def test_a_restore_test_within_the_cadence_operates(jira, tmp_path):
    restore_test(jira, datetime(2026, 2, 10, 15, tzinfo=UTC))
    result = assess(jira, tmp_path)
    assert result.status == "operating", result.reason


def test_a_half_yearly_cadence_lapses_inside_the_window(jira, tmp_path):
    restore_test(jira, datetime(2026, 1, 10, 10, tzinfo=NEW_YORK))
    restore_test(jira, None, created=datetime(2026, 7, 20, tzinfo=UTC))  # scheduled, never done
    result = assess(jira, tmp_path, controls={CONTROL: {"parameters": {"cadence_months": 6}}})
    [exception] = result.exceptions
    assert (exception.start, exception.end) == (
        datetime(2026, 7, 10, 10, tzinfo=NEW_YORK),
        datetime(2026, 8, 1, tzinfo=NEW_YORK),
    )
    assert exception.reason == "No successful restore test was completed in the 6 months before these days."


def test_out_of_scope_without_availability(jira, tmp_path):
    result = run_control(make_scope(tmp_path, jira=jira_scope(jira)), CONTROL)
    assert result.status == "not_applicable"


def test_no_restore_test_fails_the_window(jira, tmp_path):
    result = assess(jira, tmp_path)
    assert [e.value for e in result.exceptions] == ["no successful restore test on record"]


def test_a_test_resolved_as_wont_do_did_not_succeed(monkeypatch, tmp_path):
    failed_on = datetime(2026, 7, 10, 15, tzinfo=UTC)
    for jira in jira_sandbox(monkeypatch, clock=lambda: failed_on):
        key = restore_test(jira, None)
        client = JIRA(server=jira.url, basic_auth=(jira.user, DEFAULT_TOKEN))
        client.transition_issue(key, "21", fields={"resolution": {"name": "Won't Do"}})
        client.close()
        result = assess(jira, tmp_path)
        assert [e.value for e in result.exceptions] == ["no successful restore test on record"]
        counted = assess(jira, tmp_path / "counted", {"not_done_resolutions": []})  # every resolution counts
        assert [e.end for e in counted.exceptions] == [failed_on]
