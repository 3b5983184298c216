"""The sandbox company's HR roster and vendor register, as the CSV exports a real HR or procurement tool gives."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from socready.sandbox.company import PEOPLE, VENDORS


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def hr_roster_csv() -> str:
    """Column names differ from socready's on purpose: the scope's column mapping is exercised."""
    return _csv(
        ["Employee ID", "Name", "Work Email", "AWS User", "Start Date", "Termination Date"],
        [
            [
                p.employee_id,
                p.name,
                p.email,
                p.iam_user,
                p.start_date.isoformat(),
                p.termination_date.isoformat() if p.termination_date else "",
            ]
            for p in PEOPLE
        ],
    )


def vendor_register_csv() -> str:
    return _csv(
        ["Vendor", "Risk Tier", "Onboarded", "Offboarded", "Assurance Reviews"],
        [[v.name, v.tier, v.onboarded.isoformat(), "", ";".join(d.isoformat() for d in v.reviews)] for v in VENDORS],
    )


def write_exports(folder: Path) -> dict[str, Path]:
    paths = {"hr_roster": folder / "hr_roster.csv", "vendor_register": folder / "vendor_register.csv"}
    paths["hr_roster"].write_text(hr_roster_csv(), encoding="utf-8")
    paths["vendor_register"].write_text(vendor_register_csv(), encoding="utf-8")
    return paths
