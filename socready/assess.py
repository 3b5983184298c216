"""Stage 2 in three steps: each control's dataset from the evidence store, the run's GX Checkpoint over all of
them, and each control's window verdict from its outcome."""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

import pandas as pd

from connectors.aws.organizations import run_scope, with_discovery
from expectations.config_items import SOURCE as CONFIG_HISTORY
from expectations.config_items import state_paths
from expectations.outcome import SuiteOutcome
from expectations.registry import control_spec
from expectations.spec import Rule, WithGrace
from socready.applicability import Assessment
from socready.catalog import Control
from socready.errors import EvidenceUnusable
from socready.evidence import CollectionFailure, EvidenceStore
from socready.evidence.view import EvidenceView
from socready.readiness.citations import digest, with_citations
from socready.readiness.model import ControlResult, EvidenceDigest
from socready.readiness.verdicts import decide, lacking_evidence, not_applicable
from socready.scope import Scope
from socready.window import Window

# What parsing a well-formed file of the wrong shape raises (a list where an object belongs, a missing key).
WRONG_SHAPE = (KeyError, IndexError, TypeError, AttributeError)
T = TypeVar("T")


def blocking_failures(control: Control, sources: list[str], view: EvidenceView) -> list[CollectionFailure]:
    """A failed read of any source withholds the verdict; an optional source the scope leaves unset does not."""
    return [
        f
        for source in sources
        for f in view.failures(source)
        if not (f.not_configured and source in control.optional_evidence)
    ]


@dataclass(frozen=True)
class Dataset:
    """A control's dataset and suite (step 1), with what its verdict (step 3) needs besides the outcome."""

    plan: Assessment
    scope: Scope  # the run's scope (accounts discovered)
    sources: list[str]
    evidence: EvidenceDigest
    df: pd.DataFrame
    rules: list[Rule]


def _guarded(plan: Assessment, scope: Scope, view: EvidenceView, step: Callable[[], T]) -> T | ControlResult:
    """Evidence that cannot be read as its source delivers it is `no_evidence`, never a crash or a pass."""
    control = plan.control
    try:
        return step()
    except EvidenceUnusable as exc:
        sources = with_discovery(scope, control.evidence)
        return lacking_evidence(control, f"Evidence is unusable: {exc}", [], digest(sources, view))
    except WRONG_SHAPE as exc:  # a well-formed file whose content is not what the source delivers
        sources = with_discovery(scope, control.evidence)
        reason = f"Evidence is unusable: {', '.join(sources)} held an unexpected shape ({type(exc).__name__}: {exc})."
        return lacking_evidence(control, reason, [], digest(sources, view))


def build_dataset(plan: Assessment, scope: Scope, window: Window, view: EvidenceView) -> Dataset | ControlResult:
    """Step 1: the control's dataset and rules; or its verdict already, when it is not applicable or lacks evidence.
    `scope`: the run's scope, its accounts as the run discovered them (`run_scope`, once a run)."""
    if not plan.applicable:
        return not_applicable(plan.control, plan.reason)
    return _guarded(plan, scope, view, lambda: _build(plan, scope, window, view))


def _build(plan: Assessment, scope: Scope, window: Window, view: EvidenceView) -> Dataset | ControlResult:
    control = plan.control
    sources = with_discovery(scope, control.evidence)
    evidence = digest(sources, view)
    failures = blocking_failures(control, sources, view)
    if failures:
        sources = ", ".join(dict.fromkeys(f.source for f in failures))
        return lacking_evidence(control, f"Evidence could not be collected from {sources}.", failures, evidence)
    spec = control_spec(control.id)
    df = spec.build(view.limited_to(sources), scope, window, plan.parameters)
    return Dataset(plan, scope, sources, evidence, df, spec.rules(plan.parameters))


VALIDATION = "expectations.runner"  # GX and the suites' runner: seconds of imports


