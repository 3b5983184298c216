"""The measured process of benchmarks/aws_org.py: one run over the generated organization (the full backfill or
the incremental day), printed as one JSON line. It imports what a run needs and nothing of the benchmark's own:
the AWS stand-in, the generator and Dask's plugin API (unless the run is on Dask) stay out, so their imports are
not counted as socready's CPU.

    python benchmarks/aws_org_run.py SCOPE AS_OF RUNNER WORKERS SPAWNED
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import threading
import time
from collections import Counter
from contextlib import nullcontext
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]  # the core, from this checkout

from benchmarks.costs import ChildMemory, Phases, own_cpu_seconds, peak_rss_mb  # noqa: E402

DATED_FOLDER = re.compile(r"^(s3://.*?/)\d{4}/\d{1,2}/\d{1,2}/")  # a delivered file's folder, before its dated part


def measure(scope_path: str, as_of: str, runner: str, workers: int, spawned: float) -> None:
    """Runs in a fresh process: collect every AWS source the catalog needs, assess every AWS control, plan the
    gap tickets and write the report; on Dask, collection and assessment run as tasks of a Prefect flow."""
    if runner == "dask":
        # Prefect's own server starts with the run (counted in start-up); a loaded machine needs more than 20 s.
        os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "600")
        from prefect import flow

        flow(name="benchmark-on-dask")(measured)(scope_path, as_of, runner, workers, spawned)
    else:
        measured(scope_path, as_of, runner, workers, spawned)


def call_counter(calls: Counter):
    """A client hook counting each API call by its IAM action name."""
    from connectors.policy import iam_action

    counting = threading.Lock()  # sources and places call from threads; Counter.update is not atomic

    def counted(service: str, model, **_event) -> None:
        with counting:
            calls.update([iam_action(service, model.name)])

    def count(client, account, region) -> None:
        service = client.meta.service_model.service_name
        client.meta.events.register("before-call.*.*", partial(counted, service))

    return count


def count_calls_plugin():
    """A Dask worker plugin (sent by value with cloudpickle): each worker counts its clients' API calls. Made
    only for the Dask runner, so the threaded run does not import Dask's plugin API."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class CountCalls(WorkerPlugin):
        name = "count-aws-calls"

        def setup(self, worker) -> None:
            from connectors.aws.session import AwsSessions

            self.calls: Counter = Counter()
            AwsSessions.client_hooks.append(call_counter(self.calls))

        @staticmethod
        def counted(dask_worker) -> dict[str, int]:
            return dict(dask_worker.plugins[CountCalls.name].calls)

    return CountCalls


def dask_runner(execution, store):
    """The run's Dask task runner on `--runner dask`, else none: a threaded run imports nothing of Prefect, as
    the benchmark's first figures (2026-12-02) did not."""
    if execution.runner != "dask":
        return nullcontext(None)
    from flows.execution import task_runner

    return task_runner(execution, store)


