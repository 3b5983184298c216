"""ENG-ENC-03: automatic rotation is on for every customer managed KMS key that supports it, every day of W.

AWS managed keys are out of scope (AWS rotates them); so are keys without automatic rotation in KMS
(asymmetric, HMAC, imported or custom key store material). A key scheduled for deletion leaves the scope.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from pydantic import Field

from expectations.aws_state import Seen, Timelines, pick, toggles
from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.dataset import frame
from expectations.spec import ControlSpec, Parameters, Rule, held_throughout
from expectations.state_timeline import named
from socready.evidence.aws_formats import rotatable
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-ENC-03"
FACTS = {"rotation_enabled": "boolean"}
KEYS = "aws.kms.keys"
ROTATION_CHANGES = {"EnableKeyRotation": ("pass", "fail"), "DisableKeyRotation": ("fail", "pass")}
EVENTS = (*ROTATION_CHANGES, "CreateKey", "ScheduleKeyDeletion", "CancelKeyDeletion")


class EngEnc03Parameters(Parameters):
    creation_grace_hours: float = Field(
        default=1.0,
        description="a key created without rotation and fixed within this many hours is compliant from its creation",
    )


def key_arn(account: str, region: str, reference: str) -> str:
    """Key events name a key by id or ARN."""
    return reference if reference.startswith("arn:") else f"arn:aws:kms:{region}:{account}:key/{reference}"


def event_key(event: TrailEvent) -> str:
    return key_arn(event.account, event.region, str(pick(event.parameters, "keyId", "")))


def from_event(event: TrailEvent) -> list[Seen]:
    if event.name in ROTATION_CHANGES:
        return toggles(ROTATION_CHANGES, event_key)(event)
    if event.name == "ScheduleKeyDeletion":
        return [Seen(event_key(event), "absent", f"scheduled for deletion by {event.actor}")]
    if event.name == "CancelKeyDeletion":
        # The key is back (disabled); its rotation setting is not in the event, so unknown until next seen.
        return [Seen(event_key(event), "unknown", f"deletion cancelled by {event.actor}; rotation not shown")]
    metadata = pick(event.details, "keyMetadata") or {}
    params = event.parameters
    if not rotatable(pick(params, "keySpec") or pick(params, "customerMasterKeySpec"), pick(params, "origin")):
        return []
    arn = key_arn(event.account, event.region, str(pick(metadata, "arn") or pick(metadata, "keyId", "")))
    # New keys do not rotate until rotation is enabled.
    return [Seen(arn, "fail", f"created without rotation by {event.actor}", before="absent")]


def from_snapshot(body: dict) -> list[Seen]:
    seen = []
    for key in body.get("keys", []):
        if not rotatable(key.get("KeySpec"), key.get("Origin")):
            continue
        if key.get("KeyState") == "PendingDeletion":
            seen.append(Seen(key["Arn"], "absent", "pending deletion"))
        elif key.get("RotationEnabled") is None:
            seen.append(Seen(key["Arn"], "unknown", f"rotation not readable in key state {key.get('KeyState')}"))
        else:
            on = key["RotationEnabled"]
            seen.append(Seen(key["Arn"], "pass" if on else "fail", "rotation on" if on else "rotation off"))
    return seen


def build(view: EvidenceView, scope: Scope, window: Window, params: EngEnc03Parameters) -> pd.DataFrame:
    timelines = Timelines().events(cloudtrail_logs(view).named(*EVENTS), from_event)
    timelines.snapshots(view, KEYS, from_snapshot)
    grace = timedelta(hours=params.creation_grace_hours)
    return frame(named(timelines.rows(scope, window, creation_grace=grace), "rotation_enabled"), FACTS)


def rules(params: EngEnc03Parameters) -> list[Rule]:
    return held_throughout(
        "rotation_enabled",
        "The evidence does not show whether automatic rotation was on for this key.",
        "Automatic rotation was off for this customer managed key.",
    )


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngEnc03Parameters,
    sources=("aws.kms.keys", "aws.cloudtrail.logs"),
    facts=FACTS,
    build=build,
    rules=rules,
)
