"""IAM credential reports (CSV per account) -> one record per user, keyed by user name."""

from __future__ import annotations

import csv
import io

from socready.evidence.view import EvidenceView

SOURCE = "aws.iam.credential_report"


def credential_users(view: EvidenceView) -> dict[str, dict[str, str]]:
    """user name -> report row (with its account) across every account's report of this run."""
    users: dict[str, dict[str, str]] = {}
    for entry in view.entries(SOURCE):
        for row in csv.DictReader(io.StringIO(view.read(entry).decode())):
            users[row["user"]] = {**row, "account": entry.account or ""}
    return users


def has_active_credentials(row: dict[str, str]) -> bool:
    return any(row.get(flag) == "true" for flag in ("password_enabled", "access_key_1_active", "access_key_2_active"))
