"""HR-01: every hire whose start day is in W had a background check completed on or before that day."""

from __future__ import annotations

from expectations.tables import StartCheck, roster_start_control

CHECK = StartCheck("employee", "employee_id", "start_date", "background_check", "background check")
SPEC = roster_start_control("HR-01", CHECK, "A hire started before their background check was completed.")
