"""Write-once, sha256-addressed evidence with a manifest per run; local folder or S3."""

from socready.evidence.manifest import CollectionFailure, EvidenceEntry, Manifest
from socready.evidence.store import EvidenceStore, RunRecorder, open_scope_store, open_store

__all__ = [
    "CollectionFailure",
    "EvidenceEntry",
    "EvidenceStore",
    "Manifest",
    "RunRecorder",
    "open_scope_store",
    "open_store",
]
