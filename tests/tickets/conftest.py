"""Gap-ticket fixtures: a seeded sandbox Jira over HTTP, a scope routed to it, and control results to sync."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from socready.catalog import load_catalog
from socready.readiness.model import ControlResult, ExceptionInterval, TicketRef
from socready.readiness.verdicts import lacking_evidence
from socready.scope import Scope
from socready.tickets.sync import sync_tickets
from socready_sandbox.jira import JiraSandbox
from socready_sandbox.jira_seed import seed_jira
from tests.helpers import make_scope

TOKEN = "test-token-not-a-secret"
TODAY = date(2026, 11, 26)
OWNERS = {
    "engineering": {"project": "SEC", "assignee": "acc-eng-lead", "component": "Cloud Security"},
    "hr": {"project": "PEOPLE", "assignee": "acc-hr-lead"},
    "procurement": {"project": "VEND", "assignee": "acc-proc-lead", "labels": ["vendor-risk"]},
}
# the sandbox workflow: To Do -> In Progress -> Done, Done -> Reopened
TICKETS = {"resolve_transitions": ["Start Progress", "Done"], "search_lag_seconds": 2}


@pytest.fixture
def jira(monkeypatch: pytest.MonkeyPatch) -> Iterator[JiraSandbox]:
    server = JiraSandbox(None, user="bot@example.com", token=TOKEN)
    server.start()
    seed_jira(server)
    monkeypatch.setenv("TEST_JIRA_TOKEN", TOKEN)
    yield server
    server.stop()


def scope_for(jira: JiraSandbox, folder, **tickets) -> Scope:
    spec = {"url": jira.url, "user": "bot@example.com", "token_env": "TEST_JIRA_TOKEN"}
    return make_scope(folder, jira=spec, owners=OWNERS, tickets={**TICKETS, **tickets})


def interval(resource: str, end_day: int = 16, value: str = "stopped") -> ExceptionInterval:
    return ExceptionInterval(
        resource=resource,
        start=datetime(2026, 7, 14, tzinfo=UTC),
        end=datetime(2026, 7, end_day, tzinfo=UTC),
        reason="It stopped.",
        value=value,
        evidence=["a" * 64],
    )


def gap(control_id: str = "ENG-LOG-01", *resources: str, end_day: int = 16) -> ControlResult:
    """An exception on each resource (default: one account)."""
    result = lacking_evidence(load_catalog()[control_id], "placeholder", [], None)
    exceptions = [interval(r, end_day) for r in resources or ("account/111111111111",)]
    return result.model_copy(update={"status": "exception", "reason": "It stopped.", "exceptions": exceptions})


def operating(control_id: str = "ENG-LOG-01") -> ControlResult:
    result = lacking_evidence(load_catalog()[control_id], "placeholder", [], None)
    return result.model_copy(update={"status": "operating", "reason": "It operated throughout."})


def no_evidence(control_id: str = "ENG-LOG-01") -> ControlResult:
    result = lacking_evidence(load_catalog()[control_id], "The trail could not be read.", [], None)
    return result.model_copy(update={"collection_errors": ["aws.cloudtrail.trails: AccessDenied"]})


def sync(
    scope: Scope,
    results: list[ControlResult],
    *,
    dry_run: bool = False,
    lines: list[str] | None = None,
    today: date = TODAY,
) -> dict[str, TicketRef]:
    show = lines.append if lines is not None else (lambda _: None)
    return sync_tickets(results, scope, "out/report.html", dry_run=dry_run, show=show, today=today).refs


PRESENT = {
    "created": "create",
    "updated": "update",
    "resolved": "resolve",
    "reopened": "reopen",
    "unchanged": "unchanged",
}


def actions(refs: dict[str, TicketRef]) -> dict[str, str]:
    return {control: ref.action for control, ref in refs.items()}


def planned(lines: list[str]) -> list[tuple[str, str]]:
    """(action, ticket name) of each printed plan line."""
    steps = [line.strip().split(" -> ")[0] for line in lines if line.startswith("  ")]
    return [(step.split(maxsplit=1)[0], step.split(maxsplit=1)[1]) for step in steps]
