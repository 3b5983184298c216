"""Control id -> its dataset builder and suite; one module per control, named after the id."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType


def suite_module(control_id: str) -> ModuleType:
    """expectations/eng_log_01.py for ENG-LOG-01; raises ModuleNotFoundError for a control without a suite."""
    return import_module(f"expectations.{control_id.lower().replace('-', '_')}")


def has_suite(control_id: str) -> bool:
    try:
        suite_module(control_id)
    except ModuleNotFoundError:
        return False
    return True
