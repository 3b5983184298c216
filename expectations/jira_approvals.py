"""When a ticket was approved and by whom: a workflow status, an approval field, or an approver and approval time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from expectations.jira_issues import Change, Issue, Person, matches
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


def approvals(issue: Issue, mapping: JiraFieldMap, tz: ZoneInfo) -> list[Approval]:
    """Every approving event of the ticket, oldest first."""
    if mapping.approval_time:
        return [found] if (found := paired(issue, mapping, tz)) else []
    return [from_change(issue, mapping, c) for c in issue.changed(mapping.approval_field) if approves(c, mapping)]


def approval_standing(issue: Issue, mapping: JiraFieldMap, moment: datetime, tz: ZoneInfo) -> Approval | None:
    """The approval in force at `moment`: the first approving change since the last withdrawal (approved, sent back
    and approved again is judged by the re-approval; moving on to another approved value keeps the first)."""
    if mapping.approval_time:
        found = paired(issue, mapping, tz)
        return found if found and found.at <= moment else None
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
