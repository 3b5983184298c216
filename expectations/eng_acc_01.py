"""ENG-ACC-01: a user-access review completed in every calendar quarter (the review cadence) overlapping W."""

from __future__ import annotations

from datetime import datetime, time

import pandas as pd
from pydantic import Field

from expectations.dataset import Row, frame
from expectations.jira_issues import field_map, jira_issues, stamp
from expectations.spec import ControlSpec, Parameters, Rule, covered, rule, where
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window, add_months

CONTROL_ID = "ENG-ACC-01"
# Per period: the completed reviews in it, and whether it had ended by as-of (only an ended period is due).
FACTS = {"reviews": "Int64", "due": "boolean"}
SOURCE = "jira.access_reviews"


class EngAcc01Parameters(Parameters):
    cadence_months: int = Field(
        default=3,
        description=(
            "months between user-access reviews: one must be completed in every period of this length "
            "overlapping the window (3: each calendar quarter)"
        ),
    )


def build(view: EvidenceView, scope: Scope, window: Window, params: EngAcc01Parameters) -> pd.DataFrame:
    """Periods are calendar-aligned (quarters for a 3-month cadence) in the window's time zone. A review completed
    anywhere in its period counts, also before W starts; a period still running at as-of is not yet due."""
    mapping = field_map(scope, SOURCE)
    cadence = params.cadence_months
    done = [(at, issue) for issue in jira_issues(view, SOURCE, window) if (at := issue.completed(mapping))]
    first = window.start.replace(month=(window.start.month - 1) // cadence * cadence + 1, day=1)
    rows = []
    while (start := datetime.combine(first, time(0), window.tz)) < window.evaluated_end_utc:
        end = datetime.combine(add_months(first, cadence), time(0), window.tz)
        name = f"quarter/{first.year}-Q{(first.month - 1) // 3 + 1}" if cadence == 3 else f"period/{first:%Y-%m}"
        reviews = sorted(((at, i) for at, i in done if start <= at < end), key=lambda pair: pair[0])
        due = end <= window.evaluated_end_utc
        if reviews:
            at, issue = reviews[0]
            seen = f"{issue.key} completed {stamp(at)} by {issue.text('assignee') or 'nobody named'}"
        elif not due:
            seen = f"no review yet; due by {stamp(end)}"
        else:
            seen = "no completed access review in the period"
        evidence = tuple(dict.fromkeys(sha for _, issue in reviews for sha in issue.evidence[:1]))
        span = (max(start, window.start_utc), min(end, window.evaluated_end_utc))
        rows.append(Row(name, *span, seen, {"reviews": len(reviews), "due": due}, evidence))
        first = add_months(first, cadence)
    return frame(rows, FACTS)


def rules(params: EngAcc01Parameters) -> list[Rule]:
    """Every period that has ended holds at least one completed review; one still running is not yet due."""
    return [
        covered("reviews", "The evidence does not show whether the access review was completed."),
        rule(
            "ExpectColumnValuesToBeBetween",
            "exception",
            "No user-access review was completed in this period.",
            column="reviews",
            min_value=1,
            **where("due==True"),
        ),
    ]


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngAcc01Parameters,
    sources=("jira.access_reviews",),
    facts=FACTS,
    build=build,
    rules=rules,
)
