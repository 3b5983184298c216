"""Daily state rebuilt from observations: Config items, CloudTrail change events and state snapshots.

A resource's state holds from one observation until the next. The state at the window's start is, in order:
the last observation at or before the start; else what the first change inside the window changed from (its
`before`, "absent" for a creation); else, when the first observation inside (or after) the window is a
snapshot of current state with no change recorded before it, that snapshot's state — which relies on the
change sources (CloudTrail, Config) being complete, as ENG-LOG-01 and ENG-CFG-01 check; else unknown.
For a resource AWS Config records, the first rule applies to changed and unchanged resources alike: the
collector reads each one's last configuration item before the window, however old (`connectors.aws.config`).
Periods in which the change record was blind are no evidence: the AWS Config recorder off (for Config-derived
state), or no Config history delivered at all (for current-state snapshots too, which nothing then carries).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from expectations.dataset import Row
from socready.intervals import Interval, intersect, subtract

State = Literal["pass", "fail", "unknown", "absent"]
# A row's three-valued verdict (True, False, None for no evidence) while rows are combined; a control's dataset
# gives it the name of the yes/no fact it states (`named`), e.g. `guardduty_enabled`.
HOLDS = "holds"
METRIC = {"pass": True, "fail": False, "unknown": None}


@dataclass(frozen=True)
class Blind:
    """A period the change record of an account and region does not cover."""

    start: datetime
    end: datetime
    value: str = "AWS Config recorder was off"
    snapshots: bool = False  # also blinds current-state snapshots: no change record says they held
    config: bool = True  # blinds what AWS Config records (False: only the CloudTrail record is missing)


@dataclass(frozen=True)
class Observation:
    time: datetime
    state: State
    value: str  # what was seen, e.g. "encryption: none"
    evidence: str  # sha256 of the evidence object
    before: State | None = None  # for change events: the state they changed from
    blindable: bool = True  # False for evidence the Config recorder does not produce (CloudTrail, API snapshots)
    kind: Literal["change", "snapshot"] = "change"  # snapshot: current state read by a collector
    facts: dict[str, object] = field(default_factory=dict)  # the settings seen, as the control's dataset columns
    before_facts: dict[str, object] = field(default_factory=dict)  # for changes: the settings before, where known


def state_rows(
    resource: str, observations: list[Observation], start: datetime, end: datetime, blind: list[Blind] = ()
) -> list[Row]:
    """Rows covering [start, end) for one resource; absent periods (not yet created, deleted) have no row."""
    ordered = sorted(observations, key=lambda o: o.time)
    before = [o for o in ordered if o.time <= start]
    inside = [o for o in ordered if start < o.time < end]
    first = (inside or [o for o in ordered if o.time >= end] or [None])[0]
    if before:
        current = before[-1]
    elif first is not None and first.kind == "change" and first.before is not None:
        # The verdict before a change is known; the settings it changed from only where its reader knew them.
        before = {"state": first.before, "value": f"before {first.value}", "before": None, "facts": first.before_facts}
        current = replace(first, time=start, **before)
    elif first is not None and first.kind == "snapshot":
        current = replace(first, time=start, value=f"{first.value} (no change recorded before)")
    else:
        current = Observation(start, "unknown", "no evidence of the state before the first observation", "")
    segments: list[tuple[Interval, Observation]] = []
    for observation in inside:
        segments.append(((start if not segments else segments[-1][0][1], observation.time), current))
        current = observation
    segments.append(((segments[-1][0][1] if segments else start, end), current))
    rows = []
    for (seg_start, seg_end), seen in segments:
        if seen.state == "absent" or seg_end <= seg_start:
            continue
        seeing = [(seg_start, seg_end)]
        for gap in (g for g in blind if _blinds(g, seen)):
            for s, e in intersect(seeing, [(gap.start, gap.end)]):
                rows.append(Row(resource, s, e, gap.value, {HOLDS: None}, _shown(seen)))
            seeing = subtract(seeing, [(gap.start, gap.end)])
        for s, e in seeing:
            rows.append(Row(resource, s, e, seen.value, {HOLDS: METRIC[seen.state], **seen.facts}, _shown(seen)))
    return sorted(rows, key=lambda r: r.start)


def _blinds(gap: Blind, seen: Observation) -> bool:
    """A recorder stop blinds what Config records (an unknown state stays unknown); missing history blinds all
    but CloudTrail events; missing CloudTrail logs blind the snapshots walked back over them."""
    if seen.blindable:
        return gap.config and (gap.snapshots or seen.state != "unknown")
    return gap.snapshots and seen.kind == "snapshot"


def _shown(observation: Observation) -> tuple[str, ...]:
    return (observation.evidence,) if observation.evidence else ()


def before_joining(rows: list[Row], joined: datetime | None, start: datetime) -> list[Row]:
    """Rows of resources in an account that came into scope at `joined`, inside the window: each resource's
    days before it are no evidence (from its first row, so a resource created later gains none); a resource
    gone before it is left out."""
    if joined is None or joined <= start:
        return rows
    cut: list[Row] = []
    for resource in dict.fromkeys(r.resource for r in rows):
        own = [r for r in rows if r.resource == resource]
        after = [replace(r, start=max(r.start, joined)) for r in own if r.end > joined]
        first = min(r.start for r in own)
        if after and first < joined:
            value = f"account joined the organization at {joined:%Y-%m-%d %H:%M} UTC; no evidence before"
            cut.append(Row(resource, first, joined, value, dict.fromkeys(own[0].metrics)))
        cut += after
    return cut


def named(rows: list[Row], fact: str, *, negated: bool = False) -> list[Row]:
    """Rows whose verdict is the yes/no fact `fact` of the control's dataset; `negated` where the fact is what
    must not hold (`public`, `root_used`). A null stays null: no evidence either way."""

    def facts(metrics: dict[str, object]) -> dict[str, object]:
        verdict = metrics[HOLDS]
        others = {k: v for k, v in metrics.items() if k != HOLDS}
        return {fact: (not verdict) if negated and verdict is not None else verdict, **others}

    return [replace(r, metrics=facts(r.metrics)) for r in rows]
