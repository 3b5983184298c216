"""Roll-ups per criterion, category and owner; the readiness score; the earliest Type II close dates."""

from __future__ import annotations

from collections import Counter
from datetime import date

from pydantic import BaseModel, ConfigDict

from socready.catalog.criteria import CATEGORY_OF, criterion_sort_key
from socready.readiness.model import STATUSES, ControlResult
from socready.window import add_months

TYPE2_LENGTHS = (3, 6, 12)


class Tally(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: float
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


def tally(results: list[ControlResult]) -> Tally:
    """Score = share of in-scope controls operating; no_evidence is counted apart and never as ready."""
    counts = Counter(r.status for r in results)
    applicable = len(results) - counts["not_applicable"]
    score = round(100 * counts["operating"] / applicable, 1) if applicable else 0.0
    return Tally(score=score, **{status: counts[status] for status in STATUSES})


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
