"""The CloudTrail log buckets over the window: policy, ACL grants, public access block and lifecycle rules.

Facts come in three shapes, read into one set of settings: `aws.s3.log_buckets` snapshots and AWS Config
AWS::S3::Bucket items show every setting; S3 events change one (PutBucketPolicy, PutBucketAcl, …). A setting
never shown is unknown, so the days before a bucket's first change are known only from a snapshot or a Config
item before it. Log buckets are filed under the scope's home region, whose Config recorder then says when
their Config history is blind.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime

from expectations.aws_state import Fact, Judged, Timelines, as_list, pick
from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.dataset import Row
from expectations.eng_cfg_01 import blind_intervals
from expectations.iam_timeline import config_before_end, document, home_region, statements
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.scope.models import AwsAccount
from socready.window import Window

SOURCE = "aws.s3.log_buckets"
PUBLIC_GROUPS = ("AllUsers", "AuthenticatedUsers")
PUBLIC_CANNED = ("public-read", "public-read-write", "authenticated-read")
# Condition keys that tie an "everyone" statement to known callers or networks: not public (as IAM Access
# Analyzer and S3's own policy status read them).
LIMITING_KEYS = {
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:userid",
}


def bucket_resource(account: str, name: str) -> str:
    return f"account/{account}/bucket/{name}"


def log_buckets(scope: Scope) -> dict[str, str]:
    """Resource of each CloudTrail log bucket in the scope -> the key prefix its logs are under."""
    aws = scope.aws
    return {
        bucket_resource(b.account or aws.accounts[0].id, b.bucket): f"{b.prefix.strip('/')}/AWSLogs/".lstrip("/")
        for b in aws.cloudtrail_logs
    }


def unwrapped(value):
    """Config's supplementary fields hold JSON text, sometimes JSON text of JSON text."""
    while isinstance(value, str) and value.strip():
        value = json.loads(value)
    return value


def grantee_name(grant) -> str:
    """The grantee's group name (AllUsers, …) or URI: API and CloudTrail grants hold Grantee.URI, Config's
    grantList a grantee name or an object."""
    grantee = pick(grant, "grantee") if isinstance(grant, dict) else None
    uri = grantee if isinstance(grantee, str) else pick(grantee, "URI") or ""
    return str(uri).rsplit("/", 1)[-1]


def event_grants(params: dict) -> list:
    canned = [str(c) for c in as_list(pick(params, "x-amz-acl"))]
    if any(c in PUBLIC_CANNED for c in canned):
        return [{"Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AllUsers"}}]
    return as_list(pick(pick(pick(params, "AccessControlPolicy"), "AccessControlList"), "Grant"))


def acl_public(grants) -> bool:
    return any(grantee_name(grant) in PUBLIC_GROUPS for grant in as_list(grants))


def policy_public(policy: dict | None) -> bool:
    """An Allow for every principal without a condition that limits who or where."""
    for statement in statements(policy):
        principal = pick(statement, "Principal")
        everyone = principal == "*" or "*" in as_list(pick(principal, "AWS"))
        keys = {k.lower() for operator in (pick(statement, "Condition") or {}).values() for k in operator}
        if pick(statement, "Effect") == "Allow" and everyone and not keys & LIMITING_KEYS:
            return True
    return False


def lifecycle_rules(params: dict) -> dict:
    """PutBucketLifecycle(Configuration) logs the rules as LifecycleConfiguration.Rule, one rule or a list."""
    return {"rules": as_list(pick(pick(params, "LifecycleConfiguration"), "Rule"))}


EVENTS = {
    "PutBucketPolicy": lambda p: {"policy": document(pick(p, "bucketPolicy"))},
    "DeleteBucketPolicy": lambda p: {"policy": None},
    "PutBucketAcl": lambda p: {"grants": event_grants(p)},
    "PutBucketPublicAccessBlock": lambda p: {"block": pick(p, "PublicAccessBlockConfiguration")},
    "DeleteBucketPublicAccessBlock": lambda p: {"block": None},
    "PutBucketLifecycle": lifecycle_rules,
    "PutBucketLifecycleConfiguration": lifecycle_rules,
    "DeleteBucketLifecycle": lambda p: {"rules": None},
}


