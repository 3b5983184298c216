"""Runs a control's suite through Great Expectations and returns the failing rows per expectation."""

from __future__ import annotations

import copy
import os
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Literal

import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx  # analytics must be off before import
from great_expectations.data_context.types.base import ProgressBarsConfig

OnFail = Literal["exception", "coverage"]


@dataclass(frozen=True)
class Failure:
    on_fail: OnFail
    reason: str
    rows: list[int]


@dataclass(frozen=True)
class SuiteOutcome:
    control_id: str
    success: bool
    evaluated: int
    failures: list[Failure]
    result_json: dict


def expect(expectation: gx.expectations.Expectation, on_fail: OnFail, reason: str) -> gx.expectations.Expectation:
    """Tags an expectation with what its failing rows mean and the stable sentence that explains them."""
    expectation.meta = {"on_fail": on_fail, "reason": reason}
    return expectation


@cache
def _context():
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context, context.data_sources.add_pandas("socready")


def validate(control_id: str, df: pd.DataFrame, expectations: list[gx.expectations.Expectation]) -> SuiteOutcome:
    context, source = _context()
    name = f"{control_id}-{uuid.uuid4().hex[:12]}"  # unique even when flows validate concurrently
    # Copies: an expectation object may belong to one suite only, and callers may reuse theirs.
    suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=[copy.copy(e) for e in expectations]))
    batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("window")
    definition = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
    result = definition.run(
        batch_parameters={"dataframe": df.reset_index(drop=True)}, result_format={"result_format": "COMPLETE"}
    )
    failures = []
    for item in result.results:
        if item.exception_info and item.exception_info.get("raised_exception"):
            raise RuntimeError(
                f"{control_id}: expectation {item.expectation_config.type} could not run: "
                f"{item.exception_info.get('exception_message')}"
            )
        if not item.success:
            meta = item.expectation_config.meta or {}
            rows = [int(i) for i in item.result.get("unexpected_index_list") or []]
            failures.append(
                Failure(meta.get("on_fail", "exception"), meta.get("reason", item.expectation_config.type), rows)
            )
    return SuiteOutcome(control_id, bool(result.success), len(result.results), failures, result.to_json_dict())


def held_throughout(column: str, coverage_reason: str, exception_reason: str) -> list[gx.expectations.Expectation]:
    """The suite of a boolean state: a null is a period without evidence, a False is an exception."""
    return [
        expect(gx.expectations.ExpectColumnValuesToNotBeNull(column=column), "coverage", coverage_reason),
        expect(
            gx.expectations.ExpectColumnValuesToBeInSet(column=column, value_set=[True]), "exception", exception_reason
        ),
    ]
