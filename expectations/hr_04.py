"""HR-04: every hire whose start day is in W signed the confidentiality agreement on or before that day."""

from __future__ import annotations

from expectations.tables import StartCheck, roster_start_control

CHECK = StartCheck("employee", "employee_id", "start_date", "confidentiality_signed", "confidentiality agreement")
SPEC = roster_start_control("HR-04", CHECK, "A hire started before signing the confidentiality agreement.")
