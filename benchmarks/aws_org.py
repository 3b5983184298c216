"""Benchmark: full backfill and incremental run of the AWS controls over a generated organization on moto.

    python benchmarks/aws_org.py                      # size S: 10 accounts x 2 regions, 5,000 resources,
                                                      # 100,000 Config items, 1,000,000 CloudTrail events, 12 months
    python benchmarks/aws_org.py --scale 0.01         # a quick smoke run
    python benchmarks/aws_org.py --size org-m --scale 0.04 --runner dask --workers 2
                                                      # org M: 50 accounts x 4 regions, 50,000 resources,
                                                      # 1,000,000 Config items, on a 2-worker LocalCluster
    python benchmarks/aws_org.py --size org-m --runner dask --workers 2 --full-backfill-only
                                                      # the full org M: its backfill alone (about 2 hours here)

Prints, for the full backfill and for an incremental run after one more day (a fresh process each, run by
benchmarks/aws_org_run.py, which imports nothing of the benchmark's own): wall time per phase (start-up,
collection, assessment, tickets, report), socready's own CPU seconds (its process, Dask workers and Prefect's
server) apart from the moto server's (a process of its own, as AWS would be remote), peak RSS (and per Dask
worker), and the API calls made against the minimum needed: one GET per file fetched; per dated folder (an
account, region and service's delivered files) one LIST page per started 1,000 new keys, and at least one, since
only a listing tells that a folder got nothing new; and the current-state reads, which are all needed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "sandbox")]  # the core and the sandbox distribution, from this checkout

from benchmarks.moto_process import MotoProcess  # noqa: E402
from benchmarks.org_state import REGIONS, config_items, create_organization, job_reports, log_files, mix  # noqa: E402
from socready_sandbox.aws import account_session  # noqa: E402
from socready_sandbox.config_files import history_file_objects  # noqa: E402

# The full backfill's as-of: two days ago, so the incremental run's day (yesterday) is run after it has ended, as a
# user runs it; collectors list delivered files up to the real now, and an as-of months back would list those
# months too. The window is the 12 months before it.
TODAY = datetime.now(UTC).date() - timedelta(days=2)
LOGS, CONFIG = "bench-cloudtrail-logs", "bench-config-history"


def account_ids(count: int) -> list[str]:
    return [f"{100000000000 + i * 111111111:012d}" for i in range(count)]


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def generate(moto: MotoProcess, args: argparse.Namespace, first: date, last: date) -> tuple[dict, list]:
    """The organization on moto: live resources over HTTP, then a year of log files, Config history and job
    reports written into moto's backend (as fast as a local copy; PutObject over HTTP took ≈ 11 ms a file)."""
    rng, url = random.Random(7), moto.url
    sessions = {account: account_session(url, account) for account in account_ids(args.accounts)}
    home = sessions[account_ids(args.accounts)[0]].client("s3", endpoint_url=url)
    home.create_bucket(Bucket=LOGS)
    home.create_bucket(Bucket=CONFIG)
    started = time.perf_counter()
    accounts = create_organization(sessions, url, mix(args.resources, args.accounts), LOGS)
    created = time.perf_counter() - started
    day_list = days(first, last)
    per_hour = max(1, round(args.events / (len(accounts) * len(REGIONS) * len(day_list) * 24 * 1.02)))
    log_count = moto.store(LOGS, log_files(accounts, day_list, per_hour, rng))
    resources = sum(a.resources for a in accounts)
    per_resource = max(1, round(args.config_items / resources))
    items = list(config_items(accounts, per_resource, day_list, rng))
    config_count = moto.store(CONFIG, history_file_objects(items))
    reports = sum(moto.store(a.report_bucket(), job_reports(a, first, last)) for a in accounts)
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


def run_measure(scope_path: Path, as_of: datetime, args: argparse.Namespace, moto: MotoProcess) -> dict:
    env = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": REGIONS[0]}
    moto_before = moto.cpu_seconds()
    command = [sys.executable, str(ROOT / "benchmarks" / "aws_org_run.py"), str(scope_path), as_of.isoformat()]
    command += [args.runner, str(args.workers), str(time.time())]
    # Output to files, not pipes: a server the run leaves behind (Prefect's, if the run dies) would hold a pipe open.
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        env = {**os.environ, **env, "GX_ANALYTICS_ENABLED": "false"}
        code = subprocess.run(command, stdout=out, stderr=err, text=True, env=env).returncode
        out.seek(0), err.seek(0)
        if code:
            raise SystemExit(f"the measured run failed (exit code {code}):\n{err.read()[-5000:]}")
        result = json.loads(out.read().strip().splitlines()[-1])
    return {**result, "moto_cpu_seconds": round(moto.cpu_seconds() - moto_before, 1), "moto_rss_mb": moto.rss_mb()}


def one_more_day(moto: MotoProcess, accounts: list, day: date, size: dict) -> int:
    """The next day's log files, Config items and job reports; returns how many files were delivered."""
    rng = random.Random(8)
    delivered = moto.store(LOGS, log_files(accounts, [day], size["per_hour"], rng))
    changed = int(size["config_items"] / 365)  # a day's share of the year's changes
    items = list(config_items(accounts, size["config_items"] // size["resources"], [day], rng))
    fresh = [i for i in items if i["configurationItemStatus"] == "OK"][:changed]
    delivered += moto.store(CONFIG, history_file_objects(fresh))
    return delivered + sum(moto.store(a.report_bucket(), job_reports(a, day, day)) for a in accounts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the size by this (0.01 for a smoke run)")
    parser.add_argument("--runner", choices=["threads", "dask"], default="threads")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster workers with --runner dask")
    parser.add_argument("--full-backfill-only", action="store_true", help="skip the next day's incremental run")
    args = parser.parse_args()
    accounts, regions, resources, items, events = SIZES[args.size]
    REGIONS[2:] = MORE_REGIONS[: regions - 2]  # every module reads this one list
    # Size S keeps its 10 accounts down to scale 0.1; org M shrinks its accounts with the scale.
    args.accounts = max(1, round(accounts * (min(1.0, args.scale * 10) if args.size == "S" else args.scale)))
    args.resources, args.config_items = int(resources * args.scale), int(items * args.scale)
    args.events = int(events * args.scale)
    first, last = TODAY - timedelta(days=365), TODAY
    moto = MotoProcess()
    url = moto.url
    try:
        with tempfile.TemporaryDirectory() as folder:
            size, accounts = generate(moto, args, first, last)
            print(json.dumps({"size": size}), flush=True)
            scope = write_scope(Path(folder), url, [a.id for a in accounts], first)
            runs = {
                "full_backfill": run_measure(
                    scope, datetime.combine(last, datetime.min.time(), UTC) + timedelta(hours=23), args, moto
                )
            }
            print(json.dumps({"full_backfill": runs["full_backfill"]}), flush=True)
            new_files = None
            if not args.full_backfill_only:
                day = last + timedelta(days=1)
                new_files = one_more_day(moto, accounts, day, size)
                as_of = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=23)
                runs["incremental"] = run_measure(scope, as_of, args, moto)
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
    for name, result in runs.items():
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
