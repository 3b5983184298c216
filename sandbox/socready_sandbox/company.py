"""The sandbox company, Northwind Analytics: people, vendors, accounts, and the gaps planted in them.

Everything here is fixed data, so every run of the sandbox produces the same evidence and verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

ORGANIZATION = "Northwind Analytics (sandbox)"
WINDOW_START, WINDOW_END, TIMEZONE = date(2026, 5, 1), date(2026, 10, 31), "America/New_York"
REGIONS = ("us-east-1", "eu-west-1")
ACCOUNTS = {"111111111111": "production", "222222222222": "staging", "333333333333": "security"}
IAM_ACCOUNT = "111111111111"  # where the workforce's IAM users live
LOG_BUCKET = "northwind-cloudtrail-logs"
CONFIG_BUCKET = "northwind-config-history"
TRAIL = "org-trail"
ROLE, EXTERNAL_ID = "socready-collector", "socready-sandbox"


@dataclass(frozen=True)
class Person:
    employee_id: str
    name: str
    email: str
    iam_user: str
    start_date: date
    termination_date: date | None = None
    # Hours after the end of the last day at which the console password was deleted (None: never had AWS access)
    removed_after_hours: float | None = None
    # Onboarding and compliance records, as local days in the HR, training and policy tools' exports.
    background_check: date | None = None
    confidentiality_signed: date | None = None
    trainings: tuple[date, ...] = ()
    policy_acknowledged: date | None = None  # of POLICY_VERSION


@dataclass(frozen=True)
class Vendor:
    name: str
    tier: str
    onboarded: date  # the contract start
    reviews: tuple[date, ...]  # assurance-report reviews recorded in the vendor register
    tier_approved: date | None = None
    customer_data: bool = False
    dpa_signed: date | None = None
    offboarded: date | None = None  # the contract's end
    reviews_in_jira: tuple[date, ...] = ()  # reviews also (or only) recorded as Jira VRV tickets, resolved that day


@dataclass(frozen=True)
class TrailStop:
    account: str
    stopped: datetime
    restarted: datetime
    actor: str


# The policy everyone must acknowledge (HR-03's parameters in scope.yaml repeat these two values).
POLICY_VERSION, POLICY_PUBLISHED = "2026.1", date(2026, 3, 2)

PEOPLE = (
    Person(
        "E1001",
        "Alice Moreno",
        "alice@northwind.example",
        "alice",
        date(2024, 2, 5),
        background_check=date(2024, 1, 22),
        confidentiality_signed=date(2024, 1, 29),
        trainings=(date(2024, 2, 20), date(2025, 2, 10), date(2026, 1, 26)),
        policy_acknowledged=date(2026, 6, 22),  # planted: due 2026-04-01
    ),
    Person(
        "E1002",
        "Bilal Haddad",
        "bilal@northwind.example",
        "bilal",
        date(2025, 1, 13),
        background_check=date(2025, 1, 6),
        confidentiality_signed=date(2025, 1, 8),
        trainings=(date(2025, 1, 20), date(2025, 6, 12), date(2026, 7, 8)),  # planted: lapsed 2026-06-13 to 07-08
        policy_acknowledged=date(2026, 3, 10),
    ),
    Person(
        "E1003",
        "Carol Jensen",
        "carol@northwind.example",
        "carol",
        date(2023, 9, 1),
        date(2026, 6, 5),
        2.0,
        background_check=date(2023, 8, 20),
        confidentiality_signed=date(2023, 8, 25),
        trainings=(date(2023, 9, 10), date(2024, 9, 2), date(2025, 8, 28)),
        policy_acknowledged=date(2026, 3, 5),
    ),
    Person(
        "E1004",
        "Dana Okafor",
        "dana@northwind.example",
        "dana",
        date(2024, 4, 22),
        date(2026, 8, 20),
        120.0,
        background_check=date(2024, 4, 10),
        confidentiality_signed=date(2024, 4, 15),
        trainings=(date(2024, 5, 1), date(2025, 4, 24), date(2026, 4, 20)),
        policy_acknowledged=date(2026, 3, 20),
    ),
    Person(
        "E1005",
        "Erin Walsh",
        "erin@northwind.example",
        "",
        date(2025, 6, 2),
        date(2026, 9, 11),
        background_check=date(2025, 5, 20),
        confidentiality_signed=date(2025, 5, 27),
        trainings=(date(2025, 6, 20), date(2026, 6, 15)),
        policy_acknowledged=date(2026, 3, 3),
    ),
    Person(
        "E1006",
        "Farid Nasser",
        "farid@northwind.example",
        "farid",
        date(2026, 7, 6),
        background_check=date(2026, 7, 9),  # planted: three days after his start
        confidentiality_signed=date(2026, 6, 29),
        trainings=(date(2026, 7, 20),),
        policy_acknowledged=date(2026, 7, 7),
    ),
    Person(
        "E1007",
        "Grace Lindqvist",
        "grace@northwind.example",
        "grace",
        date(2022, 3, 14),
        date(2026, 10, 2),
        6.5,
        background_check=date(2022, 3, 1),
        confidentiality_signed=date(2022, 3, 7),
        trainings=(date(2025, 3, 20), date(2026, 3, 16)),
        policy_acknowledged=date(2026, 3, 25),
    ),
    Person(
        "E1008",
        "Hana Sato",
        "hana@northwind.example",
        "",
        date(2026, 8, 3),
        background_check=date(2026, 7, 24),
        confidentiality_signed=date(2026, 8, 5),  # planted: two days after her start
        trainings=(date(2026, 8, 14),),
        policy_acknowledged=date(2026, 8, 4),
    ),
)

VENDORS = (
    Vendor(
        "CloudMail",
        "critical",
        date(2023, 3, 1),
        (date(2025, 11, 3), date(2024, 11, 20)),
        tier_approved=date(2023, 2, 15),
        customer_data=True,
        dpa_signed=date(2023, 2, 20),
        reviews_in_jira=(date(2025, 11, 3),),
    ),
    Vendor(
        "Nimbus Hosting",
        "critical",
        date(2022, 7, 1),
        (date(2025, 7, 1),),
        tier_approved=date(2022, 6, 10),
        customer_data=True,
        dpa_signed=date(2022, 6, 25),
        # The 2026 review is only in Jira: without the tickets, PROC-02 would see a lapse from 2026-07-01.
        reviews_in_jira=(date(2025, 7, 1), date(2026, 6, 20)),
    ),
    Vendor(
        "Ledgerly",
        "critical",
        date(2024, 6, 1),
        (date(2024, 6, 1), date(2025, 6, 10), date(2026, 8, 1)),  # planted: lapsed 2026-06-10 to 2026-08-01
        tier_approved=date(2024, 5, 20),
        customer_data=True,
        dpa_signed=date(2024, 5, 28),
        reviews_in_jira=(date(2025, 6, 10), date(2026, 8, 1)),
    ),
    Vendor("DocuPaper", "low", date(2025, 2, 1), (), tier_approved=date(2025, 1, 20)),
    Vendor(
        "PagerBell",
        "high",
        date(2024, 1, 15),
        (date(2025, 1, 10),),
        tier_approved=date(2024, 1, 5),
        customer_data=True,
        dpa_signed=date(2026, 7, 27),  # planted: customer data without a DPA until then
    ),
    Vendor("Quillstack", "medium", date(2026, 6, 1), (), tier_approved=date(2026, 6, 15)),  # planted: contract first
    Vendor(
        "BrightDesk",
        "high",
        date(2026, 8, 17),
        (),
        tier_approved=date(2026, 8, 10),
        customer_data=True,
        dpa_signed=date(2026, 8, 12),
    ),
    # Offboarded, each with a vendor-offboarding ticket closed within 30 days (jira_company.VENDOR_TICKETS).
    Vendor("FaxRelay", "low", date(2021, 3, 1), (), tier_approved=date(2021, 2, 20), offboarded=date(2025, 11, 30)),
    Vendor("SignFlow", "medium", date(2024, 3, 1), (), tier_approved=date(2024, 2, 20), offboarded=date(2026, 9, 15)),
)

TRAIL_STOPS = (
    TrailStop(
        "111111111111", datetime(2026, 7, 14, 15, 0, tzinfo=UTC), datetime(2026, 7, 16, 15, 0, tzinfo=UTC), "mallory"
    ),
)


@dataclass(frozen=True)
class RecorderStop:
    account: str
    region: str
    stopped: datetime
    restarted: datetime


RECORDER_STOPS = (
    RecorderStop(
        "222222222222", "eu-west-1", datetime(2026, 9, 3, 10, 0, tzinfo=UTC), datetime(2026, 9, 5, 16, 0, tzinfo=UTC)
    ),
)

# The gaps planted outside the AWS control families (each family module lists its own as PLANTED).
BASE_PLANTED_GAPS = {
    ("ENG-LOG-01", "account/111111111111"),
    ("PROC-02", "vendor/Ledgerly"),
    ("ENG-CFG-01", "account/222222222222/region/eu-west-1"),
    ("HR-01", "employee/E1006"),
    ("HR-02", "employee/E1002"),
    ("HR-03", "employee/E1001"),
    ("HR-04", "employee/E1008"),
    ("PROC-01", "vendor/Quillstack"),
    ("PROC-03", "vendor/PagerBell"),
}
