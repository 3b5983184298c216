"""ENG-ACC-03: every leaver's AWS access (console password, access keys) removed within the SLA."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd
from pydantic import Field

from expectations.cloudtrail_events import RecordedHours, TrailEvent, cloudtrail_logs
from expectations.config_items import ConfigItem, config_items
from expectations.credential_report import SOURCE as CREDENTIAL_REPORT
from expectations.credential_report import credential_users, has_active_credentials
from expectations.dataset import Row, frame
from expectations.eng_log_01 import hours_without_records
from expectations.jira_issues import stamp
from expectations.people import KEY_COLUMNS, Directory, Person
from expectations.spec import ControlSpec, Parameters, Rule, rule
from expectations.tables import (
    NOT_A_DATE,
    ROSTER,
    is_bare_date,
    load_table,
    parse_moment,
    termination_inventory,
    unusable,
)
from socready.evidence.view import EvidenceView
from socready.intervals import merge
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-ACC-03"
METRICS = {"hours_to_removal": "Float64"}
CONSOLE_REMOVAL = ("DeleteLoginProfile", "DeleteUser")
KEY_REMOVAL = ("DeleteAccessKey", "DeleteUser")
# Removal done in the week before the last day (pre-emptive offboarding) counts for that termination.
LOOKBACK = timedelta(days=7)
# The parameters by which an IAM event names the user it acts on (UpdateUser renames it).
USER_PARAMETERS = ("userName", "newUserName")


class EngAcc03Parameters(Parameters):
    sla_hours: float = Field(
        default=24.0,
        description=(
            "hours after the end of the last working day by which the leaver's console password and access "
            "keys must be removed"
        ),
    )


def is_removal(event: TrailEvent, user: str, names: tuple[str, ...]) -> bool:
    """A removal of `user`'s credentials (not one `user` made of someone else's)."""
    deactivated = event.name == "UpdateAccessKey" and event.parameters.get("status") == "Inactive"
    return event.parameters.get("userName") == user and (event.name in names or (names is KEY_REMOVAL and deactivated))


def named_users(event: TrailEvent) -> set[str]:
    """The IAM users an event acts on, and the IAM user who made it (a sign-in names its user this way)."""
    named = {str(event.parameters[p]) for p in USER_PARAMETERS if event.parameters.get(p)}
    return named | ({event.actor} if event.identity_type == "IAMUser" else set())


@dataclass(frozen=True)
class Removal:
    at: datetime | None  # None while a credential is still active, or when the time is unknown
    seen: str
    evidence: tuple[str, ...] = ()
    known: bool = True  # False: the evidence does not show when access was removed


@dataclass
class IamHistory:
    """What the evidence up to as-of shows of each IAM user: today's credential report, the CloudTrail events
    naming it, and AWS Config's AWS::IAM::User items (which outlive a deleted user)."""

    report: dict[str, dict[str, str]]
    reports: tuple[str, ...]
    unreported: list[str]  # accounts in scope without a credential report this run
    # Replaying a past as-of: the reports were read after it, and whether the logs are whole from a time to it.
    reported_after_as_of: bool = False
    logged_to_as_of: Callable[[datetime], bool] = lambda since: False
    events: dict[str, list[TrailEvent]] = field(default_factory=lambda: defaultdict(list))
    items: dict[str, list[ConfigItem]] = field(default_factory=lambda: defaultdict(list))

    @property
    def users(self) -> set[str]:
        return set(self.report) | set(self.events) | set(self.items)

    def removal(self, user: str, terminated: datetime) -> Removal | None:
        """When the user's last credential was removed, what was seen, and the evidence that shows it; None when
        no evidence names the user at all."""
        report = self.report.get(user)
        if report and has_active_credentials(report):
            where = f"account {report['account']}"
            return Removal(None, f"IAM user {user} still has active credentials in {where}", self.reports)
        since = terminated - LOOKBACK
        events = [e for e in self.events.get(user, []) if e.time >= since]
        console = [e for e in events if is_removal(e, user, CONSOLE_REMOVAL)]
        keys = [e for e in events if is_removal(e, user, KEY_REMOVAL)]
        if removed := console[:1] + keys[-1:]:
            last = max(removed, key=lambda e: e.time)
            evidence = tuple(dict.fromkeys(e.evidence for e in removed))
            return Removal(last.time, f"IAM user {user}: {last.name} by {last.actor}", evidence)
        if deleted := [i for i in self.items.get(user, []) if i.deleted and i.time >= since]:
            return Removal(
                deleted[0].time, f"IAM user {user}: AWS Config recorded its deletion", (deleted[0].evidence,)
            )
        if report:
            # Inactive now, but nothing shows when: a removal after the SLA would look the same.
            seen = f"IAM user {user}: credentials inactive, no removal event in the logs"
            return Removal(None, seen, self.reports, False)
        return self._absent(user, terminated)

    def _absent(self, user: str, terminated: datetime) -> Removal | None:
        """A user missing from today's reports: deleted before the week before the last day (no access when they
        left), or unknown when; None when nothing names the user."""
        events, items = self.events.get(user, []), self.items.get(user, [])
        if not events and not items:
            return None
        gone = [(e.time, e.name, e.evidence) for e in events if is_removal(e, user, ("DeleteUser",))]
        gone += [(i.time, "deletion recorded by AWS Config", i.evidence) for i in items if i.deleted]
        last_seen = max([e.time for e in events] + [i.time for i in items])
        if gone and max(gone)[0] >= last_seen:
            at, what, evidence = max(gone)
            return Removal(terminated, f"IAM user {user}: {what} {stamp(at)}, before the last day", (evidence,))
        shown = tuple(dict.fromkeys([e.evidence for e in events] + [i.evidence for i in items]))
        if self.reported_after_as_of and self.logged_to_as_of(last_seen):
            # Gone from reports read after the as-of, but whole logs show no removal by then: access still held.
            seen = f"IAM user {user} was seen until {stamp(last_seen)} and no removal was logged by the as-of"
            return Removal(None, seen, shown)
        seen = (
            f"IAM user {user} is in no credential report but was seen until {stamp(last_seen)}; no removal shows when"
        )
        return Removal(None, seen, shown, False)


