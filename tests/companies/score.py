"""Compares a run's control results with a company's ground truth: planted gaps found, false exceptions, vacuous
passes, each listed so a failing test says what is left."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from socready.readiness.model import ControlResult
from tests.companies.model import Gap, Truth

TOLERANCE = timedelta(days=1)


@dataclass
class Score:
    total: int
    found: int = 0
    misses: list[str] = field(default_factory=list)
    false_exceptions: list[str] = field(default_factory=list)
    vacuous: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.found == self.total and not self.false_exceptions and not self.vacuous

    def figures(self) -> str:
        return (
            f"planted gaps found {self.found}/{self.total}, false exceptions {len(self.false_exceptions)}, "
            f"vacuous passes {len(self.vacuous)}"
        )

    def report(self) -> str:
        parts = [self.figures()]
        for title, items in (
            ("missed", self.misses),
            ("false exceptions", self.false_exceptions),
            ("vacuous", self.vacuous),
        ):
            parts += [f"{title}:", *(f"  - {item}" for item in items)] if items else []
        return "\n".join(parts)


def _stamp(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}Z" if moment.utcoffset() == timedelta(0) else moment.isoformat(timespec="minutes")


def _close(a: datetime, b: datetime) -> bool:
    return abs(a - b) <= TOLERANCE


def _seen(result: ControlResult | None, resource: str) -> str:
    """What the run showed for a resource (or the control), for a miss's message."""
    if result is None:
        return "control not in the report"
    intervals = [("exception", i) for i in result.exceptions] + [("no_evidence", g) for g in result.coverage_gaps]
    mine = [f"{kind} {_stamp(i.start)}..{_stamp(i.end)} ({i.value})" for kind, i in intervals if i.resource == resource]
    if mine:
        return "; ".join(mine)
    return f"nothing on it; control {result.status}: {result.reason[:160]}"


def _found(gap: Gap, result: ControlResult | None) -> bool:
    if result is None:
        return False
    intervals = result.exceptions if gap.status == "exception" else result.coverage_gaps
    return any(i.resource == gap.resource and _close(i.start, gap.start) and _close(i.end, gap.end) for i in intervals)


def expected_gaps(truth: Truth, as_of: datetime | None) -> list[Gap]:
    """The gaps a run must show: all of them, or as a run as of a mid-window moment sees them."""
    if as_of is None:
        return list(truth.gaps)
    return [cut for gap in truth.gaps if (cut := gap.as_of(as_of))]


def score(results: list[ControlResult], truth: Truth, as_of: datetime | None = None) -> Score:
    by_id = {r.id: r for r in results}
    gaps = expected_gaps(truth, as_of)
    found = Score(total=len(gaps))
    for gap in gaps:
        result = by_id.get(gap.control)
        if _found(gap, result):
            found.found += 1
        else:
            expected = f"{gap.status} {_stamp(gap.start)}..{_stamp(gap.end)}"
            found.misses.append(f"{gap.control} {gap.resource}: expected {expected}; saw {_seen(result, gap.resource)}")
    planted = {(g.control, g.resource) for g in truth.gaps if g.status == "exception"}
    decoys = {(d.control, d.resource) for d in truth.decoys}
    for result in results:
        for item in result.exceptions:
            key = (result.id, item.resource)
            if key not in planted or key in decoys:
                kind = "decoy" if key in decoys else "unplanted"
                found.false_exceptions.append(
                    f"{result.id} {item.resource} ({kind}): {_stamp(item.start)}..{_stamp(item.end)} {item.reason} "
                    f"[{item.value}]"
                )
    for result in results:
        empty = result.population == 0 or result.id in truth.empty
        proof = truth.proofs.get(result.id)
        if result.status == "operating" and empty and not (proof and proof in result.reason):
            why = truth.empty.get(result.id, "empty population")
            found.vacuous.append(f"{result.id} operating on {why}: {result.reason}")
    return found
