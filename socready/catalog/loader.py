"""Loads every catalog entry with its control's spec and fails fast, naming the file, on any invalid one.

A catalog entry (socready/catalog/controls/<ID>.yaml) says what the control is: title, criteria, owner, kind,
severity, remediation. Its spec (expectations/<id>.py SPEC) says how it is tested: the sources it reads and its
parameters. Each exists only with the other.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from socready.catalog.models import Control
from socready.errors import CatalogError
from socready.scope.loader import describe_validation_error

CONTROLS_DIR = Path(__file__).parent / "controls"
IN_THE_SPEC = ("evidence", "optional_evidence", "parameters", "parameter_help")


def _entry(path: Path) -> Control:
    from expectations.registry import control_spec, module_name  # the specs import pandas: only when loading

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise CatalogError(f"{path}: a catalog entry is a mapping with an `id`")
    if stray := [key for key in IN_THE_SPEC if key in raw]:
        module = f"expectations/{module_name(raw['id'])}.py"
        raise CatalogError(f"{path}: {', '.join(stray)} belong in the control's SPEC in {module}, not its entry")
    try:
        spec = control_spec(raw["id"])
    except (ModuleNotFoundError, LookupError) as exc:
        raise CatalogError(f"{path}: no spec for {raw['id']}: {exc}") from exc
    try:
        control = Control.model_validate(
            {**raw, "evidence": list(spec.sources), "optional_evidence": list(spec.optional_sources)}
        )
    except ValidationError as exc:
        raise CatalogError(describe_validation_error(str(path), exc, "catalog entry")) from exc
    if path.stem != control.id:
        raise CatalogError(f"{path}: file name must equal the control id {control.id!r}")
    return control


def load_catalog_from(folder: Path) -> dict[str, Control]:
    controls = {control.id: control for control in map(_entry, sorted(folder.glob("*.yaml")))}
    if not controls:
        raise CatalogError(f"{folder}: no control entries found")
    return controls


@cache
def load_catalog() -> dict[str, Control]:
    """The built-in catalog, keyed by control id; every control module has an entry and every entry a module."""
    from expectations.registry import control_modules, module_name

    controls = load_catalog_from(CONTROLS_DIR)
    if orphans := sorted(set(control_modules()) - {module_name(c) for c in controls}):
        raise CatalogError(f"{CONTROLS_DIR}: no catalog entry for the control modules {orphans}")
    return controls
