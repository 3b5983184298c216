"""Change tickets read through the scope's field map: when each shipped, where, whether emergency, who built it."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from expectations.dataset import Inventory
from expectations.jira_approvals import Approval
from expectations.jira_issues import Issue, Person, When, field_map, jira_issues, matches, stamp
from expectations.spec import Rule, rule, where
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.scope.models import JiraFieldMap
from socready.window import Window

SOURCE = "jira.changes"
# The coverage reason of the change controls: without both people, independence cannot be judged.
UNNAMED = "The change ticket does not name both its approver and its implementer."


@dataclass(frozen=True)
class ChangeTicket:
    issue: Issue
    deployed: When | None  # None: not shipped
    deployed_by: str  # where the deploy time was read: "status Deployed", "field customfield_10041", ...
    production: bool
    emergency: bool
    implementer: Person | None

    @property
    def resource(self) -> str:
        return f"change/{self.issue.key}"

    @property
    def shipped(self) -> str:
        """What the row's value says of the deploy: when, and from which source."""
        return f"deployed {stamp(self.deployed.start)} ({self.deployed_by})" if self.deployed else "not deployed"

    def parties(self, approval: Approval | None) -> tuple[dict[str, str | None], str]:
        """The approval's facts (who approved, who implemented: Jira account ids, None where the ticket does not
        name them; and when it was approved), and the words naming the two people."""
        by = approval.by if approval else None
        facts = {
            "approved_at": approval.at if approval else None,
            "approver": by.id if by else None,
            "implementer": self.implementer.id if approval and self.implementer else None,
        }
        return facts, f"approved by {by.name if by else 'nobody named'}, implemented by " + (
            self.implementer.name if self.implementer else "nobody named"
        )


def deployment(issue: Issue, mapping: JiraFieldMap, tz: ZoneInfo) -> tuple[When | None, str]:
    """The first transition into `deploy_status`, else the `deploy_time` field, else when the ticket was completed
    (the first done status, or its resolution as done); and which of them it was."""
    if mapping.deploy_status:
        moved = issue.entered([mapping.deploy_status])
        return (When(moved.at, moved.at) if moved else None), f"status {mapping.deploy_status}"
    if mapping.deploy_time:
        return issue.when(mapping.deploy_time, tz), f"field {mapping.deploy_time}"
    done = issue.completed(mapping)
    return (When(done, done) if done else None), "done status" if mapping.done_statuses else "resolution date"


def change_tickets(view: EvidenceView, scope: Scope, window: Window) -> list[ChangeTicket]:
    """Without an environment field every ticket the query finds is a production change; a ticket is an emergency
    change by its emergency field or its issue type."""
    mapping = field_map(scope, SOURCE)
    tickets = []
    for issue in jira_issues(view, SOURCE, window):
        deployed, deployed_by = deployment(issue, mapping, window.tz)
        environment, flag = issue.value(mapping.environment), issue.value(mapping.emergency)
        production = matches(mapping.production_values, environment) if mapping.environment else True
        emergency = (bool(mapping.emergency) and matches(mapping.emergency_values, flag)) or matches(
            mapping.emergency_issue_types, issue.issue_type
        )
        implementer = issue.person(mapping.implementer)
        tickets.append(ChangeTicket(issue, deployed, deployed_by, production, emergency, implementer))
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


# The approval facts of a change row: when the approval that counts was given, by whom, and who implemented.
APPROVAL_FACTS = {"approved_at": "datetime64[ns, UTC]", "approver": "string", "implementer": "string"}


def parties_named(counted: str) -> list[Rule]:
    """Wherever an approval counts (`counted`: a pandas row condition), the ticket names both people: else the
    row is without evidence, since independence cannot be judged."""
    limited = where(counted)
    return [
        rule("ExpectColumnValuesToNotBeNull", "coverage", UNNAMED, column=c, **limited)
        for c in ("approver", "implementer")
    ]


def approved_by_another(reason: str) -> Rule:
    """The approver is never the implementer (rows missing either are the coverage rules' business)."""
    return rule("ExpectColumnPairValuesToDiffer", "exception", reason, column_A="approver", column_B="implementer")
