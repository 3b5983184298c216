"""HR-03 over the window: everyone employed in it acknowledged the current policy version by its due day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from expectations.hr_03 import SPEC
from socready.readiness.model import ControlResult
from tests.controls.file_fixtures import Day, Person, acknowledgements, hr_roster
from tests.helpers import collected, local_midnight, make_scope, run_control

CONTROL = "HR-03"
POLICY = {"policy_version": "2026.1", "policy_published": "2026-06-01"}  # due 2026-07-01 for earlier staff
WINDOW_END = datetime(2026, 8, 1, 4, tzinfo=UTC)


def scope_of(tmp_path, people: list[Person], acks: list[tuple[str, str, Day]], policy=POLICY, xlsx=False):
    files = hr_roster(tmp_path, people) | acknowledgements(tmp_path, acks, xlsx)
    return make_scope(tmp_path, files=files, controls={CONTROL: {"parameters": policy}})


def assess(tmp_path, people: list[Person], acks: list[tuple[str, str, Day]], policy=POLICY, xlsx=False):
    return run_control(scope_of(tmp_path, people, acks, policy, xlsx), CONTROL)


def dataset(folder, people: list[Person], acks: list[tuple[str, str, Day]], policy=POLICY) -> pd.DataFrame:
    """The facts the suite reads, per person (one row each)."""
    folder.mkdir()
    scope = scope_of(folder, people, acks, policy)
    _, window, view = collected(scope, CONTROL)
    params = SPEC.parameters.model_validate(policy)
    return SPEC.build(view, scope, window, params).set_index("resource")[["acknowledged", "days_to_acknowledge"]]


def intervals(result: ControlResult) -> list[tuple[str, datetime, datetime, str]]:
    return [(e.resource, e.start, e.end, e.value) for e in result.exceptions]


def test_everyone_acknowledged_the_current_version_in_time_operates(tmp_path):
    people = [
        Person("E1"),
        Person("E2", started=date(2026, 7, 10)),  # a hire: due 30 days after the start day
        Person("E3"),
        Person("E4", terminated=date(2026, 5, 30)),  # left before the window
        Person("E5", started=date(2026, 7, 20)),  # still within its due days when the window closes
    ]
    acks = [
        ("E1", "2025.2", date(2025, 6, 3)),
        ("E1", "2026.1", date(2026, 6, 10)),
        ("E2", "2026.1", "2026-07-15T10:00:00"),
        ("E3", "2026.1", "2026-07-01T23:59:00"),  # 23:59 local on the due day
    ]
    result = assess(tmp_path, people, acks)
    assert result.status == "operating", result.reason
    assert (result.population, result.coverage) == (4, 1.0)
    assert {s.source for s in result.evidence.sources} == {"file.hr_roster", "file.policy_acknowledgements"}


def test_late_acknowledgement_is_exception_from_the_day_after_due_through_the_day_acknowledged(tmp_path):
    result = assess(tmp_path, [Person("E1")], [("E1", "2026.1", date(2026, 7, 10))])
    assert intervals(result) == [
        (
            "employee/E1",
            datetime(2026, 7, 2, 4, tzinfo=UTC),
            datetime(2026, 7, 11, 4, tzinfo=UTC),
            "acknowledged 2026.1 on 2026-07-10, due 2026-07-01",
        )
    ]
    assert result.clean_since == date(2026, 7, 11)
    assert result.reason == "A person worked past the due date without acknowledging the current policy version."
    facts = dataset(tmp_path / "facts", [Person("E1")], [("E1", "2026.1", date(2026, 7, 10))])
    assert facts.loc["employee/E1"].tolist() == [local_midnight(date(2026, 7, 10)), 39]  # due after 30 days


def test_late_acknowledgement_before_the_window_or_due_after_leaving_is_no_deviation_in_it(tmp_path):
    policy = {"policy_version": "2026.1", "policy_published": "2026-05-01"}  # due 2026-05-31 for earlier staff
    people = [Person("E1"), Person("E2", started=date(2026, 6, 20), terminated=date(2026, 7, 5))]  # E2 due 07-20
    acks = [("E1", "2026.1", date(2026, 6, 15)), ("E2", "2026.1", date(2026, 7, 25))]
    result = assess(tmp_path, people, acks, policy)
    assert result.status == "operating", result.exceptions
    facts = dataset(tmp_path / "facts", people, acks, policy)
    # E1's 45 days lie before the window (the suite reads only rows not acknowledged before they begin);
    # E2's days count to their last working day, not to an acknowledgement after they left.
    assert facts.to_dict("index") == {
        "employee/E1": {"acknowledged": local_midnight(date(2026, 6, 15)), "days_to_acknowledge": 45},
        "employee/E2": {"acknowledged": local_midnight(date(2026, 7, 25)), "days_to_acknowledge": 15},
    }


def test_acknowledging_only_an_older_version_is_exception_to_the_end_of_the_window(tmp_path):
    result = assess(tmp_path, [Person("E1")], [("E1", "2025.2", date(2025, 6, 3))])
    assert intervals(result) == [
        ("employee/E1", datetime(2026, 7, 2, 4, tzinfo=UTC), WINDOW_END, "no acknowledgement of 2026.1, due 2026-07-01")
    ]
    facts = dataset(tmp_path / "facts", [Person("E1")], [("E1", "2025.2", date(2025, 6, 3))])
    assert facts.loc["employee/E1", "acknowledged"] is pd.NaT
    assert facts.loc["employee/E1", "days_to_acknowledge"] == 60  # 2026-06-01 to the window's last day


@pytest.mark.parametrize(
    ("acknowledged", "on_time"),
    [("2026-07-02T03:59:00Z", True), ("2026-07-02T00:01:00+00:00", True), ("2026-07-02T04:01:00Z", False)],
    ids=["23:59-EDT-on-due-day", "00:01-UTC-next-day", "00:01-EDT-next-day"],
)
def test_due_day_is_a_local_day(tmp_path, acknowledged, on_time):
    result = assess(tmp_path, [Person("E1")], [("E1", "2026.1", acknowledged)])
    if on_time:
        assert result.status == "operating", result.exceptions
    else:
        assert [(e.start, e.end) for e in result.exceptions] == [
            (datetime(2026, 7, 2, 4, tzinfo=UTC), datetime(2026, 7, 3, 4, tzinfo=UTC))
        ]


def test_xlsx_export_with_excel_date_times_read_as_local_time(tmp_path):
    local = ZoneInfo("America/New_York")
    acks = [
        ("E1", "2026.1", datetime(2026, 7, 1, 23, 59, tzinfo=local)),
        ("E2", "2026.1", datetime(2026, 7, 2, 0, 1, tzinfo=local)),
    ]
    result = assess(tmp_path, [Person("E1"), Person("E2")], acks, xlsx=True)
    assert [(e.resource, e.value) for e in result.exceptions] == [
        ("employee/E2", "acknowledged 2026.1 on 2026-07-02, due 2026-07-01")
    ]


def test_nobody_employed_in_the_window_is_an_empty_population(tmp_path):
    result = assess(tmp_path, [Person("E1", terminated=date(2026, 6, 1))], [])
    assert (result.status, result.population) == ("operating", 0)


def test_bad_rows_are_reported_per_person_and_the_rest_is_used(tmp_path):
    people = [Person("E1"), Person("E2"), Person("E3")]
    acks = [("E1", "2026.1", "yesterday"), ("E2", "", date(2026, 6, 2)), ("E3", "2025.2", "n/a")]
    result = assess(tmp_path, people, acks)
    assert result.status == "exception"  # E3's unreadable row is for an older version: not needed, not read
    assert [e.resource for e in result.exceptions] == ["employee/E3"]
    assert {(g.resource, g.value) for g in result.coverage_gaps} == {
        ("employee/E1", "policy_acknowledgements.csv row 2: Signed At 'yesterday' is not a date"),
        ("employee/E2", "policy_acknowledgements.csv row 3: Document Version is empty"),
    }
    assert result.population == 3


@pytest.mark.parametrize(
    ("policy", "words"),
    [({}, "policy_version"), ({"policy_version": "2026.1", "policy_published": "June"}, "'June' is not a date")],
    ids=["version-not-set", "bad-publication-date"],
)
def test_policy_parameters_missing_or_wrong_is_no_evidence_naming_the_fix(tmp_path, policy, words):
    result = assess(tmp_path, [Person("E1")], [("E1", "2026.1", date(2026, 6, 10))], policy=policy)
    assert result.status == "no_evidence"
    assert words in result.reason
