"""RDS DB instances over the window, judged on one setting: Config items, CloudTrail events and snapshots.

"Production" databases are those tagged `<production_tag_key>=<production_tag_value>` (control parameters,
default environment=production) in any snapshot, Config item or CreateDBInstance/AddTagsToResource event of
the window: a database tagged production at any time counts as production for the whole window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from expectations.aws_state import Seen, Timelines, pick, tag_value
from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.config_items import ConfigItem, config_items
from expectations.dataset import Row
from expectations.eng_cfg_01 import blind_intervals
from expectations.state_timeline import State
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

SOURCE = "aws.rds.instances"
CONFIG_TYPE = "AWS::RDS::DBInstance"
EVENTS = ("CreateDBInstance", "DeleteDBInstance", "ModifyDBInstance")
TAG_EVENTS = ("CreateDBInstance", "AddTagsToResource")


@dataclass(frozen=True)
class Setting:
    """One DB instance setting: its API name, CreateDBInstance's default, and how a value is judged."""

    name: str  # as DescribeDBInstances spells it; Config items and events differ only in case
    created_default: object
    judge: Callable[[object], tuple[State, str]]
    # Whether ModifyDBInstance applies it at once even without ApplyImmediately (else the Config item shows when).
    applies_at_once: Callable[[object], bool] = lambda value: False


def instance_arn(account: str, region: str, identifier: str) -> str:
    return f"arn:aws:rds:{region}:{account}:db:{identifier}"


def item_arn(item: ConfigItem) -> str:
    return pick(item.configuration, "dBInstanceArn") or instance_arn(item.account, item.region, item.name)


def event_arn(event: TrailEvent) -> str:
    identifier = str(pick(event.parameters, "dBInstanceIdentifier", ""))
    return identifier if identifier.startswith("arn:") else instance_arn(event.account, event.region, identifier)


def judged(setting: Setting, value) -> tuple[State, str]:
    return ("unknown", f"{setting.name} not shown") if value is None else setting.judge(value)


def timelines(view: EvidenceView, setting: Setting) -> Timelines:
    """Every DB instance's observations of `setting`, from all three sources."""

    def from_event(event: TrailEvent) -> Iterator[Seen]:
        arn, params = event_arn(event), event.parameters
        if event.name == "DeleteDBInstance":
            yield Seen(arn, "absent", f"deleted by {event.actor}")
        elif event.name == "CreateDBInstance":
            state, value = judged(setting, pick(params, setting.name, setting.created_default))
            yield Seen(arn, state, f"{value} at creation by {event.actor}", before="absent")
        elif (value := pick(params, setting.name)) is not None and (
            pick(params, "applyImmediately") or setting.applies_at_once(value)
        ):
            state, seen = judged(setting, value)
            yield Seen(arn, state, f"{seen} set by {event.actor}")

    def from_snapshot(body: dict) -> Iterator[Seen]:
        for instance in body.get("instances", []):
            yield Seen(instance["DBInstanceArn"], *judged(setting, instance.get(setting.name)))

    return (
        Timelines()
        .config(
            config_items(view, CONFIG_TYPE), item_arn, lambda i: judged(setting, pick(i.configuration, setting.name))
        )
        .events(cloudtrail_logs(view).named(*EVENTS), from_event)
        .snapshots(view, SOURCE, from_snapshot)
    )


def production(view: EvidenceView, params: dict) -> set[str]:
    """ARNs of instances the evidence shows tagged as production at some time."""
    key, wanted = params.get("production_tag_key", "environment"), params.get("production_tag_value", "production")
    found = {
        instance["DBInstanceArn"]
        for entry in [*view.earlier_entries(SOURCE), *view.entries(SOURCE)]
        for instance in view.read_json(entry).get("instances", [])
        if tag_value(instance.get("TagList"), key) == wanted
    }
    found |= {
        item_arn(i)
        for i in config_items(view, CONFIG_TYPE)
        if tag_value(pick(i.configuration, "tagList"), key) == wanted
    }
    for event in cloudtrail_logs(view).named(*TAG_EVENTS):
        if tag_value(pick(event.parameters, "tags"), key) == wanted:
            found.add(
                str(pick(event.parameters, "resourceName")) if event.name == "AddTagsToResource" else event_arn(event)
            )
    return found


def production_rows(view: EvidenceView, scope: Scope, window: Window, params: dict, setting: Setting) -> list[Row]:
    """Rows of `setting` for every production instance in scope."""
    chosen = production(view, params)
    return timelines(view, setting).rows(
        scope, window, blind=blind_intervals(view, scope, window), keep=chosen.__contains__
    )
