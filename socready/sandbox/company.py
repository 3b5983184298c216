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


@dataclass(frozen=True)
class Vendor:
    name: str
    tier: str
    onboarded: date
    reviews: tuple[date, ...]


@dataclass(frozen=True)
class TrailStop:
    account: str
    stopped: datetime
    restarted: datetime
    actor: str


PEOPLE = (
    Person("E1001", "Alice Moreno", "alice@northwind.example", "alice", date(2024, 2, 5)),
    Person("E1002", "Bilal Haddad", "bilal@northwind.example", "bilal", date(2025, 1, 13)),
    Person("E1003", "Carol Jensen", "carol@northwind.example", "carol", date(2023, 9, 1), date(2026, 6, 5), 2.0),
    Person("E1004", "Dana Okafor", "dana@northwind.example", "dana", date(2024, 4, 22), date(2026, 8, 20), 120.0),
    Person("E1005", "Erin Walsh", "erin@northwind.example", "", date(2025, 6, 2), date(2026, 9, 11)),
    Person("E1006", "Farid Nasser", "farid@northwind.example", "farid", date(2026, 7, 6)),
    Person("E1007", "Grace Lindqvist", "grace@northwind.example", "grace", date(2022, 3, 14), date(2026, 10, 2), 6.5),
)

VENDORS = (
    Vendor("CloudMail", "critical", date(2023, 3, 1), (date(2025, 11, 3), date(2024, 11, 20))),
    Vendor("Nimbus Hosting", "critical", date(2022, 7, 1), (date(2025, 7, 1), date(2026, 6, 20))),
    Vendor("Ledgerly", "critical", date(2024, 6, 1), (date(2024, 6, 1), date(2025, 6, 10), date(2026, 8, 1))),
    Vendor("DocuPaper", "low", date(2025, 2, 1), ()),
    Vendor("PagerBell", "high", date(2024, 1, 15), (date(2025, 1, 10),)),
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
}
