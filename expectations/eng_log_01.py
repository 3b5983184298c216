"""ENG-LOG-01: a multi-region CloudTrail trail logs in every account on every hour of the window.

An organization trail lives in the management account, where its listing shows its status; it logs every member
account, so a stop of it is an exception of every member. Its Start/StopLogging events are the management
account's.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd
from pydantic import Field

from expectations.cloudtrail_events import SOURCE, RecordedHours, TrailEvent, cloudtrail_logs
from expectations.dataset import Row, frame
from expectations.spec import ControlSpec, Parameters, Rule, held_throughout
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


TrailKey = tuple[str, str]  # (account the trail lives in, trail name)
ORGANIZATION_FOLDER = re.compile(r"/AWSLogs/o-[a-z0-9]+/(\d{12})/CloudTrail/")
ACCOUNTS_LISTING = "aws.organizations.accounts"


class EngLog01Parameters(Parameters):
    coverage_gap_hours: float = Field(
        default=1.0,
        description=(
            "a stretch of at least this many hours with no delivered log record in a region is a coverage "
            "gap (no evidence)"
        ),
    )


def trail_name(reference: str) -> str:
    """Trail events name a trail by name or ARN (arn:aws:cloudtrail:region:acct:trail/NAME)."""
    return reference.rsplit("trail/", 1)[-1]


def trail_key(event: TrailEvent) -> TrailKey:
    """The trail an event acts on: an ARN names its account, a bare name is the caller's account's trail."""
    reference = str(event.parameters.get("name", ""))
    account = reference.split(":")[4] if reference.startswith("arn:") else event.account
    return account, trail_name(reference)


def event_arn(event: TrailEvent) -> str:
    reference = str(event.parameters.get("name", ""))
    if reference.startswith("arn:"):
        return reference
    return f"arn:aws:cloudtrail:{event.region}:{event.account}:trail/{reference}"


@dataclass
class Trails:
    """The trails the snapshots show and who they log: an organization trail logs every member account."""

    logging: dict[TrailKey, bool] = field(default_factory=dict)  # multi-region trail -> logging now
    arns: dict[TrailKey, str] = field(default_factory=dict)
    organization: set[TrailKey] = field(default_factory=set)  # organization trails, multi-region or not
    listings: dict[str, tuple[str, ...]] = field(default_factory=lambda: defaultdict(tuple))  # account -> sha256s
    members: set[str] = field(default_factory=set)  # accounts an organization trail logs

    def covering(self, account: str) -> set[TrailKey]:
        """Multi-region trails that log `account`: its own, and the organization's when it is a member."""
        member = account in self.members
        return {k for k in self.logging if k[0] == account or (member and k in self.organization)}

    def evidence(self, account: str) -> tuple[str, ...]:
        homes = {k[0] for k in self.covering(account)} - {account}
        return self.listings[account] + tuple(sha for home in sorted(homes) for sha in self.listings[home])


def read_trails(view: EvidenceView, discovers: bool) -> Trails:
    """Trails from each account's listing. Organization members are the accounts an Organizations listing names,
    those whose log files sit in an organization's folder (AWSLogs/<org-id>/<account>/), and the trail's own.
    `discovers`: the scope lists the organization's accounts (`aws.organization`), so the listing was read."""
    found = Trails()
    for entry in view.entries(TRAILS):
        found.listings[entry.account or ""] += (entry.sha256,)
        for trail in view.read_json(entry)["trails"]:
            key = (entry.account or "", trail["Name"])
            found.arns[key] = trail.get("TrailARN") or f"arn:aws:cloudtrail:{entry.region}:{key[0]}:trail/{key[1]}"
            if trail.get("IsOrganizationTrail"):
                found.organization.add(key)
                found.members.add(key[0])
            if trail.get("IsMultiRegionTrail"):
                found.logging[key] = bool(trail["Status"].get("IsLogging"))
    if found.organization:
        for entry in view.entries(ACCOUNTS_LISTING) if discovers else []:
            found.members |= {a["Id"] for a in view.read_json(entry)["accounts"]}
        found.members |= {m.group(1) for e in view.entries(SOURCE) if (m := ORGANIZATION_FOLDER.search(e.query))}
    return found


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
    keys: set[TrailKey],
    events: dict[TrailKey, list[TrailEvent]],
    now_logging: dict[TrailKey, bool],
    start: datetime,
    end: datetime,
) -> list[Interval]:
    """When any of the trails was logging."""
    return merge(i for k in keys for i in logging_intervals(events[k], now_logging.get(k), start, end))


