"""HR-04 over the window: every hire starting in it signed the confidentiality agreement by the start day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from socready.readiness.model import ControlResult
from tests.controls.file_fixtures import Person, hr_roster
from tests.helpers import make_scope, run_control

CONTROL = "HR-04"
START = date(2026, 7, 6)
NOVEMBER = {"start": "2026-10-01", "end": "2026-11-30", "timezone": "America/New_York"}  # US DST ends 2026-11-01


def assess(tmp_path, people: list[Person], drop: str | None = None, **extra) -> ControlResult:
    return run_control(make_scope(tmp_path, files=hr_roster(tmp_path, people, drop), **extra), CONTROL)


def test_agreements_signed_before_start_operate(tmp_path):
    people = [
        Person("E1", started=START, confidentiality_signed=date(2026, 6, 25)),
        Person("E2", started=date(2026, 7, 27), confidentiality_signed=date(2026, 7, 27)),
        Person("E3", confidentiality_signed=None),  # hired long before the window
    ]
    result = assess(tmp_path, people)
    assert result.status == "operating", result.reason
    assert result.population == 2


def test_agreement_signed_after_start_is_exception(tmp_path):
    people = [
        Person("E1", started=START, confidentiality_signed=date(2026, 7, 8)),
        Person("E2", started=START, confidentiality_signed=date(2026, 7, 1)),
        Person("E3", started=date(2026, 7, 20)),
    ]
    result = assess(tmp_path, people)
    assert result.status == "exception"
    assert [(e.resource, e.start, e.end, e.value) for e in result.exceptions] == [
        (
            "employee/E1",
            datetime(2026, 7, 6, 4, tzinfo=UTC),
            datetime(2026, 7, 8, 4, tzinfo=UTC),
            "confidentiality agreement 2026-07-08, after start 2026-07-06",
        ),
        (
            "employee/E3",
            datetime(2026, 7, 20, 4, tzinfo=UTC),
            datetime(2026, 8, 2, 4, tzinfo=UTC),
            "no confidentiality agreement on record, start 2026-07-20",
        ),
    ]
    assert result.reason == "A hire started before signing the confidentiality agreement."


def test_no_hire_in_the_window_is_an_empty_population(tmp_path):
    result = assess(tmp_path, [Person("E1", started=date(2026, 8, 1))])
    assert (result.status, result.population) == ("operating", 0)


@pytest.mark.parametrize(
    ("signed", "on_time"),
    [("2026-11-01T05:30:00Z", True), ("2026-11-02T04:30:00Z", True), ("2026-11-02T05:30:00Z", False)],
    ids=["00:30-EST-on-start-day", "23:30-EST-on-start-day", "00:30-EST-next-day"],
)
def test_dst_start_day_is_a_25_hour_local_day(tmp_path, signed, on_time):
    result = assess(tmp_path, [Person("E1", started=date(2026, 11, 1), confidentiality_signed=signed)], window=NOVEMBER)
    assert result.status == ("operating" if on_time else "exception"), result.exceptions
    if not on_time:
        [late] = result.exceptions
        # From midnight EDT (UTC-4) on the start day to midnight EST (UTC-5) on the signing day.
        assert (late.start, late.end) == (datetime(2026, 11, 1, 4, tzinfo=UTC), datetime(2026, 11, 2, 5, tzinfo=UTC))


def test_unreadable_signature_date_is_a_coverage_gap(tmp_path):
    result = assess(tmp_path, [Person("E1", started=START, confidentiality_signed="2026-13-01")])
    assert result.status == "no_evidence"
    [gap] = result.coverage_gaps
    assert gap.value == "hr_roster.csv row 2: NDA Signed '2026-13-01' is not a date"


def test_roster_without_the_agreement_column_is_no_evidence(tmp_path):
    result = assess(tmp_path, [Person("E1", started=START)], drop="confidentiality_signed")
    assert result.status == "no_evidence"
    assert "confidentiality_signed (column 'NDA Signed')" in result.reason
