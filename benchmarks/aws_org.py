"""Benchmark: full backfill and incremental run of the AWS controls over a generated organization on moto.

    python benchmarks/aws_org.py                      # size S: 10 accounts x 2 regions, 5,000 resources,
                                                      # 100,000 Config items, 1,000,000 CloudTrail events, 12 months
    python benchmarks/aws_org.py --scale 0.01         # a quick smoke run

Prints wall time of the full backfill and of an incremental run after one more day, the peak memory of
each (a fresh process each), and the API calls made against the minimum needed (one GET per file, one
LIST page per 1,000 keys of each month prefix, and the current-state reads, which are all needed).
The measured runs are fresh processes; the moto server runs in the benchmark's own process, as AWS would
be remote.
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
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "sandbox")]  # the core and the sandbox distribution, from this checkout

from benchmarks.org_state import REGIONS, config_items, create_organization, job_reports, log_files, mix  # noqa: E402
from socready_sandbox import moto_backup  # noqa: E402
from socready_sandbox.aws import account_session, start_moto  # noqa: E402
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


def peak_rss_mb() -> int:
    """This process's own peak resident memory (VmHWM). Not ru_maxrss: Linux carries the spawning process's
    peak into a child it starts (vfork, then exec), and the benchmark's parent holds the moto server's state."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmHWM:"))


def measure(scope_path: str, as_of: str) -> None:
    """Runs in a fresh process: collect every AWS source the catalog needs, assess every AWS control."""
    from connectors.aws.session import AwsSessions
    from connectors.policy import iam_action
    from socready.applicability import plan_assessments
    from socready.assess import assess_control
    from socready.catalog import load_catalog
    from socready.collect import collect
    from socready.evidence import open_store
    from socready.evidence.view import EvidenceView
    from socready.scope import load_scope
    from socready.window import Window

    calls: Counter = Counter()

    def count(client, account, region):
        service = client.meta.service_model.service_name
        client.meta.events.register(
            "before-call.*.*", lambda model, **_: calls.update([iam_action(service, model.name)])
        )

    AwsSessions.client_hooks.append(count)
    scope = load_scope(Path(scope_path))
    window = Window(scope.window.start, scope.window.end, scope.window.timezone, datetime.fromisoformat(as_of))

    def required(plan) -> set[str]:  # an optional Jira source (NET-02's incident tickets) is not in this scope
        return set(plan.control.evidence) - set(plan.control.optional_evidence)

    catalog = plan_assessments(load_catalog(), scope)
    plans = [p for p in catalog if p.applicable and all(s.startswith("aws.") for s in required(p))]
    sources = sorted({s for p in plans for s in required(p)})
    store = open_store(scope.evidence_store)
    started = time.perf_counter()
    run_started = datetime.now(UTC)
    manifest = collect(scope, window, store, sources)
    collected = time.perf_counter() - started
    collect_peak = peak_rss_mb()
    view = EvidenceView(store, manifest)
    results = [assess_control(p, scope, window, view, store) for p in plans]
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
                "collect_seconds": round(collected, 1),
                "peak_rss_mb": peak_rss_mb(),
                "collect_peak_rss_mb": collect_peak,
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


def run_measure(scope_path: Path, as_of: datetime) -> dict:
    env = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": REGIONS[0]}
    out = subprocess.run(
        [sys.executable, __file__, "--measure", str(scope_path), "--as-of", as_of.isoformat()],
        capture_output=True,
        text=True,
        env={**os.environ, **env, "GX_ANALYTICS_ENABLED": "false"},
    )
    if out.returncode:
        raise SystemExit(f"the measured run failed:\n{out.stderr[-5000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


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
    parser.add_argument("--scale", type=float, default=1.0, help="multiply size S by this (0.01 for a smoke run)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--as-of", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.as_of)
        return
    args.accounts = max(1, round(10 * min(1.0, args.scale * 10)))
    args.resources, args.config_items = int(5000 * args.scale), int(100_000 * args.scale)
    args.events = int(1_000_000 * args.scale)
    first, last = TODAY - timedelta(days=365), TODAY
    moto_backup.install()
    server, url = start_moto()
    try:
        with tempfile.TemporaryDirectory() as folder:
            size, accounts = generate(url, args, first, last)
            print(json.dumps({"size": size}), flush=True)
            scope = write_scope(Path(folder), url, [a.id for a in accounts], first)
            full = run_measure(scope, datetime.combine(last, datetime.min.time(), UTC) + timedelta(hours=23))
            day = last + timedelta(days=1)
            new_files = one_more_day(url, accounts, day, size)
            incremental = run_measure(scope, datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=23))
    finally:
        server.stop()
    keys = (
        "seconds",
        "collect_seconds",
        "peak_rss_mb",
        "collect_peak_rss_mb",
        "entries",
        "fetched",
        "api_calls",
        "minimum_calls",
        "calls",
    )
    report = {"size": size, "new_files_for_incremental": new_files}
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
