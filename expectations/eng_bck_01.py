"""ENG-BCK-01: every production database is backed up: RDS backup retention at or above policy every day, an
AWS Backup plan selects it, and a backup job completed on at least `min_backup_day_share` of its days.

Days are UTC days, as AWS Backup Audit Manager's daily backup job reports count them; a day no delivered report
covers is no evidence. Plan coverage is read from snapshots; a plan or selection change recorded by CloudTrail
makes it unknown until the next snapshot, except a new selection that visibly selects the database.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from fnmatch import fnmatchcase

import pandas as pd
from pydantic import Field

from expectations.aws_state import Seen, Timelines, all_of, as_list, pick, tag_value
from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.config_items import CONFIG_STATE
from expectations.dataset import Row
from expectations.rds_instances import NEAR_MISS_RULE, PRODUCTION, Production, Setting, production_rows
from expectations.rds_instances import SOURCE as INSTANCES
from expectations.spec import ControlSpec, Parameters, Rule, always, at_least, covered, where
from expectations.state_timeline import HOLDS, State
from socready.evidence.aws_formats import key_date
from socready.evidence.view import EvidenceView
from socready.intervals import merge
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-BCK-01"
# Each aspect's facts: the RDS retention in force (null: not shown); whether a backup plan selects the database
# (null: not known); for the UTC day, whether it counts toward the share (a whole day of the database's life, or
# any day a job completed on), whether a backup job completed (null: no report covers the day), and the share of
# the database's counted days with a completed job.
OWN_FACTS = {
    "retention_days": "Int64",
    "in_backup_plan": "boolean",
    "backup_due": "boolean",
    "job_completed": "boolean",
    "backup_day_share": "Float64",
}
FACTS = {**OWN_FACTS, **PRODUCTION}
UNKNOWN = "The evidence does not show whether this production database was backed up as required."
FAILED = "This production database's backups fell short of policy (retention, backup plan or daily backups)."
PLANS = "aws.backup.plans"
REPORTS = "aws.backup.job_reports"
PLAN_EVENTS = (
    "CreateBackupPlan",
    "UpdateBackupPlan",
    "DeleteBackupPlan",
    "CreateBackupSelection",
    "DeleteBackupSelection",
)
TAG_CONDITION = "aws:ResourceTag/"
DAY = timedelta(days=1)
NOT_DUE = "created or deleted this day: no backup due"


class EngBck01Parameters(Parameters):
    min_retention_days: int = Field(
        default=7, description="minimum RDS automated-backup retention, in days, on every day"
    )
    min_backup_day_share: float = Field(
        default=0.99,
        description=(
            "share of a database's UTC days that need a completed AWS Backup job (0.99: 99 %); fewer is an "
            "exception on each day without one"
        ),
    )


def retention(minimum: int) -> Setting:
    def judge(days) -> tuple[State, str, dict[str, object]]:
        state = "pass" if int(days) >= minimum else "fail"
        return state, f"backup retention {int(days)} days", {"retention_days": int(days)}

    # Retention changes apply at once, except turning backups on or off (to or from 0) without ApplyImmediately.
    return Setting("BackupRetentionPeriod", 1, judge, applies_at_once=lambda days: int(days) > 0)


def selects(selection: dict, arn: str, tags) -> bool:
    """Whether a backup selection (API or CloudTrail shape) selects a resource: by ARN pattern or tag, minus
    NotResources, and only where every StringEquals tag condition holds."""
    by_arn = any(fnmatchcase(arn, pattern) for pattern in as_list(pick(selection, "Resources")))
    by_tag = any(
        str(pick(c, "ConditionType", "")).upper() == "STRINGEQUALS"
        and tag_value(tags, str(pick(c, "ConditionKey"))) == pick(c, "ConditionValue")
        for c in as_list(pick(selection, "ListOfTags"))
    )
    required = all(
        tag_value(tags, str(pick(c, "ConditionKey")).removeprefix(TAG_CONDITION)) == pick(c, "ConditionValue")
        for c in as_list(pick(pick(selection, "Conditions"), "StringEquals"))
    )
    excluded = any(fnmatchcase(arn, pattern) for pattern in as_list(pick(selection, "NotResources")))
    return (by_arn or by_tag) and required and not excluded


def instance_tags(view: EvidenceView) -> dict[tuple[str, str], dict[str, list]]:
    """(account, region) -> instance ARN -> its latest tags, from the RDS snapshots."""
    found: dict[tuple[str, str], dict[str, list]] = defaultdict(dict)
    for entry in [*view.earlier_entries(INSTANCES), *view.entries(INSTANCES)]:
        body = view.read_json(entry)
        for instance in body.get("instances", []):
            found[(body["account"], body["region"])][instance["DBInstanceArn"]] = instance.get("TagList") or []
    return found


def plan_rows(view: EvidenceView, scope: Scope, window: Window, chosen: Production) -> list[Row]:
    tags = instance_tags(view)

    def from_snapshot(body: dict) -> Iterator[Seen]:
        selections = [(p["BackupPlanName"], s) for p in body.get("plans", []) for s in p.get("Selections", [])]
        for arn, found in tags[(body["account"], body["region"])].items():
            plans = sorted({name for name, s in selections if selects(s, arn, found)})
            if plans:
                yield Seen(arn, "pass", f"selected by backup plan {', '.join(plans)}")
            else:
                yield Seen(arn, "fail", "no backup plan selects it")

    def from_event(event: TrailEvent) -> Iterator[Seen]:
        selection = pick(event.parameters, "backupSelection")
        for arn, found in tags[(event.account, event.region)].items():
            if event.name == "CreateBackupSelection" and selects(selection, arn, found):
                yield Seen(arn, "pass", f"selected by {pick(selection, 'selectionName')} ({event.actor})")
            elif event.name != "CreateBackupSelection":
                yield Seen(arn, "unknown", f"backup plans changed by {event.name} ({event.actor})")

    timelines = Timelines().events(cloudtrail_logs(view).named(*PLAN_EVENTS), from_event)
    return with_selection(timelines.snapshots(view, PLANS, from_snapshot).rows(scope, window, keep=chosen.__contains__))


def with_selection(rows: list[Row]) -> list[Row]:
    """Plan rows with their fact: selection is itself a yes/no fact, the row's verdict."""
    return [replace(r, metrics={**r.metrics, "in_backup_plan": r.metrics[HOLDS]}) for r in rows]


