"""ENG-BCK-02: deletion protection is on for every production RDS database on every day of W."""

from __future__ import annotations

import pandas as pd

from expectations.config_items import CONFIG_STATE
from expectations.rds_instances import Setting, production_facts, production_rows, production_suite
from expectations.spec import ControlSpec, NoParameters, Rule
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-BCK-02"
FACT = "deletion_protection"
FACTS = production_facts(FACT)
DELETION_PROTECTION = Setting(
    "DeletionProtection",
    False,
    lambda on: ("pass", "deletion protection on") if on else ("fail", "deletion protection off"),
    applies_at_once=lambda value: True,
)


def build(view: EvidenceView, scope: Scope, window: Window, params: NoParameters) -> pd.DataFrame:
    return production_rows(view, scope, window, DELETION_PROTECTION).dataset(FACT)


def rules(params: NoParameters) -> list[Rule]:
    return production_suite(
        FACT,
        "The evidence does not show whether this production database had deletion protection.",
        "Deletion protection was off on this production database.",
    )


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=NoParameters,
    sources=(
        "aws.rds.instances",
        *CONFIG_STATE,
    ),
    facts=FACTS,
    build=build,
    rules=rules,
)
