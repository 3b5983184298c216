"""The run ledger: every manifest's sha256, each ledger entry chained to the one before it by its own sha256, so
`evidence verify` names an edited or deleted manifest, a run missing from the ledger and a broken chain. Each
manifest is also kept content-addressed (`manifests/<sha256>.json`), so an edit names the entries it added,
dropped or redirected."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from socready.errors import EvidenceError
from socready.evidence.backends import Backend

PREFIX = "ledger/"
COPIES = "manifests/"  # each ledgered manifest under its own sha256: what the ledger entry vouches for
ATTEMPTS = 20  # concurrent runs race for the next number; each loser reads the new head and tries again


class LedgerEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int
    run_id: str
    manifest_sha256: str
    previous_sha256: str | None  # the previous ledger entry's bytes; None for the first
    at: AwareDatetime


@dataclass(frozen=True)
class LedgerProblem:
    run_id: str
    problem: Literal["manifest changed", "manifest removed", "run not in ledger", "ledger changed", "ledger gap"]
    detail: str


def _key(number: int) -> str:
    return f"{PREFIX}{number:08d}.json"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def append(backend: Backend, run_id: str, manifest: bytes, at: datetime) -> LedgerEntry:
    """Adds the run's manifest hash after the current head (write-once keys: a lost race retries)."""
    backend.put_new(f"{COPIES}{sha256_of(manifest)}.json", manifest)
    for _ in range(ATTEMPTS):
        keys = sorted(backend.keys(PREFIX))
        previous = sha256_of(backend.get(keys[-1])) if keys else None
        entry = LedgerEntry(
            number=len(keys) + 1, run_id=run_id, manifest_sha256=sha256_of(manifest), previous_sha256=previous, at=at
        )
        if backend.put_new(_key(entry.number), entry.model_dump_json().encode()):
            return entry
    raise EvidenceError(f"{backend.location}: could not append run {run_id} to the ledger after {ATTEMPTS} tries")


def through(backend: Backend, run_id: str) -> dict[str, bytes]:
    """The ledger's entries by key, from the first to the run's own (none for a run older than the ledger)."""
    entries: dict[str, bytes] = {}
    for key in sorted(backend.keys(PREFIX)):
        entries[key] = backend.get(key)
        if LedgerEntry.model_validate_json(entries[key]).run_id == run_id:
            return entries
    return {}


def head(backend: Backend) -> bytes | None:
    """The newest ledger entry's bytes: what a signature covers (it fixes every entry before it)."""
    keys = sorted(backend.keys(PREFIX))
    return backend.get(keys[-1]) if keys else None


def check(backend: Backend, manifest_runs: list[str]) -> list[LedgerProblem]:
    """The chain is whole, every ledgered manifest is present and unchanged, and every run since the ledger
    began is in it (runs older than the ledger's first entry predate it)."""
    problems: list[LedgerProblem] = []
    keys = sorted(backend.keys(PREFIX))
    previous: str | None = None
    ledgered: set[str] = set()
    for number, key in enumerate(keys, 1):
        data = backend.get(key)
        try:
            entry = LedgerEntry.model_validate_json(data)
        except ValidationError:
            problems.append(LedgerProblem("-", "ledger changed", f"{key} is not a ledger entry"))
            previous = sha256_of(data)
            continue
        if key != _key(number) or entry.number != number:
            problems.append(LedgerProblem(entry.run_id, "ledger gap", f"{key}: expected entry {number}"))
        if entry.previous_sha256 != previous:
            problems.append(LedgerProblem(entry.run_id, "ledger changed", f"{key} does not follow the entry before"))
        previous = sha256_of(data)
        ledgered.add(entry.run_id)
        manifest = f"runs/{entry.run_id}/manifest.json"
        if not backend.exists(manifest):
            problems.append(LedgerProblem(entry.run_id, "manifest removed", f"{manifest} (ledger {key})"))
        elif sha256_of(current := backend.get(manifest)) != entry.manifest_sha256:
            changes = entry_changes(backend, entry.manifest_sha256, current)
            problems.append(LedgerProblem(entry.run_id, "manifest changed", f"{manifest} (ledger {key}){changes}"))
    first = min(ledgered, default=None)
    for run in manifest_runs:
        if first is not None and run > first and run not in ledgered:
            problems.append(LedgerProblem(run, "run not in ledger", f"runs/{run}/manifest.json"))
    return problems


def entry_changes(backend: Backend, ledgered: str, current: bytes) -> str:
    """What an edit did to a manifest's entries, against the content-addressed copy the ledger vouches for."""
    copy = f"{COPIES}{ledgered}.json"
    original = backend.get(copy) if backend.exists(copy) else None
    if original is None or sha256_of(original) != ledgered:
        return f": its ledgered copy {copy} is missing or changed too"
    try:
        before, after = (_entries(json.loads(body)) for body in (original, current))
    except (ValueError, KeyError, TypeError):
        return ": it no longer reads as a manifest"
    changes = [f"dropped {where} ({before[where]})" for where in before if where not in after]
    changes += [f"added {where} ({after[where]})" for where in after if where not in before]
    changes += [
        f"redirected {where} from {before[where]} to {after[where]}"
        for where in before
        if where in after and before[where] != after[where]
    ]
    return f": {'; '.join(changes)}" if changes else ": its entries are the same, other fields changed"


def _entries(manifest: dict) -> dict[str, str]:
    """`<source> <query>` -> sha256 of each entry."""
    return {f"{e['source']} {e['query']}": e["sha256"] for e in manifest["entries"]}
