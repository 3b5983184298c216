"""ENG-LOG-03 over the window: log groups' retention and the log bucket's lifecycle rules, from snapshots, AWS
Config history and retention/lifecycle events, via moto over HTTP."""

from __future__ import annotations

from expectations.eng_log_03 import SPEC, EngLog03Parameters
from socready_sandbox.aws_iam import iam_event
from socready_sandbox.config_files import config_item
from tests.controls.aws_fixtures import BUCKET
from tests.controls.iam_fixtures import (
    PROD,
    WINDOW_END,
    WINDOW_START,
    assess,
    at,
    client,
    deny,
    gaps,
    intervals,
    log_bucket,
    start_recorder,
    upload,
    upload_config,
)

CONTROL = "ENG-LOG-03"
GROUP = "/aws/cloudtrail/main"


def log_group(endpoint: str, name: str, days: int | None, region: str = "us-east-1") -> None:
    logs = client(endpoint, PROD, "logs", region)
    logs.create_log_group(logGroupName=name)
    if days:
        logs.put_retention_policy(logGroupName=name, retentionInDays=days)


def expire_logs_after(endpoint: str, days: int, prefix: str = "AWSLogs/") -> None:
    rule = {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": prefix}, "Expiration": {"Days": days}}
    s3 = client(endpoint, PROD, "s3")
    s3.put_bucket_lifecycle_configuration(Bucket=BUCKET, LifecycleConfiguration={"Rules": [rule]})


def test_long_and_unlimited_retention_operate(aws, tmp_path):
    log_bucket(aws)
    log_group(aws, GROUP, 400)
    log_group(aws, "/app/never-expires", None)
    expire_logs_after(aws, 30, prefix="tmp/")  # a rule for other keys does not reach the logs
    upload(aws, [])
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "operating", result.reason
    assert result.population == 3


def test_retention_cut_for_four_days_is_an_exception_from_config_and_events(aws, tmp_path):
    log_bucket(aws)
    log_group(aws, GROUP, 400)
    start_recorder(aws)

    def item(when, days: int) -> dict:
        configuration = {"logGroupName": GROUP, "retentionInDays": days}
        return config_item("AWS::Logs::LogGroup", GROUP, PROD, "us-east-1", when, configuration)

    upload_config(aws, [item(at(20, month=6), 400), item(at(6, 15), 30), item(at(10, 15), 400)])
    group = {"logGroupName": GROUP}
    events = [
        iam_event("PutRetentionPolicy", at(6, 15), PROD, "mallory", {**group, "retentionInDays": 30}, service="logs"),
        iam_event("PutRetentionPolicy", at(10, 15), PROD, "alice", {**group, "retentionInDays": 400}, service="logs"),
    ]
    upload(aws, events)
    result = assess(tmp_path, aws, CONTROL, config=True)
    assert result.status == "exception"
    resource = f"account/{PROD}/region/us-east-1/log-group/{GROUP}"
    assert intervals(result) == [(resource, at(6, 15), at(10, 15), "retention 30 days (PutRetentionPolicy by mallory)")]


def test_short_lifecycle_on_the_log_bucket_and_unmatched_groups(aws, tmp_path):
    log_bucket(aws)
    log_group(aws, GROUP, 400)
    log_group(aws, "/app/debug", 7)  # outside the pattern below
    expire_logs_after(aws, 90)
    upload(aws, [])
    result = assess(
        tmp_path, aws, CONTROL, controls={CONTROL: {"parameters": {"log_group_pattern": "/aws/cloudtrail/*"}}}
    )
    value = "lifecycle rule expire expires logs after 90 days (no change recorded before)"
    assert intervals(result) == [(f"account/{PROD}/bucket/{BUCKET}", WINDOW_START, WINDOW_END, value)]
    assert result.population == 2


def test_retention_change_with_nothing_shown_before_it_leaves_those_days_without_evidence(aws, tmp_path):
    log_bucket(aws)
    log_group(aws, GROUP, 400)
    set_to = iam_event(
        "PutRetentionPolicy", at(6), PROD, "alice", {"logGroupName": GROUP, "retentionInDays": 400}, service="logs"
    )
    upload(aws, [set_to])
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "no_evidence"
    assert gaps(result) == [(f"account/{PROD}/region/us-east-1/log-group/{GROUP}", WINDOW_START, at(6))]


def test_denied_log_group_listing_is_no_evidence_naming_the_permission(aws, tmp_path, monkeypatch):
    log_bucket(aws)
    upload(aws, [])
    deny(monkeypatch, "DescribeLogGroups", "logs:DescribeLogGroups")
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "no_evidence"
    [error] = result.collection_errors
    assert "AccessDeniedException" in error or "AccessDenied" in error
    assert error.endswith("grant logs:DescribeLogGroups")


def test_the_suite_states_the_minimum_over_the_retention_days():
    stated = {r.arguments["column"]: r for r in SPEC.rules(EngLog03Parameters(min_retention_days=400))}
    assert stated["retention_days"].arguments["min_value"] == 400
    assert stated["expires"].on_fail == "coverage"
    assert stated["fixed_expiry_date"].arguments["value_set"] == [False]
    assert SPEC.rules(EngLog03Parameters())[1].arguments["min_value"] == 365
