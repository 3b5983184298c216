"""ENG-CFG-01 over the window: Config recorder status now + Start/Stop/DeleteConfigurationRecorder events, via moto
over HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.controls.data_fixtures import (
    EAST,
    PROD,
    STAGING,
    WEST,
    WINDOW_END,
    WINDOW_START,
    assess,
    at,
    client,
    deny,
    event,
    exceptions,
    gaps,
    prepare,
)

STARTED = datetime(2026, 6, 30, 12, tzinfo=UTC)  # before the window, inside the CloudTrail collector's 1-day lookback


def recorder_event(name: str, when: datetime, account: str = PROD, region: str = EAST) -> dict:
    params = {"configurationRecorderName": "default"}
    return event(name, when, params, service="config", account=account, region=region)


def stop_recorder(endpoint: str, account: str, region: str) -> None:
    client(endpoint, account, "config", region).stop_configuration_recorder(ConfigurationRecorderName="default")


def test_recording_everywhere_all_window_operates(aws, tmp_path):
    history = [
        recorder_event("StartConfigurationRecorder", STARTED, account, region)
        for account in (PROD, STAGING)
        for region in (EAST, WEST)
    ]
    prepare(aws, [PROD, STAGING], [EAST, WEST], events=history)
    result = assess(aws, tmp_path, "ENG-CFG-01", [PROD, STAGING], [EAST, WEST])
    assert result.status == "operating", result.reason
    assert (result.population, result.coverage) == (4, 1.0)
    assert (exceptions(result), gaps(result), result.collection_errors) == ([], [], [])
    assert (result.clean_since, result.holds_today) == (date(2026, 7, 1), True)


def test_recorder_stopped_for_two_days_is_one_exception(aws, tmp_path):
    stopped, restarted = at(9, 13), at(11, 13)
    history = [
        recorder_event("StartConfigurationRecorder", STARTED),
        recorder_event("StopConfigurationRecorder", stopped),
        recorder_event("StartConfigurationRecorder", restarted),
    ]
    prepare(aws, events=history)
    result = assess(aws, tmp_path, "ENG-CFG-01")
    assert result.status == "exception"
    assert result.reason == "The AWS Config recorder was not recording in this account and region."
    assert exceptions(result) == [
        (f"account/{PROD}/region/{EAST}", stopped, restarted, "StopConfigurationRecorder by mallory")
    ]
    assert result.clean_since == date(2026, 7, 11)  # restarted at 09:00 New York time


def test_first_stop_inside_the_window_was_recording_before(aws, tmp_path):
    """No baseline event: the state before a Stop is what it changed from (recording)."""
    stopped, restarted = at(9, 13), at(11, 13)
    history = [
        recorder_event("StopConfigurationRecorder", stopped),
        recorder_event("StartConfigurationRecorder", restarted),
    ]
    prepare(aws, events=history)
    result = assess(aws, tmp_path, "ENG-CFG-01")
    assert exceptions(result) == [
        (f"account/{PROD}/region/{EAST}", stopped, restarted, "StopConfigurationRecorder by mallory")
    ]
    assert gaps(result) == []


def test_region_never_set_up_is_an_exception_for_the_whole_window(aws, tmp_path):
    prepare(aws, [PROD], [EAST])  # a recorder in us-east-1 only: none in eu-west-1, and no events
    result = assess(aws, tmp_path, "ENG-CFG-01", [PROD], [EAST, WEST])
    assert result.status == "exception"
    assert result.population == 2
    assert exceptions(result) == [
        (f"account/{PROD}/region/{WEST}", WINDOW_START, WINDOW_END, "no recorder (no change recorded before)")
    ]
    assert gaps(result) == []


def test_two_accounts_two_regions_only_the_stopped_one_fails(aws, tmp_path):
    stopped, restarted = at(20, 2), at(22, 18)
    history = [
        recorder_event("StopConfigurationRecorder", stopped, STAGING, WEST),
        recorder_event("StartConfigurationRecorder", restarted, STAGING, WEST),
    ]
    prepare(aws, [PROD, STAGING], [EAST, WEST], events=history)
    result = assess(aws, tmp_path, "ENG-CFG-01", [PROD, STAGING], [EAST, WEST])
    assert result.status == "exception"
    assert result.population == 4
    assert exceptions(result) == [
        (f"account/{STAGING}/region/{WEST}", stopped, restarted, "StopConfigurationRecorder by mallory")
    ]


def test_recorder_deleted_inside_the_window_fails_from_then_to_the_end(aws, tmp_path):
    deleted = at(25, 7)
    prepare(aws, [PROD], [EAST], events=[recorder_event("DeleteConfigurationRecorder", deleted, PROD, WEST)])
    result = assess(aws, tmp_path, "ENG-CFG-01", [PROD], [EAST, WEST])
    assert exceptions(result) == [
        (f"account/{PROD}/region/{WEST}", deleted, WINDOW_END, "DeleteConfigurationRecorder by mallory")
    ]


def test_no_cloudtrail_records_recording_now_holds_all_window(aws, tmp_path):
    """Empty change history: the status snapshot alone gives the state back to the window's start."""
    prepare(aws, [PROD, STAGING], [EAST])
    result = assess(aws, tmp_path, "ENG-CFG-01", [PROD, STAGING], [EAST])
    assert result.status == "operating", result.reason
    assert (result.population, result.coverage) == (2, 1.0)
    assert (exceptions(result), gaps(result)) == ([], [])


