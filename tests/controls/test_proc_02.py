"""PROC-02 over the window: critical vendors' assurance reviews from a vendor register CSV (no AWS)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from socready.readiness.model import ControlResult
from tests.controls.file_fixtures import Supplier, vendor_register
from tests.helpers import make_scope, run_control

CONTROL = "PROC-02"
WINDOW_START, WINDOW_END = datetime(2026, 7, 1, 4, tzinfo=UTC), datetime(2026, 8, 1, 4, tzinfo=UTC)
CURRENT = (date(2025, 8, 1), date(2026, 7, 10))  # valid on every day of the window


def assess(tmp_path, suppliers: list[Supplier], drop: str | None = None) -> ControlResult:
    return run_control(make_scope(tmp_path, files=vendor_register(tmp_path, suppliers, drop)), CONTROL)


def intervals(result: ControlResult) -> list[tuple[str, datetime, datetime, str]]:
    return [(e.resource, e.start, e.end, e.value) for e in result.exceptions]


def test_critical_vendors_reviewed_within_a_year_on_every_day_operate(tmp_path):
    result = assess(tmp_path, [Supplier("Acme", CURRENT), Supplier("Globex", (date(2026, 3, 1),))])
    assert result.status == "operating", result.reason
    assert (result.population, result.coverage, result.clean_since) == (2, 1.0, date(2026, 7, 1))
    assert result.exceptions == result.coverage_gaps == []
    assert [e.source for e in result.evidence] == ["file.vendor_register"]


def test_lapsed_review_is_exception_from_expiry_to_next_review_local_midnights(tmp_path):
    result = assess(tmp_path, [Supplier("Acme", (date(2025, 7, 5), date(2026, 7, 20)))])
    assert result.status == "exception"
    assert intervals(result) == [
        (
            "vendor/Acme",
            datetime(2026, 7, 5, 4, tzinfo=UTC),
            datetime(2026, 7, 20, 4, tzinfo=UTC),
            "last review 2025-07-05 expired",
        )
    ]
    assert result.clean_since == date(2026, 7, 20)


def test_critical_vendor_without_review_is_exception_for_whole_window(tmp_path):
    result = assess(tmp_path, [Supplier("Acme")])
    assert result.status == "exception"
    assert intervals(result) == [("vendor/Acme", WINDOW_START, WINDOW_END, "no review on record")]
    assert result.exceptions[0].ongoing is False


def test_non_critical_vendors_are_not_assessed(tmp_path):
    result = assess(
        tmp_path, [Supplier("Acme", CURRENT), Supplier("Paperco", tier="low"), Supplier("Pager", tier="high")]
    )
    assert result.status == "operating", result.reason
    assert result.population == 1


def test_no_critical_vendor_is_operating_with_empty_population(tmp_path):
    result = assess(tmp_path, [Supplier("Paperco", tier="low"), Supplier("Pager", (date(2020, 1, 1),), tier="high")])
    assert result.status == "operating"
    assert result.population == 0
    assert "population for the window is empty" in result.reason
    assert "file.vendor_register" in result.reason


def test_vendor_onboarded_mid_window_is_assessed_from_onboarding_only(tmp_path):
    result = assess(tmp_path, [Supplier("Acme", onboarded=date(2026, 7, 15))])
    assert intervals(result) == [
        ("vendor/Acme", datetime(2026, 7, 15, 4, tzinfo=UTC), WINDOW_END, "no review on record")
    ]


def test_vendor_is_not_assessed_after_offboarding(tmp_path):
    suppliers = [
        Supplier("Acme", (date(2025, 7, 5),), offboarded=date(2026, 7, 3)),  # its review expired 2026-07-05
        Supplier("Gone", offboarded=date(2026, 6, 1)),  # never reviewed, left before the window
    ]
    result = assess(tmp_path, suppliers)
    assert result.status == "operating", result.reason
    assert result.population == 1


def test_only_the_lapsed_vendor_among_several_is_an_exception(tmp_path):
    suppliers = [
        Supplier("Acme", CURRENT),
        Supplier("Globex", (date(2025, 7, 10),)),
        Supplier("Initech", (date(2026, 1, 2),)),
    ]
    result = assess(tmp_path, suppliers)
    assert result.status == "exception"
    assert intervals(result) == [
        ("vendor/Globex", datetime(2026, 7, 10, 4, tzinfo=UTC), WINDOW_END, "last review 2025-07-10 expired")
    ]
    assert result.population == 3


def test_unparseable_review_date_is_no_evidence_naming_the_row(tmp_path):
    result = assess(tmp_path, [Supplier("Acme", CURRENT), Supplier("Globex", (date(2026, 1, 2), "Q3 2025"))])
    assert result.status == "no_evidence"
    assert result.exceptions == []
    [gap] = result.coverage_gaps
    assert (gap.resource, gap.start, gap.end) == ("vendor/Globex", WINDOW_START, WINDOW_END)
    assert gap.value == "vendor_register.csv row 3: SOC 2 Report Reviews 'Q3 2025' is not a date"


@pytest.mark.parametrize(
    ("drop", "content", "words"),
    [
        ("reviews", None, ["missing columns reviews", "'SOC 2 Report Reviews'"]),
        (None, "", ["cannot be read as a table"]),
    ],
    ids=["missing-reviews-column", "empty-file"],
)
def test_unusable_register_is_no_evidence(tmp_path, drop, content, words):
    files = vendor_register(tmp_path, [Supplier("Acme", CURRENT)], drop)
    if content is not None:
        (tmp_path / "vendor_register.csv").write_text(content, encoding="utf-8")
    result = run_control(make_scope(tmp_path, files=files), CONTROL)
    assert result.status == "no_evidence"
    assert result.clean_since is None
    assert all(word in result.reason for word in words), result.reason


def test_missing_register_file_is_no_evidence_with_collection_error(tmp_path):
    files = vendor_register(tmp_path, [Supplier("Acme", CURRENT)])
    (tmp_path / "vendor_register.csv").unlink()
    result = run_control(make_scope(tmp_path, files=files), CONTROL)
    assert result.status == "no_evidence"
    assert result.exceptions == []
    [error] = result.collection_errors
    assert error.startswith("file.vendor_register: FileNotFoundError"), error
