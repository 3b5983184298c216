"""Reads owners' decisions back from their gap tickets: management responses, risk acceptances and disputes."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from socready.errors import SocreadyError
from socready.evidence import EvidenceStore
from socready.readiness.model import Decision
from socready.redact import redact
from socready.scope import Scope
from socready.scope.models import AcceptedException
from socready.tickets.gateway import Jira
from socready.tickets.outbox import Outbox, Record, state_dir

RESPONSE_PREFIX = "management response:"  # the documented comment form, matched regardless of case
BASE_FIELDS = ["status", "resolution", "created", "duedate", "comment"]


@dataclass(frozen=True)
class TicketRead:
    """One gap ticket as this run read it, before syncing: where it stands and what its owner decided."""

    fingerprint: str
    key: str
    owner: str
    controls: tuple[str, ...]
    resource: str | None
    status: str
    disputed: bool  # its resolution now is tickets.dispute_resolution
    done: bool
    created: date
    due: date | None
    decisions: tuple[Decision, ...]
    problems: tuple[str, ...]  # triage data this ticket could not give: stated, never dropped

    def latest(self, kind: Literal["response", "acceptance", "dispute"]) -> Decision | None:
        return max((d for d in self.decisions if d.kind == kind), key=lambda d: d.at, default=None)


@dataclass(frozen=True)
class Triage:
    """Every tracked ticket's read, by fingerprint, and problems that left the triage data unknown."""

    tickets: dict[str, TicketRead] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    def decisions(self) -> list[Decision]:
        return [d for read in self.tickets.values() for d in read.decisions]

    def acceptances(self) -> list[AcceptedException]:
        return as_exceptions(self.decisions())

    def for_control(self, control_id: str) -> list[Decision]:
        return sorted((d for d in self.decisions() if control_id in d.controls), key=lambda d: d.at)


def as_exceptions(decisions: Iterable[Decision]) -> list[AcceptedException]:
    """Acceptances by an approver, as the scope's own exceptions (expired ones too: verdicts list them so)."""
    return [
        AcceptedException(
            control=control,
            resource=d.resource or "*",
            reason=f"{d.text} (accepted in {d.ticket})",
            approver=d.author,
            expires=d.expires,
        )
        for d in decisions
        if d.kind == "acceptance" and d.expires is not None and (d.applies or d.note.startswith("expired"))
        for control in d.controls
    ]


def _time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def _who(user: dict[str, Any] | None) -> tuple[str, set[str]]:
    """Display name, and every name an approver list may use for the person."""
    user = user or {}
    names = {str(user.get(k)) for k in ("accountId", "emailAddress", "displayName", "name", "key") if user.get(k)}
    return str(user.get("displayName") or user.get("accountId") or "unknown user"), {n.casefold() for n in names}


def _text(value: Any) -> str:
    """A text field or comment body: plain text (API v2), or Atlassian Document Format (API v3)."""
    if isinstance(value, dict):
        return " ".join(filter(None, (_text(part) for part in value.get("content") or []))) or str(
            value.get("text") or ""
        )
    return str(value or "").strip()


