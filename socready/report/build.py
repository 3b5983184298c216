"""Assembles report.json's model from the verdicts: figures, roll-ups, criteria, month grid, Type II dates."""

from __future__ import annotations

from datetime import UTC, datetime

from socready.readiness.model import ControlResult
from socready.readiness.score import (
    TYPE2_LENGTHS,
    criteria_status,
    earliest_type2_close,
    month_statuses,
    rollup,
    tally,
)
from socready.report.model import Readiness, Report, ReportControl, ReportScope, ReportWindow, TicketStep
from socready.scope import Scope
from socready.window import Window


def blocking_controls(results: list[ControlResult]) -> list[str]:
    """Controls without a clean-since date, or else those whose clean-since date is the latest."""
    applicable = [r for r in results if r.status != "not_applicable"]
    unknown = [r.id for r in applicable if r.clean_since is None]
    if unknown or not applicable:
        return unknown
    latest = max(r.clean_since for r in applicable)
    return [r.id for r in applicable if r.clean_since == latest and r.status != "operating"]


def build_readiness(results: list[ControlResult], window: Window) -> Readiness:
    return Readiness(
        **tally(results).model_dump(),
        earliest_type2_close=earliest_type2_close(results, window.months),
        type2_close_by_months={str(m): earliest_type2_close(results, m) for m in TYPE2_LENGTHS},
        blocking_controls=blocking_controls(results),
        by_category=rollup(results, "category"),
        by_owner=rollup(results, "owner"),
    )


def report_controls(results: list[ControlResult], window: Window) -> list[ReportControl]:
    return [ReportControl(**r.model_dump(), months=month_statuses(r, window)) for r in results]


def report_window(window: Window) -> ReportWindow:
    return ReportWindow(
        start=window.start,
        end=window.end,
        timezone=window.timezone,
        as_of=window.as_of,
        evaluated_until=window.evaluated_end_utc,
        months=window.months,
    )


def build_report(
    scope: Scope,
    window: Window,
    run_id: str,
    evidence_store: str,
    results: list[ControlResult],
    *,
    dry_run: bool,
    tickets: TicketStep | None = None,
) -> Report:
    return Report(
        generated_at=datetime.now(UTC),
        run_id=run_id,
        evidence_store=evidence_store,
        dry_run=dry_run,
        tickets=tickets,
        scope=ReportScope(
            organization=scope.organization,
            report=scope.report.framework,
            type=scope.report.type,
            categories=list(scope.categories),
            window=report_window(window),
        ),
        readiness=build_readiness(results, window),
        criteria=criteria_status(results, list(scope.categories)),
        controls=report_controls(results, window),
    )
