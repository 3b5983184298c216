"""The evidence store: raw objects by sha256, one manifest per run, derived results kept apart."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar, Literal

import boto3
from pydantic import ValidationError

from socready.credentials import aws_session
from socready.errors import EvidenceError
from socready.evidence import ledger
from socready.evidence.backends import Backend, LocalBackend, S3Backend
from socready.evidence.manifest import CollectionFailure, EvidenceEntry, Manifest, ManifestWindow
from socready.scope.models import Scope

DERIVED_SUMS = "derived-sums/"  # derived-sums/derived/<run>/<name>: the sha256 of that derived file
LOG = logging.getLogger(__name__)
UNREADABLE = "unreadable"  # derived/unreadable/<sha256>: why a run could not parse that object


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class IntegrityProblem:
    run_id: str
    sha256: str
    source: str
    query: str
    problem: Literal["changed", "removed"]


class EvidenceStore:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    @property
    def location(self) -> str:
        return self.backend.location

    @staticmethod
    def object_key(sha256: str) -> str:
        return f"objects/{sha256[:2]}/{sha256}"

    def put(self, data: bytes) -> str:
        """Store raw evidence once; storing identical bytes again is a no-op returning the same hash."""
        digest = sha256_of(data)
        self.backend.put_new(self.object_key(digest), data)
        return digest

    def read(self, sha256: str) -> bytes:
        data = self.backend.get(self.object_key(sha256))
        if sha256_of(data) != sha256:
            raise EvidenceError(f"{self.location}: evidence object {sha256} was changed after it was written")
        return data

    def write_manifest(self, manifest: Manifest) -> None:
        """Write-once, and its sha256 chained into the run ledger; written only once every object it lists is
        durable, and durable itself before it returns."""
        body = manifest.to_json()
        self.backend.flush()
        if not self.backend.put_new(f"runs/{manifest.run_id}/manifest.json", body):
            raise EvidenceError(f"{self.location}: run {manifest.run_id} already has a manifest")
        ledger.append(self.backend, manifest.run_id, body, manifest.created_at)
        self.backend.flush()

    def load_manifest(self, run_id: str) -> Manifest:
        key = f"runs/{run_id}/manifest.json"
        try:
            return Manifest.model_validate_json(self.backend.get(key))
        except ValidationError as exc:
            raise EvidenceError(f"{self.location}/{key}: manifest is not valid: {exc}") from exc

    def manifest_by_sha256(self, sha256: str) -> Manifest:
        """The manifest a report cites by hash: the run ledger keeps each one under its own sha256."""
        key = f"{ledger.COPIES}{sha256}.json"
        data = self.backend.get(key)
        if sha256_of(data) != sha256:
            raise EvidenceError(f"{self.location}/{key}: manifest was changed after it was written")
        return Manifest.model_validate_json(data)

    def run_ids(self) -> list[str]:
        return sorted(k.split("/")[1] for k in self.backend.keys("runs/") if k.endswith("/manifest.json"))

    def write_current_state(self, manifest: Manifest, sources: set[str]) -> None:
        """The run's current-state reads apart from its manifest: later runs read them as history (the daily
        snapshots) without loading every earlier run's whole manifest."""
        body = json.dumps([e.model_dump(mode="json") for e in manifest.entries if e.source in sources]).encode()
        self.backend.put_new(f"runs/{manifest.run_id}/current-state.json", body)
        self.backend.flush()

    def current_state(self, run_id: str) -> list[EvidenceEntry] | None:
        """A run's current-state entries, or None for a run that kept none apart (read its manifest)."""
        key = f"runs/{run_id}/current-state.json"
        if not self.backend.exists(key):
            return None
        return [EvidenceEntry.model_validate(item) for item in json.loads(self.backend.get(key))]

    def write_part(self, run_id: str, number: int, entries: list[EvidenceEntry]) -> None:
        """A checkpoint of a run in progress, so an interrupted backfill resumes instead of starting over; written
        once the objects it lists are durable (the batch of writes since the last checkpoint)."""
        body = json.dumps([e.model_dump(mode="json") for e in entries]).encode()
        self.backend.flush()
        self.backend.put_new(f"runs/{run_id}/part-{number:05d}.json", body)

    def interrupted_runs(self) -> list[str]:
        """Runs that wrote checkpoints but never a manifest."""
        keys = list(self.backend.keys("runs/"))
        finished = {k.split("/")[1] for k in keys if k.endswith("/manifest.json")}
        return sorted({k.split("/")[1] for k in keys if "/part-" in k} - finished)

    def load_parts(self, run_id: str) -> list[EvidenceEntry]:
        return [
            EvidenceEntry.model_validate(item)
            for key in sorted(k for k in self.backend.keys(f"runs/{run_id}/") if "/part-" in k)
            for item in json.loads(self.backend.get(key))
        ]

    def put_derived(self, run_id: str, name: str, data: bytes) -> str:
        """Computed results (datasets, validation results, parse caches) live apart from raw evidence, each with
        its sha256 recorded apart from it (derived-sums/), so an edit is noticed before it is trusted."""
        key = f"derived/{run_id}/{name}"
        if not self.backend.put_new(key, data):
            raise EvidenceError(f"{self.location}/{key}: derived evidence already exists")
        self.backend.put_new(f"{DERIVED_SUMS}{key}", sha256_of(data).encode())
        return key

    def derived(self, run_id: str, name: str) -> bytes | None:
        """A run's derived evidence, or None when that run did not write it or it no longer matches its recorded
        sha256 (the caller rebuilds it from raw evidence; the mismatch is logged and named by verify_derived)."""
        key = f"derived/{run_id}/{name}"
        if not self.backend.exists(key):
            return None
        data = self.backend.get(key)
        if self._derived_changed(key, data):
            LOG.warning("%s/%s changed after it was written; rebuilt from raw evidence", self.location, key)
            return None
        return data

    def _derived_changed(self, key: str, data: bytes) -> bool:
        recorded = f"{DERIVED_SUMS}{key}"
        return self.backend.exists(recorded) and self.backend.get(recorded).decode() != sha256_of(data)

    def verify_derived(self) -> list[str]:
        """Derived files that no longer match the sha256 recorded when they were written."""
        keys = (k.removeprefix(DERIVED_SUMS) for k in self.backend.keys(DERIVED_SUMS))
        return [
            key for key in keys if not self.backend.exists(key) or self._derived_changed(key, self.backend.get(key))
        ]

    def mark_unreadable(self, sha256: str, problem: str) -> None:
        """Raw evidence that could not be parsed: later runs fetch its source again instead of carrying it."""
        self.backend.put_new(f"derived/{UNREADABLE}/{sha256}", problem.encode())

    def unreadable(self) -> frozenset[str]:
        return frozenset(key.rsplit("/", 1)[1] for key in self.backend.keys(f"derived/{UNREADABLE}/"))

    def run_files(self, run_id: str) -> dict[str, bytes]:
        """A run's manifest and derived results by key, as stored; objects are shared by runs: read them by hash."""
        keys = [f"runs/{run_id}/manifest.json", *self.backend.keys(f"derived/{run_id}/")]
        return {key: self.backend.get(key) for key in keys}

    def verify_ledger(self) -> list[ledger.LedgerProblem]:
        """Manifests edited, removed or missing from the run ledger, and breaks in its chain."""
        return ledger.check(self.backend, self.run_ids())

    def verify(self, run_id: str | None = None) -> list[IntegrityProblem]:
        """Every object a manifest references that is now missing or no longer matches its hash (a manifest that
        no longer parses is named by verify_ledger)."""
        problems = []
        for run in [run_id] if run_id else self.run_ids():
            try:
                entries = self.load_manifest(run).entries
            except EvidenceError:
                continue
            for entry in entries:
                key = self.object_key(entry.sha256)
                if not self.backend.exists(key):
                    state = "removed"
                elif sha256_of(self.backend.get(key)) != entry.sha256:
                    state = "changed"
                else:
                    continue
                problems.append(IntegrityProblem(run, entry.sha256, entry.source, entry.query, state))
        return problems


