"""ENG-IAM-06: no credential (console password, access key) active and unused beyond the threshold on any day.

A credential's last use on a day is the latest of: its creation, console sign-ins (passwords) and records signed
with the key (access keys) in the CloudTrail logs, read from `aws.cloudtrail_lookback_days` before the window,
and the last use a snapshot reports (credential report's password and key last-used dates,
GetAccessKeyLastUsed). A stretch without use beyond the threshold is an exception when nothing could hide a use
in it: it starts inside the collected logs (which ENG-LOG-01 shows complete), or at a last use a snapshot reports.
A credential with no use in the logs is unused since they begin: an exception from the threshold after that,
no evidence before (a lookback shorter than the threshold leaves the window's first days undecided).
S3 data events are not in a management trail, so a key used only for object reads shows its use through the
snapshot's last-use date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pandas as pd
from pydantic import Field

from expectations.cloudtrail_events import CloudTrailLogs, cloudtrail_logs
from expectations.dataset import Row, frame
from expectations.iam_timeline import split_at, unlogged_accounts, user_of
from expectations.iam_users import (
    USERS,
    Credentials,
    api_time,
    credentials,
    owner,
    per_user,
    report_rows,
    report_time,
    user_resource,
)
from expectations.spec import ControlSpec, Parameters, Rule, at_most, covered
from expectations.state_timeline import HOLDS
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-IAM-06"
# Both null where a credential's use could have been missed and none is known to be unused too long (no evidence).
FACTS = {
    "live_credential": "boolean",  # the user had an active console password or access key within the row
    "days_unused": "Float64",  # the longest a live credential of the user went unused, as reached within the row
}
DAY = timedelta(days=1)
# (start, end, unused since) of a live credential's stretch since its last use shown (or since the logs begin)
Stretch = tuple[datetime, datetime, datetime]


@dataclass(frozen=True, order=True)
class Use:
    time: datetime
    exact: bool  # True: no use between it and any later moment of the window could be missed


class EngIam06Parameters(Parameters):
    max_unused_days: float = Field(default=90.0, description="days a credential may stay active without being used")


def logs_from(logs: CloudTrailLogs, start: datetime, lookback: timedelta) -> dict[str, datetime]:
    """Account -> from when its CloudTrail logs are read: the lookback's start, or the account's first record if
    later (a trail created since). No use can hide after it."""
    first: dict[str, datetime] = {}
    for (account, _), hours in logs.hours.items():
        if hours:
            at = hours.first()
            first[account] = min(first.get(account, at), at)
    return {account: max(at, start - lookback) for account, at in first.items()}


def report_key_uses(view: EvidenceView, found: Credentials) -> Iterator[tuple[str, Use]]:
    """Access keys' last use from credential reports: key N of a user is the one created when the report says it
    was last rotated."""
    for entry, row in report_rows(view):
        user = user_resource(entry.account or "", row["user"])
        for n in (1, 2):
            last = report_time(row.get(f"access_key_{n}_last_used_date"))
            rotated = report_time(row.get(f"access_key_{n}_last_rotated"))
            if last is None or rotated is None:
                continue
            for aspect, key in found.keys.items():
                created = found.created.get(aspect)
                if key.user == user and created and abs(created - rotated) < timedelta(seconds=1):
                    yield aspect, Use(last, True)


def uses_of(view: EvidenceView, found: Credentials, since: dict[str, datetime]) -> dict[str, list[Use]]:
    """Credential aspect -> every use (or creation) the evidence shows."""

    def logged(account: str, at: datetime) -> Use:
        return Use(at, account in since and at >= since[account])  # the logs are complete from `since`

    logs = cloudtrail_logs(view)
    uses: dict[str, list[Use]] = defaultdict(list)
    for event in logs.named("ConsoleLogin", "CreateLoginProfile"):
        signin = event.name == "ConsoleLogin"
        if signin and (event.identity_type != "IAMUser" or event.details.get("ConsoleLogin") == "Failure"):
            continue
        if name := (event.actor if signin else user_of(event)):
            uses[f"{user_resource(event.account, name)}|password"].append(logged(event.account, event.time))
    for entry, row in report_rows(view):
        if last := report_time(row.get("password_last_used")):
            uses[f"{user_resource(entry.account or '', row['user'])}|password"].append(Use(last, True))
    for aspect, use in report_key_uses(view, found):
        uses[aspect].append(use)
    for aspect, key in found.keys.items():
        account = owner(aspect).split("/")[1]
        uses[aspect] += [logged(account, at) for at in logs.key_uses.get((account, key.key_id), [])]
        if aspect in found.created:
            uses[aspect].append(logged(account, found.created[aspect]))
    for entry in [*view.earlier_entries(USERS), *view.entries(USERS)]:
        for user in view.read_json(entry)["users"]:
            for key in user.get("AccessKeys") or []:
                aspect = f"{user_resource(entry.account or '', user['UserName'])}|key|{key['AccessKeyId']}"
                # A reported last use, or for a key never used its creation: nothing after it can be missed.
                at = api_time((key.get("LastUsed") or {}).get("LastUsedDate")) or api_time(key.get("CreateDate"))
                if at:
                    uses[aspect].append(Use(at, True))
    return {aspect: sorted(times) for aspect, times in uses.items()}


@dataclass(frozen=True)
class Unseen:
    """From when the logs show every use of an account's credentials, and why that may not be far enough back."""

    since: datetime | None
    note: str = ""


