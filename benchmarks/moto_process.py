"""The AWS stand-in of the benchmarks: the sandbox's moto in a process of its own, so the CPU it spends answering is
not counted as socready's. Imported by a benchmark's driver only, never by the process it measures."""

from __future__ import annotations

import sys
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "sandbox")]  # the core and the sandbox distribution, from this checkout

from socready_sandbox.aws_process import AwsProcess  # noqa: E402


class MotoProcess(AwsProcess):
    """The sandbox's moto in its own process, empty, so the CPU it spends answering is not counted as socready's."""

    def __init__(self) -> None:
        super().__init__(seed=False)
        self.url = self.seeded().endpoint

    def cpu_seconds(self) -> float:
        times = psutil.Process(self.child.pid).cpu_times()
        return times.user + times.system

    def rss_mb(self) -> int:
        return psutil.Process(self.child.pid).memory_info().rss // 2**20
