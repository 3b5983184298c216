"""ENG-IAM-01 over the window: root MFA and root access keys from the account summary, the credential report's
root row and root's own credential events, via moto over HTTP."""

from __future__ import annotations

import pytest

from connectors.aws.iam import CredentialReportCollector
from connectors.aws.session import AwsSessions
from socready_sandbox.aws_iam import create_key_event, enable_root_mfa, iam_event
from tests.controls.iam_fixtures import PROD, STAGING, WINDOW_END, WINDOW_START, assess, at, gaps, intervals, upload

CONTROL = "ENG-IAM-01"
ROOT_ROW = (
    "<root_account>,arn:aws:iam::{account}:root,2024-01-01T00:00:00+00:00,not_supported,2026-06-01T00:00:00+00:00,"
    "not_supported,not_supported,true,{key},2025-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,"
    "false,N/A\n"
)


@pytest.fixture(autouse=True)
def instant_credential_report(monkeypatch):
    monkeypatch.setattr(CredentialReportCollector, "poll_seconds", 0)


def test_root_with_mfa_and_no_keys_in_every_account_operates(aws, tmp_path):
    for account in (PROD, STAGING):
        enable_root_mfa(account)
    upload(aws, [], accounts=(PROD, STAGING))
    result = assess(tmp_path, aws, CONTROL, accounts=(PROD, STAGING))
    assert result.status == "operating", result.reason
    assert result.population == 2


def test_root_key_created_and_deleted_is_an_exception_between_the_two(aws, tmp_path):
    enable_root_mfa(PROD)
    root = {"identity_type": "Root"}
    events = [
        create_key_event(at(10), PROD, "root", None, "AKIAROOTFIXTURE00001", **root),
        iam_event("DeleteAccessKey", at(12), PROD, "root", {"accessKeyId": "AKIAROOTFIXTURE00001"}, **root),
        # Root creating a key for an IAM user is not a root key.
        create_key_event(at(14), PROD, "root", "alice", "AKIAUSERFIXTURE00001", **root),
    ]
    upload(aws, events)
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "exception"
    assert intervals(result) == [(f"account/{PROD}/root", at(10), at(12), "CreateAccessKey by root")]


def test_only_the_account_without_root_mfa_is_an_exception(aws, tmp_path):
    enable_root_mfa(PROD)  # moto's default for an account is root without MFA, as a new AWS account has
    upload(aws, [], accounts=(PROD, STAGING))
    result = assess(tmp_path, aws, CONTROL, accounts=(PROD, STAGING))
    assert intervals(result) == [
        (
            f"account/{STAGING}/root",
            WINDOW_START,
            WINDOW_END,
            "root MFA off (account summary) (no change recorded before)",
        )
    ]


def test_active_root_key_in_the_credential_report_is_an_exception(aws, tmp_path, monkeypatch):
    """AWS reports the root user in the credential report; moto leaves the row out, so it is added here."""

    def add_root_row(client, account, region):
        def edit(parsed, **_):
            header, _, users = parsed["Content"].decode().partition("\n")
            parsed["Content"] = f"{header}\n{ROOT_ROW.format(account=account, key='true')}{users}".encode()

        client.meta.events.register("after-call.iam.GetCredentialReport", edit)

    monkeypatch.setattr(AwsSessions, "client_hooks", [*AwsSessions.client_hooks, add_root_row])
    enable_root_mfa(PROD)
    upload(aws, [])
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "exception"
    [exception] = result.exceptions
    assert (exception.start, exception.end) == (WINDOW_START, WINDOW_END)
    assert exception.value.startswith("root access key present (credential report)")


def test_account_without_cloudtrail_logs_is_no_evidence(aws, tmp_path):
    enable_root_mfa(PROD)
    upload(aws, [], accounts=(STAGING,))  # log files for another account only
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "no_evidence"
    # The account's row, and its root user's state that no log can walk back from the snapshot.
    assert gaps(result) == [
        (f"account/{PROD}", WINDOW_START, WINDOW_END),
        (f"account/{PROD}/root", WINDOW_START, WINDOW_END),
    ]
    assert result.coverage_gaps[0].value == "no CloudTrail log files"
    assert result.coverage_gaps[1].value.startswith(f"no CloudTrail log files for {PROD}/")
