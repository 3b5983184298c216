"""ENG-LOG-01: a multi-region CloudTrail trail logs in every account on every hour of the window."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import great_expectations as gx
import pandas as pd

from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.dataset import Row, frame
from expectations.runner import held_throughout
from expectations.state_timeline import before_joining
from socready.evidence.view import EvidenceView
from socready.intervals import Interval, merge, subtract
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-LOG-01"
METRICS = {"logging": "boolean"}
TRAILS = "aws.cloudtrail.trails"
SETS_LOGGING = {"StartLogging": True, "StopLogging": False, "DeleteTrail": False, "CreateTrail": False}
# The state before a trail's first event in the window is the opposite of what that event did,
# except CreateTrail: before it the trail did not exist.
BEFORE_FIRST = {"StartLogging": False, "StopLogging": True, "DeleteTrail": True, "CreateTrail": False}


def trail_name(reference: str) -> str:
    """Trail events name a trail by name or ARN (arn:aws:cloudtrail:region:acct:trail/NAME)."""
    return reference.rsplit("trail/", 1)[-1]


def logging_intervals(
    events: list[TrailEvent], now_logging: bool | None, start: datetime, end: datetime
) -> list[Interval]:
    """When one trail was logging inside [start, end), from its Start/Stop/Delete events and current status."""
    state = BEFORE_FIRST[events[0].name] if events else bool(now_logging)
    on, cursor = [], start
    for event in events:
        if state:
            on.append((cursor, max(cursor, event.time)))
        state, cursor = SETS_LOGGING[event.name], max(cursor, event.time)
    if state:
        on.append((cursor, end))
    return merge(on)


def trail_periods(
    names: set[str], events: dict[str, list[TrailEvent]], now_logging: dict[str, bool], start: datetime, end: datetime
) -> list[Interval]:
    """When any of the named trails was logging."""
    return merge(i for n in names for i in logging_intervals(events[n], now_logging.get(n), start, end))


def multi_region_by_events(events: list[TrailEvent], account: str) -> set[str]:
    """Trails that a CreateTrail/UpdateTrail event in the logs shows as multi-region."""
    return {
        trail_name(str(e.parameters.get("name", "")))
        for e in events
        if e.account == account and e.name in ("CreateTrail", "UpdateTrail") and e.parameters.get("isMultiRegionTrail")
    }


def describe_gap(gap: Interval, events: list[TrailEvent], listing: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """What was seen for a period without logging, and the evidence that shows it."""
    cause = [e for e in events if e.time <= gap[0] and not SETS_LOGGING[e.name]]
    if not cause:
        return "no multi-region trail was logging", listing
    last = cause[-1]
    return f"trail {trail_name(str(last.parameters.get('name', '?')))} stopped by {last.name} ({last.actor})", (
        last.evidence,
    )


def hours_without_records(hours: set[datetime], start: datetime, end: datetime) -> list[Interval]:
    gaps, hour = [], start.replace(minute=0, second=0, microsecond=0)
    while hour < end:
        if hour not in hours:
            gaps.append((max(hour, start), min(hour + timedelta(hours=1), end)))
        hour += timedelta(hours=1)
    return merge(gaps)


def build(view: EvidenceView, scope: Scope, window: Window, params: dict) -> pd.DataFrame:
    start, end = window.start_utc, window.evaluated_end_utc
    trails: dict[str, dict[str, bool]] = defaultdict(dict)  # account -> multi-region trail name -> logging now
    listings: dict[str, tuple[str, ...]] = defaultdict(tuple)  # account -> sha256 of its trail listings
    for entry in view.entries(TRAILS):
        listings[entry.account or ""] += (entry.sha256,)
        for trail in view.read_json(entry)["trails"]:
            if trail.get("IsMultiRegionTrail"):
                trails[entry.account or ""][trail["Name"]] = bool(trail["Status"].get("IsLogging"))
    logs = cloudtrail_logs(view)
    min_gap = timedelta(hours=float(params.get("coverage_gap_hours", 1)))
    rows: list[Row] = []
    for joined, account in ((a.joined, a.id) for a in scope.aws.accounts):
        events = [e for e in logs.events if e.account == account and e.name in SETS_LOGGING and start <= e.time < end]
        by_trail: dict[str, list[TrailEvent]] = defaultdict(list)
        for event in events:
            by_trail[trail_name(str(event.parameters.get("name", "")))].append(event)
        deleted = {n for n, evs in by_trail.items() if any(e.name == "DeleteTrail" for e in evs)} - set(trails[account])
        # A deleted trail counts only where an event shows it was multi-region; otherwise its days are unproven.
        proven = multi_region_by_events(logs.events, account)
        counted, unproven = set(trails[account]) | (deleted & proven), deleted - proven

        on = trail_periods(counted, by_trail, trails[account], start, end)
        unknown = subtract(trail_periods(unproven, by_trail, trails[account], start, end), on)
        off = subtract([(start, end)], [*on, *unknown])
        resource = f"account/{account}"
        found = [Row(resource, s, e, "logging", {"logging": True}) for s, e in on]
        found += [
            Row(
                resource,
                s,
                e,
                f"deleted trail(s) {', '.join(sorted(unproven))} not shown to be multi-region",
                {"logging": None},
                listings[account],
            )
            for s, e in unknown
        ]
        for s, e in off:
            seen, shown_by = describe_gap((s, e), events, listings[account])
            found.append(Row(resource, s, e, seen, {"logging": False}, shown_by))
        for region in scope.aws.regions:
            gaps = subtract(hours_without_records(logs.hours.get((account, region), set()), start, end), off)
            found += [
                Row(f"{resource}/region/{region}", s, e, "no CloudTrail records delivered", {"logging": None})
                for s, e in gaps
                if e - s >= min_gap
            ]
        rows += before_joining(found, joined, start)
    return frame(rows, METRICS)


def suite(params: dict) -> list[gx.expectations.Expectation]:
    return held_throughout(
        "logging",
        "The evidence does not show whether CloudTrail was logging in these hours.",
        "No multi-region CloudTrail trail was logging in this account.",
    )
