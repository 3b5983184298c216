"""Storage backends for the evidence store: both refuse to overwrite an existing key."""

from __future__ import annotations

import ctypes
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from botocore.exceptions import ClientError

from socready.errors import EvidenceError


class Backend(Protocol):
    location: str

    def put_new(self, key: str, data: bytes) -> bool:
        """Store data under key unless the key exists; True when written, False when already there. The write
        may become durable only at the next `flush`."""

    def flush(self) -> None:
        """Make every write so far durable: the store calls it before writing what lists those writes."""

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def keys(self, prefix: str) -> Iterator[str]: ...


_LIBC = ctypes.CDLL(None, use_errno=True)


def sync_filesystem(folder: Path) -> None:
    """Writes every dirty file and folder of the folder's filesystem to disk: one syncfs(2) call on Linux (a whole
    sync(2) elsewhere), instead of an fsync per file and per folder."""
    if not hasattr(_LIBC, "syncfs"):
        os.sync()
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        if _LIBC.syncfs(fd) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"{folder}: syncfs failed: {os.strerror(error)}")
    finally:
        os.close(fd)


class LocalBackend:
    """A folder; objects are written to a temp file, then hard-linked into place (never replaced). Durability comes
    in batches: `flush` syncs the filesystem once for everything written before it, by this process or another
    (e.g. a Dask worker on the same machine)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.location = str(root)

    def put_new(self, key: str, data: bytes) -> bool:
        target = self.root / key
        if target.exists():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(temp, 0o444)
            try:
                os.link(temp, target)
            except FileExistsError:
                return False
            return True
        finally:
            os.unlink(temp)

    def flush(self) -> None:
        if self.root.is_dir():  # nothing was ever written otherwise
            sync_filesystem(self.root)

    def get(self, key: str) -> bytes:
        try:
            return (self.root / key).read_bytes()
        except FileNotFoundError as exc:
            raise EvidenceError(f"{self.root / key}: evidence object is missing") from exc

    def exists(self, key: str) -> bool:
        return (self.root / key).is_file()

    def keys(self, prefix: str) -> Iterator[str]:
        base = self.root / prefix
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file() and not path.name.startswith(".incoming-"):
                    yield path.relative_to(self.root).as_posix()


class S3Backend:
    """An S3 prefix; conditional writes (If-None-Match: *) make it write-once. Use Object Lock in production."""

    def __init__(self, client, bucket: str, prefix: str) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix.strip("/")
        self.location = f"s3://{bucket}/{self.prefix}"

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def put_new(self, key: str, data: bytes) -> bool:
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, IfNoneMatch="*")
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("PreconditionFailed", "ConditionalRequestConflict"):
                return False
            raise EvidenceError(f"{self.location}/{key}: cannot write evidence: {exc}") from exc
        return True

    def flush(self) -> None:
        """Nothing to do: S3 acknowledges a write once it is durable."""

    def put_published(self, key: str, data: bytes, content_type: str) -> None:
        """A file people open (report, Data Docs), written once with its content type so a browser renders it."""
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type, IfNoneMatch="*"
            )
        except ClientError as exc:
            raise EvidenceError(f"{self.location}/{key}: cannot publish: {exc}") from exc

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except ClientError as exc:
            raise EvidenceError(f"{self.location}/{key}: evidence object is missing or unreadable") from exc

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError:
            return False
        return True

    def keys(self, prefix: str) -> Iterator[str]:
        strip = len(self._key(""))
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(prefix)):
            for item in page.get("Contents", []):
                yield item["Key"][strip:]
