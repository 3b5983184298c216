"""Benchmark: the memory a control's task holds for what it parses: each Config resource type's items and the
CloudTrail logs (kept events and region-hours, parsed and cut at the as-of) of a generated org M (no moto: the
files are written straight into an evidence store).

    python benchmarks/parse_memory.py --scale 0.02

Prints, per resource type and for the CloudTrail logs, how many items or kept events were parsed, the memory
they hold (tracemalloc, after the parse) and per item, and that memory projected to the full org M (scale 1):
per item times the items of scale 1, as both grow linearly with the scale.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import tracemalloc
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "sandbox")]  # the core and the sandbox distribution, from this checkout

from benchmarks.aws_org import MORE_REGIONS, SIZES, TODAY, account_ids, days  # noqa: E402
from benchmarks.org_state import HOME, MIX, REGIONS, Account, config_items, log_files, mix  # noqa: E402
from expectations.cloudtrail_events import SOURCE as LOGS  # noqa: E402
from expectations.cloudtrail_events import cloudtrail_logs  # noqa: E402
from expectations.config_items import SOURCE as CONFIG  # noqa: E402
from expectations.config_items import parse_items  # noqa: E402
from socready.evidence import RunRecorder, open_store  # noqa: E402
from socready.evidence.manifest import ManifestWindow  # noqa: E402
from socready.evidence.view import EvidenceView  # noqa: E402
from socready_sandbox.config_files import history_file_objects  # noqa: E402

TYPES = {  # an Account's list -> the Config resource type of its items
    "users": "AWS::IAM::User",
    "buckets": "AWS::S3::Bucket",
    "groups": "AWS::EC2::SecurityGroup",
    "keys": "AWS::KMS::Key",
    "databases": "AWS::RDS::DBInstance",
    "log_groups": "AWS::Logs::LogGroup",
}


def organization(accounts: int, resources: int) -> list[Account]:
    """Accounts holding org_state's mix of resources, named as moto would name them, spread over the regions."""
    counts = mix(resources, accounts)
    made = []
    for account in account_ids(accounts):
        found = Account(account, users=[f"user-{n}" for n in range(counts["users"])])
        for kind in MIX.keys() - {"users"}:
            names = [f"{kind}-{account}-{n}" for n in range(counts[kind])]
            if kind == "keys":
                names = [f"arn:aws:kms:{HOME}:{account}:key/{name}" for name in names]
            setattr(found, kind, [(name, REGIONS[n % len(REGIONS)]) for n, name in enumerate(names)])
        made.append(found)
    return made


def write_run(folder: str, accounts: list[Account], config_per_resource: int, events: int) -> EvidenceView:
    """A year of Config history files and CloudTrail log files in a run's manifest."""
    rng, year = random.Random(7), days(TODAY - timedelta(days=365), TODAY)
    store = open_store(folder)
    start, end = (datetime.combine(day, time(0), UTC) for day in (year[1], TODAY + timedelta(days=60)))
    as_of = datetime.combine(TODAY, time(23), UTC)  # as the benchmark's full backfill runs
    window = ManifestWindow(start=start, end=end, timezone="UTC", as_of=as_of)
    recorder = RunRecorder(store, "20261101T230000Z-aaaaaa", "Benchmark Org", window)
    per_hour = max(1, round(events / (len(accounts) * len(REGIONS) * len(year) * 24 * 1.02)))
    files = {
        CONFIG: history_file_objects(config_items(accounts, config_per_resource, year, rng)),
        LOGS: log_files(accounts, year, per_hour, rng),
    }
    for source, objects in files.items():
        for key, body in objects:
            where = {"account": key.split("/")[1], "region": key.split("/")[3], "media_type": "application/gzip"}
            recorder.add(
                body, source=source, query=f"s3://bucket/{key}", connector="bench", connector_version="1", **where
            )
    return EvidenceView(store, recorder.finish())


def held(parse) -> tuple[object, int]:
    """What `parse()` returns and the memory it holds once parsed."""
    tracemalloc.start()
    parsed = parse()
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return parsed, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=0.02, help="of org M")
    args = parser.parse_args()
    accounts, regions, resources, items, events = SIZES["org-m"]
    REGIONS[2:] = MORE_REGIONS[: regions - 2]
    org = organization(max(1, round(accounts * args.scale)), int(resources * args.scale))
    made = sum(a.resources for a in org)
    report = {"scale": args.scale, "accounts": len(org), "resources": made}
    with tempfile.TemporaryDirectory() as folder:
        view = write_run(folder, org, max(1, round(items * args.scale / made)), int(events * args.scale))
        for kind, resource_type in TYPES.items():
            parsed, size = held(lambda t=resource_type: parse_items(view, t))
            full = items * MIX[kind] / sum(MIX.values())  # this type's share of org M's items
            report[resource_type] = {
                "items": len(parsed),
                "mib": round(size / 2**20, 1),
                "bytes_per_item": size // max(1, len(parsed)),
                "org_m_mib": round(size / max(1, len(parsed)) * full / 2**20),
            }
        logs, size = held(lambda: cloudtrail_logs(view))  # parsed, and cut at the as-of: a task holds both
        report[LOGS] = {
            "kept_events": len(logs.events),
            "mib": round(size / 2**20, 1),
            "bytes_per_event": size // max(1, len(logs.events)),
            "org_m_mib": round(size / args.scale / 2**20),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
