"""ENG-ENC-02: EBS default encryption is on in every in-scope account and region, and every RDS database's
storage is encrypted, on every day of W."""

from __future__ import annotations

import pandas as pd

from expectations.aws_state import Seen, Timelines, region_resource, toggles, unread_places
from expectations.cloudtrail_events import cloudtrail_logs
from expectations.config_items import CONFIG_STATE
from expectations.dataset import Inventory, Row, frame
from expectations.eng_cfg_01 import blind_intervals
from expectations.rds_instances import SOURCE as RDS_SOURCE
from expectations.rds_instances import Setting, timelines
from expectations.spec import ControlSpec, NoParameters, Rule, held_throughout
from expectations.state_timeline import named
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-ENC-02"
FACTS = {"encrypted": "boolean"}
SETTINGS = "aws.ec2.settings"
EBS_CHANGES = {
    "EnableEbsEncryptionByDefault": ("pass", "fail"),
    "DisableEbsEncryptionByDefault": ("fail", "pass"),
}
# Encryption is chosen at creation and cannot be changed: only creations, deletions and Config items matter.
STORAGE = Setting(
    "StorageEncrypted", False, lambda on: ("pass", "storage encrypted") if on else ("fail", "storage not encrypted")
)


def ebs_resource(account: str, region: str) -> str:
    return f"{region_resource(account, region)}/ebs-default-encryption"


def ebs_rows(view: EvidenceView, scope: Scope, window: Window) -> list[Row]:
    timelines = Timelines()
    for account in scope.aws.accounts:
        for region in scope.aws.regions:
            timelines.expect(ebs_resource(account.id, region), account.id, region)

    def from_snapshot(body: dict) -> list[Seen]:
        on = body["ebs_encryption_by_default"]
        state, value = ("pass", "EBS default encryption on") if on else ("fail", "EBS default encryption off")
        return [Seen(ebs_resource(body["account"], body["region"]), state, value)]

    timelines.events(
        cloudtrail_logs(view).named(*EBS_CHANGES), toggles(EBS_CHANGES, lambda e: ebs_resource(e.account, e.region))
    )
    return timelines.snapshots(view, SETTINGS, from_snapshot).rows(scope, window)


def build(view: EvidenceView, scope: Scope, window: Window, params: NoParameters) -> pd.DataFrame:
    """The RDS part's inventory is every account and region's instance list: one not read hides databases."""
    rds = timelines(view, STORAGE).rows(scope, window, blind=blind_intervals(view, scope, window))
    instances = len({r.resource for r in rds})
    inventory = Inventory(f"{instances} RDS instances in scope.", unread_places(view, scope, RDS_SOURCE))
    return frame(named(ebs_rows(view, scope, window) + rds, "encrypted"), FACTS, inventory)


def rules(params: NoParameters) -> list[Rule]:
    return held_throughout(
        "encrypted",
        "The evidence does not show whether encryption at rest was on here.",
        "EBS default encryption was off in this region, or this database's storage was not encrypted.",
    )


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=NoParameters,
    sources=(
        "aws.ec2.settings",
        "aws.rds.instances",
        *CONFIG_STATE,
    ),
    facts=FACTS,
    build=build,
    rules=rules,
)
