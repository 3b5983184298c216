"""Loads every catalog entry and fails fast, naming the file, on any invalid one."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from socready.catalog.models import Control
from socready.errors import CatalogError
from socready.scope.loader import describe_validation_error

CONTROLS_DIR = Path(__file__).parent / "controls"


def load_catalog_from(folder: Path) -> dict[str, Control]:
    controls: dict[str, Control] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            control = Control.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except ValidationError as exc:
            raise CatalogError(describe_validation_error(str(path), exc, "catalog entry")) from exc
        except yaml.YAMLError as exc:
            raise CatalogError(f"{path}: not valid YAML: {exc}") from exc
        if path.stem != control.id:
            raise CatalogError(f"{path}: file name must equal the control id {control.id!r}")
        controls[control.id] = control
    if not controls:
        raise CatalogError(f"{folder}: no control entries found")
    return controls


@cache
def load_catalog() -> dict[str, Control]:
    """The built-in catalog, keyed by control id."""
    return load_catalog_from(CONTROLS_DIR)