def normalized(record: dict) -> dict:
    """Report fields without case or spaces: "Resource Arn" (CSV) and "resourceArn" (JSON) agree."""
    return {re.sub(r"[^a-z0-9]", "", str(k).lower()): v for k, v in record.items()}


def parse_time(text) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def report_period(records: list[dict], query: str) -> tuple[datetime, datetime] | None:
    """The report's time period from its rows, else the UTC day before its delivery date in the S3 key."""
    for record in records:
        if "reporttimeperiod" in record:
            start, _, end = str(record["reporttimeperiod"]).partition(" - ")
            return parse_time(start), parse_time(end)
        if record.get("reporttimeperiodstart"):
            return parse_time(record["reporttimeperiodstart"]), parse_time(record["reporttimeperiodend"])
    delivered = key_date(query)
    if delivered is None:
        return None
    end = datetime.combine(delivered, time(0), UTC)
    return end - DAY, end


class JobReports:
    """Backup job reports -> the UTC days each resource had a completed job, and the days reports cover."""

    def __init__(self, view: EvidenceView) -> None:
        self.completed: dict[str, set[date]] = defaultdict(set)
        self.covered: dict[tuple[str, str], dict[date, list[str]]] = defaultdict(lambda: defaultdict(list))
        for entry in view.entries(REPORTS):
            data = view.read(entry).decode("utf-8-sig")
            rows = (
                list(csv.DictReader(io.StringIO(data)))
                if entry.media_type == "text/csv"
                else view.read_json(entry).get("reportItems", [])
            )
            records = [normalized(r) for r in rows]
            for record in records:
                finished = parse_time(record.get("completiondate"))
                if str(record.get("jobstatus", "")).upper() == "COMPLETED" and finished:
                    self.completed[str(record.get("resourcearn"))].add(finished.astimezone(UTC).date())
            period = report_period(records, entry.query)
            if period is None:
                continue
            day = period[0].astimezone(UTC).date()
            while datetime.combine(day, time(0), UTC) < period[1]:
                self.covered[(entry.account or "", entry.region or "")][day].append(entry.sha256)
                day += DAY

    def day_rows(self, arn: str, lifetime: list[tuple[datetime, datetime]], window: Window) -> list[Row]:
        """A row per UTC day of the database's lifetime in the window. The days it was created or deleted on
        need no backup (the daily job may fall outside its life), unless one completed."""
        _, _, _, region, account, *_ = arn.split(":")
        covered, first, last = self.covered[(account, region)], window.start_utc, window.evaluated_end_utc
        rows = []
        for start, end in lifetime:
            day = start.astimezone(UTC).date()
            while (day_start := datetime.combine(day, time(0), UTC)) < end:
                span = (max(start, day_start), min(end, day_start + DAY))
                shown = tuple(covered.get(day, ()))
                created_today = first < start and day_start < start  # not just the window's first day
                deleted_today = end < last and end < day_start + DAY
                completed = day in self.completed[arn]
                facts = {
                    "backup_due": completed or not (created_today or deleted_today),
                    "job_completed": True if completed else (False if shown else None),
                }
                if completed:
                    rows.append(Row(arn, *span, "backup job completed", {HOLDS: True, **facts}, shown))
                elif not facts["backup_due"]:
                    rows.append(Row(arn, *span, NOT_DUE, {HOLDS: True, **facts}, shown))
                elif shown:
                    rows.append(Row(arn, *span, "no completed backup job", {HOLDS: False, **facts}, shown))
                else:
                    rows.append(Row(arn, *span, "no backup job report for this day", {HOLDS: None, **facts}))
                day += DAY
        return rows


