"""ENG-ACC-03 over the window: HR roster leavers vs IAM removal events and the credential report, via moto."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from connectors.aws.iam import CredentialReportCollector
from expectations.eng_acc_03 import build
from socready.readiness.model import ControlResult
from socready_sandbox.cloudtrail_files import Silence, cloudtrail_event
from tests.controls.aws_fixtures import BUCKET, create_log_bucket, offboard_users, upload_events, upload_logs
from tests.controls.file_fixtures import Leaver, hr_roster
from tests.helpers import collected, make_scope, run_control

CONTROL = "ENG-ACC-03"
PROD = "111111111111"
LATE = "222222222222"  # an account that joined the scope in the window
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
    endpoint: str,
    folder,
    leavers: list[Leaver],
    events: list[dict] = (),
    *,
    files: dict | None = None,
    as_of: datetime | None = None,
    **extra,
) -> ControlResult:
    upload_events(endpoint, PROD, list(events))
    files = files or hr_roster(folder, leavers)
    scope = make_scope(folder, endpoint=endpoint, accounts=[PROD], log_bucket=BUCKET, files=files, **extra)
    return run_control(scope, CONTROL, as_of)


def logged(endpoint: str, events: list[dict] = (), silences: list[Silence] = ()) -> list[dict]:
    """Log files for every hour the collector reads (the day before the window to the day after), with `events`."""
    upload_logs(endpoint, PROD, [PROD], ["us-east-1"], events, silences)
    return []  # already uploaded


def iam_event(name: str, when: datetime, user: str, actor: str = "it-ops") -> dict:
    return cloudtrail_event(name, when, PROD, "us-east-1", actor, {"userName": user})


def deleted_user(user: str, removed: datetime) -> list[dict]:
    """A user created with a password before the window and deleted at `removed`: absent from today's report."""
    created = datetime(2026, 7, 1, 15, tzinfo=UTC)
    return [
        iam_event("CreateUser", created, user),
        iam_event("CreateLoginProfile", created + timedelta(minutes=1), user),
        iam_event("DeleteLoginProfile", removed - timedelta(minutes=1), user),
        iam_event("DeleteUser", removed, user),
    ]


def intervals(result: ControlResult) -> list[tuple[str, datetime, datetime, str]]:
    return [(e.resource, e.start, e.end, e.value) for e in result.exceptions]


def test_password_removed_two_hours_after_last_day_operates(logs, tmp_path):
    events = offboard(logs, carol=SLA_START + timedelta(hours=2))
    result = assess(logs, tmp_path, [Leaver("E1", LAST_DAY, "carol"), Leaver("E2", None, "alice")], events)
    assert result.status == "operating", result.reason
    assert (result.population, result.exceptions) == (1, [])
    # Config history too: its IAM items show users deleted before the first credential report
    cited = {"file.hr_roster", "aws.cloudtrail.logs", "aws.iam.credential_report", "aws.config.history"}
    assert {s.source for s in result.evidence.sources if s.objects} == cited


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


def test_leaver_never_seen_in_aws_while_the_logs_cover_has_no_aws_access(logs, tmp_path):
    events = logged(logs, offboard(logs, carol=SLA_START + timedelta(hours=2)))
    leavers = [Leaver("E1", LAST_DAY, "zoe"), Leaver("E2", LAST_DAY, email="yan@example.com"), Leaver("E3")]
    result = assess(logs, tmp_path, leavers, events)
    assert result.status == "operating", result.reason
    assert (result.population, result.exceptions) == (2, [])
    scope = make_scope(tmp_path, endpoint=logs, accounts=[PROD], log_bucket=BUCKET, files=hr_roster(tmp_path, leavers))
    _, window, view = collected(scope, CONTROL)
    rows = build(view, scope, window, {})
    since = "CloudTrail since 2026-07-04 04:00 UTC or AWS Config"
    assert dict(zip(rows.resource, rows.value, strict=True)) == {
        "employee/E1": f"no AWS access: no IAM user zoe in the credential reports, {since}",
        "employee/E2": "no AWS access: no IAM user named by employee/E2 (yan@example.com)'s e-mail, its local part "
        f"or id in the credential reports, {since}",
    }
    assert list(rows.hours_to_removal) == [0.0, 0.0]


