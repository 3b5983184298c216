"""HR-01: every hire whose start day is in W had a background check completed on or before that day."""

from __future__ import annotations

import great_expectations as gx
import pandas as pd

from expectations.dataset import frame
from expectations.people import Directory
from expectations.runner import held_throughout
from expectations.tables import COMPLIANT, ROSTER, UNUSABLE, StartCheck, checked_by_start, load_table, start_inventory
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "HR-01"
METRICS = COMPLIANT
CHECK = StartCheck("employee", "employee_id", "start_date", "background_check", "background check")


def build(view: EvidenceView, scope: Scope, window: Window, params: dict) -> pd.DataFrame:
    """Roster rows repeating an employee id are one person (expectations/people.py)."""
    roster = load_table(view, ROSTER, scope.files.hr_roster, [CHECK.key, CHECK.start, CHECK.done])
    rows = checked_by_start(Directory(roster, window.tz).items, window, CHECK)
    return frame(rows, METRICS, start_inventory(roster, window, CHECK))


def suite(params: dict) -> list[gx.expectations.Expectation]:
    return held_throughout("compliant", UNUSABLE, "A hire started before their background check was completed.")
