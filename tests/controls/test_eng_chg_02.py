"""ENG-CHG-02 through the sandbox Jira: emergency changes approved within N business days of their deploy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from expectations.eng_chg_02 import business_days
from socready.readiness.model import ControlResult
from tests.controls.jira_fixtures import jira_sandbox, jira_scope, seed_change
from tests.helpers import make_scope, run_control

CONTROL = "ENG-CHG-02"
NEW_YORK = ZoneInfo("America/New_York")
FRIDAY = datetime(2026, 7, 10, 22, tzinfo=NEW_YORK)  # a Friday-night hotfix


@pytest.fixture
def jira(monkeypatch):
    yield from jira_sandbox(monkeypatch)


def assess(jira, folder, as_of: datetime | None = None, **extra) -> ControlResult:
    return run_control(make_scope(folder, jira=jira_scope(jira), **extra), CONTROL, as_of)


def test_business_days_skip_the_weekend():
    friday = FRIDAY.date()
    assert [business_days(friday, friday + timedelta(days=n)) for n in range(6)] == [0, 0, 0, 1, 2, 3]


def test_an_emergency_change_approved_on_the_second_business_day_operates(jira, tmp_path):
    tuesday = datetime(2026, 7, 14, 17, tzinfo=NEW_YORK)
    seed_change(jira, FRIDAY, [(tuesday, "u-carol")], emergency=True)
    result = assess(jira, tmp_path)
    assert result.status == "operating", result.reason
    assert result.population == 1


def test_an_emergency_change_approved_on_the_third_business_day_is_an_exception(jira, tmp_path):
    wednesday = datetime(2026, 7, 15, 9, tzinfo=NEW_YORK)
    key = seed_change(jira, FRIDAY, [(wednesday, "u-carol")], emergency=True)
    result = assess(jira, tmp_path)
    [exception] = result.exceptions
    assert (exception.resource, exception.start, exception.end) == (f"change/{key}", FRIDAY, wednesday)
    assert exception.reason == "The emergency change was not approved within 2 business days of its deploy."


def test_a_never_approved_emergency_change_fails_when_its_time_is_up(jira, tmp_path):
    key = seed_change(jira, FRIDAY, [], emergency=True)
    result = assess(jira, tmp_path)
    [exception] = result.exceptions
    due = datetime(2026, 7, 15, tzinfo=NEW_YORK)  # the end of Tuesday, the second business day
    assert (exception.resource, exception.start, exception.end) == (f"change/{key}", FRIDAY, due)
    assert exception.value.endswith("not approved")


def test_an_emergency_change_still_within_its_time_at_as_of_is_not_yet_failing(jira, tmp_path):
    seed_change(jira, FRIDAY, [], emergency=True)
    monday = datetime(2026, 7, 13, 12, tzinfo=NEW_YORK)
    result = assess(jira, tmp_path, as_of=monday)
    assert result.status == "operating", result.reason
    assert result.population == 1


def test_a_self_approved_emergency_change_is_an_exception(jira, tmp_path):
    seed_change(jira, FRIDAY, [(FRIDAY + timedelta(days=1), "u-alice")], emergency=True, implementer="u-alice")
    result = assess(jira, tmp_path)
    assert [e.reason for e in result.exceptions] == ["The emergency change was approved by its own implementer."]


def test_many_emergency_changes_with_the_allowance_raised(jira, tmp_path):
    wednesday = datetime(2026, 7, 15, 9, tzinfo=NEW_YORK)
    seed_change(jira, FRIDAY, [(wednesday, "u-carol")], emergency=True)
    late = seed_change(jira, FRIDAY, [(wednesday + timedelta(days=1), "u-carol")], emergency=True)
    seed_change(jira, FRIDAY, [(FRIDAY - timedelta(hours=1), "u-carol")], emergency=True)  # approved up front
    seed_change(jira, FRIDAY, [], emergency=False)  # a normal change: ENG-CHG-01's
    controls = {CONTROL: {"parameters": {"retro_approval_business_days": 3}}}
    result = assess(jira, tmp_path, controls=controls)
    assert result.population == 3
    assert [e.resource for e in result.exceptions] == [f"change/{late}"]
    assert result.exceptions[0].reason == "The emergency change was not approved within 3 business days of its deploy."


def test_no_emergency_changes_is_an_empty_population(jira, tmp_path):
    seed_change(jira, datetime(2026, 7, 8, 15, tzinfo=UTC), [(datetime(2026, 7, 7, tzinfo=UTC), "u-carol")])
    result = assess(jira, tmp_path)
    assert (result.status, result.population) == ("operating", 0)
