"""When a ticket was approved and by whom: a workflow status, an approval field, an approver and approval time, or
the request's Jira Service Management approvals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from expectations.jira_issues import Change, Decision, Issue, Person, matches
from socready.errors import EvidenceUnusable
from socready.scope.models import JiraFieldMap


@dataclass(frozen=True)
class Approval:
    at: datetime
    by: Person | None  # None: the ticket does not name who approved


def approves(change: Change, mapping: JiraFieldMap) -> bool:
    return matches(mapping.approved_status, change.after)


def sent_back(issue: Issue, mapping: JiraFieldMap) -> list[str]:
    """The statuses that withdraw a status approval: `sent_back_statuses`, else every status the ticket held before
    its first approval (its initial status is the first transition's `from`)."""
    if mapping.sent_back_statuses is not None:
        return mapping.sent_back_statuses
    moves = issue.changed(mapping.approval_field)
    first = next((n for n, c in enumerate(moves) if approves(c, mapping)), len(moves))
    held = [moves[0].before, *(c.after for c in moves[:first])] if moves else []
    return [s for s in held if s and not matches(mapping.approved_status, s)]


def withdraws(change: Change, mapping: JiraFieldMap, statuses: list[str]) -> bool:
    """A status approval stands while the ticket moves on (Approved -> Deployed -> Done) and ends when it is sent
    back; an approval field's approval ends when the field leaves the approved value."""
    if approves(change, mapping):
        return False
    return matches(statuses, change.after) if mapping.by_status else True


def from_change(issue: Issue, mapping: JiraFieldMap, change: Change) -> Approval:
    """Approved by the mapped approver field, else by whoever made the approving change."""
    return Approval(change.at, issue.person(mapping.approver) if mapping.approver else change.author)


def paired(issue: Issue, mapping: JiraFieldMap, tz: ZoneInfo) -> Approval | None:
    """The approval_time field (a date counts from the start of its local day) with the approver field."""
    when = issue.when(mapping.approval_time, tz)
    return Approval(when.start, issue.person(mapping.approver)) if when else None


def decided(issue: Issue) -> list[Decision]:
    """The request's decided JSM approvals, by decision time; approvals that were not read are no evidence."""
    if issue.decisions is None:
        raise EvidenceUnusable(f"the Jira Service Management approvals of {issue.key} were not read")
    return sorted((d for d in issue.decisions if d.at), key=lambda d: d.at)


def from_decision(found: Decision) -> Approval:
    """Approved by the first approver who approved (a JSM approval may need several)."""
    return Approval(found.at, found.approved_by[0] if found.approved_by else None)


def approvals(issue: Issue, mapping: JiraFieldMap, tz: ZoneInfo) -> list[Approval]:
    """Every approving event of the ticket, oldest first."""
    if mapping.approval_time:
        return [found] if (found := paired(issue, mapping, tz)) else []
    if mapping.by_jsm:
        return [from_decision(d) for d in decided(issue) if d.final == "approved"]
    return [from_change(issue, mapping, c) for c in issue.changed(mapping.approval_field) if approves(c, mapping)]


def approval_standing(issue: Issue, mapping: JiraFieldMap, moment: datetime, tz: ZoneInfo) -> Approval | None:
    """The approval in force at `moment`: the first approving change since the last withdrawal (approved, sent back
    and approved again is judged by the re-approval; moving on to another approved value keeps the first); for JSM,
    the last decision by then, if it approved."""
    if mapping.approval_time:
        found = paired(issue, mapping, tz)
        return found if found and found.at <= moment else None
    if mapping.by_jsm:  # the last decision by then: approved, or declined (withdrawn)
        last = [d for d in decided(issue) if d.at <= moment][-1:]
        return from_decision(last[0]) if last and last[0].final == "approved" else None
    statuses = sent_back(issue, mapping) if mapping.by_status else []
    standing: Change | None = None
    for change in issue.changed(mapping.approval_field):
        if change.at > moment:
            break
        if approves(change, mapping):
            standing = standing or change
        elif withdraws(change, mapping, statuses):
            standing = None
    return from_change(issue, mapping, standing) if standing else None
