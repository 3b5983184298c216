"""ENG-ACC-03: every leaver's AWS access (console password, access keys) removed within the SLA."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import great_expectations as gx
import pandas as pd

from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.credential_report import SOURCE as CREDENTIAL_REPORT
from expectations.credential_report import credential_users, has_active_credentials
from expectations.dataset import Row, frame
from expectations.runner import expect
from expectations.tables import NOT_A_DATE, is_bare_date, load_table, parse_moment, termination_inventory, unusable
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-ACC-03"
METRICS = {"hours_to_removal": "Float64"}
ROSTER = "file.hr_roster"
COLUMNS = ["employee_id", "termination_date", "iam_user"]
CONSOLE_REMOVAL = ("DeleteLoginProfile", "DeleteUser")
KEY_REMOVAL = ("DeleteAccessKey", "DeleteUser")
# Removal done in the week before the last day (pre-emptive offboarding) counts for that termination.
LOOKBACK = timedelta(days=7)


def _removals(events: list[TrailEvent], user: str, since: datetime) -> tuple[list[TrailEvent], list[TrailEvent]]:
    mine = [e for e in events if e.parameters.get("userName") == user and e.time >= since]
    console = [e for e in mine if e.name in CONSOLE_REMOVAL]
    keys = [
        e
        for e in mine
        if e.name in KEY_REMOVAL or (e.name == "UpdateAccessKey" and e.parameters.get("status") == "Inactive")
    ]
    return console, keys


@dataclass(frozen=True)
class Removal:
    at: datetime | None  # None while a credential is still active, or when the time is unknown
    seen: str
    evidence: tuple[str, ...] = ()
    known: bool = True  # False: the evidence does not show when access was removed


def removal(user: str, terminated: datetime, view: EvidenceView) -> Removal:
    """When the user's last credential was removed, what was seen, and the evidence that shows it."""
    events = cloudtrail_logs(view).named(*CONSOLE_REMOVAL, *KEY_REMOVAL, "UpdateAccessKey")
    console, keys = _removals(events, user, terminated - LOOKBACK)
    report = credential_users(view).get(user)
    reports = tuple(e.sha256 for e in view.entries(CREDENTIAL_REPORT))
    if report and has_active_credentials(report):
        return Removal(None, f"IAM user {user} still has active credentials in account {report['account']}", reports)
    removed = console[:1] + keys[-1:]
    if not report:
        return Removal(terminated, f"no IAM user {user} in any account", reports)
    if not removed:
        # Inactive now, but nothing shows when: a removal after the SLA would look the same.
        return Removal(None, f"IAM user {user}: credentials inactive, no removal event in the logs", reports, False)
    last = max(removed, key=lambda e: e.time)
    return Removal(last.time, f"IAM user {user}: {last.name} by {last.actor}", tuple({e.evidence for e in removed}))


def termination(text: str, window: Window) -> tuple[date, datetime] | None:
    """The local last day and the moment the SLA clock starts: a bare date means the end of that day."""
    moment = parse_moment(text, window.tz)
    if moment is None:
        return None
    if is_bare_date(text):
        return moment.date(), moment + timedelta(days=1)  # wall-clock day: right across DST changes
    return window.local_date(moment), moment


def build(view: EvidenceView, scope: Scope, window: Window, params: dict) -> pd.DataFrame:
    roster = load_table(view, ROSTER, scope.files.hr_roster, COLUMNS)
    start, end = window.start_utc, window.evaluated_end_utc
    rows: list[Row] = []
    for item in roster.rows:
        raw = item.values["termination_date"]
        person = f"employee/{item.values['employee_id']}"
        parsed = termination(raw, window) if raw else None
        if raw and parsed is None:
            bad = roster.bad(item, "termination_date", NOT_A_DATE)
            rows.append(unusable(person, [bad], (start, end), METRICS, (roster.sha256,)))
            continue
        # The population is every last day inside the window (up to as-of); the SLA may run past its end.
        if parsed is None or not window.start <= parsed[0] <= min(window.end, window.local_date(window.as_of)):
            continue
        terminated = parsed[1]
        user = item.values["iam_user"]
        found = removal(user, terminated, view) if user else Removal(terminated, "no AWS access on record")
        until = found.at or max(window.as_of, terminated)
        hours = max(0.0, (until - terminated).total_seconds() / 3600) if found.known else None
        rows.append(
            Row(
                person,
                terminated,
                max(until, terminated),
                found.seen,
                {"hours_to_removal": hours},
                (roster.sha256, *found.evidence),
            )
        )
    return frame(rows, METRICS, termination_inventory(roster, window))


def suite(params: dict) -> list[gx.expectations.Expectation]:
    sla = float(params.get("sla_hours", 24))
    return [
        expect(
            gx.expectations.ExpectColumnValuesToNotBeNull(column="hours_to_removal"),
            "coverage",
            "The evidence does not show whether access was removed within the SLA.",
        ),
        expect(
            gx.expectations.ExpectColumnValuesToBeBetween(column="hours_to_removal", min_value=0, max_value=sla),
            "exception",
            f"Access was not removed within {sla:g} hours of termination.",
        ),
    ]