def test_leaver_never_seen_while_the_logs_have_a_gap_lacks_evidence(logs, tmp_path):
    silent = Silence(PROD, datetime(2026, 7, 8, 10, tzinfo=UTC), datetime(2026, 7, 8, 14, 30, tzinfo=UTC))
    logged(logs, silences=[silent])
    result = assess(logs, tmp_path, [Leaver("E1", LAST_DAY, "zoe")])
    assert result.status == "no_evidence"
    [gap] = result.coverage_gaps
    assert gap.resource == "employee/E1"
    assert gap.value == (
        f"no IAM user zoe seen, but account {PROD} has no CloudTrail records "
        "2026-07-08 10:00 UTC to 2026-07-08 15:00 UTC"
    )


def test_leaver_without_any_log_files_lacks_evidence(logs, tmp_path):
    result = assess(logs, tmp_path, [Leaver("E1", LAST_DAY)])
    assert result.status == "no_evidence"
    assert "has no CloudTrail records 2026-07-04 04:00 UTC to 2026-08-01 04:00 UTC" in result.coverage_gaps[0].value


def test_user_deleted_six_days_late_and_gone_today_is_judged_by_the_deletion(logs, tmp_path):
    late, prompt = SLA_START + timedelta(days=6), SLA_START + timedelta(hours=2)
    events = logged(logs, deleted_user("dana", late) + deleted_user("ed", prompt))
    result = assess(logs, tmp_path, [Leaver("E1", LAST_DAY, "dana"), Leaver("E2", LAST_DAY, "ed")], events)
    assert result.status == "exception"
    assert intervals(result) == [("employee/E1", SLA_START, late, "IAM user dana: DeleteUser by it-ops")]
    assert result.population == 2


def test_a_removal_after_as_of_does_not_count(logs, tmp_path):
    """Replayed as of day 3, a user deleted on day 6 still held access: whole logs to the as-of show no removal."""
    logged(logs, deleted_user("dana", SLA_START + timedelta(days=6)))
    as_of = SLA_START + timedelta(days=3)
    result = assess(logs, tmp_path, [Leaver("E1", LAST_DAY, "dana")], as_of=as_of)
    [exception] = result.exceptions
    assert (exception.resource, exception.start, exception.end) == ("employee/E1", SLA_START, as_of)
    assert exception.value == "IAM user dana was seen until 2026-07-01 15:01 UTC and no removal was logged by the as-of"


def test_a_user_gone_from_the_reports_with_a_log_gap_before_the_as_of_is_no_evidence(logs, tmp_path):
    """The same replay, but the logs have a gap before the as-of: the removal could be in it, so no evidence."""
    silent = Silence(PROD, SLA_START + timedelta(days=1), SLA_START + timedelta(days=2))
    logged(logs, deleted_user("dana", SLA_START + timedelta(days=6)), [silent])
    result = assess(logs, tmp_path, [Leaver("E1", LAST_DAY, "dana")], as_of=SLA_START + timedelta(days=3))
    assert (result.status, result.exceptions) == ("no_evidence", [])
    [gap] = result.coverage_gaps
    assert gap.value.endswith("no removal shows when")


def test_user_found_by_work_email_local_part_without_an_iam_user_column(logs, tmp_path):
    late, prompt = SLA_START + timedelta(days=2), SLA_START + timedelta(hours=3)
    events = logged(logs, deleted_user("dana", late) + deleted_user("E2", prompt))
    leavers = [Leaver("E1", LAST_DAY, email="Dana@Example.com"), Leaver("E2", LAST_DAY, email="ed@example.com")]
    result = assess(logs, tmp_path, leavers, events, files=hr_roster(tmp_path, leavers, drop="iam_user"))
    assert intervals(result) == [("employee/E1", SLA_START, late, "IAM user dana: DeleteUser by it-ops")]
    assert result.population == 2


def test_a_user_name_two_leavers_could_have_lacks_evidence_naming_both(logs, tmp_path):
    events = logged(logs, deleted_user("jdoe", SLA_START + timedelta(hours=2)))
    leavers = [
        Leaver("E1", LAST_DAY, email="jdoe@example.com", full_name="Jane Doe"),
        Leaver("E2", LAST_DAY, email="jdoe@subsidiary.example", full_name="John Doe"),
        Leaver("E3", LAST_DAY, "", email="amy@example.com"),  # decoy: no user named after her
    ]
    result = assess(logs, tmp_path, leavers, events)
    assert result.status == "no_evidence"
    gaps = {g.resource: g.value for g in result.coverage_gaps}
    assert gaps == {
        "employee/E1": "IAM user jdoe could be employee/E1 (Jane Doe) or employee/E2 (John Doe)",
        "employee/E2": "IAM user jdoe could be employee/E1 (Jane Doe) or employee/E2 (John Doe)",
    }


