"""Writes killed at random points lose nothing that is listed: every object a committed manifest or checkpoint
lists is in the store with its sha256, though objects are synced in batches rather than one by one."""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import os
import random
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

from socready.evidence import RunRecorder, open_store
from socready.evidence.manifest import ManifestWindow

SPAWN = multiprocessing.get_context("spawn")  # a clean interpreter, as a scheduled run would be
KILLS = 6
WINDOW = ManifestWindow(start=datetime(2026, 5, 1, tzinfo=UTC), end=datetime(2026, 11, 1, tzinfo=UTC), timezone="UTC")


def write_runs(folder: str, seed: int) -> None:
    """In the child: run after run of random objects, checkpointing every few, until it is killed."""
    RunRecorder.checkpoint_every = 7
    rng, store = random.Random(seed), open_store(folder)
    for run in itertools.count():
        recorder = RunRecorder(store, f"20261126T000000Z-{seed:02d}{run:05d}", "Acme", WINDOW)
        for n in range(rng.randint(5, 40)):
            data = rng.randbytes(rng.randint(10, 20_000))
            recorder.add(data, source="file.export", query=f"export-{n}", connector="test", connector_version="1")
        recorder.finish()


def objects_on_disk(folder: Path) -> int:
    return sum(1 for _ in (folder / "objects").rglob("*")) if (folder / "objects").is_dir() else 0


def intact(store, sha256: str) -> bool:
    path = Path(store.location) / store.object_key(sha256)
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == sha256


def test_objects_listed_by_a_manifest_or_checkpoint_survive_sigkill_at_random_points(tmp_path):
    rng, folder = random.Random(14), tmp_path / "evidence"
    for kill in range(KILLS):
        before = objects_on_disk(folder)
        child = SPAWN.Process(target=write_runs, args=(str(folder), kill))
        child.start()
        deadline = time.monotonic() + 120
        while objects_on_disk(folder) == before:  # the child is writing
            assert time.monotonic() < deadline, "the child wrote nothing"
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 1.5))
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        assert child.exitcode == -signal.SIGKILL

        store = open_store(str(folder))
        assert store.verify() == []  # every object each committed manifest lists is there and matches its hash
        for run in store.interrupted_runs():
            assert all(intact(store, entry.sha256) for entry in store.load_parts(run))
    print(f"{len(store.run_ids())} runs committed, {len(store.interrupted_runs())} interrupted after a checkpoint")
    assert store.run_ids()  # runs were committed between the kills
    # a kill between a manifest and its ledger entry leaves that run out of the ledger, named by verify
    assert {p.problem for p in store.verify_ledger()} <= {"run not in ledger"}