def iam_history(view: EvidenceView, scope: Scope, window: Window) -> IamHistory:
    """Everything dated after as-of is left out."""
    entries = view.entries(CREDENTIAL_REPORT)
    reported = {e.account for e in entries}
    unreported = [a.id for a in scope.aws.accounts if a.id not in reported]
    history = IamHistory(
        credential_users(view),
        tuple(e.sha256 for e in entries),
        unreported,
        reported_after_as_of=bool(entries) and all(e.collected_at > window.as_of for e in entries),
        logged_to_as_of=lambda since: not unlogged(view, scope, since, window.as_of),
    )
    for event in cloudtrail_logs(view).events:
        if event.time <= window.as_of:
            for user in named_users(event):
                history.events[user].append(event)
    for item in config_items(view, "AWS::IAM::User"):
        if item.time <= window.as_of:
            history.items[item.name].append(item)
    return history


def unlogged(view: EvidenceView, scope: Scope, start: datetime, end: datetime) -> list[str]:
    """The hours in [start, end) in which some account in scope (from when it joined) has no CloudTrail record in
    any region."""
    hours = cloudtrail_logs(view).hours
    gaps = []
    for account in scope.aws.accounts:
        logged = RecordedHours.union(recorded for (a, _), recorded in hours.items() if a == account.id)
        since = max(start, account.joined) if account.joined else start
        gaps += [(account.id, gap) for gap in merge(hours_without_records(logged, since, end))]
    return [f"account {a} has no CloudTrail records {stamp(s)} to {stamp(e)}" for a, (s, e) in gaps]


