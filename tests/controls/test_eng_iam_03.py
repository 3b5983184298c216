"""ENG-IAM-03 over the window: every root event in the CloudTrail logs, and break-glass acceptances, via moto."""

from __future__ import annotations

from datetime import date, timedelta

from socready_sandbox.aws_iam import console_login, iam_event
from tests.controls.iam_fixtures import PROD, STAGING, assess, at, intervals, upload

CONTROL = "ENG-IAM-03"
SECOND = timedelta(seconds=1)


def test_no_root_event_is_an_empty_population(aws, tmp_path):
    upload(aws, [console_login(at(3), PROD, "alice")], accounts=(PROD, STAGING))
    result = assess(tmp_path, aws, CONTROL, accounts=(PROD, STAGING))
    assert result.status == "operating", result.reason
    assert result.population == 0
    assert "population for the window is empty" in result.reason


def test_each_root_event_is_an_exception(aws, tmp_path):
    failed = console_login(at(2), STAGING, "", root=True)
    failed["responseElements"] = {"ConsoleLogin": "Failure"}  # an attempt is not a use
    events = [
        failed,
        console_login(at(9), STAGING, "", root=True),
        iam_event("CreateUser", at(9, 13), STAGING, "root", {"userName": "tmp"}, identity_type="Root"),
    ]
    upload(aws, events, accounts=(PROD, STAGING))
    result = assess(tmp_path, aws, CONTROL, accounts=(PROD, STAGING))
    assert result.status == "exception"
    assert intervals(result) == [
        (f"account/{STAGING}/root/2026-07-09T12:00:00Z", at(9), at(9) + SECOND, "ConsoleLogin as root"),
        (f"account/{STAGING}/root/2026-07-09T13:00:00Z", at(9, 13), at(9, 13) + SECOND, "CreateUser as root"),
    ]
    assert result.population == 2


def test_break_glass_session_covered_by_an_accepted_exception_is_not_an_exception(aws, tmp_path):
    events = [console_login(at(9), PROD, "", root=True), console_login(at(20), PROD, "", root=True)]
    upload(aws, events)
    accepted = {
        "control": CONTROL,
        "resource": f"account/{PROD}/root/2026-07-09T*",
        "reason": "SEC-42: restore of the billing contact, root required",
        "approver": "ciso@fixture.example",
        "expires": date(2026, 12, 31).isoformat(),
    }
    result = assess(tmp_path, aws, CONTROL, exceptions=[accepted])
    assert result.status == "exception"
    assert [e.resource for e in result.accepted_exceptions] == [f"account/{PROD}/root/2026-07-09T12:00:00Z"]
    assert [e.resource for e in result.exceptions] == [f"account/{PROD}/root/2026-07-20T12:00:00Z"]


def test_no_log_files_is_no_evidence_rather_than_an_empty_population(aws, tmp_path):
    upload(aws, [], accounts=(STAGING,))
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "no_evidence"
    assert [g.resource for g in result.coverage_gaps] == [f"account/{PROD}"]
