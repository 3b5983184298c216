"""ENG-IAM-02 over the window: console users' MFA from snapshots and MFA/login-profile events, and console
sign-ins without MFA, via moto over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.aws.iam import CredentialReportCollector
from socready_sandbox.aws_iam import console_login, iam_event
from tests.controls.iam_fixtures import (
    PROD,
    STAGING,
    WINDOW_END,
    WINDOW_START,
    assess,
    at,
    console_user,
    deny,
    gaps,
    intervals,
    throttle,
    upload,
)

CONTROL = "ENG-IAM-02"


@pytest.fixture(autouse=True)
def instant_credential_report(monkeypatch):
    monkeypatch.setattr(CredentialReportCollector, "poll_seconds", 0)


def mfa_removed(user: str, off, on) -> list[dict]:
    serial = {"userName": user, "serialNumber": f"arn:aws:iam::{PROD}:mfa/{user}"}
    return [
        iam_event("DeactivateMFADevice", off, PROD, "it-ops", serial),
        iam_event("EnableMFADevice", on, PROD, user, serial),
    ]


def test_console_users_with_mfa_all_window_operate(aws, tmp_path):
    console_user(aws, "alice")
    console_user(aws, "bob")
    upload(aws, [console_login(at(3), PROD, "alice")])
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "operating", result.reason
    assert result.population == 2


def test_mfa_removed_for_three_days_is_an_exception_after_the_grace_period(aws, tmp_path):
    console_user(aws, "alice")
    upload(aws, mfa_removed("alice", at(10), at(13)))
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "exception", result.reason
    assert intervals(result) == [
        (
            f"account/{PROD}/user/alice",
            at(10),
            at(13),
            "console password (no change recorded before); DeactivateMFADevice by it-ops",
        )
    ]
    assert result.coverage_gaps == []


def test_console_sign_in_without_mfa_is_an_exception_at_that_moment(aws, tmp_path):
    console_user(aws, "alice")
    failed = console_login(at(4), PROD, "alice", mfa=False)
    failed["responseElements"] = {"ConsoleLogin": "Failure"}  # a failed attempt signs no one in
    upload(aws, [console_login(at(3), PROD, "alice"), console_login(at(5), PROD, "alice", mfa=False), failed])
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "exception"
    seen = "ConsoleLogin at 2026-07-05T12:00:00Z with MFAUsed No"
    # A user with MFA all window: the sign-in is not part of an MFA enrolment, so no grace applies.
    assert intervals(result) == [(f"account/{PROD}/user/alice", WINDOW_START, at(5) + timedelta(seconds=1), seen)]
    assert result.exceptions[0].reason == "A user signed in to the console without MFA."


def test_no_iam_users_is_an_empty_population(aws, tmp_path):
    upload(aws, [])
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "operating", result.reason
    assert result.population == 0


def test_only_the_user_without_mfa_among_several_accounts_is_an_exception(aws, tmp_path):
    console_user(aws, "alice")
    console_user(aws, "bob", mfa=False)
    iam_user = console_user  # a user without a password needs no MFA
    iam_user(aws, "dave", account=STAGING)
    upload(aws, [], accounts=(PROD, STAGING))
    result = assess(tmp_path, aws, CONTROL, accounts=(PROD, STAGING))
    assert result.status == "exception"
    assert [(e.resource, e.start, e.end) for e in result.exceptions] == [
        (f"account/{PROD}/user/bob", WINDOW_START, WINDOW_END)
    ]
    assert result.population == 3


def test_new_user_given_mfa_within_the_grace_period_operates(aws, tmp_path):
    console_user(aws, "farid")
    created, login = at(6, 14), {"userName": "farid"}
    events = [
        iam_event("CreateUser", created, PROD, "it-ops", login),
        iam_event("CreateLoginProfile", created + timedelta(minutes=1), PROD, "it-ops", login),
        iam_event("EnableMFADevice", created + timedelta(hours=3), PROD, "farid", login),
    ]
    upload(aws, events)
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "operating", result.reason
    assert gaps(result) == []


def test_denied_mfa_listing_is_no_evidence_naming_the_permission(aws, tmp_path, monkeypatch):
    console_user(aws, "alice")
    upload(aws, [])
    calls = deny(monkeypatch, "ListMFADevices", "iam:ListMFADevices")
    result = assess(tmp_path, aws, CONTROL)
    assert calls
    assert result.status == "no_evidence"
    assert (result.exceptions, result.clean_since) == ([], None)
    [error] = result.collection_errors
    assert error.startswith(f"aws.iam.users ({PROD}): AccessDenied") and error.endswith("grant iam:ListMFADevices")


def test_throttled_user_listing_past_retries_is_no_evidence(aws, tmp_path, monkeypatch):
    console_user(aws, "alice")
    upload(aws, [])
    calls = throttle(monkeypatch, "ListUsers")
    result = assess(tmp_path, aws, CONTROL)
    assert len(calls) == 2  # every attempt the retry policy allows
    assert result.status == "no_evidence"
    [error] = result.collection_errors
    assert "Throttling" in error and "aws.iam.users" in error
