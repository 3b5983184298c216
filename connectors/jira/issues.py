"""Jira evidence sources: one collector, parameterized per source, storing every search page as read."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from connectors.base import CollectContext
from connectors.jira.jql import base_jql, updated_since
from connectors.jira.reader import JiraPageIncomplete, JiraReader, Page
from socready.evidence import EvidenceEntry
from socready.scope.models import JiraFieldMap, JiraSpec
from socready.window import add_months

CONNECTOR = "connectors.jira"
VERSION = "1.0.0"
BASE_FIELDS = ("summary", "status", "created", "updated", "resolution", "resolutiondate")
SUMMARY = "summary?jql="  # query prefix of the object that closes one complete collection of a source


def page_bytes(page: dict[str, Any]) -> bytes:
    """Deterministic bytes (no gzip timestamp): a page read again unchanged is the same evidence object."""
    return gzip.compress(json.dumps(page, separators=(",", ":")).encode(), compresslevel=6, mtime=0)


@dataclass(frozen=True)
class Earlier:
    """A complete earlier collection of the same query: its entries are carried, and it says what is new."""

    entries: list[EvidenceEntry]
    newest: datetime | None  # the latest `updated` it saw


def earlier_collection(ctx: CollectContext, source: str, base: str, fields: list[str], reads: tuple) -> Earlier:
    """Only a collection closed by its summary counts; one of another query, field list or `reads` (changelog,
    JSM approvals) is fetched again."""
    known = ctx.earlier.of(source)
    summaries = [json.loads(ctx.recorder.store.read(e.sha256)) for q, e in known.items() if q.startswith(SUMMARY)]
    wanted = (base, fields, *reads)
    if not summaries or any(
        (s["base_jql"], s["fields"], s["changelog"], s.get("jsm_approvals", False)) != wanted for s in summaries
    ):
        return Earlier([], None)
    newest = [datetime.fromisoformat(s["newest_updated"]) for s in summaries if s["newest_updated"]]
    return Earlier(list(known.values()), max(newest, default=None))


class JiraIssuesCollector:
    """Reads the source's query from the scope with only the fields its controls use. A later run reads only
    issues updated since the last run's newest update, less `jira.overlap_minutes` (search index lag, minute
    precision), and carries the earlier pages. Pages are recorded once the whole search succeeded."""

    permissions = ()  # no AWS call; the Jira user needs Browse Projects on the queried projects
    version = VERSION

    def __init__(
        self,
        name: str,
        fields: Callable[[JiraFieldMap], Iterable[str | None]],
        changelog: bool,
        approvals: bool = False,
    ) -> None:
        self.name, self.source, self._fields, self._changelog = name, f"jira.{name}", fields, changelog
        self._approvals = approvals  # its controls judge approvals: JSM ones are read when the field map says so

    def fields(self, mapping: JiraFieldMap) -> list[str]:
        return list(dict.fromkeys(f for f in (*BASE_FIELDS, *self._fields(mapping)) if f))

    def jsm_approvals(self, mapping: JiraFieldMap) -> bool:
        return self._approvals and mapping.by_jsm

    def changelog(self, mapping: JiraFieldMap) -> bool:
        """Read where approvals, post-mortems or status transitions (done statuses) are judged from it."""
        return self._changelog or bool(mapping.done_statuses)

    def collect(self, ctx: CollectContext) -> None:
        spec = ctx.scope.jira
        query = spec.query(self.name) if spec else None
        if spec is None or query is None:
            ctx.not_configured(self.source, f"scope field jira.{self.name} is not set; name these tickets' project")
            return
        base = base_jql(query)
        with ctx.guard(self.source, base), closing(JiraReader(spec)) as reader:
            self._collect(ctx, reader, spec, base)

    def _collect(self, ctx: CollectContext, reader: JiraReader, spec: JiraSpec, base: str) -> None:
        mapping = spec.field_map(self.name)
        fields, changelog, jsm = self.fields(mapping), self.changelog(mapping), self.jsm_approvals(mapping)
        timezone = spec.timezone or reader.timezone()
        earlier = earlier_collection(ctx, self.source, base, fields, (changelog, jsm))
        if earlier.newest:
            since = earlier.newest - timedelta(minutes=spec.overlap_minutes)
        else:
            first = add_months(ctx.window.start, -spec.history_months)
            since = datetime.combine(first, time(0), ctx.window.tz)
        jql = updated_since(base, since, timezone)
        pages: list[tuple[str, bytes]] = []
        newest, issues, changelog_pages, approval_pages = earlier.newest, 0, 0, 0
        for query, page in reader.search(jql, fields, changelog=changelog, page_size=spec.page_size):
            pages.append((query, page_bytes(page)))
            for issue in page["issues"]:
                issues += 1
                updated = datetime.fromisoformat(issue["fields"]["updated"])  # 2026-05-01T10:00:00.000+0000
                newest = max(newest or updated, updated)
                for log_query, log_page in self._rest_of_changelog(reader, issue) if changelog else ():
                    pages.append((log_query, page_bytes(log_page)))
                    changelog_pages += 1
                for approval_query, approval_page in reader.approvals(issue["key"]) if jsm else ():
                    pages.append((approval_query, page_bytes(approval_page)))
                    approval_pages += 1
        for entry in earlier.entries:
            ctx.recorder.carry(entry)
        for query, data in pages:
            self._add(ctx, query, data, "application/gzip")
        summary = {
            "source": self.source,
            "base_jql": base,
            "jql": jql,
            "fields": fields,
            "changelog": changelog,
            "jsm_approvals": jsm,
            "timezone": timezone,
            "issues": issues,
            "pages": len(pages) - changelog_pages - approval_pages,
            "changelog_pages": changelog_pages,
            "approval_pages": approval_pages,
            "newest_updated": newest.isoformat() if newest else None,
        }
        self._add(ctx, SUMMARY + jql, json.dumps(summary, indent=1).encode(), "application/json")
        ctx.progress(
            f"{self.source}: {issues} issues in {summary['pages']} pages, {changelog_pages} changelog pages, "
            f"{approval_pages} approval pages, "
            f"{len(earlier.entries)} objects carried"
        )

    def _rest_of_changelog(self, reader: JiraReader, issue: dict[str, Any]) -> Iterable[Page]:
        """Search embeds at most a page of histories; a longer changelog is read from where that page ends."""
        log = issue.get("changelog")
        if not isinstance(log, dict) or not isinstance(log.get("histories"), list):
            raise JiraPageIncomplete(f"Jira left out the changelog of {issue.get('key')} though it was asked for")
        histories, total = log["histories"], log.get("total", len(log["histories"]))
        if len(histories) >= total:
            return ()
        return reader.changelog(issue["key"], len(histories) if log.get("startAt", 0) == 0 else 0)

    def _add(self, ctx: CollectContext, query: str, data: bytes, media_type: str) -> None:
        ctx.recorder.add(
            data,
            source=self.source,
            query=query,
            connector=CONNECTOR,
            connector_version=VERSION,
            media_type=media_type,
        )


def _approval(m: JiraFieldMap) -> tuple[str | None, ...]:
    """The approval pair, else the approval field (`status` is a base field; JSM approvals are read apart) and the
    approver field, if mapped."""
    if m.approval_time:
        return (m.approver, m.approval_time)
    return (m.approver,) if m.by_jsm else (m.approval_field, m.approver)


def _changes(m: JiraFieldMap) -> tuple[str | None, ...]:
    issue_type = "issuetype" if m.emergency_issue_types else None
    return (m.implementer, *_approval(m), m.deploy_time, m.environment, m.emergency, issue_type)


def _access_requests(m: JiraFieldMap) -> tuple[str | None, ...]:
    return (*_approval(m), m.iam_user)


COLLECTORS = (
    JiraIssuesCollector("changes", _changes, changelog=True, approvals=True),
    JiraIssuesCollector("incidents", lambda m: ("assignee", m.severity, m.postmortem), changelog=True),
    JiraIssuesCollector("access_reviews", lambda m: ("assignee",), changelog=False),
    JiraIssuesCollector("access_requests", _access_requests, changelog=True, approvals=True),
    JiraIssuesCollector("offboarding", lambda m: (m.employee_id,), changelog=False),
    JiraIssuesCollector("vendor_offboarding", lambda m: (m.vendor,), changelog=False),
    JiraIssuesCollector("vendor_reviews", lambda m: (m.vendor,), changelog=False),
    JiraIssuesCollector("risk_assessments", lambda m: (), changelog=False),
    JiraIssuesCollector("restore_tests", lambda m: (), changelog=False),
)
