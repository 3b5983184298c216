"""ENG-IAM-05: no active access key older than the maximum age (default 90 days) on any day of the window.

A key's age runs from its creation: the CreateAccessKey event, else the key's CreateDate in a snapshot (the
credential report's access_key_N_last_rotated says the same). Its active periods come from snapshots and
Create/Update/DeleteAccessKey events (see `expectations.iam_users`). One row set per user: the worst key decides.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import timedelta

import pandas as pd
from pydantic import Field

from expectations.dataset import Row, frame
from expectations.iam_timeline import split_at, unlogged_accounts
from expectations.iam_users import Credentials, credentials, per_user
from expectations.spec import ControlSpec, Parameters, Rule, held_throughout
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-IAM-05"
METRICS = {"compliant": "boolean"}


class EngIam05Parameters(Parameters):
    max_key_age_days: float = Field(
        default=90.0, description="the oldest an active access key may be, in days, on any day"
    )


def aged(row: Row, found: Credentials, max_age: timedelta) -> list[Row]:
    """An active-key row (False) split at the moment the key passes `max_age`; inactive or unknown rows stay."""
    if row.metrics["compliant"] is not False:
        return [row]
    key, created = found.keys[row.resource], found.created.get(row.resource)
    if created is None:
        return [replace(row, value=f"access key {key.key_id}: creation not shown", metrics={"compliant": None})]
    active = replace(row, value=f"access key {key.key_id} active, created {created:%Y-%m-%d}")
    return split_at(active, created + max_age, True, False)


def build(view: EvidenceView, scope: Scope, window: Window, params: EngIam05Parameters) -> pd.DataFrame:
    max_age = timedelta(days=params.max_key_age_days)
    found = credentials(view, scope)
    keys: dict[str, list[Row]] = defaultdict(list)
    for row in found.timelines.rows(scope, window, keep=lambda r: r in found.keys):
        keys[row.resource] += aged(row, found, max_age)
    return frame(per_user(keys) + unlogged_accounts(view, scope, window, compliant=None), METRICS)


def rules(params: EngIam05Parameters) -> list[Rule]:
    return held_throughout(
        "compliant",
        "The evidence does not show the age of this user's active access keys.",
        "An active access key was older than the maximum key age.",
    )


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngIam05Parameters,
    # the credential report too: the users' credentials are parsed once a run from all three (iam_users.py)
    sources=("aws.iam.users", "aws.iam.credential_report", "aws.cloudtrail.logs"),
    facts=METRICS,
    build=build,
    rules=rules,
)
