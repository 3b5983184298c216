"""Control id -> its spec; one module per control, named after the id (expectations/eng_log_01.py for ENG-LOG-01)."""

from __future__ import annotations

import re
from functools import cache
from importlib import import_module
from pathlib import Path

from expectations.spec import ControlSpec

MODULE_NAME = re.compile(r"^(eng|hr|proc)_([a-z]+_)?\d{2}$")


def module_name(control_id: str) -> str:
    return control_id.lower().replace("-", "_")


@cache
def control_spec(control_id: str) -> ControlSpec:
    """The control's SPEC; ModuleNotFoundError for an id without a module, LookupError for a module without
    a SPEC of that id."""
    module = import_module(f"expectations.{module_name(control_id)}")
    spec = getattr(module, "SPEC", None)
    if not isinstance(spec, ControlSpec) or spec.id != control_id:
        raise LookupError(
            f"expectations/{module_name(control_id)}.py must export SPEC = ControlSpec(id={control_id!r})"
        )
    return spec


def control_modules() -> list[str]:
    """The module names of every control module in the package (each must have a catalog entry)."""
    folder = Path(__file__).parent
    return sorted(p.stem for p in folder.glob("*.py") if MODULE_NAME.match(p.stem))
