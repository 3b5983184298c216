"""What a gap ticket says and where it goes: routing, priority, due date, custom fields, and a stable description."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from socready.errors import TicketError
from socready.evidence.sources import CURRENT_STATE
from socready.readiness.model import ControlResult, Decision
from socready.scope import Scope
from socready.tickets.identity import Gap, Kind, fingerprint_label

PRIORITY = {"critical": "Highest", "high": "High", "medium": "Medium", "low": "Low"}
SEVERITY_ORDER = ("critical", "high", "medium", "low")
MAX_LISTED = 20
SUMMARY_LIMIT = 255  # Jira rejects longer summaries
FIELDWORK_AFTER_WINDOW_DAYS = 30  # tickets.fieldwork_date unset: fieldwork usually starts weeks after the window
REPORT_LINE = "Report: "


@dataclass(frozen=True)
class TicketDraft:
    """A gap's ticket as socready wants it; `fields` is the full create request."""

    fingerprint: str
    name: str
    project: str
    fields: dict[str, Any]
    kind: Kind

    @property
    def label(self) -> str:
        return fingerprint_label(self.fingerprint)

    @property
    def labels(self) -> list[str]:
        return self.fields["labels"]


def _section(result: ControlResult) -> list[str]:
    lines = [
        f"*{result.id} — {result.title}*",
        f"Status: {result.status}. {result.reason}",
        f"Criteria: {', '.join(result.criteria)}. Owner: {result.owner}. Severity: {result.severity}.",
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
    lines += ["", f"Remediation: {result.remediation}", "", *_cited(result)]
    return lines


def _cited(result: ControlResult) -> list[str]:
    """The evidence the listed findings point at, or why there is none to cite.

    Only the findings' own references: whole-run evidence (status snapshots) changes every run and would rewrite
    the ticket each time.
    """
    sources = {e.sha256: e.source for e in result.evidence.cited} if result.evidence else {}
    pointed = list(dict.fromkeys(sha for item in [*result.exceptions, *result.coverage_gaps] for sha in item.evidence))
    shown = [sha for sha in pointed if not is_current_state(sources.get(sha, ""))]
    if shown:
        return [
            f"Evidence behind these findings ({len(shown)}, sha256):",
            *[f"- {sources.get(sha, 'evidence')} {sha}" for sha in shown[:MAX_LISTED]],
        ]
    if pointed:
        why = (
            "they come from current-state reads (snapshots, credential reports) taken anew every run; "
            "the report cites this run's copies"
        )
    elif result.collection_errors:
        why = "the reads above failed, so there is no evidence object to cite"
    else:
        why = "the findings point at no stored evidence object; the report lists the evidence the control read"
    return [f"Evidence behind these findings: none cited here, because {why}."]


def is_current_state(source: str) -> bool:
    """Current-state reads (snapshots, credential reports) are taken anew every run and differ each time; citing
    them would rewrite the ticket every run. Logs, history files and exports stay the same."""
    return source in CURRENT_STATE


def _asks(gap: Gap, scope: Scope) -> list[str]:
    """What the owner is asked to do: fix an ongoing gap, or answer a historical one for the auditor."""
    if gap.kind == "ongoing":
        return [
            "*Ongoing gap: fix needed.* It still fails at the end of the assessed period. Fix it by the due date; "
            f"socready resolves this ticket after {scope.tickets.resolve_after_runs} run(s) that show it clean.",
            "",
        ]
    where = (
        f"the field '{scope.tickets.response_field}'"
        if scope.tickets.response_field
        else "a comment starting 'Management response:'"
    )
    auditor = [
        f"- {r.id}: {e.reason} {e.resource}, {e.start:%Y-%m-%d} to {e.end:%Y-%m-%d} ({e.value})."
        for r in gap.results
        for e in [*r.exceptions, *r.coverage_gaps][:MAX_LISTED]
    ]
    return [
        "*Historical gap: management response needed.* It is fixed now, but it deviated inside the observation "
        "window, so it cannot be fixed any more: the auditor will list it as an exception. Write a management "
        f"response (root cause, what was done, any compensating control) in {where} by the due date; socready "
        "records it as evidence, shows it beside the exception in the report and the auditor package, and "
        "resolves this ticket.",
        "What the auditor will see:",
        *auditor,
        "",
    ]


def _decided(decisions: Sequence[Decision]) -> list[str]:
    """Owners' decisions as they stand; each line is fixed once written, so the text stays stable."""
    lines = []
    for d in decisions:
        if d.kind == "response":
            lines.append(f"Management response recorded, by {d.author} on {d.at:%Y-%m-%d}: {d.text}")
        elif d.kind == "dispute":
            lines.append(
                f"Disputed by {d.author} on {d.at:%Y-%m-%d}: {d.text}. Recorded for review; the exception stays in "
                "the verdict while the evidence shows it."
            )
        elif d.applies:
            lines.append(f"Risk accepted by {d.author} on {d.at:%Y-%m-%d} until {d.expires}: {d.text}")
        else:
            lines.append(f"Risk acceptance by {d.author} on {d.at:%Y-%m-%d} not applied: {d.note}.")
    return [*lines, ""] if lines else []


def describe(gap: Gap, scope: Scope, report_location: str, decisions: Sequence[Decision] = ()) -> str:
    """Text that changes only when the findings, their kind or the owner's decisions do: no run timestamps."""
    lines: list[str] = _asks(gap, scope)
    if gap.key.group_by == "owner":
        lines += [f"*Gaps owned by {gap.key.owner}: {len(gap.results)} control(s) not operating*", ""]
    for result in gap.results:
        lines += [*_section(result), ""]
    window = scope.window
    lines += [
        *_decided(decisions),
        f"Observation window: {window.start} to {window.end} ({window.timezone}).",
        f"{REPORT_LINE}{report_location}",
        "Opened and kept current by socready; do not edit the label.",
    ]
    return "\n".join(lines)


def severity(gap: Gap) -> str:
    return min((r.severity for r in gap.results), key=SEVERITY_ORDER.index)


def due_date(gap: Gap, scope: Scope, today: date) -> str:
    """Ongoing: the severity's SLA from today. Historical: before the audit fieldwork (not before today)."""
    settings = scope.tickets
    if gap.kind == "ongoing":
        return (today + timedelta(days=getattr(settings.sla_days, severity(gap)))).isoformat()
    fieldwork = settings.fieldwork_date or scope.window.end + timedelta(days=FIELDWORK_AFTER_WINDOW_DAYS)
    return max(today, fieldwork - timedelta(days=settings.response_lead_days)).isoformat()


def summary(gap: Gap) -> str:
    first = gap.results[0]
    if gap.key.group_by == "owner":
        text = f"[SOC 2] {gap.key.owner} gaps: {', '.join(gap.key.controls)}"
    else:
        text = f"[SOC 2] {first.id} {first.title}: {first.status.replace('_', ' ')}"
        if gap.key.resource is not None:
            text += f" ({gap.key.resource})"
    text += " — fix needed" if gap.kind == "ongoing" else " — management response needed"
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 1] + "…"


