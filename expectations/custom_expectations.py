"""Expectations GX has no built-in for, written as GX documents custom ones: a metric, an expectation, a renderer.

Imported by expectations/runner.py only (importing registers them with GX).
"""

from __future__ import annotations

from typing import ClassVar

from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation, ColumnPairMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    ColumnPairMapMetricProvider,
    column_condition_partial,
    column_pair_condition_partial,
)
from great_expectations.render import RenderedStringTemplateContent
from great_expectations.render.renderer.renderer import renderer
from great_expectations.render.renderer_configuration import RendererValueType

from expectations import ingress

LIBRARY_METADATA = {"maturity": "experimental", "tags": ["socready"], "contributors": []}


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
    library_metadata: ClassVar[dict] = LIBRARY_METADATA

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


class PortsExpectation(ColumnMapExpectation):
    """An expectation over a column of open rules (expectations/ingress.py's text) and a list of `ports`, with its
    Data Docs sentence (`template`). Abstract (no metric): GX registers only its subclasses."""

    success_keys = ("ports", "mostly")
    args_keys = ("column", "ports")
    ports: list[int]
    library_metadata: ClassVar[dict] = LIBRARY_METADATA
    template: ClassVar[str]

    @classmethod
    def _prescriptive_template(cls, renderer_configuration):
        renderer_configuration.add_param(name="column", param_type=RendererValueType.STRING)
        renderer_configuration.add_param(name="ports", param_type=RendererValueType.ARRAY)
        renderer_configuration.template_str = cls.template
        return renderer_configuration

    @classmethod
    @renderer(renderer_type="renderer.prescriptive")
    def _prescriptive_renderer(cls, configuration=None, result=None, runtime_configuration=None, **kwargs):
        """The sentence with the ports listed as "22, 3389"."""
        arguments = configuration.kwargs if configuration else {}
        params = {"column": arguments.get("column"), "ports": ", ".join(str(p) for p in arguments.get("ports") or [])}
        return [
            RenderedStringTemplateContent(
                content_block_type="string_template",
                string_template={
                    "template": cls.template,
                    "params": params,
                    "styling": (runtime_configuration or {}).get("styling"),
                },
            )
        ]


class ColumnValuesAdmitNoneOfPorts(ColumnMapMetricProvider):
    condition_metric_name = "column_values.admit_none_of_ports"
    condition_value_keys = ("ports",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, ports, **kwargs):
        return column.map(lambda text: not ingress.admitting(text, ports)).astype(bool)


class ExpectColumnValuesToAdmitNoneOfPorts(PortsExpectation):
    """Security-group rules open to the internet, as expectations/ingress.py writes them, admit none of `ports`
    (a rule of all traffic, or of TCP/UDP whose range covers a port or is unbounded). Rows whose rules are not
    shown (null) are left to a coverage rule."""

    map_metric = "column_values.admit_none_of_ports"
    template: ClassVar[str] = "Rules open to the internet in $column must admit none of ports $ports."


class ColumnValuesShowWhetherPortsAreAdmitted(ColumnMapMetricProvider):
    condition_metric_name = "column_values.show_whether_ports_are_admitted"
    condition_value_keys = ("ports",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, ports, **kwargs):
        return column.map(lambda text: not ingress.undecided(text, ports)).astype(bool)


class ExpectColumnValuesToShowWhetherPortsAreAdmitted(PortsExpectation):
    """Rules open to the internet, as expectations/ingress.py writes them, show whether one of `ports` is
    admitted: every rule is shown, or a rule shown already admits one. A row with only some rules shown, none of
    them admitting a port, is no evidence either way."""

    map_metric = "column_values.show_whether_ports_are_admitted"
    template: ClassVar[str] = (
        "Rules open to the internet in $column must all be shown, unless one shown admits one of ports $ports."
    )
