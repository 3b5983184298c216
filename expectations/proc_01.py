"""PROC-01: every vendor whose contract starts in W was risk-tiered, and the tier approved, on or before that day."""

from __future__ import annotations

import great_expectations as gx
import pandas as pd

from expectations.dataset import frame
from expectations.runner import held_throughout
from expectations.tables import COMPLIANT, UNUSABLE, Cells, StartCheck, checked_by_start, load_table, start_inventory
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "PROC-01"
METRICS = COMPLIANT
REGISTER = "file.vendor_register"
# `onboarded` is the contract start: the day the vendor is added.
CHECK = StartCheck("vendor", "vendor", "onboarded", "tier_approved", "risk tier approval", "contract start")


def untiered(cells: Cells) -> str | None:
    return None if cells.text("tier") else "no risk tier"


def build(view: EvidenceView, scope: Scope, window: Window, params: dict) -> pd.DataFrame:
    register = load_table(view, REGISTER, scope.files.vendor_register, [CHECK.key, "tier", CHECK.start, CHECK.done])
    rows = checked_by_start(register.cells(window.tz), window, CHECK, untiered)
    return frame(rows, METRICS, start_inventory(register, window, CHECK))


def suite(params: dict) -> list[gx.expectations.Expectation]:
    return held_throughout(
        "compliant", UNUSABLE, "A vendor's contract started before its risk tier was assigned and approved."
    )
