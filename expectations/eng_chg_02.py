"""ENG-CHG-02: every emergency production change deployed in W was approved within N business days of its deploy."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd
from pydantic import Field

from expectations.dataset import Row, frame
from expectations.jira_approvals import approvals
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
from expectations.spec import ControlSpec, Parameters, Rule, at_most
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-CHG-02"
FACTS = {"business_days_to_approval": "Float64", **APPROVAL_FACTS}


class EngChg02Parameters(Parameters):
    retro_approval_business_days: int = Field(
        default=2, description="business days after its deploy within which an emergency change must be approved"
    )


def business_days(after: date, until: date) -> int:
    """Weekdays d with after < d <= until: a change deployed Friday and approved Monday took one business day."""
    return sum(1 for n in range(1, (until - after).days + 1) if (after + timedelta(days=n)).weekday() < 5)


def nth_business_day(after: date, n: int) -> date:
    day = after
    while business_days(after, day) < n:
        day += timedelta(days=1)
    return day


def build(view: EvidenceView, scope: Scope, window: Window, params: EngChg02Parameters) -> pd.DataFrame:
    """Business days are local weekdays in the window's time zone; approval before deploy counts as zero."""
    mapping = field_map(scope, SOURCE)
    allowed = params.retro_approval_business_days
    rows = []
    tickets = change_tickets(view, scope, window)
    for ticket in shipped_in_window(tickets, window, emergency=True):
        deployed = ticket.deployed.start
        deploy_day = window.local_date(deployed)
        approval = next(iter(approvals(ticket.issue, mapping, window.tz)), None)
        parties, who = ticket.parties(approval)
        if approval:
            taken = business_days(deploy_day, window.local_date(approval.at))
            seen = f"emergency change {ticket.shipped}; {who}; approved {stamp(approval.at)}"
            until = max(approval.at, day_end(deployed, window.tz))
        else:
            taken = business_days(deploy_day, window.local_date(window.as_of))
            due = datetime.combine(nth_business_day(deploy_day, allowed) + timedelta(days=1), time(0), window.tz)
            seen = f"emergency change {ticket.shipped}, not approved"
            until = max(min(due, window.as_of), deployed)
        metrics = {"business_days_to_approval": float(taken), **parties}
        rows.append(Row(ticket.resource, deployed, until, seen, metrics, ticket.issue.evidence))
    return frame(rows, FACTS, change_inventory(tickets, emergency=True))


def rules(params: EngChg02Parameters) -> list[Rule]:
    """Approved within the allowed business days (before the deploy counts as zero), by someone else."""
    allowed = params.retro_approval_business_days
    late = f"The emergency change was not approved within {allowed} business days of its deploy."
    return [
        *parties_named("approved_at.notnull()"),
        at_most("business_days_to_approval", allowed, late),
        approved_by_another("The emergency change was approved by its own implementer."),
    ]


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngChg02Parameters,
    sources=("jira.changes",),
    facts=FACTS,
    build=build,
    rules=rules,
)
