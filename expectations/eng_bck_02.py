"""ENG-BCK-02: deletion protection is on for every production RDS database on every day of W."""

from __future__ import annotations

import great_expectations as gx
import pandas as pd

from expectations.dataset import frame
from expectations.rds_instances import Setting, production_rows
from expectations.runner import held_throughout
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-BCK-02"
METRICS = {"compliant": "boolean"}
DELETION_PROTECTION = Setting(
    "DeletionProtection",
    False,
    lambda on: ("pass", "deletion protection on") if on else ("fail", "deletion protection off"),
    applies_at_once=lambda value: True,
)


def build(view: EvidenceView, scope: Scope, window: Window, params: dict) -> pd.DataFrame:
    return frame(production_rows(view, scope, window, params, DELETION_PROTECTION), METRICS)


def suite(params: dict) -> list[gx.expectations.Expectation]:
    return held_throughout(
        "compliant",
        "The evidence does not show whether this production database had deletion protection.",
        "Deletion protection was off on this production database.",
    )
