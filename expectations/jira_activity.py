"""Jira-evidenced activity that must recur within N months, or close within an SLA of someone or something leaving."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd

from expectations.dataset import Row, frame
from expectations.eng_acc_03 import termination
from expectations.jira_issues import Issue, field_map, jira_issues, stamp
from expectations.spec import Parameters, Rule, held_throughout, rule
from expectations.tables import NOT_A_DATE, UNUSABLE, Cells, held_rows, in_window, unusable, window_span
from socready.evidence.view import EvidenceView
from socready.intervals import merge
from socready.scope import Scope
from socready.scope.models import JiraFieldMap
from socready.window import Window, add_months

CLOSE_METRICS = {"hours_to_close": "Float64"}
# A ticket closed up to this long before the last day counts for it (offboarding prepared ahead).
LOOKBACK = timedelta(days=30)


def valid_until(moment: datetime, months: int, window: Window) -> datetime:
    """The same local wall-clock time `months` calendar months later."""
    local = moment.astimezone(window.tz)
    return datetime.combine(add_months(local.date(), months), local.time(), window.tz)


def recurrence_rows(
    resource: str, completed: list[tuple[datetime, Issue]], months: int, window: Window, metric: str, noun: str
) -> list[Row]:
    """The evaluated window split into spans covered by a completion within the last `months` months and not."""
    completed = sorted(completed, key=lambda pair: pair[0])
    held = merge((at, valid_until(at, months, window)) for at, _ in completed)

    def describe(span: tuple[datetime, datetime], ok: bool) -> str:
        before = [(at, issue) for at, issue in completed if at <= span[0]]
        if ok:
            return f"{before[-1][1].key} completed {stamp(before[-1][0])}"
        return f"last {noun} {before[-1][1].key} completed {stamp(before[-1][0])}" if before else f"no {noun} on record"

    evidence = tuple(dict.fromkeys(issue.evidence[0] for _, issue in completed))
    return held_rows(resource, window_span(window), held, describe, metric, evidence)


@dataclass(frozen=True)
class Recurring:
    """A control whose activity (a Jira ticket completed) must have happened within `months` on every day of W."""

    source: str
    resource: str
    metric: str
    noun: str
    months_parameter: str  # the control's parameter that holds N

    @property
    def metrics(self) -> dict[str, str]:
        return {self.metric: "boolean"}

    def months(self, params: Parameters) -> int:
        return getattr(params, self.months_parameter)

    def build(self, view: EvidenceView, scope: Scope, window: Window, params: Parameters) -> pd.DataFrame:
        """Resolved as not done (jira.fields.not_done_resolutions, e.g. Won't Do) is not a completion."""
        mapping = field_map(scope, self.source)
        done = [(at, issue) for issue in jira_issues(view, self.source, window) if (at := issue.completed(mapping))]
        rows = recurrence_rows(self.resource, done, self.months(params), window, self.metric, self.noun)
        return frame(rows, self.metrics)

    def rules(self, params: Parameters) -> list[Rule]:
        return held_throughout(
            self.metric,
            f"The evidence does not show whether a {self.noun} was current.",
            f"No {self.noun} was completed in the {self.months(params)} months before these days.",
        )


@dataclass(frozen=True)
class Naming:
    """The tickets that name an item, and those that could name it or someone else (each said in `doubts`)."""

    tickets: list[Issue]
    doubts: list[str] = field(default_factory=list)


def mentioning(tickets: list[Issue], field_id: str | None, column: str) -> Callable[[Cells], Naming]:
    """Tickets naming an item's `column` value in the mapped field, else in the summary as a whole word."""
    return lambda cells: Naming([t for t in tickets if t.mentions(field_id, cells.text(column))])


def closure_rows(
    items: Iterable[Cells],
    window: Window,
    item: tuple[str, str, str],
    naming: Callable[[Cells], Naming],
    mapping: JiraFieldMap,
    sla: timedelta,
) -> list[Row]:
    """`item` = (resource kind, id column, day column). Each item whose day is in W needs a ticket naming it
    completed within `sla` of the end of that day; the row runs from there until the ticket closed, or until it
    fell due (or as-of) when none did. A ticket that could name someone else too leaves the item without evidence
    unless another ticket closed in time. Nothing created or closed after as-of counts."""
    kind, key_column, day_column = item
    rows = []
    for cells in items:
        raw = cells.text(day_column)
        if not raw:
            continue
        resource, parsed = cells.key(key_column, kind), termination(raw, window)
        if parsed is None:
            cells.flag(day_column, NOT_A_DATE)
        if cells.bad:
            rows.append(unusable(resource, cells.bad, window_span(window), CLOSE_METRICS, (cells.table.sha256,)))
            continue
        day, clock = parsed
        if not in_window(day, window):
            continue
        named = naming(cells)
        mine = [t for t in named.tickets if t.created <= window.as_of]
        closed = sorted(
            ((at, t) for t in mine if (at := t.completed(mapping)) and clock - LOOKBACK <= at <= window.as_of),
            key=lambda p: p[0],
        )
        evidence = (cells.table.sha256, *(sha for t in mine for sha in t.evidence))
        due = max(min(clock + sla, window.as_of), clock)
        if named.doubts and not (closed and closed[0][0] <= clock + sla):
            seen = f"last day {day}; {'; '.join(named.doubts)}"
            rows.append(Row(resource, clock, due, seen, dict.fromkeys(CLOSE_METRICS), evidence))
            continue
        if closed:
            at, ticket = closed[0]
            seen, until = f"{ticket.key} closed {stamp(at)}", max(at, clock)
        else:
            wanted = cells.text(key_column)
            seen = f"{', '.join(t.key for t in mine)} not closed" if mine else f"no ticket names {wanted}"
            at, until = window.as_of, due
        hours = max(0.0, (at - clock).total_seconds() / 3600)
        rows.append(Row(resource, clock, until, f"last day {day}; {seen}", {"hours_to_close": hours}, evidence))
    return rows


def closure_suite(sla_hours: float, reason: str, unclear: str = UNUSABLE) -> list[Rule]:
    return [
        rule("ExpectColumnValuesToNotBeNull", "coverage", unclear, column="hours_to_close"),
        rule(
            "ExpectColumnValuesToBeBetween",
            "exception",
            reason,
            column="hours_to_close",
            min_value=0,
            max_value=sla_hours,
        ),
    ]