def _changes(raw: dict[str, Any], field_id: str, names: Iterable[str]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(history, item) pairs that changed the field, oldest first."""
    wanted = {field_id, *names}
    histories = (raw.get("changelog") or {}).get("histories") or []
    return sorted(
        (
            (history, item)
            for history in histories
            for item in history.get("items") or []
            if item.get("fieldId") in wanted or item.get("field") in wanted
        ),
        key=lambda pair: _time(pair[0]["created"]),
    )


class FieldIds:
    """Custom fields given by id or by name; names are looked up once in Jira's field list."""

    def __init__(self, jira: Jira, wanted: dict[str, str | None]) -> None:
        self.ids: dict[str, str] = {}
        self.problems: list[str] = []
        named = {setting: value for setting, value in wanted.items() if value}
        listing = {f["id"]: f["name"] for f in jira.fields()} if named else {}
        by_name = {name.casefold(): fid for fid, name in listing.items()}
        for setting, value in named.items():
            found = value if value in listing else by_name.get(value.casefold())
            if found is None:
                self.problems.append(
                    f"scope {setting} '{value}' is neither a field id nor a field name in Jira's field list"
                )
            else:
                self.ids[setting] = found
        self.names = {setting: listing.get(fid, fid) for setting, fid in self.ids.items()}


class Reader:
    """Reads each tracked ticket once (status, dates, comments, changelog) and stores the read as evidence."""

    def __init__(self, jira: Jira, scope: Scope, store: EvidenceStore, as_of: datetime) -> None:
        self.jira, self.scope, self.store, self.as_of = jira, scope, store, as_of
        settings = scope.tickets
        self.acceptance = settings.acceptance
        self.fields = FieldIds(
            jira,
            {
                "tickets.response_field": settings.response_field,
                "tickets.acceptance.expiry_field": self.acceptance.expiry_field if self.acceptance else None,
            },
        )

    def read(self, record: Record) -> TicketRead | None:
        assert record.key is not None
        wanted = [*BASE_FIELDS, *self.fields.ids.values()]
        issue = self.jira.issue(record.key, wanted, expand="changelog")
        if issue is None:
            return None  # deleted: the sync opens a new ticket if the gap is still there
        raw = issue.raw
        sha = self.store.put(json.dumps(raw, sort_keys=True).encode())
        fields = raw["fields"]
        decisions: list[Decision] = []
        problems: list[str] = []
        base = {
            "ticket": record.key,
            "owner": record.owner,
            "controls": list(record.controls),
            "resource": record.resource,
            "evidence": sha,
        }
        for found in (self._response(raw, problems), self._acceptance(raw, record, problems), self._dispute(raw)):
            if found is not None:  # owners' words reach the report and the auditor package: masked like evidence
                decisions.append(Decision(**base, **found | {"text": redact(found["text"])}))
        return TicketRead(
            fingerprint=record.fingerprint,
            key=record.key,
            owner=record.owner,
            controls=tuple(record.controls),
            resource=record.resource,
            status=fields["status"]["name"],
            disputed=(fields.get("resolution") or {}).get("name") in {self.scope.tickets.dispute_resolution} - {None},
            done=fields["status"]["statusCategory"]["key"] == "done",
            created=_time(fields["created"]).date(),
            due=date.fromisoformat(fields["duedate"]) if fields.get("duedate") else None,
            decisions=tuple(d for d in decisions if d.at <= self.as_of),  # --as-of is a hard cut
            problems=tuple(problems),
        )

    def _comments(self, raw: dict[str, Any]) -> list[dict[str, Any]]:
        return sorted((raw["fields"].get("comment") or {}).get("comments") or [], key=lambda c: _time(c["created"]))

    def _reason(self, raw: dict[str, Any], names: set[str], until: datetime) -> str | None:
        """The latest comment the person wrote up to the change (a transition's comment lands with it)."""
        said = [
            _text(c["body"])
            for c in self._comments(raw)
            if _who(c.get("author"))[1] & names and _time(c["created"]) <= until
        ]
        return said[-1] if said else None

    def _response(self, raw: dict[str, Any], problems: list[str]) -> dict[str, Any] | None:
        field_id = self.fields.ids.get("tickets.response_field")
        if field_id is not None:
            text = _text(raw["fields"].get(field_id))
            if not text:
                return None
            changes = _changes(raw, field_id, [self.fields.names["tickets.response_field"]])
            if not changes:
                problems.append(
                    f"{raw['key']}: the management response in {self.fields.names['tickets.response_field']} has no "
                    "changelog entry naming who wrote it and when; it is not recorded"
                )
                return None
            history, _ = changes[-1]
            author = _who(history.get("author"))[0]
            return {"kind": "response", "author": author, "at": _time(history["created"]), "text": text}
        written = [c for c in self._comments(raw) if _text(c["body"]).casefold().startswith(RESPONSE_PREFIX)]
        if not written:
            return None
        last = written[-1]
        text = _text(last["body"])[len(RESPONSE_PREFIX) :].strip()
        return {"kind": "response", "author": _who(last.get("author"))[0], "at": _time(last["created"]), "text": text}

    def _marked(self, raw: dict[str, Any], resolution: str | None, status: str | None) -> tuple[dict, set[str]] | None:
        """The change that put the ticket into the resolution or status it holds now, if it holds one."""
        fields = raw["fields"]
        now = (fields.get("resolution") or {}).get("name"), fields["status"]["name"]
        for field_id, value, held in (("resolution", resolution, now[0]), ("status", status, now[1])):
            if value is not None and held == value:
                changes = [(h, i) for h, i in _changes(raw, field_id, [field_id]) if i.get("toString") == value]
                if changes:
                    history = changes[-1][0]
                    return history, _who(history.get("author"))[1]
        return None

    def _acceptance(self, raw: dict[str, Any], record: Record, problems: list[str]) -> dict[str, Any] | None:
        if self.acceptance is None:
            return None
        marked = self._marked(raw, self.acceptance.resolution, self.acceptance.status)
        if marked is None:
            return None
        history, names = marked
        at = _time(history["created"])
        found: dict[str, Any] = {"kind": "acceptance", "author": _who(history.get("author"))[0], "at": at}
        reason = self._reason(raw, names, at)
        field_id = self.fields.ids.get("tickets.acceptance.expiry_field")
        expiry = raw["fields"].get(field_id) if field_id else None
        route = self.scope.owners.get(record.owner)
        approvers = {a.casefold() for a in (route.approvers if route else [])}
        found["text"] = reason or ""
        if field_id is None:
            found.update(applies=False, note="its expiry field is not in Jira (see the problems above)")
        elif not expiry:
            expiry_name = self.fields.names["tickets.acceptance.expiry_field"]
            found.update(applies=False, note=f"it has no expiry date in {expiry_name}")
        elif not reason:
            found.update(applies=False, note="it gives no reason (a comment by the person who accepted)")
        elif not names & approvers:
            found.update(
                applies=False,
                note=f"{found['author']} is not an approver listed for {record.owner} "
                f"(owners.{record.owner}.approvers)",
            )
        if expiry:
            found["expires"] = date.fromisoformat(str(expiry)[:10])
            if found.get("applies", True) and found["expires"] < self.as_of.date():
                found.update(applies=False, note=f"expired on {found['expires']}")
        if not found.get("applies", True):
            problems.append(f"{raw['key']}: the risk acceptance by {found['author']} is not applied: {found['note']}")
        return found

    def _dispute(self, raw: dict[str, Any]) -> dict[str, Any] | None:
        """The latest dispute, also after socready reopened the ticket: it stays on record for review."""
        value = self.scope.tickets.dispute_resolution
        if value is None:
            return None
        changes = [(h, i) for h, i in _changes(raw, "resolution", ["resolution"]) if i.get("toString") == value]
        if not changes:
            return None
        history = changes[-1][0]
        author, names = _who(history.get("author"))
        at = _time(history["created"])
        reason = self._reason(raw, names, at) or "no reason given"
        return {"kind": "dispute", "author": author, "at": at, "text": reason, "applies": False, "note": "for review"}


def read_triage(scope: Scope, store: EvidenceStore, as_of: datetime) -> Triage:
    """Decisions in every ticket the outbox tracks; a failed read is stated in `problems`, never dropped."""
    if scope.jira is None:
        return Triage()
    records = [r for r in Outbox(state_dir(scope)).load().values() if r.key is not None]
    if not records:
        return Triage()
    try:
        jira = Jira(scope.jira)
    except SocreadyError as exc:
        return Triage(problems=(f"gap tickets could not be read ({exc}); owners' decisions are unknown this run",))
    try:
        reader = Reader(jira, scope, store, as_of)
        reads = {r.fingerprint: read for r in records if (read := reader.read(r)) is not None}
    except SocreadyError as exc:
        return Triage(problems=(f"gap tickets could not be read ({exc}); owners' decisions are unknown this run",))
    finally:
        jira.close()
    return Triage(reads, (*reader.fields.problems, *(p for read in reads.values() for p in read.problems)))
