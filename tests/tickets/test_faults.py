"""Faults end with exactly one ticket per gap: throttling, 5xx, lost answers, crashes, lagging search, parallel runs."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from socready.errors import TicketError
from socready.readiness.model import ControlResult
from socready.scope import Scope
from socready.tickets.gateway import Jira
from socready.tickets.identity import PROPERTY
from socready.tickets.outbox import Outbox
from tests.tickets.conftest import actions, gap, operating, planned, scope_for, sync

SPAWN = multiprocessing.get_context("spawn")  # a clean interpreter, as a second scheduled run would be


class Crash(BaseException):
    """Stands in for the process dying: nothing in socready catches it."""


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def run_sync(scope: Scope, results: list[ControlResult]) -> dict[str, str]:
    """In a child process: one sync run; returns control -> action."""
    return actions(sync(scope, results))


def test_throttling_and_unavailability_are_retried_after_retry_after(jira, tmp_path):
    jira.inject_faults(status=429, retry_after=1, method="POST", route="issue")
    jira.inject_faults(status=503, retry_after=1, route="issue/<key>/properties/<prop>")
    started = time.monotonic()
    assert actions(sync(scope_for(jira, tmp_path), [gap()])) == {"ENG-LOG-01": "created"}
    assert time.monotonic() - started >= 2  # each Retry-After was honoured
    [issue] = jira.issues()
    assert PROPERTY in issue["properties"]
    assert jira.requests_made[("POST", "/rest/api/2/issue")] == 2


def test_server_errors_on_reads_and_edits_are_retried(jira, tmp_path):
    scope = scope_for(jira, tmp_path)
    sync(scope, [gap()])
    jira.inject_faults(status=500, route="issue/<key>", method="GET")
    jira.inject_faults(status=502, route="issue/<key>", method="PUT")
    assert actions(sync(scope, [gap(end_day=20)])) == {"ENG-LOG-01": "updated"}
    assert "2026-07-20" in jira.issues()[0]["fields"]["description"]


def test_a_create_whose_answer_is_lost_is_found_not_repeated(jira, tmp_path):
    jira.search_lag(1)
    jira.inject_faults(status=502, method="POST", route="issue", after_commit=True)
    lines: list[str] = []
    refs = sync(scope_for(jira, tmp_path), [gap()], lines=lines)
    [issue] = jira.issues()
    assert (refs["ENG-LOG-01"].key, refs["ENG-LOG-01"].action) == (issue["key"], "created")
    assert PROPERTY in issue["properties"]


def test_a_create_that_failed_before_jira_stored_it_is_made_once(jira, tmp_path):
    jira.inject_faults(status=500, method="POST", route="issue")
    assert actions(sync(scope_for(jira, tmp_path, search_lag_seconds=0.5), [gap()])) == {"ENG-LOG-01": "created"}
    assert len(jira.issues()) == 1


def test_a_crash_between_create_and_record_is_recovered_despite_lagging_search(jira, tmp_path, monkeypatch):
    jira.search_lag(1.5)  # the next run's search cannot see the ticket yet
    scope = scope_for(jira, tmp_path)
    created = Jira.create

    def create_then_die(self, fields):
        created(self, fields)
        raise Crash

    monkeypatch.setattr(Jira, "create", create_then_die)
    with pytest.raises(Crash):
        sync(scope, [gap()])
    monkeypatch.setattr(Jira, "create", created)
    record = next(iter(Outbox(tmp_path / "evidence" / "tickets").load().values()))
    assert record.key is None and record.pending_since is not None
    [issue] = jira.issues()
    assert PROPERTY not in issue["properties"]

    lines: list[str] = []
    refs = sync(scope, [gap()], lines=lines)
    assert (refs["ENG-LOG-01"].key, refs["ENG-LOG-01"].action) == (issue["key"], "unchanged")
    assert "recovered from an interrupted create" in lines[1]
    [issue] = jira.issues()
    assert issue["properties"][PROPERTY]["fingerprint"] == record.fingerprint


def test_a_run_killed_while_its_create_is_in_flight_leaves_one_ticket(jira, tmp_path):
    scope = scope_for(jira, tmp_path)
    jira.search_lag(1)
    # Jira stores the issue, then holds the answer back: the child dies before it can record the key
    jira.inject_faults(status=None, delay_seconds=10, method="POST", route="issue")
    child = SPAWN.Process(target=run_sync, args=(scope, [gap()]))
    child.start()
    wait_for(lambda: len(jira.issues()) == 1)
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    assert child.exitcode == -signal.SIGKILL
    lines: list[str] = []
    refs = sync(scope, [gap()], lines=lines)
    assert refs["ENG-LOG-01"].key == jira.issues()[0]["key"] and len(jira.issues()) == 1
    assert planned(lines) == [("unchanged", "ENG-LOG-01")]


def test_two_overlapping_runs_in_separate_processes_open_one_ticket_per_gap(jira, tmp_path):
    jira.search_lag(2)  # without the lock, each run's search would miss the other's creates
    scope = scope_for(jira, tmp_path)
    results = [gap("ENG-LOG-01"), gap("ENG-ACC-03", "employee/E1004"), gap("PROC-02", "vendor/Ledgerly")]
    with ProcessPoolExecutor(2, mp_context=SPAWN) as pool:
        runs = [pool.submit(run_sync, scope, results) for _ in range(2)]
        outcomes = sorted(sorted(set(run.result().values())) for run in runs)
    assert outcomes == [["created"], ["unchanged"]]
    assert len(jira.issues()) == 3


def test_two_overlapping_runs_in_threads_open_one_ticket_per_gap(jira, tmp_path):
    jira.search_lag(2)
    scope = scope_for(jira, tmp_path)
    start = threading.Barrier(2)
    outcomes: list[set[str]] = []

    def run() -> None:
        start.wait()
        outcomes.append(set(actions(sync(scope, [gap("ENG-LOG-01"), gap("PROC-02")])).values()))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(sorted, outcomes)) == [["created"], ["unchanged"]]
    assert len(jira.issues()) == 2


def hold_lock(folder, ready) -> None:
    with Outbox(folder).locked(timeout=5):
        ready.set()
        time.sleep(60)


def test_the_lock_of_a_killed_run_is_released_and_a_stuck_one_is_a_clear_error(jira, tmp_path):
    folder = tmp_path / "evidence" / "tickets"
    ready = SPAWN.Event()
    holder = SPAWN.Process(target=hold_lock, args=(folder, ready))
    holder.start()
    assert ready.wait(60)
    scope = scope_for(jira, tmp_path, lock_timeout_seconds=0.5)
    with pytest.raises(TicketError, match=rf"pid {holder.pid} .* has held the gap-ticket lock"):
        sync(scope, [gap()])
    os.kill(holder.pid, signal.SIGKILL)
    holder.join()
    assert actions(sync(scope, [gap()])) == {"ENG-LOG-01": "created"}  # the kernel dropped the dead run's lock


def test_writes_per_issue_stay_within_jiras_per_issue_limit(jira, tmp_path):
    scope = scope_for(jira, tmp_path, resolve_after_runs=1)
    most = 0
    for results in ([gap()], [gap(end_day=18)], [operating()], [gap()], [gap(end_day=19)]):
        jira.issue_writes.clear()
        sync(scope, results)
        most = max(most, *jira.issue_writes.values(), 0)
    assert most == 2  # resolving takes two transitions in this workflow; a reopen is a transition and one edit
    # and where Jira's limit is hit anyway, the 429 it answers is waited out
    jira.limit_issue_writes(1, per_seconds=1)
    started = time.monotonic()
    assert actions(sync(scope, [operating()])) == {"ENG-LOG-01": "resolved"}
    assert time.monotonic() - started >= 0.9


def test_a_create_jira_refused_leaves_nothing_to_track_once_the_gap_heals(jira, tmp_path):
    scope = scope_for(jira, tmp_path, search_lag_seconds=0.2)
    outbox = Outbox(tmp_path / "evidence" / "tickets")
    jira.inject_faults(status=400, method="POST", route="issue")
    with pytest.raises(TicketError, match="HTTP 400"):
        sync(scope, [gap()])
    [record] = outbox.load().values()
    assert record.key is None and record.pending_since is not None
    assert sync(scope, [operating()]) == {} and outbox.load() == {}
    assert jira.issues() == []
