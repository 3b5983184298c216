"""ENG-IAM-06: no credential (console password, access key) active and unused beyond the threshold on any day.

A credential's last use on a day is the latest of: its creation, console sign-ins (passwords) and records signed
with the key (access keys) in the CloudTrail logs, and the last use a snapshot reports (credential report,
GetAccessKeyLastUsed). A stretch without use beyond the threshold is an exception when nothing could hide a use
in it: it starts inside the collected logs (which ENG-LOG-01 shows complete), or at a last use a snapshot reports.
Otherwise (an old creation date, no use seen since) it is no evidence. S3 data events are not in a management
trail, so a key used only for object reads shows its use through the snapshot's last-use date.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import great_expectations as gx
import pandas as pd

from expectations.cloudtrail_events import cloudtrail_logs
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
from expectations.runner import held_throughout
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-IAM-06"
METRICS = {"compliant": "boolean"}


@dataclass(frozen=True, order=True)
class Use:
    time: datetime
    exact: bool  # True: no use between it and any later moment of the window could be missed


def uses_of(view: EvidenceView, found: Credentials, since: datetime) -> dict[str, list[Use]]:
    """Credential aspect -> every use (or creation) the evidence shows."""

    def logged(at: datetime) -> Use:
        return Use(at, at >= since)  # the logs are complete from the window's start

    uses: dict[str, list[Use]] = defaultdict(list)
    for event in cloudtrail_logs(view).named("ConsoleLogin", "CreateLoginProfile"):
        signin = event.name == "ConsoleLogin"
        if signin and (event.identity_type != "IAMUser" or event.details.get("ConsoleLogin") == "Failure"):
            continue
        if name := (event.actor if signin else user_of(event)):
            uses[f"{user_resource(event.account, name)}|password"].append(logged(event.time))
    for entry, row in report_rows(view):
        if last := report_time(row.get("password_last_used")):
            uses[f"{user_resource(entry.account or '', row['user'])}|password"].append(Use(last, True))
    signed = cloudtrail_logs(view).key_uses
    for aspect, key in found.keys.items():
        account = owner(aspect).split("/")[1]
        uses[aspect] += [logged(at) for at in signed.get((account, key.key_id), [])]
        if aspect in found.created:
            uses[aspect].append(logged(found.created[aspect]))
    for entry in [*view.earlier_entries(USERS), *view.entries(USERS)]:
        for user in view.read_json(entry)["users"]:
            for key in user.get("AccessKeys") or []:
                aspect = f"{user_resource(entry.account or '', user['UserName'])}|key|{key['AccessKeyId']}"
                # A reported last use, or for a key never used its creation: nothing after it can be missed.
                at = api_time((key.get("LastUsed") or {}).get("LastUsedDate")) or api_time(key.get("CreateDate"))
                if at:
                    uses[aspect].append(Use(at, True))
    return {aspect: sorted(times) for aspect, times in uses.items()}


def idle(row: Row, uses: list[Use], threshold: timedelta, label: str) -> list[Row]:
    """A live-credential row (False) split by its uses: fresh for `threshold` after each use, then an exception
    (or no evidence, when a use could have been missed) until the next."""
    if row.metrics["compliant"] is not False:
        return [row]
    inside = [u for u in uses if row.start < u.time < row.end]
    prior = [u for u in uses if u.time <= row.start]
    spans = zip(
        [row.start, *(u.time for u in inside)],
        [*(u.time for u in inside), row.end],
        [prior[-1] if prior else None, *inside],
        strict=True,
    )
    found: list[Row] = []
    for start, end, use in spans:
        if use is None:
            found.append(
                Row(row.resource, start, end, f"{label}: no use or creation shown", {"compliant": None}, row.evidence)
            )
            continue
        part = Row(row.resource, start, end, f"{label}: last use shown {use.time:%Y-%m-%d}", row.metrics, row.evidence)
        found += split_at(part, use.time + threshold, True, False if use.exact else None)
    return found


def build(view: EvidenceView, scope: Scope, window: Window, params: dict) -> pd.DataFrame:
    threshold = timedelta(days=float(params.get("max_unused_days", 90)))
    found = credentials(view, scope)
    uses = uses_of(view, found, window.start_utc)
    aspects: dict[str, list[Row]] = defaultdict(list)
    for row in found.timelines.rows(scope, window, keep=lambda r: r.endswith("|password") or r in found.keys):
        label = f"access key {found.keys[row.resource].key_id}" if row.resource in found.keys else "console password"
        aspects[row.resource] += idle(row, uses.get(row.resource, []), threshold, label)
    return frame(per_user(aspects) + unlogged_accounts(view, scope, window, compliant=None), METRICS)


def suite(params: dict) -> list[gx.expectations.Expectation]:
    return held_throughout(
        "compliant",
        "The evidence does not show whether this user's active credentials were used within the threshold.",
        "An active credential was unused for longer than the threshold.",
    )
