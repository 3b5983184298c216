"""HR-01 over the window: every hire starting in it had a background check on or before the start day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from socready.readiness.model import ControlResult
from tests.controls.file_fixtures import Person, hr_roster
from tests.helpers import make_scope, run_control

CONTROL = "HR-01"
START = date(2026, 7, 6)
START_UTC = datetime(2026, 7, 6, 4, tzinfo=UTC)  # local midnight in America/New_York (EDT)
AS_OF = datetime(2026, 8, 2, 4, tzinfo=UTC)  # run_control assesses a day after the window closed


def assess(tmp_path, people: list[Person], drop: str | None = None) -> ControlResult:
    return run_control(make_scope(tmp_path, files=hr_roster(tmp_path, people, drop)), CONTROL)


def intervals(result: ControlResult) -> list[tuple[str, datetime, datetime, str]]:
    return [(e.resource, e.start, e.end, e.value) for e in result.exceptions]


def test_hires_checked_before_or_on_start_operate_and_earlier_staff_are_not_in_the_population(tmp_path):
    people = [
        Person("E1", started=START, background_check=date(2026, 6, 20)),
        Person("E2", started=date(2026, 7, 20), background_check=date(2026, 7, 20)),
        Person("E3"),  # started years ago; no check on record is not this window's population
    ]
    result = assess(tmp_path, people)
    assert result.status == "operating", result.reason
    assert (result.population, result.coverage, result.exceptions) == (2, 1.0, [])
    assert [s.source for s in result.evidence.sources] == ["file.hr_roster"]


def test_check_completed_after_start_is_exception_from_start_day_to_check_day(tmp_path):
    result = assess(tmp_path, [Person("E1", started=START, background_check=date(2026, 7, 9))])
    assert result.status == "exception"
    assert intervals(result) == [
        (
            "employee/E1",
            START_UTC,
            datetime(2026, 7, 9, 4, tzinfo=UTC),
            "background check 2026-07-09, after start 2026-07-06",
        )
    ]
    assert result.clean_since == date(2026, 7, 9)
    assert result.reason == "A hire started before their background check was completed."


def test_hire_without_check_is_exception_until_as_of(tmp_path):
    result = assess(tmp_path, [Person("E1", started=START)])
    assert intervals(result) == [("employee/E1", START_UTC, AS_OF, "no background check on record, start 2026-07-06")]


@pytest.mark.parametrize(
    ("checked", "on_time"),
    [
        ("2026-07-06T23:59:00", True),  # naive: local time, on the start day
        ("2026-07-07T03:59:00+00:00", True),  # 23:59 EDT on the start day
        ("2026-07-07T00:01:00Z", True),  # 00:01 UTC the next day is still 20:01 on the start day locally
        ("2026-07-07T04:01:00Z", False),  # 00:01 local the day after start
        ("2026-07-07", False),
    ],
)
def test_check_time_is_read_as_a_local_day(tmp_path, checked, on_time):
    result = assess(tmp_path, [Person("E1", started=START, background_check=checked)])
    assert result.status == ("operating" if on_time else "exception"), result.exceptions
    assert result.population == 1


@pytest.mark.parametrize(
    "outside", [(date(2026, 6, 30), date(2026, 8, 1)), (date(2025, 1, 5), date(2027, 1, 1))], ids=["edges", "far"]
)
def test_no_hire_in_the_window_is_an_empty_population(tmp_path, outside):
    result = assess(tmp_path, [Person(f"E{i}", started=day) for i, day in enumerate(outside)])
    assert result.status == "operating", result.reason
    assert result.population == 0
    assert (
        result.reason
        == "0 of 2 rows of hr_roster.csv (file.hr_roster) have a start day in the window (2026-07-01 to 2026-07-31)."
    )


def test_hires_on_the_first_and_last_day_of_the_window_are_in_the_population(tmp_path):
    people = [Person("E1", started=date(2026, 7, 1)), Person("E2", started=date(2026, 7, 31), background_check=START)]
    result = assess(tmp_path, people)
    assert result.population == 2
    assert [e.resource for e in result.exceptions] == ["employee/E1"]


def test_only_the_late_hire_among_three_is_an_exception(tmp_path):
    people = [
        Person("E1", started=START, background_check=date(2026, 7, 1)),
        Person("E2", started=START, background_check=date(2026, 7, 8)),
        Person("E3", started=date(2026, 7, 13), background_check=date(2026, 7, 13)),
    ]
    result = assess(tmp_path, people)
    assert [(e.resource, e.end) for e in result.exceptions] == [("employee/E2", datetime(2026, 7, 8, 4, tzinfo=UTC))]
    assert result.population == 3


def test_bad_rows_are_reported_and_the_rest_of_the_roster_is_used(tmp_path):
    people = [
        Person("E1", started=START, background_check=date(2026, 7, 1)),
        Person("E2", started="07/06/2026", background_check=date(2026, 7, 1)),
        Person("E3", started=START, background_check="cleared"),
        Person("", started=START, background_check=date(2026, 7, 1)),
        Person("E5", started=date(2024, 1, 2), background_check="n/a"),  # not a hire of this window: not read
    ]
    result = assess(tmp_path, people)
    assert result.status == "no_evidence"
    assert (result.population, result.coverage, result.exceptions) == (4, 0.25, [])
    assert {(g.resource, g.value) for g in result.coverage_gaps} == {
        ("employee/E2", "hr_roster.csv row 3: Hire Date '07/06/2026' is not a date"),
        ("employee/E3", "hr_roster.csv row 4: Background Check Cleared 'cleared' is not a date"),
        ("employee/hr_roster.csv row 5", "hr_roster.csv row 5: Staff ID is empty"),
    }
    assert result.reason == "Rows of the export could not be used; each is named by file, row, column and value."


def test_bad_row_beside_a_late_hire_still_shows_the_exception(tmp_path):
    people = [Person("E1", started=START, background_check=date(2026, 7, 9)), Person("E2", started="soon")]
    result = assess(tmp_path, people)
    assert result.status == "exception"
    assert [e.resource for e in result.exceptions] == ["employee/E1"]
    assert [g.resource for g in result.coverage_gaps] == ["employee/E2"]


def test_roster_without_the_background_check_column_is_no_evidence_naming_it(tmp_path):
    result = assess(tmp_path, [Person("E1", started=START)], drop="background_check")
    assert result.status == "no_evidence"
    assert "missing columns background_check (column 'Background Check Cleared')" in result.reason


def test_a_repeated_roster_row_is_one_hire_and_a_contradicting_one_is_reported(tmp_path):
    checked = date(2026, 6, 20)
    people = [
        Person("E1", started=START, background_check=checked),
        Person("E1", started=START, background_check=checked),
        Person("E2", started=START, background_check=checked),
        Person("E2", started=START, background_check=date(2026, 7, 9)),
    ]
    result = assess(tmp_path, people)
    assert (result.status, result.population, result.exceptions) == ("no_evidence", 2, [])
    [gap] = result.coverage_gaps
    assert (gap.resource, gap.value) == (
        "employee/E2",
        "hr_roster.csv row 4: Background Check Cleared '2026-06-20' differs from row 5 ('2026-07-09') "
        "with the same Staff ID",
    )