def within_allowance(rows: list[Row], share: float) -> list[Row]:
    """Each day's row with the share of the database's counted days with a completed job (`backup_day_share`);
    days without a completed job are no exception while that share is at least `share` (their value says so)."""
    due = [r for r in rows if r.metrics["backup_due"]]
    done = sum(1 for r in due if r.metrics["job_completed"] is True)
    day_share = done / len(due) if due else None
    allowed = day_share is not None and day_share >= share
    return [
        replace(r, value=f"{r.value} (within the allowance)", metrics={**r.metrics, HOLDS: True})
        if allowed and r.metrics[HOLDS] is False
        else r
        for r in (replace(r, metrics={**r.metrics, "backup_day_share": day_share}) for r in rows)
    ]


def build(view: EvidenceView, scope: Scope, window: Window, params: EngBck01Parameters) -> pd.DataFrame:
    found = production_rows(view, scope, window, retention(params.min_retention_days))
    reports, share = JobReports(view), params.min_backup_day_share
    lifetimes: dict[str, list] = defaultdict(list)
    for row in found.rows:
        lifetimes[row.resource].append((row.start, row.end))
    daily = [
        row
        for arn, spans in lifetimes.items()
        for row in within_allowance(reports.day_rows(arn, merge(spans), window), share)
    ]
    combined = all_of(found.rows, plan_rows(view, scope, window, found.chosen), daily)
    return found.facts_frame(combined, OWN_FACTS)


def not_failing(params: EngBck01Parameters) -> dict[str, str]:
    """Per aspect, the pandas row condition "this aspect does not fail the row" (it holds, or is not shown), so
    that each aspect's coverage is needed only where no other aspect fails: a known failure is an exception,
    else an unknown is a gap, as the combined yes/no fact read. Written so that no null reaches the mask."""
    missed = "backup_due.isna() or not backup_due or job_completed.isna() or job_completed"
    return {
        "retention_days": f"retention_days.isna() or retention_days >= {params.min_retention_days}",
        "in_backup_plan": "in_backup_plan.isna() or in_backup_plan",
        "job_completed": f"{missed} or backup_day_share.isna() or backup_day_share >= {params.min_backup_day_share}",
    }


def needed(params: EngBck01Parameters, aspect: str, only: str = "") -> dict[str, str]:
    """The row condition of `aspect`'s coverage: no other aspect fails the row (and `only`, where given)."""
    others = [f"({condition})" for name, condition in not_failing(params).items() if name != aspect]
    return where(" and ".join([*([only] if only else []), *others]))


def rules(params: EngBck01Parameters) -> list[Rule]:
    """Retention at or above `min_retention_days`, a backup plan selecting the database, and on each counted
    day without a completed job, jobs on at least `min_backup_day_share` of the counted days. A not-counted day
    needs no job report. The near misses' rule comes last, so its reason names their rows."""
    counted = "not backup_due.isna() and backup_due"
    missed = where(f"{counted} and not job_completed.isna() and not job_completed")
    return [
        covered("retention_days", UNKNOWN, **needed(params, "retention_days")),
        covered("in_backup_plan", UNKNOWN, **needed(params, "in_backup_plan")),
        covered("job_completed", UNKNOWN, **needed(params, "job_completed", counted)),
        at_least("retention_days", params.min_retention_days, FAILED),
        always("in_backup_plan", FAILED),
        at_least("backup_day_share", params.min_backup_day_share, FAILED, **missed),
        NEAR_MISS_RULE,
    ]


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngBck01Parameters,
    sources=(
        "aws.rds.instances",
        "aws.backup.plans",
        "aws.backup.job_reports",
        *CONFIG_STATE,
    ),
    facts=FACTS,
    build=build,
    rules=rules,
)
