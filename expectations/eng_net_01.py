"""ENG-NET-01: account-level S3 Block Public Access has all four settings on in every account, every day."""

from __future__ import annotations

import pandas as pd

from expectations.aws_state import Seen, Timelines, pick
from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.dataset import frame
from expectations.spec import ControlSpec, NoParameters, Rule, held_throughout
from expectations.state_timeline import State, named
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-NET-01"
FACTS = {"block_public_access_on": "boolean"}
SOURCE = "aws.s3.account_public_access_block"
SETTINGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
EVENTS = ("PutAccountPublicAccessBlock", "DeleteAccountPublicAccessBlock")


def account_resource(account: str) -> str:
    return f"account/{account}"


def judge(configuration: dict | None) -> tuple[State, str]:
    if not configuration:
        return "fail", "no account-level Block Public Access"
    off = [name for name in SETTINGS if pick(configuration, name) is not True]
    return ("fail", f"off: {', '.join(off)}") if off else ("pass", "all four settings on")


def from_event(event: TrailEvent) -> list[Seen]:
    """What the account had before a Put or Delete is not in the event: no `before`."""
    configuration = pick(event.parameters, "PublicAccessBlockConfiguration")
    state, value = judge(configuration if event.name == "PutAccountPublicAccessBlock" else None)
    return [Seen(account_resource(event.account), state, f"{value} ({event.name} by {event.actor})")]


def build(view: EvidenceView, scope: Scope, window: Window, params: NoParameters) -> pd.DataFrame:
    timelines = Timelines()
    for account in scope.aws.accounts:  # account-wide: filed under the first region for the scope check
        timelines.expect(account_resource(account.id), account.id, scope.aws.regions[0])
    timelines.events(cloudtrail_logs(view).named(*EVENTS), from_event)
    timelines.snapshots(
        view, SOURCE, lambda body: [Seen(account_resource(body["account"]), *judge(body.get("configuration")))]
    )
    return frame(named(timelines.rows(scope, window), "block_public_access_on"), FACTS)


def rules(params: NoParameters) -> list[Rule]:
    return held_throughout(
        "block_public_access_on",
        "The evidence does not show whether account-level S3 Block Public Access was on.",
        "Account-level S3 Block Public Access was not fully on in this account.",
    )


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=NoParameters,
    sources=("aws.s3.account_public_access_block", "aws.cloudtrail.logs"),
    facts=FACTS,
    build=build,
    rules=rules,
)
