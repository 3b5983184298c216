"""The score across runs: each run's figures kept as derived evidence, read back per organization and window."""

from __future__ import annotations

from datetime import date

from pydantic import ConfigDict, ValidationError

from socready.errors import EvidenceError
from socready.evidence import EvidenceStore
from socready.report.model import HistoryPoint, Report

FIGURES = "readiness.json"  # derived/<run_id>/readiness.json


class RunFigures(HistoryPoint):
    model_config = ConfigDict(extra="ignore")  # a later version may record more; older readers keep working

    organization: str
    window_start: date
    window_end: date


def record_figures(store: EvidenceStore, report: Report) -> None:
    readiness, window = report.readiness, report.scope.window
    figures = RunFigures(
        run_id=report.run_id,
        generated_at=report.generated_at,
        as_of=window.as_of,
        score=readiness.score,
        design=readiness.design,
        evidence_completeness=readiness.evidence_completeness,
        organization=report.scope.organization,
        window_start=window.start,
        window_end=window.end,
    )
    store.put_derived(report.run_id, FIGURES, figures.model_dump_json().encode())


def _figures(store: EvidenceStore, run_id: str) -> RunFigures | None:
    data = store.derived(run_id, FIGURES)
    if data is None:  # runs from before the history was kept, or that stopped before their report
        return None
    try:
        return RunFigures.model_validate_json(data)
    except ValidationError as exc:
        raise EvidenceError(f"{store.location}/derived/{run_id}/{FIGURES}: not valid: {exc}") from exc


def read_history(store: EvidenceStore, organization: str, start: date, end: date) -> list[HistoryPoint]:
    """Every recorded run of this organization and window, oldest first."""
    runs = [figures for run in store.run_ids() if (figures := _figures(store, run))]
    same = [f for f in runs if (f.organization, f.window_start, f.window_end) == (organization, start, end)]
    fields = set(HistoryPoint.model_fields)
    return [
        HistoryPoint(**f.model_dump(include=fields)) for f in sorted(same, key=lambda f: (f.generated_at, f.run_id))
    ]


def with_history(report: Report, store: EvidenceStore) -> Report:
    """Records this run's figures, then returns the report with the history of its runs, this one included."""
    record_figures(store, report)
    window = report.scope.window
    history = read_history(store, report.scope.organization, window.start, window.end)
    return report.model_copy(update={"history": history})
