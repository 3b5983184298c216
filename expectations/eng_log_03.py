"""ENG-LOG-03: logs are kept at least the minimum retention (default 365 days) on every day of the window.

Two kinds of log store: CloudWatch Logs log groups (those matching `log_group_pattern`; no retention set means
never expire) and the CloudTrail log buckets (an enabled lifecycle rule that expires the logs' objects sooner,
or on a fixed date, is below the minimum; no such rule means kept). Retention events (PutRetentionPolicy, …)
set a value without saying the one before, so the days before a store's first change are known only from a
snapshot or an AWS Config item before it.
"""

from __future__ import annotations

from datetime import datetime
from fnmatch import fnmatchcase

import pandas as pd
from pydantic import Field

from expectations.aws_state import Seen, Timelines, pick
from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.dataset import frame
from expectations.eng_cfg_01 import blind_intervals
from expectations.iam_log_buckets import bucket_rows
from expectations.iam_timeline import config_before_end, unlogged_accounts
from expectations.spec import ControlSpec, Parameters, Rule, held_throughout
from expectations.state_timeline import State
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-LOG-03"
METRICS = {"compliant": "boolean"}
GROUPS = "aws.logs.groups"
GROUP_EVENTS = ("CreateLogGroup", "DeleteLogGroup", "PutRetentionPolicy", "DeleteRetentionPolicy")


class EngLog03Parameters(Parameters):
    min_retention_days: int = Field(
        default=365, description="minimum retention, in days, of the log groups and the CloudTrail bucket's lifecycle"
    )
    log_group_pattern: str = Field(
        default="*",
        description="`fnmatch` pattern over log group names: the groups the retention policy covers (`*`: all)",
    )


def group_resource(account: str, region: str, name: str) -> str:
    return f"account/{account}/region/{region}/log-group/{name}"


def retention(days, minimum: int) -> tuple[State, str]:
    """A log group's retentionInDays: None is "never expire"."""
    if days in (None, ""):
        return "pass", "never expire"
    return ("pass" if int(days) >= minimum else "fail"), f"retention {int(days)} days"


def from_group_event(event: TrailEvent, minimum: int) -> list[Seen]:
    name, by = str(pick(event.parameters, "logGroupName", "")), f"{event.name} by {event.actor}"
    resource = group_resource(event.account, event.region, name)
    if event.name == "DeleteLogGroup":
        return [Seen(resource, "absent", by)]
    state, value = retention(pick(event.parameters, "retentionInDays"), minimum)
    before = "absent" if event.name == "CreateLogGroup" else None
    return [Seen(resource, state, f"{value} ({by})", before)]


def group_rows(view: EvidenceView, scope: Scope, window: Window, minimum: int, pattern: str) -> list:
    timelines = Timelines().snapshots(
        view,
        GROUPS,
        lambda body: [
            Seen(
                group_resource(body["account"], body["region"], g["logGroupName"]),
                *retention(g.get("retentionInDays"), minimum),
            )
            for g in body["log_groups"]
        ],
    )
    timelines.config(
        config_before_end(view, "AWS::Logs::LogGroup", window),
        lambda item: group_resource(item.account, item.region, pick(item.configuration, "logGroupName") or item.name),
        lambda item: retention(pick(item.configuration, "retentionInDays"), minimum),
    )
    timelines.events(cloudtrail_logs(view).named(*GROUP_EVENTS), lambda event: from_group_event(event, minimum))

    def kept(resource: str) -> bool:
        return fnmatchcase(resource.split("/log-group/", 1)[1], pattern)

    return timelines.rows(scope, window, blind=blind_intervals(view, scope, window), keep=kept)


def rule_prefix(rule) -> str:
    """The key prefix a lifecycle rule applies to, in the API's, CloudTrail's or Config's shape ("" = all)."""
    where = pick(rule, "filter") or {}
    for prefix in (pick(where, "prefix"), pick(pick(where, "and"), "prefix"), pick(pick(where, "predicate"), "prefix")):
        if prefix is not None:
            return str(prefix)
    return str(pick(rule, "prefix") or "")


def expiry(rule, prefix: str, minimum: int) -> str | None:
    """Why an enabled lifecycle rule that reaches the logs' keys expires them too soon, or None. A rule filtered
    by tags only may reach them: it counts."""
    scoped = rule_prefix(rule)
    if str(pick(rule, "status") or "").lower() != "enabled" or not (
        prefix.startswith(scoped) or scoped.startswith(prefix)
    ):
        return None
    expiration, name = pick(rule, "expiration") or {}, pick(rule, "id") or ""
    days = pick(expiration, "days") or pick(rule, "expirationInDays")
    if days not in (None, "") and int(days) < minimum:
        return f"lifecycle rule {name} expires logs after {int(days)} days"
    if pick(expiration, "date") or pick(rule, "expirationDate"):
        return f"lifecycle rule {name} expires logs on a fixed date"
    return None


def bucket_judge(minimum: int):
    def judge(settings: dict, whole: bool, at: datetime) -> tuple[State, str]:
        if "rules" not in settings:
            return "unknown", "lifecycle rules not shown"
        short = [r for rule in settings["rules"] or [] if (r := expiry(rule, settings.get("prefix", ""), minimum))]
        return ("fail", "; ".join(short)) if short else ("pass", "no lifecycle rule expires the logs sooner")

    return judge


def build(view: EvidenceView, scope: Scope, window: Window, params: EngLog03Parameters) -> pd.DataFrame:
    minimum = params.min_retention_days
    rows = group_rows(view, scope, window, minimum, params.log_group_pattern)
    rows += bucket_rows(view, scope, window, bucket_judge(minimum))
    return frame(rows + unlogged_accounts(view, scope, window, compliant=None), METRICS)


def rules(params: EngLog03Parameters) -> list[Rule]:
    return held_throughout(
        "compliant",
        "The evidence does not show how long these logs were kept.",
        "Logs were kept for less than the minimum retention.",
    )


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngLog03Parameters,
    sources=(
        "aws.logs.groups",
        "aws.s3.log_buckets",
        "aws.config.history",
        "aws.config.recorders",
        "aws.cloudtrail.logs",
    ),
    facts=METRICS,
    build=build,
    rules=rules,
)
