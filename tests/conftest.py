"""Shared fixtures: one moto server for the session (reset per test), Prefect's test harness, a sandbox."""

from __future__ import annotations

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "600")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from collections.abc import Iterator  # the environment above is set before any import
from functools import cache

import pytest
import requests
from moto import backends

from socready_sandbox.aws import SANDBOX_CREDENTIALS, start_moto

# Test speed only: the moto server lists its own package folder (a stat per service) on every request to find the
# backend; the folder does not change while the tests run.
backends.list_of_moto_modules = cache(lambda modules=backends.list_of_moto_modules: tuple(modules()))

# Files that each run the whole pipeline several times (1.5-2.5 min each), longest first. With `--dist loadfile`
# a file runs on one worker; collected in their folder order, two of them came last and left the other worker
# idle for minutes at the end.
LONGEST_FIRST = (
    "tests/test_flow.py",
    "tests/tickets/test_flow_lifecycle.py",
    "tests/production/test_deployed_run.py",
    "tests/companies/test_brightwave.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The longest files first (a stable sort: every other test keeps its order); a renamed one is named."""
    if missing := [path for path in LONGEST_FIRST if not (config.rootpath / path).is_file()]:
        raise pytest.UsageError(f"tests/conftest.py LONGEST_FIRST names files that do not exist: {missing}")
    rank = {path: n for n, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.relative_to(config.rootpath).as_posix(), len(rank)))


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

    with prefect_test_harness(server_startup_timeout=600):  # an upper bound: a loaded machine starts it slowly
        yield
