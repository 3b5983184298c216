"""Decides every gap ticket's next step from this run's gaps, the outbox and Jira; dry runs print the same plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from jira.resources import Issue

from socready.readiness.model import ControlResult, Decision
from socready.scope import Scope
from socready.tickets.content import REPORT_LINE, TicketDraft, draft
from socready.tickets.decisions import TicketRead, Triage
from socready.tickets.gateway import Jira
from socready.tickets.identity import PROPERTY, Gap
from socready.tickets.lookup import find_tickets
from socready.tickets.outbox import Record

Action = Literal["create", "update", "resolve", "reopen", "unchanged"]
READ_FIELDS = ["summary", "description", "labels", "priority", "status", "issuelinks", "created", "duedate"]
KEPT_CURRENT = ("summary", "description", "priority")  # plus socready's labels; routing is left to the owners


@dataclass(frozen=True)
class Step:
    """One ticket's step in this run. `record` is its outbox record once the step is done."""

    action: Action
    record: Record
    draft: TicketDraft | None  # None when the gap is gone
    issue: Issue | None = None  # the ticket as Jira has it now; None when a new one is created
    changed: tuple[str, ...] = ()
    reopen_id: str | None = None  # the reopen transition; None with action "reopen" means a new linked ticket
    repair_property: bool = False  # the create was interrupted before the fingerprint property was written
    link_to: str | None = None  # the closed ticket this one replaces, not linked yet
    notes: list[str] = field(default_factory=list)
    comment: str | None = None  # said with a resolve or reopen instead of the default sentence

    @property
    def key(self) -> str | None:
        """The ticket acted on; None when a new one is created."""
        return self.record.key

    @property
    def name(self) -> str:
        return self.draft.name if self.draft else self.record.group.name()

    def line(self) -> str:
        target = self.key or f"new issue in {self.draft.project}"  # a step without a key creates: it has a draft
        detail = ", ".join([*(["changed " + " ".join(self.changed)] if self.changed else []), *self.notes])
        return f"{self.action:<9} {self.name} -> {target}{f' ({detail})' if detail else ''}"


def _text(value: Any) -> Any:
    """Jira may hand text back with other line endings or trailing blanks; those are not changes. Nor is the
    report link alone: with {run_id} in report.url it names each run, and the ticket keeps the one that last
    changed its findings."""
    if not isinstance(value, str):
        return value
    lines = [line.rstrip() for line in value.replace("\r\n", "\n").split("\n")]
    return "\n".join(REPORT_LINE if line.startswith(REPORT_LINE) else line for line in lines).strip()


def changes(issue: Issue, wanted: TicketDraft) -> tuple[str, ...]:
    fields = issue.raw["fields"]
    current = {
        "summary": fields.get("summary"),
        "description": _text(fields.get("description")),
        "priority": (fields.get("priority") or {}).get("name"),
    }
    target = {
        "summary": wanted.fields["summary"],
        "description": _text(wanted.fields["description"]),
        "priority": wanted.fields["priority"]["name"],
    }
    changed = [name for name in KEPT_CURRENT if current[name] != target[name]]
    if set(wanted.labels) - set(fields.get("labels") or []):
        changed.append("labels")
    return tuple(changed)


def is_done(issue: Issue) -> bool:
    return issue.raw["fields"]["status"]["statusCategory"]["key"] == "done"


def _linked(issue: Issue, other: str) -> bool:
    links = issue.raw["fields"].get("issuelinks") or []
    return any((link.get(side) or {}).get("key") == other for link in links for side in ("inwardIssue", "outwardIssue"))


@dataclass(frozen=True)
class Plan:
    steps: list[Step]
    forget: list[str]  # fingerprints of gaps now gone whose create never landed: nothing left to track


def findings(gap: Gap) -> list[str]:
    """What a management response answers: each finding by control, resource and start."""
    return sorted(
        f"{r.id}|{item.resource}|{item.start.isoformat()}"
        for r in gap.results
        for item in [*r.exceptions, *r.coverage_gaps]
    )


def _covered(record: Record, gap: Gap, read: TicketRead | None) -> bool:
    """A historical gap whose findings a management response answers: none new since the one socready resolved
    on, or a newer response."""
    response = read.latest("response") if read else None
    if gap.kind != "historical" or response is None:
        return False
    return record.response_at is None or response.at > record.response_at or set(findings(gap)) <= set(record.answered)


def _reopening(read: TicketRead | None, record: Record, gap: Gap) -> str | None:
    """Why a done ticket comes back, when it is an owner's decision socready does not follow."""
    if read is None:
        return None
    acceptance, dispute = read.latest("acceptance"), read.latest("dispute")
    if acceptance is not None and not acceptance.applies:
        return (
            f"the risk acceptance by {acceptance.author} on {acceptance.at:%Y-%m-%d} is not applied: {acceptance.note}"
        )
    if dispute is not None and read.disputed:
        return (
            f"{dispute.author} disputed the finding on {dispute.at:%Y-%m-%d}: {dispute.text}. The dispute is recorded "
            "for review; the evidence still shows the exception, so it stays in the verdict"
        )
    if record.answered and not set(findings(gap)) <= set(record.answered):
        return "a new deviation was found after the management response"
    return None


