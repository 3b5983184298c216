"""Objects the sandbox writes straight into moto (in this process, or its AWS process's) read back over HTTP exactly
like objects uploaded with PutObject."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from socready_sandbox.aws import SANDBOX_CREDENTIALS
from socready_sandbox.uploads import put_objects, store_objects

BUCKET = "sandbox-uploads"
BODY = b'{"Records": []}'


def test_stored_objects_read_back_over_http_as_uploaded_ones(aws):
    s3 = boto3.client("s3", endpoint_url=aws, region_name="us-east-1", **SANDBOX_CREDENTIALS)
    s3.create_bucket(Bucket=BUCKET)
    before = datetime.now(UTC).replace(microsecond=0)
    assert put_objects(s3, BUCKET, [("uploaded.json", BODY)], prefix="logs/") == 1
    assert store_objects(BUCKET, [("stored.json", BODY), ("other.json", b"{}")], prefix="logs/") == 2

    listed = {o["Key"]: o for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="logs/")["Contents"]}
    assert sorted(listed) == ["logs/other.json", "logs/stored.json", "logs/uploaded.json"]
    uploaded, stored = listed["logs/uploaded.json"], listed["logs/stored.json"]
    for field in ("ETag", "Size", "StorageClass", "ChecksumAlgorithm"):
        assert stored[field] == uploaded[field], field
    assert before <= stored["LastModified"] <= datetime.now(UTC) + timedelta(seconds=1)

    # boto3 validates the CRC32 the object carries against the body it reads
    reads = [
        s3.get_object(Bucket=BUCKET, Key=f"logs/{name}", ChecksumMode="ENABLED")
        for name in ("uploaded.json", "stored.json")
    ]
    assert [r["Body"].read() for r in reads] == [BODY, BODY]
    assert reads[1]["ChecksumCRC32"] == reads[0]["ChecksumCRC32"]
    assert reads[1]["ContentType"] == reads[0]["ContentType"] == "binary/octet-stream"
    assert s3.get_object(Bucket=BUCKET, Key="logs/other.json")["Body"].read() == b"{}"


def test_the_aws_process_stores_objects_in_batches_into_its_own_backend(monkeypatch):
    from socready_sandbox import aws_process

    monkeypatch.setattr(aws_process, "BATCH", 2)  # three batches for five objects
    moto = aws_process.AwsProcess(seed=False)
    try:
        s3 = boto3.client("s3", endpoint_url=moto.seeded().endpoint, region_name="us-east-1", **SANDBOX_CREDENTIALS)
        s3.create_bucket(Bucket=BUCKET)
        objects = ((f"day/{n}.json", b'{"n": %d}' % n) for n in range(5))
        assert moto.store(BUCKET, objects) == 5
        listed = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
        assert [o["Key"] for o in listed] == [f"day/{n}.json" for n in range(5)]
        assert s3.get_object(Bucket=BUCKET, Key="day/3.json", ChecksumMode="ENABLED")["Body"].read() == b'{"n": 3}'
        with pytest.raises(RuntimeError, match="stopped while storing into no-such-bucket"):
            moto.store("no-such-bucket", [("a.json", b"{}")])
    finally:
        moto.stop()
