"""IAM users' credentials over the window: console password, MFA and access keys, from snapshots and events.

Each credential aspect is a timeline of its own (resource `<user>|password`, `<user>|mfa`, `<user>|key|<id>`)
with compliance polarity: "fail" means a live credential (a password, an active key) or a missing MFA device.
Most events on a credential also tell the state they changed from, since IAM refuses to create a password that
exists, delete one that does not, or deactivate an MFA device that is not active.
Snapshots (this and earlier runs) are the credential report (password) and `aws.iam.users` (MFA, keys).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from expectations.aws_state import Seen, Timelines, pick
from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs, parse_time
from expectations.dataset import Row
from expectations.iam_timeline import Aspect, add_snapshot, all_true, combine, home_region, user_of
from socready.evidence.manifest import EvidenceEntry
from socready.evidence.view import EvidenceView
from socready.scope import Scope

REPORT = "aws.iam.credential_report"
USERS = "aws.iam.users"
ROOT_ROW = "<root_account>"
USER_EVENTS = ("CreateUser", "DeleteUser")
PASSWORD_EVENTS = {"CreateLoginProfile": ("fail", "pass"), "DeleteLoginProfile": ("pass", "fail")}
MFA_EVENTS = {"EnableMFADevice": ("pass", "fail"), "DeactivateMFADevice": ("fail", "pass")}
KEY_EVENTS = ("CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey")


def user_resource(account: str, user: str) -> str:
    return f"account/{account}/user/{user}"


def owner(aspect: str) -> str:
    """`account/1/user/bob|key|AKIA…` -> `account/1/user/bob`."""
    return aspect.split("|", 1)[0]


def report_rows(view: EvidenceView) -> Iterator[tuple[EvidenceEntry, dict[str, str]]]:
    """Every row of this run's and earlier runs' credential reports, with the report it came from."""
    for entry in [*view.earlier_entries(REPORT), *view.entries(REPORT)]:
        for row in csv.DictReader(io.StringIO(view.read(entry).decode())):
            yield entry, row


def report_time(text: str | None) -> datetime | None:
    """A credential report date; None for N/A, no_information, not_supported."""
    return parse_time(text) if text and text[:1].isdigit() else None


def api_time(value) -> datetime | None:
    return parse_time(str(value).replace(" ", "T")) if value else None


@dataclass(frozen=True)
class Key:
    user: str  # user resource
    key_id: str


@dataclass
class Credentials:
    """Every IAM user's credential aspects, and what is known of each access key."""

    timelines: Timelines = field(default_factory=Timelines)
    keys: dict[str, Key] = field(default_factory=dict)  # key aspect -> key
    created: dict[str, datetime] = field(default_factory=dict)  # key aspect -> creation time

    def key(self, user: str, key_id: str, created: datetime | None = None) -> str:
        aspect = f"{user}|key|{key_id}"
        self.keys[aspect] = Key(user, key_id)
        if created and (aspect not in self.created or created < self.created[aspect]):
            self.created[aspect] = created
        return aspect


def key_id_of(event: TrailEvent) -> str | None:
    """The key an event acts on: its accessKeyId parameter, or CreateAccessKey's response."""
    return pick(event.parameters, "accessKeyId") or pick(pick(event.details, "accessKey"), "accessKeyId")


def credentials(view: EvidenceView, scope: Scope) -> Credentials:
    """Parsed once a run and shared by the controls that read credentials."""
    return view.parsed(REPORT, _parser(home_region(scope)))


@cache
def _parser(home: str) -> Callable[[EvidenceView], Credentials]:
    """One parser per home region, so the view's per-parser cache holds across controls."""
    return lambda view: _credentials(view, home)


def _credentials(view: EvidenceView, home: str) -> Credentials:
    found = Credentials()
    for entry, row in report_rows(view):
        if row["user"] == ROOT_ROW:
            continue
        user = user_resource(entry.account or "", row["user"])
        live = row.get("password_enabled") == "true"
        state = ("fail", "console password") if live else ("pass", "no console password")
        add_snapshot(found.timelines, Seen(f"{user}|password", *state), entry, home)
    for entry in [*view.earlier_entries(USERS), *view.entries(USERS)]:
        for body_user in view.read_json(entry)["users"]:
            user = user_resource(entry.account or "", body_user["UserName"])
            devices = body_user.get("MFADevices") or []
            mfa = ("pass", f"MFA device {devices[0]['SerialNumber']}") if devices else ("fail", "no MFA device")
            add_snapshot(found.timelines, Seen(f"{user}|mfa", *mfa), entry, home)
            for key in body_user.get("AccessKeys") or []:
                aspect = found.key(user, key["AccessKeyId"], api_time(key.get("CreateDate")))
                active = key.get("Status") == "Active"
                state = ("fail", f"access key {key['AccessKeyId']} active") if active else ("pass", "key inactive")
                add_snapshot(found.timelines, Seen(aspect, *state), entry, home)
    found.timelines.events(
        cloudtrail_logs(view).named(*USER_EVENTS, *PASSWORD_EVENTS, *MFA_EVENTS, *KEY_EVENTS),
        lambda event: _from_event(event, found, home),
    )
    return found


def _from_event(event: TrailEvent, found: Credentials, home: str) -> list[Seen]:
    name = user_of(event)
    if name is None:
        return []  # the root user's own credentials: ENG-IAM-01
    user, by = user_resource(event.account, name), f"{event.name} by {event.actor}"
    where = {"account": event.account, "region": home}
    if event.name == "CreateUser":
        return [
            Seen(f"{user}|password", "pass", f"created without console password ({by})", "absent", **where),
            Seen(f"{user}|mfa", "fail", f"created without MFA device ({by})", "absent", **where),
        ]
    if event.name == "DeleteUser":
        return [Seen(f"{user}|{aspect}", "absent", by, **where) for aspect in ("password", "mfa")]
    for aspect, changes in (("password", PASSWORD_EVENTS), ("mfa", MFA_EVENTS)):
        if event.name in changes:
            after, before = changes[event.name]
            return [Seen(f"{user}|{aspect}", after, by, before, **where)]
    key_id = key_id_of(event)
    if not key_id:
        return []
    if event.name == "CreateAccessKey":
        # The event's time is when the key was made; a snapshot's CreateDate says the same in AWS.
        aspect = found.key(user, key_id)
        found.created[aspect] = event.time
        return [Seen(aspect, "fail", f"access key {key_id} created ({by})", "absent", **where)]
    aspect = found.key(user, key_id)
    if event.name == "DeleteAccessKey":
        return [Seen(aspect, "absent", by, **where)]
    status = str(pick(event.parameters, "status", ""))
    active = status == "Active"
    value = f"access key {key_id} set {status} ({by})"
    return [Seen(aspect, "fail" if active else "pass", value, "pass" if active else "fail", **where)]


def per_user(aspects: dict[str, list[Row]]) -> list[Row]:
    """Each user's rows from its credentials' rows: every credential must hold."""
    users: dict[str, list[Aspect]] = defaultdict(list)
    for aspect, rows in aspects.items():
        users[owner(aspect)].append(Aspect(rows))
    return [row for user, parts in sorted(users.items()) for row in combine(user, parts, all_true)]


def credential_report_root(view: EvidenceView) -> Iterator[tuple[EvidenceEntry, dict[str, str]]]:
    """The `<root_account>` row of each credential report (AWS always includes it)."""
    return ((entry, row) for entry, row in report_rows(view) if row["user"] == ROOT_ROW)
