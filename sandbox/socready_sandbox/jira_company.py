"""The sandbox company's process tickets in Jira with their changelogs, and the process gaps planted in them.

Changes, incidents, access reviews and requests, offboarding, risk assessments, restore tests, vendor offboarding
and vendor reviews over the window. The plan is fixed data, so issue keys (CHG-1, INC-3, ...) are the same on every
start.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from socready_sandbox.company import PEOPLE, TIMEZONE, VENDORS, WINDOW_END, WINDOW_START
from socready_sandbox.jira import JiraSandbox, format_time

TZ = ZoneInfo(TIMEZONE)
LEAD = "acc-eng-lead"
PROCUREMENT = "acc-proc-lead"  # a gap-ticket owner, added by jira_seed.seed_jira before the company's tickets
PEOPLE_IN_JIRA = {
    "acc-dev-sam": ("Sam Okoro", "sam@northwind.example"),
    "acc-dev-lena": ("Lena Fischer", "lena@northwind.example"),
    "acc-sre-omar": ("Omar Reyes", "omar@northwind.example"),
    "acc-it-june": ("June Park", "june@northwind.example"),
}
DEVELOPERS = ("acc-dev-sam", "acc-dev-lena", "acc-sre-omar")
PROJECTS = {
    "CHG": ("Change Management", ["Change"]),
    "INC": ("Security Incidents", ["Incident"]),
    "ACR": ("Access Management", ["Access Review", "Access Request"]),
    "OFF": ("Employee Offboarding", ["Task"]),
    "VOFF": ("Vendor Offboarding", ["Task"]),
    "RSK": ("Risk Management", ["Task"]),
    "DR": ("Disaster Recovery", ["Task"]),
    "VRV": ("Vendor Reviews", ["Task"]),
}
FIELDS = {  # id -> (name, type); the scope's jira.fields maps them
    "customfield_10200": ("Approval", "option"),
    "customfield_10201": ("Deployed At", "datetime"),
    "customfield_10202": ("Environment", "option"),
    "customfield_10203": ("Emergency", "option"),
    "customfield_10204": ("Severity", "option"),
    "customfield_10205": ("Post-mortem", "text"),
    "customfield_10206": ("IAM User", "text"),
    "customfield_10207": ("Employee ID", "text"),
}
GRANTS = frozenset({"CreateUser", "CreateLoginProfile", "AttachUserPolicy", "AddUserToGroup", "PutUserPolicy"})
# Hours after the end of a leaver's last day at which the offboarding ticket closed (default: the next evening).
OFFBOARDING_CLOSED_AFTER = {"E1003": 170.0}
DEFAULT_CLOSED_AFTER = 20.0
Step = tuple[datetime, str, list[tuple[str, str | None, str | None]]]


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TZ)


@dataclass(frozen=True)
class Ticket:
    project: str
    issue_type: str
    summary: str
    created: datetime
    who: str
    fields: dict = field(default_factory=dict)
    steps: tuple[Step, ...] = ()


def worked(created: datetime, who: str, done: datetime | None) -> tuple[Step, ...]:
    start = (created + timedelta(hours=1), who, [("status", "To Do", "In Progress")])
    return (start, (done, who, [("status", "In Progress", "Done")])) if done else (start,)


def change(
    summary: str,
    created: datetime,
    implementer: str,
    approvals: Iterable[tuple[datetime, str]],
    deployed: datetime | None,
    *,
    environment: str = "Production",
    emergency: bool = False,
) -> Ticket:
    approving = tuple((when, who, [("Approval", "Pending", "Approved")]) for when, who in approvals)
    fields = {
        "assignee": {"accountId": implementer},
        "customfield_10200": {"value": "Approved" if approving else "Pending"},
        "customfield_10202": {"value": environment},
        "customfield_10203": {"value": "Yes" if emergency else "No"},
    }
    if deployed:
        fields["customfield_10201"] = format_time(deployed)
    steps = worked(created, implementer, deployed) + approving
    return Ticket("CHG", "Change", summary, created, implementer, fields, steps)


SERVICES = ("payments-api", "ingest-worker", "web-frontend", "reporting-db", "auth-service", "edge-proxy")


def routine_changes() -> list[Ticket]:
    """Two changes a week: raised Monday, approved Tuesday by a colleague, deployed Wednesday; a fifth in staging."""
    tickets = []
    for week in range(27):
        monday = date(2026, 4, 27) + timedelta(weeks=week)
        for n in range(2):
            number = 2 * week + n
            implementer = DEVELOPERS[number % 3]
            approver = LEAD if number % 2 else DEVELOPERS[(number + 1) % 3]
            tickets.append(
                change(
                    f"Deploy {SERVICES[number % len(SERVICES)]} release {number + 1}",
                    local(monday, 10 + n),
                    implementer,
                    [(local(monday + timedelta(days=1), 11 + n), approver)],
                    local(monday + timedelta(days=2), 15 + n),
                    environment="Staging" if number % 5 == 4 else "Production",
                )
            )
    return tickets


# The planted change-management gaps, after the routine ones: CHG-55 onwards.
LATE_APPROVAL = change(
    "Rotate payments-api database credentials",
    local(date(2026, 6, 8), 9),
    "acc-dev-sam",
    [(local(date(2026, 6, 11), 10), LEAD)],
    local(date(2026, 6, 10), 15),
)
SELF_APPROVED = change(
    "Raise ingest-worker concurrency",
    local(date(2026, 7, 6), 9),
    "acc-dev-lena",
    [(local(date(2026, 7, 7), 10), "acc-dev-lena")],
    local(date(2026, 7, 8), 16),
)
EMERGENCY_LATE = change(
    "Hotfix: block abusive client on edge-proxy",
    local(date(2026, 8, 14), 21),
    "acc-sre-omar",
    [(local(date(2026, 8, 20), 10), LEAD)],  # Friday night fix, approved four business days later
    local(date(2026, 8, 14), 22),
    emergency=True,
)
EMERGENCY_ON_TIME = change(
    "Hotfix: restart stuck reporting-db replica",
    local(date(2026, 5, 23), 1),
    "acc-sre-omar",
    [(local(date(2026, 5, 26), 9), LEAD)],  # Saturday fix, approved on the second business day
    local(date(2026, 5, 23), 2),
    emergency=True,
)
IN_PROGRESS = change("Upgrade web-frontend framework", local(date(2026, 10, 28), 9), "acc-dev-sam", [], None)
CHANGES = [*routine_changes(), LATE_APPROVAL, SELF_APPROVED, EMERGENCY_LATE, EMERGENCY_ON_TIME, IN_PROGRESS]


def incident(summary: str, created: datetime, severity: str, resolved: datetime, postmortem: datetime | None) -> Ticket:
    fields = {"customfield_10204": {"value": severity}}
    steps = worked(created, "acc-sre-omar", resolved)
    if postmortem:
        link = f"https://wiki.northwind.example/postmortems/{created:%Y-%m-%d}"
        fields["customfield_10205"] = link
        steps += ((postmortem, LEAD, [("Post-mortem", None, link)]),)
    return Ticket("INC", "Incident", summary, created, "acc-sre-omar", fields, steps)


INCIDENTS = [
    incident(
        "Phishing email reported by finance", local(date(2026, 5, 12), 9), "Sev3", local(date(2026, 5, 13), 12), None
    ),
    incident(
        "Leaked API key in public repository",
        local(date(2026, 6, 2), 8),
        "Sev1",
        local(date(2026, 6, 2), 18),
        local(date(2026, 6, 9), 15),
    ),
    # Planted: a Sev2 incident whose post-mortem was never written.
    incident(
        "Credential stuffing against the login page",
        local(date(2026, 7, 20), 7),
        "Sev2",
        local(date(2026, 7, 21), 16),
        None,
    ),
    incident(
        "Suspicious outbound traffic from a build runner",
        local(date(2026, 8, 25), 10),
        "Sev2",
        local(date(2026, 8, 26), 11),
        local(date(2026, 9, 3), 14),
    ),
    incident("Lost laptop reported", local(date(2026, 9, 30), 9), "Sev4", local(date(2026, 10, 1), 10), None),
    incident(
        "Malware alert on a workstation", local(date(2026, 10, 20), 14), "Sev3", local(date(2026, 10, 22), 9), None
    ),
]


def review(summary: str, created: datetime, done: datetime | None) -> Ticket:
    return Ticket("ACR", "Access Review", summary, created, LEAD, {}, worked(created, LEAD, done))


ACCESS_REVIEWS = [
    review("Q1 2026 user access review", local(date(2026, 3, 2), 9), local(date(2026, 3, 20), 16)),
    review("Q2 2026 user access review", local(date(2026, 6, 15), 9), None),  # planted: never completed
    review("Q3 2026 user access review", local(date(2026, 9, 1), 9), local(date(2026, 9, 18), 15)),
]


def access_requests(events: Iterable[dict]) -> list[Ticket]:
    """One request per user and day of IAM grants in the company's CloudTrail history: raised two days before,
    approved by the engineering lead the day before, closed after the grant."""
    first: dict[tuple[str, date], datetime] = {}
    for event in events:
        user = (event.get("requestParameters") or {}).get("userName")
        if event["eventName"] in GRANTS and user:
            when = datetime.fromisoformat(event["eventTime"].replace("Z", "+00:00"))
            key = (user, when.astimezone(TZ).date())
            first[key] = min(first.get(key, when), when)
    tickets = []
    for (user, _), granted in sorted(first.items()):
        created, approved = granted - timedelta(days=2), granted - timedelta(days=1)
        steps = (
            (approved, LEAD, [("Approval", "Pending", "Approved")]),
            (granted + timedelta(hours=1), "acc-it-june", [("status", "To Do", "Done")]),
        )
        fields = {"customfield_10200": {"value": "Approved"}, "customfield_10206": user}
        tickets.append(Ticket("ACR", "Access Request", f"AWS access for {user}", created, "acc-it-june", fields, steps))
    return tickets


def offboarding() -> list[Ticket]:
    """An offboarding ticket per leaver whose last day is in (or just before) the window."""
    tickets = []
    for person in PEOPLE:
        last = person.termination_date
        if last is None or not WINDOW_START - timedelta(days=30) <= last <= WINDOW_END:
            continue
        end_of_day = datetime.combine(last + timedelta(days=1), time(0), TZ)
        closed = end_of_day + timedelta(hours=OFFBOARDING_CLOSED_AFTER.get(person.employee_id, DEFAULT_CLOSED_AFTER))
        created = local(last - timedelta(days=7), 10)
        fields = {"customfield_10207": person.employee_id}
        summary = f"Offboard {person.name}"
        tickets.append(
            Ticket("OFF", "Task", summary, created, "acc-it-june", fields, worked(created, "acc-it-june", closed))
        )
    return tickets


def task(project: str, summary: str, created: datetime, done: datetime) -> Ticket:
    return Ticket(project, "Task", summary, created, LEAD, {}, worked(created, LEAD, done))


OTHER_TICKETS = [
    task("RSK", "2025 annual risk assessment", local(date(2025, 9, 15), 9), local(date(2025, 10, 15), 16)),
    task("RSK", "2026 annual risk assessment", local(date(2026, 9, 14), 9), local(date(2026, 10, 8), 16)),
    task(
        "DR", "Restore test: production database (H2 2025)", local(date(2025, 11, 10), 9), local(date(2025, 11, 20), 17)
    ),
    task("DR", "Restore test: production database (H1 2026)", local(date(2026, 5, 4), 9), local(date(2026, 5, 14), 17)),
]


def vendor_review(vendor: str, day: date) -> Ticket:
    """An assurance-report review: raised two weeks before its day, resolved as done that afternoon."""
    created = local(day - timedelta(days=14), 10)
    steps = worked(created, PROCUREMENT, local(day, 15))
    return Ticket("VRV", "Task", f"SOC 2 report review: {vendor}", created, PROCUREMENT, {}, steps)


VENDOR_TICKETS = [
    # The vendors VENDORS offboard, each closed within PROC-04's 30 days; FaxRelay left before the window.
    task("VOFF", "Offboard vendor FaxRelay", local(date(2025, 12, 1), 9), local(date(2025, 12, 10), 12)),
    task("VOFF", "Offboard vendor SignFlow", local(date(2026, 9, 14), 9), local(date(2026, 9, 24), 16)),
    *(vendor_review(vendor.name, day) for vendor in VENDORS for day in vendor.reviews_in_jira),
]


def key_of(ticket: Ticket, plan: list[Ticket]) -> str:
    """Keys number each project's tickets in plan order."""
    same = [t for t in plan if t.project == ticket.project]
    return f"{ticket.project}-{same.index(ticket) + 1}"


