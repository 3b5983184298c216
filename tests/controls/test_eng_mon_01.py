"""ENG-MON-01 over the window: GuardDuty detectors now + Create/Delete/UpdateDetector events, via moto over HTTP."""

from __future__ import annotations

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
    prepare,
    throttle,
)


def enable_guardduty(endpoint: str, account: str, regions=(EAST,)) -> dict[str, str]:
    return {r: client(endpoint, account, "guardduty", r).create_detector(Enable=True)["DetectorId"] for r in regions}


def test_enabled_everywhere_all_window_operates(aws, tmp_path):
    prepare(aws, [PROD, STAGING], [EAST, WEST])
    for account in (PROD, STAGING):
        enable_guardduty(aws, account, [EAST, WEST])
    result = assess(aws, tmp_path, "ENG-MON-01", [PROD, STAGING], [EAST, WEST])
    assert result.status == "operating", result.reason
    assert (result.population, result.coverage) == (4, 1.0)


def test_detector_disabled_for_three_days_in_one_region_is_that_regions_exception(aws, tmp_path):
    detectors = enable_guardduty(aws, STAGING, [EAST, WEST])
    enable_guardduty(aws, PROD, [EAST, WEST])
    off, on = at(9, 13), at(12, 13)
    history = [
        event(
            "UpdateDetector",
            when,
            {"detectorId": detectors[WEST], "enable": enable},
            service="guardduty",
            account=STAGING,
            region=WEST,
        )
        for when, enable in ((off, False), (on, True))
    ]
    prepare(aws, [PROD, STAGING], [EAST, WEST], events=history)
    result = assess(aws, tmp_path, "ENG-MON-01", [PROD, STAGING], [EAST, WEST])
    assert result.status == "exception"
    assert exceptions(result) == [
        (f"account/{STAGING}/region/{WEST}", off, on, "UpdateDetector (enable=false) by mallory")
    ]


def test_region_without_a_detector_is_an_exception_for_the_whole_window(aws, tmp_path):
    prepare(aws, [PROD], [EAST, WEST])
    enable_guardduty(aws, PROD, [EAST])
    result = assess(aws, tmp_path, "ENG-MON-01", [PROD], [EAST, WEST])
    assert exceptions(result) == [
        (f"account/{PROD}/region/{WEST}", WINDOW_START, WINDOW_END, "no detector (no change recorded before)")
    ]


def test_detector_created_inside_the_window_was_off_before(aws, tmp_path):
    created = at(20, 8)
    prepare(aws, events=[event("CreateDetector", created, {"enable": True}, service="guardduty")])
    enable_guardduty(aws, PROD)
    result = assess(aws, tmp_path, "ENG-MON-01")
    assert exceptions(result) == [
        (f"account/{PROD}/region/{EAST}", WINDOW_START, created, "before CreateDetector (enable=true) by mallory")
    ]


def test_throttling_past_retries_is_no_evidence_never_operating(aws, tmp_path, monkeypatch):
    prepare(aws)
    enable_guardduty(aws, PROD)
    attempts = throttle(monkeypatch, "ListDetectors", retries=2)
    result = assess(aws, tmp_path, "ENG-MON-01")
    assert (result.status, result.clean_since) == ("no_evidence", None)
    assert len(attempts) == 1 + 2  # the first try and both retries were throttled
    [error] = result.collection_errors
    assert "ThrottlingException" in error and "aws.guardduty.detectors" in error


def test_denied_get_detector_names_the_missing_permission(aws, tmp_path, monkeypatch):
    prepare(aws)
    enable_guardduty(aws, PROD)
    deny(monkeypatch, "GetDetector", "AccessDeniedException", "User is not authorized to perform this action")
    result = assess(aws, tmp_path, "ENG-MON-01")
    assert result.status == "no_evidence"
    assert result.collection_errors[0].endswith("grant guardduty:GetDetector")


def test_region_not_enabled_is_no_evidence_and_says_so(aws, tmp_path, monkeypatch):
    """An opt-in region the account has not enabled answers with an invalid-token error: never a pass."""
    prepare(aws, [PROD], [EAST, WEST])
    enable_guardduty(aws, PROD, [EAST, WEST])
    message = "The security token included in the request is invalid."
    deny(monkeypatch, "ListDetectors", "UnrecognizedClientException", message, region=WEST)
    result = assess(aws, tmp_path, "ENG-MON-01", [PROD], [EAST, WEST])
    assert (result.status, result.clean_since) == ("no_evidence", None)
    [error] = result.collection_errors
    assert error.startswith(f"aws.guardduty.detectors ({PROD}/{WEST}): UnrecognizedClientException: is {WEST} an ")
    assert "Enable it or leave it out of aws.regions" in error
