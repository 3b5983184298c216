"""HR-05: every termination in W has an offboarding ticket closed within the SLA of the end of the last day."""

from __future__ import annotations

from datetime import timedelta

import great_expectations as gx
import pandas as pd

from expectations.dataset import frame
from expectations.jira_activity import CLOSE_METRICS, closure_rows, closure_suite
from expectations.jira_issues import field_map, jira_issues
from expectations.tables import ROSTER, load_table
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "HR-05"
METRICS = CLOSE_METRICS
SOURCE = "jira.offboarding"


def build(view: EvidenceView, scope: Scope, window: Window, params: dict) -> pd.DataFrame:
    """Tickets name the employee id in the mapped field (jira.fields.employee_id), else in the summary as a word."""
    mapping = field_map(scope, SOURCE)
    roster = load_table(view, ROSTER, scope.files.hr_roster, ["employee_id", "termination_date"])
    sla = timedelta(hours=float(params.get("sla_hours", 72)))
    item = ("employee", "employee_id", "termination_date")
    rows = closure_rows(roster, window, item, jira_issues(view, SOURCE, window), mapping.employee_id, mapping, sla)
    return frame(rows, METRICS)


def suite(params: dict) -> list[gx.expectations.Expectation]:
    sla = float(params.get("sla_hours", 72))
    return closure_suite(sla, f"The offboarding ticket was not closed within {sla:g} hours of the last working day.")
