"""Collection and assessment as Prefect tasks on Dask (prefect-dask's DaskTaskRunner): a LocalCluster or a cluster."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import lru_cache
from typing import TYPE_CHECKING

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.progress import CollectionProgress
from socready.applicability import Assessment
from socready.assess import Dataset, build_dataset
from socready.collect import Shard, ShardJob, collect, collect_shard
from socready.errors import ScopeError
from socready.evidence import EvidenceStore, Manifest, open_store
from socready.evidence.view import EvidenceView
from socready.readiness.model import ControlResult
from socready.scope import Scope
from socready.scope.models import ExecutionSpec, remote_store_problem
from socready.window import Window

if TYPE_CHECKING:
    from prefect_dask import DaskTaskRunner

# Threads per LocalCluster worker: collection tasks mostly wait on the network; controls (pandas, GX) hold the GIL,
# so processes, not threads, are what run them side by side.
THREADS = 2
# A LocalCluster worker's one slot for a control's dataset: a build holds one resource type's Config items of every
# account (≈ 400 MiB at org M) and gains nothing from a second thread, which would only double what it holds.
BUILD_SLOT = "socready-dataset-build"


def dask_task_runner(execution: ExecutionSpec) -> DaskTaskRunner:
    """The cluster at `dask_address`, else a LocalCluster of `dask_workers` processes."""
    import dask
    from prefect_dask import DaskTaskRunner  # Dask is imported only by runs that ask for it

    # A worker whose threads hold the GIL (gzip, hashing, parsing) answers its heartbeats late on a busy machine;
    # Dask's 30 s default then drops a live worker and its tasks never finish. Nannies hand this to their workers.
    dask.config.set({"distributed.comm.timeouts.tcp": "600s", "distributed.comm.timeouts.connect": "600s"})
    if execution.dask_address:
        return DaskTaskRunner(address=execution.dask_address)
    workers = {"n_workers": execution.dask_workers, "threads_per_worker": THREADS, "dashboard_address": ":0"}
    return DaskTaskRunner(cluster_kwargs={"processes": True, "resources": {BUILD_SLOT: 1}, **workers})


def one_build_per_worker(execution: ExecutionSpec) -> AbstractContextManager:
    """Tasks submitted inside take the LocalCluster worker's build slot. A cluster given by address has no such
    slot (its tasks would wait for it forever): there, its workers' threads set how many builds run at once."""
    import dask

    return nullcontext() if execution.dask_address else dask.annotate(resources={BUILD_SLOT: 1})


@lru_cache(maxsize=4)
def _store(location: str, endpoint_url: str | None) -> EvidenceStore:
    return open_store(location, endpoint_url=endpoint_url)


@lru_cache(maxsize=2)
def _manifest(location: str, endpoint_url: str | None, run_id: str) -> Manifest:
    """Read once per worker process from the store: tasks are sent the run id, not the whole manifest."""
    return _store(location, endpoint_url).load_manifest(run_id)


@task(name="collect-shard", cache_policy=NO_CACHE, task_run_name="collect-{job.name}")
def collect_shard_task(job: ShardJob) -> Shard:
    return collect_shard(job, get_run_logger().info)


@task(name="build-dataset", cache_policy=NO_CACHE, task_run_name="dataset-{plan.control.id}")
def dataset_on_worker(
    plan: Assessment,
    scope: Scope,
    window: Window,
    store: str,
    endpoint_url: str | None,
    run_id: str,
    manifest_sha256: str,
) -> Dataset | ControlResult:
    """`manifest_sha256`: the flow's, which the control cites; a task computing it would dump the whole manifest."""
    manifest = _manifest(store, endpoint_url, run_id)
    view = EvidenceView(_store(store, endpoint_url), manifest, manifest_sha256)
    return build_dataset(plan, scope, window, view)


def collect_on(runner, scope: Scope, window: Window, store: EvidenceStore, sources: list[str], full: bool) -> Manifest:
    """Each shard a task on the runner; this process writes the run's manifest as their results come back.
    Values go to Dask unwrapped: Dask turns Prefect's `quote`/`opaque` wrappers into plain tuples (prefect-dask#43)."""
    logger = get_run_logger()

    def fan_out(jobs: list[ShardJob]) -> Iterator[Shard]:
        progress = CollectionProgress("shards", len(jobs))
        futures = [runner.submit(collect_shard_task, {"job": job}) for job in jobs]
        for done, future in enumerate(futures, 1):  # in submission order: the manifest's errors keep one order
            yield future.result()
            progress(done, len(jobs))

    endpoint = scope.aws.endpoint_url if scope.aws else None
    incremental = not full
    manifest = collect(
        scope, window, store, sources, logger.info, incremental=incremental, fan_out=fan_out, endpoint_url=endpoint
    )
    logger.info("collected %d evidence objects, %d failures", len(manifest.entries), len(manifest.errors))
    return manifest


def datasets_on(
    runner, execution: ExecutionSpec, plans: list[Assessment], scope: Scope, window: Window, view: EvidenceView
) -> list[Dataset | ControlResult]:
    """Each control's dataset a task on the runner (workers read the manifest from the store by its run id, and
    are sent the hash the flow's view computed once), one at a time per LocalCluster worker; the run's one
    Checkpoint and the verdicts follow in the flow's process."""
    endpoint = scope.aws.endpoint_url if scope.aws else None
    run = {"run_id": view.manifest.run_id, "manifest_sha256": view.manifest_sha256}
    where = {"scope": scope, "window": window, "store": view.store.location, "endpoint_url": endpoint, **run}
    with one_build_per_worker(execution):
        futures = [runner.submit(dataset_on_worker, {"plan": p, **where}) for p in plans]
    return [future.result() for future in futures]


@contextmanager
def environment(name: str, value: str) -> Iterator[None]:
    """`name` set to `value` in this process's environment while the block runs, then as it was."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


@contextmanager
def server_for_workers(execution: ExecutionSpec) -> Iterator[None]:
    """Dask workers report their task runs to the flow's Prefect server, whose address the LocalCluster's workers,
    spawned meanwhile, inherit from the environment. The flow's server may be set only in Prefect's settings (a
    settings context, as Prefect's test harness makes): without it in the environment each worker would start a
    temporary server of its own and its task runs would not appear beside the flow's. A run with no
    PREFECT_API_URL has a temporary server of its own on loopback; a cluster on other machines cannot reach it,
    so that run is refused before any work."""
    from prefect.settings import PREFECT_API_URL

    if api := PREFECT_API_URL.value():
        with environment("PREFECT_API_URL", api):
            yield
        return
    if execution.dask_address:
        raise ScopeError(
            f"execution.dask_address {execution.dask_address}: the cluster's workers report to the flow's Prefect "
            "server, and this run has only a temporary one on loopback; set PREFECT_API_URL to a Prefect server "
            "(or Prefect Cloud) that both reach"
        )
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the flow's own: Prefect's client started it
    server.start()
    with environment("PREFECT_API_URL", server.api_url):
        yield


@contextmanager
def task_runner(execution: ExecutionSpec, store: EvidenceStore) -> Iterator[DaskTaskRunner | None]:
    """A DaskTaskRunner for the run's collection shards and datasets, or None (the flow's process runs them); a
    cluster on other machines must share an S3 evidence store."""
    if execution.runner != "dask":
        yield None
        return
    if problem := remote_store_problem(execution, store.location):
        raise ScopeError(problem)
    with server_for_workers(execution), dask_task_runner(execution) as runner:
        yield runner
