"""Benchmark: full backfill and incremental run of the AWS controls over a generated organization on moto.

    python benchmarks/aws_org.py                      # size S: 10 accounts x 2 regions, 5,000 resources,
                                                      # 100,000 Config items, 1,000,000 CloudTrail events, 12 months
    python benchmarks/aws_org.py --scale 0.01         # a quick smoke run
    python benchmarks/aws_org.py --size org-m --scale 0.04 --runner dask --workers 2
                                                      # org M: 50 accounts x 4 regions, 50,000 resources,
                                                      # 1,000,000 Config items, on a 2-worker LocalCluster

Prints, for the full backfill and for an incremental run after one more day (a fresh process each): wall
time per phase (start-up, collection, assessment, tickets, report), socready's own CPU seconds (its process,
Dask workers and Prefect's server) apart from the moto server's (a process of its own, as AWS would be
remote), peak RSS (and per Dask worker), and the API calls made against the minimum needed (one GET per file,
one LIST page per 1,000 keys of each month prefix, and the current-state reads, which are all needed).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

import yaml
from distributed.diagnostics.plugin import WorkerPlugin

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "sandbox")]  # the core and the sandbox distribution, from this checkout

from benchmarks.costs import ChildMemory, MotoProcess, Phases, own_cpu_seconds, peak_rss_mb  # noqa: E402
from benchmarks.org_state import REGIONS, config_items, create_organization, job_reports, log_files, mix  # noqa: E402
from socready_sandbox.aws import account_session  # noqa: E402
from socready_sandbox.config_files import history_file_objects  # noqa: E402
from socready_sandbox.uploads import put_objects  # noqa: E402

TODAY = date(2026, 11, 1)  # the benchmark's "now": the window is the 12 months before it
LOGS, CONFIG = "bench-cloudtrail-logs", "bench-config-history"
MONTH_FOLDER = re.compile(r"(.*/\d{4}/\d{1,2})/\d{1,2}/")  # a delivered key up to its month folder


def account_ids(count: int) -> list[str]:
    return [f"{100000000000 + i * 111111111:012d}" for i in range(count)]


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def generate(url: str, args: argparse.Namespace, first: date, last: date) -> tuple[dict, list]:
    """The organization on moto: live resources, then a year of log files, Config history and job reports."""
    rng = random.Random(7)
    sessions = {account: account_session(url, account) for account in account_ids(args.accounts)}
    home = sessions[account_ids(args.accounts)[0]].client("s3", endpoint_url=url)
    home.create_bucket(Bucket=LOGS)
    home.create_bucket(Bucket=CONFIG)
    started = time.perf_counter()
    accounts = create_organization(sessions, url, mix(args.resources, args.accounts), LOGS)
    created = time.perf_counter() - started
    day_list = days(first, last)
    per_hour = max(1, round(args.events / (len(accounts) * len(REGIONS) * len(day_list) * 24 * 1.02)))
    log_count = put_objects(home, LOGS, log_files(accounts, day_list, per_hour, rng))
    resources = sum(a.resources for a in accounts)
    per_resource = max(1, round(args.config_items / resources))
    items = list(config_items(accounts, per_resource, day_list, rng))
    config_count = put_objects(home, CONFIG, history_file_objects(items))
    reports = sum(
        put_objects(sessions[a.id].client("s3", endpoint_url=url), a.report_bucket(), job_reports(a, first, last))
        for a in accounts
    )
    size = {
        "accounts": len(accounts),
        "resources": resources,
        "log_files": log_count,
        "events": round(log_count * per_hour * 24 * 1.02),
        "config_files": config_count,
        "config_items": len(items),
        "job_report_files": reports,
        "per_hour": per_hour,
        "create_resources_seconds": round(created, 1),
        "generate_seconds": round(time.perf_counter() - started, 1),
    }
    return size, accounts


def write_scope(folder: Path, url: str, accounts: list[str], first: date) -> Path:
    scope = {
        "organization": "Benchmark Org",
        "categories": ["security", "availability"],
        "window": {
            "start": (first + timedelta(days=1)).isoformat(),
            "end": (TODAY + timedelta(days=60)).isoformat(),
            "timezone": "UTC",
        },
        "evidence_store": str(folder / "evidence"),
        "aws": {
            "accounts": [{"id": a} for a in accounts],
            "regions": REGIONS,
            "endpoint_url": url,
            "role": {"name": "socready-collector", "external_id": "bench-external-id"},
            "requests_per_second": 200,
            "cloudtrail_logs": [{"bucket": LOGS, "account": accounts[0]}],
            "config_history": [{"bucket": CONFIG, "account": accounts[0]}],
        },
    }
    path = folder / "socready.yaml"
    path.write_text(yaml.safe_dump(scope))
    return path


SIZES = {  # accounts, regions, resources, Config items, CloudTrail events at scale 1
    "S": (10, 2, 5000, 100_000, 1_000_000),
    "org-m": (50, 4, 50_000, 1_000_000, 2_000_000),
}
MORE_REGIONS = ["eu-central-1", "ap-southeast-2"]  # org M's third and fourth


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


class CountCalls(WorkerPlugin):
    """A Dask worker plugin (sent by value with cloudpickle): each worker counts its clients' API calls."""

    name = "count-aws-calls"

    def setup(self, worker) -> None:
        from connectors.aws.session import AwsSessions

        self.calls: Counter = Counter()
        AwsSessions.client_hooks.append(call_counter(self.calls))

    @staticmethod
    def counted(dask_worker) -> dict[str, int]:
        return dict(dask_worker.plugins[CountCalls.name].calls)


