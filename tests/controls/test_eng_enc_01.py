"""ENG-ENC-01 over the window: buckets now + Config history + bucket events, via moto over HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from botocore.awsrequest import AWSResponse

from connectors.aws.session import AwsSessions
from expectations.aws_state import Fact, Timelines
from expectations.dataset import Row, frame
from expectations.eng_enc_01 import (
    FACTS,
    KMS_ALGORITHMS,
    EngEnc01Parameters,
    encryption_in_force,
    judge,
    rules,
    tls_only,
)
from expectations.runner import validate
from expectations.state_timeline import state_rows
from socready_sandbox.aws_data import bucket_config_item, tls_only_policy
from socready_sandbox.config_files import config_item
from tests.controls.data_fixtures import (
    BASELINE,
    CREATED,
    DELETED,
    EAST,
    PROD,
    WEST,
    WINDOW_END,
    WINDOW_START,
    Body,
    assess,
    at,
    client,
    deny,
    event,
    exceptions,
    gaps,
    prepare,
)

# A policy that only grants: no Deny on insecure transport.
ALLOWED = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::northwind-open/*"}
        ],
    }
)


def create_bucket(endpoint: str, name: str, *, tls: bool = True, region: str = EAST) -> None:
    s3 = client(endpoint, PROD, "s3", region)
    location = {} if region == EAST else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **location)
    if tls:
        s3.put_bucket_policy(Bucket=name, Policy=tls_only_policy(name))


def bucket_item(name: str, when, *, tls: bool, status: str = "OK") -> dict:
    return bucket_config_item(name, PROD, EAST, when, tls=tls, status=status)


def test_tls_only_buckets_with_s3_default_encryption_operate(aws, tmp_path):
    prepare(aws, [PROD], [EAST, WEST])
    create_bucket(aws, "northwind-exports")
    create_bucket(aws, "northwind-eu-exports", region=WEST)
    result = assess(aws, tmp_path, "ENG-ENC-01", [PROD], [EAST, WEST])
    assert result.status == "operating", result.reason
    assert result.population == 2 and result.coverage == 1.0


def test_policy_removed_for_a_week_is_one_exception_interval(aws, tmp_path):
    name = "northwind-exports"
    history = [
        bucket_item(name, BASELINE, tls=True, status="ResourceDiscovered"),
        bucket_item(name, at(5, 14), tls=False),
        bucket_item(name, at(12, 9), tls=True),
    ]
    prepare(aws, items=history)
    create_bucket(aws, name)
    result = assess(aws, tmp_path, "ENG-ENC-01")
    assert result.status == "exception"
    assert exceptions(result) == [
        (f"arn:aws:s3:::{name}", at(5, 14), at(12, 9), "encryption AES256, no TLS-only policy")
    ]
    assert result.exceptions[0].evidence  # the Config history file that shows it


def test_no_buckets_is_an_empty_population(aws, tmp_path):
    prepare(aws)
    result = assess(aws, tmp_path, "ENG-ENC-01")
    assert (result.status, result.population) == ("operating", 0)
    assert "aws.s3.buckets" in result.reason


def test_buckets_created_and_deleted_inside_the_window_are_assessed_for_their_lifetime(aws, tmp_path):
    created, deleted, kept = "northwind-new", "northwind-scratch", "northwind-exports"
    history = [
        event("CreateBucket", CREATED, {"bucketName": created}, service="s3"),
        # The policy lands two minutes after the bucket, as one Terraform apply does it: within the grace.
        event(
            "PutBucketPolicy",
            CREATED + timedelta(minutes=2),
            {"bucketName": created, "bucketPolicy": json.loads(tls_only_policy(created))},
            service="s3",
        ),
        event("DeleteBucket", DELETED, {"bucketName": deleted}, service="s3"),
    ]
    prepare(aws, events=history, items=[bucket_item(deleted, BASELINE, tls=False, status="ResourceDiscovered")])
    create_bucket(aws, created)
    create_bucket(aws, kept)
    result = assess(aws, tmp_path, "ENG-ENC-01")
    assert result.population == 3
    assert exceptions(result) == [
        (f"arn:aws:s3:::{deleted}", WINDOW_START, DELETED, "encryption AES256, no TLS-only policy")
    ]


def test_policy_without_a_tls_deny_fails_and_kms_requirement_rejects_s3_default(aws, tmp_path):
    prepare(aws)
    s3 = client(aws, PROD, "s3")
    kms = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]}
    s3.create_bucket(Bucket="northwind-open")
    s3.put_bucket_policy(Bucket="northwind-open", Policy=ALLOWED)
    s3.put_bucket_encryption(Bucket="northwind-open", ServerSideEncryptionConfiguration=kms)
    create_bucket(aws, "northwind-default")
    create_bucket(aws, "northwind-kms")
    s3.put_bucket_encryption(Bucket="northwind-kms", ServerSideEncryptionConfiguration=kms)
    result = assess(aws, tmp_path, "ENG-ENC-01", parameters={"required_encryption": "aws:kms"})
    unchanged = " (no change recorded before)"  # the current state, with no change in the window
    assert exceptions(result) == [
        (
            "arn:aws:s3:::northwind-default",
            WINDOW_START,
            WINDOW_END,
            f"encryption AES256 (S3 default), TLS-only policy{unchanged}",
        ),
        ("arn:aws:s3:::northwind-open", WINDOW_START, WINDOW_END, f"encryption aws:kms, no TLS-only policy{unchanged}"),
    ]
    assert result.population == 3


def test_config_recorder_off_makes_config_derived_state_no_evidence(aws, tmp_path):
    name, stopped, started = "northwind-exports", at(8, 10), at(10, 16)
    recorder = {"configurationRecorderName": "default"}
    history = [
        event("StopConfigurationRecorder", stopped, recorder, service="config"),
        event("StartConfigurationRecorder", started, recorder, service="config"),
    ]
    prepare(aws, events=history, items=[bucket_item(name, BASELINE, tls=True, status="ResourceDiscovered")])
    create_bucket(aws, name)
    result = assess(aws, tmp_path, "ENG-ENC-01")
    assert result.status == "no_evidence"
    assert result.exceptions == []
    assert gaps(result) == [(f"arn:aws:s3:::{name}", stopped, started, "AWS Config recorder was off")]


def test_denied_bucket_policy_read_is_no_evidence_naming_the_permission(aws, tmp_path, monkeypatch):
    prepare(aws)
    create_bucket(aws, "northwind-exports")
    deny(monkeypatch, "GetBucketPolicy")
    result = assess(aws, tmp_path, "ENG-ENC-01")
    assert (result.status, result.exceptions, result.clean_since) == ("no_evidence", [], None)
    [error] = result.collection_errors
    assert "AccessDenied" in error and error.endswith("grant s3:GetBucketPolicy")


FIVE_MONTHS_BEFORE = datetime(2026, 2, 3, 9, tzinfo=UTC)
KMS_RULES = {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}, "bucketKeyEnabled": True}]}


def camel_case_item(name: str, when: datetime, *, tls: bool) -> dict:
    """A bucket item with camelCase supplementary keys and JSON-text values (JSON text of JSON text for one), as
    Config has also delivered them."""
    policy = tls_only_policy(name) if tls else ALLOWED.replace("northwind-open", name)
    supplementary = {
        "serverSideEncryptionConfiguration": json.dumps(json.dumps(KMS_RULES)),
        "bucketPolicy": json.dumps({"policyText": policy}),
    }
    return config_item("AWS::S3::Bucket", name, PROD, EAST, when, {"name": name}, supplementary)


def test_supplementary_configuration_is_read_in_every_key_casing(aws, tmp_path):
    history = [
        bucket_item("pascal-tls", FIVE_MONTHS_BEFORE, tls=True),
        bucket_item("pascal-open", FIVE_MONTHS_BEFORE, tls=False),
        camel_case_item("camel-tls", FIVE_MONTHS_BEFORE, tls=True),
        camel_case_item("camel-open", FIVE_MONTHS_BEFORE, tls=False),
    ]
    prepare(aws, items=history)
    result = assess(aws, tmp_path, "ENG-ENC-01", parameters={"required_encryption": "any"})
    assert sorted(exceptions(result)) == [
        ("arn:aws:s3:::camel-open", WINDOW_START, WINDOW_END, "encryption aws:kms, no TLS-only policy"),
        ("arn:aws:s3:::pascal-open", WINDOW_START, WINDOW_END, "encryption AES256, no TLS-only policy"),
    ]
    assert gaps(result) == [] and result.population == 4


def test_baseline_from_the_config_api_when_no_file_has_one(aws, tmp_path, monkeypatch):
    """No delivered file holds the buckets' last item before the window: GetResourceConfigHistory (laterTime =
    window start, limit 1) does, with its API shapes (JSON-text configuration and supplementary values)."""
    create_bucket(aws, "api-tls")
    create_bucket(aws, "api-open", tls=False)
    asked = answer_baselines(monkeypatch, {"api-tls": True, "api-open": False})
    prepare(aws)
    result = assess(aws, tmp_path, "ENG-ENC-01")
    assert sorted(asked) == [("api-open", WINDOW_START, 1), ("api-tls", WINDOW_START, 1)]
    assert exceptions(result) == [
        ("arn:aws:s3:::api-open", WINDOW_START, WINDOW_END, "encryption aws:kms, no TLS-only policy")
    ]
    assert gaps(result) == []
    assert result.state_sources == [f"{PROD}/{EAST}: delivered files (1), baselines of 2 resources from the Config API"]


def answer_baselines(monkeypatch, buckets: dict[str, bool]) -> list[tuple]:
    """GetResourceConfigHistory answers each bucket's item five months before the window (TLS-only or not), as
    AWS does; moto returns only the current item. The request is built and validated by botocore first; the
    (bucket, laterTime, limit) sent are returned."""
    asked: list[tuple] = []

    def respond(params, **_):
        sent = json.loads(params["body"])  # the request as botocore serialized it for the wire
        name = sent["resourceId"]
        asked.append((name, datetime.fromtimestamp(sent["laterTime"], UTC), sent["limit"]))
        item = camel_case_item(name, FIVE_MONTHS_BEFORE, tls=buckets[name])
        item["configurationItemCaptureTime"] = FIVE_MONTHS_BEFORE  # botocore parses the API's timestamp
        item["configuration"] = json.dumps(item["configuration"])
        return AWSResponse("https://config.example", 200, {}, Body(b"")), {"configurationItems": [item]}

    def hook(aws_client, account: str, region: str) -> None:
        aws_client.meta.events.register("before-call.config.GetResourceConfigHistory", respond)

    monkeypatch.setattr(AwsSessions, "client_hooks", [*AwsSessions.client_hooks, hook])
    return asked


CONTROL = "ENG-ENC-01"
OUTCOMES = ("coverage", "exception")  # a row failing both is a coverage gap
BEFORE_DEFAULT = datetime(2022, 6, 1, tzinfo=UTC)


POLICIES = {"not shown": {}, "no policy": {"policy": None}, "TLS-only": "tls", "grants only": "open"}
ENCRYPTIONS = {
    "not shown": {},  # no configuration shown, before S3's default encryption
    "none": {"encryption": []},
    "AES256": {"encryption": ["AES256"]},
    "aws:kms": {"encryption": ["aws:kms"]},
    "aws:kms:dsse": {"encryption": ["aws:kms:dsse"]},
    "AES256 and aws:kms": {"encryption": ["AES256", "aws:kms"]},
}


def settings_of(encryption: str, policy: str) -> dict:
    name = "northwind-exports"
    shown = POLICIES[policy]
    if isinstance(shown, str):
        text = tls_only_policy(name) if shown == "tls" else ALLOWED.replace("northwind-open", name)
        shown = {"policy": json.loads(text)}
    return {"name": name, **ENCRYPTIONS[encryption], **shown}


def old_verdict(settings: dict, at_time: datetime, required: str) -> str:
    """The judgement the builder made before the suite stated it, over the same settings."""
    in_force, _ = encryption_in_force(settings.get("encryption"), at_time)
    encrypted = None
    if in_force is not None:
        encrypted = bool(in_force) and (required == "any" or any(a in KMS_ALGORITHMS for a in in_force))
    tls = tls_only(settings["policy"], settings["name"]) if "policy" in settings else None
    return "exception" if False in (encrypted, tls) else ("coverage" if None in (encrypted, tls) else "operating")


def suite_verdicts(rows: list[Row], required: str) -> list[str]:
    """Each row's verdict from the suite's failures, as the verdicts read them: a coverage gap wins."""
    outcome = validate(CONTROL, frame(rows, FACTS), rules(EngEnc01Parameters(required_encryption=required)))
    failed = {kind: {i for f in outcome.failures if f.on_fail == kind for i in f.rows} for kind in OUTCOMES}
    return [next((kind for kind in OUTCOMES if i in failed[kind]), "operating") for i in range(len(rows))]


def test_the_suite_judges_the_settings_as_the_builder_did():
    """Every combination of encryption and policy, before and after S3's default encryption, under both
    requirements: the settings as facts give each row the verdict the old yes/no fact gave it."""
    for required in ("any", "aws:kms"):
        cases = [(e, p, when) for e in ENCRYPTIONS for p in POLICIES for when in (BEFORE_DEFAULT, WINDOW_START)]
        rows, expected = [], []
        for number, (encryption, policy, when) in enumerate(cases):
            settings = settings_of(encryption, policy)
            _, value, facts = judge(settings, when, required)
            rows.append(Row(f"bucket/{number}", when, when + timedelta(hours=1), value, facts))
            expected.append(old_verdict(settings, when, required))
        assert suite_verdicts(rows, required) == expected, required


def test_the_days_before_a_first_change_carry_the_settings_judged_before_it():
    """A bucket first seen through a policy change: before it, S3's default encryption and no policy shown,
    which the KMS requirement already fails (an exception, not a gap), as the state before the change says."""
    arn, changed = "arn:aws:s3:::northwind-exports", at(5, 14)
    policy = json.loads(tls_only_policy("northwind-exports"))
    fact = Fact(arn, changed, {"name": "northwind-exports", "policy": policy}, "sha", PROD, EAST)
    timelines = Timelines().fold([fact], lambda settings, whole, when: judge(settings, when, "aws:kms"))
    rows = state_rows(arn, timelines.tracked[arn].observations, WINDOW_START, WINDOW_END)
    assert [(r.start, r.metrics["encryption"], r.metrics["tls_only"]) for r in rows] == [
        (WINDOW_START, "AES256", None),
        (changed, "AES256", True),
    ]
    assert suite_verdicts(rows, "aws:kms") == ["exception", "exception"]
    assert suite_verdicts(rows, "any") == ["coverage", "operating"]