def idle(
    row: Row, uses: list[Use], threshold: timedelta, label: str, unseen: Unseen
) -> tuple[list[Row], list[Stretch]]:
    """A live-credential row (False) split by its uses: fresh for `threshold` after each use, then an exception
    (or no evidence, when a use could have been missed) until the next. Before any use, a credential the logs
    show unused since they begin is an exception from `threshold` after that; before, the logs cannot decide.
    With the rows, the stretches whose start of disuse is known."""
    if row.metrics[HOLDS] is not False:
        return [row], []
    inside = [u for u in uses if row.start < u.time < row.end]
    prior = [u for u in uses if u.time <= row.start]
    spans = zip(
        [row.start, *(u.time for u in inside)],
        [*(u.time for u in inside), row.end],
        [prior[-1] if prior else None, *inside],
        strict=True,
    )
    found: list[Row] = []
    stretches: list[Stretch] = []
    for start, end, use in spans:
        if use is None:
            if unseen.since is None:
                seen = f"{label}: no use or creation shown"
                found.append(Row(row.resource, start, end, seen, {HOLDS: None}, row.evidence))
                continue
            seen = f"{label}: no use shown in the logs from {unseen.since:%Y-%m-%d}{unseen.note}"
            part = Row(row.resource, start, end, seen, row.metrics, row.evidence)
            found += split_at(part, unseen.since + threshold, None, False)
            stretches.append((start, end, unseen.since))
            continue
        part = Row(row.resource, start, end, f"{label}: last use shown {use.time:%Y-%m-%d}", row.metrics, row.evidence)
        found += split_at(part, use.time + threshold, True, False if use.exact else None)
        stretches.append((start, end, use.time))
    return found, stretches


def with_disuse(row: Row, stretches: list[Stretch]) -> Row:
    """A user's row with its facts: whether a credential was live and the longest any went unused within the row
    (at the row's end, or the stretch's end if sooner); null where the row's verdict was left unknown by a use
    that could have been missed."""
    if row.metrics[HOLDS] is None:
        return replace(row, metrics={})
    overlapping = [(end, since) for start, end, since in stretches if start < row.end and row.start < end]
    days = [(min(end, row.end) - since) / DAY for end, since in overlapping]
    return replace(row, metrics={"live_credential": bool(days), "days_unused": max(days, default=None)})


def build(view: EvidenceView, scope: Scope, window: Window, params: EngIam06Parameters) -> pd.DataFrame:
    threshold = timedelta(days=params.max_unused_days)
    lookback = timedelta(days=scope.aws.cloudtrail_lookback_days)
    note = (
        f" (aws.cloudtrail_lookback_days {lookback.days} is shorter than the {threshold.days}-day threshold)"
        if lookback < threshold
        else ""
    )
    found = credentials(view, scope)
    since = logs_from(cloudtrail_logs(view), window.start_utc, lookback)
    uses = uses_of(view, found, since)
    aspects: dict[str, list[Row]] = defaultdict(list)
    stretches: dict[str, list[Stretch]] = defaultdict(list)  # user -> its live credentials' stretches
    for row in found.timelines.rows(scope, window, keep=lambda r: r.endswith("|password") or r in found.keys):
        label = f"access key {found.keys[row.resource].key_id}" if row.resource in found.keys else "console password"
        unseen = Unseen(since.get(owner(row.resource).split("/")[1]), note)
        rows, stretched = idle(row, uses.get(row.resource, []), threshold, label, unseen)
        aspects[row.resource] += rows
        stretches[owner(row.resource)] += stretched
    users = [with_disuse(row, stretches[row.resource]) for row in per_user(aspects)]
    return frame(users + unlogged_accounts(view, scope, window), FACTS)


def rules(params: EngIam06Parameters) -> list[Rule]:
    unknown = "The evidence does not show whether this user's active credentials were used within the threshold."
    stale = "An active credential was unused for longer than the threshold."
    return [covered("live_credential", unknown), at_most("days_unused", params.max_unused_days, stale)]


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngIam06Parameters,
    sources=("aws.iam.credential_report", "aws.iam.users", "aws.cloudtrail.logs"),
    facts=FACTS,
    build=build,
    rules=rules,
)
