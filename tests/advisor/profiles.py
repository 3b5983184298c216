"""Answers for advisor tests: a small SMB company that nobody asked for a report, changed per test."""

from __future__ import annotations

from datetime import date

from socready.advisor.profile import Profile

TODAY = date(2026, 11, 20)
BASE = {
    "organization": "Acme",
    "financial_reporting": False,
    "buyers": ["smb"],
    "customer_asked": [],
    "urgent": False,
    "public_trust_page": False,
    "soc2_completed": "none",
    "previous_period_end": None,
    "handles_customer_data": True,
    "uptime_commitments": False,
    "confidential_data": False,
    "processes_transactions": False,
    "personal_data": False,
    "today": TODAY,
}


def profile(**changes: object) -> Profile:
    return Profile.model_validate(BASE | changes)