def load_validation_meanwhile() -> threading.Thread:
    """Imports the validation step's modules in a thread while the run collects, which mostly waits on the
    network. `validate_datasets` then finds them loaded, or waits for this import to finish (Python imports a
    module once, under a lock of its own)."""
    loading = threading.Thread(target=importlib.import_module, args=(VALIDATION,), name="load-gx", daemon=True)
    loading.start()
    return loading


def validate_datasets(
    datasets: list[Dataset], run_id: str, store: EvidenceStore, *, keep_project: bool = True
) -> dict[str, SuiteOutcome]:
    """Step 2: the run's Checkpoint over every dataset, in the store's GX project; `keep_project=False`: in a
    project kept nowhere (one control assessed alone)."""
    from expectations.runner import Suite, validate_in_store  # GX loads only for the validation step

    suites = {d.plan.control.id: Suite(d.df, d.rules) for d in datasets}
    return validate_in_store(store if keep_project else None, run_id, suites)


def decide_verdict(
    dataset: Dataset, outcome: SuiteOutcome, window: Window, view: EvidenceView, store: EvidenceStore
) -> ControlResult:
    """Step 3: the window verdict from the suite's outcome (no GX), with the dataset and result kept as evidence."""
    return _guarded(dataset.plan, dataset.scope, view, lambda: _decide(dataset, outcome, window, view, store))


def _decide(
    dataset: Dataset, outcome: SuiteOutcome, window: Window, view: EvidenceView, store: EvidenceStore
) -> ControlResult:
    control, parameters, df, scope = dataset.plan.control, dataset.plan.parameters, dataset.df, dataset.scope
    run_id = view.manifest.run_id
    store.put_derived(run_id, f"{control.id}/dataset.csv", df.to_csv(index=False).encode())
    store.put_derived(run_id, f"{control.id}/validation.json", json.dumps(outcome.result_json, default=str).encode())
    grace = timedelta(hours=parameters.grace_hours if isinstance(parameters, WithGrace) else 0)
    decided = decide(control, df, outcome, window, scope.exceptions, dataset.evidence, grace)
    result = with_citations(decided, dataset.sources, view)
    if CONFIG_HISTORY in dataset.sources:
        accounts = [a.id for a in scope.aws.accounts]
        result = result.model_copy(update={"state_sources": state_paths(view, accounts, scope.aws.regions)})
    return result


def decide_verdicts(
    staged: list[Dataset | ControlResult],
    outcomes: dict[str, SuiteOutcome],
    window: Window,
    view: EvidenceView,
    store: EvidenceStore,
) -> list[ControlResult]:
    """Step 3 for each control step 1 left undecided, in the plans' order."""
    return [
        decide_verdict(d, outcomes[d.plan.control.id], window, view, store) if isinstance(d, Dataset) else d
        for d in staged
    ]


def assess_run(
    plans: list[Assessment], scope: Scope, window: Window, view: EvidenceView, store: EvidenceStore
) -> list[ControlResult]:
    """Every control of a run, its suites validated by the run's one Checkpoint in the store's GX project."""
    scope = run_scope(scope, view)
    staged = [build_dataset(plan, scope, window, view) for plan in plans]
    outcomes = validate_datasets([d for d in staged if isinstance(d, Dataset)], view.manifest.run_id, store)
    return decide_verdicts(staged, outcomes, window, view, store)


def assess_control(
    plan: Assessment, scope: Scope, window: Window, view: EvidenceView, store: EvidenceStore
) -> ControlResult:
    """One control alone (tests, tools): the same three steps, its suite validated in a project kept nowhere."""
    dataset = build_dataset(plan, run_scope(scope, view), window, view)
    if not isinstance(dataset, Dataset):
        return dataset
    outcomes = validate_datasets([dataset], view.manifest.run_id, store, keep_project=False)
    return decide_verdict(dataset, outcomes[plan.control.id], window, view, store)