def measured(scope_path: str, as_of: str, runner: str, workers: int, spawned: float) -> None:
    from connectors.aws.organizations import run_scope
    from connectors.aws.session import AwsSessions
    from flows.execution import collect_on, datasets_on, task_runner
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
    started = time.perf_counter()
    run_started = datetime.now(UTC)
    with ChildMemory() as children:
        with task_runner(ExecutionSpec(runner=runner, dask_workers=workers), store) as dask:
            if dask:  # shards run in the workers: their clients are counted there
                dask.client.register_plugin(CountCalls(), name=CountCalls.name)
            with phases("collection"):
                manifest = collect_on(dask, *where, full=False) if dask else collect(*where)
            if dask:
                for counted in dask.client.run(CountCalls.counted).values():
                    calls.update(counted)
            collect_peak = peak_rss_mb()
            with phases("assessment"):  # datasets as Dask tasks; the Checkpoint and verdicts in this process
                view = EvidenceView(store, manifest)
                discovered = run_scope(scope, view)
                if dask:
                    staged = datasets_on(dask, plans, discovered, window, view)
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
    # The floor: one GET per file this run had to fetch, one LIST per month prefix those files sit in
    # (each holds fewer than 1,000 keys: one page), and every other read (current state, each needed).
    fresh = [e for e in manifest.entries if e.query.startswith("s3://") and e.collected_at >= run_started]
    prefixes = {MONTH_FOLDER.match(e.query).group(1) for e in fresh}
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
                "minimum_calls": len(fresh) + len(prefixes) + reads,
                "calls": dict(calls),
                "controls": len(plans),
                "statuses": dict(statuses),
                "not_operating": not_operating,
            }
        )
    )


