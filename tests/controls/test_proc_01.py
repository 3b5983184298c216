"""PROC-01 over the window: every vendor whose contract starts in it was tiered and approved by that day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from socready.readiness.model import ControlResult
from tests.controls.file_fixtures import Supplier, vendor_register
from tests.helpers import make_scope, run_control

CONTROL = "PROC-01"
START = date(2026, 7, 15)
START_UTC = datetime(2026, 7, 15, 4, tzinfo=UTC)
AS_OF = datetime(2026, 8, 2, 4, tzinfo=UTC)


def assess(tmp_path, suppliers: list[Supplier], drop: str | None = None) -> ControlResult:
    return run_control(make_scope(tmp_path, files=vendor_register(tmp_path, suppliers, drop)), CONTROL)


def intervals(result: ControlResult) -> list[tuple[str, datetime, datetime, str]]:
    return [(e.resource, e.start, e.end, e.value) for e in result.exceptions]


def test_new_vendors_tiered_and_approved_by_contract_start_operate(tmp_path):
    suppliers = [
        Supplier("Acme", tier="high", onboarded=START, tier_approved=date(2026, 7, 1)),
        Supplier("Globex", tier="low", onboarded=date(2026, 7, 2), tier_approved=date(2026, 7, 2)),
        Supplier("Oldco", tier="", onboarded=date(2023, 1, 1)),  # added before the window
    ]
    result = assess(tmp_path, suppliers)
    assert result.status == "operating", result.reason
    assert (result.population, result.coverage) == (2, 1.0)


def test_contract_started_before_approval_is_exception_until_approval(tmp_path):
    result = assess(tmp_path, [Supplier("Acme", tier="high", onboarded=START, tier_approved=date(2026, 7, 22))])
    assert intervals(result) == [
        (
            "vendor/Acme",
            START_UTC,
            datetime(2026, 7, 22, 4, tzinfo=UTC),
            "risk tier approval 2026-07-22, after contract start 2026-07-15",
        )
    ]
    assert result.clean_since == date(2026, 7, 22)


@pytest.mark.parametrize(
    ("supplier", "value"),
    [
        (
            Supplier("Acme", tier="", onboarded=START, tier_approved=date(2026, 7, 1)),
            "no risk tier, contract start 2026-07-15",
        ),
        (Supplier("Acme", tier="high", onboarded=START), "no risk tier approval on record, contract start 2026-07-15"),
    ],
    ids=["untiered", "never-approved"],
)
def test_untiered_or_unapproved_vendor_is_exception_until_as_of(tmp_path, supplier, value):
    result = assess(tmp_path, [supplier])
    assert intervals(result) == [("vendor/Acme", START_UTC, AS_OF, value)]


def test_approval_at_2359_local_on_contract_start_counts_and_0001_the_next_day_does_not(tmp_path):
    suppliers = [
        Supplier("Acme", tier="high", onboarded=START, tier_approved="2026-07-16T03:59:00Z"),
        Supplier("Globex", tier="high", onboarded=START, tier_approved="2026-07-16T00:01:00-04:00"),
    ]
    result = assess(tmp_path, suppliers)
    assert [(e.resource, e.end) for e in result.exceptions] == [("vendor/Globex", datetime(2026, 7, 16, 4, tzinfo=UTC))]


def test_no_vendor_added_in_the_window_is_an_empty_population(tmp_path):
    suppliers = [Supplier("Oldco", onboarded=date(2026, 6, 30)), Supplier("Nextco", onboarded=date(2026, 8, 1))]
    result = assess(tmp_path, suppliers)
    assert (result.status, result.population) == ("operating", 0)
    assert result.reason == (
        "0 of 2 rows of vendor_register.csv (file.vendor_register) have a contract start day in the window "
        "(2026-07-01 to 2026-07-31)."
    )


def test_bad_rows_are_reported_and_the_rest_of_the_register_is_used(tmp_path):
    suppliers = [
        Supplier("Acme", tier="high", onboarded=START, tier_approved=date(2026, 7, 20)),
        Supplier("Globex", tier="high", onboarded="mid-July", tier_approved=date(2026, 7, 1)),
        Supplier("Initech", tier="high", onboarded=START, tier_approved="TBD"),
        Supplier("Umbrella", tier="low", onboarded=START, tier_approved=date(2026, 7, 1)),
    ]
    result = assess(tmp_path, suppliers)
    assert result.status == "exception"
    assert [e.resource for e in result.exceptions] == ["vendor/Acme"]
    assert [(g.resource, g.value) for g in result.coverage_gaps] == [
        ("vendor/Globex", "vendor_register.csv row 3: Contract Start 'mid-July' is not a date"),
        ("vendor/Initech", "vendor_register.csv row 4: Tier Approved On 'TBD' is not a date"),
    ]
    assert (result.population, result.coverage) == (4, 0.5)


def test_register_without_the_approval_column_is_no_evidence(tmp_path):
    result = assess(tmp_path, [Supplier("Acme", onboarded=START)], drop="tier_approved")
    assert result.status == "no_evidence"
    assert "tier_approved (column 'Tier Approved On')" in result.reason
