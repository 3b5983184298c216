"""Benchmark: what a loaded manifest costs per entry, the run's one object every Dask worker and the flow hold.

    python benchmarks/manifest_memory.py                 # 100,000 entries, org M's Config history file names
    python benchmarks/manifest_memory.py --entries 450000

Prints the bytes a loaded manifest holds per entry (tracemalloc: the Python objects, not the JSON), the peak while
loading it, the JSON's bytes per entry, and the CPU per entry of loading it (best of 3).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]  # the core, from this checkout

from socready.evidence.manifest import EvidenceEntry, Manifest, ManifestWindow  # noqa: E402


def manifest_json(count: int) -> bytes:
    """A manifest of `count` Config history files spread over 50 accounts, 4 regions and a year of days."""
    entries = []
    for n in range(count):
        account, region, month, day = (
            f"{100000000000 + n % 50 * 111111111:012d}",
            f"region-{n % 4}",
            n % 12 + 1,
            n % 28 + 1,
        )
        name = f"{account}_Config_{region}_ConfigHistory_AWS::S3::Bucket_2026{month:02d}{day:02d}T{n % 24:02d}00Z_{n}"
        entries.append(
            EvidenceEntry(
                sha256=hashlib.sha256(str(n).encode()).hexdigest(),
                source="aws.config.history",
                query=f"s3://config-history/AWSLogs/{account}/Config/{region}/2026/{month}/{day}/ConfigHistory/{name}.json.gz",
                collected_at=datetime(2026, 12, 3, tzinfo=UTC),
                connector="connectors.aws.config",
                connector_version="1",
                account=account,
                region=region,
                size=4096,
                media_type="application/gzip",
            )
        )
    window = ManifestWindow(
        start=datetime(2026, 1, 1, tzinfo=UTC), end=datetime(2026, 12, 31, tzinfo=UTC), timezone="UTC"
    )
    return Manifest(
        run_id="benchmark",
        organization="Benchmark Org",
        created_at=datetime.now(UTC),
        window=window,
        entries=entries,
        errors=[],
    ).to_json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    data = manifest_json(args.entries)
    tracemalloc.start()
    loaded = Manifest.model_validate_json(data)
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del loaded
    cpu = []
    for _ in range(3):
        started = time.process_time()
        Manifest.model_validate_json(data)
        cpu.append(time.process_time() - started)
    per = args.entries
    print(
        f"{per:,} entries: {held / per:,.0f} B held per entry ({held / 2**20:,.0f} MiB), peak {peak / per:,.0f} B "
        f"while loading; JSON {len(data) / per:,.0f} B per entry; load {min(cpu) / per * 1e6:.2f} µs CPU per entry"
    )


if __name__ == "__main__":
    main()
