"""Read-only access to one run's evidence, for dataset builders: entries by source, bytes hash-checked."""

from __future__ import annotations

import gzip
import json
from functools import cache

from socready.evidence.manifest import CollectionFailure, EvidenceEntry, Manifest
from socready.evidence.store import EvidenceStore


class EvidenceView:
    def __init__(self, store: EvidenceStore, manifest: Manifest) -> None:
        self.store, self.manifest = store, manifest

    def entries(self, source: str) -> list[EvidenceEntry]:
        return self.manifest.entries_for(source)

    def failures(self, source: str) -> list[CollectionFailure]:
        return self.manifest.failures_for(source)

    def read(self, entry: EvidenceEntry) -> bytes:
        data = self.store.read(entry.sha256)
        return gzip.decompress(data) if entry.media_type == "application/gzip" else data

    def read_json(self, entry: EvidenceEntry):
        return json.loads(self.read(entry))

    @cache  # noqa: B019 - a view lives for one run; caching parsed evidence shares it between suites
    def parsed(self, source: str, parser) -> object:
        """Parse a source once per run, even when several controls read it."""
        return parser(self)

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

    @cache  # noqa: B019 - a run's evidence is immutable once written
    def _current_state(self, run_id: str) -> list[EvidenceEntry]:
        """A run's current-state entries: kept apart by the run, else (older runs) its whole manifest's."""
        kept = self.store.current_state(run_id)
        return self.store.load_manifest(run_id).entries if kept is None else kept
