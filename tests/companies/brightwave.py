"""Brightwave Labs: a second synthetic company, written to differ from the sandbox's Northwind in every convention
socready once assumed, with gaps planted in each area and clean look-alikes (decoys) beside them.

How Brightwave differs: a January-June window in Chicago; an AWS organization whose trail delivers into a
log-archive account (`AWSLogs/<org-id>/<account>/...`), a member account that joins in March, regions eu-west-1 and
us-east-2 with IAM and sign-in events under us-east-1; Config baselines recorded months before the window with no
snapshot files, and one account and region with no Config history at all; production data stores named by a
Title-case `Environment` tag or by account; IAM users named by e-mail; a roster keyed by e-mail and full name with
two people of the same name; status-based change approvals that move on (Approved -> In Progress -> Deployed ->
Closed), a change sent back, emergency changes by issue type; access requests approved by an approver and a time
field, with no Approved status; offboarding tickets that name people by full name; an XLSX vendor register.

Everything is data: `seed.py` turns it into moto, Jira and export files, `truth()` says what the report must show.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from socready_sandbox.company import Vendor
from tests.companies.model import Bucket, Database, Decoy, Gap, Person, Ticket, Truth

ORGANIZATION = "Brightwave Labs"
TIMEZONE = "America/Chicago"
TZ = ZoneInfo(TIMEZONE)
WINDOW_START, WINDOW_END = date(2026, 1, 1), date(2026, 6, 30)
AS_OF = datetime(2026, 4, 15, 17, tzinfo=UTC)  # the mid-window run: noon in Chicago
REGIONS = ("eu-west-1", "us-east-2")
EU, US2 = REGIONS
GLOBAL_REGION = "us-east-1"  # where IAM and console sign-in events are recorded
MGMT, LOGS, PROD, DATA = "410000000001", "410000000002", "410000000003", "410000000004"
ACCOUNTS = {MGMT: "management", LOGS: "log-archive", PROD: "production"}  # listed in the scope
MEMBER_NAME = "analytics"  # DATA: found through Organizations, joined mid-window
DATA_JOINED = datetime(2026, 3, 16, 15, tzinfo=UTC)
TRAIL, TRAIL_BUCKET, CONFIG_BUCKET = "brightwave-org-trail", "brightwave-org-cloudtrail", "brightwave-config-history"
LOG_START = date(2025, 10, 3)  # the trail's files from 90 days before the window (ENG-IAM-06's lookback)
CONFIG_BASELINE = datetime(2025, 8, 15, 9, tzinfo=UTC)  # Config discovered everything: 4.5 months before W
DATA_BASELINE = datetime(2025, 11, 3, 9, tzinfo=UTC)  # the analytics account's Config, before it joined
ADMIN = "maya.chen@brightwave.example"
OFFBOARDING_SLA = timedelta(hours=72)  # HR-05's default


def utc(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def ct(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Chicago wall-clock time in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), TZ)


WINDOW_START_UTC, WINDOW_END_UTC = day_start(WINDOW_START), day_start(WINDOW_END + timedelta(days=1))


# --- people -----------------------------------------------------------------------------------------------------
def person(employee_id: str, name: str, hired: date, **details) -> Person:
    email = details.pop("email", None) or f"{name.lower().replace(' ', '.')}@brightwave.example"
    return Person(employee_id, name, email, hired, **details)


PEOPLE = (
    person("BW-0101", "Maya Chen", date(2024, 3, 4), iam=True, jira_user="acc-maya"),
    person(
        "BW-0102",
        "Ravi Patel",
        date(2025, 2, 10),
        iam=True,
        jira_user="acc-ravi",
        mfa_off=(utc(3, 9, 15), utc(3, 12, 15)),
    ),
    # Removed two hours after his last day; his namesake BW-0109 still works here.
    person(
        "BW-0103", "Jordan Reyes", date(2023, 6, 1), last_day=date(2026, 2, 13), iam=True, password_removed=ct(2, 14, 2)
    ),
    # Deleted four days after her last day: IAM no longer knows her, only CloudTrail does.
    person(
        "BW-0104",
        "Lena Park",
        date(2022, 9, 12),
        last_day=date(2026, 3, 20),
        iam=True,
        jira_user="acc-lena",
        password_removed=utc(3, 24, 16),
        user_deleted=utc(3, 24, 16, 5),
    ),
    # Deleted the evening of his last day (a decoy beside Lena).
    person(
        "BW-0105",
        "Tomás Silva",
        date(2024, 1, 8),
        email="tomas.silva@brightwave.example",
        last_day=date(2026, 1, 30),
        iam=True,
        password_removed=ct(1, 30, 23),
        user_deleted=ct(1, 30, 23, 10),
    ),
    person("BW-0106", "Aisha Bello", date(2025, 5, 5), last_day=date(2026, 4, 14)),  # no AWS access
    # Deleted a week after his last day, after the mid-window as-of.
    person(
        "BW-0107",
        "Noah Fischer",
        date(2024, 8, 19),
        last_day=date(2026, 4, 10),
        iam=True,
        jira_user="acc-noah",
        password_removed=utc(4, 17, 14),
        user_deleted=utc(4, 17, 14, 5),
    ),
    person(
        "BW-0108",
        "Priya Nair",
        date(2026, 2, 2),
        background_check=date(2026, 1, 20),
        nda_signed=date(2026, 1, 28),
        iam=True,
        granted=utc(2, 2, 15),
        jira_user="acc-priya",
    ),
    person("BW-0109", "Jordan Reyes", date(2025, 11, 3), email="jordan.reyes2@brightwave.example"),
    person(
        "BW-0110",
        "Omar Haddad",
        date(2026, 5, 4),
        background_check=date(2026, 5, 7),  # planted: three days after his start
        nda_signed=date(2026, 4, 30),
        iam=True,
        granted=utc(5, 4, 14),
    ),
    person(
        "BW-0111",
        "Chloe Martin",
        date(2026, 3, 2),
        background_check=date(2026, 2, 20),
        nda_signed=date(2026, 3, 4),  # planted: two days after her start
        iam=True,
        granted=utc(3, 2, 15),
    ),
    person(
        "BW-0112", "Ethan Brooks", date(2026, 6, 1), background_check=date(2026, 5, 22), nda_signed=date(2026, 5, 25)
    ),
    # On long leave: his console password was last used in October and removed only in late February.
    person(
        "BW-0113",
        "Kai Tanaka",
        date(2021, 4, 12),
        iam=True,
        last_signin=utc(10, 20, 15, year=2025),
        password_removed=utc(2, 25, 16),
    ),
    person("BW-0114", "Sofia Ruiz", date(2023, 2, 1), jira_user="acc-sofia"),
)
BY_ID = {p.employee_id: p for p in PEOPLE}
JIRA_PEOPLE = {p.jira_user: (p.name, p.email) for p in PEOPLE if p.jira_user}
EXTRA_GRANT = (utc(2, 19, 17), ADMIN, "billing-admin")  # planted: a policy attached with no access request

# --- Jira ---------------------------------------------------------------------------------------------------------
PROJECTS = {
    "RFC": ("Requests for Change", ["Change Request", "Emergency Change"]),
    "IAMREQ": ("Identity Requests", ["Access Request"]),
    "PEOPLEOPS": ("People Operations", ["Offboarding"]),
}
STATUSES = {  # the workflows' own statuses and their categories
    "Awaiting Approval": "new",
    "Changes Requested": "new",
    "Approved": "indeterminate",
    "Deployed": "indeterminate",
    "Closed": "done",
    "Requested": "new",
    "In Review": "indeterminate",
    "Granted": "done",
}
APPROVER_FIELD, APPROVED_ON_FIELD, IAM_USER_FIELD = "customfield_30101", "customfield_30102", "customfield_30103"
CUSTOM_FIELDS = {
    APPROVER_FIELD: ("Approver", "user"),
    APPROVED_ON_FIELD: ("Approved On", "datetime"),
    IAM_USER_FIELD: ("IAM User", "text"),
}


def change(summary: str, created: datetime, implementer: str, *moves: tuple[datetime, str, str]) -> Ticket:
    return Ticket("RFC", "Change Request", summary, created, implementer, moves)


def routine_change(number: int, monday: date) -> Ticket:
    """Raised Monday, approved Tuesday, then moved on: built Wednesday, deployed that afternoon, closed Friday."""
    implementer = "acc-ravi" if monday < date(2026, 2, 2) or number % 2 else "acc-priya"
    approver = "acc-maya" if number % 3 else ("acc-priya" if implementer == "acc-ravi" else "acc-ravi")
    day = lambda n, hour: datetime.combine(monday + timedelta(days=n), time(hour), TZ)  # noqa: E731
    return change(
        f"Release {number}: {('billing-api', 'ingest', 'web', 'search')[number % 4]}",
        day(0, 9),
        implementer,
        (day(0, 10), implementer, "Awaiting Approval"),
        (day(1, 11), approver, "Approved"),
        (day(2, 9), implementer, "In Progress"),
        (day(2, 15), implementer, "Deployed"),
        (day(4, 10), implementer, "Closed"),
    )


MONDAYS = [date(2026, 1, 12) + timedelta(weeks=2 * n) for n in range(13)]
ROUTINE = [routine_change(n + 1, monday) for n, monday in enumerate(MONDAYS)]
SENT_BACK_UNAPPROVED = change(  # planted: sent back after approval, then deployed without a new approval
    "Migrate billing-api to the new queue",
    ct(2, 2, 9),
    "acc-ravi",
    (ct(2, 2, 10), "acc-ravi", "Awaiting Approval"),
    (ct(2, 3, 10), "acc-maya", "Approved"),
    (ct(2, 3, 15), "acc-maya", "Changes Requested"),
    (ct(2, 4, 9), "acc-ravi", "In Progress"),
    (ct(2, 5, 14), "acc-ravi", "Deployed"),
    (ct(2, 9, 10), "acc-ravi", "Closed"),
)
SELF_APPROVED = change(  # planted: approved by its own implementer
    "Raise ingest worker memory",
    ct(3, 2, 9),
    "acc-priya",
    (ct(3, 2, 10), "acc-priya", "Awaiting Approval"),
    (ct(3, 3, 10), "acc-priya", "Approved"),
    (ct(3, 4, 9), "acc-priya", "In Progress"),
    (ct(3, 4, 14), "acc-priya", "Deployed"),
    (ct(3, 5, 10), "acc-priya", "Closed"),
)
SENT_BACK_REAPPROVED = change(  # decoy: sent back, approved again, then deployed
    "Rotate search cluster certificates",
    ct(3, 16, 9),
    "acc-ravi",
    (ct(3, 16, 10), "acc-ravi", "Awaiting Approval"),
    (ct(3, 17, 11), "acc-maya", "Approved"),
    (ct(3, 17, 15), "acc-maya", "Changes Requested"),
    (ct(3, 18, 9), "acc-ravi", "Awaiting Approval"),
    (ct(3, 18, 14), "acc-maya", "Approved"),
    (ct(3, 19, 9), "acc-ravi", "In Progress"),
    (ct(3, 19, 15), "acc-ravi", "Deployed"),
    (ct(3, 20, 10), "acc-ravi", "Closed"),
)


def emergency(summary: str, deployed: datetime, approved: datetime) -> Ticket:
    """Built and deployed at once, approved afterwards (the emergency workflow), closed an hour after approval."""
    moves = (
        (deployed - timedelta(minutes=20), "acc-ravi", "In Progress"),
        (deployed, "acc-ravi", "Deployed"),
        (approved, "acc-maya", "Approved"),
        (approved + timedelta(hours=1), "acc-ravi", "Closed"),
    )
    return Ticket("RFC", "Emergency Change", summary, deployed - timedelta(minutes=30), "acc-ravi", moves)


EMERGENCY_ON_TIME = emergency("Hotfix: block abusive client", ct(2, 14, 1), ct(2, 16, 9))  # Saturday; Monday
EMERGENCY_LATE = emergency("Hotfix: expired TLS certificate", ct(4, 24, 23), ct(5, 1, 10))  # planted: 5 days
CHANGES = [*ROUTINE, SENT_BACK_UNAPPROVED, SELF_APPROVED, SENT_BACK_REAPPROVED, EMERGENCY_ON_TIME, EMERGENCY_LATE]


def access_request(who: Person, approved: datetime) -> Ticket:
    """Requested five days before the grant, approved in the approver and time fields (no Approved status)."""
    created = who.granted - timedelta(days=5)
    moves = (
        (created + timedelta(hours=1), "acc-sofia", "In Review"),
        (who.granted + timedelta(hours=1), "acc-sofia", "Granted"),
    )
    fields = {
        APPROVER_FIELD: {"accountId": "acc-maya"},
        APPROVED_ON_FIELD: approved.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        IAM_USER_FIELD: who.iam_user,
    }
    edits = ((approved, "acc-maya", "Approved On", approved.astimezone(UTC).isoformat()),)
    return Ticket(
        "IAMREQ", "Access Request", f"AWS console access for {who.name}", created, "acc-sofia", moves, fields, edits
    )


ACCESS_REQUESTS = [
    access_request(BY_ID["BW-0108"], ct(1, 29, 11)),
    access_request(BY_ID["BW-0111"], ct(2, 27, 11)),
    access_request(BY_ID["BW-0110"], ct(5, 5, 11)),  # planted: approved the day after the grant
]


def offboarding(summary: str, created: datetime, closed: datetime) -> Ticket:
    moves = ((created + timedelta(hours=1), "acc-sofia", "In Progress"), (closed, "acc-sofia", "Done"))
    return Ticket("PEOPLEOPS", "Offboarding", summary, created, "acc-sofia", moves)


OFFBOARDING = [
    offboarding("Offboard Tomás Silva", ct(1, 23, 9), ct(2, 4, 15)),  # planted: closed five days late
    offboarding("Offboard Jordan Reyes", ct(2, 6, 9), ct(2, 14, 11)),  # planted: two people have that name
    offboarding("Offboarding – Lena Park", ct(3, 13, 9), ct(3, 21, 10)),
    offboarding("Offboard Noah Fischer", ct(4, 3, 9), ct(4, 11, 9)),
    offboarding("Offboard Aisha Bello", ct(4, 7, 9), ct(4, 16, 10)),  # closed after the as-of, within its SLA
]
TICKETS = [*CHANGES, *ACCESS_REQUESTS, *OFFBOARDING]


def key_of(ticket: Ticket) -> str:
    """Keys number each project's tickets in TICKETS order."""
    same = [t for t in TICKETS if t.project == ticket.project]
    return f"{ticket.project}-{same.index(ticket) + 1}"


