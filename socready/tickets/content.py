"""What a gap ticket says: fingerprint, routing and a description that is stable while nothing changes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from socready.errors import TicketError
from socready.readiness.model import ControlResult
from socready.scope import Scope

PRIORITY = {"critical": "Highest", "high": "High", "medium": "Medium", "low": "Low"}
MAX_LISTED = 20


def fingerprint(organization: str, control_id: str) -> str:
    return hashlib.sha256(f"socready/v1|{organization}|{control_id}".encode()).hexdigest()


def fingerprint_label(value: str) -> str:
    """Searchable with JQL (entity properties are not, without an app)."""
    return f"socready-gap-{value[:16]}"


@dataclass(frozen=True)
class TicketDraft:
    control_id: str
    fingerprint: str
    project: str
    fields: dict

    @property
    def label(self) -> str:
        return fingerprint_label(self.fingerprint)


def describe(result: ControlResult, scope: Scope, report_location: str) -> str:
    window = scope.window
    lines = [
        f"*{result.id} — {result.title}*",
        f"Status: {result.status}. {result.reason}",
        f"Criteria: {', '.join(result.criteria)}. Owner: {result.owner}. Severity: {result.severity}.",
        f"Observation window: {window.start} to {window.end} ({window.timezone}).",
        "",
    ]
    if result.exceptions:
        lines.append(f"Exceptions ({len(result.exceptions)} in all, first {min(MAX_LISTED, len(result.exceptions))}):")
        lines += [
            f"- {e.resource}: {e.start:%Y-%m-%d %H:%M}Z to {e.end:%Y-%m-%d %H:%M}Z"
            f"{' (ongoing)' if e.ongoing else ''} — {e.value}"
            for e in result.exceptions[:MAX_LISTED]
        ]
    if result.coverage_gaps:
        lines.append(f"Coverage gaps ({len(result.coverage_gaps)} in all):")
        lines += [
            f"- {g.resource}: {g.start:%Y-%m-%d %H:%M}Z to {g.end:%Y-%m-%d %H:%M}Z — {g.value}"
            for g in result.coverage_gaps[:MAX_LISTED]
        ]
    lines += [f"- {error}" for error in result.collection_errors[:MAX_LISTED]]
    # Only the evidence behind the listed findings: whole-run evidence (status snapshots) changes every
    # run and would rewrite the ticket each time.
    shown = list(dict.fromkeys(sha for item in [*result.exceptions, *result.coverage_gaps] for sha in item.evidence))
    sources = {e.sha256: e.source for e in result.evidence}
    lines += ["", f"Remediation: {result.remediation}", "", f"Evidence behind these findings ({len(shown)}, sha256):"]
    lines += [f"- {sources.get(sha, 'evidence')} {sha}" for sha in shown[:MAX_LISTED]]
    lines += ["", f"Report: {report_location}", "Opened and kept current by socready; do not edit the label."]
    return "\n".join(lines)


def draft(result: ControlResult, scope: Scope, report_location: str) -> TicketDraft:
    route = scope.owners.get(result.owner)
    if route is None:
        raise TicketError(
            f"scope owners.{result.owner} is not set: add the Jira project (and assignee) that receives "
            f"{result.owner} gap tickets such as {result.id}"
        )
    value = fingerprint(scope.organization, result.id)
    fields = {
        "project": {"key": route.project},
        "issuetype": {"name": scope.tickets.issue_type},
        "summary": f"[SOC 2] {result.id} {result.title}: {result.status.replace('_', ' ')}",
        "description": describe(result, scope, report_location),
        "labels": sorted({*scope.tickets.labels, fingerprint_label(value)}),
        "priority": {"name": PRIORITY[result.severity]},
    }
    if route.assignee:
        fields["assignee"] = {"accountId": route.assignee}
    fields["components"] = [{"name": route.component}] if route.component else []
    return TicketDraft(result.id, value, route.project, fields)
