"""Brightwave live on loopback (moto, the Jira sandbox), and socready's collection and assessment run over it the
way `socready run` does, without Prefect: the same stage functions, called in order."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from socready.applicability import needed_sources, plan_assessments
from socready.assess import assess_run
from socready.catalog import load_catalog
from socready.collect import collect
from socready.evidence import open_store
from socready.evidence.view import EvidenceView
from socready.readiness.model import ControlResult
from socready.scope import Scope
from socready.scope.loader import scope_from_text
from socready.window import Window
from socready_sandbox.aws import SANDBOX_CREDENTIALS, start_moto
from socready_sandbox.jira import JiraSandbox
from tests.companies import brightwave as bw
from tests.companies.seed import scope, seed_aws, seed_jira, write_company

TOKEN_ENV = "BRIGHTWAVE_JIRA_TOKEN"
JIRA_USER = "socready@brightwave.example"


@dataclass(frozen=True)
class Run:
    results: list[ControlResult]
    unsupported: list[str]  # scope settings this socready rejects: left out of the run, and listed as misses


@contextmanager
def live_company(folder: Path) -> Iterator[Path]:
    """Starts and seeds Brightwave; yields its scope file. The AWS credentials and Jira token are loopback-only."""
    token = secrets.token_urlsafe(24)
    server, endpoint = start_moto()
    jira = JiraSandbox(user=JIRA_USER, token=token, user_timezone=bw.TIMEZONE)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", SANDBOX_CREDENTIALS["aws_access_key_id"])
        patch.setenv("AWS_SECRET_ACCESS_KEY", SANDBOX_CREDENTIALS["aws_secret_access_key"])
        patch.setenv("AWS_DEFAULT_REGION", bw.EU)
        patch.delenv("AWS_SESSION_TOKEN", raising=False)
        patch.delenv("AWS_PROFILE", raising=False)
        patch.setenv(TOKEN_ENV, token)
        try:
            org_id = seed_aws(endpoint)
            url = jira.start()
            seed_jira(jira)
            yield write_company(folder, scope(endpoint, url, JIRA_USER, TOKEN_ENV, org_id))
        finally:
            jira.stop()
            server.stop()


def accepted_scope(path: Path) -> tuple[Scope, list[str]]:
    """The scope as this socready reads it: settings it does not know yet are left out and named, so the run can
    still say how far the rest gets (the test fails on them all the same). Any other error is the loader's."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    unsupported: list[str] = []
    while True:
        try:
            Scope.model_validate(raw)
        except ValidationError as exc:
            if extra := [e["loc"] for e in exc.errors() if e["type"] == "extra_forbidden"]:
                for loc in extra:
                    holder = raw
                    for part in loc[:-1]:
                        holder = holder[part]
                    del holder[loc[-1]]
                    unsupported.append(".".join(str(p) for p in loc))
                continue
        return scope_from_text(yaml.safe_dump(raw), source=str(path), base=path.parent), unsupported


def assess(path: Path, as_of: datetime) -> Run:
    """Collect every source the in-scope controls need (carrying what earlier runs fetched), then assess each
    control."""
    scope_, unsupported = accepted_scope(path)
    window = Window(scope_.window.start, scope_.window.end, scope_.window.timezone, as_of)
    store = open_store(scope_.evidence_store, endpoint_url=scope_.aws.endpoint_url if scope_.aws else None)
    plans = plan_assessments(load_catalog(), scope_)
    manifest = collect(scope_, window, store, needed_sources(plans))
    view = EvidenceView(store, manifest)
    return Run(assess_run(plans, scope_, window, view, store), unsupported)


def full_and_mid_window(path: Path) -> tuple[Run, Run]:
    """A run after the window closed (as of now, like `socready run`), then one as of mid-window over the same
    evidence store: the later evidence is there, and the hard cut must leave it out."""
    return assess(path, datetime.now(UTC)), assess(path, bw.AS_OF)
