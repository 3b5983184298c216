"""socready's S3 evidence store on a bucket like infra/cloudformation/evidence-bucket.yaml's (Object Lock in
compliance mode, versioned), over HTTP on moto: an overwrite or delete of evidence is refused and reported."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from socready.cli import main
from socready.evidence import EvidenceStore, open_store
from tests.test_evidence_store import record_run

BUCKET = "locked-evidence"


@pytest.fixture
def locked(aws):
    s3 = boto3.client("s3", endpoint_url=aws, region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET, ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(
        Bucket=BUCKET,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 730}},
        },
    )
    store = open_store(f"s3://{BUCKET}/socready", endpoint_url=aws)
    recorder = record_run(store)
    return s3, store, recorder.entries


def key(sha256: str) -> str:
    return f"socready/{EvidenceStore.object_key(sha256)}"


def test_every_evidence_object_is_locked_in_compliance_mode(locked):
    s3, store, entries = locked
    for entry in entries:
        head = s3.head_object(Bucket=BUCKET, Key=key(entry.sha256))
        assert head["ObjectLockMode"] == "COMPLIANCE"
        assert store.read(entry.sha256)  # and reads back under its hash


def test_socready_never_overwrites_evidence(locked):
    s3, store, [entry, _] = locked
    assert store.backend.put_new(EvidenceStore.object_key(entry.sha256), b"other bytes") is False
    versions = s3.list_object_versions(Bucket=BUCKET, Prefix=key(entry.sha256))["Versions"]
    assert len(versions) == 1 and store.verify() == []


def test_deleting_a_locked_version_is_refused(locked):
    s3, store, [entry, _] = locked
    [version] = s3.list_object_versions(Bucket=BUCKET, Prefix=key(entry.sha256))["Versions"]
    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=BUCKET, Key=key(entry.sha256), VersionId=version["VersionId"])
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert store.read(entry.sha256)


def test_an_overwrite_or_delete_by_someone_else_is_reported_and_the_original_kept(locked, aws, capsys, monkeypatch):
    s3, store, [changed, removed] = locked
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws)  # for the CLI, which reaches the store as a user's would
    s3.put_object(Bucket=BUCKET, Key=key(changed.sha256), Body=b"tampered")  # a new version over the locked one
    s3.delete_object(Bucket=BUCKET, Key=key(removed.sha256))  # only a delete marker: the locked version stays
    assert {(p.sha256, p.problem) for p in store.verify()} == {(changed.sha256, "changed"), (removed.sha256, "removed")}
    assert main(["evidence", "verify", "--store", f"s3://{BUCKET}/socready"]) == 1
    out = capsys.readouterr().out
    assert (
        f"CHANGED  run 20261126T000000Z-abc123 {changed.sha256}" in out
        and f"REMOVED  run 20261126T000000Z-abc123 {removed.sha256}" in out
    )
    for entry in (changed, removed):  # what was collected is still there, under its lock, for the auditor
        versions = s3.list_object_versions(Bucket=BUCKET, Prefix=key(entry.sha256))["Versions"]
        original = next(v for v in versions if not v["IsLatest"] or entry is removed)
        body = s3.get_object(Bucket=BUCKET, Key=key(entry.sha256), VersionId=original["VersionId"])["Body"].read()
        assert (
            body != b"tampered"
            and s3.head_object(Bucket=BUCKET, Key=key(entry.sha256), VersionId=original["VersionId"])["ObjectLockMode"]
            == "COMPLIANCE"
        )
