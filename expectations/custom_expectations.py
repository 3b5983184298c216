"""Expectations GX has no built-in for, written as GX documents custom ones: a metric, an expectation, a renderer.

Imported by expectations/runner.py only (importing registers them with GX).
"""

from __future__ import annotations

from typing import ClassVar

from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnPairMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnPairMapMetricProvider,
    column_pair_condition_partial,
)
from great_expectations.render import RenderedStringTemplateContent
from great_expectations.render.renderer.renderer import renderer
from great_expectations.render.renderer_configuration import RendererValueType


class ColumnPairValuesDiffer(ColumnPairMapMetricProvider):
    condition_metric_name = "column_pair_values.differ"
    condition_domain_keys = (
        "batch_id",
        "table",
        "column_A",
        "column_B",
        "row_condition",
        "condition_parser",
        "ignore_row_if",
    )
    condition_value_keys = ()

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_A, column_B, **kwargs):
        return column_A != column_B


class ExpectColumnPairValuesToDiffer(ColumnPairMapExpectation):
    """Two columns never hold the same value in a row: e.g. who approved a change is not who implemented it.
    Rows missing either value are left to a coverage rule (ignore_row_if="either_value_is_missing")."""

    map_metric = "column_pair_values.differ"
    success_keys = ("column_A", "column_B", "ignore_row_if", "mostly")
    args_keys = ("column_A", "column_B")
    ignore_row_if: str = "either_value_is_missing"
    library_metadata: ClassVar[dict] = {"maturity": "experimental", "tags": ["socready"], "contributors": []}

    @classmethod
    def _prescriptive_template(cls, renderer_configuration):
        renderer_configuration.add_param(name="column_A", param_type=RendererValueType.STRING)
        renderer_configuration.add_param(name="column_B", param_type=RendererValueType.STRING)
        renderer_configuration.template_str = "Values in $column_A and $column_B must never be the same."
        return renderer_configuration

    @classmethod
    @renderer(renderer_type="renderer.prescriptive")
    def _prescriptive_renderer(cls, configuration=None, result=None, runtime_configuration=None, **kwargs):
        params = {key: (configuration.kwargs if configuration else {}).get(key) for key in ("column_A", "column_B")}
        return [
            RenderedStringTemplateContent(
                content_block_type="string_template",
                string_template={
                    "template": "Values in $column_A and $column_B must never be the same.",
                    "params": params,
                    "styling": (runtime_configuration or {}).get("styling"),
                },
            )
        ]
