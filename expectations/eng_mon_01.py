"""ENG-MON-01: GuardDuty is enabled in every in-scope account and region on every day of W."""

from __future__ import annotations

import pandas as pd

from expectations.aws_state import Seen, Timelines, pick, region_resource
from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.dataset import frame
from expectations.spec import ControlSpec, NoParameters, Rule, held_throughout
from expectations.state_timeline import named
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-MON-01"
FACTS = {"guardduty_enabled": "boolean"}
DETECTORS = "aws.guardduty.detectors"
EVENTS = ("CreateDetector", "DeleteDetector", "UpdateDetector")


def from_event(event: TrailEvent) -> list[Seen]:
    """A region has at most one detector: creating one (enabled by default) turns GuardDuty on, deleting it
    turns it off, and UpdateDetector with `enable` switches it."""
    where = region_resource(event.account, event.region)
    if event.name == "DeleteDetector":
        enable = False
    elif event.name == "CreateDetector":
        enable = pick(event.parameters, "enable", True)
    else:
        enable = pick(event.parameters, "enable")
    if enable is None:
        return []  # an update of other settings
    state, before = ("pass", "fail") if enable else ("fail", "pass")
    return [Seen(where, state, f"{event.name} (enable={str(enable).lower()}) by {event.actor}", before=before)]


def from_snapshot(body: dict) -> list[Seen]:
    detectors = body.get("detectors", [])
    enabled = [d["DetectorId"] for d in detectors if d.get("Status") == "ENABLED"]
    if enabled:
        state, value = "pass", "detector enabled"
    else:
        state, value = "fail", "detector suspended" if detectors else "no detector"
    return [Seen(region_resource(body["account"], body["region"]), state, value)]


def build(view: EvidenceView, scope: Scope, window: Window, params: NoParameters) -> pd.DataFrame:
    timelines = Timelines()
    for account in scope.aws.accounts:
        for region in scope.aws.regions:
            timelines.expect(region_resource(account.id, region), account.id, region)
    timelines.events(cloudtrail_logs(view).named(*EVENTS), from_event).snapshots(view, DETECTORS, from_snapshot)
    return frame(named(timelines.rows(scope, window), "guardduty_enabled"), FACTS)


def rules(params: NoParameters) -> list[Rule]:
    return held_throughout(
        "guardduty_enabled",
        "The evidence does not show whether GuardDuty was enabled in this account and region.",
        "GuardDuty was not enabled in this account and region.",
    )


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=NoParameters,
    sources=("aws.guardduty.detectors", "aws.cloudtrail.logs"),
    facts=FACTS,
    build=build,
    rules=rules,
)
