"""The score across runs: each run's figures stored as derived evidence and read back per organization and window."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from socready.errors import EvidenceError
from socready.evidence import EvidenceStore, RunRecorder, open_store
from socready.evidence.manifest import ManifestWindow
from socready.report.history import FIGURES, read_history, with_history
from socready.report.model import Report
from tests.report.builders import GENERATED, WINDOW, build, make_controls


def _run(store: EvidenceStore, run_id: str, organization: str = "Acme Corp") -> None:
    window = ManifestWindow(start=WINDOW.start_utc, end=WINDOW.end_utc, timezone=WINDOW.timezone)
    RunRecorder(store, run_id, organization, window).finish()


def _report(run_id: str, hours_later: int, **scope) -> Report:
    report = build().model_copy(update={"run_id": run_id, "generated_at": GENERATED + timedelta(hours=hours_later)})
    return report.model_copy(update={"scope": report.scope.model_copy(update=scope)}) if scope else report


@pytest.fixture
def store(tmp_path: Path) -> EvidenceStore:
    return open_store(str(tmp_path / "evidence"))


def test_each_run_adds_its_figures_and_reads_the_history_oldest_first(store: EvidenceStore) -> None:
    # run ids sort one way, generation times the other: the history follows time
    for run in ("run-a", "run-b", "run-c", "run-d"):
        _run(store, run)
    first = with_history(_report("run-b", 0), store)
    assert [p.run_id for p in first.history] == ["run-b"]
    other_org = _report("run-c", 1, organization="Other Inc")
    other_window = _report("run-d", 2, window=first.scope.window.model_copy(update={"end": date(2027, 4, 30)}))
    with_history(other_org, store)
    with_history(other_window, store)
    second = with_history(_report("run-a", 3), store)
    assert [p.run_id for p in second.history] == ["run-b", "run-a"]
    point = second.history[-1]
    readiness = second.readiness
    assert (point.score, point.design, point.evidence_completeness) == (
        readiness.score,
        readiness.design,
        readiness.evidence_completeness,
    )
    assert point.generated_at == GENERATED + timedelta(hours=3) and point.as_of == WINDOW.as_of
    assert store.derived("run-a", FIGURES) is not None and store.derived("run-zz", FIGURES) is None


def test_runs_without_figures_are_skipped_and_figures_are_write_once(store: EvidenceStore) -> None:
    _run(store, "run-old")  # from before the history was kept
    _run(store, "run-new")
    report = with_history(_report("run-new", 0), store)
    assert [p.run_id for p in report.history] == ["run-new"]
    with pytest.raises(EvidenceError, match="already exists"):
        with_history(report, store)


def test_a_damaged_record_is_an_evidence_error(store: EvidenceStore) -> None:
    _run(store, "run-x")
    store.put_derived("run-x", FIGURES, b"{not json")
    with pytest.raises(EvidenceError, match=f"derived/run-x/{FIGURES}"):
        read_history(store, "Acme Corp", WINDOW.start, WINDOW.end)


def test_history_figures_come_from_the_verdicts(store: EvidenceStore) -> None:
    _run(store, "run-1")
    controls = make_controls()
    controls[2] = controls[2].model_copy(update={"status": "operating", "collection_errors": [], "coverage": 1.0})
    report = with_history(build(controls).model_copy(update={"run_id": "run-1"}), store)
    assert [(p.score, p.design, p.evidence_completeness) for p in report.history] == [(66.6, 66.6, 66.6)]
