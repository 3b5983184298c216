"""Jira for control fixtures: a sandbox over HTTP with a company's process projects, and ticket builders."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from jira import JIRA

from socready_sandbox.jira import DEFAULT_TOKEN, JiraSandbox, format_time

TOKEN_ENV = "FIXTURE_JIRA_TOKEN"
PROJECTS = {
    "CHG": ("Changes", ["Change", "Emergency Change"]),
    "INC": ("Security Incidents", ["Incident"]),
    "ACR": ("Access", ["Access Review", "Access Request"]),
    "OFF": ("Offboarding", ["Task"]),
    "VOFF": ("Vendor Offboarding", ["Task"]),
    "VRV": ("Vendor Reviews", ["Task"]),
    "RSK": ("Risk", ["Task"]),
    "DR": ("Disaster Recovery", ["Task"]),
}
PEOPLE = {"u-alice": "Alice Dev", "u-bob": "Bob Ops", "u-carol": "Carol Lead"}
FIELDS = {  # id -> (name, type)
    "customfield_10040": ("Approval", "option"),
    "customfield_10041": ("Deployed At", "datetime"),
    "customfield_10042": ("Environment", "option"),
    "customfield_10043": ("Emergency", "option"),
    "customfield_10044": ("Severity", "option"),
    "customfield_10045": ("Post-mortem", "text"),
    "customfield_10046": ("IAM User", "text"),
    "customfield_10047": ("Employee ID", "text"),
    "customfield_10048": ("Deploy Date", "date"),
    "customfield_10049": ("Vendor", "text"),  # not mapped by default: vendor tickets name the vendor in the summary
    "customfield_10050": ("Approved By", "user"),  # with Approved At: the approver and approval-time pair
    "customfield_10051": ("Approved At", "datetime"),
}
MAPPING = {
    "approval_field": "customfield_10040",
    "approved_status": "Approved",
    "deploy_time": "customfield_10041",
    "environment": "customfield_10042",
    "emergency": "customfield_10043",
    "severity": "customfield_10044",
    "postmortem": "customfield_10045",
    "iam_user": "customfield_10046",
    "employee_id": "customfield_10047",
}
QUERIES = {
    "changes": {"project": "CHG"},
    "incidents": {"project": "INC"},
    "access_reviews": {"project": "ACR", "issue_types": ["Access Review"]},
    "access_requests": {"project": "ACR", "issue_types": ["Access Request"]},
    "offboarding": {"project": "OFF"},
    "vendor_offboarding": {"project": "VOFF"},
    "vendor_reviews": {"project": "VRV"},
    "risk_assessments": {"project": "RSK"},
    "restore_tests": {"project": "DR"},
}
Step = tuple[datetime, str, list[tuple[str, str | None, str | None]]]  # (when, author, [(field, from, to)])


def jira_sandbox(monkeypatch: pytest.MonkeyPatch, **options) -> Iterator[JiraSandbox]:
    """For a test module's `jira` fixture: a started sandbox and its token in TOKEN_ENV."""
    monkeypatch.setenv(TOKEN_ENV, DEFAULT_TOKEN)
    box = JiraSandbox(**options)
    for key, (name, types) in PROJECTS.items():
        box.add_project(key, name, issue_types=types)
    for account, name in PEOPLE.items():
        box.add_user(account, name, f"{account}@example.com")
    for field, (name, kind) in FIELDS.items():
        box.add_custom_field(field, name, kind)
    with box:
        yield box


def jira_scope(jira: JiraSandbox, fields: dict | None = None, **settings) -> dict:
    """The scope's `jira` section for the sandbox: every query, the field map (overridable) and settings."""
    return {
        "url": jira.url,
        "user": jira.user,
        "token_env": TOKEN_ENV,
        **QUERIES,
        "fields": {**MAPPING, **(fields or {})},
        **settings,
    }


def worked(created: datetime, done: datetime | None, who: str) -> list[Step]:
    """Started an hour after creation; resolved as Done at `done`, if given."""
    steps = [(created + timedelta(hours=1), who, [("status", "To Do", "In Progress")])]
    return steps + ([(done, who, [("status", "In Progress", "Done")])] if done else [])


def seed_change(
    jira: JiraSandbox,
    deployed: datetime | str | None,
    approvals: Sequence[tuple[datetime, str] | tuple[datetime, str, str]] = (),
    *,
    implementer: str = "u-alice",
    emergency: bool = False,
    environment: str = "Production",
    created: datetime | None = None,
    fields: dict | None = None,
) -> str:
    """A change ticket: approvals are (when, who[, new Approval value]); a str `deployed` is a Deploy Date."""
    moments = [a[0] for a in approvals] + ([deployed] if isinstance(deployed, datetime) else [])
    created = created or min(moments, default=datetime(2026, 7, 1, 12, tzinfo=UTC)) - timedelta(days=2)
    steps = worked(created, deployed if isinstance(deployed, datetime) else None, implementer)
    value = "Pending"
    for when, who, *to in approvals:
        steps.append((when, who, [("Approval", value, to[0] if to else "Approved")]))
        value = to[0] if to else "Approved"
    fields = {
        **(fields or {}),
        "assignee": {"accountId": implementer},
        "customfield_10040": {"value": value},
        "customfield_10042": {"value": environment},
        "customfield_10043": {"value": "Yes" if emergency else "No"},
    }
    if isinstance(deployed, datetime):
        fields["customfield_10041"] = format_time(deployed)
    elif deployed:
        fields["customfield_10048"] = deployed
    return jira.seed_issue("CHG", "Change", "Deploy payments-api", fields=fields, created=created, history=steps)


def seed_workflow(
    jira: JiraSandbox,
    moves: Sequence[tuple[datetime, str, str]],
    *,
    implementer: str = "u-alice",
    project: str = "CHG",
    issue_type: str = "Change",
    summary: str = "Deploy payments-api",
    fields: dict | None = None,
) -> str:
    """A ticket created in To Do a day before its first move, then moved through `moves` (when, who, status); a
    change ticket is a production, non-emergency one."""
    steps, status = [], "To Do"
    for when, who, to in moves:
        steps.append((when, who, [("status", status, to)]))
        status = to
    production = {"customfield_10042": {"value": "Production"}, "customfield_10043": {"value": "No"}}
    fields = {"assignee": {"accountId": implementer}, **(production if project == "CHG" else {}), **(fields or {})}
    created = moves[0][0] - timedelta(days=1)
    return jira.seed_issue(project, issue_type, summary, fields=fields, created=created, history=steps)


def seed_ticket(
    jira: JiraSandbox,
    project: str,
    summary: str,
    created: datetime,
    done: datetime | None = None,
    *,
    issue_type: str = "Task",
    who: str = "u-bob",
    fields: dict | None = None,
    steps: Sequence[Step] = (),
) -> str:
    """Any ticket worked by `who` and resolved as Done at `done` (if given), with extra changelog `steps`."""
    history = [*worked(created, done, who), *steps]
    fields = {"assignee": {"accountId": who}, **(fields or {})}
    return jira.seed_issue(project, issue_type, summary, fields=fields, created=created, history=history)


def edit(jira: JiraSandbox, key: str, fields: dict) -> None:
    """An edit made through the API now, as a person would make it."""
    client = JIRA(server=jira.url, basic_auth=(jira.user, DEFAULT_TOKEN))
    client.issue(key).update(fields=fields)
    client.close()