def _custom_fields(gap: Gap, scope: Scope, due: str) -> dict[str, Any]:
    values = {
        "organization": scope.organization,
        "control_id": ", ".join(gap.key.controls),
        "title": gap.results[0].title if len(gap.results) == 1 else f"{gap.key.owner} gaps",
        "owner": gap.key.owner,
        "severity": severity(gap),
        "criteria": ", ".join(dict.fromkeys(c for r in gap.results for c in r.criteria)),
        "resource": gap.key.resource or "",
        "fingerprint": gap.fingerprint,
        "due": due,
    }
    return {
        field: {k: v.format(**values) for k, v in template.items()}
        if isinstance(template, dict)
        else template.format(**values)
        for field, template in scope.tickets.custom_fields.items()
    }


def draft(gap: Gap, scope: Scope, report_location: str, today: date, decisions: Sequence[Decision] = ()) -> TicketDraft:
    route = scope.owners.get(gap.key.owner)
    if route is None:
        raise TicketError(
            f"scope owners.{gap.key.owner} is not set: add the Jira project (and assignee) that receives "
            f"{gap.key.owner} gap tickets such as {gap.key.controls[0]}"
        )
    due = due_date(gap, scope, today)
    fields: dict[str, Any] = {
        "project": {"key": route.project},
        "issuetype": {"name": route.issue_type or scope.tickets.issue_type},
        "summary": summary(gap),
        "description": describe(gap, scope, report_location, decisions),
        "labels": sorted({*scope.tickets.labels, *route.labels, fingerprint_label(gap.fingerprint)}),
        "priority": {"name": PRIORITY[severity(gap)]},
        "duedate": due,
        "components": [{"name": route.component}] if route.component else [],
        **_custom_fields(gap, scope, due),
    }
    if route.assignee:
        fields["assignee"] = {"accountId": route.assignee}
    return TicketDraft(gap.fingerprint, gap.key.name(), route.project, fields, gap.kind)
