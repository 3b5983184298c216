"""ENG-BCK-02: deletion protection is on for every production RDS database on every day of W."""

from __future__ import annotations

import pandas as pd

from expectations.rds_instances import PRODUCTION_METRICS, Setting, production_rows, production_suite
from expectations.spec import ControlSpec, NoParameters, Rule
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-BCK-02"
METRICS = PRODUCTION_METRICS
DELETION_PROTECTION = Setting(
    "DeletionProtection",
    False,
    lambda on: ("pass", "deletion protection on") if on else ("fail", "deletion protection off"),
    applies_at_once=lambda value: True,
)


def build(view: EvidenceView, scope: Scope, window: Window, params: NoParameters) -> pd.DataFrame:
    return production_rows(view, scope, window, DELETION_PROTECTION).dataset()


def rules(params: NoParameters) -> list[Rule]:
    return production_suite(
        "The evidence does not show whether this production database had deletion protection.",
        "Deletion protection was off on this production database.",
    )


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=NoParameters,
    sources=("aws.rds.instances", "aws.config.history", "aws.config.recorders", "aws.cloudtrail.logs"),
    facts=METRICS,
    build=build,
    rules=rules,
)
