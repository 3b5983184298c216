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
