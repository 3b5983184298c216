"""ENG-AVL-01: every production RDS database runs Multi-AZ on every day of W."""

from __future__ import annotations

import pandas as pd

from expectations.config_items import CONFIG_STATE
from expectations.rds_instances import Setting, production_facts, production_rows, production_suite
from expectations.spec import ControlSpec, NoParameters, Rule
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-AVL-01"
FACT = "multi_az"
FACTS = production_facts(FACT)
# A Multi-AZ change waits for the maintenance window unless applied immediately; Config shows when it took effect.
MULTI_AZ = Setting("MultiAZ", False, lambda on: ("pass", "Multi-AZ") if on else ("fail", "single-AZ"))


def build(view: EvidenceView, scope: Scope, window: Window, params: NoParameters) -> pd.DataFrame:
    return production_rows(view, scope, window, MULTI_AZ).dataset(FACT)


def rules(params: NoParameters) -> list[Rule]:
    return production_suite(
        FACT,
        "The evidence does not show whether this production database was Multi-AZ.",
        "This production database was not Multi-AZ.",
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
