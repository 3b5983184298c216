"""ENG-IAM-06 over the window: each active credential's last use from sign-ins, key-signed records and snapshots'
last-use dates, via moto over HTTP."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from connectors.aws.iam import CredentialReportCollector
from expectations.eng_iam_06 import Use, report_key_uses
from expectations.iam_users import REPORT, USERS, credentials
from socready.evidence import RunRecorder, open_store
from socready.evidence.manifest import ManifestWindow
from socready.evidence.view import EvidenceView
from socready_sandbox.aws_iam import console_login, create_key_event, iam_event
from tests.controls.aws_fixtures import upload_logs
from tests.controls.iam_fixtures import (
    PROD,
    STAGING,
    WINDOW_END,
    WINDOW_START,
    access_key,
    assess,
    at,
    console_user,
    gaps,
    iam,
    intervals,
    log_bucket,
    scope_for,
    upload,
)
from tests.helpers import make_scope, run_control

CONTROL = "ENG-IAM-06"
TEN_DAYS = {"controls": {CONTROL: {"parameters": {"max_unused_days": 10}}}}


@pytest.fixture(autouse=True)
def instant_credential_report(monkeypatch):
    monkeypatch.setattr(CredentialReportCollector, "poll_seconds", 0)


def pull(when, key: str, account: str = PROD) -> dict:
    """A read signed with `key`: the trail records reads too."""
    return iam_event("GetAuthorizationToken", when, account, "ci", service="ecr", access_key=key)


def test_credentials_used_within_the_threshold_operate(aws, tmp_path):
    console_user(aws, "alice")
    iam(aws).create_user(UserName="ci")
    key = access_key(aws, "ci")
    logins = [console_login(at(day, month=month), PROD, "alice") for month, day in ((6, 30), (7, 8), (7, 16), (7, 24))]
    pulls = [pull(at(day), key) for day in (6, 13, 20, 27)]
    upload(aws, [*logins, create_key_event(at(2), PROD, "it-ops", "ci", key), *pulls])
    result = assess(tmp_path, aws, CONTROL, **TEN_DAYS)
    assert result.status == "operating", result.reason
    assert result.population == 2


def test_password_unused_beyond_the_threshold_until_removed_is_an_exception(aws, tmp_path):
    console_user(aws, "hector")
    iam(aws).delete_login_profile(UserName="hector")
    events = [
        console_login(at(30, month=6), PROD, "hector"),
        console_login(at(2), PROD, "hector"),
        iam_event("DeleteLoginProfile", at(20), PROD, "it-ops", {"userName": "hector"}),
    ]
    upload(aws, events)
    result = assess(tmp_path, aws, CONTROL, **TEN_DAYS)
    assert result.status == "exception"
    assert intervals(result) == [
        (f"account/{PROD}/user/hector", at(12), at(20), "console password: last use shown 2026-07-02")
    ]


def test_only_the_idle_key_among_several_users_is_an_exception(aws, tmp_path):
    console_user(aws, "alice")
    iam(aws, STAGING).create_user(UserName="etl")
    idle = access_key(aws, "etl", STAGING)
    events = [
        *(console_login(at(day), PROD, "alice") for day in (1, 9, 17, 25)),
        create_key_event(at(1, 5), STAGING, "it-ops", "etl", idle),
        pull(at(3), idle, STAGING),
    ]
    upload(aws, events, accounts=(PROD, STAGING))
    result = assess(tmp_path, aws, CONTROL, accounts=(PROD, STAGING), **TEN_DAYS)
    assert [(e.resource, e.start, e.end) for e in result.exceptions] == [
        (f"account/{STAGING}/user/etl", at(13), WINDOW_END)
    ]
    assert result.exceptions[0].value == f"access key {idle}: last use shown 2026-07-03"


def test_password_with_no_use_or_creation_shown_is_no_evidence(aws, tmp_path):
    console_user(aws, "quiet")
    upload(aws, [])
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "no_evidence"
    assert gaps(result) == [(f"account/{PROD}/user/quiet", WINDOW_START, WINDOW_END)]


def test_no_iam_users_is_an_empty_population(aws, tmp_path):
    upload(aws, [])
    result = assess(tmp_path, aws, CONTROL)
    assert (result.status, result.population) == ("operating", 0), result.reason


LOOKBACK_START = "2026-04-02"  # 90 days before the window's first local midnight (2026-07-01 04:00 UTC)


def used_before_the_window(endpoint: str) -> None:
    """alice signed in 30 days before the window and in it; bob's last sign-in was 120 days before the window, out
    of the logs' reach. The logs cover April to July."""
    console_user(endpoint, "alice")
    console_user(endpoint, "bob")
    log_bucket(endpoint)
    events = [console_login(at(1, month=6), PROD, "alice"), console_login(at(20), PROD, "alice")]
    upload_logs(endpoint, PROD, [PROD], ["us-east-1"], events, first=date(2026, 4, 1), last=date(2026, 7, 31))


