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


def test_prefect_yaml_declares_the_flow_on_process_docker_kubernetes_and_ecs_pools():
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    assert config["pull"] == []  # the flow is installed where it runs: no checkout, no pull step
    deployments = {d["name"]: d for d in config["deployments"]}
    pools = {name: d["work_pool"]["name"] for name, d in deployments.items()}
    assert pools == {
        "daily": "socready-process",
        "pre-audit": "socready-process",
        "daily-docker": "socready-docker",
        "daily-kubernetes": "socready-kubernetes",
        "daily-ecs": "socready-ecs",
    }
    assert "schedules" not in deployments["pre-audit"]
    for name, deployment in deployments.items():
        if name != "pre-audit":
            assert deployment["schedules"] == [{"cron": "0 6 * * *", "timezone": "UTC", "active": True}]
        flow = load_flow_from_entrypoint(deployment["entrypoint"])  # a module path, importable once installed
        assert flow.name == "readiness" and ":" not in deployment["entrypoint"]
        assert deployment["parameters"] == {"scope_path": "{{ $SOCREADY_SCOPE }}", "dry_run": False}
        assert set(deployment["parameters"]) <= set(flow.parameters.properties)
        # nothing but the image in job variables: secrets come from blocks or the worker's role
        assert deployment["work_pool"].get("job_variables", {}) in ({}, {"image": "{{ $SOCREADY_IMAGE }}"})


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
