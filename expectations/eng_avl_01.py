"""ENG-AVL-01: every production RDS database runs Multi-AZ on every day of W."""

from __future__ import annotations

import great_expectations as gx
import pandas as pd

from expectations.dataset import frame
from expectations.rds_instances import Setting, production_rows
from expectations.runner import held_throughout
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-AVL-01"
METRICS = {"compliant": "boolean"}
# A Multi-AZ change waits for the maintenance window unless applied immediately; Config shows when it took effect.
MULTI_AZ = Setting("MultiAZ", False, lambda on: ("pass", "Multi-AZ") if on else ("fail", "single-AZ"))


def build(view: EvidenceView, scope: Scope, window: Window, params: dict) -> pd.DataFrame:
    return frame(production_rows(view, scope, window, params, MULTI_AZ), METRICS)


def suite(params: dict) -> list[gx.expectations.Expectation]:
    return held_throughout(
        "compliant",
        "The evidence does not show whether this production database was Multi-AZ.",
        "This production database was not Multi-AZ.",
    )
