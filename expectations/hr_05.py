"""HR-05: every termination in W has an offboarding ticket closed within the SLA of the end of the last day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pandas as pd
from pydantic import Field

from expectations.dataset import frame
from expectations.jira_activity import CLOSE_METRICS, Naming, closure_rows, closure_suite
from expectations.jira_issues import Issue, field_map, field_terms, jira_issues
from expectations.people import KEY_COLUMNS, Directory, Match
from expectations.spec import ControlSpec, Parameters, Rule
from expectations.tables import ROSTER, Cells, load_table, termination_inventory
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "HR-05"
METRICS = CLOSE_METRICS
SOURCE = "jira.offboarding"
UNCLEAR = "A roster row could not be used, or an offboarding ticket could name more than one person; each is named."


class Hr05Parameters(Parameters):
    sla_hours: float = Field(
        default=72.0,
        description="hours after the end of the last working day within which the offboarding ticket must be closed",
    )


def person_terms(value) -> list[str]:
    """A field's values; a user field gives its account id, display name and e-mail."""
    items = value if isinstance(value, list) else [value]
    users = [u for u in items if isinstance(u, dict) and "accountId" in u]
    keys = ("accountId", "displayName", "emailAddress")
    return field_terms([i for i in items if i not in users]) + [u[k] for u in users for k in keys if u.get(k)]


def named_by(ticket: Issue, field: str | None, directory: Directory) -> Match:
    """Who a ticket names: the mapped field's value (an id, e-mail, name, IAM or Jira user), else its summary."""
    if not field:
        return directory.named_in(ticket.summary)
    return Match.of(p for term in person_terms(ticket.value(field)) for p in directory.find(term).people)


def naming(tickets: list[Issue], field: str | None, directory: Directory) -> Callable[[Cells], Naming]:
    """Each roster person's tickets, and the tickets that could name them or someone else."""
    matches = [(ticket, named_by(ticket, field, directory)) for ticket in tickets]

    def of(cells: Cells) -> Naming:
        person = cells.text("employee_id")
        mine = [t for t, m in matches if m.one and m.one.employee_id == person]
        doubts = [
            f"{t.key} could name {m.candidates()}"
            for t, m in matches
            if m.ambiguous and person in {p.employee_id for p in m.people}
        ]
        return Naming(mine, doubts)

    return of


def build(view: EvidenceView, scope: Scope, window: Window, params: Hr05Parameters) -> pd.DataFrame:
    """Tickets name the person in the mapped field (jira.fields.employee_id), else in the summary, by any key the
    roster has for them (expectations/people.py)."""
    mapping = field_map(scope, SOURCE)
    roster = load_table(view, ROSTER, scope.files.hr_roster, ["employee_id", "termination_date"], KEY_COLUMNS)
    directory = Directory(roster, window.tz)
    sla = timedelta(hours=params.sla_hours)
    item = ("employee", "employee_id", "termination_date")
    tickets = naming(jira_issues(view, SOURCE, window), mapping.employee_id, directory)
    rows = closure_rows(directory.items, window, item, tickets, mapping, sla)
    return frame(rows, METRICS, termination_inventory(roster, window))


def rules(params: Hr05Parameters) -> list[Rule]:
    sla = params.sla_hours
    reason = f"The offboarding ticket was not closed within {sla:g} hours of the last working day."
    return closure_suite(sla, reason, UNCLEAR)


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=Hr05Parameters,
    sources=("file.hr_roster", "jira.offboarding"),
    facts=METRICS,
    build=build,
    rules=rules,
)
