"""The readiness flow run through Prefect on the sandbox company: exactly the planted gaps, idempotent tickets."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from socready.catalog import load_catalog
from socready.evidence import open_store
from socready.report.model import Report
from socready_sandbox.aws import PLANTED_GAPS
from socready_sandbox.company import TRAIL_STOPS
from socready_sandbox.environment import Sandbox
from tests.least_privilege import outside_policy, recording
from tests.prefect_runs import most_at_once, task_run_names, task_runs
from tests.verdict_snapshots import unchanged

AS_OF = datetime(2026, 11, 26, 12, tzinfo=UTC)


def gap_tickets(sandbox: Sandbox) -> list[dict]:
    """The tickets socready opened; the sandbox Jira also holds the company's own change, incident... tickets."""
    return [i for i in sandbox.jira.issues() if "socready" in i["fields"]["labels"]]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    box = Sandbox(tmp_path_factory.mktemp("sandbox"))
    box.start()
    yield box
    box.stop()


@pytest.fixture(scope="module")
def collector_calls() -> Iterator[set[str]]:
    with recording() as calls:
        yield calls


@pytest.fixture(scope="module")
def two_runs(prefect_harness, sandbox, collector_calls):
    from flows.readiness import readiness

    def run() -> Report:
        return Report.model_validate_json(Path(readiness(str(sandbox.scope_path), as_of=AS_OF)["json"]).read_text())

    return [run(), run()]


def test_flow_finds_exactly_the_planted_gaps_with_their_dates(two_runs):
    report = two_runs[0]
    found = {(c.id, e.resource) for c in report.controls for e in c.exceptions}
    assert found == PLANTED_GAPS
    assert {c.id for c in report.controls if c.status != "operating"} == {control for control, _ in PLANTED_GAPS}
    assert all(c.coverage == 1.0 and not c.coverage_gaps and not c.collection_errors for c in report.controls)
    by_id = {c.id: c for c in report.controls}
    [stop] = by_id["ENG-LOG-01"].exceptions
    assert (stop.start, stop.end) == (TRAIL_STOPS[0].stopped, TRAIL_STOPS[0].restarted)
    [leaver] = by_id["ENG-ACC-03"].exceptions
    assert (leaver.start.isoformat(), leaver.end.isoformat()) == (
        "2026-08-21T04:00:00+00:00",
        "2026-08-26T04:00:00+00:00",
    )
    assert by_id["ENG-ACC-03"].population == 4  # four leavers in the window, three on time or without AWS access
    [lapse] = by_id["PROC-02"].exceptions
    assert lapse.resource == "vendor/Ledgerly"
    assert (lapse.start.date().isoformat(), lapse.end.date().isoformat()) == ("2026-06-10", "2026-08-01")
    # Nimbus Hosting's 2026 review is only in Jira: the merged review tickets keep it reviewed
    assert by_id["PROC-02"].population == 3
    assert "jira.vendor_reviews" in {s.source for s in by_id["PROC-02"].evidence.sources}
    assert (by_id["PROC-04"].status, by_id["PROC-04"].population) == ("operating", 1)  # SignFlow, closed in time
    [recorder] = by_id["ENG-CFG-01"].exceptions
    assert (recorder.start.isoformat(), recorder.end.isoformat()) == (
        "2026-09-03T10:00:00+00:00",
        "2026-09-05T16:00:00+00:00",
    )
    assert report.readiness.earliest_type2_close.isoformat() == "2027-03-05"  # recorder back on 2026-09-05 + 6 months
    assert report.readiness.blocking_controls == ["ENG-CFG-01"]


def test_collector_calls_stay_within_the_shipped_policy(two_runs, collector_calls):
    assert len(collector_calls) > 20  # every AWS collector ran
    assert outside_policy(collector_calls) == []


def test_verdicts_match_the_recorded_snapshot(two_runs):
    assert unchanged("sandbox", two_runs[0].controls) == []


def test_report_json_contract(two_runs, sandbox):
    raw = json.loads(Path(sandbox.folder / "socready-report" / "report.json").read_text())
    assert raw["schema"] == "socready.report/v2"
    assert set(raw) >= {"generated_at", "scope", "readiness", "criteria", "controls"}
    assert raw["scope"]["window"] | {"timezone": "America/New_York"} == raw["scope"]["window"]
    control = raw["controls"][0]
    assert set(control) >= {
        "id",
        "title",
        "owner",
        "kind",
        "criteria",
        "status",
        "reason",
        "clean_since",
        "coverage",
        "population",
        "exceptions",
        "evidence",
        "ticket",
    }
    assert set(control["evidence"]) == {"manifest_sha256", "sources", "cited"}
    assert sum(s["objects"] for s in control["evidence"]["sources"]) > 0
    for found in two_runs[0].controls:  # each object a finding points at is cited with its source
        findings = [*found.exceptions, *found.accepted_exceptions, *found.within_grace, *found.coverage_gaps]
        shown = {sha for item in findings for sha in item.evidence}
        assert shown == {ref.sha256 for ref in found.evidence.cited}, found.id
    assert len(json.dumps(raw)) < 400_000  # 4.2 MB when every control listed every object it read
    for name in ("report.md", "report.html"):
        assert (sandbox.folder / "socready-report" / name).stat().st_size > 1000


