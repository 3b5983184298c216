"""Faults in part of the estate: one account denied or throttled is no_evidence naming that account and the cause,
never a pass, while the other account is still read and its gaps still found."""

from __future__ import annotations

import time

import pytest
from botocore.retries.standard import ExponentialBackoff

from connectors.aws.iam import CredentialReportCollector
from socready.evidence import open_store
from socready.readiness.model import ControlResult
from tests.controls.iam_fixtures import PROD, STAGING, assess, console_user, deny, throttle, upload
from tests.helpers import objects_read

CONTROL = "ENG-IAM-02"  # every console user has MFA: read per account (ListUsers, ListMFADevices)


@pytest.fixture(autouse=True)
def instant_credential_report(monkeypatch):
    monkeypatch.setattr(CredentialReportCollector, "poll_seconds", 0)


@pytest.fixture
def two_accounts(aws):
    """A console user without MFA in PROD (a gap) and one with MFA in STAGING (clean)."""
    console_user(aws, "alice", mfa=False, account=PROD)
    console_user(aws, "bob", mfa=True, account=STAGING)
    upload(aws, [], accounts=(PROD, STAGING))
    return aws


def run(folder, endpoint) -> ControlResult:
    return assess(folder, endpoint, CONTROL, accounts=(PROD, STAGING))


def users_read(result: ControlResult, folder) -> str:
    """The user listings the control's evidence holds, as stored."""
    store = open_store(str(folder / "evidence"))
    return "".join(store.read(e.sha256).decode() for e in objects_read(result, store, "aws.iam.users"))


def verdict(result: ControlResult) -> tuple:
    return result.status, result.reason, [(e.resource, e.start, e.end, e.value) for e in result.exceptions]


def test_one_account_denied_is_no_evidence_naming_it_while_the_other_is_still_read(two_accounts, tmp_path, monkeypatch):
    clean = run(tmp_path / "clean", two_accounts)
    assert clean.status == "exception", clean.reason  # the decoy run: both accounts read, alice's gap found
    assert [e.resource for e in clean.exceptions] == [f"account/{PROD}/user/alice"]  # not bob
    calls = deny(monkeypatch, "ListMFADevices", "iam:ListMFADevices", account=STAGING)
    result = run(tmp_path / "denied", two_accounts)
    assert calls
    assert result.status == "no_evidence"  # partial evidence: never operating, no verdict from half the estate
    [error] = result.collection_errors  # only the denied account is named, with the permission to grant
    assert error.startswith(f"aws.iam.users ({STAGING}): AccessDenied") and error.endswith("grant iam:ListMFADevices")
    assert "aws.iam.users" in result.reason
    assert "alice" in users_read(result, tmp_path / "denied")  # the allowed account was still read and kept


def test_a_throttling_storm_that_ends_within_the_retries_gives_the_clean_verdict(two_accounts, tmp_path, monkeypatch):
    clean = run(tmp_path / "clean", two_accounts)
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.01)  # no real backoff waits
    calls = throttle(monkeypatch, "ListUsers", attempts=5, first=2)  # each client: 2 throttled, then answered
    started = time.monotonic()
    stormy = run(tmp_path / "stormy", two_accounts)
    assert len(calls) == 4  # two throttled attempts in each account
    assert verdict(stormy) == verdict(clean)
    assert stormy.collection_errors == []
    assert (
        time.monotonic() - started < 20
    )  # the backoff is patched; what remains is the adaptive rate limiter slowing down


def test_one_account_throttled_past_the_retries_is_no_evidence_naming_it(two_accounts, tmp_path, monkeypatch):
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.01)
    calls = throttle(monkeypatch, "ListUsers", attempts=2, account=STAGING)
    result = run(tmp_path, two_accounts)
    assert len(calls) == 2  # every attempt the retry policy allows, in STAGING only
    assert result.status == "no_evidence"
    [error] = result.collection_errors
    assert error.startswith(f"aws.iam.users ({STAGING}): Throttling")
    assert "alice" in users_read(result, tmp_path)
