"""HR roster and vendor register exports for control fixtures: CSV files in a folder plus the scope's `files` entry."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

# Header names differ from socready's column names on purpose: every fixture exercises the scope's mapping.
ROSTER_COLUMNS = {"employee_id": "Staff ID", "termination_date": "Last Working Day", "iam_user": "AWS Username"}
REGISTER_COLUMNS = {
    "vendor": "Supplier",
    "tier": "Risk Rating",
    "onboarded": "Contract Start",
    "offboarded": "Contract End",
    "reviews": "SOC 2 Report Reviews",
}

# openpyxl is not installed in this project's virtualenv, so only CSV exports are written (no XLSX variant).

Day = date | str | None  # a str is written as is, e.g. a date no parser understands


@dataclass(frozen=True)
class Leaver:
    employee_id: str
    terminated: Day
    iam_user: str = ""


@dataclass(frozen=True)
class Supplier:
    name: str
    reviews: tuple[Day, ...] = ()
    tier: str = "critical"
    onboarded: Day = None
    offboarded: Day = None


def cell(value: Day) -> str:
    return value.isoformat() if isinstance(value, date) else value or ""


def write_export(
    folder: Path, export: str, columns: dict[str, str], records: list[dict[str, str]], drop: str | None = None
) -> dict:
    """Writes `<export>.csv` (without the `drop` column, if given) -> the scope's `files` dict for it."""
    kept = {name: header for name, header in columns.items() if name != drop}
    with (folder / f"{export}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Notes", *kept.values()])  # a column the scope does not map is ignored
        writer.writerows(["", *(record[name] for name in kept)] for record in records)
    return {export: {"path": f"{export}.csv", "columns": columns}}


def hr_roster(folder: Path, leavers: list[Leaver], drop: str | None = None) -> dict:
    records = [
        {"employee_id": p.employee_id, "termination_date": cell(p.terminated), "iam_user": p.iam_user} for p in leavers
    ]
    return write_export(folder, "hr_roster", ROSTER_COLUMNS, records, drop)


def vendor_register(folder: Path, suppliers: list[Supplier], drop: str | None = None) -> dict:
    records = [
        {
            "vendor": s.name,
            "tier": s.tier,
            "onboarded": cell(s.onboarded),
            "offboarded": cell(s.offboarded),
            "reviews": ";".join(cell(r) for r in s.reviews),
        }
        for s in suppliers
    ]
    return write_export(folder, "vendor_register", REGISTER_COLUMNS, records, drop)
