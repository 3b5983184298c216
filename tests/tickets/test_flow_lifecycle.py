"""Twenty readiness-flow runs over a changing sandbox company end with exactly one ticket per gap, in the right state.

Gaps appear, heal and regress (the HR roster and vendor register are rewritten between runs); Jira search lags
behind writes throughout; runs meet 429s, a crash right after a create, a create whose answer is lost, a workflow
that cannot reopen, and two overlapping runs; before some runs a dry run prints the plan the real run then follows.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
import requests
import yaml
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL

from socready.catalog import load_catalog
from socready.report.model import Report
from socready.tickets.gateway import Jira
from socready.tickets.identity import fingerprint, fingerprint_label
from socready_sandbox.environment import Sandbox
from socready_sandbox.exports import hr_roster_csv, vendor_register_csv
from tests.prefect_runs import task_run_names
from tests.tickets.conftest import PRESENT

AS_OF = datetime(2026, 11, 26, 12, tzinfo=UTC)
ORGANIZATION = "Northwind Analytics (sandbox)"
LOG = ("ENG-LOG-01", "account/111111111111")
DANA = ("ENG-ACC-03", "employee/E1004")  # offboarded 5 days late
BILAL = ("ENG-ACC-03", "employee/E1002")  # leaves with his credentials still active
LEDGERLY = ("PROC-02", "vendor/Ledgerly")  # its yearly review lapsed for seven weeks
STRENGTH = ("create", "reopen", "update", "resolve", "unchanged")  # as the report picks one ticket per control
ASSIGNEES = {"ENG-LOG-01": "acc-eng-lead", "ENG-ACC-03": "acc-eng-lead", "PROC-02": "acc-proc-lead"}


def rewrite(text: str, key_column: str, key: str, column: str, value: str) -> str:
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        if row[key_column] == key:
            row[column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def run_elsewhere(scope_path: str) -> list[str]:
    """A flow run in a child process; returns its ticket plan (both share one report folder, so not the report)."""
    from flows.readiness import readiness

    plans = PlanLines()
    logging.getLogger("prefect.task_runs").addHandler(plans)
    readiness(scope_path, as_of=AS_OF)
    return plans.take()


def company(folder: Path, gaps: set[tuple[str, str]], bilal_leaves: str = "2026-10-01") -> None:
    """Rewrites the exports so that exactly `gaps` exist (the CloudTrail stop, LOG, is always there)."""
    vendors = vendor_register_csv()
    if LEDGERLY not in gaps:  # a review on 9 June bridges the lapse
        vendors = rewrite(
            vendors, "Vendor", "Ledgerly", "Assurance Reviews", "2024-06-01;2025-06-10;2026-06-09;2026-08-01"
        )
    roster = hr_roster_csv()
    if DANA not in gaps:  # her last day moved to when her access was in fact removed
        roster = rewrite(roster, "Employee ID", "E1004", "Termination Date", "2026-08-25")
    if BILAL in gaps:
        roster = rewrite(roster, "Employee ID", "E1002", "Termination Date", bilal_leaves)
    (folder / "vendor_register.csv").write_text(vendors, encoding="utf-8")
    (folder / "hr_roster.csv").write_text(roster, encoding="utf-8")


class PlanLines(logging.Handler):
    """The plan lines the ticket task logs, per flow run."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("  ") and " -> " in message:
            self.lines.append(message.strip())

    def take(self) -> list[str]:
        taken, self.lines = self.lines, []
        return taken


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory, moto_server):
    def reset_aws() -> None:  # moto keeps one AWS per process: each sandbox must start from an empty one
        requests.post(f"{moto_server}/moto-api/reset", timeout=10).raise_for_status()

    reset_aws()
    box = Sandbox(tmp_path_factory.mktemp("lifecycle"))
    box.start()
    scope = yaml.safe_load(box.scope_path.read_text())
    # one account and region keep each of the many runs quick; every planted gap lives there
    scope["aws"] |= {"accounts": scope["aws"]["accounts"][:1], "regions": ["us-east-1"]}
    scope["tickets"] |= {"group_by": "control_and_resource", "search_lag_seconds": 1.5}
    # the three controls whose gaps the test moves; the sandbox's other controls are not this test's business
    scope["controls"] = {
        control: {"applicable": False, "reason": "not exercised by the ticket lifecycle test"}
        for control in load_catalog()
        if control not in {"ENG-LOG-01", "ENG-ACC-03", "PROC-02"}
    }
    box.scope_path.write_text(yaml.safe_dump(scope))
    box.jira.search_lag(1)
    yield box
    box.stop()
    reset_aws()


