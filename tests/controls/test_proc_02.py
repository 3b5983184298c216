"""PROC-02 over the window: critical vendors' assurance reviews from a vendor register CSV (no AWS), and from
vendor-review tickets in the sandbox Jira when the scope sets jira.vendor_reviews."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from jira import JIRA

from socready.applicability import plan_assessments
from socready.assess import assess_control
from socready.catalog import load_catalog
from socready.collect import collect
from socready.evidence import open_store
from socready.evidence.view import EvidenceView
from socready.readiness.model import ControlResult
from socready_sandbox.jira import DEFAULT_TOKEN
from tests.controls.file_fixtures import Supplier, vendor_register
from tests.controls.jira_fixtures import jira_sandbox, jira_scope, seed_ticket
from tests.helpers import make_scope, run_control, window_of

CONTROL = "PROC-02"
WINDOW_START, WINDOW_END = datetime(2026, 7, 1, 4, tzinfo=UTC), datetime(2026, 8, 1, 4, tzinfo=UTC)
CURRENT = (date(2025, 8, 1), date(2026, 7, 10))  # valid on every day of the window
NEW_YORK = ZoneInfo("America/New_York")
LAPSING = (date(2025, 7, 5),)  # expires on 2026-07-05, inside the window
EXPIRED = "last review 2025-07-05 expired"


def assess(tmp_path, suppliers: list[Supplier], drop: str | None = None) -> ControlResult:
    return run_control(make_scope(tmp_path, files=vendor_register(tmp_path, suppliers, drop)), CONTROL)


def intervals(result: ControlResult) -> list[tuple[str, datetime, datetime, str]]:
    return [(e.resource, e.start, e.end, e.value) for e in result.exceptions]


def test_critical_vendors_reviewed_within_a_year_on_every_day_operate(tmp_path):
    result = assess(tmp_path, [Supplier("Acme", CURRENT), Supplier("Globex", (date(2026, 3, 1),))])
    assert result.status == "operating", result.reason
    assert (result.population, result.coverage, result.clean_since) == (2, 1.0, date(2026, 7, 1))
    assert result.exceptions == result.coverage_gaps == result.collection_errors == []
    assert [s.source for s in result.evidence.sources if s.objects] == ["file.vendor_register"]


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


# --- reviews recorded as Jira tickets (jira.vendor_reviews) --------------------------------------------------------


@pytest.fixture
def jira(monkeypatch):
    yield from jira_sandbox(monkeypatch)


def review(jira, summary: str, done: datetime | None, fields: dict | None = None) -> str:
    created = (done or datetime(2026, 7, 1, 12, tzinfo=UTC)) - timedelta(days=7)
    return seed_ticket(jira, "VRV", summary, created, done, who="u-carol", fields=fields)


def with_jira(jira, folder, suppliers: list[Supplier], fields: dict | None = None, **settings) -> ControlResult:
    files = vendor_register(folder, suppliers)
    return run_control(make_scope(folder, jira=jira_scope(jira, fields, **settings), files=files), CONTROL)


def test_a_review_only_in_jira_keeps_the_vendor_reviewed(jira, tmp_path):
    review(jira, "Acme SOC 2 report review", datetime(2026, 7, 3, 15, tzinfo=NEW_YORK))
    result = with_jira(jira, tmp_path, [Supplier("Acme", LAPSING)])
    assert result.status == "operating", result.reason
    assert result.population == 1
    assert {s.source for s in result.evidence.sources if s.objects} == {"file.vendor_register", "jira.vendor_reviews"}


def test_a_jira_review_ends_a_lapse_on_its_local_day(jira, tmp_path):
    """Resolved 23:30 in New York on 20 July (03:30 UTC on the 21st): the review counts from 20 July. The summary
    names the vendor regardless of case; a ticket naming another vendor does not count for it."""
    review(jira, "ACME assurance report review", datetime(2026, 7, 20, 23, 30, tzinfo=NEW_YORK))
    review(jira, "Globex SOC 2 report review", datetime(2026, 7, 10, 10, tzinfo=NEW_YORK))
    result = with_jira(jira, tmp_path, [Supplier("Acme", LAPSING), Supplier("Globex", LAPSING)])
    assert intervals(result) == [
        ("vendor/Acme", datetime(2026, 7, 5, tzinfo=NEW_YORK), datetime(2026, 7, 20, tzinfo=NEW_YORK), EXPIRED),
        ("vendor/Globex", datetime(2026, 7, 5, tzinfo=NEW_YORK), datetime(2026, 7, 10, tzinfo=NEW_YORK), EXPIRED),
    ]
    assert result.population == 2


def test_a_lapse_after_a_review_only_in_jira_names_and_cites_its_ticket(jira, tmp_path):
    key = review(jira, "Acme SOC 2 report review", datetime(2025, 7, 5, 15, tzinfo=NEW_YORK))
    result = with_jira(jira, tmp_path, [Supplier("Acme", (date(2026, 7, 20),))])
    [lapse] = result.exceptions
    assert (lapse.start, lapse.end) == (datetime(2026, 7, 5, tzinfo=NEW_YORK), datetime(2026, 7, 20, tzinfo=NEW_YORK))
    assert lapse.value == f"last review 2025-07-05 ({key}) expired"
    sources = {e.sha256: e.source for e in result.evidence.cited}
    assert sorted(sources[sha] for sha in lapse.evidence) == ["file.vendor_register", "jira.vendor_reviews"]


def test_a_review_named_in_the_mapped_vendor_field(jira, tmp_path):
    """The field's value is matched trimmed and regardless of case; with a field mapped, summaries are not read."""
    review(jira, "Annual assurance review", datetime(2026, 7, 3, 15, tzinfo=NEW_YORK), {"customfield_10049": " ACME "})
    review(jira, "Globex SOC 2 report review", datetime(2026, 7, 3, 15, tzinfo=NEW_YORK))
    suppliers = [Supplier("Acme", LAPSING), Supplier("Globex", LAPSING)]
    result = with_jira(jira, tmp_path, suppliers, {"vendor": "customfield_10049"})
    assert intervals(result) == [("vendor/Globex", datetime(2026, 7, 5, tzinfo=NEW_YORK), WINDOW_END, EXPIRED)]