def test_no_cloudtrail_records_stopped_now_is_an_exception_for_the_whole_window(aws, tmp_path):
    prepare(aws, [PROD, STAGING], [EAST])
    stop_recorder(aws, STAGING, EAST)
    result = assess(aws, tmp_path, "ENG-CFG-01", [PROD, STAGING], [EAST])
    assert result.status == "exception"
    assert exceptions(result) == [
        (f"account/{STAGING}/region/{EAST}", WINDOW_START, WINDOW_END, "recorder stopped (no change recorded before)")
    ]


def test_denied_status_read_naming_the_action_is_no_evidence(aws, tmp_path, monkeypatch):
    prepare(aws, [PROD], [EAST, WEST])
    message = (
        f"User: arn:aws:sts::{PROD}:assumed-role/socready-collector/fixture is not authorized to perform: "
        "config:DescribeConfigurationRecorderStatus because no identity-based policy allows it"
    )
    deny(monkeypatch, "DescribeConfigurationRecorderStatus", "AccessDeniedException", message)
    result = assess(aws, tmp_path, "ENG-CFG-01", [PROD], [EAST, WEST])
    assert (result.status, result.clean_since, result.population) == ("no_evidence", None, 0)
    assert result.exceptions == []
    assert len(result.collection_errors) == 2  # one per region
    for error, region in zip(sorted(result.collection_errors), sorted((EAST, WEST)), strict=True):
        assert error.startswith(f"aws.config.recorders ({PROD}/{region}): AccessDenied")
        assert error.endswith("grant config:DescribeConfigurationRecorderStatus")


def test_denied_recorders_read_names_the_missing_permission(aws, tmp_path, monkeypatch):
    prepare(aws)
    deny(monkeypatch, "DescribeConfigurationRecorders", "AccessDeniedException", "User is not authorized")
    result = assess(aws, tmp_path, "ENG-CFG-01")
    assert (result.status, result.clean_since) == ("no_evidence", None)
    [error] = result.collection_errors
    assert error.endswith("grant config:DescribeConfigurationRecorders")


def test_denied_status_read_names_the_missing_permission(aws, tmp_path, monkeypatch):
    prepare(aws)
    deny(monkeypatch, "DescribeConfigurationRecorderStatus", "AccessDeniedException", "User is not authorized")
    result = assess(aws, tmp_path, "ENG-CFG-01")
    assert (result.status, result.clean_since) == ("no_evidence", None)
    [error] = result.collection_errors
    assert error.endswith("grant config:DescribeConfigurationRecorderStatus")
