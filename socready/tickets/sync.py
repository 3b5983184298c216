"""One idempotent pass from verdicts to Jira: plan every gap ticket's step under the outbox lock, print it, apply it."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from socready.errors import ScopeError
from socready.readiness.model import ControlResult, TicketRef
from socready.scope import Scope
from socready.tickets.apply import Applier
from socready.tickets.gateway import Jira
from socready.tickets.identity import group_gaps
from socready.tickets.outbox import Outbox, state_dir
from socready.tickets.plan import Planner, Step

NO_JIRA = "the scope has no jira section, so no gap tickets were planned or opened; add one to open them"

# when one control has several tickets (one per resource), the report links the one this run did most to
SIGNIFICANCE = ("created", "reopened", "updated", "resolved", "unchanged", "planned")


def _utc_now() -> datetime:
    return datetime.now(UTC)


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
) -> dict[str, TicketRef]:
    """Ticket refs per control id; with dry_run nothing is written and refs only name existing issues.

    `today` (default: the current date in the window's time zone) dates new tickets' due dates.
    """
    settings = scope.tickets
    gaps = group_gaps(results, scope.organization, settings.group_by)
    outbox = Outbox(state_dir(scope))
    if not gaps and all(record.resolved for record in outbox.load().values()):
        return {}  # nothing open to keep current or resolve: no need to reach Jira
    if scope.jira is None:
        raise ScopeError(NO_JIRA)
    today = today or _utc_now().astimezone(ZoneInfo(scope.window.timezone)).date()
    jira = Jira(scope.jira)
    try:
        # the lock spans plan and apply: a second run plans only after the first has recorded its keys
        with contextlib.nullcontext() if dry_run else outbox.locked(settings.lock_timeout_seconds):
            records = outbox.load()
            plan = Planner(jira, scope, report_location, today).plan(gaps, records, results)
            _show_plan(plan.steps, dry_run, show)
            if dry_run:
                return _refs(jira, ((s, s.key, "planned") for s in plan.steps if s.key))
            outcomes = Applier(jira, outbox, records, scope, _utc_now).run(plan)
            return _refs(jira, ((o.step, o.key, o.action) for o in outcomes))
    finally:
        jira.close()
