"""A collection killed mid-way loses nothing: the next run's manifest lists every log file, every object it lists
is in the store and intact, and the verdict is a clean run's."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from datetime import date, timedelta
from pathlib import Path

from connectors.aws.session import AwsSessions
from socready.cli import main
from socready.evidence import open_store
from socready.evidence.store import RunRecorder
from socready.readiness.model import ControlResult
from socready.scope import Scope
from socready_sandbox.aws_iam import console_login
from socready_sandbox.cloudtrail_files import log_file_objects
from socready_sandbox.uploads import put_objects
from tests.controls.aws_fixtures import BUCKET
from tests.controls.iam_fixtures import PROD, at, log_bucket, one_data_loader, scope_for
from tests.helpers import collected, run_control

CONTROL = "ENG-IAM-03"  # every root event in the CloudTrail logs is an exception; reads one log file a day
SPAWN = multiprocessing.get_context("spawn")  # a clean interpreter, as a scheduled run would be
FIRST, LAST = date(2026, 6, 1), date(2026, 7, 31)


def slow_reads(client, account: str, region: str) -> None:
    """A slow network: each log file takes a while, so the run is still collecting when it is killed."""
    client.meta.events.register("before-send.s3.GetObject", lambda **_: time.sleep(0.1))


def collect_slowly(scope: Scope) -> None:
    """In the child: one collection, checkpointing every few entries (a real backfill's checkpoints come every
    500) over slow reads."""
    RunRecorder.checkpoint_every = 5
    AwsSessions.client_hooks.append(slow_reads)
    with one_data_loader():
        collected(scope, CONTROL)


def wait_for(condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def assess(folder: Path, endpoint: str) -> ControlResult:
    with one_data_loader():
        return run_control(scope_for(folder, endpoint), CONTROL)


def test_a_collection_killed_mid_way_is_completed_by_the_next_run(aws, tmp_path):
    events = [console_login(at(9), PROD, "", root=True), console_login(at(10), PROD, "alice")]
    put_objects(log_bucket(aws), BUCKET, log_file_objects([PROD], ["us-east-1"], FIRST, LAST, events))
    keys = {f"s3://{BUCKET}/{o['Key']}" for o in log_bucket(aws).list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert len(keys) == (LAST - FIRST + timedelta(days=1)).days
    clean = assess(tmp_path / "clean", aws)
    assert clean.status == "exception", clean.reason  # the decoy run, never interrupted

    folder = tmp_path / "killed"
    scope = scope_for(folder, aws)
    store_dir = Path(scope.evidence_store)
    child = SPAWN.Process(target=collect_slowly, args=(scope,))
    child.start()
    wait_for(lambda: any(store_dir.glob("runs/*/part-*.json")))  # some evidence written and checkpointed
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    assert child.exitcode == -signal.SIGKILL
    store = open_store(str(store_dir))
    [killed] = store.interrupted_runs()
    assert store.run_ids() == []  # the killed run left no manifest: nothing claims to be complete
    fetched = {(e.query, e.sha256) for e in store.load_parts(killed)}
    assert 0 < len(fetched) < len(keys)

    again = assess(folder, aws)
    assert (again.status, again.exceptions, again.coverage_gaps) == (
        clean.status,
        clean.exceptions,
        clean.coverage_gaps,
    )
    [run] = store.run_ids()
    manifest = store.load_manifest(run)
    logs = {e.query for e in manifest.entries if e.source == "aws.cloudtrail.logs"}
    assert logs == keys  # every log file, whether the killed run fetched it or not
    assert fetched <= {(e.query, e.sha256) for e in manifest.entries}
    assert store.verify() == []  # every object the manifest lists is there and matches its hash
    assert store.verify_ledger() == []
    assert main(["evidence", "verify", "--store", str(store_dir)]) == 0
