"""Stage 1: run the collectors the in-scope controls need and write the run's manifest."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from connectors.base import CollectContext
from connectors.registry import COLLECTORS
from socready.evidence import EvidenceStore, Manifest, RunRecorder
from socready.evidence.manifest import ManifestWindow, run_id_for
from socready.scope import Scope
from socready.window import Window


def new_run_id() -> str:
    return run_id_for(datetime.now(UTC), uuid.uuid4().hex[:6])


def start_run(scope: Scope, window: Window, store: EvidenceStore, run_id: str) -> RunRecorder:
    manifest_window = ManifestWindow(start=window.start_utc, end=window.end_utc, timezone=window.timezone)
    return RunRecorder(store, run_id, scope.organization, manifest_window)


def collect_source(source: str, context: CollectContext) -> None:
    """One source; AWS sources without an `aws` scope section are recorded as not configured."""
    if source.startswith("aws.") and context.scope.aws is None:
        context.not_configured(source, "the scope has no aws section; add accounts and regions")
        return
    context.progress(f"collecting {source}")
    COLLECTORS[source].collect(context)


def collect(
    scope: Scope,
    window: Window,
    store: EvidenceStore,
    sources: list[str],
    progress: Callable[[str], None] = lambda message: None,
) -> Manifest:
    recorder = start_run(scope, window, store, new_run_id())
    context = CollectContext(scope, window, recorder, progress)
    for source in sources:
        collect_source(source, context)
    return recorder.finish()
