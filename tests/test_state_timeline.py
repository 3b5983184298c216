"""Rebuilding a resource's state over the window from snapshots, change events and blind periods."""

from __future__ import annotations

from datetime import UTC, datetime

from expectations.state_timeline import HOLDS, Blind, Observation, state_rows

START, END = datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC)


def at(day: int, month: int = 7) -> datetime:
    return datetime(2026, month, day, tzinfo=UTC)


def spans(observations, blind=()):
    return [(r.start, r.end, r.metrics[HOLDS]) for r in state_rows("r", observations, START, END, blind)]


def test_current_snapshot_with_no_change_holds_for_the_whole_window():
    now = Observation(at(2, 8), "pass", "encrypted", "sha-now", kind="snapshot")
    assert spans([now]) == [(START, END, True)]


def test_change_event_tells_the_state_before_it():
    off = Observation(at(10), "fail", "rotation disabled", "sha-1", before="pass")
    on = Observation(at(15), "pass", "rotation enabled", "sha-2", before="fail")
    assert spans([off, on]) == [(START, at(10), True), (at(10), at(15), False), (at(15), END, True)]


def test_change_without_known_previous_state_leaves_the_start_unknown():
    item = Observation(at(10), "pass", "config item", "sha-1")
    assert spans([item]) == [(START, at(10), None), (at(10), END, True)]


def test_creation_and_deletion_inside_the_window_leave_no_rows_outside_the_lifetime():
    created = Observation(at(5), "fail", "created unencrypted", "sha-1", before="absent")
    deleted = Observation(at(20), "absent", "deleted", "sha-2")
    assert spans([created, deleted]) == [(at(5), at(20), False)]


def test_baseline_before_the_window_wins_over_inference():
    baseline = Observation(at(20, 6), "fail", "snapshot before window", "sha-0")
    later = Observation(at(10), "pass", "fixed", "sha-1", before="pass")
    assert spans([later, baseline]) == [(START, at(10), False), (at(10), END, True)]


def test_blind_periods_are_no_evidence_unless_the_evidence_is_not_from_config():
    item = Observation(at(20, 6), "pass", "encrypted", "sha-0")
    assert spans([item], blind=[Blind(at(3), at(5))]) == [
        (START, at(3), True),
        (at(3), at(5), None),
        (at(5), END, True),
    ]
    event = Observation(at(20, 6), "pass", "enabled", "sha-0", blindable=False)
    assert spans([event], blind=[Blind(at(3), at(5))]) == [(START, END, True)]


def test_missing_config_history_blinds_snapshots_and_names_the_location_but_not_cloudtrail_events():
    missing = Blind(START, END, "no AWS Config history files under s3://b/AWSLogs/1/Config/us-east-1/", snapshots=True)
    now = Observation(at(2, 8), "pass", "Multi-AZ", "sha-now", blindable=False, kind="snapshot")
    rows = state_rows("r", [now], START, END, [missing])
    assert [(r.start, r.end, r.metrics[HOLDS], r.value) for r in rows] == [(START, END, None, missing.value)]
    assert spans([now], blind=[Blind(START, END)]) == [(START, END, True)]  # a recorder stop does not blind it
    event = Observation(at(10), "fail", "ModifyDBInstance by mallory", "sha-1", before="pass", blindable=False)
    assert spans([event], blind=[missing]) == [(START, at(10), True), (at(10), END, False)]


def test_an_old_baseline_holds_across_a_change_that_keeps_the_state():
    """Changed and unchanged resources alike: the last item before the window, however old, gives the start."""
    baseline = Observation(datetime(2026, 2, 3, tzinfo=UTC), "pass", "Multi-AZ", "sha-0")
    resize = Observation(at(10), "pass", "Multi-AZ", "sha-1")
    assert spans([baseline, resize]) == [(START, at(10), True), (at(10), END, True)]
    assert spans([baseline]) == [(START, END, True)]
    assert spans([resize]) == [(START, at(10), None), (at(10), END, True)]  # without it, the start is unknown
