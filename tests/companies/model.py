"""The shapes a test company is written in: people, tickets, data stores, events, and the truth about them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from socready_sandbox import aws_data


@dataclass(frozen=True)
class Person:
    """A roster row and, when `iam` is set, an IAM user named by the work e-mail (console password and MFA)."""

    employee_id: str
    name: str
    email: str
    hired: date
    last_day: date | None = None
    background_check: date | None = None
    nda_signed: date | None = None
    iam: bool = False
    granted: datetime | None = None  # IAM user, password and policy created then (in CloudTrail); None: before
    password_removed: datetime | None = None  # DeleteLoginProfile
    user_deleted: datetime | None = None  # DeleteUser: gone from IAM today
    mfa_off: tuple[datetime, datetime] | None = None  # MFA device deactivated, then enabled again
    last_signin: datetime | None = None  # stops signing in at this moment (default: signs in until leaving)
    jira_user: str | None = None  # accountId, when the person works in Jira

    @property
    def iam_user(self) -> str:
        return self.email


@dataclass(frozen=True)
class Ticket:
    """A Jira issue: `moves` are (when, who, status) transitions from the previous status, oldest first;
    `edits` are (when, who, field name, new value) changelog items beside them."""

    project: str
    issue_type: str
    summary: str
    created: datetime
    assignee: str
    moves: tuple[tuple[datetime, str, str], ...] = ()
    fields: dict = field(default_factory=dict)
    edits: tuple[tuple[datetime, str, str, str], ...] = ()


@dataclass(frozen=True)
class Bucket(aws_data.Bucket):
    """The sandbox's bucket, with the changes Brightwave plants over its window."""

    tls_dropped: tuple[datetime, datetime] | None = None  # a policy without the TLS-only statement meanwhile
    retagged: datetime | None = None  # a benign configuration change recorded by Config


@dataclass(frozen=True)
class Database:
    name: str
    account: str
    region: str
    tags: dict[str, str]
    multi_az: bool = True
    protection: bool = True
    # (setting in DescribeDBInstances terms, value meanwhile, start, end)
    changes: tuple[tuple[str, bool, datetime, datetime], ...] = ()

    @property
    def arn(self) -> str:
        return f"arn:aws:rds:{self.region}:{self.account}:db:{self.name}"


@dataclass(frozen=True)
class Gap:
    """A planted gap as the report must show it: the control, the resource, and the interval (within a day)."""

    control: str
    resource: str
    status: Literal["exception", "no_evidence"]
    start: datetime
    end: datetime
    # True: only the current state shows the resource, so a run as of a past moment cannot see it
    needs_current_state: bool = False

    def as_of(self, moment: datetime) -> Gap | None:
        """The gap as a run as of `moment` must show it: cut there, or absent when it starts later."""
        if self.start >= moment or self.needs_current_state:
            return None
        return Gap(self.control, self.resource, self.status, self.start, min(self.end, moment))


@dataclass(frozen=True)
class Decoy:
    """A clean look-alike beside a gap: no exception may name it."""

    control: str
    resource: str


@dataclass(frozen=True)
class Truth:
    gaps: tuple[Gap, ...]
    decoys: tuple[Decoy, ...]
    # control -> the evidence source that proves its population empty, when it is; an `operating` verdict on an
    # empty population is vacuous unless its reason names that source
    proofs: dict[str, str]
    # controls whose population is empty or cannot be read in this company, and why (the report's readers)
    empty: dict[str, str]
