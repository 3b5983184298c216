"""Stage 1: run the collectors the in-scope controls need and write the run's manifest."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import ClassVar

from connectors.aws.organizations import SOURCE as DISCOVERY
from connectors.aws.organizations import with_discovered_accounts, with_discovery
from connectors.base import CollectContext, EarlierRuns, Place, in_threads
from connectors.registry import COLLECTORS
from socready.evidence import CollectionFailure, EvidenceEntry, EvidenceStore, Manifest, RunRecorder, open_store
from socready.evidence.manifest import ManifestWindow, run_id_for
from socready.evidence.sources import CURRENT_STATE
from socready.scope import Scope
from socready.window import Window


def new_run_id() -> str:
    return run_id_for(datetime.now(UTC), uuid.uuid4().hex[:6])


def manifest_window(window: Window) -> ManifestWindow:
    return ManifestWindow(start=window.start_utc, end=window.end_utc, timezone=window.timezone, as_of=window.as_of)


def start_run(scope: Scope, window: Window, store: EvidenceStore, run_id: str) -> RunRecorder:
    return RunRecorder(store, run_id, scope.organization, manifest_window(window))


SOURCES_AT_ONCE = 8  # sources collected side by side in one process (each reads its accounts and regions in threads)


def failed_file_reads(manifest: Manifest) -> dict[str, frozenset[Place]]:
    """Per source, the places of a run's failed S3 reads (a folder it could not list, a file it could not fetch)."""
    places: dict[str, set[Place]] = {}
    for failure in manifest.errors:
        if failure.query.startswith("s3://"):
            places.setdefault(failure.source, set()).add((failure.account, failure.region))
    return {source: frozenset(found) for source, found in places.items()}


def earlier_collection(store: EvidenceStore, scope: Scope, window: ManifestWindow) -> EarlierRuns:
    """What the store's earlier runs for this organization and window fetched (see EarlierRuns)."""
    manifests = (store.load_manifest(run) for run in reversed(store.run_ids()))  # newest first, read lazily
    same = (m for m in manifests if m.organization == scope.organization and m.window.start == window.start)
    latest = next(same, None)
    entries = list(latest.entries) if latest else []
    resumed = [run for run in store.interrupted_runs() if latest is None or run > latest.run_id]
    for run in resumed:
        entries += store.load_parts(run)
    earlier: dict[str, dict[str, EvidenceEntry]] = {}
    for entry in entries:
        earlier.setdefault(entry.source, {})[entry.query] = entry
    if latest is None:
        return EarlierRuns(earlier, resuming=bool(resumed))
    return EarlierRuns(earlier, dict(latest.read_from), failed_file_reads(latest), bool(resumed))


def read_from(context: CollectContext, sources: list[str]) -> dict[str, datetime]:
    """Manifest.read_from of this run: each source of dated files it read, from its collector's start. A place
    where a read failed is listed from the start again by the next run (EarlierRuns.failed), whatever this says."""
    read = [source for source in sources if not unconfigured_aws(source, context.scope)]
    starts = {source: getattr(COLLECTORS[source], "read_from", None) for source in read}
    return {source: start(context) for source, start in starts.items() if start is not None}


def unconfigured_aws(source: str, scope: Scope) -> bool:
    return source.startswith("aws.") and scope.aws is None


def collect_source(source: str, context: CollectContext) -> None:
    """One source; AWS sources without an `aws` scope section are recorded as not configured. A failure a
    collector did not guard itself (no credentials before the first call, say) is recorded for the whole source,
    so the run goes on to its report."""
    context.progress(f"collecting {source}")
    if unconfigured_aws(source, context.scope):
        context.not_configured(source, "the scope has no aws section; add accounts and regions")
        return
    with context.guard(source, "(every query)"):
        COLLECTORS[source].collect(context)


@dataclass(frozen=True)
class ShardJob:
    """One task's share of a run's collection: a source, in one account and region when its collector reads
    places. Everything in it pickles, so a Dask worker on another machine can run it against the same store."""

    source: str
    place: Place | None  # None: the whole source
    scope: Scope
    window: Window
    store: str  # the evidence store's location; each task opens its own
    endpoint_url: str | None
    run_id: str
    earlier: EarlierRuns  # what earlier runs fetched of this source (in this account and region)
    unreadable: frozenset[str]

    @property
    def name(self) -> str:
        return self.source if self.place is None else f"{self.source} {'/'.join(self.place)}"


