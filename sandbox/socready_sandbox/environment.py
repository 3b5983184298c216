"""Starts the whole sandbox: moto AWS and the Jira stand-in on loopback, seeded, with a scope file to use."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from socready_sandbox.aws import SANDBOX_CREDENTIALS
from socready_sandbox.aws_process import AwsProcess
from socready_sandbox.company import REGIONS
from socready_sandbox.exports import write_exports
from socready_sandbox.jira import JiraSandbox
from socready_sandbox.jira_company import seed_jira_company
from socready_sandbox.jira_seed import seed_jira

TOKEN_ENV = "SOCREADY_SANDBOX_JIRA_TOKEN"
JIRA_USER = "socready-bot@northwind.example"
SANDBOX_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", TOKEN_ENV)


@dataclass(frozen=True)
class SandboxInfo:
    folder: Path
    scope_path: Path
    aws_endpoint: str
    jira_url: str


class Sandbox:
    """Use as a context manager. Sets the process's AWS credentials and Jira token to sandbox-only values.

    Jira tickets persist in `folder/jira.json`, so a second run finds the first run's tickets; AWS is
    re-seeded identically on every start.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.scope_path = folder / "socready.yaml"
        self._aws: AwsProcess | None = None
        self._jira: JiraSandbox | None = None
        self._saved_env: dict[str, str | None] = {}

    @property
    def jira(self) -> JiraSandbox:
        if self._jira is None:
            raise RuntimeError("the sandbox is not started")
        return self._jira

    def start(self) -> SandboxInfo:
        self.folder.mkdir(parents=True, exist_ok=True)
        token = secrets.token_urlsafe(24)
        self._saved_env = {name: os.environ.get(name) for name in (*SANDBOX_ENV, "AWS_SESSION_TOKEN", "AWS_PROFILE")}
        os.environ.update(
            {
                "AWS_ACCESS_KEY_ID": SANDBOX_CREDENTIALS["aws_access_key_id"],
                "AWS_SECRET_ACCESS_KEY": SANDBOX_CREDENTIALS["aws_secret_access_key"],
                "AWS_DEFAULT_REGION": REGIONS[0],
                TOKEN_ENV: token,
            }
        )
        os.environ.pop("AWS_SESSION_TOKEN", None)
        os.environ.pop("AWS_PROFILE", None)
        self._aws = AwsProcess()  # seeds itself while this process seeds Jira
        self._jira = JiraSandbox(self.folder / "jira.json", user=JIRA_USER, token=token)
        jira_url = self._jira.start()
        seed_jira(self._jira)
        write_exports(self.folder)
        aws = self._aws.seeded()
        seed_jira_company(self._jira, aws.events)
        aws_endpoint = aws.endpoint
        template = files("socready_sandbox").joinpath("scope.yaml").read_text(encoding="utf-8")
        self.scope_path.write_text(template.replace("{aws_endpoint}", aws_endpoint).replace("{jira_url}", jira_url))
        return SandboxInfo(self.folder, self.scope_path, aws_endpoint, jira_url)

    def stop(self) -> None:
        if self._jira:
            self._jira.stop()
        if self._aws:
            self._aws.stop()
        for name, value in self._saved_env.items():  # leave the process's environment as it was
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def __enter__(self) -> SandboxInfo:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
