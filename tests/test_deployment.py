"""What a user deploys: the Prefect deployments and the collector's least-privilege IAM policy."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from prefect.flows import load_flow_from_entrypoint

from connectors.policy import collector_policy, declared_actions
from socready.report.schema import report_schema

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_PREFIXES = ("secretsmanager:", "ssm:GetParameter", "lambda:GetFunction", "dynamodb:GetItem", "kms:Decrypt")


def test_prefect_yaml_declares_daily_and_pre_audit_deployments_of_the_flow():
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    deployments = {d["name"]: d for d in config["deployments"]}
    assert set(deployments) == {"daily", "pre-audit"}
    assert (
        deployments["daily"]["schedules"][0] | {"cron": "0 6 * * *", "timezone": "UTC"}
        == (deployments["daily"]["schedules"][0])
    )
    assert "schedules" not in deployments["pre-audit"]
    for deployment in deployments.values():
        assert deployment["work_pool"]["name"] == "socready-process"
        flow = load_flow_from_entrypoint(str(ROOT / deployment["entrypoint"]))
        assert flow.name == "readiness"
        assert set(deployment["parameters"]) <= set(flow.parameters.properties)


def test_shipped_policy_is_generated_from_collector_declarations():
    shipped = json.loads((ROOT / "infra/iam/collector-policy.json").read_text())
    assert shipped == collector_policy(), "regenerate: make generated"
    granted = {a for s in shipped["Statement"] for a in s["Action"]}
    assert declared_actions() <= granted


def test_policy_is_read_only_and_limits_object_reads_to_log_buckets():
    policy = collector_policy(["org-logs"])
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        for action in statement["Action"]:
            verb = action.split(":")[1]
            assert verb.startswith(("Describe", "Get", "List", "Generate")), action
            assert not action.startswith(FORBIDDEN_PREFIXES), action
            if action in ("s3:GetObject", "s3:ListBucket"):  # reading data: only the log buckets
                assert statement["Resource"] in (["arn:aws:s3:::org-logs"], ["arn:aws:s3:::org-logs/*"])


def test_published_report_schema_matches_the_model():
    published = json.loads((ROOT / "docs/report.schema.json").read_text())
    assert published == report_schema(), "regenerate: make generated"


def test_collector_calls_are_recorded_for_the_least_privilege_check(aws):
    from connectors.aws.session import AwsSessions
    from socready.scope.models import AwsSpec
    from tests.least_privilege import recording

    sessions = AwsSessions(AwsSpec(accounts=[{"id": "111111111111"}], regions=["us-east-1"], endpoint_url=aws))
    with recording() as calls:
        sessions.client("111111111111", "us-east-1", "cloudtrail").describe_trails()
    assert calls == {"cloudtrail:DescribeTrails"}
    allowed = {a for s in collector_policy()["Statement"] for a in s["Action"]}
    assert "cloudtrail:DescribeTrails" in allowed and "cloudtrail:StopLogging" not in allowed
