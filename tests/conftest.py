"""Shared fixtures: one moto server for the session (reset per test), Prefect's test harness, a sandbox."""

from __future__ import annotations

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from collections.abc import Iterator  # the environment above is set before any import
from functools import cache

import pytest
import requests
from moto import backends

from connectors.aws.session import AwsSessions
from connectors.policy import collector_policy, iam_action
from socready.sandbox.aws import SANDBOX_CREDENTIALS, start_moto

# Every AWS call a collector makes anywhere in the suite, as IAM actions: must be allowed by the shipped policy.
COLLECTOR_CALLS: set[str] = set()


def _record_calls(client, account: str, region: str) -> None:
    service = client.meta.service_model.service_name

    def record(model, **_):
        COLLECTOR_CALLS.add(iam_action(service, model.name))

    client.meta.events.register("before-call.*.*", record)


AwsSessions.client_hooks.append(_record_calls)

# Test speed only: the moto server lists its own package folder (a stat per service) on every request to find the
# backend; the folder does not change while the tests run.
backends.list_of_moto_modules = cache(lambda modules=backends.list_of_moto_modules: tuple(modules()))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """xdist: the calls a worker's tests made join the controller's, which checks them all at the end."""
    COLLECTOR_CALLS.update(node.workeroutput.get("collector_calls", ()))


def pytest_sessionfinish(session, exitstatus):
    """Least privilege, proven by use: a call outside the collector policy fails the run."""
    if hasattr(session.config, "workeroutput"):  # an xdist worker hands its calls to the controller
        session.config.workeroutput["collector_calls"] = sorted(COLLECTOR_CALLS)
        return
    allowed = {action for statement in collector_policy()["Statement"] for action in statement["Action"]}
    outside = sorted(COLLECTOR_CALLS - allowed)
    if outside:
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(
            f"collector calls not allowed by infra/iam/collector-policy.json: {outside}", red=True
        )
        session.exitstatus = 1


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    server, url = start_moto()
    yield url
    server.stop()


@pytest.fixture
def aws(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty moto server over HTTP and sandbox-only credentials in the environment; returns its URL."""
    requests.post(f"{moto_server}/moto-api/reset", timeout=10).raise_for_status()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", SANDBOX_CREDENTIALS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SANDBOX_CREDENTIALS["aws_secret_access_key"])
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    return moto_server


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
