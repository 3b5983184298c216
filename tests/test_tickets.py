"""Gap tickets through the real `jira` client against the sandbox Jira over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from socready.catalog import load_catalog
from socready.errors import ScopeError, TicketError
from socready.readiness.model import ControlResult, ExceptionInterval
from socready.readiness.verdicts import lacking_evidence
from socready.sandbox.jira_seed import seed_jira
from socready.sandbox.jira_server import JiraSandbox
from socready.tickets.content import fingerprint, fingerprint_label
from socready.tickets.sync import sync_tickets
from tests.helpers import make_scope

TOKEN = "test-token-not-a-secret"
OWNERS = {
    "engineering": {"project": "SEC", "assignee": "acc-eng-lead", "component": "Cloud Security"},
    "procurement": {"project": "VEND", "assignee": "acc-proc-lead"},
}


@pytest.fixture
def jira(monkeypatch) -> JiraSandbox:
    server = JiraSandbox(None, user="bot@example.com", token=TOKEN)
    server.start()
    seed_jira(server)
    monkeypatch.setenv("TEST_JIRA_TOKEN", TOKEN)
    yield server
    server.stop()


def scope_for(jira: JiraSandbox, tmp_path, **extra):
    jira_spec = {"url": jira.url, "user": "bot@example.com", "token_env": "TEST_JIRA_TOKEN"}
    return make_scope(tmp_path, jira=jira_spec, owners=OWNERS, **extra)


def gap(control_id: str = "ENG-LOG-01", end_day: int = 16) -> ControlResult:
    result = lacking_evidence(load_catalog()[control_id], "placeholder", [], [])
    exception = ExceptionInterval(
        resource="account/111111111111",
        start=datetime(2026, 7, 14, tzinfo=UTC),
        end=datetime(2026, 7, end_day, tzinfo=UTC),
        reason="It stopped.",
        value="stopped",
    )
    return result.model_copy(update={"status": "exception", "reason": "It stopped.", "exceptions": [exception]})


def quiet(_: str) -> None:
    return None


def test_creates_one_routed_ticket_per_gap_and_a_rerun_creates_none(jira, tmp_path):
    scope = scope_for(jira, tmp_path)
    results = [gap("ENG-LOG-01"), gap("PROC-02")]
    first = sync_tickets(results, scope, "out/report.html", dry_run=False, show=quiet)
    assert {r.action for r in first.values()} == {"created"}
    issues = {i["fields"]["project"]["key"]: i for i in jira.issues()}
    assert set(issues) == {"SEC", "VEND"}
    sec = issues["SEC"]["fields"]
    assert sec["assignee"]["accountId"] == "acc-eng-lead"
    assert [c["name"] for c in sec["components"]] == ["Cloud Security"]
    assert fingerprint_label(fingerprint("Fixture Co", "ENG-LOG-01")) in sec["labels"]
    assert "account/111111111111" in sec["description"] and TOKEN not in sec["description"]
    second = sync_tickets(results, scope, "out/report.html", dry_run=False, show=quiet)
    assert {r.action for r in second.values()} == {"unchanged"}
    assert {r.key for r in second.values()} == {r.key for r in first.values()}
    assert len(jira.issues()) == 2


def test_changed_exceptions_update_the_same_ticket(jira, tmp_path):
    scope = scope_for(jira, tmp_path)
    created = sync_tickets([gap(end_day=16)], scope, "r.html", dry_run=False, show=quiet)["ENG-LOG-01"]
    updated = sync_tickets([gap(end_day=18)], scope, "r.html", dry_run=False, show=quiet)["ENG-LOG-01"]
    assert (updated.key, updated.action) == (created.key, "updated")
    [issue] = jira.issues()
    assert "2026-07-18" in issue["fields"]["description"]


def test_dry_run_prints_plan_and_writes_nothing(jira, tmp_path):
    lines: list[str] = []
    refs = sync_tickets([gap()], scope_for(jira, tmp_path), "r.html", dry_run=True, show=lines.append)
    assert refs == {} and jira.issues() == []
    assert any(line.strip().startswith("create") and "ENG-LOG-01" in line for line in lines)


def test_operating_controls_get_no_ticket(jira, tmp_path):
    ok = gap().model_copy(update={"status": "operating", "exceptions": []})
    assert sync_tickets([ok], scope_for(jira, tmp_path), "r.html", dry_run=False, show=quiet) == {}
    assert jira.issues() == []


def test_missing_token_and_missing_owner_route_are_clear_errors(jira, tmp_path, monkeypatch):
    scope = scope_for(jira, tmp_path)
    monkeypatch.delenv("TEST_JIRA_TOKEN")
    with pytest.raises(ScopeError, match="TEST_JIRA_TOKEN"):
        sync_tickets([gap()], scope, "r.html", dry_run=False, show=quiet)
    monkeypatch.setenv("TEST_JIRA_TOKEN", TOKEN)
    unrouted = scope_for(jira, tmp_path).model_copy(update={"owners": {}})
    with pytest.raises(TicketError, match=r"owners\.engineering"):
        sync_tickets([gap()], unrouted, "r.html", dry_run=False, show=quiet)


def test_rate_limited_jira_is_retried(jira, tmp_path):
    jira.inject_faults(status=429, times=1, retry_after=1, path_contains="/issue")
    refs = sync_tickets([gap()], scope_for(jira, tmp_path), "r.html", dry_run=False, show=quiet)
    assert refs["ENG-LOG-01"].action == "created" and len(jira.issues()) == 1
