"""ENG-LOG-02: every CloudTrail trail has log file validation enabled on every day of the window.

Trails from the trails snapshots (this and earlier runs) and CreateTrail/UpdateTrail/DeleteTrail events. An
UpdateTrail that sets enableLogFileValidation is read as a switch, as ENG-LOG-01 reads StopLogging: the trail
had the other setting before it. An account with no trail at all has no validated log: an exception.
"""

from __future__ import annotations

import great_expectations as gx
import pandas as pd

from expectations.aws_state import Seen, Timelines, pick
from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.dataset import Row, frame
from expectations.eng_log_01 import trail_name
from expectations.iam_timeline import unlogged_accounts
from expectations.runner import held_throughout
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-LOG-02"
METRICS = {"compliant": "boolean"}
TRAILS = "aws.cloudtrail.trails"
EVENTS = ("CreateTrail", "UpdateTrail", "DeleteTrail")


def trail_resource(account: str, name: str) -> str:
    return f"account/{account}/trail/{name}"


def validation(enabled: bool) -> tuple[str, str]:
    return ("pass", "log file validation on") if enabled else ("fail", "log file validation off")


def from_event(event: TrailEvent) -> list[Seen]:
    reference = str(pick(event.parameters, "name", ""))
    # A trail named by ARN (arn:aws:cloudtrail:<region>:<account>:trail/<name>) is homed in the ARN's region.
    region = reference.split(":")[3] if reference.startswith("arn:") else event.region
    resource, by = trail_resource(event.account, trail_name(reference)), f"{event.name} by {event.actor}"
    if event.name == "DeleteTrail":
        return [Seen(resource, "absent", by, region=region)]
    enabled = pick(event.parameters, "enableLogFileValidation")
    if enabled is None:
        return []  # an UpdateTrail of other settings leaves validation as it was
    state, value = validation(bool(enabled))
    before = "absent" if event.name == "CreateTrail" else ("fail" if state == "pass" else "pass")
    return [Seen(resource, state, f"{value} ({by})", before, region=region)]


def from_snapshot(body: dict) -> list[Seen]:
    return [
        Seen(trail_resource(body["account"], t["Name"]), *validation(bool(t.get("LogFileValidationEnabled"))))
        for t in body["trails"]
    ]


def build(view: EvidenceView, scope: Scope, window: Window, params: dict) -> pd.DataFrame:
    timelines = (
        Timelines().snapshots(view, TRAILS, from_snapshot).events(cloudtrail_logs(view).named(*EVENTS), from_event)
    )
    rows = timelines.rows(scope, window)
    with_trails = {r.resource.split("/trail/")[0] for r in rows}
    listings = {a.id: tuple(e.sha256 for e in view.entries(TRAILS) if e.account == a.id) for a in scope.aws.accounts}
    rows += [
        Row(
            f"account/{a}",
            window.start_utc,
            window.evaluated_end_utc,
            "no CloudTrail trail",
            {"compliant": False},
            shas,
        )
        for a, shas in listings.items()
        if f"account/{a}" not in with_trails
    ]
    return frame(rows + unlogged_accounts(view, scope, window, compliant=None), METRICS)


def suite(params: dict) -> list[gx.expectations.Expectation]:
    return held_throughout(
        "compliant",
        "The evidence does not show whether log file validation was enabled on this trail.",
        "Log file validation was not enabled on this trail.",
    )
