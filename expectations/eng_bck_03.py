"""ENG-BCK-03: on every day of W, a successful restore test was completed within the policy's cadence."""

from __future__ import annotations

from pydantic import Field

from expectations.jira_activity import Recurring
from expectations.spec import ControlSpec, Parameters

CONTROL_ID = "ENG-BCK-03"
ACTIVITY = Recurring("jira.restore_tests", "restore-test", "tested", "successful restore test", "cadence_months")
METRICS = ACTIVITY.metrics
build, rules = ACTIVITY.build, ACTIVITY.rules


class EngBck03Parameters(Parameters):
    cadence_months: int = Field(
        default=12,
        description=(
            "a successful restore test must have been completed within this many months on every day of the window"
        ),
    )


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngBck03Parameters,
    sources=("jira.restore_tests",),
    facts=METRICS,
    build=build,
    rules=rules,
)