# Access requests, offboarding and then VENDOR_TICKETS follow, per project.
PLAN = [*CHANGES, *INCIDENTS, *ACCESS_REVIEWS, *OTHER_TICKETS]
PLANTED = {
    ("ENG-CHG-01", f"change/{key_of(LATE_APPROVAL, CHANGES)}"),
    ("ENG-CHG-01", f"change/{key_of(SELF_APPROVED, CHANGES)}"),
    ("ENG-CHG-02", f"change/{key_of(EMERGENCY_LATE, CHANGES)}"),
    ("ENG-INC-01", f"incident/{key_of(INCIDENTS[2], INCIDENTS)}"),
    ("ENG-ACC-01", "quarter/2026-Q2"),
    ("HR-05", "employee/E1003"),
}


def seeded(jira: JiraSandbox) -> set[tuple[str, str, str]]:
    """(project, summary, created) of every issue in the sandbox: what identifies a planned ticket."""
    return {(i["fields"]["project"]["key"], i["fields"]["summary"], i["fields"]["created"]) for i in jira.issues()}


def seed_jira_company(jira: JiraSandbox, cloudtrail_events: Iterable[dict]) -> None:
    """Idempotent per ticket: a sandbox reloaded from its state file already has its tickets, and one saved before
    tickets were added to the plan gets just those, numbered after the ones it has (new tickets go last)."""
    for key, (name, types) in PROJECTS.items():
        jira.add_project(key, name, issue_types=types)
    for account, (name, email) in PEOPLE_IN_JIRA.items():
        jira.add_user(account, name, email)
    for field_id, (name, kind) in FIELDS.items():
        jira.add_custom_field(field_id, name, kind)
    present = seeded(jira)
    for ticket in [*PLAN, *access_requests(cloudtrail_events), *offboarding(), *VENDOR_TICKETS]:
        if (ticket.project, ticket.summary, format_time(ticket.created)) in present:
            continue
        fields = {"assignee": {"accountId": ticket.who}, **ticket.fields}
        jira.seed_issue(
            ticket.project,
            ticket.issue_type,
            ticket.summary,
            fields=fields,
            created=ticket.created,
            history=ticket.steps,
        )
