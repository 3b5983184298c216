"""ENG-IAM-07: no IAM user has a full-admin customer-managed or inline policy (Allow Action "*" on Resource "*").

Per user, over the window: whether it exists, each inline policy's document, each customer-managed policy it
has attached; per customer-managed policy, its default version's document. Sources: `aws.iam.users` snapshots,
AWS Config AWS::IAM::User and AWS::IAM::Policy items (blind while the home region's recorder was off), and the
IAM events that change them. AWS-managed policies (AdministratorAccess) are outside this control.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial

import pandas as pd

from expectations.aws_state import Seen, Timelines, as_list, pick
from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.config_items import CONFIG_STATE
from expectations.dataset import Row, frame
from expectations.eng_cfg_01 import blind_intervals
from expectations.iam_timeline import (
    Aspect,
    all_true,
    any_true,
    combine,
    config_before_end,
    document,
    home_region,
    statements,
    unlogged_accounts,
    user_of,
)
from expectations.iam_users import USERS, user_resource
from expectations.spec import ControlSpec, NoParameters, Rule, covered, never
from expectations.state_timeline import State, named
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-IAM-07"
FACT = "full_admin_policy"
FACTS = {FACT: "boolean"}
AWS_MANAGED = "arn:aws:iam::aws:policy/"
USER_EVENTS = ("CreateUser", "DeleteUser", "AttachUserPolicy", "DetachUserPolicy", "PutUserPolicy", "DeleteUserPolicy")
POLICY_EVENTS = ("CreatePolicy", "CreatePolicyVersion", "SetDefaultPolicyVersion", "DeletePolicy")


def full_admin(policy: dict | None) -> bool | None:
    """Any statement allowing every action ("*") on every resource ("*"); None when the document is unknown."""
    if policy is None:
        return None
    return any(
        pick(s, "Effect") == "Allow"
        and {"*", "*:*"} & set(as_list(pick(s, "Action")))
        and "*" in as_list(pick(s, "Resource"))
        for s in statements(policy)
    )


def judged(policy: dict | None, name: str) -> tuple[State, str]:
    admin = full_admin(policy)
    if admin is None:
        return "unknown", f"{name}: document not shown"
    return ("fail", f"{name} allows every action on every resource") if admin else ("pass", f"{name}: not full admin")


@dataclass(frozen=True)
class Whole:
    """A user's whole policy set at one time (snapshot or Config item)."""

    user: str
    attached: frozenset[str]
    inline: dict[str, dict | None]
    where: dict  # Timelines.add keywords: time, evidence, blindable, kind
    created: bool = False
    deleted: bool = False


@dataclass
class Policies:
    timelines: Timelines = field(default_factory=Timelines)
    attached: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # user -> ARNs ever attached
    inline: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # user -> inline names ever seen


def wholes(view: EvidenceView, window: Window) -> Iterator[tuple[str, Whole]]:
    """(account, whole policy set) from snapshots and Config items."""
    for entry in [*view.earlier_entries(USERS), *view.entries(USERS)]:
        where = {"time": entry.collected_at, "evidence": entry.sha256, "blindable": False, "kind": "snapshot"}
        for user in view.read_json(entry)["users"]:
            attached = frozenset(p["PolicyArn"] for p in user.get("AttachedPolicies") or [])
            inline = {p["PolicyName"]: document(p.get("PolicyDocument")) for p in user.get("InlinePolicies") or []}
            yield (
                entry.account or "",
                Whole(user_resource(entry.account or "", user["UserName"]), attached, inline, where),
            )
    for item in config_before_end(view, "AWS::IAM::User", window):
        where = {"time": item.time, "evidence": item.evidence, "blindable": True, "kind": "change"}
        config, user = item.configuration, user_resource(item.account, item.name)
        if item.deleted:
            yield item.account, Whole(user, frozenset(), {}, where, deleted=True)
            continue
        attached = frozenset(pick(p, "policyArn") for p in as_list(pick(config, "attachedManagedPolicies")))
        inline = {
            pick(p, "policyName"): document(pick(p, "policyDocument")) for p in as_list(pick(config, "userPolicyList"))
        }
        yield item.account, Whole(user, attached, inline, where, created=item.status == "ResourceDiscovered")


