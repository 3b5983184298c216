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
from expectations.spec import ControlSpec, Parameters, Rule, always, at_least, held_throughout, rule
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-IAM-04"
# The policy's settings, all null where the account has no policy (IAM's defaults then apply, below any baseline).
FACTS = {
    "password_policy": "boolean",
    "min_length": "Int64",
    "require_symbols": "boolean",
    "require_numbers": "boolean",
    "require_uppercase": "boolean",
    "require_lowercase": "boolean",
    "max_age_days": "Int64",  # 0: passwords never expire
    "reuse_prevention": "Int64",
}
ACCOUNT = "aws.iam.account"
EVENTS = ("UpdateAccountPasswordPolicy", "DeleteAccountPasswordPolicy")
IAM_DEFAULT_LENGTH = 8
REQUIREMENTS = (  # parameter and fact, policy field, what a shortfall is called
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


def shortfalls(policy: dict | None, params: EngIam04Parameters) -> list[str]:
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


def settings(policy: dict | None) -> dict[str, object]:
    """The policy's settings as the dataset's facts; an unset field is IAM's default (length 8, no requirement,
    no expiry, no reuse prevention)."""
    if policy is None:
        return {"password_policy": False}
    return {
        "password_policy": True,
        "min_length": int(pick(policy, "MinimumPasswordLength") or IAM_DEFAULT_LENGTH),
        **{param: bool(pick(policy, field)) for param, field, _ in REQUIREMENTS},
        "max_age_days": int(pick(policy, "MaxPasswordAge") or 0),
        "reuse_prevention": int(pick(policy, "PasswordReusePrevention") or 0),
    }


def seen(account: str, policy: dict | None, params: EngIam04Parameters, home: str, by: str = "") -> Seen:
    """The policy's settings, and its shortfalls against the baseline as the value the owner reads."""
    missing = shortfalls(policy, params)
    state, value = ("fail", "; ".join(missing)) if missing else ("pass", "meets the baseline")
    return Seen(f"account/{account}", state, value + by, region=home, facts=settings(policy))


def from_event(event: TrailEvent, params: EngIam04Parameters, home: str) -> Seen:
    policy = event.parameters if event.name == "UpdateAccountPasswordPolicy" else None
    return seen(event.account, policy, params, home, f" ({event.name} by {event.actor})")


def build(view: EvidenceView, scope: Scope, window: Window, params: EngIam04Parameters) -> pd.DataFrame:
    home = home_region(scope)
    timelines = Timelines()
    for account in scope.aws.accounts:
        timelines.expect(f"account/{account.id}", account.id, home)
    timelines.snapshots(
        view,
        ACCOUNT,
        lambda body: [seen(body["account"], body["password_policy"], params, home)],
    )
    timelines.events(cloudtrail_logs(view).named(*EVENTS), lambda event: [from_event(event, params, home)])
    return frame(timelines.rows(scope, window) + unlogged_accounts(view, scope, window), FACTS)


def rules(params: EngIam04Parameters) -> list[Rule]:
    """Each setting against the baseline; every shortfall is the same exception, as the value lists them."""
    below = "The account's password policy was below the baseline."
    found = [
        *held_throughout(
            "password_policy", "The evidence does not show whether the password policy met the baseline.", below
        ),
        at_least("min_length", params.min_length, below),
        *(always(param, below) for param, _, _ in REQUIREMENTS if getattr(params, param)),
    ]
    if params.max_age_days:
        found.append(
            rule(
                "ExpectColumnValuesToBeBetween",
                "exception",
                below,
                column="max_age_days",
                min_value=1,
                max_value=params.max_age_days,
            )
        )
    return [*found, at_least("reuse_prevention", params.reuse_prevention, below)]


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngIam04Parameters,
    sources=("aws.iam.account", "aws.cloudtrail.logs"),
    facts=FACTS,
    build=build,
    rules=rules,
)
