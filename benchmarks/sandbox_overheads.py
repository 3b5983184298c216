"""Benchmark: the fixed costs of one sandbox run (`socready demo`): Prefect's share, evidence fsyncs, report size.

    python benchmarks/sandbox_overheads.py              # one full run on a fresh sandbox
    python benchmarks/sandbox_overheads.py --profile    # also print the 25 costliest calls

Prints the run's wall time, the time Prefect spent walking task arguments and results (`visit_collection`,
profiled in the flow's thread), the count and time of the evidence store's fsync/syncfs calls, and the size
of report.json.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from socready.evidence import backends  # noqa: E402

WALKER = "visit_collection"  # Prefect's walk over task parameters and results


class Counted:
    """Wraps a durability call: how often it ran and for how long."""

    def __init__(self, call) -> None:
        self.call, self.count, self.seconds = call, 0, 0.0

    def __call__(self, *args):
        started = time.perf_counter()
        try:
            return self.call(*args)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


def prefect_seconds(stats: pstats.Stats, module: str, name: str) -> float:
    """Cumulative time of one Prefect function's outermost calls (cProfile does not double-count recursion)."""
    return sum(
        row[3]
        for (path, _, function), row in stats.stats.items()  # type: ignore[attr-defined]
        if function == name and path.endswith(f"prefect/{module}")
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="print the 25 costliest calls by cumulative time")
    args = parser.parse_args()
    from socready.cli import main as socready

    syncs = {}
    for host, name in ((os, "fsync"), (backends, "sync_filesystem")):
        if hasattr(host, name):
            syncs[name] = Counted(getattr(host, name))
            setattr(host, name, syncs[name])
    with tempfile.TemporaryDirectory(prefix="socready-overheads-") as folder:
        output = Path(folder) / "report"
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        code = socready(["demo", "--sandbox-dir", str(Path(folder) / "sandbox"), "--output", str(output)])
        profile.disable()
        wall = time.perf_counter() - started
        stats = pstats.Stats(profile)
        size = (output / "report.json").stat().st_size
    print(f"exit code {code}; wall {wall:.1f} s (sandbox seeding included)")
    walked = prefect_seconds(stats, "utilities/collections.py", WALKER)
    engine = "task_engine.py"
    around = prefect_seconds(stats, engine, "run_task") - prefect_seconds(stats, engine, "call_task_fn")
    print(f"Prefect walking task arguments/results ({WALKER}): {walked:.2f} s")
    print(f"Prefect's share around task bodies (run_task minus the task functions): {around:.2f} s")
    print(f"Prefect flow start-up (initialize_run): {prefect_seconds(stats, 'flow_engine.py', 'initialize_run'):.2f} s")
    for name, counted in syncs.items():
        print(f"{name}: {counted.count} calls, {counted.seconds:.2f} s")
    print(f"report.json: {size:,} bytes ({size / 2**20:.2f} MiB)")
    if args.profile:
        stats.sort_stats("cumulative").print_stats(25)
    return code


if __name__ == "__main__":
    sys.exit(main())
