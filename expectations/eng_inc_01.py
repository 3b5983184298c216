"""ENG-INC-01: incidents opened in W have severity and owner, are resolved in time, Sev1/Sev2 get a post-mortem."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from pydantic import Field

from expectations.dataset import Row, frame
from expectations.jira_issues import Issue, day_end, field_map, jira_issues, stamp
from expectations.spec import ControlSpec, Parameters, Rule, at_most, rule, where
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.scope.models import JiraFieldMap
from socready.window import Window

CONTROL_ID = "ENG-INC-01"
# Per incident: its severity and owner (None: not set), the days it took to resolve (or has been open, at
# as-of), the Jira field its post-mortem is kept in (None: none mapped, so the tickets cannot show one), and the
# days from its resolution to its post-mortem, or to as-of while none is written (None: no post-mortem is due,
# the severity needs none or the incident is not resolved, or no field shows it).
FACTS = {
    "severity": "string",
    "owner": "string",
    "days_to_resolve": "Float64",
    "postmortem_field": "string",
    "days_to_postmortem": "Float64",
}
SOURCE = "jira.incidents"


class EngInc01Parameters(Parameters):
    resolution_days: float = Field(
        default=30.0, description="days from opening within which an incident must be resolved"
    )
    postmortem_days: float = Field(default=14.0, description="days after resolution within which a post-mortem is due")
    postmortem_severities: str = Field(
        default="Sev1,Sev2",
        description="comma-separated severities (`jira.fields.severity` values) that need a post-mortem",
    )


def severities(params: EngInc01Parameters) -> list[str]:
    return [s.strip() for s in params.postmortem_severities.split(",") if s.strip()]


def postmortem(issue: Issue, mapping: JiraFieldMap, window: Window) -> datetime | None:
    """A date field gives the post-mortem's day; any other field (a link) counts from when it was first filled in."""
    if when := issue.when(mapping.postmortem, window.tz):
        return when.start
    if not issue.text(mapping.postmortem):
        return None
    filled = [c.at for c in issue.changed(mapping.postmortem) if c.after]
    return filled[0] if filled else issue.created


def days_after(resolved: datetime, done: datetime | None, as_of: datetime) -> float:
    """Days from the resolution to the post-mortem, or to as-of while none is written: over the limit either way
    exactly when the post-mortem was not done by its due time (done late, or not done with the time up)."""
    return ((done or as_of) - resolved) / timedelta(days=1)


def build(view: EvidenceView, scope: Scope, window: Window, params: EngInc01Parameters) -> pd.DataFrame:
    """An incident's row runs from its creation to when its last obligation was met or fell due."""
    mapping = field_map(scope, SOURCE)
    review_in = timedelta(days=params.postmortem_days)
    needs_review = {s.casefold() for s in severities(params)}
    rows = []
    for issue in jira_issues(view, SOURCE, window):
        created, resolved = issue.created, issue.closed(mapping)
        if not window.contains(created):
            continue
        severity, owner = issue.text(mapping.severity), issue.person("assignee")
        ends = [
            day_end(created, window.tz),
            resolved or min(created + timedelta(days=params.resolution_days), window.as_of),
        ]
        review, days_to_postmortem = "not required", None
        if severity.casefold() in needs_review:
            done = postmortem(issue, mapping, window) if mapping.postmortem else None
            review = f"post-mortem {stamp(done)}" if done else "no post-mortem"
            if mapping.postmortem is None:
                review = "no post-mortem field mapped (jira.fields.postmortem)"
            elif resolved:
                days_to_postmortem = days_after(resolved, done, window.as_of)
                ends.append(done or min(resolved + review_in, window.as_of))
        seen = (
            f"{severity or 'no severity'}, owner {owner.name if owner else 'none'}, "
            f"{f'resolved {stamp(resolved)}' if resolved else 'open'}, {review}"
        )
        metrics = {
            "severity": severity or None,
            "owner": owner.id if owner else None,
            "days_to_resolve": ((resolved or window.as_of) - created) / timedelta(days=1),
            "postmortem_field": mapping.postmortem,
            "days_to_postmortem": days_to_postmortem,
        }
        rows.append(Row(f"incident/{issue.key}", created, max(ends), seen, metrics, issue.evidence))
    return frame(rows, FACTS)


def needs_postmortem(params: EngInc01Parameters) -> str:
    """The pandas row condition selecting incidents whose severity needs a post-mortem, matched as the builder
    matches it (case-insensitively)."""
    return f"severity.str.casefold() in {[s.casefold() for s in severities(params)]!r}"


def rules(params: EngInc01Parameters) -> list[Rule]:
    named = "/".join(severities(params))
    days = params.postmortem_days
    return [
        rule(
            "ExpectColumnValuesToNotBeNull",
            "coverage",
            f"The incident tickets do not show whether a {named} incident had a post-mortem.",
            column="postmortem_field",
            **where(needs_postmortem(params)),
        ),
        *(
            rule("ExpectColumnValuesToNotBeNull", "exception", "The incident has no severity or no owner.", column=c)
            for c in ("severity", "owner")
        ),
        at_most(
            "days_to_resolve",
            params.resolution_days,
            f"The incident was not resolved within {params.resolution_days:g} days.",
        ),
        at_most(
            "days_to_postmortem",
            days,
            f"The {named} incident had no post-mortem within {days:g} days of its resolution.",
        ),
    ]


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngInc01Parameters,
    sources=("jira.incidents",),
    facts=FACTS,
    build=build,
    rules=rules,
)