Shard = tuple[list[EvidenceEntry], list[CollectionFailure]]  # what a ShardJob collected
FanOut = Callable[[list[ShardJob]], Iterable[Shard]]  # runs jobs (say as Dask tasks), yields each one's result


@dataclass
class ShardRecorder(RunRecorder):
    """A task's entries, handed back to the run's recorder, which checkpoints them as they arrive."""

    checkpoint_every: ClassVar[int] = sys.maxsize


def collect_shard(job: ShardJob, progress: Callable[[str], None] = lambda message: None) -> Shard:
    store = open_store(job.store, endpoint_url=job.endpoint_url)
    recorder = ShardRecorder(store, job.run_id, job.scope.organization, manifest_window(job.window))
    context = CollectContext(job.scope, job.window, recorder, progress, job.earlier, job.unreadable, job.place)
    collect_source(job.source, context)
    return recorder.entries, recorder.errors


def shard_jobs(context: CollectContext, sources: list[str], run_id: str, endpoint_url: str | None) -> list[ShardJob]:
    """One job per account and region for collectors that read places, one per source for the others."""
    jobs = []
    for source in sources:
        places = getattr(COLLECTORS[source], "places", None)
        aws = context.scope.aws
        split = places is not None and aws is not None and source != DISCOVERY
        for place in places(aws) if split else [None]:
            where = (context.recorder.store.location, endpoint_url, run_id)
            earlier = context.earlier.share(source, place)  # its own place's share, not the whole source's
            jobs.append(ShardJob(source, place, context.scope, context.window, *where, earlier, context.unreadable))
    return jobs


def collect(
    scope: Scope,
    window: Window,
    store: EvidenceStore,
    sources: list[str],
    progress: Callable[[str], None] = lambda message: None,
    *,
    incremental: bool = True,
    on_source_done: Callable[[int, int], None] = lambda done, total: None,
    fan_out: FanOut | None = None,
    endpoint_url: str | None = None,
) -> Manifest:
    """With `incremental`, files an earlier run already fetched are carried over, not fetched again.
    `on_source_done(done, total)` follows the sources (or shards) collected, e.g. for a progress bar. With
    `fan_out`, the sources after account discovery are split into ShardJobs that it runs (on Dask, say)."""
    recorder = start_run(scope, window, store, new_run_id())
    earlier = earlier_collection(store, scope, recorder.window) if incremental else EarlierRuns()
    unreadable = store.unreadable() if incremental else frozenset()
    context = CollectContext(scope, window, recorder, progress, earlier, unreadable)
    sources = with_discovery(scope, sources)
    if DISCOVERY in sources:  # every AWS collector reads the accounts it finds
        collect_source(DISCOVERY, context)
        listings = [json.loads(store.read(e.sha256)) for e in recorder.entries if e.source == DISCOVERY]
        context.scope = with_discovered_accounts(scope, listings)
        progress(f"in scope: {len(context.scope.aws.accounts)} AWS accounts")
        on_source_done(1, len(sources))
    rest = [s for s in sources if s != DISCOVERY]
    if fan_out is None:
        # Side by side: a run with little new to fetch mostly waits on list calls and per-service rate limits, which
        # overlap across sources. The recorder is thread-safe and checkpoints as before, so a killed run resumes.
        def counted(done: int) -> None:
            on_source_done(len(sources) - len(rest) + done, len(sources))

        in_threads(partial(collect_source, context=context), rest, SOURCES_AT_ONCE, counted)
    else:
        jobs = shard_jobs(context, rest, recorder.run_id, endpoint_url)
        progress(f"collecting {len(jobs)} shards of {len(rest)} sources")
        for done, (entries, failures) in enumerate(fan_out(jobs), 1):
            for entry in entries:
                recorder.carry(entry)
            for failure in failures:
                recorder.fail(failure)
            on_source_done(done, len(jobs))
    recorder.read_from = read_from(context, rest)
    manifest = recorder.finish()
    store.write_current_state(manifest, CURRENT_STATE)
    return manifest
