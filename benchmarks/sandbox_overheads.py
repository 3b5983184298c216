"""Benchmark: the fixed costs of one sandbox run (`socready demo`): Prefect's share, evidence fsyncs, report size.

    python benchmarks/sandbox_overheads.py              # one full run on a fresh sandbox
    python benchmarks/sandbox_overheads.py --next-day   # the run of the day after, with nothing new to fetch
    python benchmarks/sandbox_overheads.py --profile    # also print the 25 costliest calls

Prints the run's wall time, the time Prefect spent starting and stopping its temporary server and walking
task arguments and results (`visit_collection`, profiled in the flow's thread), the count and time of the
evidence store's fsync/syncfs calls, and the size of report.json. With `--next-day`, a first run (as of
2026-12-01, in a process of its own) fills the evidence store; `socready run` as of the next day, in a process of
its own and without the profiler, gives the wall time a user sees; the profiled run is the day after that. Both
find every file already collected.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "sandbox")]  # the core and the sandbox distribution, from this checkout

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


def sandbox_run(folder: Path, next_day: bool, output: Path, stack: ExitStack) -> list[str]:
    """The profiled command's arguments: a demo on a fresh sandbox, or a run two days after a first one (after
    the timed, unprofiled run of the day after it)."""
    if not next_day:
        return ["demo", "--sandbox-dir", str(folder / "sandbox"), "--output", str(output)]
    from socready_sandbox.environment import Sandbox

    box = stack.enter_context(Sandbox(folder / "sandbox"))

    def run(day: str, output: Path) -> list[str]:
        return [
            sys.executable,
            "-m",
            "socready.cli",
            "run",
            "--scope",
            str(box.scope_path),
            "--as-of",
            day,
            "--output",
            str(output),
        ]

    subprocess.run(run("2026-12-01", folder / "first"), check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run(run("2026-12-02", folder / "second"), check=True, capture_output=True)
    print(f"wall {time.perf_counter() - started:.1f} s: `socready run` the next day, nothing new (no profiler)")
    return run("2026-12-03", output)[3:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="print the 25 costliest calls by cumulative time")
    parser.add_argument("--next-day", action="store_true", help="measure the run of the day after a first run")
    args = parser.parse_args()
    from socready.cli import main as socready

    syncs = {}
    for host, name in ((os, "fsync"), (backends, "sync_filesystem")):
        if hasattr(host, name):
            syncs[name] = Counted(getattr(host, name))
            setattr(host, name, syncs[name])
    with tempfile.TemporaryDirectory(prefix="socready-overheads-") as folder, ExitStack() as stack:
        output = Path(folder) / "report"
        command = sandbox_run(Path(folder), args.next_day, output, stack)
        from prefect.server.api.server import SubprocessASGIServer

        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        code = socready(command)
        SubprocessASGIServer().stop()  # what exit would do (atexit), inside the measured time
        profile.disable()
        wall = time.perf_counter() - started
        stats = pstats.Stats(profile)
        size = (output / "report.json").stat().st_size
    measured = "profiled, nothing new to fetch" if args.next_day else "profiled, sandbox seeding included"
    print(f"exit code {code}; wall {wall:.1f} s ({measured})")
    server = "server/api/server.py"
    # The server starts in a thread of its own while the flow's modules are imported: what the run pays for it is
    # the wait for that thread, and the stop.
    waited = sum(
        by_caller[3]
        for (path, _, name), row in stats.stats.items()  # type: ignore[attr-defined]
        if name == "join" and path.endswith("threading.py")
        for (caller, _, _), by_caller in row[4].items()
        if caller.endswith("socready/cli.py")
    )
    started_stopped = waited + prefect_seconds(stats, server, "stop")
    print(f"Prefect's temporary server, waited for after the imports, and stopped: {started_stopped:.2f} s")
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