def from_whole(found: Policies, account: str, whole: Whole, home: str) -> None:
    """Every aspect of the user this set shows: the policies it lists, and the absence of the others."""
    add = partial(found.timelines.add, account=account, region=home, **whole.where)
    before = "absent" if whole.created else None
    add(Seen(f"{whole.user}|user", "absent" if whole.deleted else "pass", "IAM user", before))
    for arn in found.attached[whole.user]:
        attached = arn in whole.attached and not whole.deleted
        add(Seen(f"{whole.user}|attach|{arn}", "fail" if attached else "absent", f"{arn} attached", before))
    for name in found.inline[whole.user]:
        if name in whole.inline and not whole.deleted:
            add(Seen(f"{whole.user}|inline|{name}", *judged(whole.inline[name], f"inline policy {name}"), before))
        else:
            add(Seen(f"{whole.user}|inline|{name}", "absent", f"no inline policy {name}"))


def from_user_event(event: TrailEvent, found: Policies, home: str) -> list[Seen]:
    name = user_of(event)
    if name is None:
        return []
    user, by, params = user_resource(event.account, name), f"{event.name} by {event.actor}", event.parameters
    where = {"account": event.account, "region": home}
    if event.name in ("CreateUser", "DeleteUser"):
        # A new user has no policies; a user is deleted only once its policies are gone.
        created = event.name == "CreateUser"
        policies = [f"{user}|attach|{arn}" for arn in found.attached[user]]
        policies += [f"{user}|inline|{policy}" for policy in found.inline[user]]
        return [
            Seen(f"{user}|user", "pass" if created else "absent", by, "absent" if created else "pass", **where),
            *(Seen(aspect, "absent", by, **where) for aspect in policies),
        ]
    arn, policy = str(pick(params, "policyArn", "")), str(pick(params, "policyName", ""))
    change = {
        # Attaching an attached policy is not refused, so an attach does not show it was detached before.
        "AttachUserPolicy": Seen(f"{user}|attach|{arn}", "fail", f"{arn} attached ({by})", **where),
        "DetachUserPolicy": Seen(f"{user}|attach|{arn}", "absent", by, "fail", **where),
        "PutUserPolicy": Seen(
            f"{user}|inline|{policy}",
            *judged(document(pick(params, "policyDocument")), f"inline policy {policy} ({by})"),
            **where,
        ),
        "DeleteUserPolicy": Seen(f"{user}|inline|{policy}", "absent", by, **where),
    }[event.name]
    return [change, Seen(f"{user}|user", "pass", "IAM user", "pass", **where)]  # the user existed to be changed