# --- AWS ------------------------------------------------------------------------------------------------------------
BUCKETS = (
    Bucket("brightwave-customer-exports", PROD, EU, "aws:kms", tls_dropped=(utc(2, 10, 16), utc(2, 17, 16))),
    Bucket("brightwave-web-assets", PROD, EU, retagged=utc(3, 3, 15)),  # a benign change on a compliant bucket
    Bucket("brightwave-us-backups", PROD, US2),
    Bucket("brightwave-billing-exports", MGMT, US2),  # MGMT's us-east-2 has no Config history
    Bucket("brightwave-ml-features", DATA, EU, "aws:kms"),
    Bucket(TRAIL_BUCKET, LOGS, EU, live_policy=False),
    Bucket(CONFIG_BUCKET, LOGS, EU, live_policy=False),
)
PRODUCTION = {"Environment": "Production"}
DATABASES = (
    Database("orders-db", PROD, EU, PRODUCTION, changes=(("DeletionProtection", False, utc(4, 6, 15), utc(4, 9, 15)),)),
    Database(
        "ledger-db",
        PROD,
        US2,
        {"Environment": " PRODUCTION", "Team": "Finance"},
        changes=(("MultiAZ", False, utc(5, 11, 12), utc(5, 13, 12)),),
    ),
    Database("reports-db", PROD, EU, {"Environment": "Staging"}, multi_az=False, protection=False),
    Database("events-db", DATA, EU, {}, changes=(("MultiAZ", False, utc(4, 20, 10), utc(4, 22, 10)),)),  # by account
)
PRODUCTION_ACCOUNTS = [DATA]
NO_CONFIG_HISTORY = {(MGMT, US2)}  # the Config-history prefix that stays empty
TRAIL_STOP = (utc(2, 20, 14), utc(2, 21, 18))  # the organization trail, stopped in the management account
RECORDER_STOP = (PROD, US2, utc(1, 20, 10), utc(1, 21, 16))
ROOT_SIGNIN = (PROD, utc(5, 5, 14, 30))
ROOT_ATTEMPT = (MGMT, utc(3, 2, 8, 15))  # a failed root sign-in: an attempt, not a use
VENDORS = (
    Vendor(
        "Loomly Analytics",
        "critical",
        date(2024, 5, 1),
        (date(2025, 4, 20), date(2026, 4, 10)),
        tier_approved=date(2024, 4, 20),
        customer_data=True,
        dpa_signed=date(2024, 4, 25),
    ),
    Vendor(
        "StackHarbor",
        "critical",
        date(2023, 1, 10),
        (date(2024, 2, 20), date(2025, 3, 1)),
        tier_approved=date(2023, 1, 5),
    ),
    Vendor("Parcelink", "medium", date(2026, 2, 15), (), tier_approved=date(2026, 2, 20)),  # planted: tiered late
    Vendor(
        "Quillbase",
        "high",
        date(2026, 3, 9),
        (),
        tier_approved=date(2026, 3, 2),
        customer_data=True,
        dpa_signed=date(2026, 3, 5),
    ),
    Vendor("Inkwell Print", "low", date(2022, 6, 1), (), tier_approved=date(2022, 5, 20)),
)


