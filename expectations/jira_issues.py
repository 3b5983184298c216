"""Collected Jira pages -> the current version of each issue with its whole changelog, and readers of its fields."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from socready.errors import EvidenceUnusable
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.scope.models import JIRA_QUERIES, JiraFieldMap
from socready.window import Window

CHANGELOG_QUERY = re.compile(r"^issue/([^/?]+)/changelog\?")
APPROVAL_QUERY = re.compile(r"^request/([^/?]+)/approval\?")


def jira_time(text: str) -> datetime:
    """Jira's `2026-05-01T10:00:00.000+0000`."""
    return datetime.fromisoformat(text)


def field_text(value: Any) -> str:
    """What a person sees in a field: an option's value, a user's or status's name, list items joined."""
    if isinstance(value, dict):
        return str(next((value[k] for k in ("value", "name", "displayName", "key", "accountId") if value.get(k)), ""))
    if isinstance(value, list):
        return ", ".join(field_text(item) for item in value)
    return "" if value is None else str(value)


def field_terms(value: Any) -> list[str]:
    """A field's values, one per list item, trimmed and casefolded for matching against scope values."""
    items = value if isinstance(value, list) else [value]
    return [text.casefold() for item in items if (text := field_text(item).strip())]


def matches(values: list[str], value: Any) -> bool:
    return bool({v.strip().casefold() for v in values} & set(field_terms(value)))


@dataclass(frozen=True)
class Person:
    id: str  # Jira accountId
    name: str


def person(value: Any) -> Person | None:
    if isinstance(value, dict) and (value.get("accountId") or value.get("name")):
        ident = value.get("accountId") or value["name"]
        return Person(ident, value.get("displayName") or ident)
    return None


@dataclass(frozen=True)
class Change:
    """One changelog item: `field` is the field id (`status`, `customfield_10040`), `name` its display name."""

    at: datetime
    author: Person | None
    field: str
    name: str
    before: str | None
    after: str | None
    before_id: str | None = None  # the previous value's id (a user's accountId), where Jira gives one

    def of(self, field: str) -> bool:
        """`field` is a field id, or a field name as people write it."""
        return field == self.field or field.casefold() == self.name.casefold()


@dataclass(frozen=True)
class Decision:
    """One Jira Service Management approval of a request: its final decision, when it was made, who approved."""

    final: str  # approved, declined or pending
    at: datetime | None  # None while pending
    approved_by: tuple[Person, ...]


def decision(raw: dict[str, Any]) -> Decision:
    completed = (raw.get("completedDate") or {}).get("epochMillis")
    at = datetime.fromtimestamp(completed / 1000, UTC) if completed is not None else None
    approved = (person(a.get("approver")) for a in raw.get("approvers", []) if a.get("approverDecision") == "approved")
    return Decision(str(raw.get("finalDecision") or "pending"), at, tuple(p for p in approved if p))


@dataclass(frozen=True)
class When:
    """A datetime field's instant (start == end), or a date field's local day [start, end)."""

    start: datetime
    end: datetime


def read_when(text: str, tz: ZoneInfo) -> When | None:
    """A date (that local day) or a datetime with its offset; None for anything else."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            # local midnights: right across DST changes, when a day lasts 23 or 25 hours
            return When(datetime.combine(day, time(0), tz), datetime.combine(day + timedelta(days=1), time(0), tz))
        moment = jira_time(text) if text else None
    except ValueError:
        return None
    return When(moment, moment) if moment and moment.tzinfo else None


def restored(current: Any, change: Change) -> Any:
    """A field's value before `change`, in the shape its readers expect: a user as a user, an option as an option."""
    if change.before is None:
        return None
    if isinstance(current, dict):
        is_user = "accountId" in current and change.before_id
        return {"accountId": change.before_id, "displayName": change.before} if is_user else {"value": change.before}
    return change.before