@dataclass
class RunRecorder:
    """Collects one run's entries and failures (thread-safe) and writes the manifest once at the end."""

    store: EvidenceStore
    run_id: str
    organization: str
    window: ManifestWindow
    entries: list[EvidenceEntry] = field(default_factory=list)
    errors: list[CollectionFailure] = field(default_factory=list)
    read_from: dict[str, datetime] = field(default_factory=dict)  # see Manifest.read_from; set before finish()
    checkpoint_every: ClassVar[int] = 500  # entries between checkpoints of a run in progress
    _checkpointed: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(
        self,
        data: bytes,
        *,
        source: str,
        query: str,
        connector: str,
        connector_version: str,
        account: str | None = None,
        region: str | None = None,
        media_type: str = "application/json",
    ) -> EvidenceEntry:
        entry = EvidenceEntry(
            sha256=self.store.put(data),
            source=source,
            query=query,
            collected_at=datetime.now(UTC),
            connector=connector,
            connector_version=connector_version,
            account=account,
            region=region,
            size=len(data),
            media_type=media_type,
        )
        self.carry(entry)
        return entry

    def carry(self, entry: EvidenceEntry) -> None:
        """Adds an entry, new or carried over from an earlier run whose object is already in the store."""
        with self._lock:
            self.entries.append(entry)
            if len(self.entries) - self._checkpointed >= self.checkpoint_every:
                fresh = self.entries[self._checkpointed :]
                self.store.write_part(self.run_id, len(self.entries), fresh)
                self._checkpointed = len(self.entries)

    def fail(self, failure: CollectionFailure) -> None:
        with self._lock:
            self.errors.append(failure)

    def manifest(self) -> Manifest:
        with self._lock:
            return Manifest(
                run_id=self.run_id,
                organization=self.organization,
                created_at=datetime.now(UTC),
                window=self.window,
                entries=sorted(self.entries, key=lambda e: (e.source, e.query)),
                # By source, each source's in the order they happened: sources collected side by side fail in
                # any order, and a manifest of the same failures reads the same.
                errors=sorted(self.errors, key=lambda failure: failure.source),
                read_from=self.read_from,
            )

    def finish(self) -> Manifest:
        manifest = self.manifest()
        self.store.write_manifest(manifest)
        return manifest


def open_store(
    location: str, *, endpoint_url: str | None = None, session: boto3.Session | None = None
) -> EvidenceStore:
    """A local folder path, or s3://bucket/prefix (credentials from `session`, default: the environment)."""
    if location.startswith("s3://"):
        bucket, _, prefix = location.removeprefix("s3://").partition("/")
        if not bucket:
            raise EvidenceError(f"{location}: evidence store URL needs a bucket, e.g. s3://my-evidence/socready")
        client = (session or boto3.Session()).client("s3", endpoint_url=endpoint_url)
        return EvidenceStore(S3Backend(client, bucket, prefix))
    return EvidenceStore(LocalBackend(Path(location)))


def open_scope_store(scope: Scope) -> EvidenceStore:
    """The scope's evidence store, reached with the scope's AWS credentials (socready.credentials)."""
    if not scope.evidence_store.startswith("s3://"):
        return open_store(scope.evidence_store)
    endpoint = scope.aws.endpoint_url if scope.aws else None
    return open_store(scope.evidence_store, endpoint_url=endpoint, session=aws_session(scope.aws, EvidenceError))
