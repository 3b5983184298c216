"""Runs a control's rules as a Great Expectations suite and reads the outcome back as data."""

from __future__ import annotations

import os
import uuid
from functools import cache

import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx  # analytics must be off before import
from great_expectations.data_context.types.base import ProgressBarsConfig

from expectations import custom_expectations
from expectations.outcome import ROW_KEYS, SuiteOutcome, outcome_from
from expectations.spec import Rule


def expectation(item: Rule) -> gx.expectations.Expectation:
    """The GX object of a declared rule, tagged with what its failing rows mean and the sentence explaining them."""
    kind = getattr(gx.expectations, item.expectation, None) or getattr(custom_expectations, item.expectation)
    return kind(**item.arguments, meta={"on_fail": item.on_fail, "reason": item.reason})


@cache
def _context():
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context, context.data_sources.add_pandas("socready")


def validate(control_id: str, df: pd.DataFrame, rules: list[Rule]) -> SuiteOutcome:
    context, source = _context()
    name = f"{control_id}-{uuid.uuid4().hex[:12]}"  # unique even when flows validate concurrently
    suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=[expectation(r) for r in rules]))
    batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("window")
    definition = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
    df = df.reset_index(drop=True)
    result = definition.run(
        batch_parameters={"dataframe": df},
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ROW_KEYS},
    )
    return outcome_from(control_id, result.to_json_dict(), df)