def stamp(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def day_end(moment: datetime, tz: ZoneInfo) -> datetime:
    """The local midnight after `moment`: a deviation at one moment (a self-approval, a missed deadline) is
    reported over the rest of its local day, since an interval of no length reads as no deviation at all."""
    return datetime.combine(moment.astimezone(tz).date() + timedelta(days=1), time(0), tz)


@dataclass(frozen=True)
class Issue:
    key: str
    fields: dict[str, Any]
    changes: tuple[Change, ...]  # oldest first
    evidence: tuple[str, ...]  # sha256 of the pages holding this version and its changelog
    cut: datetime | None = None  # as-of: nothing dated after it is seen
    decisions: tuple[Decision, ...] | None = None  # its JSM approvals; None: they were not read

    def as_of(self, moment: datetime) -> Issue | None:
        """The issue as it stood at `moment`: None if created later; later changes undone from its fields and left
        out of its changelog, a later resolution not yet made, a field dated later empty (see `when`)."""
        if self.created > moment:
            return None
        fields = dict(self.fields)
        for change in reversed([c for c in self.changes if c.at > moment]):
            if change.field in fields:
                fields[change.field] = restored(fields[change.field], change)
        changes = tuple(c for c in self.changes if c.at <= moment)
        if not (self.resolved and self.resolved <= moment):
            # Jira does not log the resolution date: a resolution still in force at as-of dates from its change
            resolved = [c.at for c in changes if c.of("resolution") and c.after]
            at = resolved[-1].isoformat() if resolved and fields.get("resolution") else None
            fields |= {"resolution": fields.get("resolution") if at else None, "resolutiondate": at}
        decided = None if self.decisions is None else tuple(d for d in self.decisions if d.at and d.at <= moment)
        return replace(self, fields=fields, changes=changes, cut=moment, decisions=decided)

    def value(self, field: str | None) -> Any:
        return self.fields.get(field) if field else None

    def text(self, field: str | None) -> str:
        return field_text(self.value(field))

    def person(self, field: str | None) -> Person | None:
        return person(self.value(field))

    @property
    def created(self) -> datetime:
        return jira_time(self.fields["created"])

    @property
    def summary(self) -> str:
        return self.fields.get("summary") or ""

    @property
    def issue_type(self) -> str:
        return field_text(self.fields.get("issuetype"))

    @property
    def resolved(self) -> datetime | None:
        value = self.fields.get("resolutiondate")
        return jira_time(value) if value else None

    def closed(self, mapping: JiraFieldMap) -> datetime | None:
        """The first transition into one of `done_statuses`, or without them the resolution date."""
        if mapping.done_statuses:
            done = self.entered(mapping.done_statuses)
            return done.at if done else None
        return self.resolved

    def completed(self, mapping: JiraFieldMap) -> datetime | None:
        """When the work was done: closed, and not resolved with a resolution that means it was not done (a workflow
        completed by `done_statuses` does not use the resolution)."""
        if mapping.done_statuses:
            return self.closed(mapping)
        resolution = field_text(self.fields.get("resolution"))
        return None if resolution and matches(mapping.not_done_resolutions, resolution) else self.resolved

    def when(self, field: str | None, tz: ZoneInfo) -> When | None:
        """A date or datetime field; None when empty, not a date, or dated after the as-of cut."""
        found = read_when(self.text(field), tz)
        return None if found is None or (self.cut is not None and found.start > self.cut) else found

    def changed(self, field: str) -> list[Change]:
        return [c for c in self.changes if c.of(field)]

    def entered(self, statuses: list[str]) -> Change | None:
        """The first transition into one of `statuses`."""
        return next((c for c in self.changed("status") if matches(statuses, c.after)), None)

    def mentions(self, field: str | None, value: str) -> bool:
        """The mapped field holds `value`, or with no field mapped the summary names it as a whole word; both are
        compared trimmed and regardless of case."""
        value = value.strip()
        if not value:
            return False
        if field:
            return matches([value], self.value(field))
        return bool(re.search(rf"(?<!\w){re.escape(value)}(?!\w)", self.summary, re.IGNORECASE))


def _changes(histories: dict[str, dict]) -> tuple[Change, ...]:
    found = []
    for history in sorted(histories.values(), key=lambda h: (jira_time(h["created"]), int(h["id"]))):
        at, author = jira_time(history["created"]), person(history.get("author"))
        for item in history.get("items", []):
            name = item.get("field") or ""
            field = item.get("fieldId") or name
            before, after = item.get("fromString"), item.get("toString")
            found.append(Change(at, author, field, name, before, after, item.get("from")))
    return tuple(found)


def parse_issues(view: EvidenceView, source: str) -> list[Issue]:
    """Every collected version of an issue gives way to the latest `updated` (then the latest read); changelogs are
    append-only, so the histories of every page are joined by id and checked against the count Jira gave."""
    entries = view.entries(source)
    if not any("base_jql" in view.read_json(e) for e in entries if e.media_type == "application/json"):
        raise EvidenceUnusable(f"{source} has no complete collection in this run")
    latest: dict[str, tuple[tuple[datetime, datetime], dict, str]] = {}
    histories: dict[str, dict[str, dict]] = defaultdict(dict)
    approvals: dict[str, dict[str, dict]] = {}  # JSM approvals by id; a later read of one replaces an earlier
    pages: dict[str, set[str]] = defaultdict(set)
    for entry in sorted(entries, key=lambda e: e.collected_at):
        if entry.media_type == "application/json":
            continue  # the collection's summary
        body = view.read_json(entry)
        if found := CHANGELOG_QUERY.match(entry.query) or APPROVAL_QUERY.match(entry.query):
            key = unquote(found.group(1))
            joined = histories[key] if found.re is CHANGELOG_QUERY else approvals.setdefault(key, {})
            joined.update((item["id"], item) for item in body["values"])
            pages[key].add(entry.sha256)
            continue
        for raw in body["issues"]:
            key, rank = raw["key"], (jira_time(raw["fields"]["updated"]), entry.collected_at)
            histories[key].update((h["id"], h) for h in (raw.get("changelog") or {}).get("histories", []))
            if key not in latest or rank >= latest[key][0]:
                latest[key] = (rank, raw, entry.sha256)
    issues = []
    for key, (_, raw, sha) in sorted(latest.items()):
        total = (raw.get("changelog") or {}).get("total", 0)
        if len(histories[key]) < total:
            raise EvidenceUnusable(f"{source}: the changelog of {key} is incomplete ({len(histories[key])} of {total})")
        decided = approvals.get(key)
        decisions = None if decided is None else tuple(decision(a) for a in decided.values())
        issue = Issue(key, raw["fields"], _changes(histories[key]), (sha, *sorted(pages[key])), decisions=decisions)
        issues.append(issue)
    return issues


PARSERS = {f"jira.{name}": partial(parse_issues, source=f"jira.{name}") for name in JIRA_QUERIES}


def configured(scope: Scope, source: str) -> bool:
    """The scope names the query of a Jira source (`jira.vendor_reviews`), so its collector reads it."""
    return scope.jira is not None and scope.jira.query(source.removeprefix("jira.")) is not None


def optional_issues(view: EvidenceView, scope: Scope, source: str, window: Window) -> list[Issue]:
    """An optional source's issues; none when the scope does not set its query (a failed read raises)."""
    return jira_issues(view, source, window) if configured(scope, source) else []


def jira_issues(view: EvidenceView, source: str, window: Window) -> list[Issue]:
    """The source's issues as they stood at the window's as-of (a hard cut: nothing dated after it is seen),
    parsed once per run and shared by every control that reads the source."""
    issues = (issue.as_of(window.as_of) for issue in view.parsed(source, PARSERS[source]))
    return [issue for issue in issues if issue]


def field_map(scope: Scope, source: str) -> JiraFieldMap:
    """The field map of a Jira source (`jira.changes`): jira.fields with the source's own overrides."""
    if scope.jira is None:
        raise EvidenceUnusable("the scope has no jira section")
    return scope.jira.field_map(source.removeprefix("jira."))