def test_use_in_the_lookback_counts_from_the_windows_first_day(aws, tmp_path):
    used_before_the_window(aws)
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "exception"
    assert intervals(result) == [
        (
            f"account/{PROD}/user/bob",
            WINDOW_START,
            WINDOW_END,
            f"console password: no use shown in the logs from {LOOKBACK_START}",
        )
    ]
    assert gaps(result) == []  # alice's sign-in 30 days before the window keeps her first days decided


def test_a_lookback_shorter_than_the_threshold_leaves_the_first_days_undecided(aws, tmp_path):
    used_before_the_window(aws)
    scope = scope_for(tmp_path, aws)
    scope = scope.model_copy(update={"aws": scope.aws.model_copy(update={"cloudtrail_lookback_days": 30})})
    result = run_control(scope, CONTROL)
    assert result.status == "no_evidence"
    assert result.exceptions == []  # bob unused since 2026-06-01 (the logs' start) passes 90 days after the window
    note = "(aws.cloudtrail_lookback_days 30 is shorter than the 90-day threshold)"
    assert gaps(result) == [(f"account/{PROD}/user/bob", WINDOW_START, WINDOW_END)]
    assert result.coverage_gaps[0].value == f"console password: no use shown in the logs from 2026-06-01 {note}"


def test_the_credential_reports_key_last_used_date_is_a_use_of_that_key(tmp_path):
    """A key is matched to its report column by creation time (the report's last_rotated); the other key of the
    same user, and a key of another user created at the same time, are not."""
    created = "2026-03-01T10:00:00+00:00"
    header = "user,arn,user_creation_time,password_enabled,password_last_used,access_key_1_last_rotated,"
    header += "access_key_1_last_used_date,access_key_2_last_rotated,access_key_2_last_used_date\n"
    rows = f"ci,arn,{created},false,N/A,{created},2026-06-20T08:00:00+00:00,2026-05-01T10:00:00+00:00,N/A\n"
    users = [
        {"UserName": "ci", "AccessKeys": [key("AKIAFIRST", created), key("AKIASECOND", "2026-05-01T10:00:00+00:00")]},
        {"UserName": "etl", "AccessKeys": [key("AKIAOTHER", created)]},
    ]
    store = open_store(str(tmp_path / "evidence"))
    window = ManifestWindow(start=WINDOW_START, end=WINDOW_END, timezone="UTC")
    recorder = RunRecorder(store, "20260801T000000Z-aaaaaa", "Acme", window)
    where = {"connector": "test", "connector_version": "1", "account": PROD}
    recorder.add((header + rows).encode(), source=REPORT, query="report", media_type="text/csv", **where)
    recorder.add(json.dumps({"users": users}).encode(), source=USERS, query="users", **where)
    view = EvidenceView(store, recorder.finish())
    found = credentials(view, make_scope(tmp_path, accounts=[PROD], regions=["us-east-1"]))
    assert list(report_key_uses(view, found)) == [
        (f"account/{PROD}/user/ci|key|AKIAFIRST", Use(datetime(2026, 6, 20, 8, tzinfo=UTC), True))
    ]


def key(key_id: str, created: str) -> dict:
    return {"AccessKeyId": key_id, "Status": "Active", "CreateDate": created}