def multi_region_by_events(events: list[TrailEvent]) -> set[TrailKey]:
    """Trails that a CreateTrail/UpdateTrail event in the logs shows as multi-region."""
    return {
        trail_key(e)
        for e in events
        if e.name in ("CreateTrail", "UpdateTrail") and e.parameters.get("isMultiRegionTrail")
    }


def describe_gap(
    gap: Interval, events: list[TrailEvent], trails: Trails, listing: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    """What was seen for a period without logging, and the evidence that shows it: the trail that stopped, by
    its ARN (its account and home region), since that is what the owner must restart."""
    cause = [e for e in events if e.time <= gap[0] and not SETS_LOGGING[e.name]]
    if not cause:
        return "no multi-region trail was logging", listing
    last = cause[-1]
    arn = trails.arns.get(trail_key(last)) or event_arn(last)
    return f"trail {arn} stopped by {last.name} ({last.actor})", (last.evidence,)


def hours_without_records(hours: RecordedHours, start: datetime, end: datetime) -> list[Interval]:
    gaps, hour = [], start.replace(minute=0, second=0, microsecond=0)
    while hour < end:
        if hour not in hours:
            gaps.append((max(hour, start), min(hour + timedelta(hours=1), end)))
        hour += timedelta(hours=1)
    return merge(gaps)


def build(view: EvidenceView, scope: Scope, window: Window, params: EngLog01Parameters) -> pd.DataFrame:
    start, end = window.start_utc, window.evaluated_end_utc
    trails = read_trails(view, scope.aws.organization is not None)
    logs = cloudtrail_logs(view)
    by_trail: dict[TrailKey, list[TrailEvent]] = defaultdict(list)
    for event in logs.events:
        if event.name in SETS_LOGGING and start <= event.time < end:
            by_trail[trail_key(event)].append(event)
    proven = multi_region_by_events(logs.events)
    min_gap = timedelta(hours=params.coverage_gap_hours)
    rows: list[Row] = []
    for joined, account in ((a.joined, a.id) for a in scope.aws.accounts):
        own_deleted = {
            k for k, evs in by_trail.items() if k[0] == account and any(e.name == "DeleteTrail" for e in evs)
        } - set(trails.logging)
        # A deleted trail counts only where an event shows it was multi-region; otherwise its days are unproven.
        counted, unproven = trails.covering(account) | (own_deleted & proven), own_deleted - proven
        events = sorted((e for k in counted | unproven for e in by_trail[k]), key=lambda e: e.time)
        listing = trails.evidence(account)

        on = trail_periods(counted, by_trail, trails.logging, start, end)
        unknown = subtract(trail_periods(unproven, by_trail, trails.logging, start, end), on)
        off = subtract([(start, end)], [*on, *unknown])
        resource = f"account/{account}"
        found = [Row(resource, s, e, "logging", {"logging": True}) for s, e in on]
        found += [
            Row(
                resource,
                s,
                e,
                f"deleted trail(s) {', '.join(sorted(n for _, n in unproven))} not shown to be multi-region",
                {"logging": None},
                listing,
            )
            for s, e in unknown
        ]
        for s, e in off:
            seen, shown_by = describe_gap((s, e), events, trails, listing)
            found.append(Row(resource, s, e, seen, {"logging": False}, shown_by))
        for region in scope.aws.regions:
            gaps = subtract(hours_without_records(logs.hours.get((account, region), RecordedHours()), start, end), off)
            found += [
                Row(f"{resource}/region/{region}", s, e, "no CloudTrail records delivered", {"logging": None})
                for s, e in gaps
                if e - s >= min_gap
            ]
        rows += before_joining(found, joined, start)
    return frame(rows, METRICS)


def rules(params: EngLog01Parameters) -> list[Rule]:
    return held_throughout(
        "logging",
        "The evidence does not show whether CloudTrail was logging in these hours.",
        "No multi-region CloudTrail trail was logging in this account.",
    )


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngLog01Parameters,
    sources=("aws.cloudtrail.trails", "aws.cloudtrail.logs"),
    facts=METRICS,
    build=build,
    rules=rules,
)
