"""Benchmark: full backfill and incremental run of the AWS controls over a generated organization on moto.

    python benchmarks/aws_org.py                      # size S: 10 accounts x 2 regions, 5,000 resources,
                                                      # 100,000 Config items, 1,000,000 CloudTrail events, 12 months
    python benchmarks/aws_org.py --scale 0.01         # a quick smoke run

Prints wall time of the full backfill and of an incremental run after one more day, the peak memory of
each (a fresh process each), and the API calls made against the minimum needed (one GET per file, one
LIST page per 1,000 keys of each month prefix, and the current-state reads, which are all needed).
The moto server runs in its own process, as AWS would be remote.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from socready.sandbox.aws import account_session  # noqa: E402
from socready.sandbox.cloudtrail_files import cloudtrail_event, log_file_objects  # noqa: E402
from socready.sandbox.config_files import config_item, history_file_objects  # noqa: E402
from socready.sandbox.uploads import put_objects  # noqa: E402

TODAY = date(2026, 11, 1)  # the benchmark's "now": the window is the 12 months before it
LOGS, CONFIG = "bench-cloudtrail-logs", "bench-config-history"
REGIONS = ["us-east-1", "eu-west-1"]
WRITES = ["AuthorizeSecurityGroupIngress", "PutBucketPolicy", "CreateAccessKey", "UpdateAccessKey", "TagResource"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto() -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(f"{url}/moto-api/", timeout=1)
            return server, url
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("moto server did not start")


def account_ids(count: int) -> list[str]:
    return [f"{100000000000 + i * 111111111:012d}" for i in range(count)]


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def log_files(accounts: list[str], day_list: list[date], per_hour: int, rng: random.Random):
    """CloudTrail files, one per account, region and day: reads every few minutes, ~2 % mutations."""
    mutations = [
        cloudtrail_event(
            rng.choice(WRITES),
            datetime.combine(day, datetime.min.time(), UTC) + timedelta(seconds=rng.randrange(86400)),
            account,
            region,
            f"user{n % 50}",
            {"n": n},
            service="ec2",
        )
        for account in accounts
        for region in REGIONS
        for day in day_list
        for n in range(max(1, per_hour * 24 // 50))
    ]
    return log_file_objects(accounts, REGIONS, day_list[0], day_list[-1], mutations, per_hour=per_hour)


def config_history(accounts: list[str], resources: int, items: int, day_list: list[date], rng: random.Random):
    """Config items for S3 buckets and security groups: each resource changes items/resources times."""
    per_account = max(1, resources // len(accounts))
    changes = max(1, items // resources)
    for account in accounts:
        for r in range(per_account):
            region = REGIONS[r % len(REGIONS)]
            kind = "AWS::S3::Bucket" if r % 2 else "AWS::EC2::SecurityGroup"
            rid = f"bench-{account[-4:]}-{r}" if r % 2 else f"sg-{account[-4:]}{r:05d}"
            for change in range(changes):
                when = datetime.combine(rng.choice(day_list), datetime.min.time(), UTC) + timedelta(hours=change)
                configuration = (
                    {"name": rid}
                    if r % 2
                    else {
                        "groupId": rid,
                        "ipPermissions": [{"fromPort": 443, "toPort": 443, "ipRanges": ["10.0.0.0/8"]}],
                    }
                )
                yield config_item(
                    kind,
                    rid,
                    account,
                    region,
                    when,
                    configuration,
                    {
                        "ServerSideEncryptionConfiguration": {
                            "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
                        }
                    }
                    if r % 2
                    else {},
                )


def generate(url: str, args: argparse.Namespace, first: date, last: date) -> dict:
    rng = random.Random(7)
    accounts = account_ids(args.accounts)
    home = account_session(url, accounts[0]).client("s3", endpoint_url=url)
    home.create_bucket(Bucket=LOGS)
    home.create_bucket(Bucket=CONFIG)
    day_list = days(first, last)
    per_hour = max(1, round(args.events / (len(accounts) * len(REGIONS) * len(day_list) * 24 * 1.02)))
    started = time.perf_counter()
    log_count = put_objects(home, LOGS, log_files(accounts, day_list, per_hour, rng))
    items = list(config_history(accounts, args.resources, args.config_items, day_list, rng))
    config_count = put_objects(home, CONFIG, history_file_objects(items))
    return {
        "accounts": len(accounts),
        "log_files": log_count,
        "events": round(log_count * per_hour * 24 * 1.02),
        "config_files": config_count,
        "config_items": len(items),
        "per_hour": per_hour,
        "generate_seconds": round(time.perf_counter() - started, 1),
    }


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
    plans = [
        p
        for p in plan_assessments(load_catalog(), scope)
        if p.applicable and all(s.startswith("aws.") for s in p.control.evidence)
    ]
    sources = sorted({s for p in plans for s in p.control.evidence})
    store = open_store(scope.evidence_store)
    started = time.perf_counter()
    run_started = datetime.now(UTC)
    manifest = collect(scope, window, store, sources)
    collected = time.perf_counter() - started
    view = EvidenceView(store, manifest)
    statuses = Counter(assess_control(p, scope, window, view, store).status for p in plans)
    # The floor: one GET per file this run had to fetch, one LIST per month prefix those files sit in
    # (each holds fewer than 1,000 keys: one page), and every current-state read (each is needed).
    fresh = [e for e in manifest.entries if e.media_type == "application/gzip" and e.collected_at >= run_started]
    prefixes = {(e.source, e.account, e.region, e.query.rsplit("/", 3)[0]) for e in fresh}
    reads = sum(n for action, n in calls.items() if action not in ("s3:GetObject", "s3:ListBucket"))
    print(
        json.dumps(
            {
                "seconds": round(time.perf_counter() - started, 1),
                "collect_seconds": round(collected, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "entries": len(manifest.entries),
                "fetched": len(fresh),
                "errors": len(manifest.errors),
                "api_calls": sum(calls.values()),
                "minimum_calls": len(fresh) + len(prefixes) + reads,
                "calls": dict(calls),
                "controls": len(plans),
                "statuses": dict(statuses),
            }
        )
    )


def run_measure(scope_path: Path, as_of: datetime) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", str(scope_path), "--as-of", as_of.isoformat()],
        capture_output=True,
        text=True,
        check=True,
        env={
            **os.environ,
            **{
                "AWS_ACCESS_KEY_ID": "bench",
                "AWS_SECRET_ACCESS_KEY": "bench",
                "AWS_DEFAULT_REGION": REGIONS[0],
                "GX_ANALYTICS_ENABLED": "false",
            },
        },
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


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
    server, url = start_moto()
    try:
        with tempfile.TemporaryDirectory() as folder:
            size = generate(url, args, first, last)
            scope = write_scope(Path(folder), url, account_ids(args.accounts), first)
            full = run_measure(scope, datetime.combine(last, datetime.min.time(), UTC) + timedelta(hours=23))
            # one more day of changes, then an incremental run
            rng = random.Random(8)
            home = account_session(url, account_ids(args.accounts)[0]).client("s3", endpoint_url=url)
            day = last + timedelta(days=1)
            new_files = put_objects(home, LOGS, log_files(account_ids(args.accounts), [day], size["per_hour"], rng))
            incremental = run_measure(scope, datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=23))
    finally:
        server.terminate()
    keys = ("seconds", "collect_seconds", "peak_rss_mb", "entries", "fetched", "api_calls", "minimum_calls")
    report = {"size": size, "new_files_for_incremental": new_files}
    for name, result in (("full_backfill", full), ("incremental", incremental)):
        report[name] = {
            **{k: result[k] for k in keys},
            "ratio": round(result["api_calls"] / result["minimum_calls"], 3),
            "controls": result["controls"],
            "statuses": result["statuses"],
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
