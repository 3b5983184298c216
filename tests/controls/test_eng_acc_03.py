"""ENG-ACC-03 over the window: HR roster leavers vs IAM removal events and the credential report, via moto."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from connectors.aws.iam import CredentialReportCollector
from socready.readiness.model import ControlResult
from tests.controls.aws_fixtures import BUCKET, create_log_bucket, offboard_users, upload_events
from tests.controls.file_fixtures import Leaver, hr_roster
from tests.helpers import make_scope, run_control

CONTROL = "ENG-ACC-03"
PROD = "111111111111"
LAST_DAY = date(2026, 7, 10)
SLA_START = datetime(2026, 7, 11, 4, tzinfo=UTC)  # end of 2026-07-10 in America/New_York
WINDOW_END = datetime(2026, 8, 1, 4, tzinfo=UTC)
AS_OF = WINDOW_END + timedelta(days=1)  # run_control assesses a day after the window closed


@pytest.fixture(autouse=True)
def instant_credential_report(monkeypatch):
    """moto reports STARTED on the first call; don't sleep between polls."""
    monkeypatch.setattr(CredentialReportCollector, "poll_seconds", 0)


@pytest.fixture
def logs(aws):
    create_log_bucket(aws, PROD)
    return aws


def offboard(endpoint: str, **removals: datetime | None) -> list[dict]:
    return offboard_users(endpoint, PROD, removals)


def assess(
    endpoint: str, folder, leavers: list[Leaver], events: list[dict] = (), *, files: dict | None = None, **extra
) -> ControlResult:
    upload_events(endpoint, PROD, list(events))
    files = files or hr_roster(folder, leavers)
    scope = make_scope(folder, endpoint=endpoint, accounts=[PROD], log_bucket=BUCKET, files=files, **extra)
    return run_control(scope, CONTROL)


def intervals(result: ControlResult) -> list[tuple[str, datetime, datetime, str]]:
    return [(e.resource, e.start, e.end, e.value) for e in result.exceptions]


def test_password_removed_two_hours_after_last_day_operates(logs, tmp_path):
    events = offboard(logs, carol=SLA_START + timedelta(hours=2))
    result = assess(logs, tmp_path, [Leaver("E1", LAST_DAY, "carol"), Leaver("E2", None, "alice")], events)
    assert result.status == "operating", result.reason
    assert (result.population, result.exceptions) == (1, [])
    assert {e.source for e in result.evidence} == {"file.hr_roster", "aws.cloudtrail.logs", "aws.iam.credential_report"}


def test_removal_five_days_late_is_exception_from_end_of_last_day_to_removal(logs, tmp_path):
    removed = SLA_START + timedelta(days=5)
    result = assess(logs, tmp_path, [Leaver("E1", LAST_DAY, "dana")], offboard(logs, dana=removed))
    assert result.status == "exception"
    assert intervals(result) == [("employee/E1", SLA_START, removed, "IAM user dana: DeleteLoginProfile by it-ops")]
    assert result.clean_since == date(2026, 7, 16)


def test_scope_sla_override_accepts_removal_five_days_later(logs, tmp_path):
    events = offboard(logs, dana=SLA_START + timedelta(days=5))
    controls = {CONTROL: {"parameters": {"sla_hours": 200}}}
    result = assess(logs, tmp_path, [Leaver("E1", LAST_DAY, "dana")], events, controls=controls)
    assert result.status == "operating", result.reason
    assert result.population == 1


def test_leaver_still_holding_a_password_is_exception_until_as_of(logs, tmp_path):
    result = assess(logs, tmp_path, [Leaver("E1", LAST_DAY, "erin")], offboard(logs, erin=None))
    assert result.status == "exception"
    assert intervals(result) == [
        ("employee/E1", SLA_START, AS_OF, f"IAM user erin still has active credentials in account {PROD}")
    ]
    assert result.exceptions[0].ongoing is False  # the window is closed


def test_leaver_without_iam_user_counts_in_population_without_exception(logs, tmp_path):
    result = assess(logs, tmp_path, [Leaver("E1", LAST_DAY)])
    assert result.status == "operating", result.reason
    assert (result.population, result.exceptions) == (1, [])


@pytest.mark.parametrize(
    "outside",
    [(date(2026, 5, 15), date(2026, 9, 1)), (date(2026, 6, 30), date(2026, 8, 1))],
    ids=["far-from-window", "day-before-and-day-after-window"],
)
def test_terminations_outside_the_window_leave_an_empty_population(logs, tmp_path, outside):
    leavers = [Leaver("E0", None, "alice"), *(Leaver(f"E{i}", day, "") for i, day in enumerate(outside, 1))]
    result = assess(logs, tmp_path, leavers)
    assert result.status == "operating", result.reason
    assert result.population == 0
    assert result.reason == (
        f"0 of {len(leavers)} rows of hr_roster.csv (file.hr_roster) have a termination day in the window "
        "(2026-07-01 to 2026-07-31)."
    )


def test_termination_on_last_day_of_window_is_in_the_population(logs, tmp_path):
    events = offboard(logs, gina=datetime(2026, 8, 1, 6, tzinfo=UTC))  # 2 h after the end of 2026-07-31
    result = assess(logs, tmp_path, [Leaver("E1", date(2026, 7, 31), "gina")], events)
    assert result.population == 1, result.reason
    assert result.status == "operating", result.reason


def test_only_the_late_leaver_among_three_is_an_exception(logs, tmp_path):
    hours = {"ann": 3, "bob": 30, "cat": 23}
    events = offboard(logs, **{user: SLA_START + timedelta(hours=h) for user, h in hours.items()})
    leavers = [Leaver("E1", LAST_DAY, "ann"), Leaver("E2", LAST_DAY, "bob"), Leaver("E3", LAST_DAY, "cat")]
    result = assess(logs, tmp_path, leavers, events)
    assert result.status == "exception"
    assert [(e.resource, e.end) for e in result.exceptions] == [("employee/E2", SLA_START + timedelta(hours=30))]
    assert result.population == 3


def test_unparseable_termination_date_is_no_evidence_naming_the_row(logs, tmp_path):
    result = assess(logs, tmp_path, [Leaver("E1", LAST_DAY), Leaver("E2", "07/10/2026", "bob")])
    assert result.status == "no_evidence"
    assert result.exceptions == []
    [gap] = result.coverage_gaps
    assert gap.resource == "employee/E2"
    assert gap.value == "hr_roster.csv row 3: Last Working Day '07/10/2026' is not a date"


def test_roster_missing_a_required_column_is_no_evidence_naming_it(logs, tmp_path):
    files = hr_roster(tmp_path, [Leaver("E1", LAST_DAY, "carol")], drop="iam_user")
    result = assess(logs, tmp_path, [], files=files)
    assert result.status == "no_evidence"
    assert "missing columns iam_user (column 'AWS Username')" in result.reason
    assert result.clean_since is None


def test_roster_file_missing_on_disk_is_no_evidence_with_collection_error(logs, tmp_path):
    files = hr_roster(tmp_path, [Leaver("E1", LAST_DAY)])
    (tmp_path / "hr_roster.csv").unlink()
    result = assess(logs, tmp_path, [], files=files)
    assert result.status == "no_evidence"
    assert result.population == 0
    [error] = result.collection_errors
    assert error.startswith("file.hr_roster: FileNotFoundError"), error