def test_a_jira_review_resolved_as_wont_do_does_not_count(monkeypatch, tmp_path):
    closed = datetime(2026, 7, 3, 15, tzinfo=UTC)
    for jira in jira_sandbox(monkeypatch, clock=lambda: closed):
        key = review(jira, "Acme SOC 2 report review", None)
        client = JIRA(server=jira.url, basic_auth=(jira.user, DEFAULT_TOKEN))
        client.transition_issue(key, "21", fields={"resolution": {"name": "Won't Do"}})
        client.close()
        result = with_jira(jira, tmp_path, [Supplier("Acme", LAPSING)])
        assert result.status == "exception"
        assert [(e.start, e.end, e.value) for e in result.exceptions] == [
            (datetime(2026, 7, 5, tzinfo=NEW_YORK), WINDOW_END, "last review 2025-07-05 expired")
        ]
        (tmp_path / "counted").mkdir()
        counted = with_jira(jira, tmp_path / "counted", [Supplier("Acme", LAPSING)], {"not_done_resolutions": []})
        assert counted.status == "operating", counted.reason


def test_a_failed_read_of_configured_review_tickets_is_no_evidence_not_a_pass(jira, tmp_path):
    """The register alone shows every vendor reviewed; the tickets could not be read, so nothing is decided."""
    jira.inject_faults(status=410, path_contains="/search/jql")
    result = with_jira(jira, tmp_path, [Supplier("Acme", CURRENT)])
    assert result.status == "no_evidence"
    assert result.collection_errors == ['jira.vendor_reviews: JiraEndpointRemoved on project = "VRV"']


def test_configured_review_tickets_missing_from_the_run_are_no_evidence(jira, tmp_path):
    files = vendor_register(tmp_path, [Supplier("Acme", CURRENT)])
    scope = make_scope(tmp_path, jira=jira_scope(jira), files=files)
    plan = next(p for p in plan_assessments(load_catalog(), scope) if p.control.id == CONTROL)
    window, store = window_of(scope), open_store(scope.evidence_store)
    manifest = collect(scope, window, store, ["file.vendor_register"])  # the run never read jira.vendor_reviews
    result = assess_control(plan, scope, window, EvidenceView(store, manifest), store)
    assert result.status == "no_evidence"
    assert "jira.vendor_reviews has no complete collection" in result.reason


def test_a_jira_section_without_vendor_reviews_reads_the_register_only(jira, tmp_path):
    review(jira, "Acme SOC 2 report review", datetime(2026, 7, 3, 15, tzinfo=NEW_YORK))  # not read
    result = with_jira(jira, tmp_path, [Supplier("Acme", LAPSING)], vendor_reviews=None)
    assert result.status == "exception"
    read = [s.source for s in result.evidence.sources if s.objects]
    assert (result.collection_errors, read) == ([], ["file.vendor_register"])
