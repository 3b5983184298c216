"""ENG-IAM-05: no active access key older than the maximum age (default 90 days) on any day of the window.

A key's age runs from its creation: the CreateAccessKey event, else the key's CreateDate in a snapshot (the
credential report's access_key_N_last_rotated says the same). Its active periods come from snapshots and
Create/Update/DeleteAccessKey events (see `expectations.iam_users`). One row set per user: the worst key decides.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta

import pandas as pd
from pydantic import Field

from expectations.dataset import Row, frame
from expectations.iam_timeline import split_at, unlogged_accounts
from expectations.iam_users import Credentials, credentials, owner, per_user
from expectations.spec import ControlSpec, Parameters, Rule, at_most, covered
from expectations.state_timeline import HOLDS
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-IAM-05"
# Both null where a key's state or creation is not shown and no key is known to be too old (no evidence).
FACTS = {
    "active_key": "boolean",  # the user had an active access key within the row
    "oldest_active_key_days": "Float64",  # the oldest age an active key of the user reached within the row
}
DAY = timedelta(days=1)


class EngIam05Parameters(Parameters):
    max_key_age_days: float = Field(
        default=90.0, description="the oldest an active access key may be, in days, on any day"
    )


def aged(row: Row, found: Credentials, max_age: timedelta) -> list[Row]:
    """An active-key row (False) split at the moment the key passes `max_age`; inactive or unknown rows stay."""
    if row.metrics[HOLDS] is not False:
        return [row]
    key, created = found.keys[row.resource], found.created.get(row.resource)
    if created is None:
        return [replace(row, value=f"access key {key.key_id}: creation not shown", metrics={HOLDS: None})]
    active = replace(row, value=f"access key {key.key_id} active, created {created:%Y-%m-%d}")
    return split_at(active, created + max_age, True, False)


Active = tuple[datetime, datetime, datetime]  # (start, end, creation) of an active key's row


def with_ages(row: Row, active: list[Active]) -> Row:
    """A user's row with its facts: whether a key was active and the oldest age an active key reached within the
    row (at the row's end, or the key's deactivation or deletion if sooner); null where the row's verdict was
    left unknown by a key whose state or creation is not shown."""
    if row.metrics[HOLDS] is None:
        return replace(row, metrics={})
    overlapping = [(end, created) for start, end, created in active if start < row.end and row.start < end]
    ages = [(min(end, row.end) - created) / DAY for end, created in overlapping]
    return replace(row, metrics={"active_key": bool(ages), "oldest_active_key_days": max(ages, default=None)})


def build(view: EvidenceView, scope: Scope, window: Window, params: EngIam05Parameters) -> pd.DataFrame:
    max_age = timedelta(days=params.max_key_age_days)
    found = credentials(view, scope)
    keys: dict[str, list[Row]] = defaultdict(list)
    active: dict[str, list[Active]] = defaultdict(list)  # user -> the rows of its active keys of known creation
    for row in found.timelines.rows(scope, window, keep=lambda r: r in found.keys):
        if row.metrics[HOLDS] is False and (created := found.created.get(row.resource)):
            active[owner(row.resource)].append((row.start, row.end, created))
        keys[row.resource] += aged(row, found, max_age)
    users = [with_ages(row, active[row.resource]) for row in per_user(keys)]
    return frame(users + unlogged_accounts(view, scope, window), FACTS)


def rules(params: EngIam05Parameters) -> list[Rule]:
    return [
        covered("active_key", "The evidence does not show the age of this user's active access keys."),
        at_most(
            "oldest_active_key_days",
            params.max_key_age_days,
            "An active access key was older than the maximum key age.",
        ),
    ]


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngIam05Parameters,
    # the credential report too: the users' credentials are parsed once a run from all three (iam_users.py)
    sources=("aws.iam.users", "aws.iam.credential_report", "aws.cloudtrail.logs"),
    facts=FACTS,
    build=build,
    rules=rules,
)
