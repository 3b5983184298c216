"""The local ticket outbox: fingerprint -> issue key and lifecycle counts, saved around every create, under a lock."""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from pydantic import AwareDatetime, BaseModel, ConfigDict

from socready.errors import ScopeError, TicketError
from socready.scope import Scope
from socready.tickets.identity import GroupBy, GroupKey, Kind

OUTBOX_VERSION = 1


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fingerprint: str
    group_by: GroupBy
    owner: str
    controls: list[str]
    resource: str | None = None
    key: str | None = None
    # set just before a create and cleared once its key is recorded: while set, the issue may or may not exist
    pending_since: AwareDatetime | None = None
    resolved: bool = False
    clean_runs: int = 0  # consecutive runs whose evidence showed the group clean
    previous: list[str] = []  # earlier tickets of this gap, closed for good (the workflow cannot reopen them)
    kind: Kind | None = None  # ongoing or historical when last synced: a change resets the due date
    # the findings a management response covered when socready resolved on it, and that response's time
    answered: list[str] = []
    response_at: AwareDatetime | None = None

    @property
    def group(self) -> GroupKey:
        return GroupKey(self.group_by, self.owner, tuple(self.controls), self.resource)

    @classmethod
    def new(cls, fingerprint: str, group: GroupKey) -> Record:
        return cls(
            fingerprint=fingerprint,
            group_by=group.group_by,
            owner=group.owner,
            controls=list(group.controls),
            resource=group.resource,
        )


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = OUTBOX_VERSION
    records: dict[str, Record] = {}


def state_dir(scope: Scope) -> Path:
    if scope.tickets.state_dir:
        return Path(scope.tickets.state_dir)
    if scope.evidence_store.startswith("s3://"):
        raise ScopeError(
            "tickets.state_dir is not set: with an s3:// evidence store, name a local folder (shared by every "
            "worker that opens tickets) for the ticket outbox and its lock"
        )
    # beside the write-once evidence, outside the runs/ and objects/ keys the store lists and verifies
    return Path(scope.evidence_store) / "tickets"


class Outbox:
    """`outbox.json` and `outbox.lock` in one folder; every save replaces the file atomically."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "outbox.json"
        self.lock_path = folder / "outbox.lock"

    def load(self) -> dict[str, Record]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            data = _File.model_validate_json(text)
        except ValueError as exc:
            raise TicketError(f"{self.path}: unreadable ticket outbox ({exc}); restore it or move it away") from exc
        if data.version != OUTBOX_VERSION:
            raise TicketError(f"{self.path}: outbox version {data.version}, this socready reads {OUTBOX_VERSION}")
        return data.records

    def save(self, records: dict[str, Record]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = _File(records=dict(sorted(records.items()))).model_dump_json(indent=1)
        fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".outbox.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise

    @contextlib.contextmanager
    def locked(self, timeout: float) -> Iterator[None]:
        """Exclusive across processes and threads (flock on a separate open file); the kernel releases it
        when the holder dies, so a crashed run never leaves a stale lock behind."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a+", encoding="utf-8") as handle:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        handle.seek(0)
                        holder = handle.read().strip() or "another run"
                        raise TicketError(
                            f"{self.lock_path}: {holder} has held the gap-ticket lock for over {timeout:.0f} s "
                            "(tickets.lock_timeout_seconds); is a socready run stuck?"
                        ) from None
                    time.sleep(0.1)
            try:
                handle.truncate(0)
                handle.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
                handle.flush()
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