def test_gap_tickets_are_opened_once_and_routed(two_runs, sandbox):
    first, second = two_runs
    issues = gap_tickets(sandbox)
    assert len(issues) == len({control for control, _ in PLANTED_GAPS})
    assignees = {i["key"].split("-")[0]: i["fields"]["assignee"]["accountId"] for i in issues}
    assert assignees == {"SEC": "acc-eng-lead", "PEOPLE": "acc-hr-lead", "VEND": "acc-proc-lead"}
    assert {c.id for c in first.controls if c.ticket} == {control for control, _ in PLANTED_GAPS}
    assert {c.ticket.action for c in first.controls if c.ticket} == {"created"}
    assert {c.ticket.action for c in second.controls if c.ticket} == {"unchanged"}
    assert [c.ticket and c.ticket.key for c in first.controls] == [c.ticket and c.ticket.key for c in second.controls]


def test_flow_publishes_summary_and_table_artifacts(two_runs):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async def latest(key: str):
        async with get_client() as client:
            return await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))

    summary = asyncio.run(latest("readiness-summary"))
    table = asyncio.run(latest("readiness-controls"))
    assert summary and "Readiness score" in summary[0].data
    assert table and "ENG-LOG-01" in str(table[0].data)
    progress = asyncio.run(latest("readiness-collection"))
    # One per flow run (this module's two, and any other module's runs in the same Prefect harness), each complete.
    assert len(progress) >= 2 and {(p.type, p.data) for p in progress} == {("progress", 100.0)}
    link = asyncio.run(latest("readiness-report"))
    assert link and "[report.html](file:///" in link[0].data and link[0].data.endswith("/report.html)")


def test_report_shows_each_planted_gap_by_month_and_the_score_across_runs(two_runs, sandbox):
    first, second = two_runs
    exception_months = {c.id: [m.month for m in c.months if m.status == "exception"] for c in second.controls}
    assert {c: exception_months[c] for c in ("ENG-LOG-01", "ENG-ACC-03", "PROC-02", "ENG-CFG-01")} == {
        "ENG-LOG-01": ["2026-07"],  # trail stopped 2026-07-14..16
        "ENG-ACC-03": ["2026-08"],  # leaver's access kept 2026-08-21..26
        "PROC-02": ["2026-06", "2026-07"],  # review lapsed 2026-06-10..08-01
        "ENG-CFG-01": ["2026-09"],  # recorder stopped 2026-09-03..05
    }
    assert all(len(c.months) == 6 and "not_yet" not in {m.status for m in c.months} for c in second.controls)
    assert [(p.run_id, p.score, p.design) for p in second.history][-1] == (
        second.run_id,
        second.readiness.score,
        second.readiness.design,
    )
    assert [p.run_id for p in second.history] == [first.run_id, second.run_id]
    md = (sandbox.folder / "socready-report" / "report.md").read_text()
    assert "- ENG-LOG-01 · account/111111111111\n  - Exception 2026-07-14 11:00 EDT – 2026-07-16 11:00 EDT" in md


def test_cli_run_prints_summary_and_exits_3_when_evidence_is_missing(two_runs, sandbox, capsys):
    from socready.cli import main

    broken = sandbox.folder / "broken.yaml"
    broken.write_text(sandbox.scope_path.read_text().replace("path: hr_roster.csv", "path: missing-roster.csv"))
    code = main(
        [
            "run",
            "--scope",
            str(broken),
            "--as-of",
            "2026-11-25",
            "--dry-run",
            "--output",
            str(sandbox.folder / "broken-report"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 3
    roster_controls = [c for c in load_catalog().values() if "file.hr_roster" in c.evidence]
    assert "ENG-ACC-03  engineering  No evidence" in out and f"{len(roster_controls)} no evidence" in out
    assert "report.html" in out
    # dry run: the plan is printed, nothing written
    assert len(gap_tickets(sandbox)) == len({control for control, _ in PLANTED_GAPS})


def test_a_run_on_a_two_worker_local_dask_cluster_gives_the_same_report(two_runs, sandbox):
    from flows.readiness import readiness
    from socready.scope.models import ExecutionSpec

    on_dask = ExecutionSpec(runner="dask", dask_workers=2)
    folder = str(sandbox.folder / "dask")
    state = readiness(
        str(sandbox.scope_path), as_of=AS_OF, dry_run=True, output_dir=folder, execution=on_dask, return_state=True
    )
    report = Report.model_validate_json(Path(state.result()["json"]).read_text())

    def verdicts(r: Report) -> list:
        return [
            (c.id, c.status, c.clean_since, c.coverage, [(e.resource, e.start, e.end) for e in c.exceptions])
            for c in r.controls
        ]

    assert verdicts(report) == verdicts(two_runs[0])
    # Built on the workers, the controls cite the run's manifest as stored, with its count of each source read
    manifest = open_store(report.evidence_store).load_manifest(report.run_id)
    applicable = [c for c in report.controls if c.status != "not_applicable"]
    assert {c.evidence.manifest_sha256 for c in applicable} == {manifest.sha256()}
    counts = Counter(e.source for e in manifest.entries)
    assert all(read.objects == counts[read.source] for c in applicable for read in c.evidence.sources)
    assert report.readiness.earliest_type2_close == two_runs[0].readiness.earliest_type2_close
    assert report.run_id != two_runs[1].run_id  # a run of its own, not the report of an earlier one
    # The workers' task runs are the flow's, on its server (the harness's, set only in Prefect's settings): a
    # worker that started a temporary server of its own would report them there, out of the user's sight.
    names = task_run_names(state.state_details.flow_run_id)
    assert {"collect-aws.cloudtrail.logs 111111111111/eu-west-1", "dataset-ENG-ACC-01"} <= names
    # Each worker builds one control's dataset at a time (its build slot), though it has two threads.
    builds = [run for run in task_runs(state.state_details.flow_run_id) if run.name.startswith("dataset-")]
    assert len(builds) == len(applicable) and most_at_once(builds) <= 2
