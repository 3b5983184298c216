"""Stage 1: run the collectors the in-scope controls need and write the run's manifest."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from connectors.aws.organizations import SOURCE as DISCOVERY
from connectors.aws.organizations import with_discovered_accounts, with_discovery
from connectors.base import CollectContext
from connectors.registry import COLLECTORS
from socready.evidence import EvidenceEntry, EvidenceStore, Manifest, RunRecorder
from socready.evidence.manifest import ManifestWindow, run_id_for
from socready.evidence.sources import CURRENT_STATE
from socready.scope import Scope
from socready.window import Window


def new_run_id() -> str:
    return run_id_for(datetime.now(UTC), uuid.uuid4().hex[:6])


def start_run(scope: Scope, window: Window, store: EvidenceStore, run_id: str) -> RunRecorder:
    manifest_window = ManifestWindow(
        start=window.start_utc, end=window.end_utc, timezone=window.timezone, as_of=window.as_of
    )
    return RunRecorder(store, run_id, scope.organization, manifest_window)


Earlier = dict[str, dict[str, EvidenceEntry]]  # source -> query -> entry already in the store


def earlier_collection(store: EvidenceStore, scope: Scope, window: ManifestWindow) -> tuple[Earlier, bool]:
    """What earlier runs for the same organization and window already fetched: the latest finished run,
    plus the checkpoints of runs interrupted after it (a resumed backfill, said by the second value)."""
    manifests = (store.load_manifest(run) for run in reversed(store.run_ids()))  # newest first, read lazily
    same = (m for m in manifests if m.organization == scope.organization and m.window.start == window.start)
    latest = next(same, None)
    entries = list(latest.entries) if latest else []
    resumed = [run for run in store.interrupted_runs() if latest is None or run > latest.run_id]
    for run in resumed:
        entries += store.load_parts(run)
    earlier: Earlier = {}
    for entry in entries:
        earlier.setdefault(entry.source, {})[entry.query] = entry
    return earlier, bool(resumed)


def collect_source(source: str, context: CollectContext) -> None:
    """One source; AWS sources without an `aws` scope section are recorded as not configured. A failure a
    collector did not guard itself (no credentials before the first call, say) is recorded for the whole source,
    so the run goes on to its report."""
    if source.startswith("aws.") and context.scope.aws is None:
        context.not_configured(source, "the scope has no aws section; add accounts and regions")
        return
    with context.guard(source, "(every query)"):
        COLLECTORS[source].collect(context)


def collect(
    scope: Scope,
    window: Window,
    store: EvidenceStore,
    sources: list[str],
    progress: Callable[[str], None] = lambda message: None,
    *,
    incremental: bool = True,
    on_source_done: Callable[[int, int], None] = lambda done, total: None,
) -> Manifest:
    """With `incremental`, files an earlier run already fetched are carried over, not fetched again.
    `on_source_done(done, total)` follows the sources collected, e.g. for a progress bar."""
    recorder = start_run(scope, window, store, new_run_id())
    earlier, resuming = earlier_collection(store, scope, recorder.window) if incremental else ({}, False)
    unreadable = store.unreadable() if incremental else frozenset()
    context = CollectContext(scope, window, recorder, progress, earlier, unreadable, resuming)
    sources = with_discovery(scope, sources)
    for done, source in enumerate(sources, 1):
        progress(f"collecting {source} ({done}/{len(sources)})")
        collect_source(source, context)
        if source == DISCOVERY:
            listings = [json.loads(store.read(e.sha256)) for e in recorder.entries if e.source == DISCOVERY]
            context.scope = with_discovered_accounts(scope, listings)
            progress(f"in scope: {len(context.scope.aws.accounts)} AWS accounts")
        on_source_done(done, len(sources))
    manifest = recorder.finish()
    store.write_current_state(manifest, CURRENT_STATE)
    return manifest
