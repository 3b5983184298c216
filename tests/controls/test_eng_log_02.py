"""ENG-LOG-02 over the window: every trail's log file validation from trail snapshots and trail events, via moto."""

from __future__ import annotations

from socready.scope.models import S3Location
from socready_sandbox.aws_iam import iam_event
from tests.controls.aws_fixtures import (
    BUCKET,
    create_log_bucket,
    create_organization,
    create_organization_trail,
    organization_scope,
    stand_in_bucket,
    upload_logs,
)
from tests.controls.iam_fixtures import (
    PROD,
    STAGING,
    WINDOW_END,
    WINDOW_START,
    assess,
    at,
    client,
    intervals,
    log_bucket,
    upload,
)
from tests.helpers import run_control

CONTROL = "ENG-LOG-02"
ARN = f"arn:aws:cloudtrail:us-east-1:{PROD}:trail/main-trail"


def trail(endpoint: str, account: str, *, validated: bool, name: str = "main-trail") -> None:
    trails = client(endpoint, account, "cloudtrail")
    trails.create_trail(Name=name, S3BucketName=BUCKET, IsMultiRegionTrail=True, EnableLogFileValidation=validated)


def test_validated_trail_all_window_operates(aws, tmp_path):
    log_bucket(aws)
    trail(aws, PROD, validated=True)
    upload(aws, [])
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "operating", result.reason
    assert result.population == 1


def test_validation_switched_off_for_two_days_is_one_exception(aws, tmp_path):
    log_bucket(aws)
    trail(aws, PROD, validated=True)
    off = iam_event("UpdateTrail", at(3, 13), PROD, "mallory", {"name": ARN, "enableLogFileValidation": False})
    on = iam_event("UpdateTrail", at(5, 13), PROD, "alice", {"name": ARN, "enableLogFileValidation": True})
    other = iam_event("UpdateTrail", at(8), PROD, "alice", {"name": ARN, "isMultiRegionTrail": True})
    upload(aws, [off, on, other])
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "exception"
    value = f"log file validation off on {ARN} (UpdateTrail by mallory)"
    assert intervals(result) == [(f"account/{PROD}/trail/main-trail", at(3, 13), at(5, 13), value)]


def test_only_the_unvalidated_trail_and_the_account_without_a_trail_are_exceptions(aws, tmp_path):
    log_bucket(aws)
    trail(aws, PROD, validated=True)
    trail(aws, PROD, validated=False, name="audit-copy")
    third = "333333333333"
    trail(aws, STAGING, validated=True)
    upload(aws, [], accounts=(PROD, STAGING, third))
    result = assess(tmp_path, aws, CONTROL, accounts=(PROD, STAGING, third))
    assert [(e.resource, e.start, e.end, e.value) for e in result.exceptions] == [
        (
            f"account/{PROD}/trail/audit-copy",
            WINDOW_START,
            WINDOW_END,
            f"log file validation off on {ARN.replace('main-trail', 'audit-copy')} (no change recorded before)",
        ),
        (f"account/{third}", WINDOW_START, WINDOW_END, "no CloudTrail trail"),
    ]
    assert result.population == 4


def test_member_accounts_are_judged_by_the_organization_trail(aws, tmp_path):
    organization, [member, archive] = create_organization(aws, PROD, 2)
    create_log_bucket(aws, archive)
    arn = create_organization_trail(aws, PROD, validated=False)
    stand_in = stand_in_bucket(aws, STAGING)
    client(aws, STAGING, "cloudtrail").create_trail(
        Name="main-trail", S3BucketName=stand_in, IsMultiRegionTrail=True, EnableLogFileValidation=True
    )  # the decoy: outside the organization, its own validated trail
    upload_logs(aws, archive, [PROD, member], ["us-east-1"], organization_id=organization)
    upload_logs(aws, archive, [STAGING], ["us-east-1"])
    locations = [
        S3Location(bucket=BUCKET, account=archive, organization_id=organization),
        S3Location(bucket=BUCKET, account=archive),
    ]
    scope = organization_scope(tmp_path, aws, [PROD, member, STAGING], ["us-east-1"], *locations)
    result = run_control(scope, CONTROL)
    assert result.status == "exception"
    assert sorted((e.resource, e.start, e.end) for e in result.exceptions) == [
        (f"account/{account}/trail/org-trail", WINDOW_START, WINDOW_END) for account in sorted([PROD, member])
    ]
    assert all(arn in e.value and "log file validation off" in e.value for e in result.exceptions)
    assert result.population == 3