# --- the truth ------------------------------------------------------------------------------------------------------
def user(email: str, account: str = PROD) -> str:
    return f"account/{account}/user/{email}"


def employee(employee_id: str) -> str:
    return f"employee/{employee_id}"


def termination_clock(employee_id: str) -> datetime:
    return day_start(BY_ID[employee_id].last_day + timedelta(days=1))


def shipped(ticket: Ticket) -> datetime:
    return next(when for when, _, status in ticket.moves if status == "Deployed")


def truth() -> Truth:
    """Every planted gap by area, the decoys beside them, and the populations that are empty or unread here."""
    lena, noah, omar = BY_ID["BW-0104"], BY_ID["BW-0107"], BY_ID["BW-0110"]
    exports, orders, ledger, events = BUCKETS[0], DATABASES[0], DATABASES[1], DATABASES[3]
    gaps = [
        # Jira changes: status approvals that move on, a change sent back, self-approval, emergency by issue type
        Gap(
            "ENG-CHG-01", f"change/{key_of(SENT_BACK_UNAPPROVED)}", "exception", shipped(SENT_BACK_UNAPPROVED), ct(2, 6)
        ),
        Gap("ENG-CHG-01", f"change/{key_of(SELF_APPROVED)}", "exception", shipped(SELF_APPROVED), ct(3, 5)),
        Gap("ENG-CHG-02", f"change/{key_of(EMERGENCY_LATE)}", "exception", shipped(EMERGENCY_LATE), ct(5, 1, 10)),
        # Access requests approved by an approver + time pair
        Gap("ENG-ACC-02", f"iam/{PROD}/user/{omar.iam_user}", "exception", omar.granted, ct(5, 5, 11)),
        Gap("ENG-ACC-02", f"iam/{PROD}/user/{ADMIN}", "exception", EXTRA_GRANT[0], ct(2, 20)),
        # People: removal events of deleted users, full names, a name two people share
        Gap("ENG-ACC-03", employee("BW-0104"), "exception", termination_clock("BW-0104"), lena.user_deleted),
        Gap("ENG-ACC-03", employee("BW-0107"), "exception", termination_clock("BW-0107"), noah.user_deleted),
        Gap("HR-05", employee("BW-0105"), "exception", termination_clock("BW-0105"), ct(2, 4, 15)),
        Gap(  # the ticket closed in time, but could name either Jordan Reyes: unknown until the SLA ran out
            "HR-05",
            employee("BW-0103"),
            "no_evidence",
            termination_clock("BW-0103"),
            termination_clock("BW-0103") + OFFBOARDING_SLA,
        ),
        # The organization trail and global events
        *(Gap("ENG-LOG-01", f"account/{a}", "exception", *TRAIL_STOP) for a in (MGMT, LOGS, PROD)),
        Gap("ENG-IAM-02", user("ravi.patel@brightwave.example"), "exception", *BY_ID["BW-0102"].mfa_off),
        Gap(
            "ENG-IAM-03",
            f"account/{PROD}/root/{ROOT_SIGNIN[1]:%Y-%m-%dT%H:%M:%SZ}",
            "exception",
            ROOT_SIGNIN[1],
            ROOT_SIGNIN[1],
        ),
        Gap("ENG-IAM-06", user("kai.tanaka@brightwave.example"), "exception", utc(1, 18, 15), utc(2, 25, 16)),
        Gap("ENG-CFG-01", f"account/{PROD}/region/{US2}", "exception", *RECORDER_STOP[2:]),
        # Config baselines months back, an empty Config-history prefix
        Gap("ENG-ENC-01", f"arn:aws:s3:::{exports.name}", "exception", *exports.tls_dropped),
        Gap(
            "ENG-ENC-01",
            "arn:aws:s3:::brightwave-billing-exports",
            "no_evidence",
            WINDOW_START_UTC,
            WINDOW_END_UTC,
            needs_current_state=True,
        ),
        # Production by a Title-case tag with odd spacing, and by account
        Gap("ENG-BCK-02", orders.arn, "exception", *orders.changes[0][2:]),
        Gap("ENG-AVL-01", ledger.arn, "exception", *ledger.changes[0][2:]),
        Gap("ENG-AVL-01", events.arn, "exception", *events.changes[0][2:]),
        # Exports: a CSV roster keyed by e-mail and full name, an XLSX vendor register
        Gap("HR-01", employee("BW-0110"), "exception", day_start(omar.hired), day_start(date(2026, 5, 7))),
        Gap("HR-04", employee("BW-0111"), "exception", day_start(date(2026, 3, 2)), day_start(date(2026, 3, 4))),
        Gap("PROC-01", "vendor/Parcelink", "exception", day_start(date(2026, 2, 15)), day_start(date(2026, 2, 20))),
        Gap("PROC-02", "vendor/StackHarbor", "exception", day_start(date(2026, 3, 1)), WINDOW_END_UTC),
    ]
    decoys = [
        *(Decoy("ENG-CHG-01", f"change/{key_of(t)}") for t in [*ROUTINE, SENT_BACK_REAPPROVED]),
        Decoy("ENG-CHG-02", f"change/{key_of(EMERGENCY_ON_TIME)}"),
        *(Decoy("ENG-ACC-02", f"iam/{PROD}/user/{BY_ID[i].iam_user}") for i in ("BW-0108", "BW-0111")),
        *(Decoy("ENG-ACC-03", employee(i)) for i in ("BW-0103", "BW-0105", "BW-0106")),
        *(Decoy("HR-05", employee(i)) for i in ("BW-0104", "BW-0106", "BW-0107", "BW-0109")),
        Decoy("ENG-LOG-01", f"account/{DATA}"),  # before it joined: no evidence, never an exception
        Decoy("ENG-IAM-03", f"account/{ROOT_ATTEMPT[0]}/root/{ROOT_ATTEMPT[1]:%Y-%m-%dT%H:%M:%SZ}"),
        *(Decoy("ENG-IAM-02", user(p.iam_user)) for p in PEOPLE if p.iam and p.employee_id != "BW-0102"),
        *(Decoy("ENG-IAM-06", user(p.iam_user)) for p in PEOPLE if p.iam and p.employee_id != "BW-0113"),
        *(Decoy("ENG-CFG-01", f"account/{a}/region/{r}") for a in ACCOUNTS for r in REGIONS if (a, r) != (PROD, US2)),
        *(Decoy("ENG-ENC-01", f"arn:aws:s3:::{b.name}") for b in BUCKETS[1:] if b.account != MGMT),
        *(Decoy("ENG-BCK-02", db.arn) for db in DATABASES[1:]),
        *(Decoy("ENG-AVL-01", db.arn) for db in (orders, DATABASES[2])),
        *(Decoy("HR-01", employee(i)) for i in ("BW-0108", "BW-0111", "BW-0112")),
        *(Decoy("HR-04", employee(i)) for i in ("BW-0108", "BW-0110", "BW-0112")),
        Decoy("PROC-01", "vendor/Quillbase"),
        Decoy("PROC-02", "vendor/Loomly Analytics"),
        *(Decoy("PROC-03", f"vendor/{v}") for v in ("Loomly Analytics", "Quillbase")),
    ]
    proofs = {
        "ENG-IAM-03": "aws.cloudtrail.logs",  # no root use in the logs read in full (the as-of run: none yet)
        "ENG-IAM-05": "aws.iam.users",  # no access keys
        "ENG-ENC-03": "aws.kms.keys",  # no customer-managed keys
    }
    empty = {
        "ENG-IAM-05": "no IAM user has an access key",
        "ENG-ENC-03": "no customer-managed KMS key",
        "ENG-ACC-01": "no access-review source (jira.access_reviews) is configured",
        "ENG-INC-01": "no incident source (jira.incidents) is configured",
        "ENG-RSK-01": "no risk-assessment source (jira.risk_assessments) is configured",
        "ENG-BCK-03": "no restore-test source (jira.restore_tests) is configured",
        "PROC-04": "no vendor-offboarding source (jira.vendor_offboarding) is configured",
        "HR-02": "no training export is given",
        "HR-03": "no policy-acknowledgement export is given",
    }
    return Truth(tuple(gaps), tuple(decoys), proofs, empty)
