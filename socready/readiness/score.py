"""Roll-ups per criterion, category and owner; the three readiness figures; month grid; Type II close dates."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, datetime, time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from socready.catalog.criteria import CATEGORY_OF, criterion_sort_key
from socready.readiness.model import STATUSES, ControlResult
from socready.window import Window, add_months

TYPE2_LENGTHS = (3, 6, 12)

MonthStatusName = Literal["operating", "exception", "no_evidence", "not_applicable", "not_yet"]


class Tally(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: float = Field(description="Same as `operation`; kept for readers of earlier reports.")
    operation: float = Field(description="0-100: share of in-scope controls operating over the whole window.")
    design: float = Field(
        description="0-100: share of in-scope controls that hold today (operating, or whose last exception "
        "has ended); a control lacking evidence never counts."
    )
    evidence_completeness: float = Field(
        description="0-100: share of in-scope controls with complete evidence: no collection error, "
        "no coverage gap, coverage 1.0."
    )
    operating: int
    exception: int
    no_evidence: int
    not_applicable: int


class CriterionStatus(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    category: str
    status: str  # operating | exception | no_evidence | not_assessed (no control maps to it yet)
    controls: list[str]


class MonthStatus(BaseModel):
    model_config = ConfigDict(extra="forbid")

    month: str = Field(description="YYYY-MM, a calendar month in the scope's time zone.")
    status: MonthStatusName


def holds_today(result: ControlResult) -> bool:
    """The design figure's test: operating, or an exception that is over; missing evidence never holds."""
    return result.status == "operating" or (result.status == "exception" and result.holds_today is True)


def has_full_evidence(result: ControlResult) -> bool:
    return (
        result.status != "no_evidence"
        and not result.collection_errors
        and not result.coverage_gaps
        and result.coverage >= 1.0
    )


def _share(count: int, applicable: int) -> float:
    """0-100, rounded down to 0.1: 999 of 1000 controls operating must not read as 100."""
    return math.floor(1000 * count / applicable) / 10 if applicable else 0.0


def tally(results: list[ControlResult]) -> Tally:
    """Three figures kept apart, so missing evidence cannot hide inside a score; no_evidence is never ready."""
    counts = Counter(r.status for r in results)
    applicable = [r for r in results if r.status != "not_applicable"]
    operation = _share(counts["operating"], len(applicable))
    return Tally(
        score=operation,
        operation=operation,
        design=_share(sum(holds_today(r) for r in applicable), len(applicable)),
        evidence_completeness=_share(sum(has_full_evidence(r) for r in applicable), len(applicable)),
        **{status: counts[status] for status in STATUSES},
    )


def rollup(results: list[ControlResult], key: str) -> dict[str, Tally]:
    """Tally per owner, or per TSC category (a control counts in each category of its criteria)."""
    groups: dict[str, list[ControlResult]] = {}
    for result in results:
        for name in result.categories if key == "category" else [result.owner]:
            groups.setdefault(name, []).append(result)
    return {name: tally(items) for name, items in sorted(groups.items())}


def criteria_status(results: list[ControlResult], categories: list[str]) -> list[CriterionStatus]:
    """Every criterion of the in-scope categories; ready only when every mapped control operates."""
    statuses = []
    for criterion in sorted((c for c, cat in CATEGORY_OF.items() if cat in categories), key=criterion_sort_key):
        mapped = [r for r in results if criterion in r.criteria and r.status != "not_applicable"]
        found = {r.status for r in mapped}
        fallback = "operating" if mapped else "not_assessed"
        status = next((s for s in ("exception", "no_evidence") if s in found), fallback)
        statuses.append(
            CriterionStatus(
                id=criterion, category=CATEGORY_OF[criterion], status=status, controls=[r.id for r in mapped]
            )
        )
    return statuses


def earliest_type2_close(results: list[ControlResult], months: int) -> date | None:
    """Max over in-scope controls of clean_since + months; unknown while any control lacks a clean-since date."""
    applicable = [r for r in results if r.status != "not_applicable"]
    if not applicable or any(r.clean_since is None for r in applicable):
        return None
    return max(add_months(r.clean_since, months) for r in applicable)


def window_months(window: Window) -> list[tuple[str, datetime, datetime]]:
    """The window's calendar months in its time zone as (YYYY-MM, start, end), clipped to the window."""
    months = []
    first = date(window.start.year, window.start.month, 1)
    while first <= window.end:
        following = add_months(first, 1)
        start = datetime.combine(first, time(0), window.tz)
        end = datetime.combine(following, time(0), window.tz)
        months.append((first.strftime("%Y-%m"), max(start, window.start_utc), min(end, window.end_utc)))
        first = following
    return months


def _overlaps(start: datetime, end: datetime, month_start: datetime, month_end: datetime) -> bool:
    """Half-open spans; an instant (start == end) belongs to the month it falls in."""
    return start < month_end and (end > month_start if end > start else start >= month_start)


def month_statuses(result: ControlResult, window: Window) -> list[MonthStatus]:
    """Each month: exception if an unaccepted exception overlaps it, else no_evidence if a coverage gap does,
    else operating; months not evaluated yet are not_yet. A control whose evidence could not be read at all
    (no_evidence without gap intervals) has no evidence in any evaluated month."""
    unreadable = result.status == "no_evidence" and not result.coverage_gaps
    cells = []
    for month, start, end in window_months(window):
        if result.status == "not_applicable":
            status: MonthStatusName = "not_applicable"
        elif start >= window.evaluated_end_utc:
            status = "not_yet"
        elif any(_overlaps(e.start, e.end, start, end) for e in result.exceptions):
            status = "exception"
        elif unreadable or any(_overlaps(g.start, g.end, start, end) for g in result.coverage_gaps):
            status = "no_evidence"
        else:
            status = "operating"
        cells.append(MonthStatus(month=month, status=status))
    return cells
