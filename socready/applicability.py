"""Which catalog controls a scope assesses, with their parameters; the rest are not_applicable with a reason."""

from __future__ import annotations

from dataclasses import dataclass

from socready.catalog import Control
from socready.scope import Scope


@dataclass(frozen=True)
class Assessment:
    control: Control
    applicable: bool
    reason: str
    parameters: dict


def plan_assessments(catalog: dict[str, Control], scope: Scope) -> list[Assessment]:
    plans = []
    for control in catalog.values():
        override = scope.controls.get(control.id)
        parameters = {**control.parameters, **(override.parameters if override else {})}
        if override and not override.applicable:
            plans.append(Assessment(control, False, f"Excluded by the scope: {override.reason}", parameters))
        elif not set(control.categories) & set(scope.categories):
            reason = f"Its criteria belong to {', '.join(control.categories)}, which the scope does not include."
            plans.append(Assessment(control, False, reason, parameters))
        else:
            plans.append(Assessment(control, True, "", parameters))
    return plans


def needed_sources(plans: list[Assessment]) -> list[str]:
    return sorted({source for plan in plans if plan.applicable for source in plan.control.evidence})
