"""The Kubernetes and ECS base job templates in infra/prefect/, validated against the workers' own schemas."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import jsonschema
import pytest
from prefect.server.schemas.actions import WorkPoolCreate
from prefect_aws.workers.ecs_worker import ECSJobConfiguration, ECSWorker
from prefect_kubernetes.worker import KubernetesWorker, KubernetesWorkerJobConfiguration

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "registry.example/socready:1.0"
EXECUTION_ROLE = "arn:aws:iam::111111111111:role/ecs-task-execution"  # pulls the image, writes CloudWatch logs
TEMPLATES = {
    "kubernetes": (ROOT / "infra/prefect/kubernetes-job-template.json", KubernetesWorker),
    "ecs": (ROOT / "infra/prefect/ecs-job-template.json", ECSWorker),
}


@pytest.mark.parametrize("pool_type", sorted(TEMPLATES))
def test_template_has_the_workers_shape_and_valid_variables(pool_type):
    path, worker = TEMPLATES[pool_type]
    template, default = json.loads(path.read_text()), worker.get_default_base_job_template()
    assert set(template["job_configuration"]) == set(default["job_configuration"])
    assert set(template["variables"]["properties"]) == set(default["variables"]["properties"])
    jsonschema.Draft202012Validator.check_schema(template["variables"])
    for spec in template["variables"]["properties"].values():
        if "default" in spec:  # every default we set is a value the worker accepts for that variable
            jsonschema.validate(spec["default"], {**spec, "definitions": template["variables"].get("definitions", {})})
    # what the Prefect server checks when the pool is created: every placeholder names a declared variable
    WorkPoolCreate(name=f"socready-{pool_type}", type=pool_type, base_job_template=template)


def test_kubernetes_job_runs_as_non_root_with_its_service_account_and_no_retry(prefect_harness):
    template = json.loads(TEMPLATES["kubernetes"][0].read_text())
    config = asyncio.run(KubernetesWorkerJobConfiguration.from_template_and_values(template, {"image": IMAGE}))
    job = config.job_manifest
    pod = job["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["image"] == IMAGE and job["metadata"]["namespace"] == "socready"
    assert pod["serviceAccountName"] == "socready"  # AWS access through the account's role (IRSA), no key
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == 10001
    assert container["securityContext"] == {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
    assert job["spec"]["backoffLimit"] == 0


def test_ecs_task_runs_on_fargate_with_its_task_role(prefect_harness):
    template = json.loads(TEMPLATES["ecs"][0].read_text())
    role = "arn:aws:iam::111111111111:role/socready-worker"
    config = asyncio.run(
        ECSJobConfiguration.from_template_and_values(
            template, {"image": IMAGE, "task_role_arn": role, "execution_role_arn": EXECUTION_ROLE}
        )
    )
    definition = config.task_definition
    assert definition["family"] == "socready" and definition["executionRoleArn"] == EXECUTION_ROLE
    assert config.task_run_request["overrides"]["taskRoleArn"] == role  # AWS credentials: the task's role
    assert (definition["cpu"], definition["memory"]) == (1024, 4096)
    assert definition["containerDefinitions"][0]["image"] == IMAGE
    assert config.task_run_request["launchType"] == "FARGATE"
