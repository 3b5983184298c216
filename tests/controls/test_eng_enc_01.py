"""ENG-ENC-01 over the window: buckets now + Config history + bucket events, via moto over HTTP."""

from __future__ import annotations

import json
from datetime import timedelta

from socready.sandbox.aws_data import bucket_config_item, tls_only_policy
from tests.controls.data_fixtures import (
    BASELINE,
    CREATED,
    DELETED,
    EAST,
    PROD,
    WEST,
    WINDOW_END,
    WINDOW_START,
    assess,
    at,
    client,
    deny,
    event,
    exceptions,
    gaps,
    prepare,
)

# A policy that only grants: no Deny on insecure transport.
ALLOWED = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::northwind-open/*"}
        ],
    }
)


def create_bucket(endpoint: str, name: str, *, tls: bool = True, region: str = EAST) -> None:
    s3 = client(endpoint, PROD, "s3", region)
    location = {} if region == EAST else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **location)
    if tls:
        s3.put_bucket_policy(Bucket=name, Policy=tls_only_policy(name))


def bucket_item(name: str, when, *, tls: bool, status: str = "OK") -> dict:
    return bucket_config_item(name, PROD, EAST, when, tls=tls, status=status)


def test_tls_only_buckets_with_s3_default_encryption_operate(aws, tmp_path):
    prepare(aws, [PROD], [EAST, WEST])
    create_bucket(aws, "northwind-exports")
    create_bucket(aws, "northwind-eu-exports", region=WEST)
    result = assess(aws, tmp_path, "ENG-ENC-01", [PROD], [EAST, WEST])
    assert result.status == "operating", result.reason
    assert result.population == 2 and result.coverage == 1.0


def test_policy_removed_for_a_week_is_one_exception_interval(aws, tmp_path):
    name = "northwind-exports"
    history = [
        bucket_item(name, BASELINE, tls=True, status="ResourceDiscovered"),
        bucket_item(name, at(5, 14), tls=False),
        bucket_item(name, at(12, 9), tls=True),
    ]
    prepare(aws, items=history)
    create_bucket(aws, name)
    result = assess(aws, tmp_path, "ENG-ENC-01")
    assert result.status == "exception"
    assert exceptions(result) == [
        (f"arn:aws:s3:::{name}", at(5, 14), at(12, 9), "encryption AES256, no TLS-only policy")
    ]
    assert result.exceptions[0].evidence  # the Config history file that shows it


def test_no_buckets_is_an_empty_population(aws, tmp_path):
    prepare(aws)
    result = assess(aws, tmp_path, "ENG-ENC-01")
    assert (result.status, result.population) == ("operating", 0)
    assert "aws.s3.buckets" in result.reason


def test_buckets_created_and_deleted_inside_the_window_are_assessed_for_their_lifetime(aws, tmp_path):
    created, deleted, kept = "northwind-new", "northwind-scratch", "northwind-exports"
    history = [
        event("CreateBucket", CREATED, {"bucketName": created}, service="s3"),
        # The policy lands two minutes after the bucket, as one Terraform apply does it: within the grace.
        event(
            "PutBucketPolicy",
            CREATED + timedelta(minutes=2),
            {"bucketName": created, "bucketPolicy": json.loads(tls_only_policy(created))},
            service="s3",
        ),
        event("DeleteBucket", DELETED, {"bucketName": deleted}, service="s3"),
    ]
    prepare(aws, events=history, items=[bucket_item(deleted, BASELINE, tls=False, status="ResourceDiscovered")])
    create_bucket(aws, created)
    create_bucket(aws, kept)
    result = assess(aws, tmp_path, "ENG-ENC-01")
    assert result.population == 3
    assert exceptions(result) == [
        (f"arn:aws:s3:::{deleted}", WINDOW_START, DELETED, "encryption AES256, no TLS-only policy")
    ]


def test_policy_without_a_tls_deny_fails_and_kms_requirement_rejects_s3_default(aws, tmp_path):
    prepare(aws)
    s3 = client(aws, PROD, "s3")
    kms = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]}
    s3.create_bucket(Bucket="northwind-open")
    s3.put_bucket_policy(Bucket="northwind-open", Policy=ALLOWED)
    s3.put_bucket_encryption(Bucket="northwind-open", ServerSideEncryptionConfiguration=kms)
    create_bucket(aws, "northwind-default")
    create_bucket(aws, "northwind-kms")
    s3.put_bucket_encryption(Bucket="northwind-kms", ServerSideEncryptionConfiguration=kms)
    result = assess(aws, tmp_path, "ENG-ENC-01", parameters={"required_encryption": "aws:kms"})
    unchanged = " (no change recorded before)"  # the current state, with no change in the window
    assert exceptions(result) == [
        (
            "arn:aws:s3:::northwind-default",
            WINDOW_START,
            WINDOW_END,
            f"encryption AES256 (S3 default), TLS-only policy{unchanged}",
        ),
        ("arn:aws:s3:::northwind-open", WINDOW_START, WINDOW_END, f"encryption aws:kms, no TLS-only policy{unchanged}"),
    ]
    assert result.population == 3


def test_config_recorder_off_makes_config_derived_state_no_evidence(aws, tmp_path):
    name, stopped, started = "northwind-exports", at(8, 10), at(10, 16)
    recorder = {"configurationRecorderName": "default"}
    history = [
        event("StopConfigurationRecorder", stopped, recorder, service="config"),
        event("StartConfigurationRecorder", started, recorder, service="config"),
    ]
    prepare(aws, events=history, items=[bucket_item(name, BASELINE, tls=True, status="ResourceDiscovered")])
    create_bucket(aws, name)
    result = assess(aws, tmp_path, "ENG-ENC-01")
    assert result.status == "no_evidence"
    assert result.exceptions == []
    assert gaps(result) == [(f"arn:aws:s3:::{name}", stopped, started, "AWS Config recorder was off")]


def test_denied_bucket_policy_read_is_no_evidence_naming_the_permission(aws, tmp_path, monkeypatch):
    prepare(aws)
    create_bucket(aws, "northwind-exports")
    deny(monkeypatch, "GetBucketPolicy")
    result = assess(aws, tmp_path, "ENG-ENC-01")
    assert (result.status, result.exceptions, result.clean_since) == ("no_evidence", [], None)
    [error] = result.collection_errors
    assert "AccessDenied" in error and error.endswith("grant s3:GetBucketPolicy")
