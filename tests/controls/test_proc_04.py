"""PROC-04: every vendor offboarded in the register has a vendor-offboarding ticket (sandbox Jira) closed in time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from socready.readiness.model import ControlResult
from tests.controls.file_fixtures import Supplier, vendor_register
from tests.controls.jira_fixtures import jira_sandbox, jira_scope, seed_ticket
from tests.helpers import make_scope, run_control

CONTROL = "PROC-04"
NEW_YORK = ZoneInfo("America/New_York")
ENDED = date(2026, 7, 10)
CLOCK = datetime(2026, 7, 11, tzinfo=NEW_YORK)


@pytest.fixture
def jira(monkeypatch):
    yield from jira_sandbox(monkeypatch)


def offboarding(jira, vendor: str, closed: datetime | None) -> str:
    return seed_ticket(jira, "VOFF", f"Offboard vendor {vendor}", CLOCK - timedelta(days=3), closed)


def assess(jira, folder, suppliers: list[Supplier], as_of: datetime | None = None, **extra) -> ControlResult:
    files = vendor_register(folder, suppliers)
    return run_control(make_scope(folder, jira=jira_scope(jira), files=files, **extra), CONTROL, as_of)


def test_a_vendor_offboarded_within_30_days_operates(jira, tmp_path):
    offboarding(jira, "Fax Relay", CLOCK + timedelta(days=12))
    result = assess(jira, tmp_path, [Supplier("Fax Relay", offboarded=ENDED), Supplier("CloudMail")])
    assert result.status == "operating", result.reason
    assert result.population == 1


def test_a_vendor_offboarding_closed_late_is_an_exception(jira, tmp_path):
    closed = CLOCK + timedelta(days=40)
    offboarding(jira, "Fax Relay", closed)
    suppliers = [Supplier("Fax Relay", offboarded=ENDED)]
    [exception] = assess(jira, tmp_path, suppliers, as_of=closed + timedelta(days=1)).exceptions
    assert (exception.resource, exception.start, exception.end) == ("vendor/Fax Relay", CLOCK, closed)
    assert exception.reason == "The vendor-offboarding ticket was not closed within 30 days of the contract's end."


def test_many_vendors_with_a_shorter_sla(jira, tmp_path):
    offboarding(jira, "Fax Relay", CLOCK + timedelta(days=5))
    offboarding(jira, "Print Co", CLOCK + timedelta(days=9))
    suppliers = [Supplier("Fax Relay", offboarded=ENDED), Supplier("Print Co", offboarded=ENDED), Supplier("Old")]
    result = assess(
        jira,
        tmp_path,
        [*suppliers, Supplier("Gone", offboarded=ENDED)],
        controls={CONTROL: {"parameters": {"sla_days": 7}}},
    )
    assert result.population == 3
    assert [e.resource for e in result.exceptions] == ["vendor/Gone", "vendor/Print Co"]


def test_no_vendor_offboarded_in_the_window_is_an_empty_population(jira, tmp_path):
    result = assess(jira, tmp_path, [Supplier("CloudMail"), Supplier("Old", offboarded=date(2025, 12, 1))])
    assert (result.status, result.population) == ("operating", 0)
    assert result.reason == "The population for the window is empty, as file.vendor_register shows."


def test_a_register_without_the_offboarded_column_is_unusable(jira, tmp_path):
    files = vendor_register(tmp_path, [Supplier("CloudMail")], drop="offboarded")
    result = run_control(make_scope(tmp_path, jira=jira_scope(jira), files=files), CONTROL)
    assert result.status == "no_evidence"
    assert "missing columns offboarded" in result.reason
