"""The per-run manifest: what was collected, from where, when, and what could not be read."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

MANIFEST_SCHEMA = "socready.manifest/v1"
NOT_CONFIGURED = "NotConfigured"  # the error recorded for a source the scope does not configure


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ManifestWindow(Frozen):
    start: AwareDatetime
    end: AwareDatetime
    timezone: str
    as_of: AwareDatetime | None = Field(default=None, description="The run's as-of: nothing dated later is used.")


class EvidenceEntry(Frozen):
    sha256: str
    source: str
    query: str = Field(description="What was asked: API call with parameters, S3 URL or file path.")
    collected_at: AwareDatetime
    connector: str
    connector_version: str
    account: str | None = None
    region: str | None = None
    size: int
    media_type: str = "application/json"

    def model_post_init(self, context: Any, /) -> None:
        """Entries given the same fields share one set of their names: a run holds one entry per evidence object
        (≈ 450,000 at org M, in the flow and in each Dask worker), and a set of its own was 728 of an entry's
        ≈ 1,500 bytes. An entry is frozen, so nothing adds to the set; a copy gets a set of its own."""
        names = self.__pydantic_fields_set__
        object.__setattr__(self, "__pydantic_fields_set__", FIELDS_GIVEN.setdefault(frozenset(names), names))


FIELDS_GIVEN: dict[frozenset[str], set[str]] = {}  # the shared sets of EvidenceEntry.model_post_init


class CollectionFailure(Frozen):
    source: str
    query: str
    error: str = Field(description="Error class or AWS/Jira error code, e.g. AccessDenied.")
    message: str
    missing_permission: str | None = None
    account: str | None = None
    region: str | None = None
    at: AwareDatetime

    @property
    def not_configured(self) -> bool:
        return self.error == NOT_CONFIGURED


class Manifest(Frozen):
    schema_: str = Field(default=MANIFEST_SCHEMA, alias="schema")
    run_id: str
    organization: str
    created_at: AwareDatetime
    window: ManifestWindow
    entries: list[EvidenceEntry]
    errors: list[CollectionFailure]
    read_from: dict[str, AwareDatetime] = Field(
        default_factory=dict,
        description="Per source of dated files (CloudTrail logs, Config history, backup job reports): the time "
        "from which this run read their folders. A later run reading from no earlier carries the files and lists "
        "only recent days, except where this run's errors name a failed S3 read; older manifests lack it, and "
        "their files are listed again.",
    )

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def entries_for(self, source: str) -> list[EvidenceEntry]:
        return [e for e in self.entries if e.source == source]

    def failures_for(self, source: str) -> list[CollectionFailure]:
        return [f for f in self.errors if f.source == source]

    def to_json(self) -> bytes:
        return self.model_dump_json(by_alias=True, indent=1).encode()

    def sha256(self) -> str:
        """The hash of the manifest as written, which the run ledger records and reports cite."""
        return hashlib.sha256(self.to_json()).hexdigest()


def run_id_for(moment: datetime, suffix: str) -> str:
    """Run ids sort as their runs started: the store lists runs by id, and "the latest run" is the last. Down to
    the millisecond, since two runs can start within one second (a schedule beside a manual run, a retry) and the
    random suffix would then order them by chance."""
    return f"{moment:%Y%m%dT%H%M%S}{moment.microsecond // 1000:03d}Z-{suffix}"
