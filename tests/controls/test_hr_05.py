"""HR-05: every termination in the HR roster has an offboarding ticket (sandbox Jira) closed within the SLA."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from socready.readiness.model import ControlResult
from tests.controls.file_fixtures import Person, hr_roster
from tests.controls.jira_fixtures import jira_sandbox, jira_scope, seed_ticket
from tests.helpers import make_scope, run_control

CONTROL = "HR-05"
NEW_YORK = ZoneInfo("America/New_York")
LAST_DAY = date(2026, 7, 10)
CLOCK = datetime(2026, 7, 11, tzinfo=NEW_YORK)  # the end of the last working day


@pytest.fixture
def jira(monkeypatch):
    yield from jira_sandbox(monkeypatch)


def offboarding(jira, employee: str, closed: datetime | None, *, in_summary: bool = False) -> str:
    fields = {} if in_summary else {"customfield_10047": employee}
    summary = f"Offboard {employee}" if in_summary else "Offboarding checklist"
    return seed_ticket(jira, "OFF", summary, CLOCK - timedelta(days=5), closed, fields=fields)


def assess(jira, folder, people: list[Person], fields: dict | None = None, **extra) -> ControlResult:
    files = hr_roster(folder, people)
    return run_control(make_scope(folder, jira=jira_scope(jira, fields), files=files, **extra), CONTROL)


def test_an_offboarding_ticket_closed_within_72_hours_operates(jira, tmp_path):
    offboarding(jira, "E1", CLOCK + timedelta(hours=30))
    result = assess(jira, tmp_path, [Person("E1", LAST_DAY), Person("E2")])
    assert result.status == "operating", result.reason
    assert result.population == 1
    assert {s.source for s in result.evidence.sources if s.objects} == {"file.hr_roster", "jira.offboarding"}


def test_a_ticket_closed_late_is_an_exception_until_it_closed(jira, tmp_path):
    closed = CLOCK + timedelta(days=5)
    key = offboarding(jira, "E1", closed)
    [exception] = assess(jira, tmp_path, [Person("E1", LAST_DAY)]).exceptions
    assert (exception.resource, exception.start, exception.end) == ("employee/E1", CLOCK, closed)
    assert exception.value == f"last day 2026-07-10; {key} closed 2026-07-16 04:00 UTC"
    assert exception.reason == "The offboarding ticket was not closed within 72 hours of the last working day."


def test_a_termination_without_a_ticket_is_an_exception_until_the_sla_ran_out(jira, tmp_path):
    [exception] = assess(jira, tmp_path, [Person("E1", LAST_DAY)]).exceptions
    assert (exception.start, exception.end) == (CLOCK, CLOCK + timedelta(hours=72))
    assert exception.value == "last day 2026-07-10; no ticket names E1"


def test_an_open_ticket_past_the_sla_is_named(jira, tmp_path):
    key = offboarding(jira, "E1", None)
    [exception] = assess(jira, tmp_path, [Person("E1", LAST_DAY)]).exceptions
    assert exception.value == f"last day 2026-07-10; {key} not closed"


def test_without_a_mapped_field_the_summary_names_the_employee(jira, tmp_path):
    offboarding(jira, "E1", CLOCK + timedelta(hours=2), in_summary=True)
    offboarding(jira, "E11", CLOCK + timedelta(hours=2), in_summary=True)  # not E1's: whole words only
    result = assess(jira, tmp_path, [Person("E1", LAST_DAY)], {"employee_id": None})
    assert result.status == "operating", result.reason


def test_many_leavers_with_a_longer_sla(jira, tmp_path):
    offboarding(jira, "E1", CLOCK + timedelta(hours=30))
    offboarding(jira, "E2", CLOCK + timedelta(hours=100))
    offboarding(jira, "E3", CLOCK + timedelta(hours=200))
    people = [Person("E1", LAST_DAY), Person("E2", LAST_DAY), Person("E3", LAST_DAY), Person("E4", date(2026, 8, 3))]
    result = assess(jira, tmp_path, people, controls={CONTROL: {"parameters": {"sla_hours": 120}}})
    assert result.population == 3
    assert [e.resource for e in result.exceptions] == ["employee/E3"]


def test_no_terminations_in_the_window_is_an_empty_population_shown_by_the_roster(jira, tmp_path):
    offboarding(jira, "E9", CLOCK)
    result = assess(jira, tmp_path, [Person("E1"), Person("E9", date(2026, 5, 1))])
    assert (result.status, result.population) == ("operating", 0)
    assert result.reason == (
        "0 of 2 rows of hr_roster.csv (file.hr_roster) have a termination day in the window (2026-07-01 to 2026-07-31)."
    )


def test_an_unreadable_termination_date_lacks_evidence(jira, tmp_path):
    result = assess(jira, tmp_path, [Person("E1", "10/07/2026")])
    assert result.status == "no_evidence"
    assert "Last Working Day '10/07/2026' is not a date" in result.coverage_gaps[0].value


def test_the_sla_counts_real_hours_across_the_end_of_dst(jira, tmp_path):
    """The last day is 31 Oct; its end is midnight EDT (04:00 UTC). 72 real hours later is 23:00 EST on 3 Nov,
    an hour before three wall-clock days would end: the clocks went back on 1 Nov."""
    window = {"start": "2026-10-01", "end": "2026-11-30", "timezone": "America/New_York"}
    clock = datetime(2026, 11, 1, 4, tzinfo=UTC)
    offboarding(jira, "E1", clock + timedelta(hours=71, minutes=30))
    offboarding(jira, "E2", clock + timedelta(hours=72, minutes=30))
    people = [Person("E1", date(2026, 10, 31)), Person("E2", date(2026, 10, 31))]
    result = assess(jira, tmp_path, people, window=window)
    assert [(e.resource, e.start) for e in result.exceptions] == [("employee/E2", clock)]


def ticket(jira, summary: str, closed: datetime | None, fields: dict | None = None) -> str:
    return seed_ticket(jira, "OFF", summary, CLOCK - timedelta(days=5), closed, fields=fields)


SUMMARY_ONLY = {"employee_id": None}


def test_a_summary_naming_the_full_name_in_other_case_and_without_accents_matches(jira, tmp_path):
    ticket(jira, "Offboarding: jose NUNEZ", CLOCK + timedelta(hours=5))
    people = [Person("E1", LAST_DAY, full_name="José  Núñez"), Person("E2", LAST_DAY, full_name="Ana Lima")]
    [exception] = assess(jira, tmp_path, people, SUMMARY_ONLY).exceptions
    assert (exception.resource, exception.value) == ("employee/E2", "last day 2026-07-10; no ticket names E2")


def test_a_summary_naming_nobody_leaves_the_leaver_without_a_ticket(jira, tmp_path):
    ticket(jira, "Offboarding: a contractor from the agency", CLOCK + timedelta(hours=5))
    result = assess(jira, tmp_path, [Person("E1", LAST_DAY, full_name="Jane Doe")], SUMMARY_ONLY)
    assert [e.value for e in result.exceptions] == ["last day 2026-07-10; no ticket names E1"]


def test_a_full_name_two_people_share_lacks_evidence_naming_both(jira, tmp_path):
    key = ticket(jira, "Offboarding: Jane Doe", CLOCK + timedelta(hours=5))
    ticket(jira, "Offboarding: Omar Haddad", CLOCK + timedelta(hours=5))  # decoy: one Omar Haddad
    people = [
        Person("E1", LAST_DAY, full_name="Jane Doe"),
        Person("E9", full_name="Jane Doe"),
        Person("E3", LAST_DAY, full_name="Omar Haddad"),
    ]
    result = assess(jira, tmp_path, people, SUMMARY_ONLY)
    assert (result.status, result.population, result.exceptions) == ("no_evidence", 2, [])
    [gap] = result.coverage_gaps
    assert gap.resource == "employee/E1"
    assert gap.value == f"last day 2026-07-10; {key} could name employee/E1 (Jane Doe) or employee/E9 (Jane Doe)"
    assert (
        gap.reason
        == "A roster row could not be used, or an offboarding ticket could name more than one person; each is named."
    )


def test_a_summary_naming_two_leavers_lacks_evidence_unless_another_ticket_closed_in_time(jira, tmp_path):
    key = ticket(jira, "Offboarding: Jane Doe and E2", CLOCK + timedelta(hours=5))
    ticket(jira, "Offboard E2", CLOCK + timedelta(hours=6))
    people = [Person("E1", LAST_DAY, full_name="Jane Doe"), Person("E2", LAST_DAY, full_name="Li Wei")]
    result = assess(jira, tmp_path, people, SUMMARY_ONLY)
    assert [(g.resource, g.value) for g in result.coverage_gaps] == [
        ("employee/E1", f"last day 2026-07-10; {key} could name employee/E1 (Jane Doe) or employee/E2 (Li Wei)")
    ]
    assert result.exceptions == []


def test_a_mapped_field_may_hold_the_work_email(jira, tmp_path):
    offboarding(jira, "Jane.Doe@Example.com", CLOCK + timedelta(hours=5))
    offboarding(jira, "li.wei@example.com", CLOCK + timedelta(hours=100))
    people = [
        Person("E1", LAST_DAY, email="jane.doe@example.com"),
        Person("E2", LAST_DAY, email="li.wei@example.com"),
    ]
    result = assess(jira, tmp_path, people)
    assert [(e.resource, e.end) for e in result.exceptions] == [("employee/E2", CLOCK + timedelta(hours=100))]


def test_duplicate_roster_rows_merge_when_they_agree_and_are_flagged_when_they_differ(jira, tmp_path):
    offboarding(jira, "E1", CLOCK + timedelta(hours=5))
    offboarding(jira, "E2", CLOCK + timedelta(hours=5))
    people = [Person("E1", LAST_DAY), Person("E1", LAST_DAY), Person("E2", LAST_DAY), Person("E2", date(2026, 7, 3))]
    result = assess(jira, tmp_path, people)
    assert (result.status, result.population, result.exceptions) == ("no_evidence", 2, [])
    assert [(g.resource, g.value) for g in result.coverage_gaps] == [
        (
            "employee/E2",
            "hr_roster.csv row 4: Last Working Day '2026-07-10' differs from row 5 ('2026-07-03') "
            "with the same Staff ID",
        )
    ]


def test_a_ticket_closed_after_as_of_does_not_count(jira, tmp_path):
    closed = CLOCK + timedelta(hours=110)
    key = offboarding(jira, "E1", closed)
    files = hr_roster(tmp_path, [Person("E1", LAST_DAY)])
    scope = make_scope(tmp_path, jira=jira_scope(jira), files=files)
    [early] = run_control(scope, CONTROL, as_of=CLOCK + timedelta(hours=100)).exceptions
    assert (early.end, early.value) == (CLOCK + timedelta(hours=72), f"last day 2026-07-10; {key} not closed")
    [later] = run_control(scope, CONTROL).exceptions
    assert later.end == closed