def test_duplicate_roster_rows_merge_when_they_agree_and_are_flagged_when_they_differ(logs, tmp_path):
    events = logged(logs, offboard(logs, ann=SLA_START + timedelta(hours=2), bob=SLA_START + timedelta(hours=2)))
    leavers = [
        Leaver("E1", LAST_DAY, "ann"),
        Leaver("E1", LAST_DAY, "ann"),
        Leaver("E2", LAST_DAY, "bob"),
        Leaver("E2", date(2026, 7, 20), "bob"),
    ]
    result = assess(logs, tmp_path, leavers, events)
    assert result.status == "no_evidence"
    assert result.population == 2
    [gap] = result.coverage_gaps
    assert (gap.resource, gap.value) == (
        "employee/E2",
        "hr_roster.csv row 4: Last Working Day '2026-07-10' differs from row 5 ('2026-07-20') with the same Staff ID",
    )


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
    logged(logs)
    result = assess(logs, tmp_path, [Leaver("E1", LAST_DAY), Leaver("E2", "07/10/2026", "bob")])
    assert result.status == "no_evidence"
    assert result.exceptions == []
    [gap] = result.coverage_gaps
    assert gap.resource == "employee/E2"
    assert gap.value == "hr_roster.csv row 3: Last Working Day '07/10/2026' is not a date"


def test_roster_missing_a_required_column_is_no_evidence_naming_it(logs, tmp_path):
    files = hr_roster(tmp_path, [Leaver("E1", LAST_DAY, "carol")], drop="termination_date")
    result = assess(logs, tmp_path, [], files=files)
    assert result.status == "no_evidence"
    assert "missing columns termination_date (column 'Last Working Day')" in result.reason
    assert result.clean_since is None


def test_roster_file_missing_on_disk_is_no_evidence_with_collection_error(logs, tmp_path):
    files = hr_roster(tmp_path, [Leaver("E1", LAST_DAY)])
    (tmp_path / "hr_roster.csv").unlink()
    result = assess(logs, tmp_path, [], files=files)
    assert result.status == "no_evidence"
    assert result.population == 0
    [error] = result.collection_errors
    assert error.startswith("file.hr_roster: FileNotFoundError"), error


def test_removals_a_leaver_made_of_other_users_are_not_their_own(logs, tmp_path):
    removed = SLA_START + timedelta(hours=2)
    events = logged(logs, deleted_user("ed", removed))  # made by the IAM user it-ops
    result = assess(logs, tmp_path, [Leaver("E1", LAST_DAY, "it-ops"), Leaver("E2", LAST_DAY, "ed")], events)
    assert result.status == "no_evidence"
    [gap] = result.coverage_gaps
    assert (gap.resource, gap.value) == (
        "employee/E1",
        f"IAM user it-ops is in no credential report but was seen until {removed:%Y-%m-%d %H:%M} UTC; "
        "no removal shows when",
    )


def test_an_account_that_joined_later_needs_logs_only_from_its_joining(logs, tmp_path):
    joined = datetime(2026, 7, 20, tzinfo=UTC)
    logged(logs)
    upload_logs(logs, PROD, [LATE], ["us-east-1"], first=joined.date())
    leavers = [Leaver("E1", LAST_DAY, "zoe")]
    scope = make_scope(
        tmp_path, endpoint=logs, accounts=[PROD, LATE], log_bucket=BUCKET, files=hr_roster(tmp_path, leavers)
    )
    accounts = [scope.aws.accounts[0], scope.aws.accounts[1].model_copy(update={"joined": joined})]
    [gap] = run_control(scope, CONTROL).coverage_gaps  # without `joined`, its earlier hours are missing
    assert gap.value == (
        f"no IAM user zoe seen, but account {LATE} has no CloudTrail records 2026-07-04 04:00 UTC to "
        "2026-07-20 00:00 UTC"
    )
    scope = scope.model_copy(update={"aws": scope.aws.model_copy(update={"accounts": accounts})})
    result = run_control(scope, CONTROL)
    assert result.status == "operating", [g.value for g in result.coverage_gaps]
