"""PROC-03 over the window: every vendor handling customer data had a signed DPA on every day it was active."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from socready.readiness.model import ControlResult
from tests.controls.file_fixtures import Supplier, vendor_register
from tests.helpers import make_scope, run_control

CONTROL = "PROC-03"
WINDOW_START, WINDOW_END = datetime(2026, 7, 1, 4, tzinfo=UTC), datetime(2026, 8, 1, 4, tzinfo=UTC)


def assess(tmp_path, suppliers: list[Supplier], drop: str | None = None) -> ControlResult:
    return run_control(make_scope(tmp_path, files=vendor_register(tmp_path, suppliers, drop)), CONTROL)


def intervals(result: ControlResult) -> list[tuple[str, datetime, datetime, str]]:
    return [(e.resource, e.start, e.end, e.value) for e in result.exceptions]


def test_customer_data_vendors_with_signed_dpas_operate(tmp_path):
    suppliers = [
        Supplier("Acme", customer_data="yes", dpa_signed=date(2024, 3, 1)),
        Supplier("Globex", customer_data="TRUE", onboarded=date(2026, 7, 20), dpa_signed=date(2026, 7, 20)),
        Supplier("Paperco", customer_data="no"),  # no customer data: not in the population
        Supplier("Gone", customer_data="yes", offboarded=date(2026, 6, 30)),  # left before the window
    ]
    result = assess(tmp_path, suppliers)
    assert result.status == "operating", result.reason
    assert (result.population, result.coverage) == (2, 1.0)


def test_dpa_signed_mid_window_is_exception_until_the_signing_day(tmp_path):
    result = assess(tmp_path, [Supplier("Acme", customer_data="yes", dpa_signed=date(2026, 7, 27))])
    assert intervals(result) == [
        ("vendor/Acme", WINDOW_START, datetime(2026, 7, 27, 4, tzinfo=UTC), "no signed DPA until 2026-07-27")
    ]
    assert result.clean_since == date(2026, 7, 27)


def test_vendor_without_dpa_is_exception_while_active_only(tmp_path):
    suppliers = [Supplier("Acme", customer_data="y", onboarded=date(2026, 7, 10), offboarded=date(2026, 7, 20))]
    result = assess(tmp_path, suppliers)
    assert intervals(result) == [
        ("vendor/Acme", datetime(2026, 7, 10, 4, tzinfo=UTC), datetime(2026, 7, 21, 4, tzinfo=UTC), "no signed DPA")
    ]


@pytest.mark.parametrize(
    ("signed", "late"),
    [("2026-07-11T03:59:00Z", False), ("2026-07-11T04:01:00Z", True)],
    ids=["23:59-EDT", "00:01-EDT"],
)
def test_signing_day_is_a_local_day(tmp_path, signed, late):
    result = assess(tmp_path, [Supplier("Acme", customer_data="yes", onboarded=date(2026, 7, 10), dpa_signed=signed)])
    assert [(e.start, e.end) for e in result.exceptions] == (
        [(datetime(2026, 7, 10, 4, tzinfo=UTC), datetime(2026, 7, 11, 4, tzinfo=UTC))] if late else []
    )


def test_no_customer_data_vendor_is_an_empty_population(tmp_path):
    result = assess(tmp_path, [Supplier("Paperco", customer_data="No")])
    assert (result.status, result.population) == ("operating", 0)


def test_only_the_vendor_without_dpa_among_three_is_an_exception(tmp_path):
    suppliers = [
        Supplier("Acme", customer_data="yes", dpa_signed=date(2025, 1, 1)),
        Supplier("Globex", customer_data="yes"),
        Supplier("Initech", customer_data="yes", dpa_signed=date(2026, 6, 1)),
    ]
    result = assess(tmp_path, suppliers)
    assert intervals(result) == [("vendor/Globex", WINDOW_START, WINDOW_END, "no signed DPA")]
    assert result.population == 3


def test_bad_rows_are_reported_and_the_rest_of_the_register_is_used(tmp_path):
    suppliers = [
        Supplier("Acme", customer_data="yes", dpa_signed=date(2025, 1, 1)),
        Supplier("Globex", customer_data="maybe"),
        Supplier("Initech", customer_data="yes", dpa_signed="signed"),
        Supplier("Paperco", customer_data="no", dpa_signed="n/a"),  # not handling customer data: not read
    ]
    result = assess(tmp_path, suppliers)
    assert result.status == "no_evidence"
    assert [(g.resource, g.start, g.end, g.value) for g in result.coverage_gaps] == [
        (
            "vendor/Globex",
            WINDOW_START,
            WINDOW_END,
            "vendor_register.csv row 3: Processes Customer Data 'maybe' is not yes or no",
        ),
        ("vendor/Initech", WINDOW_START, WINDOW_END, "vendor_register.csv row 4: DPA Signed 'signed' is not a date"),
    ]


def test_register_without_the_customer_data_column_is_no_evidence(tmp_path):
    result = assess(tmp_path, [Supplier("Acme")], drop="customer_data")
    assert result.status == "no_evidence"
    assert "customer_data (column 'Processes Customer Data')" in result.reason
