"""One idempotent pass from verdicts to Jira: create missing gap tickets, update changed ones, print the plan."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from jira import JIRA, JIRAError

from socready.errors import ScopeError, TicketError
from socready.readiness.model import ControlResult, TicketRef
from socready.scope import Scope
from socready.scope.models import JiraSpec
from socready.tickets.content import TicketDraft, draft

PROPERTY = "socready.fingerprint"
COMPARED = ("summary", "description", "labels", "priority", "assignee", "components")


@dataclass(frozen=True)
class PlannedTicket:
    action: Literal["create", "update", "unchanged"]
    draft: TicketDraft
    key: str | None
    changed: tuple[str, ...] = ()

    def line(self) -> str:
        target = self.key or f"new issue in {self.draft.project}"
        detail = f" ({', '.join(self.changed)})" if self.changed else ""
        return f"{self.action:<9} {self.draft.control_id:<12} {target}{detail}"


def connect(spec: JiraSpec) -> JIRA:
    token = os.environ.get(spec.token_env)
    if not token:
        raise ScopeError(
            f"environment variable {spec.token_env} (scope jira.token_env) is not set; "
            f"export the Jira API token of {spec.user} there"
        )
    try:
        return JIRA(server=spec.url, basic_auth=(spec.user, token), max_retries=5, timeout=30)
    except JIRAError as exc:
        raise TicketError(f"cannot connect to Jira at {spec.url}: HTTP {exc.status_code} {exc.text}") from exc


def _comparable(fields: dict) -> dict:
    """Jira answers richer objects than we send; reduce both sides to what we set."""

    def name(value: dict | None, key: str) -> str | None:
        return value.get(key) if value else None

    return {
        "summary": fields.get("summary"),
        "description": fields.get("description"),
        "labels": sorted(fields.get("labels") or []),
        "priority": name(fields.get("priority"), "name"),
        "assignee": name(fields.get("assignee"), "accountId"),
        "components": sorted(c["name"] for c in fields.get("components") or []),
    }


def plan_tickets(jira: JIRA, drafts: list[TicketDraft]) -> list[PlannedTicket]:
    planned = []
    for item in drafts:
        found = jira.enhanced_search_issues(
            f'labels = "{item.label}" ORDER BY created ASC', maxResults=5, fields=list(COMPARED), json_result=True
        )["issues"]
        if not found:
            planned.append(PlannedTicket("create", item, None))
            continue
        current, wanted = _comparable(found[0]["fields"]), _comparable(item.fields)
        changed = tuple(f for f in COMPARED if current[f] != wanted[f])
        planned.append(PlannedTicket("update" if changed else "unchanged", item, found[0]["key"], changed))
    return planned


def apply_plan(jira: JIRA, planned: list[PlannedTicket]) -> dict[str, TicketRef]:
    refs = {}
    for item in planned:
        key = item.key
        if item.action == "create":
            key = jira.create_issue(fields=item.draft.fields).key
            jira.add_issue_property(
                key, PROPERTY, {"fingerprint": item.draft.fingerprint, "control": item.draft.control_id}
            )
        elif item.action == "update":
            jira.issue(key, fields="summary").update(fields={f: item.draft.fields.get(f) for f in item.changed})
        action = {"create": "created", "update": "updated", "unchanged": "unchanged"}[item.action]
        refs[item.draft.control_id] = TicketRef(key=key, url=f"{jira.server_url}/browse/{key}", action=action)
    return refs


def sync_tickets(
    results: list[ControlResult],
    scope: Scope,
    report_location: str,
    *,
    dry_run: bool,
    show: Callable[[str], None] = print,
) -> dict[str, TicketRef]:
    """Ticket refs per control id; with dry_run nothing is written and refs only name existing issues."""
    gaps = [r for r in results if r.status in ("exception", "no_evidence")]
    if not gaps:
        return {}
    if scope.jira is None:
        raise ScopeError("the scope has no jira section, so gap tickets cannot be opened; add it or use --dry-run")
    drafts = [draft(r, scope, report_location) for r in gaps]
    jira = connect(scope.jira)
    try:
        planned = plan_tickets(jira, drafts)
        show(f"Gap tickets{' (dry run: nothing written)' if dry_run else ''}:")
        for item in planned:
            show(f"  {item.line()}")
        if dry_run:
            return {
                p.draft.control_id: TicketRef(key=p.key, url=f"{jira.server_url}/browse/{p.key}", action="planned")
                for p in planned
                if p.key
            }
        return apply_plan(jira, planned)
    except JIRAError as exc:
        raise TicketError(f"Jira refused a gap-ticket request: HTTP {exc.status_code} {exc.text}") from exc
    finally:
        jira.close()
