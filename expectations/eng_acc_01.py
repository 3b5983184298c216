"""ENG-ACC-01: a user-access review completed in every calendar quarter (the review cadence) overlapping W."""

from __future__ import annotations

from datetime import datetime, time

import great_expectations as gx
import pandas as pd

from expectations.dataset import Row, frame
from expectations.jira_issues import field_map, jira_issues, stamp
from expectations.runner import held_throughout
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window, add_months

CONTROL_ID = "ENG-ACC-01"
METRICS = {"reviewed": "boolean"}
SOURCE = "jira.access_reviews"


def build(view: EvidenceView, scope: Scope, window: Window, params: dict) -> pd.DataFrame:
    """Periods are calendar-aligned (quarters for a 3-month cadence) in the window's time zone. A review completed
    anywhere in its period counts, also before W starts; a period still running at as-of is not yet due."""
    mapping = field_map(scope, SOURCE)
    cadence = int(params.get("cadence_months", 3))
    done = [(at, issue) for issue in jira_issues(view, SOURCE, window) if (at := issue.completed(mapping))]
    first = window.start.replace(month=(window.start.month - 1) // cadence * cadence + 1, day=1)
    rows = []
    while (start := datetime.combine(first, time(0), window.tz)) < window.evaluated_end_utc:
        end = datetime.combine(add_months(first, cadence), time(0), window.tz)
        name = f"quarter/{first.year}-Q{(first.month - 1) // 3 + 1}" if cadence == 3 else f"period/{first:%Y-%m}"
        reviews = sorted(((at, i) for at, i in done if start <= at < end), key=lambda pair: pair[0])
        if reviews:
            at, issue = reviews[0]
            seen, reviewed = f"{issue.key} completed {stamp(at)} by {issue.text('assignee') or 'nobody named'}", True
        elif end > window.evaluated_end_utc:
            seen, reviewed = f"no review yet; due by {stamp(end)}", True
        else:
            seen, reviewed = "no completed access review in the period", False
        evidence = tuple(dict.fromkeys(sha for _, issue in reviews for sha in issue.evidence[:1]))
        span = (max(start, window.start_utc), min(end, window.evaluated_end_utc))
        rows.append(Row(name, *span, seen, {"reviewed": reviewed}, evidence))
        first = add_months(first, cadence)
    return frame(rows, METRICS)


def suite(params: dict) -> list[gx.expectations.Expectation]:
    return held_throughout(
        "reviewed",
        "The evidence does not show whether the access review was completed.",
        "No user-access review was completed in this period.",
    )
