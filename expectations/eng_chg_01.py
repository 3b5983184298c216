"""ENG-CHG-01: every production change deployed in W was approved before deploy by someone but its implementer."""

from __future__ import annotations

import pandas as pd

from expectations.dataset import Row, frame
from expectations.jira_approvals import approval_standing, approvals
from expectations.jira_changes import SOURCE, UNNAMED, change_inventory, change_tickets, shipped_in_window
from expectations.jira_issues import day_end, field_map, stamp
from expectations.spec import ControlSpec, NoParameters, Rule, rule
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-CHG-01"
METRICS = {"approved_before_deploy": "boolean", "independent": "boolean"}


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
            independent, who = ticket.independence(standing)
            seen = f"{who}; approved {stamp(standing.at)}, {ticket.shipped}"
            metrics = {"approved_before_deploy": True, "independent": independent}
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
        metrics = {"approved_before_deploy": False, "independent": True}
        until = late.at if late else shipped_day
        rows.append(Row(ticket.resource, deployed.start, until, seen, metrics, ticket.issue.evidence))
    return frame(rows, METRICS, change_inventory(tickets, emergency=False))


def rules(params: NoParameters) -> list[Rule]:
    return [
        rule("ExpectColumnValuesToNotBeNull", "coverage", UNNAMED, column="independent"),
        rule(
            "ExpectColumnValuesToBeInSet",
            "exception",
            "The production change was not approved before it was deployed.",
            column="approved_before_deploy",
            value_set=[True],
        ),
        rule(
            "ExpectColumnValuesToBeInSet",
            "exception",
            "The production change was approved by its own implementer.",
            column="independent",
            value_set=[True],
        ),
    ]


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=NoParameters,
    sources=("jira.changes",),
    facts=METRICS,
    build=build,
    rules=rules,
)
