"""ENG-LOG-04: the CloudTrail log buckets are not public on any day of the window.

Public means: a bucket policy allowing everyone without a limiting condition while the bucket's public access
block does not restrict public buckets, or an ACL grant to AllUsers/AuthenticatedUsers while it does not ignore
public ACLs. The account-level block (ENG-NET-01) is not counted here: it can only make a bucket less public.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from expectations.aws_state import pick
from expectations.config_items import CONFIG_STATE
from expectations.dataset import frame
from expectations.iam_log_buckets import acl_public, bucket_rows, policy_public
from expectations.iam_timeline import all_true, any_true, unlogged_accounts
from expectations.spec import ControlSpec, NoParameters, Rule, covered, never
from expectations.state_timeline import State, named
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-LOG-04"
FACT = "public"
FACTS = {FACT: "boolean"}


def shown(settings: dict, name: str, read) -> bool | None:
    return read(settings[name]) if name in settings else None


def judge(settings: dict, whole: bool, at: datetime) -> tuple[State, str]:
    private_policy = shown(settings, "policy", lambda p: not policy_public(p))
    private_acl = shown(settings, "grants", lambda g: not acl_public(g))
    restricted = shown(settings, "block", lambda b: pick(b, "RestrictPublicBuckets") is True)
    ignored = shown(settings, "block", lambda b: pick(b, "IgnorePublicAcls") is True)
    private = all_true([any_true([private_policy, restricted]), any_true([private_acl, ignored])])
    value = ", ".join(
        text
        for known, text in (
            (private_policy is False and not restricted, "policy allows everyone"),
            (private_acl is False and not ignored, "ACL grants a public group"),
            (private is None, "policy, ACL or public access block not shown"),
        )
        if known
    )
    return {True: "pass", False: "fail", None: "unknown"}[private], value or "not public"


def build(view: EvidenceView, scope: Scope, window: Window, params: NoParameters) -> pd.DataFrame:
    rows = bucket_rows(view, scope, window, judge)
    return frame(named(rows, FACT, negated=True) + unlogged_accounts(view, scope, window, **{FACT: None}), FACTS)


def rules(params: NoParameters) -> list[Rule]:
    return [
        covered(FACT, "The evidence does not show whether this log bucket was public."),
        never(FACT, "The CloudTrail log bucket was public."),
    ]


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=NoParameters,
    sources=(
        "aws.s3.log_buckets",
        *CONFIG_STATE,
    ),
    facts=FACTS,
    build=build,
    rules=rules,
)
