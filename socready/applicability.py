"""Which catalog controls a scope assesses, with their parameters; the rest are not_applicable with a reason."""

from __future__ import annotations

from dataclasses import dataclass

from socready.catalog import Control
from socready.errors import ScopeError
from socready.scope import Scope

Parameter = float | int | str | bool


@dataclass(frozen=True)
class Assessment:
    control: Control
    applicable: bool
    reason: str
    parameters: dict


def type_name(default: Parameter) -> str:
    return {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}[type(default)]


def fits(default: Parameter, value: Parameter) -> bool:
    """A parameter's type is its catalog default's: a float default takes an int too; YAML's true is no number."""
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float)
    return type(value) is type(default)


def control_settings_problems(catalog: dict[str, Control], scope: Scope) -> list[str]:
    """Each `controls:` or `exceptions:` entry naming no catalog control, and each parameter override the
    control does not have or of the wrong type: a typo must not silently leave the default in force."""
    problems = [
        f"exceptions[{index}].control: unknown control id {e.control!r}; see `socready controls`"
        for index, e in enumerate(scope.exceptions)
        if e.control not in catalog
    ]
    for control_id, override in scope.controls.items():
        control = catalog.get(control_id)
        if control is None:
            problems.append(f"controls.{control_id}: unknown control id; see `socready controls`")
            continue
        for name, value in override.parameters.items():
            where = f"controls.{control_id}.parameters.{name}"
            if name not in control.parameters:
                known = ", ".join(sorted(control.parameters)) or "none"
                problems.append(f"{where}: {control_id} has no parameter {name!r}; its parameters: {known}")
            elif not fits(default := control.parameters[name], value):
                problems.append(f"{where}: {value!r} is not {type_name(default)} (default {default!r})")
    return problems


def check_control_settings(catalog: dict[str, Control], scope: Scope, source: str = "scope") -> None:
    if problems := control_settings_problems(catalog, scope):
        raise ScopeError(f"{source}: invalid control settings\n" + "\n".join(f"  - {p}" for p in problems))


def plan_assessments(catalog: dict[str, Control], scope: Scope) -> list[Assessment]:
    """Raises ScopeError on an unknown control or parameter, or a parameter of the wrong type."""
    check_control_settings(catalog, scope)
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
