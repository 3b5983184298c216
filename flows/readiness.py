"""The `readiness` flow: scope -> collect -> validate -> verdicts -> tickets -> report, run through Prefect."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)
from prefect.cache_policies import NO_CACHE
from prefect.states import Failed, State
from prefect.utilities.annotations import quote

from connectors.aws.organizations import run_scope
from expectations.outcome import SuiteOutcome
from flows.execution import collect_on, datasets_on, task_runner
from flows.progress import CollectionProgress
from socready.applicability import Assessment, needed_sources, plan_assessments
from socready.assess import Dataset, build_dataset, decide_verdicts, load_validation_meanwhile, validate_datasets
from socready.catalog import load_catalog
from socready.collect import collect
from socready.errors import ScopeError, SocreadyError
from socready.evidence import EvidenceStore, Manifest, open_scope_store
from socready.evidence.view import EvidenceView
from socready.readiness.model import ControlResult
from socready.readiness.score import holds_today
from socready.redact import redacted
from socready.report.build import build_report
from socready.report.history import with_history
from socready.report.link import report_link
from socready.report.model import Report, TicketStep
from socready.report.outcome import run_problems
from socready.report.publish import publish_report, report_location
from socready.report.render_md import render_summary
from socready.report.triage import build_triage
from socready.report.writer import write_report
from socready.scope import Scope, read_scope
from socready.scope.models import ExecutionSpec
from socready.tickets.decisions import Triage, read_triage
from socready.tickets.sync import NO_JIRA, Synced, sync_tickets
from socready.window import Window


@task(name="load-scope", cache_policy=NO_CACHE)
def load_scope_task(scope_path: str | None, scope_settings: dict | None) -> Scope:
    return read_scope(scope_path, scope_settings)


@task(name="collect-evidence", cache_policy=NO_CACHE)
def collect_task(scope: Scope, window: Window, store: EvidenceStore, sources: list[str], incremental: bool) -> Manifest:
    logger = get_run_logger()
    manifest = collect(
        scope,
        window,
        store,
        sources,
        progress=logger.info,
        incremental=incremental,
        on_source_done=CollectionProgress("evidence sources", len(sources)),
    )
    logger.info("collected %d evidence objects, %d failures", len(manifest.entries), len(manifest.errors))
    return manifest


@task(name="build-dataset", cache_policy=NO_CACHE, task_run_name="dataset-{plan.control.id}")
def dataset_task(
    plan: Assessment, scope: Scope, window: Window, view: EvidenceView, step: tuple[int, int]
) -> Dataset | ControlResult:
    get_run_logger().info("building the dataset of %s (%d/%d)", plan.control.id, *step)
    return build_dataset(plan, scope, window, view)


@task(name="run-checkpoint", cache_policy=NO_CACHE)
def checkpoint_task(datasets: list[Dataset], run_id: str, store: EvidenceStore) -> dict[str, SuiteOutcome]:
    get_run_logger().info("validating %d suites with checkpoint %s", len(datasets), run_id)
    return validate_datasets(datasets, run_id, store)


def transient(task, task_run, state) -> bool:
    """A scope problem (no token, no owner route) fails the same way on every attempt."""
    return not isinstance(state.result(raise_on_failure=False), ScopeError)


@task(name="read-gap-ticket-decisions", cache_policy=NO_CACHE)
def decisions_task(scope: Scope, store: EvidenceStore, window: Window) -> Triage:
    """Owners' responses, acceptances and disputes, read before the verdicts (an acceptance can change them)."""
    triage = read_triage(scope, store, window.as_of)
    for problem in triage.problems:
        get_run_logger().warning("%s", problem)
    return triage


# A retry is safe: the sync is idempotent, and a retry finds the tickets an interrupted attempt created.
@task(name="sync-gap-tickets", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5, retry_condition_fn=transient)
def tickets_task(
    results: list[ControlResult], scope: Scope, report_location: str, dry_run: bool, triage: Triage
) -> Synced:
    return sync_tickets(results, scope, report_location, dry_run=dry_run, show=get_run_logger().info, triage=triage)


