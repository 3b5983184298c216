"""ENG-IAM-02: no user with a console password and no MFA beyond the grace period, no console sign-in without MFA.

The grace period (`grace_hours`) is applied by the verdict: a deviation no longer than it is tolerated and
listed apart. A sign-in without MFA spans from the start of the user's MFA state at that moment to the
sign-in, so a sign-in made to enrol MFA within the grace period of a new password is tolerated with it, and
any other one is an exception.
"""

from __future__ import annotations

import pandas as pd
from pydantic import Field

from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.dataset import Row, frame
from expectations.iam_timeline import Aspect, any_true, combine, event_span, unlogged_accounts
from expectations.iam_users import credentials, owner, user_resource
from expectations.spec import ControlSpec, Rule, WithGrace, rule, where
from expectations.state_timeline import HOLDS
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-IAM-02"
# `check` says which condition a row is about: a user's MFA over a span, or one console sign-in.
METRICS = {"check": "string", "mfa": "boolean", "signin_mfa": "boolean"}


class EngIam02Parameters(WithGrace):
    grace_hours: float = Field(
        default=24.0,
        description=(
            "a console user without MFA for no longer than this (time to enrol) is listed apart, not an exception"
        ),
    )


def signed_in_without_mfa(event: TrailEvent, accounts: set[str], window: Window) -> bool:
    return (
        event.identity_type == "IAMUser"
        and event.account in accounts
        and window.contains(event.time)
        and event.details.get("ConsoleLogin") != "Failure"
        and event.details.get("MFAUsed") != "Yes"
    )


def signin_rows(view: EvidenceView, scope: Scope, window: Window, users: list[Row]) -> list[Row]:
    accounts = {a.id for a in scope.aws.accounts}
    rows = []
    for event in cloudtrail_logs(view).named("ConsoleLogin"):
        if not signed_in_without_mfa(event, accounts, window):
            continue
        user = user_resource(event.account, event.actor)
        state = next((r for r in users if r.resource == user and r.start <= event.time < r.end), None)
        end = event_span(event.time)[1]
        seen = f"ConsoleLogin at {event.time:%Y-%m-%dT%H:%M:%SZ} with MFAUsed {event.details.get('MFAUsed', 'unset')}"
        metrics = {"check": "signin", "signin_mfa": False}
        rows.append(Row(user, state.start if state else window.start_utc, end, seen, metrics, (event.evidence,)))
    return rows


def build(view: EvidenceView, scope: Scope, window: Window, params: EngIam02Parameters) -> pd.DataFrame:
    aspects: dict[str, list[Row]] = {}
    kept = credentials(view, scope).timelines.rows(scope, window, keep=lambda r: r.endswith(("|password", "|mfa")))
    for row in kept:
        aspects.setdefault(row.resource, []).append(row)
    users: list[Row] = []
    for user in sorted({owner(a) for a in aspects}):
        # Compliant while the user has no console password, or has MFA; MFA unknown with a password is unknown.
        either = [Aspect(aspects.get(f"{user}|password", [])), Aspect(aspects.get(f"{user}|mfa", []), None)]
        users += combine(user, either, any_true)
    rows = [
        Row(r.resource, r.start, r.end, r.value, {"check": "user", "mfa": r.metrics[HOLDS]}, r.evidence) for r in users
    ]
    rows += unlogged_accounts(view, scope, window, check="user", mfa=None)
    return frame(rows + signin_rows(view, scope, window, users), METRICS)


def rules(params: EngIam02Parameters) -> list[Rule]:
    return [
        rule(
            "ExpectColumnValuesToNotBeNull",
            "coverage",
            "The evidence does not show whether this console user had MFA.",
            column="mfa",
            **where('check=="user"'),
        ),
        rule(
            "ExpectColumnValuesToBeInSet",
            "exception",
            "A user with a console password had no MFA device beyond the grace period.",
            column="mfa",
            value_set=[True],
        ),
        rule(
            "ExpectColumnValuesToBeInSet",
            "exception",
            "A user signed in to the console without MFA.",
            column="signin_mfa",
            value_set=[True],
        ),
    ]


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngIam02Parameters,
    sources=("aws.iam.credential_report", "aws.iam.users", "aws.cloudtrail.logs"),
    facts=METRICS,
    build=build,
    rules=rules,
)
