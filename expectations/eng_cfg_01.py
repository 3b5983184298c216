"""ENG-CFG-01: the AWS Config recorder records in every in-scope account and region, every day of W.

Also the source of "blind" intervals: while a recorder was off, other state controls that read Config
history have no evidence for that account and region; while it was on but no history was delivered to any
configured location, they have none either (an empty location is a missing record, not "nothing changed").
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from expectations.cloudtrail_events import cloudtrail_logs
from expectations.config_items import history_reads
from expectations.dataset import Row, frame
from expectations.spec import ControlSpec, NoParameters, Rule, held_throughout
from expectations.state_timeline import HOLDS, Blind, Observation, before_joining, named, state_rows
from socready.evidence.view import EvidenceView
from socready.intervals import merge, subtract
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-CFG-01"
FACTS = {"recording": "boolean"}
RECORDERS = "aws.config.recorders"
CHANGES = {
    "StopConfigurationRecorder": ("fail", "pass"),
    "StartConfigurationRecorder": ("pass", "fail"),
    "DeleteConfigurationRecorder": ("fail", "pass"),
}


def recorder_observations(view: EvidenceView) -> dict[tuple[str, str], list[Observation]]:
    """(account, region) -> observations: recorder status snapshots (this and earlier runs) and change events."""
    found: dict[tuple[str, str], list[Observation]] = defaultdict(list)
    for entry in [*view.earlier_entries(RECORDERS), *view.entries(RECORDERS)]:
        body = view.read_json(entry)
        recording = any(s.get("recording") for s in body.get("status", []))
        seen = "recording" if recording else ("recorder stopped" if body.get("recorders") else "no recorder")
        found[(entry.account or "", entry.region or "")].append(
            Observation(
                entry.collected_at,
                "pass" if recording else "fail",
                seen,
                entry.sha256,
                blindable=False,
                kind="snapshot",
            )
        )
    for event in cloudtrail_logs(view).named(*CHANGES):
        after, before = CHANGES[event.name]
        found[(event.account, event.region)].append(
            Observation(event.time, after, f"{event.name} by {event.actor}", event.evidence, before, blindable=False)
        )
    return found


def blind_intervals(view: EvidenceView, scope: Scope, window: Window) -> dict[tuple[str, str], list[Blind]]:
    """(account, region) -> when the recorder was not recording (or unknown), and when it was but the configured
    locations held no Config history for it: Config-derived state is blind there."""
    observations, reads = recorder_observations(view), history_reads(view)
    blind = {}
    for account in scope.aws.accounts:
        for region in scope.aws.regions:
            rows = state_rows("", observations[(account.id, region)], window.start_utc, window.evaluated_end_utc)
            off = merge((r.start, r.end) for r in rows if r.metrics[HOLDS] is not True)
            gaps = [Blind(start, end) for start, end in off]
            read = reads.get((account.id, region))
            if read is not None and read.missing:
                value = f"no AWS Config history files under {', '.join(read.empty)} while the recorder was on"
                recording = subtract([(window.start_utc, window.evaluated_end_utc)], off)
                gaps += [Blind(start, end, value, snapshots=True) for start, end in recording]
            blind[(account.id, region)] = gaps
    return blind


def build(view: EvidenceView, scope: Scope, window: Window, params: NoParameters) -> pd.DataFrame:
    observations = recorder_observations(view)
    rows: list[Row] = []
    for account in scope.aws.accounts:
        for region in scope.aws.regions:
            resource = f"account/{account.id}/region/{region}"
            found = state_rows(resource, observations[(account.id, region)], window.start_utc, window.evaluated_end_utc)
            rows += before_joining(found, account.joined, window.start_utc)
    return frame(named(rows, "recording"), FACTS)


def rules(params: NoParameters) -> list[Rule]:
    return held_throughout(
        "recording",
        "The evidence does not show whether the AWS Config recorder was recording.",
        "The AWS Config recorder was not recording in this account and region.",
    )


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=NoParameters,
    sources=("aws.config.recorders", "aws.cloudtrail.logs"),
    facts=FACTS,
    build=build,
    rules=rules,
)