@task(name="write-report", cache_policy=NO_CACHE)
def report_task(report: Report, folder: str, store: EvidenceStore, scope: Scope) -> dict[str, str]:
    report = with_history(report, store)
    paths = write_report(report, Path(folder))
    published = publish_report(scope, store, Path(folder), report.run_id)
    if published:
        get_run_logger().info("published %d report files under %s", len(published), store.location)
    create_markdown_artifact(
        key="readiness-summary",
        markdown=render_summary(report),
        description=f"socready readiness for {report.scope.organization}",
    )
    create_table_artifact(
        key="readiness-controls",
        table=[
            {
                "control": c.id,
                "owner": c.owner,
                "status": c.status,
                "clean_since": str(c.clean_since or ""),
                "holds_today": holds_today(c),
                "coverage": c.coverage,
                "ticket": c.ticket.key if c.ticket else "",
            }
            for c in report.controls
        ],
        description="Control verdicts over the observation window",
    )
    create_link_artifact(
        key="readiness-report",
        link=report_location(scope, report.run_id, paths["html"]),
        link_text="report.html",
        description=f"The readiness report page for {report.scope.organization} (self-contained, works offline)",
    )
    return {kind: str(path) for kind, path in paths.items()}


@flow(name="readiness", log_prints=True)
def readiness(
    scope_path: str | None = None,
    as_of: datetime | None = None,
    dry_run: bool = False,
    output_dir: str | None = None,
    full_backfill: bool = False,
    scope_settings: dict | None = None,
    execution: ExecutionSpec | None = None,
) -> dict[str, str] | State:
    """Assess the scope's controls over its window as of `as_of` (default: now); returns the report paths, in a
    Failed state naming the controls when any lacks evidence or the gap tickets failed (automations match it).
    The scope: `scope_path` (a file or s3://bucket/key) or `scope_settings` (the scope file's settings).
    `execution` overrides the scope's (e.g. a deployment running on a Dask cluster)."""
    scope = load_scope_task(scope_path, scope_settings)
    window = Window(scope.window.start, scope.window.end, scope.window.timezone, as_of or datetime.now(UTC))
    store = open_scope_store(scope)
    plans = plan_assessments(load_catalog(), scope)
    load_validation_meanwhile()
    execution = execution or scope.execution
    with task_runner(execution, store) as dask:  # None: this process runs every task
        sources = needed_sources(plans)
        if dask:
            manifest = collect_on(dask, scope, window, store, sources, full_backfill)
        else:
            manifest = collect_task(scope, window, store, sources, incremental=not full_backfill)
        view = EvidenceView(store, manifest)
        triage = decisions_task(scope, store, window)
        # risk acceptances recorded in tickets follow the scope's own exceptions' rules
        judged = scope.model_copy(update={"exceptions": [*scope.exceptions, *triage.acceptances()]})
        discovered = run_scope(judged, view)  # the accounts the run collected, read once and passed to every control
        # A control that does not apply is decided here and now: a task would only add Prefect's overhead.
        applicable = [plan for plan in plans if plan.applicable]
        if dask:
            built = datasets_on(dask, execution, applicable, discovered, window, view)
        else:
            # Big values go quoted: Prefect would walk every field of them (the scope for each control, the
            # datasets, the results, the report) in search of futures to wait for; they are plain values here.
            shared, count = quote(discovered), len(applicable)
            built = [dataset_task(plan, shared, window, view, (n, count)) for n, plan in enumerate(applicable, 1)]
        in_order = iter(built)
        staged = [next(in_order) if p.applicable else build_dataset(p, discovered, window, view) for p in plans]
    outcomes = checkpoint_task(quote([d for d in staged if isinstance(d, Dataset)]), manifest.run_id, store)
    results = decide_verdicts(staged, outcomes, window, view, store)
    results = [redacted(r) for r in results]  # before any of it reaches a ticket, the report or an artifact
    folder = output_dir or scope.output
    dry_run = dry_run or scope.tickets.dry_run
    synced, tickets = Synced(), TicketStep(status="skipped", note=NO_JIRA)
    if scope.jira is not None:
        # a failed ticket step is stated in the report (and the exit code), never a reason to write no report
        link = report_link(scope, manifest.run_id, Path(folder) / "report.html")
        try:
            synced = tickets_task(quote(results), scope, link, dry_run, triage)
            tickets = TicketStep(status="planned" if dry_run else "synced")
        except SocreadyError as exc:
            tickets = TicketStep(status="failed", note=str(exc))
    results = [
        r.model_copy(update={"ticket": synced.refs.get(r.id), "decisions": triage.for_control(r.id)}) for r in results
    ]
    report = build_report(scope, window, manifest.run_id, store.location, results, dry_run=dry_run, tickets=tickets)
    if scope.jira is not None:
        today = window.local_date(window.as_of)
        view = build_triage(synced.tickets, triage.decisions(), list(triage.problems), today)
        report = report.model_copy(update={"triage": view})
    paths = report_task(quote(report), folder, store, scope)
    problems = run_problems(report)
    return Failed(message=f"socready: {problems}", data=paths) if problems else paths
