"""The three readiness figures, the month grid and the Type II date, as pure functions over control verdicts."""

from __future__ import annotations

from datetime import UTC, date, datetime

from expectations.dataset import Row, frame
from expectations.runner import validate
from expectations.spec import held_throughout
from socready.catalog import load_catalog
from socready.readiness.model import ControlResult, CoverageGap, ExceptionInterval
from socready.readiness.score import month_statuses, rollup, tally, window_months
from socready.readiness.verdicts import decide
from socready.report.build import build_readiness, report_controls
from socready.report.format import build_view
from socready.window import Window
from tests.report.builders import build, control, evidence

NEW_YORK = Window(date(2026, 5, 1), date(2026, 10, 31), "America/New_York", datetime(2026, 8, 15, 14, tzinfo=UTC))
CLOSED = Window(date(2026, 5, 1), date(2026, 10, 31), "America/New_York", datetime(2026, 11, 26, 12, tzinfo=UTC))


def utc(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def interval(start: datetime, end: datetime, **kw) -> ExceptionInterval:
    return ExceptionInterval(resource="r", start=start, end=end, reason="It failed.", value="off", **kw)


def verdict(status: str, name: str = "X", owner: str = "engineering", **kw) -> ControlResult:
    base = {"categories": ["security"], "coverage": 1.0, "clean_since": date(2026, 5, 1), "reason": "r"}
    return control(name, status, owner, ["CC7.2"], **{**base, **kw, "status": status})


def months(result: ControlResult, window: Window = NEW_YORK) -> dict[str, str]:
    return {m.month: m.status for m in month_statuses(result, window)}


def test_three_figures_keep_missing_evidence_apart():
    gap = CoverageGap(resource="r", start=utc(6, 1), end=utc(6, 2), reason="No logs.", value="none")
    results = [
        verdict("operating", name="A", holds_today=True),
        verdict("operating", name="B", holds_today=True, owner="hr"),
        verdict("exception", name="C", holds_today=True, exceptions=[interval(utc(6, 1), utc(6, 2))]),
        verdict("exception", name="D", holds_today=False, exceptions=[interval(utc(8, 1), utc(8, 15), ongoing=True)]),
        # its gap is over, so the verdict "holds today", yet a control lacking evidence never counts as designed
        verdict("no_evidence", name="E", holds_today=True, coverage=0.99, coverage_gaps=[gap]),
        verdict("no_evidence", name="F", coverage=0.0, collection_errors=["AccessDenied"]),
        verdict("not_applicable", name="G", coverage=0.0),
    ]
    figures = tally(results)
    assert (figures.score, figures.operation, figures.design, figures.evidence_completeness) == (
        33.3,
        33.3,
        50.0,
        66.6,
    )
    assert (figures.operating, figures.exception, figures.no_evidence, figures.not_applicable) == (2, 2, 2, 1)
    by_owner = rollup(results, "owner")
    assert (by_owner["hr"].design, by_owner["hr"].evidence_completeness) == (100.0, 100.0)
    assert by_owner["engineering"].design == 40.0


def test_exception_with_a_coverage_gap_is_not_complete_evidence():
    gap = CoverageGap(resource="r", start=utc(6, 1), end=utc(6, 2), reason="No logs.", value="none")
    result = verdict("exception", holds_today=True, exceptions=[interval(utc(7, 1), utc(7, 2))], coverage_gaps=[gap])
    assert (tally([result]).design, tally([result]).evidence_completeness) == (100.0, 0.0)


def test_nothing_applicable_reads_as_a_dash_not_zero():
    view = build_view(build([verdict("not_applicable", coverage=0.0)]))
    assert [f.value for f in view.figures] == ["—", "—", "—"]


def test_window_months_are_local_calendar_months_clipped_to_the_window():
    window = Window(date(2026, 5, 15), date(2026, 7, 10), "America/New_York", utc(12, 1))
    spans = window_months(window)
    assert [m for m, _, _ in spans] == ["2026-05", "2026-06", "2026-07"]
    assert spans[0][1] == window.start_utc == datetime(2026, 5, 15, 4, tzinfo=UTC)
    assert spans[1][1] == datetime(2026, 6, 1, 4, tzinfo=UTC)  # local midnight, EDT
    assert spans[2][2] == window.end_utc == datetime(2026, 7, 11, 4, tzinfo=UTC)


def test_month_of_an_exception_is_read_in_the_scope_time_zone():
    late_june_local = interval(utc(7, 1, 2), utc(7, 1, 3))  # 2026-06-30 22:00-23:00 EDT
    assert months(verdict("exception", exceptions=[late_june_local])) == {
        "2026-05": "operating",
        "2026-06": "exception",
        "2026-07": "operating",
        "2026-08": "operating",
        "2026-09": "not_yet",
        "2026-10": "not_yet",
    }


def test_interval_ending_at_local_midnight_stays_in_its_month_and_an_instant_counts():
    ends_at_august = interval(utc(7, 20), utc(8, 1, 4))  # ends 2026-08-01 00:00 EDT
    assert months(verdict("exception", exceptions=[ends_at_august]))["2026-08"] == "operating"
    instant = interval(utc(8, 1, 4), utc(8, 1, 4))
    assert months(verdict("exception", exceptions=[instant]))["2026-08"] == "exception"


def test_accepted_and_tolerated_deviations_do_not_mark_a_month_and_exceptions_outrank_gaps():
    accepted = interval(utc(5, 10), utc(5, 12), accepted_by="ciso@acme.example")
    tolerated = interval(utc(6, 10), utc(6, 10, 5))
    gaps = [
        CoverageGap(resource="r", start=utc(7, 2), end=utc(7, 3), reason="No logs.", value="none"),
        CoverageGap(resource="r", start=utc(8, 2), end=utc(8, 3), reason="No logs.", value="none"),
    ]
    result = verdict(
        "exception",
        exceptions=[interval(utc(8, 10), utc(8, 11))],
        accepted_exceptions=[accepted],
        within_grace=[tolerated],
        coverage_gaps=gaps,
    )
    assert list(months(result).values()) == ["operating", "operating", "no_evidence", "exception", "not_yet", "not_yet"]


def test_unreadable_and_not_applicable_controls():
    unreadable = verdict("no_evidence", coverage=0.0, clean_since=None, collection_errors=["AccessDenied"])
    assert list(months(unreadable).values()) == ["no_evidence"] * 4 + ["not_yet"] * 2
    assert set(months(verdict("not_applicable")).values()) == {"not_applicable"}
    assert set(months(unreadable, CLOSED).values()) == {"no_evidence"}


SUITE = held_throughout("ok", "No evidence for these hours.", "It failed.")


def _state(control_id: str, rows: list[tuple[datetime, datetime, bool]]) -> ControlResult:
    """A state control's verdict from a real dataset and GX suite, like the sandbox's trail and recorder."""
    df = frame([Row("org-trail", start, end, "seen", {"ok": ok}) for start, end, ok in rows], {"ok": "boolean"})
    entry = load_catalog()[control_id]
    return decide(entry, df, validate(control_id, df, SUITE), CLOSED, [], evidence(1, "aws.cloudtrail.trails"))


def _sandbox_like(recorder_stops: bool) -> list[ControlResult]:
    """The sandbox's trail stop (2026-07-14..16) and, when planted, its Config recorder stop (2026-09-03..05)."""
    trail = [
        (utc(5, 1, 4), utc(7, 14, 15), True),
        (utc(7, 14, 15), utc(7, 16, 15), False),
        (utc(7, 16, 15), utc(11, 1, 4), True),
    ]
    recorder = [
        (utc(5, 1, 4), utc(9, 3, 10), True),
        (utc(9, 3, 10), utc(9, 5, 16), not recorder_stops),
        (utc(9, 5, 16), utc(11, 1, 4), True),
    ]
    return [_state("ENG-LOG-01", trail), _state("ENG-CFG-01", recorder)]


def test_type2_date_moves_earlier_when_a_planted_gap_is_removed():
    planted, removed = _sandbox_like(recorder_stops=True), _sandbox_like(recorder_stops=False)
    before, after = build_readiness(planted, CLOSED), build_readiness(removed, CLOSED)
    assert (before.earliest_type2_close, before.blocking_controls) == (date(2027, 3, 5), ["ENG-CFG-01"])
    assert (after.earliest_type2_close, after.blocking_controls) == (date(2027, 1, 16), ["ENG-LOG-01"])
    assert after.earliest_type2_close < before.earliest_type2_close
    assert before.type2_close_by_months == {"3": date(2026, 12, 5), "6": date(2027, 3, 5), "12": date(2027, 9, 5)}
    assert after.type2_close_by_months == {"3": date(2026, 10, 16), "6": date(2027, 1, 16), "12": date(2027, 7, 16)}
    grid = {c.id: [m.status for m in c.months] for c in report_controls(planted, CLOSED)}
    assert grid["ENG-LOG-01"] == ["operating", "operating", "exception", "operating", "operating", "operating"]
    assert grid["ENG-CFG-01"][4] == "exception"
    assert {m.status for c in report_controls(removed, CLOSED) if c.id == "ENG-CFG-01" for m in c.months} == {
        "operating"
    }
