"""ENG-LOG-02: every CloudTrail trail has log file validation enabled on every day of the window.

Trails from the trails snapshots (this and earlier runs) and CreateTrail/UpdateTrail/DeleteTrail events. An
UpdateTrail that sets enableLogFileValidation is read as a switch, as ENG-LOG-01 reads StopLogging: the trail
had the other setting before it. An account with no trail at all has no validated log: an exception. A member
account of an organization is judged by the organization trail's setting, read in the management account.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from expectations.aws_state import Seen, Timelines, pick
from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.dataset import Row, frame
from expectations.eng_log_01 import Trails, event_arn, read_trails, trail_key
from expectations.iam_timeline import unlogged_accounts
from expectations.spec import ControlSpec, NoParameters, Rule, held_throughout
from expectations.state_timeline import HOLDS, before_joining, named
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-LOG-02"
FACT = "log_file_validation"
FACTS = {FACT: "boolean"}
TRAILS = "aws.cloudtrail.trails"
EVENTS = ("CreateTrail", "UpdateTrail", "DeleteTrail")


def trail_resource(account: str, name: str) -> str:
    return f"account/{account}/trail/{name}"


def validation(enabled: bool) -> tuple[str, str]:
    return ("pass", "log file validation on") if enabled else ("fail", "log file validation off")


def from_event(event: TrailEvent) -> list[Seen]:
    # A trail named by ARN (arn:aws:cloudtrail:<region>:<account>:trail/<name>) is homed in the ARN's region.
    arn = event_arn(event)
    account, name = trail_key(event)
    resource, by = trail_resource(account, name), f"{event.name} by {event.actor}"
    where = {"account": account, "region": arn.split(":")[3]}
    if event.name == "DeleteTrail":
        return [Seen(resource, "absent", by, **where)]
    enabled = pick(event.parameters, "enableLogFileValidation")
    if enabled is None:
        return []  # an UpdateTrail of other settings leaves validation as it was
    state, value = validation(bool(enabled))
    before = "absent" if event.name == "CreateTrail" else ("fail" if state == "pass" else "pass")
    return [Seen(resource, state, f"{value} on {arn} ({by})", before, **where)]


def from_snapshot(body: dict) -> list[Seen]:
    found = []
    for trail in body["trails"]:
        state, value = validation(bool(trail.get("LogFileValidationEnabled")))
        arn = trail.get("TrailARN", trail["Name"])
        found.append(Seen(trail_resource(body["account"], trail["Name"]), state, f"{value} on {arn}"))
    return found


def organization_rows(rows: list[Row], trails: Trails, scope: Scope, window: Window) -> list[Row]:
    """An organization trail's rows again under each member account it logs: the member's logs are validated as
    the trail is, and the row names the trail (in the management account) to fix."""
    copies = []
    for home, name in sorted(trails.organization):
        own = [r for r in rows if r.resource == trail_resource(home, name)]
        for account in scope.aws.accounts:
            if account.id != home and account.id in trails.members:
                mine = [replace(r, resource=trail_resource(account.id, name)) for r in own]
                copies += before_joining(mine, account.joined, window.start_utc)
    return copies


def build(view: EvidenceView, scope: Scope, window: Window, params: NoParameters) -> pd.DataFrame:
    timelines = (
        Timelines().snapshots(view, TRAILS, from_snapshot).events(cloudtrail_logs(view).named(*EVENTS), from_event)
    )
    rows = timelines.rows(scope, window)
    rows += organization_rows(rows, read_trails(view, scope.aws.organization is not None), scope, window)
    with_trails = {r.resource.split("/trail/")[0] for r in rows}
    listings = {a.id: tuple(e.sha256 for e in view.entries(TRAILS) if e.account == a.id) for a in scope.aws.accounts}
    rows += [
        Row(
            f"account/{a}",
            window.start_utc,
            window.evaluated_end_utc,
            "no CloudTrail trail",
            {HOLDS: False},
            shas,
        )
        for a, shas in listings.items()
        if f"account/{a}" not in with_trails
    ]
    return frame(named(rows, FACT) + unlogged_accounts(view, scope, window, **{FACT: None}), FACTS)


def rules(params: NoParameters) -> list[Rule]:
    return held_throughout(
        FACT,
        "The evidence does not show whether log file validation was enabled on this trail.",
        "Log file validation was not enabled on this trail.",
    )


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=NoParameters,
    sources=("aws.cloudtrail.trails", "aws.cloudtrail.logs"),
    facts=FACTS,
    build=build,
    rules=rules,
)
