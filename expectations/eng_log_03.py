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

from expectations.aws_state import Judged, Seen, Timelines, pick
from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.config_items import CONFIG_STATE
from expectations.dataset import frame
from expectations.eng_cfg_01 import blind_intervals
from expectations.iam_log_buckets import bucket_rows
from expectations.iam_timeline import config_before_end, unlogged_accounts
from expectations.spec import ControlSpec, Parameters, Rule, at_least, covered, never
from expectations.state_timeline import State
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-LOG-03"
FACTS = {
    "expires": "boolean",  # whether the logs expire at all (a log group's retention set, a lifecycle rule)
    "retention_days": "Int64",  # the shortest expiry in days; null where only a fixed date, or nothing, expires them
    "fixed_expiry_date": "boolean",  # a lifecycle rule expires the logs on a date, whatever their age
}
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


def retention(days, minimum: int) -> Judged:
    """A log group's retentionInDays: None is "never expire"."""
    if days in (None, ""):
        return "pass", "never expire", kept_for(None, dated=False)
    state = "pass" if int(days) >= minimum else "fail"
    return state, f"retention {int(days)} days", kept_for(int(days), dated=False)


def kept_for(days: int | None, dated: bool) -> dict[str, object]:
    return {"expires": days is not None or dated, "retention_days": days, "fixed_expiry_date": dated}


def from_group_event(event: TrailEvent, minimum: int) -> list[Seen]:
    name, by = str(pick(event.parameters, "logGroupName", "")), f"{event.name} by {event.actor}"
    resource = group_resource(event.account, event.region, name)
    if event.name == "DeleteLogGroup":
        return [Seen(resource, "absent", by)]
    before = "absent" if event.name == "CreateLogGroup" else None
    return [group_seen(resource, pick(event.parameters, "retentionInDays"), minimum, before, f" ({by})")]


def group_seen(resource: str, days, minimum: int, before: State | None = None, by: str = "") -> Seen:
    state, value, facts = retention(days, minimum)
    return Seen(resource, state, value + by, before, facts=facts)


def group_rows(view: EvidenceView, scope: Scope, window: Window, minimum: int, pattern: str) -> list:
    timelines = Timelines().snapshots(
        view,
        GROUPS,
        lambda body: [
            group_seen(
                group_resource(body["account"], body["region"], g["logGroupName"]), g.get("retentionInDays"), minimum
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


def reaches(rule, prefix: str) -> bool:
    """Whether a lifecycle rule is enabled and reaches the logs' keys. A rule filtered by tags only may: it counts."""
    scoped = rule_prefix(rule)
    enabled = str(pick(rule, "status") or "").lower() == "enabled"
    return enabled and (prefix.startswith(scoped) or scoped.startswith(prefix))


def expiry_days(rule) -> int | None:
    days = pick(pick(rule, "expiration") or {}, "days") or pick(rule, "expirationInDays")
    return None if days in (None, "") else int(days)


def expiry_dated(rule) -> bool:
    return bool(pick(pick(rule, "expiration") or {}, "date") or pick(rule, "expirationDate"))


def expiry(rule, minimum: int) -> str | None:
    """Why a lifecycle rule that reaches the logs expires them too soon, or None."""
    name, days = pick(rule, "id") or "", expiry_days(rule)
    if days is not None and days < minimum:
        return f"lifecycle rule {name} expires logs after {days} days"
    if expiry_dated(rule):
        return f"lifecycle rule {name} expires logs on a fixed date"
    return None


def bucket_judge(minimum: int):
    def judge(settings: dict, whole: bool, at: datetime) -> Judged:
        if "rules" not in settings:
            return "unknown", "lifecycle rules not shown"
        reaching = [rule for rule in settings["rules"] or [] if reaches(rule, settings.get("prefix", ""))]
        days = [d for rule in reaching if (d := expiry_days(rule)) is not None]
        facts = kept_for(min(days, default=None), dated=any(expiry_dated(rule) for rule in reaching))
        short = [r for rule in reaching if (r := expiry(rule, minimum))]
        value = "; ".join(short) or "no lifecycle rule expires the logs sooner"
        return ("fail" if short else "pass"), value, facts

    return judge


def build(view: EvidenceView, scope: Scope, window: Window, params: EngLog03Parameters) -> pd.DataFrame:
    minimum = params.min_retention_days
    rows = group_rows(view, scope, window, minimum, params.log_group_pattern)
    rows += bucket_rows(view, scope, window, bucket_judge(minimum))
    return frame(rows + unlogged_accounts(view, scope, window), FACTS)


def rules(params: EngLog03Parameters) -> list[Rule]:
    short = "Logs were kept for less than the minimum retention."
    return [
        covered("expires", "The evidence does not show how long these logs were kept."),
        at_least("retention_days", params.min_retention_days, short),
        never("fixed_expiry_date", short),
    ]


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngLog03Parameters,
    sources=(
        "aws.logs.groups",
        "aws.s3.log_buckets",
        *CONFIG_STATE,
    ),
    facts=FACTS,
    build=build,
    rules=rules,
)