def run_measure(scope_path: Path, as_of: datetime, args: argparse.Namespace, moto: MotoProcess) -> dict:
    env = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": REGIONS[0]}
    moto_before = moto.cpu_seconds()
    command = [sys.executable, __file__, "--measure", str(scope_path), "--as-of", as_of.isoformat()]
    command += ["--runner", args.runner, "--workers", str(args.workers), "--spawned", str(time.time())]
    # Output to files, not pipes: a server the run leaves behind (Prefect's, if the run dies) would hold a pipe open.
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        env = {**os.environ, **env, "GX_ANALYTICS_ENABLED": "false"}
        code = subprocess.run(command, stdout=out, stderr=err, text=True, env=env).returncode
        out.seek(0), err.seek(0)
        if code:
            raise SystemExit(f"the measured run failed (exit code {code}):\n{err.read()[-5000:]}")
        result = json.loads(out.read().strip().splitlines()[-1])
    return {**result, "moto_cpu_seconds": round(moto.cpu_seconds() - moto_before, 1), "moto_rss_mb": moto.rss_mb()}


def one_more_day(url: str, accounts: list, day: date, size: dict) -> int:
    """The next day's log files, Config items and job reports; returns how many files were delivered."""
    rng = random.Random(8)
    home = account_session(url, accounts[0].id).client("s3", endpoint_url=url)
    delivered = put_objects(home, LOGS, log_files(accounts, [day], size["per_hour"], rng))
    changed = int(size["config_items"] / 365)  # a day's share of the year's changes
    items = list(config_items(accounts, size["config_items"] // size["resources"], [day], rng))
    fresh = [i for i in items if i["configurationItemStatus"] == "OK"][:changed]
    delivered += put_objects(home, CONFIG, history_file_objects(fresh))
    for account in accounts:
        s3 = account_session(url, account.id).client("s3", endpoint_url=url)
        delivered += put_objects(s3, account.report_bucket(), job_reports(account, day, day))
    return delivered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the size by this (0.01 for a smoke run)")
    parser.add_argument("--runner", choices=["threads", "dask"], default="threads")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster workers with --runner dask")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--as-of", help=argparse.SUPPRESS)
    parser.add_argument("--spawned", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    accounts, regions, resources, items, events = SIZES[args.size]
    REGIONS[2:] = MORE_REGIONS[: regions - 2]  # every module reads this one list
    if args.measure:
        measure(args.measure, args.as_of, args.runner, args.workers, args.spawned)
        return
    # Size S keeps its 10 accounts down to scale 0.1; org M shrinks its accounts with the scale.
    args.accounts = max(1, round(accounts * (min(1.0, args.scale * 10) if args.size == "S" else args.scale)))
    args.resources, args.config_items = int(resources * args.scale), int(items * args.scale)
    args.events = int(events * args.scale)
    first, last = TODAY - timedelta(days=365), TODAY
    moto = MotoProcess()
    url = moto.url
    try:
        with tempfile.TemporaryDirectory() as folder:
            size, accounts = generate(url, args, first, last)
            print(json.dumps({"size": size}), flush=True)
            scope = write_scope(Path(folder), url, [a.id for a in accounts], first)
            full = run_measure(
                scope, datetime.combine(last, datetime.min.time(), UTC) + timedelta(hours=23), args, moto
            )
            day = last + timedelta(days=1)
            new_files = one_more_day(url, accounts, day, size)
            as_of = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=23)
            incremental = run_measure(scope, as_of, args, moto)
    finally:
        moto.stop()
    keys = (
        "seconds",
        "phases",
        "phase_cpu_seconds",
        "socready_cpu_seconds",
        "moto_cpu_seconds",
        "peak_rss_mb",
        "collect_peak_rss_mb",
        "worker_peak_rss_mb",
        "moto_rss_mb",
        "report_json_bytes",
        "entries",
        "fetched",
        "api_calls",
        "minimum_calls",
        "calls",
    )
    report = {"size": size, "runner": args.runner, "new_files_for_incremental": new_files}
    for name, result in (("full_backfill", full), ("incremental", incremental)):
        report[name] = {
            **{k: result[k] for k in keys},
            "ratio": round(result["api_calls"] / result["minimum_calls"], 3),
            "controls": result["controls"],
            "statuses": result["statuses"],
            "not_operating": result["not_operating"],
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
