"""RDS DB instances over the window, judged on one setting: Config items, CloudTrail events and snapshots.

Production databases are those the scope's `aws.production` names: every instance in a listed account, and any
carrying one of its tags in a snapshot, Config item or CreateDBInstance/AddTagsToResource event of the window (a
database tagged production at any time counts as production for the whole window). An instance whose tag is a
near miss (`tag_match: exact`) is no evidence, never silently left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import pandas as pd

from expectations.aws_state import Judged, Seen, Timelines, pick, production_rule, production_tag, unread_places
from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.config_items import ConfigItem, config_items
from expectations.dataset import Inventory, Row, frame
from expectations.eng_cfg_01 import blind_intervals
from expectations.spec import Rule, covered, held_throughout
from expectations.state_timeline import HOLDS, State, named
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.scope.models import ProductionSpec
from socready.window import Window

SOURCE = "aws.rds.instances"
CONFIG_TYPE = "AWS::RDS::DBInstance"
EVENTS = ("CreateDBInstance", "DeleteDBInstance", "ModifyDBInstance")
TAG_EVENTS = ("CreateDBInstance", "AddTagsToResource")
UNKNOWN = {HOLDS: None, "production": None}
PRODUCTION = {"production": "boolean"}  # null for a near miss
NEAR_MISS = (
    "A tag of this database equals an aws.production tag only when case and spaces are ignored "
    "(tag_match: exact): whether it is production is not known."
)
# Last in a production suite, so its reason names the near misses' rows.
NEAR_MISS_RULE = covered("production", NEAR_MISS)


@dataclass(frozen=True)
class Setting:
    """One DB instance setting: its API name, CreateDBInstance's default, and how a value is judged."""

    name: str  # as DescribeDBInstances spells it; Config items and events differ only in case
    created_default: object
    judge: Callable[[object], Judged]  # (state, value) or (state, value, the dataset's facts of the value)
    # Whether ModifyDBInstance applies it at once even without ApplyImmediately (else the Config item shows when).
    applies_at_once: Callable[[object], bool] = lambda value: False


def instance_arn(account: str, region: str, identifier: str) -> str:
    return f"arn:aws:rds:{region}:{account}:db:{identifier}"


def item_arn(item: ConfigItem) -> str:
    return pick(item.configuration, "dBInstanceArn") or instance_arn(item.account, item.region, item.name)


def event_arn(event: TrailEvent) -> str:
    identifier = str(pick(event.parameters, "dBInstanceIdentifier", ""))
    return identifier if identifier.startswith("arn:") else instance_arn(event.account, event.region, identifier)


def judged(setting: Setting, value) -> tuple[State, str, dict[str, object]]:
    """The setting's state, value text and facts (none where the value is not shown or the control states none)."""
    if value is None:
        return "unknown", f"{setting.name} not shown", {}
    state, text, *facts = setting.judge(value)
    return state, text, facts[0] if facts else {}


def timelines(view: EvidenceView, setting: Setting) -> Timelines:
    """Every DB instance's observations of `setting`, from all three sources."""

    def from_event(event: TrailEvent) -> Iterator[Seen]:
        arn, params = event_arn(event), event.parameters
        if event.name == "DeleteDBInstance":
            yield Seen(arn, "absent", f"deleted by {event.actor}")
        elif event.name == "CreateDBInstance":
            state, value, facts = judged(setting, pick(params, setting.name, setting.created_default))
            yield Seen(arn, state, f"{value} at creation by {event.actor}", before="absent", facts=facts)
        elif (value := pick(params, setting.name)) is not None and (
            pick(params, "applyImmediately") or setting.applies_at_once(value)
        ):
            state, seen, facts = judged(setting, value)
            yield Seen(arn, state, f"{seen} set by {event.actor}", facts=facts)

    def from_snapshot(body: dict) -> Iterator[Seen]:
        for instance in body.get("instances", []):
            state, value, facts = judged(setting, instance.get(setting.name))
            yield Seen(instance["DBInstanceArn"], state, value, facts=facts)

    return (
        Timelines()
        .config(
            config_items(view, CONFIG_TYPE), item_arn, lambda i: judged(setting, pick(i.configuration, setting.name))
        )
        .events(cloudtrail_logs(view).named(*EVENTS), from_event)
        .snapshots(view, SOURCE, from_snapshot)
    )


