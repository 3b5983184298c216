"""Stage 2: each control's dataset from the evidence store, its GX suite, and its window verdict."""

from __future__ import annotations

import json
from datetime import timedelta

from expectations.registry import suite_module
from expectations.runner import validate
from socready.applicability import Assessment
from socready.errors import EvidenceUnusable
from socready.evidence import EvidenceStore
from socready.evidence.view import EvidenceView
from socready.readiness.model import ControlResult, EvidenceRef
from socready.readiness.verdicts import decide, lacking_evidence, not_applicable
from socready.scope import Scope
from socready.window import Window


def assess_control(
    plan: Assessment, scope: Scope, window: Window, view: EvidenceView, store: EvidenceStore
) -> ControlResult:
    control = plan.control
    if not plan.applicable:
        return not_applicable(control, plan.reason)
    evidence = [EvidenceRef(source=e.source, sha256=e.sha256) for s in control.evidence for e in view.entries(s)]
    failures = [f for s in control.evidence for f in view.failures(s)]
    if failures:
        sources = ", ".join(dict.fromkeys(f.source for f in failures))
        return lacking_evidence(control, f"Evidence could not be collected from {sources}.", failures, evidence)
    module = suite_module(control.id)
    try:
        df = module.build(view, scope, window, plan.parameters)
    except EvidenceUnusable as exc:
        return lacking_evidence(control, f"Evidence is unusable: {exc}", [], evidence)
    outcome = validate(control.id, df, module.suite(plan.parameters))
    run_id = view.manifest.run_id
    store.put_derived(run_id, f"{control.id}/dataset.csv", df.to_csv(index=False).encode())
    store.put_derived(run_id, f"{control.id}/validation.json", json.dumps(outcome.result_json, default=str).encode())
    grace = timedelta(hours=float(plan.parameters.get("grace_hours", 0)))
    return decide(control, df, outcome, window, scope.exceptions, evidence, grace)
