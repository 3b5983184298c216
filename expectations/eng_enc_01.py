"""ENG-ENC-01: every in-scope S3 bucket is encrypted at rest and denies requests not sent over TLS, every day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase

import pandas as pd
from pydantic import Field

from expectations.aws_state import Fact, Timelines, as_list, pick
from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.config_items import CONFIG_STATE, ConfigItem, config_items
from expectations.dataset import frame
from expectations.eng_cfg_01 import blind_intervals
from expectations.iam_timeline import document
from expectations.spec import ControlSpec, Parameters, Rule, always, covered, rule, where
from expectations.state_timeline import State
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-ENC-01"
# The bucket's settings in force: its default encryption (the strongest SSE algorithm its configuration names, or
# "none"; None: not shown) and whether its policy denies requests without TLS (None: policy not shown).
FACTS = {"encryption": "string", "tls_only": "boolean"}
BUCKETS = "aws.s3.buckets"
CONFIG_TYPE = "AWS::S3::Bucket"
# From this date S3 encrypts every new object with SSE-S3 when a bucket has no configuration of its own, and
# the default cannot be removed: "no encryption configuration" then means SSE-S3, not unencrypted.
S3_DEFAULT_ENCRYPTION = datetime(2023, 1, 5, tzinfo=UTC)
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
STRONGEST_FIRST = ("aws:kms:dsse", "aws:kms", "AES256")
EVENTS = (
    "CreateBucket",
    "DeleteBucket",
    "PutBucketEncryption",
    "DeleteBucketEncryption",
    "PutBucketPolicy",
    "DeleteBucketPolicy",
)


class EngEnc01Parameters(Parameters):
    required_encryption: str = Field(
        default="any",
        description=(
            "`any`: SSE-S3 or SSE-KMS (no configuration after 2023-01-05 counts as SSE-S3); `aws:kms`: "
            "SSE-KMS or DSSE-KMS required"
        ),
    )
    creation_grace_hours: float = Field(
        default=1.0,
        description="a bucket created non-compliant and fixed within this many hours is compliant from its creation",
    )


def bucket_arn(name: str) -> str:
    return f"arn:aws:s3:::{name}"


def algorithms(rules) -> list[str]:
    """SSE algorithms of a configuration's rules (Config: rules/applyServerSideEncryptionByDefault, any case)."""
    found = (pick(pick(rule, "applyServerSideEncryptionByDefault"), "sseAlgorithm") for rule in as_list(rules))
    return [a for a in found if a]


def policy_document(policy) -> dict | None:
    """A bucket policy as an object, from JSON text, Config's {"policyText": ...} (either casing) or an object."""
    return document(pick(policy, "policyText", policy) if isinstance(policy, dict) else policy)


def tls_only(policy: dict | None, bucket: str) -> bool:
    """A Deny of every S3 action ("s3:*") on the bucket's objects, for every principal, when
    aws:SecureTransport is false."""
    for statement in as_list(pick(policy, "Statement")):
        principal = pick(statement, "Principal")
        everyone = principal == "*" or "*" in as_list(pick(principal, "AWS"))
        actions = {a.lower() for a in as_list(pick(statement, "Action"))}
        objects = any(fnmatchcase(f"arn:aws:s3:::{bucket}/any-key", r) for r in as_list(pick(statement, "Resource")))
        condition = pick(statement, "Condition") or {}
        insecure = any(
            str(v).lower() == "false"
            for operator in ("Bool", "BoolIfExists")
            for v in as_list(pick(pick(condition, operator), "aws:SecureTransport"))
        )
        if pick(statement, "Effect") == "Deny" and everyone and actions & {"s3:*", "*"} and objects and insecure:
            return True
    return False


def encryption_in_force(shown: list[str] | None, at: datetime) -> tuple[list[str] | None, str]:
    """The SSE algorithms in force and their name; None when no configuration was ever shown before 2023."""
    if shown:
        return shown, "/".join(shown)
    if at >= S3_DEFAULT_ENCRYPTION:
        return ["AES256"], "AES256 (S3 default)"
    return ([], "none") if shown == [] else (None, "not shown")


def allowed(required: str) -> tuple[str, ...]:
    """The SSE algorithms that meet `required_encryption`: any of S3's for `any`, else a KMS one."""
    return ("AES256", *KMS_ALGORITHMS) if required == "any" else KMS_ALGORITHMS


def strongest(in_force: list[str] | None) -> str | None:
    """The encryption fact: S3 keeps one default-encryption rule per bucket, but should a configuration name
    several algorithms, the fact is the strongest of them, so a bucket meets a requirement when any of its
    algorithms does; "none" where the configuration names none (before S3's default encryption)."""
    if in_force is None:
        return None
    return next((a for a in STRONGEST_FIRST if a in in_force), in_force[0] if in_force else "none")