@dataclass(frozen=True)
class Production:
    """Which instances the scope's `aws.production` makes production, by account or by a tag the evidence shows."""

    spec: ProductionSpec
    tagged: dict[str, str]  # ARN -> the production tag it carried
    near: dict[str, str]  # ARN -> a tag equal to a production one only when case and spaces are ignored

    def __contains__(self, arn: str) -> bool:
        return arn in self.tagged or arn.split(":")[4] in self.spec.accounts

    def near_miss(self, arn: str) -> str | None:
        return None if arn in self else self.near.get(arn)


def tag_sightings(view: EvidenceView) -> Iterator[tuple[str, object]]:
    """(ARN, tags) from every snapshot, Config item and CreateDBInstance/AddTagsToResource event."""
    for entry in [*view.earlier_entries(SOURCE), *view.entries(SOURCE)]:
        for instance in view.read_json(entry).get("instances", []):
            yield instance["DBInstanceArn"], instance.get("TagList")
    for item in config_items(view, CONFIG_TYPE):
        yield item_arn(item), pick(item.configuration, "tagList")
    for event in cloudtrail_logs(view).named(*TAG_EVENTS):
        arn = str(pick(event.parameters, "resourceName")) if event.name == "AddTagsToResource" else event_arn(event)
        yield arn, pick(event.parameters, "tags")


def production(view: EvidenceView, scope: Scope) -> Production:
    spec = scope.aws.production
    tagged: dict[str, str] = {}
    near: dict[str, str] = {}
    for arn, tags in tag_sightings(view):
        match, miss = production_tag(tags, spec)
        if match:
            tagged.setdefault(arn, match)
        elif miss:
            near.setdefault(arn, miss)
    return Production(spec, tagged, near)


@dataclass(frozen=True)
class ProductionRows:
    chosen: Production
    rows: list[Row]  # the production instances' rows of the setting
    near_misses: list[Row]  # no-evidence rows over each near miss's lifetime
    inventory: Inventory  # the instances in scope, from which the production ones were chosen

    def dataset(self, fact: str) -> pd.DataFrame:
        """The frame of the setting's rows and the near misses, their verdict the yes/no fact `fact`."""
        return self.facts_frame(named(self.rows, fact), production_facts(fact))

    def facts_frame(self, rows: list[Row], facts: dict[str, str]) -> pd.DataFrame:
        """The frame of `rows` (BCK-01's, judged on more than the setting) and the near misses, whose facts are
        all null: `facts` are the dataset's columns besides `production`."""
        chosen = [replace(r, metrics={**r.metrics, "production": True}) for r in rows]
        return frame(chosen + self.near_misses, {**facts, **PRODUCTION}, self.inventory)


def production_rows(view: EvidenceView, scope: Scope, window: Window, setting: Setting) -> ProductionRows:
    """Rows of `setting` for every production instance in scope, the near misses, and the inventory that states
    an empty population: every instance of the scope's accounts and regions in the window, and any of those
    not read."""
    chosen = production(view, scope)
    rows = timelines(view, setting).rows(scope, window, blind=blind_intervals(view, scope, window))
    # A near miss's setting is not judged: the database may not be production at all.
    unsure = "production only if case and spaces are ignored"
    near = [
        Row(r.resource, r.start, r.end, f"tagged {tag}: {unsure}", UNKNOWN, r.evidence)
        for r in rows
        if (tag := chosen.near_miss(r.resource))
    ]
    instances = len({r.resource for r in rows})
    read = len({(e.account, e.region) for e in view.entries(SOURCE)})
    empty = (
        f"0 of {instances} RDS instances in scope are production ({production_rule(chosen.spec)}); "
        f"{SOURCE} was read in every in-scope account and region ({read})."
    )
    inventory = Inventory(empty, unread_places(view, scope, SOURCE))
    return ProductionRows(chosen, [r for r in rows if r.resource in chosen], near, inventory)


def production_facts(fact: str) -> dict[str, str]:
    """The dataset columns of a production-database control: its yes/no fact, and whether the database is
    production (null for a near miss)."""
    return {fact: "boolean", **PRODUCTION}


def production_suite(fact: str, coverage_reason: str, exception_reason: str) -> list[Rule]:
    """The suite of a production-database setting; a near miss's reason comes last, so it names those rows."""
    return [*held_throughout(fact, coverage_reason, exception_reason), NEAR_MISS_RULE]
