"""Stage 2: each control's dataset from the evidence store, its GX suite, and its window verdict."""

from __future__ import annotations

import json
from datetime import timedelta

from connectors.aws.organizations import run_scope, with_discovery
from expectations.config_items import SOURCE as CONFIG_HISTORY
from expectations.config_items import state_paths
from expectations.registry import control_spec
from expectations.runner import validate
from expectations.spec import WithGrace
from socready.applicability import Assessment
from socready.catalog import Control
from socready.errors import EvidenceUnusable
from socready.evidence import CollectionFailure, EvidenceStore
from socready.evidence.view import EvidenceView
from socready.readiness.model import ControlResult, EvidenceRef
from socready.readiness.verdicts import decide, lacking_evidence, not_applicable
from socready.scope import Scope
from socready.window import Window

# What parsing a well-formed file of the wrong shape raises (a list where an object belongs, a missing key).
WRONG_SHAPE = (KeyError, IndexError, TypeError, AttributeError)


def blocking_failures(control: Control, sources: list[str], view: EvidenceView) -> list[CollectionFailure]:
    """A failed read of any source withholds the verdict; an optional source the scope leaves unset does not."""
    return [
        f
        for source in sources
        for f in view.failures(source)
        if not (f.not_configured and source in control.optional_evidence)
    ]


def assess_control(
    plan: Assessment, scope: Scope, window: Window, view: EvidenceView, store: EvidenceStore
) -> ControlResult:
    control = plan.control
    if not plan.applicable:
        return not_applicable(control, plan.reason)
    try:
        return _assess(plan, scope, window, view, store)
    except EvidenceUnusable as exc:
        sources = with_discovery(scope, control.evidence)
        return lacking_evidence(control, f"Evidence is unusable: {exc}", [], _evidence(sources, view))
    except WRONG_SHAPE as exc:  # a well-formed file whose content is not what the source delivers
        sources = with_discovery(scope, control.evidence)
        reason = f"Evidence is unusable: {', '.join(sources)} held an unexpected shape ({type(exc).__name__}: {exc})."
        return lacking_evidence(control, reason, [], _evidence(sources, view))


def _evidence(sources: list[str], view: EvidenceView) -> list[EvidenceRef]:
    # Built unvalidated: both fields come from validated manifest entries, and a control may cite tens of thousands.
    return [EvidenceRef.model_construct(source=e.source, sha256=e.sha256) for s in sources for e in view.entries(s)]


def _assess(plan: Assessment, scope: Scope, window: Window, view: EvidenceView, store: EvidenceStore) -> ControlResult:
    control = plan.control
    scope = run_scope(scope, view)
    sources = with_discovery(scope, control.evidence)
    evidence = _evidence(sources, view)
    failures = blocking_failures(control, sources, view)
    if failures:
        sources = ", ".join(dict.fromkeys(f.source for f in failures))
        return lacking_evidence(control, f"Evidence could not be collected from {sources}.", failures, evidence)
    spec = control_spec(control.id)
    df = spec.build(view.limited_to(sources), scope, window, plan.parameters)
    outcome = validate(control.id, df, spec.rules(plan.parameters))
    run_id = view.manifest.run_id
    store.put_derived(run_id, f"{control.id}/dataset.csv", df.to_csv(index=False).encode())
    store.put_derived(run_id, f"{control.id}/validation.json", json.dumps(outcome.result_json, default=str).encode())
    grace = timedelta(hours=plan.parameters.grace_hours if isinstance(plan.parameters, WithGrace) else 0)
    result = decide(control, df, outcome, window, scope.exceptions, evidence, grace)
    if CONFIG_HISTORY in sources:
        accounts = [a.id for a in scope.aws.accounts]
        result = result.model_copy(update={"state_sources": state_paths(view, accounts, scope.aws.regions)})
    return result
