"""ENG-IAM-03: the root user is not used; each root event in the window is an exception unless an accepted
break-glass exception covers it (scope `exceptions`, resource pattern such as `account/<id>/root/2026-06-10T*`).
"""

from __future__ import annotations

import pandas as pd

from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.dataset import Row, frame
from expectations.iam_timeline import event_span, unlogged_accounts
from expectations.spec import ControlSpec, NoParameters, Rule, covered, never
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-IAM-03"
FACT = "root_used"
FACTS = {FACT: "boolean"}


def root_resource(event: TrailEvent) -> str:
    """One resource per root event, named by its time: an accepted break-glass exception names the session."""
    return f"account/{event.account}/root/{event.time:%Y-%m-%dT%H:%M:%SZ}"


def used_root(event: TrailEvent) -> bool:
    """A failed root sign-in is an attempt, not a use of root."""
    return event.identity_type == "Root" and not (
        event.name == "ConsoleLogin" and event.details.get("ConsoleLogin") == "Failure"
    )


def build(view: EvidenceView, scope: Scope, window: Window, params: NoParameters) -> pd.DataFrame:
    accounts = {a.id for a in scope.aws.accounts}
    rows = [
        Row(root_resource(e), *event_span(e.time), f"{e.name} as root", {FACT: True}, (e.evidence,))
        for e in cloudtrail_logs(view).events
        if e.account in accounts and window.contains(e.time) and used_root(e)
    ]
    return frame(rows + unlogged_accounts(view, scope, window, **{FACT: None}), FACTS)


def rules(params: NoParameters) -> list[Rule]:
    return [
        covered(FACT, "The evidence does not show whether the root user was used in this account."),
        never(FACT, "The root user was used without an accepted break-glass exception."),
    ]


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=NoParameters,
    sources=("aws.cloudtrail.logs",),
    facts=FACTS,
    build=build,
    rules=rules,
)
