"""ENG-NET-01 over the window: account-level Block Public Access now (S3 Control through moto, whose single host
needs the account-id prefix dropped) + Put/DeleteAccountPublicAccessBlock events."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.aws.s3 import drop_account_host_prefix
from tests.controls.data_fixtures import (
    PROD,
    STAGING,
    WINDOW_END,
    WINDOW_START,
    assess,
    at,
    client,
    deny,
    event,
    exceptions,
    prepare,
)

ALL_ON = dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True)


def block_public_access(endpoint: str, account: str, settings: dict = ALL_ON) -> None:
    control = client(endpoint, account, "s3control")
    control.meta.events.register("before-sign.s3-control.*", drop_account_host_prefix)
    control.put_public_access_block(AccountId=account, PublicAccessBlockConfiguration=settings)


def put_event(when, settings: dict, account: str = PROD) -> dict:
    params = {"PublicAccessBlockConfiguration": settings, "AccountId": account}
    return event("PutAccountPublicAccessBlock", when, params, service="s3", account=account)


def test_all_settings_on_in_every_account_operates(aws, tmp_path):
    prepare(aws, [PROD, STAGING])
    for account in (PROD, STAGING):
        block_public_access(aws, account)
    result = assess(aws, tmp_path, "ENG-NET-01", [PROD, STAGING])
    assert result.status == "operating", result.reason
    assert result.population == 2


def test_block_deleted_for_three_days_is_one_exception(aws, tmp_path):
    enforced = datetime(2026, 6, 30, 12, tzinfo=UTC)  # before the window: the baseline
    deleted, restored = at(8, 15), at(11, 15)
    history = [
        put_event(enforced, ALL_ON),
        event("DeleteAccountPublicAccessBlock", deleted, {"AccountId": PROD}, service="s3"),
        put_event(restored, ALL_ON),
    ]
    prepare(aws, events=history)
    block_public_access(aws, PROD)
    result = assess(aws, tmp_path, "ENG-NET-01")
    assert exceptions(result) == [
        (
            f"account/{PROD}",
            deleted,
            restored,
            "no account-level Block Public Access (DeleteAccountPublicAccessBlock by mallory)",
        )
    ]


def test_partial_block_and_missing_block_are_exceptions_for_the_whole_window(aws, tmp_path):
    prepare(aws, [PROD, STAGING])
    block_public_access(aws, PROD, {**ALL_ON, "RestrictPublicBuckets": False})
    result = assess(aws, tmp_path, "ENG-NET-01", [PROD, STAGING])
    assert exceptions(result) == [
        (f"account/{PROD}", WINDOW_START, WINDOW_END, "off: RestrictPublicBuckets (no change recorded before)"),
        (
            f"account/{STAGING}",
            WINDOW_START,
            WINDOW_END,
            "no account-level Block Public Access (no change recorded before)",
        ),
    ]


def test_change_without_a_baseline_leaves_the_days_before_it_without_evidence(aws, tmp_path):
    prepare(aws, events=[put_event(at(15), ALL_ON)])
    block_public_access(aws, PROD)
    result = assess(aws, tmp_path, "ENG-NET-01")
    assert result.status == "no_evidence"
    assert [(g.resource, g.start, g.end) for g in result.coverage_gaps] == [(f"account/{PROD}", WINDOW_START, at(15))]


def test_denied_read_names_the_iam_action(aws, tmp_path, monkeypatch):
    prepare(aws)
    block_public_access(aws, PROD)
    deny(monkeypatch, "GetPublicAccessBlock")
    result = assess(aws, tmp_path, "ENG-NET-01")
    assert result.status == "no_evidence"
    assert result.collection_errors[0].endswith("grant s3:GetAccountPublicAccessBlock")