async def _artifact_ids() -> set[UUID]:
    async with get_client() as client:
        ids: set[UUID] = set()
        while page := await client.read_artifacts(offset=len(ids), limit=200):
            ids |= {artifact.id for artifact in page}
        return ids


async def _delete_artifacts(ids: set[UUID]) -> None:
    async with get_client() as client:
        for artifact_id in ids:
            await client.delete_artifact(artifact_id)


@pytest.fixture
def own_artifacts(prefect_harness):
    """These runs share the session's Prefect server: their artifacts go again afterwards, so that tests counting
    the artifacts of their own flow runs are not thrown off by these."""
    before = asyncio.run(_artifact_ids())
    yield
    asyncio.run(_delete_artifacts(asyncio.run(_artifact_ids()) - before))


def load_flow() -> None:
    import flows.readiness  # noqa: F401 -- loaded ahead of time, so the overlapping runs start together


@pytest.fixture
def workers(prefect_harness, monkeypatch):
    """Two worker processes on the session's Prefect server, as two workers would run flows; they start (and
    load the flow's imports) right away, while the first runs go on."""
    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        for _ in range(2):
            pool.submit(load_flow)
        yield pool


def test_twenty_runs_end_with_one_ticket_per_gap_in_the_right_state(own_artifacts, sandbox, workers, monkeypatch):
    from flows import readiness as module
    from flows.readiness import readiness

    # the task's retry is what recovers from the crash in run 4; its production delay only slows the test
    monkeypatch.setattr(module, "tickets_task", module.tickets_task.with_options(retry_delay_seconds=0))
    jira = sandbox.jira
    plans = PlanLines()
    logging.getLogger("prefect.task_runs").addHandler(plans)
    runs = dry_runs = 0
    last_run = []

    def run(dry_run: bool = False) -> dict[str, str]:
        nonlocal runs, dry_runs
        runs, dry_runs = runs + (not dry_run), dry_runs + dry_run
        state = readiness(str(sandbox.scope_path), as_of=AS_OF, dry_run=dry_run, return_state=True)
        report = Report.model_validate_json(Path(state.result()["json"]).read_text())
        last_run[:] = [state.state_details.flow_run_id, report]
        return {c.id: c.ticket.action for c in report.controls if c.ticket}

    def checked_run() -> dict[str, str]:
        """A dry run, then the real run: same plan, and the report shows each control's most significant step."""
        plans.take()
        run(dry_run=True)
        dry = plans.take()
        done = run()
        assert plans.take() == dry
        strongest = {}
        for line in dry:
            action, name = line.split(" -> ")[0].split(maxsplit=1)
            control = name.split()[0]
            if control not in strongest or STRENGTH.index(action) < STRENGTH.index(strongest[control]):
                strongest[control] = action
        assert {c: PRESENT[a] for c, a in done.items()} == strongest
        return strongest

    started = time.monotonic()
    try:
        company(sandbox.folder, {LOG, DANA, LEDGERLY})
        assert checked_run() == {"ENG-LOG-01": "create", "ENG-ACC-03": "create", "PROC-02": "create"}  # 1

        jira.inject_faults(status=429, retry_after=1, method="GET", route="issue/<key>", times=2)
        assert set(run().values()) == {"unchanged"}  # 2: throttled reads are waited out

        company(sandbox.folder, {LOG, DANA})
        assert run()["PROC-02"] == "unchanged"  # 3: Ledgerly clean, 1 of 2

        company(sandbox.folder, {LOG, DANA, BILAL})
        created = Jira.create
        crashed = []

        def create_then_crash(self, fields):
            key = created(self, fields)
            if not crashed:
                crashed.append(key)
                raise RuntimeError("simulated crash after the create, before the outbox records it")
            return key

        monkeypatch.setattr(Jira, "create", create_then_crash)
        four = run()  # 4: the task's retry finds the crashed run's ticket instead of opening a second one
        monkeypatch.setattr(Jira, "create", created)
        assert len(crashed) == 1 and four["PROC-02"] == "resolved"

        assert "PROC-02" not in run()  # 5: resolved and still clean: nothing to say

        company(sandbox.folder, {LOG, DANA, BILAL, LEDGERLY})
        assert checked_run()["PROC-02"] == "reopen"  # 6: Ledgerly regressed

        company(sandbox.folder, {LOG, DANA, BILAL, LEDGERLY}, bilal_leaves="2026-10-05")
        assert checked_run()["ENG-ACC-03"] == "update"  # 7: Bilal's exception changed

        company(sandbox.folder, {LOG, BILAL, LEDGERLY}, bilal_leaves="2026-10-05")
        run()  # 8: Dana clean, 1 of 2

        # 9 and 10, in two processes as two workers would run them; a slow Jira answer keeps the first one's
        # ticket pass (and lock) busy while the second arrives. One resolves Dana's ticket; the other then
        # finds it resolved and clean: nothing to do.
        jira.inject_faults(status=None, delay_seconds=2, method="GET", route="issue/<key>")
        pair = [workers.submit(run_elsewhere, str(sandbox.scope_path)) for _ in range(2)]
        steps = [line.split(" -> ")[0] for run in pair for line in run.result()]
        assert steps.count("resolve   ENG-ACC-03 employee/E1004") == 1 and len(steps) == 7
        runs += 2

        company(sandbox.folder, {LOG, DANA, BILAL, LEDGERLY}, bilal_leaves="2026-10-05")
        jira.set_workflow(reopen=False)
        jira.inject_faults(status=502, method="POST", route="issue", after_commit=True)
        assert checked_run()["ENG-ACC-03"] == "reopen"  # 11: a new ticket for Dana, its create's answer lost
        jira.set_workflow(reopen=True)

        assert set(run().values()) == {"unchanged"}  # 12

        company(sandbox.folder, {LOG})
        run()  # 13: everything but the trail stop clean, 1 of 2
        assert checked_run() == {"ENG-LOG-01": "unchanged", "ENG-ACC-03": "resolve", "PROC-02": "resolve"}  # 14
        assert run() == {"ENG-LOG-01": "unchanged"}  # 15

        company(sandbox.folder, {LOG, BILAL})
        assert run()["ENG-ACC-03"] == "reopened"  # 16: Bilal regressed

        company(sandbox.folder, {LOG})
        run()  # 17
        jira.inject_faults(status=503, retry_after=1, route="issue/<key>/transitions")
        assert run()["ENG-ACC-03"] == "resolved"  # 18: through a 503 on the way

        company(sandbox.folder, {LOG, DANA, LEDGERLY})
        assert run() == {"ENG-LOG-01": "unchanged", "ENG-ACC-03": "reopened", "PROC-02": "reopened"}  # 19
        assert set(run().values()) == {"unchanged"}  # 20
    finally:
        logging.getLogger("prefect.task_runs").removeHandler(plans)
    elapsed = time.monotonic() - started
    assert runs == 20
    # The 37 controls the scope leaves out are reported as such, decided without a task of their own
    flow_run_id, report = last_run
    assert {c.id for c in report.controls if c.status != "not_applicable"} == set(ASSIGNEES)
    assert len(report.controls) == len(load_catalog())
    assert {n for n in task_run_names(flow_run_id) if n.startswith("dataset-")} == {f"dataset-{c}" for c in ASSIGNEES}

    issues = [i for i in jira.issues() if "socready" in i["fields"]["labels"]]  # not the company's own tickets
    labelled = {
        gap: [i for i in issues if fingerprint_label(fingerprint(ORGANIZATION, *gap)) in i["fields"]["labels"]]
        for gap in (LOG, DANA, BILAL, LEDGERLY)
    }

    def open_ones(gap):
        return [i for i in labelled[gap] if i["fields"]["status"]["statusCategory"]["key"] != "done"]

    for gap in (LOG, DANA, LEDGERLY):  # the gaps of the last run: exactly one open ticket each, routed
        [ticket] = open_ones(gap)
        assert ticket["fields"]["assignee"]["accountId"] == ASSIGNEES[gap[0]]
        assert ticket["fields"]["project"]["key"] == ("VEND" if gap == LEDGERLY else "SEC")
    assert [i["fields"]["status"]["name"] for i in labelled[LOG]] == ["To Do"]
    assert [i["fields"]["status"]["name"] for i in labelled[LEDGERLY]] == ["Reopened"]
    assert [i["fields"]["status"]["name"] for i in labelled[BILAL]] == ["Done"]
    old_dana, new_dana = labelled[DANA]  # the workflow could not reopen the first: a linked second one
    assert (old_dana["fields"]["status"]["name"], new_dana["fields"]["status"]["name"]) == ("Done", "Reopened")
    assert new_dana["fields"]["issuelinks"][0]["outwardIssue"]["key"] == old_dana["key"]
    assert len(issues) == 5
    # one comment per state change: Ledgerly was resolved, reopened, resolved, reopened
    ledgerly_comments = labelled[LEDGERLY][0]["fields"]["comment"]["comments"]
    assert [c["body"].split(";")[0].split(" (")[0] for c in ledgerly_comments] == [
        "socready: the evidence showed PROC-02 vendor/Ledgerly clean in 2 consecutive runs",
        "socready: the gap is back",
    ] * 2
    print(f"\n20 runs and {dry_runs} dry runs took {elapsed:.0f} s; Jira requests: {sum(jira.requests_made.values())}")