def termination(text: str, window: Window) -> tuple[date, datetime] | None:
    """The local last day and the moment the SLA clock starts: a bare date means the end of that day."""
    moment = parse_moment(text, window.tz)
    if moment is None:
        return None
    if is_bare_date(text):
        return moment.date(), moment + timedelta(days=1)  # wall-clock day: right across DST changes
    return window.local_date(moment), moment


def build(view: EvidenceView, scope: Scope, window: Window, params: EngAcc03Parameters) -> pd.DataFrame:
    """A leaver's IAM user is the roster's `iam_user`, else found by name (expectations/people.py `login`)."""
    roster = load_table(view, ROSTER, scope.files.hr_roster, ["employee_id", "termination_date"], KEY_COLUMNS)
    directory = Directory(roster, window.tz)
    history = iam_history(view, scope, window)
    start, end = window.start_utc, window.evaluated_end_utc
    rows: list[Row] = []
    for cells in directory.items:
        raw = cells.text("termination_date")
        resource = cells.key("employee_id", "employee")
        parsed = termination(raw, window) if raw else None
        if raw and parsed is None:
            cells.flag("termination_date", NOT_A_DATE)
        if cells.bad:
            rows.append(unusable(resource, cells.bad, (start, end), METRICS, (roster.sha256,)))
            continue
        # The population is every last day inside the window (up to as-of); the SLA may run past its end.
        if parsed is None or not window.start <= parsed[0] <= min(window.end, window.local_date(window.as_of)):
            continue
        terminated = parsed[1]
        found = removed(view, scope, history, directory, directory.people[cells.text("employee_id")], terminated, end)
        until = found.at or max(window.as_of, terminated)
        hours = max(0.0, (until - terminated).total_seconds() / 3600) if found.known else None
        evidence = (roster.sha256, *found.evidence)
        rows.append(
            Row(resource, terminated, max(until, terminated), found.seen, {"hours_to_removal": hours}, evidence)
        )
    return frame(rows, METRICS, termination_inventory(roster, window))


def removed(
    view: EvidenceView,
    scope: Scope,
    history: IamHistory,
    directory: Directory,
    person: Person,
    terminated: datetime,
    end: datetime,
) -> Removal:
    """The person's access removal; with no IAM user in any evidence, no AWS access if the credential reports and
    the logs from the week before the last day to the window's end could have shown one, else unknown."""
    login = directory.login(person, history.users)
    if login.doubt:
        return Removal(None, login.doubt, history.reports, False)
    if login.user and (found := history.removal(login.user, terminated)):
        return found
    who = (
        f"IAM user {login.user}"
        if login.user
        else f"IAM user named by {person.describe()}'s e-mail, its local part or id"
    )
    since = terminated - LOOKBACK
    missing = [f"no credential report for account {a}" for a in history.unreported]
    missing += unlogged(view, scope, since, max(end, since))
    if missing:
        return Removal(None, f"no {who} seen, but {'; '.join(missing)}", history.reports, False)
    seen = f"no AWS access: no {who} in the credential reports, CloudTrail since {stamp(since)} or AWS Config"
    return Removal(terminated, seen, history.reports)


def rules(params: EngAcc03Parameters) -> list[Rule]:
    sla = params.sla_hours
    return [
        rule(
            "ExpectColumnValuesToNotBeNull",
            "coverage",
            "The evidence does not show whether access was removed within the SLA.",
            column="hours_to_removal",
        ),
        rule(
            "ExpectColumnValuesToBeBetween",
            "exception",
            f"Access was not removed within {sla:g} hours of termination.",
            column="hours_to_removal",
            min_value=0,
            max_value=sla,
        ),
    ]


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngAcc03Parameters,
    sources=("file.hr_roster", "aws.cloudtrail.logs", "aws.iam.credential_report", "aws.config.history"),
    # Config's IAM items show a user deleted before the first report; without Config history, reports and logs
    optional_sources=("aws.config.history",),
    facts=METRICS,
    build=build,
    rules=rules,
)
