"""The scorer: a gap counts only with its resource, status and both ends within a day; any exception off the
planted list is false; `operating` on an empty population passes only when its reason names the proof."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from socready.readiness.model import ControlResult, CoverageGap, ExceptionInterval
from tests.companies.model import Decoy, Gap, Truth
from tests.companies.score import score

T0 = datetime(2026, 2, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)
TRUTH = Truth(
    gaps=(
        Gap("ENG-X", "res/late", "exception", T0, T0 + 3 * DAY),
        Gap("ENG-Y", "res/unread", "no_evidence", T0, T0 + 10 * DAY),
        Gap("ENG-X", "res/after", "exception", T0 + 40 * DAY, T0 + 41 * DAY),
    ),
    decoys=(Decoy("ENG-X", "res/clean"),),
    proofs={"ENG-Z": "aws.kms.keys"},
    empty={"ENG-W": "no source configured"},
)


def result(control: str, status: str = "operating", *, population: int = 1, reason: str = "", **lists) -> ControlResult:
    return ControlResult(
        id=control,
        title=control,
        owner="engineering",
        kind="state",
        severity="high",
        criteria=["CC6.1"],
        categories=["security"],
        status=status,
        reason=reason,
        clean_since=None,
        coverage=1.0,
        population=population,
        exceptions=lists.get("exceptions", []),
        coverage_gaps=lists.get("gaps", []),
        evidence=None,
        remediation="",
    )


def exception(resource: str, start: datetime, end: datetime) -> ExceptionInterval:
    return ExceptionInterval(resource=resource, start=start, end=end, reason="r", value="v")


def test_found_within_a_day_and_misses_named():
    results = [
        result("ENG-X", "exception", exceptions=[exception("res/late", T0 + timedelta(hours=20), T0 + 4 * DAY)]),
        result(
            "ENG-Y",
            "no_evidence",
            gaps=[CoverageGap(resource="res/unread", start=T0, end=T0 + 8 * DAY, reason="r", value="v")],
        ),
    ]
    found = score(results, TRUTH)
    assert (found.found, found.total) == (1, 3)
    assert [m.split(":")[0] for m in found.misses] == ["ENG-Y res/unread", "ENG-X res/after"]
    assert "no_evidence 2026-02-01 12:00Z..2026-02-09 12:00Z" in found.misses[0]  # what was seen instead


def test_a_run_as_of_mid_window_expects_gaps_cut_there():
    as_of = T0 + 2 * DAY
    results = [
        result("ENG-X", "exception", exceptions=[exception("res/late", T0, as_of)]),
        result(
            "ENG-Y",
            "no_evidence",
            gaps=[CoverageGap(resource="res/unread", start=T0, end=as_of, reason="r", value="v")],
        ),
    ]
    found = score(results, TRUTH, as_of)
    assert (found.found, found.total, found.misses) == (2, 2, [])


def test_exceptions_off_the_planted_list_or_on_decoys_are_false():
    results = [
        result(
            "ENG-X",
            "exception",
            exceptions=[exception("res/late", T0, T0 + 3 * DAY), exception("res/clean", T0, T0 + DAY)],
        ),
        result("ENG-Y", "exception", exceptions=[exception("res/unread", T0, T0 + DAY)]),  # planted as no evidence
    ]
    found = score(results, TRUTH)
    assert [f.split(" (")[0] for f in found.false_exceptions] == ["ENG-X res/clean", "ENG-Y res/unread"]
    assert not found.clean


def test_operating_on_an_empty_or_unread_population_is_vacuous_unless_proven():
    results = [
        result("ENG-Z", population=0, reason="The population for the window is empty, as aws.kms.keys shows."),
        result("ENG-V", population=0, reason="The population for the window is empty, as jira.changes shows."),
        result("ENG-W", population=3, reason="Evidence covers the whole window with no exception."),
        result("ENG-U", "no_evidence", population=0),
    ]
    found = score(results, TRUTH)
    assert [v.split(" ")[0] for v in found.vacuous] == ["ENG-V", "ENG-W"]
