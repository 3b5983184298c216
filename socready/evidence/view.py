"""Read-only access to one run's evidence, for dataset builders: entries by source, bytes hash-checked."""

from __future__ import annotations

import gzip
import json
import zlib

from socready.errors import EvidenceError, EvidenceUnusable
from socready.evidence.manifest import CollectionFailure, EvidenceEntry, Manifest
from socready.evidence.store import EvidenceStore


class EvidenceView:
    def __init__(self, store: EvidenceStore, manifest: Manifest, manifest_sha256: str | None = None) -> None:
        """`manifest_sha256`: the manifest's hash when the caller has it (a Dask task is sent the flow's), else
        computed on first use: a JSON dump of the whole manifest, seconds at hundreds of thousands of entries."""
        self.store, self.manifest = store, manifest
        self._manifest_sha256 = manifest_sha256
        # The view's own caches, freed with it: a Dask worker makes a view per control's task, and a cache kept
        # beyond the view (functools.cache on a method is module-wide) held every task's parsed evidence.
        self._parsed: dict[tuple, object] = {}
        self._current_states: dict[str, list[EvidenceEntry]] = {}

    @property
    def manifest_sha256(self) -> str:
        if self._manifest_sha256 is None:
            self._manifest_sha256 = self.manifest.sha256()
        return self._manifest_sha256

    def limited_to(self, sources: list[str]) -> EvidenceView:
        """This view for one control's builder: it reads only the sources the control's spec declares."""
        return DeclaredView(self, sources)

    def entries(self, source: str) -> list[EvidenceEntry]:
        return self.manifest.entries_for(source)

    def failures(self, source: str) -> list[CollectionFailure]:
        return self.manifest.failures_for(source)

    def read(self, entry: EvidenceEntry) -> bytes:
        """The object's bytes, unzipped; EvidenceUnusable names an object that was changed or cannot be read."""
        try:
            data = self.store.read(entry.sha256)
        except EvidenceError as exc:
            raise EvidenceUnusable(f"{self.named(entry)}: {exc}") from exc
        if entry.media_type != "application/gzip":
            return data
        try:
            return gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:  # not gzip, truncated, bad checksum
            raise self.unreadable(entry, f"is not a readable gzip file ({exc})") from exc

    def read_json(self, entry: EvidenceEntry):
        try:
            return json.loads(self.read(entry))
        except ValueError as exc:  # bad JSON, or bytes that are not UTF-8
            raise self.unreadable(entry, f"is not valid JSON ({exc})") from exc

    @staticmethod
    def named(entry: EvidenceEntry) -> str:
        return f"{entry.query} ({entry.source}, sha256 {entry.sha256[:12]})"

    def unreadable(self, entry: EvidenceEntry, problem: str) -> EvidenceUnusable:
        """Marks the object so the next run fetches it again, and names it for the control's reason."""
        self.store.mark_unreadable(entry.sha256, problem)
        return EvidenceUnusable(f"{self.named(entry)} {problem}")

    def parsed(self, source: str, parser, *args) -> object:
        """`parser(view, *args)` once per view, even when several controls read it: `args` (hashable) pick a
        part of the source, such as one resource type, so that a control parses only what it reads."""
        key = (source, parser, *args)
        if key not in self._parsed:
            self._parsed[key] = parser(self, *args)
        return self._parsed[key]

    def earlier_entries(self, source: str) -> list[EvidenceEntry]:
        """The source's entries from earlier runs in this store, collected inside this run's window: the
        pipeline's own daily snapshots of current state, a history source where AWS keeps none."""
        window = self.manifest.window
        found: dict[str, EvidenceEntry] = {}
        for run_id in self.store.run_ids():
            if run_id == self.manifest.run_id:
                continue
            for entry in self._current_state(run_id):
                if entry.source == source and window.start <= entry.collected_at < window.end:
                    found.setdefault(f"{entry.sha256}|{entry.account}|{entry.region}", entry)
        return sorted(found.values(), key=lambda e: e.collected_at)

    def _current_state(self, run_id: str) -> list[EvidenceEntry]:
        """A run's current-state entries (read once per view: a run's evidence is immutable once written): kept
        apart by the run, else (older runs) its whole manifest's."""
        if run_id not in self._current_states:
            kept = self.store.current_state(run_id)
            self._current_states[run_id] = self.store.load_manifest(run_id).entries if kept is None else kept
        return self._current_states[run_id]


class UndeclaredSource(RuntimeError):
    """A builder read a source its control's spec does not declare: a bug in the control, never a verdict."""


class DeclaredView(EvidenceView):
    """Refuses every source but the declared ones; reads and parses through the run's view, sharing its caches."""

    def __init__(self, run_view: EvidenceView, sources: list[str]) -> None:
        super().__init__(run_view.store, run_view.manifest)
        self.run_view, self.sources = run_view, frozenset(sources)

    @property
    def manifest_sha256(self) -> str:
        return self.run_view.manifest_sha256

    def _declared(self, source: str) -> str:
        if source not in self.sources:
            raise UndeclaredSource(f"read {source}, which the control's spec does not declare: {sorted(self.sources)}")
        return source

    def entries(self, source: str) -> list[EvidenceEntry]:
        return self.run_view.entries(self._declared(source))

    def failures(self, source: str) -> list[CollectionFailure]:
        return self.run_view.failures(self._declared(source))

    def parsed(self, source: str, parser, *args) -> object:
        return self.run_view.parsed(self._declared(source), parser, *args)

    def earlier_entries(self, source: str) -> list[EvidenceEntry]:
        return self.run_view.earlier_entries(self._declared(source))
