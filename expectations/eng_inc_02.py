"""ENG-INC-02: every incident opened in W was triaged (a severity and an owner set) within N hours of opening.

Triage time is when the later of the two was first set: at creation when the ticket was created with it (no
changelog item, or the first one changes a value it already had), else at the first changelog item that sets it.
An incident not triaged by as-of counts the hours it has been open so far.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from pydantic import Field

from expectations.dataset import Row, frame
from expectations.jira_issues import Issue, field_map, jira_issues, stamp
from expectations.spec import ControlSpec, Parameters, Rule, at_most
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

SOURCE = "jira.incidents"
FACTS = {"hours_to_triage": "Float64"}


class EngInc02Parameters(Parameters):
    triage_hours: float = Field(
        default=24.0, description="hours from opening within which an incident must have a severity and an owner"
    )


def first_set(issue: Issue, field: str | None) -> datetime | None:
    """When `field` first held a value: at creation, or at the changelog item that first filled it."""
    if not field:
        return None
    changes = issue.changed(field)
    if (changes and changes[0].before) or (not changes and issue.text(field)):
        return issue.created
    return next((c.at for c in changes if c.after), None)


def build(view: EvidenceView, scope: Scope, window: Window, params: EngInc02Parameters) -> pd.DataFrame:
    """The row runs from opening to triage; an untriaged incident's, to when it fell due (or as-of)."""
    mapping = field_map(scope, SOURCE)
    allowed = timedelta(hours=params.triage_hours)
    rows = []
    for issue in jira_issues(view, SOURCE, window):
        created = issue.created
        if not window.contains(created):
            continue
        severity, owner = first_set(issue, mapping.severity), first_set(issue, "assignee")
        triaged = max(severity, owner) if severity and owner else None
        if triaged:
            seen, until = f"severity set {stamp(severity)}, owner set {stamp(owner)}", triaged
        else:
            missing = " and ".join(n for n, at in (("severity", severity), ("owner", owner)) if at is None)
            seen, until = f"no {missing} by {stamp(window.as_of)}", min(created + allowed, window.as_of)
        hours = ((triaged or window.as_of) - created) / timedelta(hours=1)
        facts = {"hours_to_triage": hours}
        rows.append(Row(f"incident/{issue.key}", created, max(until, created), seen, facts, issue.evidence))
    return frame(rows, FACTS)


def rules(params: EngInc02Parameters) -> list[Rule]:
    reason = f"The incident was not triaged (severity and owner set) within {params.triage_hours:g} hours."
    return [at_most("hours_to_triage", params.triage_hours, reason)]


SPEC = ControlSpec(
    id="ENG-INC-02", parameters=EngInc02Parameters, sources=(SOURCE,), facts=FACTS, build=build, rules=rules
)
