"""ENG-RSK-01 through the sandbox Jira: a risk assessment completed within the last 12 months on every day of W."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from socready.readiness.model import ControlResult
from tests.controls.jira_fixtures import jira_sandbox, jira_scope, seed_ticket
from tests.helpers import make_scope, run_control

CONTROL = "ENG-RSK-01"
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def jira(monkeypatch):
    yield from jira_sandbox(monkeypatch)


def assessment(jira, done: datetime) -> str:
    return seed_ticket(jira, "RSK", "Annual risk assessment", done.replace(day=1), done, who="u-carol")


def assess(jira, folder, **extra) -> ControlResult:
    return run_control(make_scope(folder, jira=jira_scope(jira), **extra), CONTROL)


def test_an_assessment_within_the_last_12_months_covers_the_window(jira, tmp_path):
    assessment(jira, datetime(2025, 9, 10, 15, tzinfo=UTC))
    result = assess(jira, tmp_path)
    assert result.status == "operating", result.reason
    assert result.population == 1


def test_an_assessment_expiring_inside_the_window_is_an_exception_from_then(jira, tmp_path):
    done = datetime(2025, 7, 15, 11, tzinfo=NEW_YORK)
    key = assessment(jira, done)
    [exception] = assess(jira, tmp_path).exceptions
    assert (exception.resource, exception.start) == ("risk-assessment", datetime(2026, 7, 15, 11, tzinfo=NEW_YORK))
    assert exception.end == datetime(2026, 8, 1, tzinfo=NEW_YORK)
    assert exception.value == f"last risk assessment {key} completed 2025-07-15 15:00 UTC"


def test_a_new_assessment_ends_the_lapse(jira, tmp_path):
    assessment(jira, datetime(2025, 7, 15, 11, tzinfo=NEW_YORK))
    assessment(jira, datetime(2026, 7, 20, 11, tzinfo=NEW_YORK))
    [exception] = assess(jira, tmp_path).exceptions
    assert exception.end == datetime(2026, 7, 20, 11, tzinfo=NEW_YORK)


def test_no_assessment_on_record_fails_the_whole_window(jira, tmp_path):
    [exception] = assess(jira, tmp_path).exceptions
    assert exception.value == "no risk assessment on record"
    assert exception.start == datetime(2026, 7, 1, tzinfo=NEW_YORK)
