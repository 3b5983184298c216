"""ENG-ACC-01 through the sandbox Jira: a completed user-access review in every quarter overlapping the window."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from socready.readiness.model import ControlResult
from tests.controls.jira_fixtures import QUERIES, jira_sandbox, jira_scope, seed_ticket, seed_workflow
from tests.helpers import make_scope, run_control

CONTROL = "ENG-ACC-01"
NEW_YORK = ZoneInfo("America/New_York")
Q2_Q3 = {"start": "2026-04-01", "end": "2026-09-30", "timezone": "America/New_York"}


@pytest.fixture
def jira(monkeypatch):
    yield from jira_sandbox(monkeypatch)


def review(jira, done: datetime | None, created: datetime | None = None) -> str:
    created = created or (done or datetime(2026, 6, 1, tzinfo=UTC)).replace(day=1)
    return seed_ticket(jira, "ACR", "User access review", created, done, issue_type="Access Review", who="u-carol")


def assess(jira, folder, window: dict = Q2_Q3, **extra) -> ControlResult:
    return run_control(make_scope(folder, jira=jira_scope(jira), window=window, **extra), CONTROL)


def test_a_completed_review_in_each_quarter_operates(jira, tmp_path):
    review(jira, datetime(2026, 5, 20, 15, tzinfo=UTC))
    review(jira, datetime(2026, 8, 19, 15, tzinfo=UTC))
    result = assess(jira, tmp_path)
    assert result.status == "operating", result.reason
    assert result.population == 2  # quarters
    assert {s.source for s in result.evidence.sources if s.objects} == {"jira.access_reviews"}


def test_a_quarter_without_a_completed_review_is_an_exception_over_the_quarter(jira, tmp_path):
    review(jira, None, created=datetime(2026, 6, 15, tzinfo=UTC))  # opened, never completed
    review(jira, datetime(2026, 8, 19, 15, tzinfo=UTC))
    result = assess(jira, tmp_path)
    [exception] = result.exceptions
    start, end = datetime(2026, 4, 1, tzinfo=NEW_YORK), datetime(2026, 7, 1, tzinfo=NEW_YORK)
    assert (exception.resource, exception.start, exception.end) == ("quarter/2026-Q2", start, end)
    assert exception.reason == "No user-access review was completed in this period."


def test_a_review_completed_in_the_previous_quarter_does_not_count(jira, tmp_path):
    review(jira, datetime(2026, 3, 31, 23, tzinfo=NEW_YORK))  # Q1 local, although 1 April in UTC
    review(jira, datetime(2026, 8, 19, 15, tzinfo=UTC))
    result = assess(jira, tmp_path)
    assert [e.resource for e in result.exceptions] == ["quarter/2026-Q2"]


def test_no_reviews_at_all_fails_every_quarter_that_has_ended(jira, tmp_path):
    result = assess(jira, tmp_path)
    assert [e.resource for e in result.exceptions] == ["quarter/2026-Q2", "quarter/2026-Q3"]


def test_a_quarter_still_running_at_the_window_end_is_not_yet_due(jira, tmp_path):
    result = assess(jira, tmp_path, window={"start": "2026-07-01", "end": "2026-07-31", "timezone": "America/New_York"})
    assert result.status == "operating", result.reason


def test_a_half_yearly_cadence_counts_a_review_before_the_window_in_its_half(jira, tmp_path):
    half_yearly = {CONTROL: {"parameters": {"cadence_months": 6}}}
    assert [e.resource for e in assess(jira, tmp_path / "none", controls=half_yearly).exceptions] == ["period/2026-01"]
    review(jira, datetime(2026, 2, 10, 15, tzinfo=UTC))
    result = assess(jira, tmp_path / "february", controls=half_yearly)
    assert result.status == "operating", result.reason  # the second half runs to December: not yet due
    assert result.population == 2


@pytest.mark.parametrize(
    ("done_statuses", "failing"),
    [
        (None, ["quarter/2026-Q2"]),  # default: the resolution completes a review; In Review does not
        (["In Review"], ["quarter/2026-Q3"]),  # the first move into In Review does; a resolution does not
    ],
)
def test_done_statuses_of_the_access_reviews_complete_them(jira, tmp_path, done_statuses, failing):
    moves = [(datetime(2026, 5, 19, 15, tzinfo=UTC), "u-carol", "In Progress")]
    moves.append((datetime(2026, 5, 20, 15, tzinfo=UTC), "u-carol", "In Review"))
    seed_workflow(jira, moves, project="ACR", issue_type="Access Review", summary="User access review")
    review(jira, datetime(2026, 8, 19, 15, tzinfo=UTC))
    reviews = {**QUERIES["access_reviews"], **({"fields": {"done_statuses": done_statuses}} if done_statuses else {})}
    scope = make_scope(tmp_path, jira=jira_scope(jira, access_reviews=reviews), window=Q2_Q3)
    result = run_control(scope, CONTROL)
    assert [e.resource for e in result.exceptions] == failing
