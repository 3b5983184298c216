"""ENG-CHG-01: every production change deployed in W was approved before deploy by someone but its implementer."""

from __future__ import annotations

import pandas as pd

from expectations.dataset import Row, frame
from expectations.jira_approvals import approval_standing, approvals
from expectations.jira_changes import (
    APPROVAL_FACTS,
    SOURCE,
    approved_by_another,
    change_inventory,
    change_tickets,
    parties_named,
    shipped_in_window,
)
from expectations.jira_issues import day_end, field_map, stamp
from expectations.spec import ControlSpec, NoParameters, Rule, rule
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-CHG-01"
# When the change was deployed (the end of its deploy day when only the day is known) and the approval facts of
# the approval in force then (none: the approval came later, or was sent back before the deploy).
FACTS = {"deployed_at": "datetime64[ns, UTC]", **APPROVAL_FACTS}


def build(view: EvidenceView, scope: Scope, window: Window, params: NoParameters) -> pd.DataFrame:
    """Emergency changes are ENG-CHG-02's population. A deploy given as a date alone counts an approval that day."""
    mapping = field_map(scope, SOURCE)
    rows = []
    tickets = change_tickets(view, scope, window)
    for ticket in shipped_in_window(tickets, window, emergency=False):
        deployed = ticket.deployed
        shipped_day = day_end(deployed.start, window.tz)
        standing = approval_standing(ticket.issue, mapping, deployed.end, window.tz)
        if standing:
            parties, who = ticket.parties(standing)
            seen = f"{who}; approved {stamp(standing.at)}, {ticket.shipped}"
            metrics = {"deployed_at": deployed.end, **parties}
            rows.append(Row(ticket.resource, deployed.start, shipped_day, seen, metrics, ticket.issue.evidence))
            continue
        given = approvals(ticket.issue, mapping, window.tz)
        late = next((a for a in given if a.at > deployed.end), None)
        earlier = [a for a in given if a.at <= deployed.end]
        seen = f"{ticket.shipped}, " + (
            f"approved {stamp(late.at)}"
            if late
            else f"approved {stamp(earlier[-1].at)} but sent back before the deploy"
            if earlier
            else "never approved"
        )
        # Independence is judged on the approval that let the change ship; without one the row is already failing.
        metrics = {"deployed_at": deployed.end, **ticket.parties(None)[0]}
        until = late.at if late else shipped_day
        rows.append(Row(ticket.resource, deployed.start, until, seen, metrics, ticket.issue.evidence))
    return frame(rows, FACTS, change_inventory(tickets, emergency=False))


def rules(params: NoParameters) -> list[Rule]:
    """An approval in force at the deploy (a late or sent-back one is none), given by someone else."""
    return [
        *parties_named("approved_at <= deployed_at"),
        rule(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            "exception",
            "The production change was not approved before it was deployed.",
            column_A="deployed_at",
            column_B="approved_at",
            or_equal=True,
            ignore_row_if="neither",  # no approval in force is a failure, not a row to skip
        ),
        approved_by_another("The production change was approved by its own implementer."),
    ]


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=NoParameters,
    sources=("jira.changes",),
    facts=FACTS,
    build=build,
    rules=rules,
)
