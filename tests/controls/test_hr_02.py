"""HR-02 over the window: training within 30 days of hire, then a completion within 12 months on every day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from socready.readiness.model import ControlResult
from tests.controls.file_fixtures import Day, Person, hr_roster, training
from tests.helpers import make_scope, run_control

CONTROL = "HR-02"
WINDOW_START, WINDOW_END = datetime(2026, 7, 1, 4, tzinfo=UTC), datetime(2026, 8, 1, 4, tzinfo=UTC)
NOVEMBER = {"start": "2026-10-01", "end": "2026-11-30", "timezone": "America/New_York"}  # US DST ends 2026-11-01


def assess(tmp_path, people: list[Person], completions: list[tuple[str, Day]], **extra) -> ControlResult:
    files = hr_roster(tmp_path, people) | training(tmp_path, completions)
    return run_control(make_scope(tmp_path, files=files, **extra), CONTROL)


def intervals(result: ControlResult) -> list[tuple[str, datetime, datetime, str]]:
    return [(e.resource, e.start, e.end, e.value) for e in result.exceptions]


def test_everyone_working_in_the_window_trained_in_time_operates(tmp_path):
    people = [
        Person("E1"),
        Person("E2", started=date(2026, 7, 6)),
        Person("E3", terminated=date(2026, 6, 15)),  # left before the window: never trained, not assessed
        Person("E4", started=date(2026, 8, 10)),  # starts after the window
    ]
    completions = [("E1", date(2025, 9, 10)), ("E2", date(2026, 7, 20)), ("E9", "2026-07-01")]  # E9: not on the roster
    result = assess(tmp_path, people, completions)
    assert result.status == "operating", result.reason
    assert (result.population, result.coverage) == (2, 1.0)
    assert {s.source for s in result.evidence.sources if s.objects} == {"file.hr_roster", "file.training"}


def test_lapsed_yearly_training_is_exception_until_the_day_of_renewal(tmp_path):
    result = assess(tmp_path, [Person("E1")], [("E1", date(2025, 7, 10)), ("E1", date(2026, 7, 20))])
    assert result.status == "exception"
    # Valid through 2026-07-10; the renewal on 2026-07-20 covers from the next local day.
    assert intervals(result) == [
        (
            "employee/E1",
            datetime(2026, 7, 11, 4, tzinfo=UTC),
            datetime(2026, 7, 21, 4, tzinfo=UTC),
            "last training 2025-07-10 expired",
        )
    ]
    assert result.clean_since == date(2026, 7, 21)


def test_person_never_trained_is_exception_for_the_whole_window(tmp_path):
    result = assess(tmp_path, [Person("E1")], [])
    assert intervals(result) == [("employee/E1", WINDOW_START, WINDOW_END, "not trained 30 days after 2020-01-06")]


@pytest.mark.parametrize(
    ("completed", "on_time"),
    [
        ("2026-07-20T23:59:00", True),  # naive: 23:59 local on the due day
        ("2026-07-21T03:59:00Z", True),  # 23:59 EDT on the due day
        ("2026-07-21T00:01:00Z", True),  # 00:01 UTC the next day is 20:01 on the due day locally
        ("2026-07-21T04:01:00Z", False),  # 00:01 local the day after the due day
    ],
)
def test_new_hire_due_day_is_a_local_day(tmp_path, completed, on_time):
    result = assess(tmp_path, [Person("E1", started=date(2026, 6, 20))], [("E1", completed)])
    if on_time:
        assert result.status == "operating", result.exceptions
    else:
        assert intervals(result) == [
            (
                "employee/E1",
                datetime(2026, 7, 21, 4, tzinfo=UTC),
                datetime(2026, 7, 22, 4, tzinfo=UTC),
                "not trained 30 days after 2026-06-20",
            )
        ]


def test_expiry_after_the_last_working_day_is_not_an_exception(tmp_path):
    result = assess(tmp_path, [Person("E1", terminated=date(2026, 7, 10))], [("E1", date(2025, 7, 10))])
    assert result.status == "operating", result.reason
    assert result.population == 1


def test_nobody_employed_in_the_window_is_an_empty_population(tmp_path):
    result = assess(tmp_path, [Person("E1", terminated=date(2026, 6, 30)), Person("E2", started=date(2026, 8, 1))], [])
    assert (result.status, result.population) == ("operating", 0)
    assert "population for the window is empty" in result.reason


def test_only_the_lapsed_person_among_three_is_an_exception(tmp_path):
    people = [Person("E1"), Person("E2"), Person("E3", started=date(2026, 7, 1))]
    completions = [("E1", date(2025, 12, 1)), ("E2", date(2025, 7, 15)), ("E3", date(2026, 7, 2))]
    result = assess(tmp_path, people, completions)
    assert intervals(result) == [
        ("employee/E2", datetime(2026, 7, 16, 4, tzinfo=UTC), WINDOW_END, "last training 2025-07-15 expired")
    ]
    assert result.population == 3


def test_dst_change_moves_the_expiry_midnight_to_utc_minus_5(tmp_path):
    completions = [("E1", date(2025, 11, 1)), ("E1", "2026-11-10T09:00:00-05:00")]
    result = assess(tmp_path, [Person("E1")], completions, window=NOVEMBER)
    assert intervals(result) == [
        (
            "employee/E1",
            datetime(2026, 11, 2, 5, tzinfo=UTC),
            datetime(2026, 11, 11, 5, tzinfo=UTC),
            "last training 2025-11-01 expired",
        )
    ]


def test_bad_rows_make_their_person_a_coverage_gap_and_the_rest_is_used(tmp_path):
    people = [Person("E1"), Person("E2"), Person("E3", started="someday")]
    completions = [("E1", date(2025, 7, 15)), ("E2", "last spring"), ("", date(2026, 1, 5))]
    result = assess(tmp_path, people, completions)
    assert result.status == "exception"
    assert [e.resource for e in result.exceptions] == ["employee/E1"]
    assert {(g.resource, g.value) for g in result.coverage_gaps} == {
        ("employee/E2", "training.csv row 3: Completion Time 'last spring' is not a date"),
        ("employee/E3", "hr_roster.csv row 4: Hire Date 'someday' is not a date"),
        ("employee/training.csv row 4", "training.csv row 4: Learner ID is empty"),
    }


def test_training_export_not_in_the_scope_is_no_evidence(tmp_path):
    result = run_control(make_scope(tmp_path, files=hr_roster(tmp_path, [Person("E1")])), CONTROL)
    assert result.status == "no_evidence"
    [error] = result.collection_errors
    assert error.startswith("file.training: NotConfigured"), error


def test_the_training_export_may_name_people_by_work_email(tmp_path):
    people = [Person("E1", email="ana.lima@example.com"), Person("E2", email="bo@example.com")]
    completions = [("Ana.Lima@Example.com", date(2026, 1, 10)), ("bo@elsewhere.example", date(2026, 1, 10))]
    result = assess(tmp_path, people, completions)
    assert [(e.resource, e.value) for e in result.exceptions] == [
        ("employee/E2", "not trained 30 days after 2020-01-06")
    ]
