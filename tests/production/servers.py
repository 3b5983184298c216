"""Throwaway servers for the production tests: a PostgreSQL cluster in a temp folder and a Prefect server on it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))  # Debian's postgresql (installed by `make postgres`)
PREFECT = [sys.executable, "-m", "prefect"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres_user() -> dict:
    """initdb and postgres refuse to run as root: the cluster runs as `nobody` when the tests run as root."""
    return {"user": "nobody", "group": "nogroup"} if os.geteuid() == 0 else {}


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """A fresh cluster on a free loopback port (trust auth, fsync off: it is thrown away); yields its asyncpg URL."""
    if not PG_BIN:
        raise RuntimeError("PostgreSQL is not installed: run `make postgres` (Debian's postgresql package)")
    bin_dir = PG_BIN[-1]
    folder = Path(tempfile.mkdtemp(prefix="socready-pg-"))
    user = _as_postgres_user()
    if user:
        shutil.chown(folder, user["user"], user["group"])
    data, port = folder / "data", free_port()

    def run(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, timeout=120, **user)

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-c fsync=off -c listen_addresses=127.0.0.1 -p {port} -k {folder}"
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")
        try:
            yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def prefect_env(home: Path, api_url: str | None = None) -> dict[str, str]:
    """An environment for Prefect processes of these tests: own home, no analytics, and the given API."""
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "INFO",
    }
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


@contextmanager
def prefect_server(database_url: str, home: Path, log: Path) -> Iterator[str]:
    """`prefect server start` on the database (migrations run at start); yields its API URL once it is healthy."""
    port = free_port()
    env = prefect_env(home) | {"PREFECT_API_DATABASE_CONNECTION_URL": database_url}
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        api = f"http://127.0.0.1:{port}/api"
        try:
            wait_until(lambda: httpx.get(f"{api}/health", timeout=2).status_code == 200, 420, server, log)
            yield api
        finally:
            stop(server)


def wait_until(ready, timeout: float, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if ready():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"not ready after {timeout} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
