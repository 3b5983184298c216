"""Bulk uploads of generated objects into a (moto) S3 bucket."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor


def put_objects(s3, bucket: str, objects: Iterable[tuple[str, bytes]], prefix: str = "") -> int:
    """Uploads concurrently (the moto server answers requests in parallel threads); returns the count."""
    with ThreadPoolExecutor(8) as pool:
        return len(list(pool.map(lambda o: s3.put_object(Bucket=bucket, Key=prefix + o[0], Body=o[1]), objects)))
