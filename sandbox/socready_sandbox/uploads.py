"""Bulk objects into a (moto) S3 bucket: over HTTP, or straight into the in-process moto server's backend."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from moto.backends import get_backend
from moto.s3.utils import compute_checksum


def put_objects(s3, bucket: str, objects: Iterable[tuple[str, bytes]], prefix: str = "") -> int:
    """Uploads concurrently (the moto server answers requests in parallel threads); returns the count."""
    with ThreadPoolExecutor(8) as pool:
        return len(list(pool.map(lambda o: s3.put_object(Bucket=bucket, Key=prefix + o[0], Body=o[1]), objects)))


def store_objects(bucket: str, objects: Iterable[tuple[str, bytes]], prefix: str = "") -> int:
    """Writes objects as moto's PutObject handler stores them, without HTTP; returns the count.

    Only for a moto server in this process (ThreadedMotoServer shares the process's backends). Seeding
    thousands of files one PutObject request each took most of the demo's start; readers still go over
    HTTP. Like a boto3 PutObject the object is STANDARD, has the bucket's ACL and a CRC32 checksum (which
    boto3 checks on GetObject), and its LastModified is the time of the write.
    """
    backends = get_backend("s3")
    partition, account = backends.bucket_accounts[bucket]  # moto's one namespace of bucket names
    backend = backends[account][partition]
    acl = backend.get_bucket(bucket).acl
    count = 0
    for key, body in objects:
        stored = backend.put_object(
            bucket, prefix + key, body, storage="STANDARD", checksum_value=compute_checksum(body, "CRC32").decode()
        )
        stored.checksum_algorithm = "CRC32"
        stored.set_acl(acl)
        count += 1
    return count
