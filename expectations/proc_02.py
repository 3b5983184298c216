"""PROC-02: every critical vendor's assurance report reviewed within the interval, on every day of W.

Reviews are the vendor register's `reviews` dates plus, when the scope sets jira.vendor_reviews, the review tickets
naming the vendor (jira.fields.vendor, else the summary) resolved as done; a ticket counts from its resolution's
local day, as a register date does, and the rows it decides name and cite it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from pydantic import Field

from expectations.dataset import Row, frame
from expectations.jira_issues import Issue, optional_issues
from expectations.spec import ControlSpec, Parameters, Rule, held_throughout
from expectations.tables import NOT_A_DATE, Table, TableRow, load_table, midnight, parse_moment, unusable
from socready.evidence.view import EvidenceView
from socready.intervals import Interval, clip, intersect, subtract
from socready.scope import Scope
from socready.scope.models import JiraFieldMap
from socready.window import Window

CONTROL_ID = "PROC-02"
METRICS = {"reviewed": "boolean"}
REGISTER = "file.vendor_register"
SOURCE = "jira.vendor_reviews"
COLUMNS = ["vendor", "tier", "reviews"]
OPTIONAL = ("onboarded", "offboarded")
Review = tuple[datetime, Issue | None]  # (the review day's local midnight, the done ticket recording it)


class Proc02Parameters(Parameters):
    review_interval_days: float = Field(
        default=365.0,
        description=(
            "a critical vendor's assurance report must have been reviewed within this many days on every day "
            "of the window"
        ),
    )
    critical_tiers: str = Field(
        default="critical", description="comma-separated register tiers that count as critical (compared ignoring case)"
    )


def build(view: EvidenceView, scope: Scope, window: Window, params: Proc02Parameters) -> pd.DataFrame:
    register = load_table(view, REGISTER, scope.files.vendor_register, COLUMNS, OPTIONAL)
    tickets = optional_issues(view, scope, SOURCE, window)
    mapping = scope.jira.field_map("vendor_reviews") if scope.jira else JiraFieldMap()
    interval = timedelta(days=params.review_interval_days)
    critical = {t.strip().lower() for t in params.critical_tiers.split(",")}
    rows: list[Row] = []
    for item in register.rows:
        if item.values["tier"].lower() in critical:
            mine = [t for t in tickets if t.mentions(mapping.vendor, item.values["vendor"])]
            rows += vendor_rows(register, item, mine, mapping, interval, window)
    return frame(rows, METRICS)


def ticket_reviews(tickets: list[Issue], mapping: JiraFieldMap, window: Window) -> list[Review]:
    """Tickets resolved as done (not with one of jira.fields.not_done_resolutions), on their local day."""
    return [(midnight(window.local_date(at), window.tz), t) for t in tickets if (at := t.completed(mapping))]


def vendor_rows(
    register: Table, item: TableRow, tickets: list[Issue], mapping: JiraFieldMap, interval: timedelta, window: Window
) -> list[Row]:
    """One critical vendor over its time inside W, reviewed or not; an unreadable date in its row is a coverage gap."""
    values = item.values
    vendor = f"vendor/{values['vendor']}"
    review_texts = [t.strip() for t in values["reviews"].split(";") if t.strip()]
    texts = {
        "onboarded": values.get("onboarded", ""),
        "offboarded": values.get("offboarded", ""),
        **{f"reviews[{i}]": text for i, text in enumerate(review_texts)},
    }
    moments = {name: parse_moment(text, window.tz) for name, text in texts.items()}
    bad = [
        register.bad(item, name.partition("[")[0], NOT_A_DATE, texts[name])
        for name, moment in moments.items()
        if texts[name] and moment is None
    ]
    start, end = window.start_utc, window.evaluated_end_utc
    active = clip([(moments["onboarded"] or start, moments["offboarded"] or end)], start, end)
    if not active:
        return []
    if bad:
        return [unusable(vendor, bad, active[0], METRICS, (register.sha256,))]
    in_register = [m for name, m in moments.items() if name.startswith("reviews") and m]
    reviews = merged(in_register, ticket_reviews(tickets, mapping, window))
    return review_rows(vendor, active[0], reviews, interval, window, register.sha256)


def merged(in_register: list[datetime], in_jira: list[Review]) -> list[Review]:
    """Both sources' reviews by day, sorted; a day a ticket records is kept with the ticket."""
    return sorted({**dict.fromkeys(in_register), **dict(in_jira)}.items(), key=lambda review: review[0])


def named(review: Review, window: Window) -> str:
    at, ticket = review
    return f"{window.local_date(at)} ({ticket.key})" if ticket else f"{window.local_date(at)}"


def cited(register: str, review: Review | None) -> tuple[str, ...]:
    """The register, and the pages of the ticket recording the review, if one does."""
    ticket = review[1] if review else None
    return (register, *ticket.evidence) if ticket else (register,)


def review_rows(
    vendor: str, active: Interval, reviews: list[Review], interval: timedelta, window: Window, register: str
) -> list[Row]:
    """Each review holds from its day for `interval`; a row names and cites the review in force (the latest), or
    the one that last expired."""
    rows = []
    next_days = [*(at for at, _ in reviews[1:]), active[1]] if reviews else []
    for review, next_day in zip(reviews, next_days, strict=True):
        own = (review[0], min(review[0] + interval, next_day))
        seen, evidence = f"reviewed {named(review, window)}", cited(register, review)
        rows += [Row(vendor, *span, seen, {"reviewed": True}, evidence) for span in intersect([active], [own])]
    for span in subtract([active], [(at, at + interval) for at, _ in reviews]):
        before = [review for review in reviews if review[0] <= span[0]]
        last = before[-1] if before else None
        seen = f"last review {named(last, window)} expired" if last else "no review on record"
        rows.append(Row(vendor, *span, seen, {"reviewed": False}, cited(register, last)))
    return rows


def rules(params: Proc02Parameters) -> list[Rule]:
    return held_throughout(
        "reviewed",
        "The vendor register row could not be read.",
        "The critical vendor had no assurance-report review within the last 12 months.",
    )


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=Proc02Parameters,
    sources=("file.vendor_register", "jira.vendor_reviews"),
    optional_sources=("jira.vendor_reviews",),
    facts=METRICS,
    build=build,
    rules=rules,
)
