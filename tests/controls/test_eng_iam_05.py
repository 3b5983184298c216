"""ENG-IAM-05 over the window: each active access key's age from its creation (event or CreateDate), via moto."""

from __future__ import annotations

from socready_sandbox.aws_iam import create_key_event, iam_event
from tests.controls.iam_fixtures import PROD, STAGING, access_key, assess, at, gaps, iam, intervals, upload

CONTROL = "ENG-IAM-05"
TEN_DAYS = {"controls": {CONTROL: {"parameters": {"max_key_age_days": 10}}}}  # a window of a month: short ages


def user_with_key(endpoint: str, user: str, account: str = PROD) -> str:
    iam(endpoint, account).create_user(UserName=user)
    return access_key(endpoint, user, account)


def test_keys_younger_than_the_maximum_age_operate(aws, tmp_path):
    key = user_with_key(aws, "ci")
    upload(aws, [create_key_event(at(3), PROD, "alice", "ci", key)])
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "operating", result.reason
    assert result.population == 1


def test_key_past_the_maximum_age_until_rotation_is_an_exception(aws, tmp_path):
    old, new = user_with_key(aws, "ci"), access_key(aws, "ci")
    iam(aws).delete_access_key(UserName="ci", AccessKeyId=old)
    events = [
        create_key_event(at(3), PROD, "alice", "ci", old),
        create_key_event(at(25), PROD, "alice", "ci", new),
        iam_event("DeleteAccessKey", at(25, 13), PROD, "alice", {"userName": "ci", "accessKeyId": old}),
    ]
    upload(aws, events)
    result = assess(tmp_path, aws, CONTROL, **TEN_DAYS)
    assert result.status == "exception"
    assert intervals(result) == [
        (f"account/{PROD}/user/ci", at(13), at(25, 13), f"access key {old} active, created 2026-07-03")
    ]


def test_deactivating_the_old_key_ends_the_exception_and_only_that_user_has_one(aws, tmp_path):
    old = user_with_key(aws, "ci")
    iam(aws).update_access_key(UserName="ci", AccessKeyId=old, Status="Inactive")
    young = user_with_key(aws, "etl", STAGING)
    events = [
        create_key_event(at(2), PROD, "alice", "ci", old),
        iam_event(
            "UpdateAccessKey", at(15), PROD, "alice", {"userName": "ci", "accessKeyId": old, "status": "Inactive"}
        ),
        create_key_event(at(25), STAGING, "alice", "etl", young),
    ]
    upload(aws, events, accounts=(PROD, STAGING))
    result = assess(tmp_path, aws, CONTROL, accounts=(PROD, STAGING), **TEN_DAYS)
    assert [(e.resource, e.start, e.end) for e in result.exceptions] == [(f"account/{PROD}/user/ci", at(12), at(15))]
    assert result.population == 2


def test_no_access_keys_is_an_empty_population(aws, tmp_path):
    iam(aws).create_user(UserName="console-only")
    upload(aws, [])
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "operating", result.reason
    assert result.population == 0


def test_key_deleted_with_no_creation_shown_is_no_evidence_before_its_deletion(aws, tmp_path):
    iam(aws).create_user(UserName="ci")
    upload(
        aws,
        [iam_event("DeleteAccessKey", at(9), PROD, "alice", {"userName": "ci", "accessKeyId": "AKIAGONE0000000001"})],
    )
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "no_evidence"
    assert gaps(result) == [(f"account/{PROD}/user/ci", at(1, 4), at(9))]
