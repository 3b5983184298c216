"""socready deployed as in production: a Prefect server on PostgreSQL, a process pool and worker, credentials from
blocks; the sandbox run completes, no secret reaches the run's record, and a run lacking evidence alerts."""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import yaml

from socready.report.model import Report
from socready_sandbox.aws import SANDBOX_CREDENTIALS
from socready_sandbox.environment import TOKEN_ENV, Sandbox
from tests.production.servers import PREFECT, postgres_cluster, prefect_env, prefect_server, stop

ROOT = Path(__file__).resolve().parents[2]
POOL = "socready-process"
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


@dataclass
class Deployed:
    api: str
    folder: Path
    sandbox: Sandbox
    canaries: tuple[str, str]  # the Jira token and the AWS secret key, held only by Prefect blocks
    worker_log: Path
    alerts: list[dict]


class AlertReceiver(BaseHTTPRequestHandler):
    """Stands in for the Slack/Teams endpoint: keeps every notification posted to it."""

    received: list[dict]

    def do_POST(self) -> None:
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def alert_receiver() -> Iterator[tuple[str, list[dict]]]:
    received: list[dict] = []
    handler = type("Receiver", (AlertReceiver,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/alert", received
    server.shutdown()


def prefect_cli(env: dict[str, str], *args: str, cwd: Path | None = None) -> str:
    done = subprocess.run([*PREFECT, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"prefect {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def create_blocks(api: str, jira_token: str, aws_secret: str, alert_url: str) -> None:
    """What a platform engineer does once per server: the secrets go into blocks, nowhere else."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock
    from prefect.blocks.system import Secret
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect_aws import AwsCredentials

    with temporary_settings(updates={PREFECT_API_URL: api}):
        Secret(value=jira_token).save("jira-token")
        AwsCredentials(
            aws_access_key_id=SANDBOX_CREDENTIALS["aws_access_key_id"],
            aws_secret_access_key=aws_secret,
            region_name="us-east-1",
        ).save("sandbox-aws")
        CustomWebhookNotificationBlock(
            name="socready-alerts", url=alert_url, json_data={"subject": "{{subject}}", "body": "{{body}}"}
        ).save("socready-alerts")


def production_scope(sandbox: Sandbox) -> Path:
    """The sandbox's scope with its secrets named by block instead of the environment."""
    scope = yaml.safe_load(sandbox.scope_path.read_text())
    del scope["jira"]["token_env"]
    scope["jira"]["token_block"] = "jira-token"
    scope["aws"]["credentials_block"] = "sandbox-aws"
    path = sandbox.folder / "production.yaml"
    path.write_text(yaml.safe_dump(scope, sort_keys=False))
    return path


def worker_env(api: str, home: Path) -> dict[str, str]:
    """The worker's environment holds no secret: no Jira token, no AWS keys, no AWS profile to fall back on."""
    env = prefect_env(home, api) | {"PYTHONPATH": str(ROOT), "AWS_DEFAULT_REGION": "us-east-1"}
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", TOKEN_ENV):
        env.pop(name, None)
    # The worker asks for scheduled runs every second, not every 10 s: test speed only, the deployment is the same
    return env | {
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_CONFIG_FILE": os.devnull,
        "PREFECT_WORKER_QUERY_SECONDS": "1",
    }


@pytest.fixture(scope="module")
def deployed(tmp_path_factory, alert_receiver) -> Iterator[Deployed]:
    folder = tmp_path_factory.mktemp("production")
    alert_url, alerts = alert_receiver
    with postgres_cluster() as database, prefect_server(database, folder / "home", folder / "server.log") as api:
        sandbox = Sandbox(folder / "sandbox")
        sandbox.start()
        try:
            jira_token, aws_secret = os.environ[TOKEN_ENV], f"canary-{secrets.token_hex(16)}"
            create_blocks(api, jira_token, aws_secret, alert_url)
            env = prefect_env(folder / "home", api) | {
                "PYTHONPATH": str(ROOT),
                "SOCREADY_SCOPE": str(production_scope(sandbox)),
            }
            prefect_cli(env, "work-pool", "create", POOL, "--type", "process")
            prefect_cli(env, "--no-prompt", "deploy", "--name", "pre-audit", cwd=ROOT)
            prefect_cli(env, "automation", "create", "--from-json", alert_json(api))
            worker_log = folder / "worker.log"
            workdir = folder / "worker"  # not a checkout: the flow is imported from the installed package
            workdir.mkdir()
            with worker_log.open("wb") as out:
                worker = subprocess.Popen(
                    [*PREFECT, "worker", "start", "--pool", POOL, "--type", "process"],
                    env=worker_env(api, folder / "home"),
                    cwd=workdir,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
                try:
                    yield Deployed(api, folder, sandbox, (jira_token, aws_secret), worker_log, alerts)
                finally:
                    stop(worker)
        finally:
            sandbox.stop()


def alert_json(api: str) -> str:
    """The shipped automation with the test's webhook block, as `prefect automation create --from-json` takes it."""
    from prefect.blocks.core import Block
    from prefect.settings import PREFECT_API_URL, temporary_settings

    spec = importlib.util.spec_from_file_location("create_alert", ROOT / "infra/prefect/create_alert.py")
    create_alert = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(create_alert)
    with temporary_settings(updates={PREFECT_API_URL: api}):
        block_id = Block.load("custom-webhook/socready-alerts")._block_document_id
    return create_alert.automation(block_id).model_dump_json()


def run_deployment(deployed: Deployed, parameters: dict | None = None, timeout: float = 600) -> dict:
    """Starts a run of readiness/pre-audit through the API and waits for its final state; returns the flow run."""
    with httpx.Client(base_url=deployed.api, timeout=30) as api:
        deployment = api.get("/deployments/name/readiness/pre-audit").raise_for_status().json()
        run = api.post(f"/deployments/{deployment['id']}/create_flow_run", json={"parameters": parameters or {}})
        run_id = run.raise_for_status().json()["id"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            flow_run = api.get(f"/flow_runs/{run_id}").raise_for_status().json()
            if flow_run["state"]["type"] in FINAL:
                return flow_run
            time.sleep(0.5)
    raise TimeoutError(f"flow run {run_id} not final after {timeout} s:\n{deployed.worker_log.read_text()[-4000:]}")


def everything_recorded(api_url: str, flow_run: dict) -> dict[str, str]:
    """The run as anyone with Prefect access sees it: flow run, deployment, every log line and artifact."""
    with httpx.Client(base_url=api_url, timeout=30) as api:
        logs, offset = [], 0
        while (
            page := api.post(
                "/logs/filter",
                json={"logs": {"flow_run_id": {"any_": [flow_run["id"]]}}, "limit": 200, "offset": offset},
            )
            .raise_for_status()
            .json()
        ):
            logs += page
            offset += len(page)
        artifacts = (
            api.post("/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [flow_run["id"]]}}})
            .raise_for_status()
            .json()
        )
        deployment = api.get(f"/deployments/{flow_run['deployment_id']}").raise_for_status().json()
    return {
        "flow run (parameters, job variables, state)": json.dumps(flow_run),
        "deployment": json.dumps(deployment),
        "logs": json.dumps(logs),
        "artifacts": json.dumps(artifacts),
    }


@pytest.fixture(scope="module")
def sandbox_run(deployed) -> dict:
    return run_deployment(deployed)


def test_the_deployed_sandbox_run_completes_with_its_report_and_artifacts(deployed, sandbox_run):
    assert sandbox_run["state"]["type"] == "COMPLETED", deployed.worker_log.read_text()[-4000:]
    scope_path = str(deployed.sandbox.folder / "production.yaml")
    assert sandbox_run["parameters"] == {"scope_path": scope_path, "dry_run": False}
    recorded = everything_recorded(deployed.api, sandbox_run)
    artifacts = {a["key"]: a for a in json.loads(recorded["artifacts"])}
    assert {"readiness-summary", "readiness-controls", "readiness-report", "readiness-collection"} <= set(artifacts)
    report_html = deployed.sandbox.folder / "socready-report" / "report.html"
    assert artifacts["readiness-report"]["data"] == f"[report.html]({report_html.as_uri()})"
    report = Report.model_validate_json((report_html.parent / "report.json").read_text())
    # the token came from the Secret block (tickets synced) and the AWS keys from AwsCredentials (evidence whole):
    # the worker's environment held neither
    assert report.tickets is not None and report.tickets.status == "synced"
    assert all(c.coverage == 1.0 and not c.collection_errors for c in report.controls)
    print(f"\nflow run {sandbox_run['name']}: {sandbox_run['state']['type']}; artifacts: {sorted(artifacts)}")
    print(f"readiness-report: {artifacts['readiness-report']['data']}; tickets {report.tickets.status}")


def test_no_secret_in_the_run_its_deployment_logs_or_artifacts(deployed, sandbox_run):
    recorded = everything_recorded(deployed.api, sandbox_run)
    assert "collected" in recorded["logs"]  # the search reads real log lines
    recorded["worker output"] = deployed.worker_log.read_text()
    report = deployed.sandbox.folder / "socready-report"
    recorded |= {name: (report / name).read_text() for name in ("report.json", "report.md", "report.html")}
    for canary in deployed.canaries:
        leaks = [where for where, text in recorded.items() if canary in text]
        assert not leaks, f"a secret reached: {leaks}"
    print(
        f"\nsearched {len(deployed.canaries)} canaries in {', '.join(recorded)} "
        f"({sum(map(len, recorded.values()))} characters): not found"
    )


def test_a_run_lacking_evidence_ends_failed_naming_the_controls_and_alerts(deployed):
    output = deployed.folder / "inline-report"
    settings = {  # the scope as a deployment parameter: no file on the worker
        "organization": "Inline Example",
        "window": {"start": "2026-05-01", "end": "2026-10-31"},
        "evidence_store": str(deployed.folder / "inline-evidence"),
        "output": str(output),
        "files": {"training": {"path": str(deployed.folder / "missing-training.csv")}},
    }
    flow_run = run_deployment(deployed, {"scope_path": None, "scope_settings": settings})
    assert flow_run["state"]["type"] == "FAILED", deployed.worker_log.read_text()[-4000:]
    message = flow_run["state"]["message"]
    report = Report.model_validate_json((output / "report.json").read_text())  # still written
    missing = [c.id for c in report.controls if c.status == "no_evidence"]
    assert "HR-02" in missing
    assert message == f"socready: {len(missing)} control(s) without evidence: {', '.join(missing)}"
    wait_until_alerted(deployed, flow_run["name"])
    [alert] = [a for a in deployed.alerts if flow_run["name"] in a["subject"]]
    assert alert["subject"] == f"socready: readiness run {flow_run['name']} ended Failed"
    assert message in alert["body"] and "deployment pre-audit" in alert["body"]
    print(f"\nflow run {flow_run['name']}: {flow_run['state']['type']}: {message}\nalert posted: {alert['subject']}")
    # the clean sandbox run before it alerted no one
    assert all(flow_run["name"] in a["subject"] for a in deployed.alerts)


def wait_until_alerted(deployed: Deployed, run_name: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not any(run_name in a["subject"] for a in deployed.alerts):
        time.sleep(1)