def measured(scope_path: str, as_of: str, runner: str, workers: int, spawned: float) -> None:
    from connectors.aws.organizations import run_scope
    from connectors.aws.session import AwsSessions
    from socready.applicability import plan_assessments
    from socready.assess import Dataset, build_dataset, decide_verdicts, validate_datasets
    from socready.catalog import load_catalog
    from socready.collect import collect
    from socready.evidence import open_store
    from socready.evidence.view import EvidenceView
    from socready.report.build import build_report
    from socready.report.writer import write_report
    from socready.scope import load_scope
    from socready.scope.models import ExecutionSpec
    from socready.tickets.sync import sync_tickets
    from socready.window import Window

    phases = Phases()
    phases.seconds["start-up"] = round(time.time() - spawned, 2)  # interpreter, imports (and Prefect's server)

    calls: Counter = Counter()
    AwsSessions.client_hooks.append(call_counter(calls))
    scope = load_scope(Path(scope_path))
    window = Window(scope.window.start, scope.window.end, scope.window.timezone, datetime.fromisoformat(as_of))

    def required(plan) -> set[str]:  # an optional Jira source (NET-02's incident tickets) is not in this scope
        return set(plan.control.evidence) - set(plan.control.optional_evidence)

    catalog = plan_assessments(load_catalog(), scope)
    plans = [p for p in catalog if p.applicable and all(s.startswith("aws.") for s in required(p))]
    sources = sorted({s for p in plans for s in required(p)})
    store = open_store(scope.evidence_store)
    where = (scope, window, store, sources)
    execution = ExecutionSpec(runner=runner, dask_workers=workers)
    started = time.perf_counter()
    run_started = datetime.now(UTC)
    with ChildMemory() as children:
        with dask_runner(execution, store) as dask:
            if dask:  # shards run in the workers: their clients are counted there
                CountCalls = count_calls_plugin()
                dask.client.register_plugin(CountCalls(), name=CountCalls.name)
            with phases("collection"):
                if dask:
                    from flows.execution import collect_on

                    manifest = collect_on(dask, *where, full=False)
                else:
                    manifest = collect(*where)
            if dask:
                for counted in dask.client.run(CountCalls.counted).values():
                    calls.update(counted)
            collect_peak = peak_rss_mb()
            with phases("assessment"):  # datasets as Dask tasks; the Checkpoint and verdicts in this process
                view = EvidenceView(store, manifest)
                discovered = run_scope(scope, view)
                if dask:
                    from flows.execution import datasets_on

                    staged = datasets_on(dask, execution, plans, discovered, window, view)
                else:
                    staged = [build_dataset(plan, discovered, window, view) for plan in plans]
        with phases("assessment"):
            outcomes = validate_datasets([d for d in staged if isinstance(d, Dataset)], manifest.run_id, store)
            results = decide_verdicts(staged, outcomes, window, view, store)
    with phases("tickets"):  # the AWS-only scope has no Jira: the step records itself skipped
        if scope.jira:
            sync_tickets(results, scope, "report.html", dry_run=True)
    with phases("report"):
        report = build_report(scope, window, manifest.run_id, store.location, results, dry_run=True)
        paths = write_report(report, Path(scope_path).parent / "report")
    statuses = Counter(r.status for r in results)
    not_operating = {r.id: f"{r.status}: {r.reason[:160]}" for r in results if r.status != "operating"}
    # The floor: one GET per file this run had to fetch; per dated folder read (an account, region and service's
    # files), one LIST page per started 1,000 new keys and at least one, since nothing tells a client a folder got
    # no new file but listing it; and every other read (current state, each needed).
    files = [e for e in manifest.entries if e.query.startswith("s3://")]
    fresh = [e for e in files if e.collected_at >= run_started]
    new_in = Counter(DATED_FOLDER.match(e.query).group(1) for e in fresh)
    lists = sum(
        max(1, math.ceil(new_in[folder] / 1000)) for folder in {DATED_FOLDER.match(e.query).group(1) for e in files}
    )
    reads = sum(n for action, n in calls.items() if action not in ("s3:GetObject", "s3:ListBucket"))
    print(
        json.dumps(
            {
                "seconds": round(time.perf_counter() - started, 1),
                "phases": phases.seconds,
                "phase_cpu_seconds": phases.cpu,
                "socready_cpu_seconds": round(own_cpu_seconds(), 1),
                "peak_rss_mb": peak_rss_mb(),
                "collect_peak_rss_mb": collect_peak,
                "worker_peak_rss_mb": children.workers_mb(),
                "report_json_bytes": paths["json"].stat().st_size,
                "entries": len(manifest.entries),
                "fetched": len(fresh),
                "errors": len(manifest.errors),
                "api_calls": sum(calls.values()),
                "minimum_calls": len(fresh) + lists + reads,
                "calls": dict(calls),
                "controls": len(plans),
                "statuses": dict(statuses),
                "not_operating": not_operating,
            }
        )
    )


if __name__ == "__main__":
    scope_path, as_of, runner, workers, spawned = sys.argv[1:]
    measure(scope_path, as_of, runner, int(workers), float(spawned))
