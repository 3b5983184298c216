"""ENG-RSK-01: on every day of W, a risk assessment was completed within the last 12 months."""

from __future__ import annotations

from expectations.jira_activity import Recurring

CONTROL_ID = "ENG-RSK-01"
ACTIVITY = Recurring("jira.risk_assessments", "risk-assessment", "assessed", "risk assessment", "interval_months", 12)
METRICS = ACTIVITY.metrics
build, suite = ACTIVITY.build, ACTIVITY.suite
