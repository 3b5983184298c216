"""One idempotent pass from verdicts to Jira: plan every gap ticket's step under the outbox lock, print it, apply it."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from socready.errors import ScopeError
from socready.readiness.model import ControlResult, GapTicket, TicketRef
from socready.scope import Scope
from socready.tickets.apply import Applier
from socready.tickets.decisions import TicketRead, Triage
from socready.tickets.gateway import Jira
from socready.tickets.identity import group_gaps
from socready.tickets.outbox import Outbox, state_dir
from socready.tickets.plan import Planner, Step

NO_JIRA = "the scope has no jira section, so no gap tickets were planned or opened; add one to open them"

# when one control has several tickets (one per resource), the report links the one this run did most to
SIGNIFICANCE = ("created", "reopened", "updated", "resolved", "unchanged", "planned")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Synced:
    """Per control, the ticket the report links; and every gap ticket as the run left it (the triage view)."""

    refs: dict[str, TicketRef] = field(default_factory=dict)
    tickets: list[GapTicket] = field(default_factory=list)


def _ticket(jira: Jira, step: Step, key: str, action: str, read: TicketRead | None, today: date) -> GapTicket | None:
    """Where the ticket stands after the step: from what planning read, the draft, or the triage read."""
    fields = step.issue.raw["fields"] if step.issue is not None else None
    if fields is not None and "created" in fields:
        created, due = fields["created"][:10], fields.get("duedate")
        is_open = fields["status"]["statusCategory"]["key"] != "done"
    elif read is not None:
        created, due, is_open = read.created.isoformat(), read.due and read.due.isoformat(), not read.done
    elif step.action == "create":
        created, due, is_open = today.isoformat(), None, True
    else:
        return None  # nothing read of it this run
    if step.draft is not None and (step.action in ("create", "reopen") or "duedate" in step.changed):
        due = step.draft.fields["duedate"]
    is_open = {"resolve": False, "reopen": True, "create": True}.get(step.action, is_open)
    record = step.record
    return GapTicket(
        key=key,
        url=jira.browse_url(key),
        owner=record.owner,
        controls=record.controls,
        resource=record.resource,
        kind=step.draft.kind if step.draft else record.kind,
        open=is_open,
        created=date.fromisoformat(created),
        due=date.fromisoformat(due) if due else None,
        action=action,
    )


def _synced(jira: Jira, done: list[tuple[Step, str, str]], triage: Triage, today: date) -> Synced:
    tickets = [
        ticket
        for step, key, action in done
        if (ticket := _ticket(jira, step, key, action, triage.tickets.get(step.record.fingerprint), today))
    ]
    return Synced(_refs(jira, done), tickets)


def _refs(jira: Jira, done: Iterable[tuple[Step, str, str]]) -> dict[str, TicketRef]:
    refs: dict[str, TicketRef] = {}
    for step, key, action in done:
        ref = TicketRef(key=key, url=jira.browse_url(key), action=action)
        for control in step.record.controls:
            if control not in refs or SIGNIFICANCE.index(action) < SIGNIFICANCE.index(refs[control].action):
                refs[control] = ref
    return refs


def _show_plan(steps: list[Step], dry_run: bool, show: Callable[[str], None]) -> None:
    counts = Counter(step.action for step in steps)
    tally = ", ".join(f"{counts[a]} {a}" for a in ("create", "update", "resolve", "reopen", "unchanged") if counts[a])
    show(f"Gap tickets{' (dry run: nothing written)' if dry_run else ''}: {tally or 'nothing to do'}")
    for step in steps:
        show(f"  {step.line()}")


def sync_tickets(
    results: list[ControlResult],
    scope: Scope,
    report_location: str,
    *,
    dry_run: bool,
    show: Callable[[str], None] = print,
    today: date | None = None,
    triage: Triage | None = None,
) -> Synced:
    """Ticket refs per control id and the tickets' states; with dry_run nothing is written and refs only name
    existing issues.

    `today` (default: the current date in the window's time zone) dates new tickets' due dates. `triage` holds
    the owners' decisions read at the start of the run (socready.tickets.decisions).
    """
    triage = triage or Triage()
    settings = scope.tickets
    gaps = group_gaps(results, scope.organization, settings.group_by)
    outbox = Outbox(state_dir(scope))
    if not gaps and all(record.resolved for record in outbox.load().values()):
        return Synced()  # nothing open to keep current or resolve: no need to reach Jira
    if scope.jira is None:
        raise ScopeError(NO_JIRA)
    today = today or _utc_now().astimezone(ZoneInfo(scope.window.timezone)).date()
    jira = Jira(scope.jira)
    try:
        # the lock spans plan and apply: a second run plans only after the first has recorded its keys
        with contextlib.nullcontext() if dry_run else outbox.locked(settings.lock_timeout_seconds):
            records = outbox.load()
            plan = Planner(jira, scope, report_location, today, triage).plan(gaps, records, results)
            _show_plan(plan.steps, dry_run, show)
            if dry_run:
                return _synced(jira, [(s, s.key, "planned") for s in plan.steps if s.key], triage, today)
            outcomes = Applier(jira, outbox, records, scope, _utc_now).run(plan)
            return _synced(jira, [(o.step, o.key, o.action) for o in outcomes], triage, today)
    finally:
        jira.close()
