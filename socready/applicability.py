"""Which catalog controls a scope assesses, with their parameters; the rest are not_applicable with a reason."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from expectations.registry import control_spec
from expectations.spec import Parameters
from socready.catalog import Control
from socready.errors import ScopeError
from socready.scope import Scope

# pydantic's error type of a strict field -> what the value must be
KINDS = {
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "string_type": "a string",
}


@dataclass(frozen=True)
class Assessment:
    control: Control
    applicable: bool
    reason: str
    parameters: Parameters  # the control spec's model, with the scope's overrides


def _overrides(catalog: dict[str, Control], scope: Scope) -> tuple[dict[str, Parameters], list[str]]:
    """Each control's parameters, and a problem line for each `controls:` or `exceptions:` entry naming no catalog
    control and each parameter the control does not have or of the wrong type: a typo must not silently leave
    the default in force."""
    problems = [
        f"exceptions[{index}].control: unknown control id {e.control!r}; see `socready controls`"
        for index, e in enumerate(scope.exceptions)
        if e.control not in catalog
    ]
    problems += [
        f"controls.{control_id}: unknown control id; see `socready controls`"
        for control_id in scope.controls
        if control_id not in catalog
    ]
    parameters = {}
    for control in catalog.values():
        model = control_spec(control.id).parameters
        override = scope.controls.get(control.id)
        try:
            parameters[control.id] = model.model_validate(override.parameters if override else {})
        except ValidationError as exc:
            problems += [_problem(control.id, model, error) for error in exc.errors()]
    return parameters, problems


def _problem(control_id: str, model: type[Parameters], error: dict) -> str:
    name = ".".join(str(part) for part in error["loc"])
    where = f"controls.{control_id}.parameters.{name}"
    if error["type"] == "extra_forbidden":
        known = ", ".join(model.model_fields) or "none"
        return f"{where}: {control_id} has no parameter {name!r}; its parameters: {known}"
    wanted = KINDS.get(error["type"], error["msg"])
    return f"{where}: {error['input']!r} is not {wanted} (default {model.model_fields[name].default!r})"


def control_settings_problems(catalog: dict[str, Control], scope: Scope) -> list[str]:
    return _overrides(catalog, scope)[1]


def check_control_settings(catalog: dict[str, Control], scope: Scope, source: str = "scope") -> None:
    if problems := control_settings_problems(catalog, scope):
        raise ScopeError(f"{source}: invalid control settings\n" + "\n".join(f"  - {p}" for p in problems))


def plan_assessments(catalog: dict[str, Control], scope: Scope) -> list[Assessment]:
    """Raises ScopeError on an unknown control or parameter, or a parameter of the wrong type."""
    check_control_settings(catalog, scope)
    chosen, _ = _overrides(catalog, scope)
    plans = []
    for control in catalog.values():
        override, parameters = scope.controls.get(control.id), chosen[control.id]
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
