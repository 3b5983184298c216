"""ENG-IAM-04: each account's IAM password policy meets the baseline (catalog parameters) every day.

Baseline parameters: min_length, require_symbols, require_numbers, require_uppercase, require_lowercase,
max_age_days (the longest allowed password age; 0 = expiry not required) and reuse_prevention (passwords
remembered). An account without a policy gets IAM's default (8 characters, no expiry, no reuse prevention),
below any useful baseline. UpdateAccountPasswordPolicy sets the whole policy (omitted fields take IAM's
defaults) and DeleteAccountPasswordPolicy removes it; neither event says what the policy was before, so the
days before an account's first change are known only from a snapshot or an earlier change.
"""

from __future__ import annotations

import pandas as pd
from pydantic import Field

from expectations.aws_state import Seen, Timelines, pick
from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.dataset import frame
from expectations.iam_timeline import home_region, unlogged_accounts
from expectations.spec import ControlSpec, Parameters, Rule, held_throughout
from expectations.state_timeline import State
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-IAM-04"
METRICS = {"compliant": "boolean"}
ACCOUNT = "aws.iam.account"
EVENTS = ("UpdateAccountPasswordPolicy", "DeleteAccountPasswordPolicy")
IAM_DEFAULT_LENGTH = 8
REQUIREMENTS = (  # parameter, policy field, what a shortfall is called
    ("require_symbols", "RequireSymbols", "symbols"),
    ("require_numbers", "RequireNumbers", "numbers"),
    ("require_uppercase", "RequireUppercaseCharacters", "uppercase"),
    ("require_lowercase", "RequireLowercaseCharacters", "lowercase"),
)


class EngIam04Parameters(Parameters):
    min_length: int = Field(default=14, description="minimum password length")
    require_symbols: bool = Field(default=True, description="the policy must require a symbol")
    require_numbers: bool = Field(default=True, description="the policy must require a number")
    require_uppercase: bool = Field(default=True, description="the policy must require an uppercase letter")
    require_lowercase: bool = Field(default=True, description="the policy must require a lowercase letter")
    max_age_days: int = Field(default=90, description="passwords must expire within this many days")
    reuse_prevention: int = Field(
        default=24, description="the policy must prevent reuse of at least this many previous passwords"
    )


def shortfalls(policy: dict | None, params: dict) -> list[str]:
    """What the policy lacks against the baseline, in a fixed order; empty when it meets it."""
    if policy is None:
        return ["no password policy: IAM defaults apply"]
    found = []
    length = int(pick(policy, "MinimumPasswordLength") or IAM_DEFAULT_LENGTH)
    if length < params.min_length:
        found.append(f"minimum length {length}")
    found += [
        f"{name} not required"
        for param, field, name in REQUIREMENTS
        if getattr(params, param) and not pick(policy, field)
    ]
    max_age, age = params.max_age_days, int(pick(policy, "MaxPasswordAge") or 0)
    if max_age and not 0 < age <= max_age:
        found.append(f"maximum age {age or 'none'}")
    reuse = int(pick(policy, "PasswordReusePrevention") or 0)
    if reuse < params.reuse_prevention:
        found.append(f"reuse prevention {reuse}")
    return found


def judge(policy: dict | None, params: dict) -> tuple[State, str]:
    missing = shortfalls(policy, params)
    return ("fail", "; ".join(missing)) if missing else ("pass", "meets the baseline")


def from_event(event: TrailEvent, params: dict, home: str) -> list[Seen]:
    policy = event.parameters if event.name == "UpdateAccountPasswordPolicy" else None
    state, value = judge(policy, params)
    return [Seen(f"account/{event.account}", state, f"{value} ({event.name} by {event.actor})", region=home)]


def build(view: EvidenceView, scope: Scope, window: Window, params: EngIam04Parameters) -> pd.DataFrame:
    home = home_region(scope)
    timelines = Timelines()
    for account in scope.aws.accounts:
        timelines.expect(f"account/{account.id}", account.id, home)
    timelines.snapshots(
        view,
        ACCOUNT,
        lambda body: [Seen(f"account/{body['account']}", *judge(body["password_policy"], params), region=home)],
    )
    timelines.events(cloudtrail_logs(view).named(*EVENTS), lambda event: from_event(event, params, home))
    return frame(timelines.rows(scope, window) + unlogged_accounts(view, scope, window, compliant=None), METRICS)


def rules(params: EngIam04Parameters) -> list[Rule]:
    return held_throughout(
        "compliant",
        "The evidence does not show whether the password policy met the baseline.",
        "The account's password policy was below the baseline.",
    )


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngIam04Parameters,
    sources=("aws.iam.account", "aws.cloudtrail.logs"),
    facts=METRICS,
    build=build,
    rules=rules,
)
