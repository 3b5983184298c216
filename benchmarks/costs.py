"""What a benchmark measures apart: socready's CPU and memory (its process, Dask workers, Prefect's server) against
the AWS stand-in's, which runs in a process of its own (benchmarks/moto_process.py), and the wall time of each
phase of a run. Light to import: a measured process imports it."""

from __future__ import annotations

import resource
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psutil


def own_cpu_seconds() -> float:
    """This process's CPU and that of its children that have exited (Dask workers, Prefect's server)."""
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def peak_rss_mb() -> int:
    """This process's own peak resident memory (VmHWM). Not ru_maxrss: Linux carries the spawning process's
    peak into a child it starts (vfork, then exec)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmHWM:"))


class ChildMemory:
    """Samples the resident memory of this process's children (Dask workers, Prefect's server) while it runs:
    the peak of each, by command line."""

    def __init__(self, every: float = 0.5) -> None:
        self.peaks: dict[int, tuple[str, int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(every,), daemon=True)

    def _sample(self, every: float) -> None:
        me = psutil.Process()
        while not self._stop.wait(every):
            for child in me.children(recursive=True):
                try:
                    rss, name = child.memory_info().rss // 2**20, " ".join(child.cmdline()[1:4])[:80]
                except psutil.Error:
                    continue
                self.peaks[child.pid] = (name, max(rss, self.peaks.get(child.pid, ("", 0))[1]))

    def __enter__(self) -> ChildMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def workers_mb(self) -> list[int]:
        """Peak RSS of each Dask worker process (spawned by multiprocessing)."""
        return sorted(rss for name, rss in self.peaks.values() if "spawn_main" in name)


class Phases:
    """Wall seconds of each named phase, in order, and this process's CPU seconds in it (a Dask worker's CPU is
    counted once it has exited, in the run's total, not in a phase)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        began, cpu = time.perf_counter(), own_cpu_seconds()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0) + time.perf_counter() - began, 2)
            self.cpu[name] = round(self.cpu.get(name, 0) + own_cpu_seconds() - cpu, 2)
