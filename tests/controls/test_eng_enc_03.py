"""ENG-ENC-03 over the window: customer managed keys now + rotation, creation and deletion events, via moto."""

from __future__ import annotations

from datetime import timedelta

from tests.controls.data_fixtures import (
    CREATED,
    DELETED,
    EAST,
    PROD,
    WEST,
    WINDOW_START,
    assess,
    at,
    client,
    event,
    exceptions,
    prepare,
)


def create_key(endpoint: str, *, rotation: bool = True, region: str = EAST, **spec) -> str:
    kms = client(endpoint, PROD, "kms", region)
    key = kms.create_key(Description="fixture", **spec)["KeyMetadata"]
    if rotation:
        kms.enable_key_rotation(KeyId=key["KeyId"])
    return key["Arn"]


def kms_event(name: str, when, key_arn: str, **extra) -> dict:
    return event(name, when, {"keyId": key_arn.rsplit("/", 1)[1]}, service="kms", **extra)


def test_rotating_keys_operate_and_keys_without_automatic_rotation_are_out_of_scope(aws, tmp_path):
    prepare(aws)
    create_key(aws)
    create_key(aws, rotation=False, KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    result = assess(aws, tmp_path, "ENG-ENC-03")
    assert result.status == "operating", result.reason
    assert result.population == 1


def test_rotation_off_for_ten_days_is_one_exception(aws, tmp_path):
    key = create_key(aws)
    off, on = at(2, 9), at(12, 9)
    prepare(aws, events=[kms_event("DisableKeyRotation", off, key), kms_event("EnableKeyRotation", on, key)])
    result = assess(aws, tmp_path, "ENG-ENC-03")
    assert exceptions(result) == [(key, off, on, "DisableKeyRotation by mallory")]


def test_no_customer_keys_is_an_empty_population(aws, tmp_path):
    prepare(aws)
    result = assess(aws, tmp_path, "ENG-ENC-03")
    assert (result.status, result.population) == ("operating", 0)


def test_key_created_and_key_deleted_inside_the_window_count_for_their_lifetime(aws, tmp_path):
    new = create_key(aws)
    doomed = create_key(aws, rotation=False)
    client(aws, PROD, "kms").schedule_key_deletion(KeyId=doomed.rsplit("/", 1)[1], PendingWindowInDays=7)
    created = event(
        "CreateKey", CREATED, {"keySpec": "SYMMETRIC_DEFAULT"}, service="kms", details={"keyMetadata": {"arn": new}}
    )
    history = [
        created,
        kms_event("EnableKeyRotation", CREATED + timedelta(minutes=5), new),  # within the creation grace
        kms_event("ScheduleKeyDeletion", DELETED, doomed),
    ]
    prepare(aws, events=history)
    result = assess(aws, tmp_path, "ENG-ENC-03")
    # The doomed key's rotation before its deletion is not in the evidence: no evidence, never a pass.
    assert result.exceptions == []
    assert [(g.resource, g.start, g.end) for g in result.coverage_gaps] == [(doomed, WINDOW_START, DELETED)]
    assert result.population == 2


def test_rotation_enabled_a_day_after_creation_is_an_exception_until_then(aws, tmp_path):
    key = create_key(aws)
    enabled = CREATED + timedelta(days=1)
    created = event("CreateKey", CREATED, {}, service="kms", details={"keyMetadata": {"arn": key}})
    prepare(aws, events=[created, kms_event("EnableKeyRotation", enabled, key)])
    result = assess(aws, tmp_path, "ENG-ENC-03")
    assert exceptions(result) == [(key, CREATED, enabled, "created without rotation by mallory")]


def test_a_change_after_the_as_of_walks_the_later_snapshot_back_to_it(aws, tmp_path):
    """Replayed as of a past day, a key whose rotation was turned on after it is judged by what it was before:
    the later change is not counted, but the snapshot taken after it is not projected back over it either."""
    late, steady = create_key(aws), create_key(aws)  # both rotating now (the snapshot)
    prepare(aws, events=[kms_event("EnableKeyRotation", at(20, 9), late)])
    result = assess(aws, tmp_path, "ENG-ENC-03", as_of=at(15))
    assert exceptions(result) == [(late, WINDOW_START, at(15), "before EnableKeyRotation by mallory")]
    assert steady not in {e.resource for e in result.exceptions}


def test_a_region_whose_log_location_holds_no_file_is_no_evidence_not_nothing_changed(aws, tmp_path):
    """Only CloudTrail shows that a key's rotation read now held before: with no log file at all for the region,
    its days are a coverage gap naming the location, beside a logged region's key that operates."""
    logged, unlogged = create_key(aws), create_key(aws, region=WEST)
    prepare(aws, regions=(EAST,))
    result = assess(aws, tmp_path, "ENG-ENC-03", regions=(EAST, WEST))
    assert (result.status, result.exceptions) == ("no_evidence", [])
    [gap] = result.coverage_gaps
    assert (gap.resource, gap.start) == (unlogged, WINDOW_START)
    assert gap.value.startswith(f"no CloudTrail log files for {PROD}/{WEST} under s3://")
    assert logged not in {g.resource for g in result.coverage_gaps}
