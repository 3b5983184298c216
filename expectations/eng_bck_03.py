"""ENG-BCK-03: on every day of W, a successful restore test was completed within the policy's cadence."""

from __future__ import annotations

from expectations.jira_activity import Recurring

CONTROL_ID = "ENG-BCK-03"
ACTIVITY = Recurring("jira.restore_tests", "restore-test", "tested", "successful restore test", "cadence_months", 12)
METRICS = ACTIVITY.metrics
build, suite = ACTIVITY.build, ACTIVITY.suite