def judge(settings: dict, at: datetime, required: str) -> tuple[State, str, dict[str, object]]:
    """The bucket's state (rows are cut where it changes; a state fixed within the creation grace settles) and
    its settings as the suite's facts."""
    in_force, encryption = encryption_in_force(settings.get("encryption"), at)
    facts = {
        "encryption": strongest(in_force),
        "tls_only": tls_only(settings["policy"], settings["name"]) if "policy" in settings else None,
    }
    encrypted = None if facts["encryption"] is None else facts["encryption"] in allowed(required)
    tls = facts["tls_only"]
    policy = {True: "TLS-only policy", False: "no TLS-only policy", None: "policy not shown"}[tls]
    state = "fail" if False in (encrypted, tls) else ("unknown" if None in (encrypted, tls) else "pass")
    return state, f"encryption {encryption}, {policy}", facts


def item_fact(item: ConfigItem) -> Fact:
    """Encryption and policy from the item's supplementary configuration, in any key casing Config delivered."""
    settings = None
    if not item.deleted:
        supplementary = item.supplementary
        settings = {
            "name": item.name,
            "encryption": algorithms(pick(pick(supplementary, "ServerSideEncryptionConfiguration"), "rules")),
        }
        if (policy := pick(supplementary, "BucketPolicy", "missing")) != "missing":
            settings["policy"] = policy_document(policy)
    return Fact(
        bucket_arn(item.name),
        item.time,
        settings,
        item.evidence,
        item.account,
        item.region,
        whole=True,
        created=item.status == "ResourceDiscovered",
        blindable=True,
    )


def event_fact(event: TrailEvent) -> Fact:
    name, params = str(pick(event.parameters, "bucketName", "")), event.parameters
    changes = {
        "CreateBucket": {"encryption": [], "policy": None},  # a creation shows every setting: S3's defaults
        "DeleteBucket": None,
        "PutBucketEncryption": {
            "encryption": algorithms(pick(pick(params, "ServerSideEncryptionConfiguration"), "Rule"))
        },
        "DeleteBucketEncryption": {"encryption": []},
        "PutBucketPolicy": {"policy": policy_document(pick(params, "bucketPolicy"))},
        "DeleteBucketPolicy": {"policy": None},
    }[event.name]
    settings = None if changes is None else {"name": name, **changes}
    created = event.name == "CreateBucket"
    where = {"evidence": event.evidence, "account": event.account, "region": event.region}
    return Fact(bucket_arn(name), event.time, settings, **where, whole=created, created=created)


def snapshot_facts(view: EvidenceView) -> Iterator[Fact]:
    for entry in [*view.earlier_entries(BUCKETS), *view.entries(BUCKETS)]:
        for bucket in view.read_json(entry)["buckets"]:
            settings = {
                "name": bucket["Name"],
                "encryption": algorithms(bucket.get("EncryptionRules")),
                "policy": policy_document(bucket.get("Policy")),
            }
            where = {"evidence": entry.sha256, "account": entry.account or "", "region": bucket["Region"]}
            yield Fact(bucket_arn(bucket["Name"]), entry.collected_at, settings, **where, whole=True, kind="snapshot")


def build(view: EvidenceView, scope: Scope, window: Window, params: EngEnc01Parameters) -> pd.DataFrame:
    required = params.required_encryption
    facts = [
        *(item_fact(i) for i in config_items(view, CONFIG_TYPE)),
        *(event_fact(e) for e in cloudtrail_logs(view).named(*EVENTS)),
        *snapshot_facts(view),
    ]
    timelines = Timelines().fold(facts, lambda settings, whole, at: judge(settings, at, required))
    grace = timedelta(hours=params.creation_grace_hours)
    rows = timelines.rows(scope, window, blind=blind_intervals(view, scope, window), creation_grace=grace)
    return frame(rows, FACTS)


def rules(params: EngEnc01Parameters) -> list[Rule]:
    """Each setting unshown is no evidence, unless the other already fails: a bucket shown unencrypted (or not
    TLS-only) is an exception whatever its other setting (a row with a coverage gap is never an exception)."""
    required = list(allowed(params.required_encryption))
    unknown = "The evidence does not show whether this bucket was encrypted and TLS-only."
    failed = "The bucket was not encrypted as required or did not deny requests without TLS."
    return [
        covered("encryption", unknown, **where("tls_only.isna() or tls_only")),
        covered(
            "tls_only",
            unknown,
            **where(f"encryption.isna() or encryption in {required!r}"),
        ),
        rule("ExpectColumnValuesToBeInSet", "exception", failed, column="encryption", value_set=required),
        always("tls_only", failed),
    ]


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngEnc01Parameters,
    sources=(
        "aws.s3.buckets",
        *CONFIG_STATE,
    ),
    facts=FACTS,
    build=build,
    rules=rules,
)
