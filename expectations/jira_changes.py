"""Change tickets read through the scope's field map: when each shipped, where, whether emergency, who built it."""

from __future__ import annotations

from dataclasses import dataclass

from expectations.dataset import Inventory
from expectations.jira_issues import Change, Issue, Person, When, approver, jira_issues, matches
from socready.errors import EvidenceUnusable
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.scope.models import JiraFieldMap
from socready.window import Window

SOURCE = "jira.changes"
# The coverage reason of the change controls: without both people, independence cannot be judged.
UNNAMED = "The change ticket does not name both its approver and its implementer."


def field_map(scope: Scope) -> JiraFieldMap:
    if scope.jira is None:
        raise EvidenceUnusable("the scope has no jira section")
    return scope.jira.fields


@dataclass(frozen=True)
class ChangeTicket:
    issue: Issue
    deployed: When | None  # None: not shipped
    production: bool
    emergency: bool
    implementer: Person | None

    @property
    def resource(self) -> str:
        return f"change/{self.issue.key}"

    def independence(self, mapping: JiraFieldMap, approval: Change) -> tuple[bool | None, str]:
        """Whether someone other than the implementer approved (None: the ticket does not show both) and who."""
        by = approver(self.issue, mapping, approval)
        independent = None if by is None or self.implementer is None else by.id != self.implementer.id
        return independent, f"approved by {by.name if by else 'nobody named'}, implemented by " + (
            self.implementer.name if self.implementer else "nobody named"
        )


def change_tickets(view: EvidenceView, scope: Scope, window: Window) -> list[ChangeTicket]:
    """Without a deploy-time field a change ships when it is resolved as done; without an environment field every
    ticket the query finds is a production change."""
    mapping = field_map(scope)
    tickets = []
    for issue in jira_issues(view, SOURCE):
        if mapping.deploy_time:
            deployed = issue.when(mapping.deploy_time, window.tz)
        else:
            done = issue.completed(mapping)
            deployed = When(done, done) if done else None
        environment, flag = issue.value(mapping.environment), issue.value(mapping.emergency)
        production = matches(mapping.production_values, environment) if mapping.environment else True
        emergency = matches(mapping.emergency_values, flag) if mapping.emergency else False
        tickets.append(ChangeTicket(issue, deployed, production, emergency, issue.person(mapping.implementer)))
    return tickets


def shipped_in_window(tickets: list[ChangeTicket], window: Window, *, emergency: bool) -> list[ChangeTicket]:
    """Production changes (emergency or not) deployed inside the evaluated window."""
    return [
        t
        for t in tickets
        if t.production and t.emergency == emergency and t.deployed and window.contains(t.deployed.start)
    ]


def change_inventory(tickets: list[ChangeTicket], *, emergency: bool) -> Inventory:
    """The change query read in full is the inventory of changes: an empty population is stated from it."""
    kind = "emergency production changes" if emergency else "production changes"
    return Inventory(f"0 {kind} deployed in the window ({SOURCE}: {len(tickets)} tickets read).")
