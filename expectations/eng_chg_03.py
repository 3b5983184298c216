"""ENG-CHG-03: no month of W with infrastructure mutations in production (CloudTrail) but zero change tickets."""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd
from pydantic import Field

from expectations.cloudtrail_events import KEPT_READS, READ_ONLY_PREFIXES, TrailEvent, cloudtrail_logs
from expectations.dataset import Row, frame
from expectations.jira_changes import change_tickets
from expectations.spec import ControlSpec, Parameters, Rule, held_throughout
from socready.errors import EvidenceUnusable
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window, add_months

CONTROL_ID = "ENG-CHG-03"
METRICS = {"evidenced": "boolean"}
# Sessions, not changes: signing in or assuming a role mutates nothing in the infrastructure.
SESSION_EVENTS = frozenset({"AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "GetSessionToken"})


class EngChg03Parameters(Parameters):
    production_accounts: str = Field(
        default="production",
        description=(
            "comma-separated account ids or `aws.accounts` names whose CloudTrail writes are production changes"
        ),
    )


def production_accounts(scope: Scope, params: EngChg03Parameters) -> set[str]:
    """`production_accounts`: comma-separated account ids or scope account names (default: the one named production)."""
    wanted = {item.strip().casefold() for item in params.production_accounts.split(",")}
    found = {a.id for a in scope.aws.accounts if a.id in wanted or a.name.casefold() in wanted} if scope.aws else set()
    if not found:
        raise EvidenceUnusable(f"no aws.accounts entry matches the production_accounts parameter {sorted(wanted)}")
    return found


def is_mutation(event: TrailEvent) -> bool:
    """Writes by people and automation; sign-ins, sessions, root reads and AWS's own service actions are not."""
    return (
        event.name not in KEPT_READS
        and event.name not in SESSION_EVENTS
        and not event.name.startswith(READ_ONLY_PREFIXES)
        and event.identity_type != "AWSService"
    )


def months(window: Window) -> list[tuple[date, datetime, datetime]]:
    """Calendar months of the evaluated window in its time zone: (first day, start, end), clipped to W."""
    found, first = [], window.start.replace(day=1)
    while (start := datetime.combine(first, time(0), window.tz)) < window.evaluated_end_utc:
        end = datetime.combine(add_months(first, 1), time(0), window.tz)
        found.append((first, max(start, window.start_utc), min(end, window.evaluated_end_utc)))
        first = add_months(first, 1)
    return found


def build(view: EvidenceView, scope: Scope, window: Window, params: EngChg03Parameters) -> pd.DataFrame:
    """A month with a change ticket created or deployed in it is evidenced; a month without one needs log records
    from every production account to show that nothing changed."""
    accounts = production_accounts(scope, params)
    logs = cloudtrail_logs(view)
    mutations = [e for e in logs.events if e.account in accounts and is_mutation(e)]
    tickets = [t for t in change_tickets(view, scope, window) if t.production]
    rows = []
    for first, start, end in months(window):
        changed = [e for e in mutations if start <= e.time < end]
        ticketed = [
            t.issue
            for t in tickets
            if start <= t.issue.created < end or (t.deployed and start <= t.deployed.start < end)
        ]
        logged = all(
            any(hours.any_in(start, end) for (account, _), hours in logs.hours.items() if account == a)
            for a in accounts
        )
        evidenced = True if ticketed else (not changed if logged or changed else None)
        seen = f"{len(changed)} production mutations, {len(ticketed)} change tickets" + (
            "" if logged or ticketed else ", no CloudTrail records from a production account"
        )
        shown = [e.evidence for e in changed[:20]] + [issue.evidence[0] for issue in ticketed[:20]]
        evidence = tuple(dict.fromkeys(shown))
        rows.append(Row(f"month/{first:%Y-%m}", start, end, seen, {"evidenced": evidenced}, evidence))
    return frame(rows, METRICS)


def rules(params: EngChg03Parameters) -> list[Rule]:
    return held_throughout(
        "evidenced",
        "The CloudTrail logs do not show whether production changed in this month.",
        "Production changed in this month but no change ticket was raised.",
    )


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngChg03Parameters,
    sources=("jira.changes", "aws.cloudtrail.logs"),
    facts=METRICS,
    build=build,
    rules=rules,
)
