"""ENG-INC-02 through the sandbox Jira: severity and owner set within the triage SLA of opening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from socready.readiness.model import ControlResult
from tests.controls.jira_fixtures import jira_sandbox, jira_scope, seed_ticket
from tests.helpers import make_scope, run_control

CONTROL = "ENG-INC-02"
OPENED = datetime(2026, 7, 6, 9, tzinfo=UTC)
SEVERITY = "customfield_10044"


@pytest.fixture
def jira(monkeypatch):
    yield from jira_sandbox(monkeypatch)


def incident(jira, severity_after: timedelta | None, *, opened: datetime = OPENED) -> str:
    """An incident with its owner set at creation and its severity set `severity_after` opening (0: at creation,
    None: never)."""
    fields, steps = {}, []
    if severity_after == timedelta(0):
        fields[SEVERITY] = {"value": "Sev2"}
    elif severity_after is not None:
        fields[SEVERITY] = {"value": "Sev2"}
        steps.append((opened + severity_after, "u-carol", [("Severity", None, "Sev2")]))
    return seed_ticket(jira, "INC", "Incident", opened, issue_type="Incident", fields=fields, steps=steps)


def assess(jira, folder, **extra) -> ControlResult:
    return run_control(make_scope(folder, jira=jira_scope(jira), **extra), CONTROL)


def test_incidents_triaged_at_creation_or_within_the_sla_operate(jira, tmp_path):
    incident(jira, timedelta(0))
    incident(jira, timedelta(hours=20))  # the decoy beside the late one below: inside 24 h
    result = assess(jira, tmp_path)
    assert result.status == "operating", result.reason
    assert result.population == 2


def test_severity_set_thirty_hours_after_opening_is_an_exception_from_opening_to_triage(jira, tmp_path):
    incident(jira, timedelta(hours=20))
    key = incident(jira, timedelta(hours=30))
    result = assess(jira, tmp_path)
    [exception] = result.exceptions
    assert exception.resource == f"incident/{key}"
    assert (exception.start, exception.end) == (OPENED, OPENED + timedelta(hours=30))
    assert exception.reason == "The incident was not triaged (severity and owner set) within 24 hours."
    assert "severity set 2026-07-07 15:00 UTC" in exception.value


def test_an_incident_never_given_a_severity_is_an_exception_naming_what_is_missing(jira, tmp_path):
    key = incident(jira, None)
    [exception] = assess(jira, tmp_path).exceptions
    assert exception.resource == f"incident/{key}" and exception.value.startswith("no severity by ")


def test_a_scope_override_of_the_triage_hours_accepts_the_slower_triage(jira, tmp_path):
    incident(jira, timedelta(hours=30))
    controls = {CONTROL: {"parameters": {"triage_hours": 48}}}
    result = assess(jira, tmp_path, controls=controls)
    assert result.status == "operating", result.reason


def test_no_incidents_in_the_window_is_an_empty_population_read_from_jira(jira, tmp_path):
    incident(jira, timedelta(hours=30), opened=datetime(2025, 1, 6, 9, tzinfo=UTC))  # before the window
    result = assess(jira, tmp_path)
    assert (result.status, result.population) == ("operating", 0), result.reason