class Planner:
    def __init__(self, jira: Jira, scope: Scope, report_location: str, today: date, triage: Triage) -> None:
        self.jira, self.scope, self.report_location, self.today = jira, scope, report_location, today
        self.settings = scope.tickets
        self.triage = triage

    def _decisions(self, fp: str) -> tuple[Decision, ...]:
        read = self.triage.tickets.get(fp)
        return read.decisions if read else ()

    def plan(self, gaps: list[Gap], records: dict[str, Record], results: list[ControlResult]) -> Plan:
        drafts = {
            gap.fingerprint: draft(gap, self.scope, self.report_location, self.today, self._decisions(gap.fingerprint))
            for gap in gaps
        }
        unknown = {
            gap.fingerprint: records.get(gap.fingerprint) or Record.new(gap.fingerprint, gap.key)
            for gap in gaps
            if not (records.get(gap.fingerprint) and records[gap.fingerprint].key)
        }
        unknown |= {fp: r for fp, r in records.items() if fp not in drafts and r.key is None}
        found = find_tickets(self.jira, unknown, self.settings.search_lag_seconds)
        by_result = {r.id: r for r in results}
        steps = []
        for gap in gaps:
            fresh = Record.new(gap.fingerprint, gap.key)  # the group as it is now (an owner's gaps come and go)
            known = records.get(gap.fingerprint) or fresh
            record = known.model_copy(update=fresh.model_dump(include={"group_by", "owner", "controls", "resource"}))
            key = record.key or found.get(gap.fingerprint)
            steps.append(self._present(record, drafts[gap.fingerprint], key, gap))
        forget = []
        for fp, record in records.items():
            if fp in drafts:
                continue
            if not (key := record.key or found.get(fp)):
                forget.append(fp)
            elif step := self._absent(record, key, by_result):
                steps.append(step)
        return Plan(steps, forget)

    def _read(self, key: str) -> Issue | None:
        return self.jira.issue(key, READ_FIELDS)

    def _present(self, record: Record, wanted: TicketDraft, key: str | None, gap: Gap) -> Step:
        issue = self._read(key) if key else None
        fresh = {"clean_runs": 0, "resolved": False, "kind": wanted.kind}
        if issue is None:
            notes = [f"{key} no longer exists"] if key else []
            return Step("create", record.model_copy(update={**fresh, "key": None}), wanted, notes=notes)
        repair = PROPERTY not in (issue.raw.get("properties") or {})
        read = self.triage.tickets.get(record.fingerprint)
        answered = _covered(record, gap, read)
        kind_changed = record.kind is not None and record.kind != wanted.kind
        before = record
        record = record.model_copy(update={**fresh, "key": issue.key})
        if answered:
            response = read.latest("response") if read else None
            assert response is not None
            record = record.model_copy(update={"answered": findings(gap), "response_at": response.at})
        notes = ["recovered from an interrupted create"] if repair else []
        if kind_changed:
            notes.append(f"now {wanted.kind}")
        link_to = record.previous[-1] if record.previous and not _linked(issue, record.previous[-1]) else None
        changed = changes(issue, wanted) + (("duedate",) if kind_changed else ())
        extra = {"repair_property": repair, "link_to": link_to, "notes": notes}
        if answered and not is_done(issue):
            comment = (
                "socready: the management response is recorded as evidence; this historical gap has no deviation "
                "since, so the ticket is resolved. socready reopens it if a new deviation is found."
            )
            return Step("resolve", record, wanted, issue, changed, comment=comment, **extra)
        if not is_done(issue):
            action: Action = "update" if changed else "unchanged"
            return Step(action, record, wanted, issue, changed, **extra)
        if answered:
            return Step("unchanged", record, wanted, issue, notes=[*notes, "management response recorded"])
        name = self.settings.reopen_transition
        reopen = next((t for t in self.jira.transitions(issue.key) if t["name"] == name), None)
        why = _reopening(read, before, gap)
        comment = (
            f"socready: the gap is back ({wanted.fields['summary']}): {why}. Reopened with a new due date, "
            f"{wanted.fields['duedate']}; the description lists the current findings."
            if why
            else None
        )
        if reopen is not None:
            return Step("reopen", record, wanted, issue, changes(issue, wanted), reopen["id"], comment=comment, **extra)
        # the workflow cannot reopen: a new ticket carries the gap on, linked to the closed one
        replaced = record.model_copy(update={"key": None, "previous": [*record.previous, issue.key]})
        note = f"new ticket linked to {issue.key}, which has no '{name}' transition"
        return Step("reopen", replaced, wanted, link_to=issue.key, notes=[note])

    def _absent(self, record: Record, key: str, results: dict[str, ControlResult]) -> Step | None:
        """A tracked gap with no finding this run: count the clean run, resolve after enough of them."""
        if record.resolved:
            return None  # resolved and staying clean
        record = record.model_copy(update={"key": key, "pending_since": None})
        if record.group.healed(results) is None:
            held = record.model_copy(update={"clean_runs": 0})
            return Step("unchanged", held, None, notes=["no evidence that it is clean; the count starts over"])
        clean, needed = record.clean_runs + 1, self.settings.resolve_after_runs
        counted = record.model_copy(update={"clean_runs": clean})
        if clean < needed:
            return Step("unchanged", counted, None, notes=[f"operating {clean} of {needed} runs before it resolves"])
        issue = self._read(key)
        if issue is None:
            return None  # someone deleted the ticket; the gap is gone too, so nothing to carry on
        done = counted.model_copy(update={"resolved": True})
        if is_done(issue):
            return Step("unchanged", done, None, issue, notes=["already done in Jira"])
        return Step("resolve", done, None, issue, notes=[f"operating {clean} runs in a row"])
