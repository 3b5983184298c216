"""Helpers of the IAM and log controls: timelines of several aspects combined by a rule, events as rows, log guard.

An aspect is one resource's state over the window as `Timelines.rows` gives it (verdict `HOLDS`; no row where
the aspect is absent). `combine` joins aspects with a three-valued rule (True, False, None for no evidence), so
"no console password, or MFA on" and "the policy is not public, or public access is restricted" read as written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import pairwise
from urllib.parse import unquote

from expectations.aws_state import Seen, Timelines, as_list, pick
from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.config_items import ConfigItem, config_items
from expectations.dataset import Row
from expectations.state_timeline import HOLDS
from socready.evidence.manifest import EvidenceEntry
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

Verdict = bool | None
Rule = Callable[[list[Verdict]], Verdict]


def all_true(values: list[Verdict]) -> Verdict:
    """Kleene AND: one False decides; else one unknown leaves it unknown."""
    return False if False in values else (None if None in values else True)


def any_true(values: list[Verdict]) -> Verdict:
    """Kleene OR: one True decides; else one unknown leaves it unknown."""
    return True if True in values else (None if None in values else False)


@dataclass(frozen=True)
class Aspect:
    rows: list[Row]
    absent: Verdict = True  # its value where it has no row (the thing it describes does not exist)


def combine(resource: str, aspects: list[Aspect], rule: Rule, primary: bool = False) -> list[Row]:
    """Rows of `resource` wherever an aspect has a row (with `primary`, wherever the first one has: it says when
    the resource exists); each span's verdict is `rule` over the aspects' values. The value names the aspects
    that agree with the verdict (all shown ones when only absent aspects decided it)."""
    cuts = sorted({t for aspect in aspects for row in aspect.rows for t in (row.start, row.end)})
    combined: list[Row] = []
    for start, end in pairwise(cuts):
        covering = [next((r for r in a.rows if r.start <= start and end <= r.end), None) for a in aspects]
        if not any(covering) or (primary and covering[0] is None):
            continue
        values = [a.absent if r is None else r.metrics[HOLDS] for a, r in zip(aspects, covering, strict=True)]
        verdict = rule(values)
        shown = [r for r in covering if r is not None]
        deciding = [r for r in shown if r.metrics[HOLDS] is verdict] or shown
        row = Row(
            resource,
            start,
            end,
            "; ".join(dict.fromkeys(r.value for r in deciding)),
            {HOLDS: verdict},
            tuple(dict.fromkeys(e for r in deciding for e in r.evidence)),
        )
        last = combined[-1] if combined else None
        if (
            last
            and last.end == start
            and (last.value, last.metrics, last.evidence) == (row.value, row.metrics, row.evidence)
        ):
            combined[-1] = replace(last, end=end)
        else:
            combined.append(row)
    return combined


def split_at(row: Row, moment: datetime, first: Verdict, second: Verdict) -> list[Row]:
    """`row` with its verdict replaced by `first` before `moment` and `second` from it (each part non-empty)."""
    parts = [(row.start, min(row.end, moment), first), (max(row.start, moment), row.end, second)]
    return [replace(row, start=s, end=e, metrics={HOLDS: verdict}) for s, e, verdict in parts if e > s]


def event_span(moment: datetime) -> tuple[datetime, datetime]:
    """The second an event happened in (CloudTrail's resolution): a row of an event is never empty."""
    return moment, moment + timedelta(seconds=1)


def unlogged_accounts(view: EvidenceView, scope: Scope, window: Window, **metrics: object) -> list[Row]:
    """An account without any CloudTrail log file has no evidence of what changed (or who signed in) in it:
    a row without evidence (`metrics`, their nulls) for the whole window, so no events never reads as proof."""
    logged = {account for account, _ in cloudtrail_logs(view).files}
    return [
        Row(f"account/{a.id}", window.start_utc, window.evaluated_end_utc, "no CloudTrail log files", metrics)
        for a in scope.aws.accounts
        if a.id not in logged
    ]


def home_region(scope: Scope) -> str:
    """Where account-wide and global (IAM) resources are filed: the scope's first region, whose Config recorder
    is the one expected to record global resource types."""
    return scope.aws.regions[0]


def add_snapshot(timelines: Timelines, seen: Seen, entry: EvidenceEntry, region: str) -> None:
    """A state read from a snapshot that `Timelines.snapshots` cannot parse (CSV, or several per body)."""
    timelines.add(
        seen,
        entry.account or "",
        region,
        time=entry.collected_at,
        evidence=entry.sha256,
        blindable=False,
        kind="snapshot",
    )


def config_before_end(view: EvidenceView, resource_type: str, window: Window) -> list[ConfigItem]:
    """Config items captured before the window's (evaluated) end. A later item tells how a resource changed after
    the window; the window's end state is the current snapshot's, as for any resource with no change recorded.
    (The Config API answers with an item for every current resource, captured at its last change.)"""
    return [item for item in config_items(view, resource_type) if item.time < window.evaluated_end_utc]


def document(value) -> dict | None:
    """A policy document as an object: from an object, JSON text, URL-encoded JSON (IAM, Config), or Config's
    {"policyText": ...}; JSON text nested in JSON text (Config's supplementary fields) is unwrapped."""
    while isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        value = json.loads(unquote(text) if text.startswith("%7B") else text)
    if isinstance(value, dict) and "policyText" in value:
        return document(value["policyText"])
    return value or None


def statements(policy: dict | None) -> list[dict]:
    return [s for s in as_list(pick(policy, "Statement")) if isinstance(s, dict)]


def user_of(event: TrailEvent) -> str | None:
    """The IAM user an event acts on: its userName parameter, else the calling IAM user (self-service calls);
    None for the root user acting on its own credentials."""
    named = pick(event.parameters, "userName")
    if named:
        return str(named)
    return event.actor if event.identity_type == "IAMUser" else None
