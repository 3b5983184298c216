"""The triage view: per owner, open gap tickets (kind, age, due, overdue), responses and acceptances."""

from __future__ import annotations

from datetime import date, timedelta

from socready.readiness.model import Decision, GapTicket
from socready.report.model import OwnerTriage, Triage

EXPIRING_DAYS = 30


def build_triage(tickets: list[GapTicket], decisions: list[Decision], problems: list[str], today: date) -> Triage:
    owners = sorted({t.owner for t in tickets} | {d.owner for d in decisions})
    in_force = [d for d in decisions if d.kind == "acceptance" and d.applies]
    return Triage(
        as_of=today,
        owners=[
            OwnerTriage(
                owner=owner,
                open_tickets=sorted((t for t in tickets if t.owner == owner and t.open), key=lambda t: t.created),
                overdue=[t.key for t in tickets if t.owner == owner and t.open and t.due and t.due < today],
                responses=[d for d in decisions if d.owner == owner and d.kind == "response"],
                acceptances=[d for d in in_force if d.owner == owner],
                expiring=[
                    d.ticket
                    for d in in_force
                    if d.owner == owner and d.expires and d.expires <= today + timedelta(days=EXPIRING_DAYS)
                ],
            )
            for owner in owners
        ],
        problems=problems,
    )