def snapshot_facts(view: EvidenceView, home: str) -> Iterator[Fact]:
    for entry in [*view.earlier_entries(SOURCE), *view.entries(SOURCE)]:
        body = view.read_json(entry)
        settings = {
            "policy": document(body.get("Policy")),
            "grants": body.get("Grants") or [],
            "block": body.get("PublicAccessBlock"),
            "rules": body.get("LifecycleRules"),
        }
        resource = bucket_resource(body["account"], body["bucket"])
        yield Fact(resource, entry.collected_at, settings, entry.sha256, body["account"], home, True, kind="snapshot")


def config_facts(view: EvidenceView, window: Window, home: str) -> Iterator[Fact]:
    for item in config_before_end(view, "AWS::S3::Bucket", window):
        settings = None
        if not item.deleted:
            extra = item.supplementary
            settings = {
                "policy": document(pick(extra, "BucketPolicy")),
                "block": unwrapped(pick(extra, "PublicAccessBlockConfiguration")),
                "rules": pick(unwrapped(pick(extra, "BucketLifecycleConfiguration")), "rules"),
            }
            if (acl := unwrapped(pick(extra, "AccessControlList"))) is not None:
                settings["grants"] = pick(acl, "grantList") or []
        resource = bucket_resource(item.account, item.name)
        created = item.status == "ResourceDiscovered"
        yield Fact(resource, item.time, settings, item.evidence, item.account, home, True, created, blindable=True)


def event_facts(view: EvidenceView, home: str) -> Iterator[Fact]:
    for event in cloudtrail_logs(view).named(*EVENTS, "CreateBucket", "DeleteBucket"):
        resource = bucket_resource(event.account, str(pick(event.parameters, "bucketName", "")))
        yield _event_fact(event, resource, home)


def _event_fact(event: TrailEvent, resource: str, home: str) -> Fact:
    if event.name == "DeleteBucket":
        return Fact(resource, event.time, None, event.evidence, event.account, home)
    if event.name == "CreateBucket":
        # S3's defaults for a new bucket (since April 2023): Block Public Access on, owner-only ACL.
        block = dict.fromkeys(
            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
        )
        defaults = {"policy": None, "grants": [], "block": block, "rules": None}
        return Fact(resource, event.time, defaults, event.evidence, event.account, home, True, created=True)
    return Fact(resource, event.time, EVENTS[event.name](event.parameters), event.evidence, event.account, home)


def bucket_rows(
    view: EvidenceView,
    scope: Scope,
    window: Window,
    judge: Callable[[dict, bool, datetime], Judged],
) -> list[Row]:
    """Rows of each log bucket; `judge(settings, whole, time)` as for `Timelines.fold`, with the key prefix of
    the bucket's CloudTrail logs in settings["prefix"] (a setting missing from them was never shown)."""
    home, buckets = home_region(scope), log_buckets(scope)
    facts = [
        replace(f, settings=None if f.settings is None else {**f.settings, "prefix": buckets[f.resource]})
        for f in (*snapshot_facts(view, home), *config_facts(view, window, home), *event_facts(view, home))
        if f.resource in buckets
    ]
    timelines = Timelines()
    for resource in buckets:
        timelines.expect(resource, resource.split("/")[1], home)
    return timelines.fold(facts, judge).rows(
        with_bucket_owners(scope), window, blind=blind_intervals(view, scope, window)
    )


def with_bucket_owners(scope: Scope) -> Scope:
    """The scope with the log buckets' owners among its accounts: an organization trail's bucket usually lives in
    a log archive account that is not itself assessed, yet its buckets are."""
    aws = scope.aws
    listed = {a.id for a in aws.accounts}
    owners = [AwsAccount(id=b.account) for b in aws.cloudtrail_logs if b.account and b.account not in listed]
    if not owners:
        return scope
    accounts = [*aws.accounts, *{o.id: o for o in owners}.values()]
    return scope.model_copy(update={"aws": aws.model_copy(update={"accounts": accounts})})
