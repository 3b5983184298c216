"""PROC-04: every vendor offboarded in W has a vendor-offboarding ticket closed within the SLA."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from pydantic import Field

from expectations.dataset import frame
from expectations.jira_activity import CLOSE_METRICS, closure_rows, closure_suite, mentioning
from expectations.jira_issues import field_map, jira_issues
from expectations.spec import ControlSpec, Parameters, Rule
from expectations.tables import load_table
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "PROC-04"
METRICS = CLOSE_METRICS
REGISTER = "file.vendor_register"
SOURCE = "jira.vendor_offboarding"


class Proc04Parameters(Parameters):
    sla_days: float = Field(
        default=30.0,
        description="days after the vendor's offboarding within which its vendor-offboarding ticket must be closed",
    )


def build(view: EvidenceView, scope: Scope, window: Window, params: Proc04Parameters) -> pd.DataFrame:
    """The register's `offboarded` day is the contract's end; tickets name the vendor in the mapped field
    (jira.fields.vendor), else in the summary."""
    mapping = field_map(scope, SOURCE)
    register = load_table(view, REGISTER, scope.files.vendor_register, ["vendor", "offboarded"])
    sla = timedelta(days=params.sla_days)
    item = ("vendor", "vendor", "offboarded")
    naming = mentioning(jira_issues(view, SOURCE, window), mapping.vendor, "vendor")
    rows = closure_rows(register.cells(window.tz), window, item, naming, mapping, sla)
    return frame(rows, METRICS)


def rules(params: Proc04Parameters) -> list[Rule]:
    days = params.sla_days
    reason = f"The vendor-offboarding ticket was not closed within {days:g} days of the contract's end."
    return closure_suite(days * 24, reason)


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=Proc04Parameters,
    sources=("file.vendor_register", "jira.vendor_offboarding"),
    facts=METRICS,
    build=build,
    rules=rules,
)
