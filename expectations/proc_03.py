"""PROC-03: every vendor handling customer data had a signed DPA on every day it was active in W."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd

from expectations.dataset import Row, frame
from expectations.spec import ControlSpec, NoParameters, Rule, held_throughout
from expectations.tables import UNUSABLE, active_span, held_rows, last_day, load_table, midnight, unusable, window_span
from socready.evidence.view import EvidenceView
from socready.intervals import Interval
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "PROC-03"
METRICS = {"dpa": "boolean"}
REGISTER = "file.vendor_register"
COLUMNS = ["vendor", "customer_data", "dpa_signed"]
OPTIONAL = ("onboarded", "offboarded")


def describe(signed: date | None) -> Callable[[Interval, bool], str]:
    def text(span: Interval, held: bool) -> str:
        if held:
            return f"DPA signed {signed}"
        return f"no signed DPA until {signed}" if signed else "no signed DPA"

    return text


def build(view: EvidenceView, scope: Scope, window: Window, params: NoParameters) -> pd.DataFrame:
    register = load_table(view, REGISTER, scope.files.vendor_register, COLUMNS, OPTIONAL)
    evidence = (register.sha256,)
    rows: list[Row] = []
    for cells in register.cells(window.tz):
        vendor = cells.key("vendor", "vendor")
        first, last = cells.day("onboarded"), cells.day("offboarded")
        if (
            (first and first > last_day(window))
            or (last and last < window.start)
            or cells.yes_no("customer_data") is False
        ):
            continue
        signed = cells.day("dpa_signed")
        span = active_span(first, last, window)
        if cells.bad:
            rows.append(unusable(vendor, cells.bad, span or window_span(window), METRICS, evidence))
        elif span:
            held = [(midnight(signed, window.tz), span[1])] if signed else []  # the signing day counts
            rows += held_rows(vendor, span, held, describe(signed), "dpa", evidence)
    return frame(rows, METRICS)


def rules(params: NoParameters) -> list[Rule]:
    return held_throughout("dpa", UNUSABLE, "A vendor handling customer data had no signed data-processing agreement.")


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=NoParameters,
    sources=("file.vendor_register",),
    facts=METRICS,
    build=build,
    rules=rules,
)
