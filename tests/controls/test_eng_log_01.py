"""ENG-LOG-01 over the window: trail status + StopLogging events + hourly log records, via moto over HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime

from socready.intervals import merge
from socready.readiness.model import ControlResult
from socready.scope.models import S3Location
from socready_sandbox.cloudtrail_files import Silence, cloudtrail_event
from tests.controls.aws_fixtures import (
    BUCKET,
    create_log_bucket,
    create_organization,
    create_organization_trail,
    create_trail,
    organization_scope,
    stand_in_bucket,
    upload_logs,
)
from tests.helpers import make_scope, run_control

PROD, STAGING = "111111111111", "222222222222"
REGIONS = ["us-east-1", "eu-west-1"]
ARN = f"arn:aws:cloudtrail:us-east-1:{PROD}:trail/main-trail"
STOP, START = datetime(2026, 7, 14, 15, 0, tzinfo=UTC), datetime(2026, 7, 16, 15, 0, tzinfo=UTC)
WINDOW_START, WINDOW_END = datetime(2026, 7, 1, 4, tzinfo=UTC), datetime(2026, 8, 1, 4, tzinfo=UTC)
EAST = ["us-east-1"]  # one region where the case is about accounts, not regions: half the log files
DELETED = datetime(2026, 7, 20, 9, 30, tzinfo=UTC)


def stop_events(account: str = PROD) -> list[dict]:
    name = {"name": ARN.replace(PROD, account)}
    return [
        cloudtrail_event("StopLogging", STOP, account, "us-east-1", "mallory", name),
        cloudtrail_event("StartLogging", START, account, "us-east-1", "alice", name),
    ]


def test_logging_all_window_operates(aws, tmp_path):
    create_log_bucket(aws, PROD)
    create_trail(aws, PROD)
    upload_logs(aws, PROD, [PROD], REGIONS)
    scope = make_scope(tmp_path, endpoint=aws, accounts=[PROD], regions=REGIONS, log_bucket=BUCKET)
    result = run_control(scope, "ENG-LOG-01")
    assert result.status == "operating", result.reason
    assert result.coverage == 1.0
    assert result.clean_since == date(2026, 7, 1)
    assert result.evidence.objects("aws.cloudtrail.logs") > 0


def test_two_day_stop_is_one_exception_interval(aws, tmp_path):
    create_log_bucket(aws, PROD)
    create_trail(aws, PROD)
    upload_logs(aws, PROD, [PROD], REGIONS, stop_events(), [Silence(PROD, STOP, START)])
    scope = make_scope(tmp_path, endpoint=aws, accounts=[PROD], regions=REGIONS, log_bucket=BUCKET)
    result = run_control(scope, "ENG-LOG-01")
    assert result.status == "exception"
    [exception] = result.exceptions
    assert (exception.resource, exception.start, exception.end) == (f"account/{PROD}", STOP, START)
    assert "mallory" in exception.value
    assert result.coverage_gaps == []  # the silent hours are explained by the stop, not a coverage gap
    assert result.clean_since == date(2026, 7, 16)


def assess(endpoint: str, folder, accounts: list[str], regions: list[str], **run) -> ControlResult:
    scope = make_scope(folder, endpoint=endpoint, accounts=accounts, regions=regions, log_bucket=BUCKET)
    return run_control(scope, "ENG-LOG-01", **run)


def intervals(result: ControlResult) -> list[tuple[str, datetime, datetime, str]]:
    return [(e.resource, e.start, e.end, e.value) for e in result.exceptions]


def test_stop_in_second_account_is_only_that_accounts_exception(aws, tmp_path):
    create_log_bucket(aws, PROD)
    for account in (PROD, STAGING):
        create_trail(aws, account)
    upload_logs(aws, PROD, [PROD, STAGING], EAST, stop_events(STAGING), [Silence(STAGING, STOP, START)])
    result = assess(aws, tmp_path, [PROD, STAGING], EAST)
    assert result.status == "exception"
    assert intervals(result) == [
        (f"account/{STAGING}", STOP, START, f"trail {ARN.replace(PROD, STAGING)} stopped by StopLogging (mallory)")
    ]
    assert result.population == 2
    assert result.coverage_gaps == []


def test_account_with_only_a_single_region_trail_is_exception_for_whole_window(aws, tmp_path):
    create_log_bucket(aws, PROD)
    create_trail(aws, PROD, multi_region=False)
    upload_logs(aws, PROD, [PROD], EAST)
    result = assess(aws, tmp_path, [PROD], EAST)
    assert result.status == "exception"
    assert intervals(result) == [(f"account/{PROD}", WINDOW_START, WINDOW_END, "no multi-region trail was logging")]
    assert result.clean_since == date(2026, 8, 1)


def upload_deletion(endpoint: str, trail: str) -> None:
    """The trail logged until it was deleted at DELETED; it is gone by collection time, only its event remains."""
    create_log_bucket(endpoint, PROD)
    event = cloudtrail_event("DeleteTrail", DELETED, PROD, "us-east-1", "mallory", {"name": trail})
    upload_logs(endpoint, PROD, [PROD], EAST, [event], [Silence(PROD, DELETED, WINDOW_END)])


def test_deleted_trail_is_exception_from_deletion_to_window_end(aws, tmp_path):
    upload_deletion(aws, ARN)
    result = assess(aws, tmp_path, [PROD], EAST)
    assert result.status == "exception"
    assert intervals(result) == [
        (f"account/{PROD}", DELETED, WINDOW_END, f"trail {ARN} stopped by DeleteTrail (mallory)")
    ]


def test_deleted_single_region_trail_is_not_taken_as_multi_region_logging(aws, tmp_path):
    # Created before the window as a single-region trail: nothing collected shows it was multi-region, so the
    # days before its deletion must not count as logging (an exception or a coverage gap, never a pass).
    upload_deletion(aws, "regional-trail")
    result = assess(aws, tmp_path, [PROD], EAST)
    unproven = merge((i.start, i.end) for i in [*result.exceptions, *result.coverage_gaps])
    assert unproven == [(WINDOW_START, WINDOW_END)], intervals(result)


def test_region_silent_three_hours_while_trail_logged_is_coverage_gap(aws, tmp_path):
    quiet = (datetime(2026, 7, 9, 10, tzinfo=UTC), datetime(2026, 7, 9, 13, tzinfo=UTC))
    create_log_bucket(aws, PROD)
    create_trail(aws, PROD)
    upload_logs(aws, PROD, [PROD], REGIONS, silences=[Silence(PROD, *quiet, region="eu-west-1")])
    result = assess(aws, tmp_path, [PROD], REGIONS)
    assert result.status == "no_evidence"
    assert result.exceptions == []
    assert [(g.resource, g.start, g.end) for g in result.coverage_gaps] == [
        (f"account/{PROD}/region/eu-west-1", *quiet)
    ]
    assert 0 < result.coverage < 1


def test_no_log_files_delivered_is_no_evidence_for_every_region(aws, tmp_path):
    create_log_bucket(aws, PROD)
    create_trail(aws, PROD)
    result = assess(aws, tmp_path, [PROD], REGIONS)
    assert result.status == "no_evidence"
    assert result.exceptions == []
    assert {(g.resource, g.start, g.end) for g in result.coverage_gaps} == {
        (f"account/{PROD}/region/{region}", WINDOW_START, WINDOW_END) for region in REGIONS
    }
    assert len(result.coverage_gaps) == len(REGIONS)


def test_missing_log_bucket_is_no_evidence_with_collection_error(aws, tmp_path):
    create_log_bucket(aws, PROD)
    create_trail(aws, PROD)
    upload_logs(aws, PROD, [PROD], EAST)
    scope = make_scope(tmp_path, endpoint=aws, accounts=[PROD], regions=EAST, log_bucket="no-such-log-bucket")
    result = run_control(scope, "ENG-LOG-01")
    assert result.status == "no_evidence"
    assert (result.exceptions, result.clean_since) == ([], None)
    assert result.collection_errors
    assert all("NoSuchBucket" in error for error in result.collection_errors), result.collection_errors


def test_stop_not_restarted_by_as_of_is_ongoing_exception_ending_at_as_of(aws, tmp_path):
    stopped, as_of = datetime(2026, 7, 18, 15, tzinfo=UTC), datetime(2026, 7, 20, 12, tzinfo=UTC)
    create_log_bucket(aws, PROD)
    create_trail(aws, PROD, logging=False)
    event = cloudtrail_event("StopLogging", stopped, PROD, "us-east-1", "mallory", {"name": ARN})
    upload_logs(aws, PROD, [PROD], EAST, [event], [Silence(PROD, stopped, WINDOW_END)], last=date(2026, 7, 21))
    result = assess(aws, tmp_path, [PROD], EAST, as_of=as_of)
    assert result.status == "exception"
    assert intervals(result) == [(f"account/{PROD}", stopped, as_of, f"trail {ARN} stopped by StopLogging (mallory)")]
    assert result.exceptions[0].ongoing is True


def test_organization_trail_logs_every_member_account(aws, tmp_path):
    organization, [member, other, archive] = create_organization(aws, PROD, 3)
    create_log_bucket(aws, archive)
    create_organization_trail(aws, PROD)
    upload_logs(aws, archive, [PROD, member, other], EAST, organization_id=organization)
    location = S3Location(bucket=BUCKET, account=archive, organization_id=organization)
    result = run_control(organization_scope(tmp_path, aws, [PROD, member, other], EAST, location), "ENG-LOG-01")
    assert result.status == "operating", (result.reason, intervals(result), result.coverage_gaps)
    assert result.population == 3


def test_stopped_organization_trail_is_an_exception_of_every_member_naming_the_trail(aws, tmp_path):
    organization, [member, own_trail, archive] = create_organization(aws, PROD, 3)
    create_log_bucket(aws, archive)
    arn = create_organization_trail(aws, PROD)
    create_trail(aws, own_trail, bucket=stand_in_bucket(aws, own_trail))  # the decoy: its own trail kept logging
    name = {"name": arn}
    stop = [
        cloudtrail_event("StopLogging", STOP, PROD, "us-east-1", "mallory", name),
        cloudtrail_event("StartLogging", START, PROD, "us-east-1", "alice", name),
    ]
    accounts = [PROD, member, own_trail]
    silences = [Silence(account, STOP, START) for account in accounts]
    upload_logs(aws, archive, accounts, EAST, stop, silences, organization_id=organization)
    upload_logs(aws, archive, [own_trail], EAST)  # its own trail's files, in the account layout
    locations = [
        S3Location(bucket=BUCKET, account=archive, organization_id=organization),
        S3Location(bucket=BUCKET, account=archive),
    ]
    result = run_control(organization_scope(tmp_path, aws, accounts, EAST, *locations), "ENG-LOG-01")
    assert result.status == "exception"
    seen = f"trail {arn} stopped by StopLogging (mallory)"
    assert sorted(intervals(result)) == [(f"account/{a}", STOP, START, seen) for a in sorted([PROD, member])]
    assert arn.startswith(f"arn:aws:cloudtrail:us-east-1:{PROD}:trail/")  # the account and region to act in
    assert result.coverage_gaps == []
    assert result.population == 3


def test_in_scope_region_only_is_covered_and_the_global_folder_not_counted(aws, tmp_path):
    quiet = (datetime(2026, 7, 9, 10, tzinfo=UTC), datetime(2026, 7, 9, 13, tzinfo=UTC))
    create_log_bucket(aws, PROD)
    create_trail(aws, PROD)
    silences = [Silence(PROD, *quiet, region="us-east-1"), Silence(STAGING, *quiet, region="eu-west-1")]
    upload_logs(aws, PROD, [PROD, STAGING], REGIONS, silences=silences)
    create_trail(aws, STAGING, bucket=stand_in_bucket(aws, STAGING))
    result = assess(aws, tmp_path, [PROD, STAGING], ["eu-west-1"])
    # us-east-1 is read for global events, but its silent hours are no gap of a region out of scope
    assert [(g.resource, g.start, g.end) for g in result.coverage_gaps] == [
        (f"account/{STAGING}/region/eu-west-1", *quiet)
    ]
    assert result.exceptions == []
