"""ENG-LOG-04 over the window: the CloudTrail log bucket's policy, ACL and public access block, from snapshots,
AWS Config history and S3 events, via moto over HTTP."""

from __future__ import annotations

import json

from socready.scope.models import S3Location
from socready_sandbox.aws_iam import BLOCK_ALL, iam_event
from socready_sandbox.config_files import config_item
from tests.controls.aws_fixtures import (
    BUCKET,
    create_log_bucket,
    create_organization,
    organization_scope,
    upload_logs,
)
from tests.controls.iam_fixtures import (
    PROD,
    WINDOW_END,
    WINDOW_START,
    assess,
    at,
    client,
    deny,
    intervals,
    log_bucket,
    start_recorder,
    upload,
    upload_config,
)
from tests.helpers import make_scope, run_control

CONTROL = "ENG-LOG-04"
RESOURCE = f"account/{PROD}/bucket/{BUCKET}"
EVERYONE_READS = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"}
CLOUDTRAIL_WRITES = {
    "Effect": "Allow",
    "Principal": {"Service": "cloudtrail.amazonaws.com"},
    "Action": "s3:PutObject",
    "Resource": f"arn:aws:s3:::{BUCKET}/AWSLogs/*",
    "Condition": {"StringEquals": {"aws:SourceArn": f"arn:aws:cloudtrail:us-east-1:{PROD}:trail/main-trail"}},
}


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def s3(endpoint: str):
    return client(endpoint, PROD, "s3")


def test_bucket_writable_by_cloudtrail_only_operates(aws, tmp_path):
    log_bucket(aws)
    s3(aws).put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy(CLOUDTRAIL_WRITES)))
    upload(aws, [])
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "operating", result.reason
    assert result.population == 1


def test_policy_open_to_everyone_is_public_unless_public_access_is_restricted(aws, tmp_path):
    log_bucket(aws)
    s3(aws).put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy(CLOUDTRAIL_WRITES, EVERYONE_READS)))
    upload(aws, [])
    result = assess(tmp_path, aws, CONTROL)
    public = "policy allows everyone (no change recorded before)"
    assert intervals(result) == [(RESOURCE, WINDOW_START, WINDOW_END, public)]
    s3(aws).put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration=BLOCK_ALL)
    restricted = assess(tmp_path / "restricted", aws, CONTROL)
    assert restricted.status == "operating", restricted.reason


def test_public_for_a_day_between_two_policy_changes_is_one_exception(aws, tmp_path):
    log_bucket(aws)
    s3(aws).put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy(CLOUDTRAIL_WRITES)))
    start_recorder(aws)
    owner = {"grantList": [{"grantee": {"id": "owner"}, "permission": "FullControl"}]}

    def item(when, document: dict) -> dict:
        extra = {
            "BucketPolicy": {"policyText": json.dumps(document)},
            "AccessControlList": json.dumps(json.dumps(owner)),
        }
        return config_item("AWS::S3::Bucket", BUCKET, PROD, "us-east-1", when, {"name": BUCKET}, extra)

    private, public = policy(CLOUDTRAIL_WRITES), policy(CLOUDTRAIL_WRITES, EVERYONE_READS)
    upload_config(aws, [item(at(25, month=6), private), item(at(8, 9), public), item(at(9, 10), private)])
    bucket = {"bucketName": BUCKET}
    events = [
        iam_event("PutBucketPolicy", at(8, 9), PROD, "mallory", {**bucket, "bucketPolicy": public}, service="s3"),
        iam_event("PutBucketPolicy", at(9, 10), PROD, "alice", {**bucket, "bucketPolicy": private}, service="s3"),
    ]
    upload(aws, events)
    result = assess(tmp_path, aws, CONTROL, config=True)
    assert result.status == "exception"
    assert intervals(result) == [(RESOURCE, at(8, 9), at(9, 10), "policy allows everyone")]
    assert result.coverage_gaps == []


def test_acl_granting_all_users_is_public(aws, tmp_path):
    log_bucket(aws)
    acl = {"bucketName": BUCKET, "x-amz-acl": ["public-read"]}
    block = {"bucketName": BUCKET, "PublicAccessBlockConfiguration": BLOCK_ALL}
    events = [
        # The bucket was blocked before the window; the block was dropped and the ACL opened, then blocked again.
        iam_event("PutBucketPublicAccessBlock", at(30, 8, month=6), PROD, "alice", block, service="s3"),
        iam_event(
            "PutBucketAcl",
            at(29, 8, month=6),
            PROD,
            "alice",
            {"bucketName": BUCKET, "x-amz-acl": ["private"]},
            service="s3",
        ),
        iam_event(
            "PutBucketPolicy",
            at(29, 9, month=6),
            PROD,
            "alice",
            {"bucketName": BUCKET, "bucketPolicy": policy(CLOUDTRAIL_WRITES)},
            service="s3",
        ),
        iam_event("DeleteBucketPublicAccessBlock", at(14), PROD, "mallory", {"bucketName": BUCKET}, service="s3"),
        iam_event("PutBucketAcl", at(14, 13), PROD, "mallory", acl, service="s3"),
        iam_event("PutBucketPublicAccessBlock", at(16), PROD, "alice", block, service="s3"),
    ]
    s3(aws).put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration=BLOCK_ALL)
    upload(aws, events)
    result = assess(tmp_path, aws, CONTROL)
    assert intervals(result) == [(RESOURCE, at(14, 13), at(16), "ACL grants a public group")]


def test_denied_acl_read_is_no_evidence_naming_the_permission(aws, tmp_path, monkeypatch):
    log_bucket(aws)
    upload(aws, [])
    deny(monkeypatch, "GetBucketAcl", "s3:GetBucketAcl")
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "no_evidence"
    assert any(
        e.startswith(f"aws.s3.log_buckets ({PROD}): AccessDenied") and e.endswith("grant s3:GetBucketAcl")
        for e in result.collection_errors
    ), result.collection_errors


def test_scope_without_a_log_bucket_is_no_evidence(aws, tmp_path):
    result = run_control(make_scope(tmp_path, endpoint=aws, accounts=[PROD]), CONTROL)
    assert result.status == "no_evidence"
    assert "aws.s3.log_buckets: NotConfigured on scope" in result.collection_errors


def test_log_archive_bucket_outside_the_assessed_accounts_is_judged(aws, tmp_path):
    organization, [member, archive] = create_organization(aws, PROD, 2)
    create_log_bucket(aws, archive)
    quiet = "fixture-cloudtrail-logs-quiet"  # the decoy: the archive's other log bucket, private
    archive_s3 = client(aws, archive, "s3")
    archive_s3.create_bucket(Bucket=quiet)
    archive_s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy(CLOUDTRAIL_WRITES, EVERYONE_READS)))
    upload_logs(aws, archive, [PROD, member], ["us-east-1"], organization_id=organization)
    locations = [
        S3Location(bucket=BUCKET, account=archive, organization_id=organization),
        S3Location(bucket=quiet, account=archive, organization_id=organization),
    ]
    result = run_control(organization_scope(tmp_path, aws, [PROD, member], ["us-east-1"], *locations), CONTROL)
    assert result.status == "exception"
    public = "policy allows everyone (no change recorded before)"
    assert intervals(result) == [(f"account/{archive}/bucket/{BUCKET}", WINDOW_START, WINDOW_END, public)]
    assert result.population == 2