def policy_timelines(view: EvidenceView, window: Window, home: str, found: Timelines) -> None:
    """Each customer-managed policy's default document over time; versions' documents are remembered so that
    SetDefaultPolicyVersion can be judged."""
    versions: dict[tuple[str, str], dict | None] = {}
    for entry in [*view.earlier_entries(USERS), *view.entries(USERS)]:
        where = {"time": entry.collected_at, "evidence": entry.sha256, "blindable": False, "kind": "snapshot"}
        for policy in view.read_json(entry)["policies"]:
            doc = document(policy.get("Document"))
            versions[(policy["Arn"], policy["DefaultVersionId"])] = doc
            found.add(
                Seen(policy["Arn"], *judged(doc, f"policy {policy['PolicyName']}")), entry.account or "", home, **where
            )
    for item in config_before_end(view, "AWS::IAM::Policy", window):
        arn = pick(item.configuration, "arn") or item.resource_id
        where = {"time": item.time, "evidence": item.evidence, "blindable": True}
        if item.deleted:
            found.add(Seen(arn, "absent", "deleted"), item.account, home, **where)
            continue
        default = None
        for version in as_list(pick(item.configuration, "policyVersionList")):
            doc = document(pick(version, "document"))
            versions[(arn, pick(version, "versionId"))] = doc
            default = doc if pick(version, "isDefaultVersion") else default
        before = "absent" if item.status == "ResourceDiscovered" else None
        found.add(Seen(arn, *judged(default, f"policy {item.name}"), before), item.account, home, **where)
    for event in cloudtrail_logs(view).named(*POLICY_EVENTS):
        params, by = event.parameters, f"{event.name} by {event.actor}"
        arn = str(pick(params, "policyArn") or pick(pick(event.details, "policy"), "arn") or "")
        where = {"time": event.time, "evidence": event.evidence, "blindable": False}
        doc = document(pick(params, "policyDocument"))
        version = pick(pick(event.details, "policyVersion"), "versionId") or (
            "v1" if event.name == "CreatePolicy" else ""
        )
        if doc is not None:
            versions[(arn, version)] = doc
        if event.name == "DeletePolicy":
            found.add(Seen(arn, "absent", by), event.account, home, **where)
        elif event.name == "CreatePolicy":
            found.add(
                Seen(arn, *judged(doc, f"policy {pick(params, 'policyName')} ({by})"), "absent"),
                event.account,
                home,
                **where,
            )
        elif event.name == "SetDefaultPolicyVersion" or str(pick(params, "setAsDefault")).lower() == "true":
            chosen = versions.get((arn, str(pick(params, "versionId") or version)))
            found.add(Seen(arn, *judged(chosen, f"default version ({by})")), event.account, home, **where)


def build(view: EvidenceView, scope: Scope, window: Window, params: NoParameters) -> pd.DataFrame:
    home = home_region(scope)
    found = Policies()
    whole_sets = list(wholes(view, window))
    user_events = cloudtrail_logs(view).named(*USER_EVENTS)
    for _, whole in whole_sets:
        found.attached[whole.user] |= {a for a in whole.attached if not a.startswith(AWS_MANAGED)}
        found.inline[whole.user] |= set(whole.inline)
    for event in user_events:
        if (name := user_of(event)) is None:
            continue
        user = user_resource(event.account, name)
        if (arn := str(pick(event.parameters, "policyArn", ""))) and not arn.startswith(AWS_MANAGED):
            found.attached[user].add(arn)
        if policy := pick(event.parameters, "policyName"):
            found.inline[user].add(str(policy))
    for account, whole in whole_sets:
        from_whole(found, account, whole, home)
    found.timelines.events(
        [e for e in user_events if not str(pick(e.parameters, "policyArn", "")).startswith(AWS_MANAGED)],
        lambda event: from_user_event(event, found, home),
    )
    policy_timelines(view, window, home, found.timelines)
    aspects: dict[str, list[Row]] = defaultdict(list)
    for row in found.timelines.rows(scope, window, blind=blind_intervals(view, scope, window)):
        aspects[row.resource].append(row)
    rows: list[Row] = []
    for user in sorted(u for u in aspects if u.endswith("|user")):
        user = user.removesuffix("|user")
        per_policy = [
            combine(user, [Aspect(aspects[f"{user}|attach|{arn}"]), Aspect(aspects[arn], None)], any_true, primary=True)
            for arn in sorted(found.attached[user])
        ]
        parts = [
            Aspect(aspects[f"{user}|user"], None),
            *(Aspect(aspects[f"{user}|inline|{name}"]) for name in sorted(found.inline[user])),
            *(Aspect(rows_of) for rows_of in per_policy),
        ]
        rows += combine(user, parts, all_true, primary=True)
    return frame(named(rows, FACT, negated=True) + unlogged_accounts(view, scope, window, **{FACT: None}), FACTS)


def rules(params: NoParameters) -> list[Rule]:
    return [
        covered(FACT, "The evidence does not show whether this user had a full-admin policy."),
        never(FACT, "A user had a full-admin customer-managed or inline policy."),
    ]


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=NoParameters,
    sources=(
        "aws.iam.users",
        *CONFIG_STATE,
    ),
    facts=FACTS,
    build=build,
    rules=rules,
)
