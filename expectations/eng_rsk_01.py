"""ENG-RSK-01: on every day of W, a risk assessment was completed within the last 12 months."""

from __future__ import annotations

from pydantic import Field

from expectations.jira_activity import Recurring
from expectations.spec import ControlSpec, Parameters

CONTROL_ID = "ENG-RSK-01"
ACTIVITY = Recurring("jira.risk_assessments", "risk-assessment", "assessed", "risk assessment", "interval_months")
METRICS = ACTIVITY.metrics
build, rules = ACTIVITY.build, ACTIVITY.rules


class EngRsk01Parameters(Parameters):
    interval_months: int = Field(
        default=12,
        description="a risk assessment must have been completed within this many months on every day of the window",
    )


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngRsk01Parameters,
    sources=("jira.risk_assessments",),
    facts=METRICS,
    build=build,
    rules=rules,
)
