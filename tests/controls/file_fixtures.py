"""HR and vendor exports for control fixtures: CSV or XLSX files in a folder plus the scope's `files` entry."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl

from tests.helpers import WINDOW

# Header names differ from socready's column names on purpose: every fixture exercises the scope's mapping.
ROSTER_COLUMNS = {
    "employee_id": "Staff ID",
    "termination_date": "Last Working Day",
    "iam_user": "AWS Username",
    "start_date": "Hire Date",
    "background_check": "Background Check Cleared",
    "confidentiality_signed": "NDA Signed",
    "email": "Work Email",
    "full_name": "Legal Name",
}
REGISTER_COLUMNS = {
    "vendor": "Supplier",
    "tier": "Risk Rating",
    "onboarded": "Contract Start",
    "offboarded": "Contract End",
    "reviews": "SOC 2 Report Reviews",
    "tier_approved": "Tier Approved On",
    "customer_data": "Processes Customer Data",
    "dpa_signed": "DPA Signed",
}
TRAINING_COLUMNS = {"employee_id": "Learner ID", "completed": "Completion Time"}
ACKNOWLEDGEMENT_COLUMNS = {
    "employee_id": "Employee Number",
    "policy_version": "Document Version",
    "acknowledged": "Signed At",
}

Day = date | str | None  # a datetime is a date too; a str is written as is, e.g. a date no parser understands
LONG_AGO = date(2020, 1, 6)  # a start date well before any fixture window


@dataclass(frozen=True)
class Person:
    """One HR roster row; ENG-ACC-03 reads the leaving side, HR controls the joining side."""

    employee_id: str
    terminated: Day = None
    iam_user: str = ""
    started: Day = LONG_AGO
    background_check: Day = None
    confidentiality_signed: Day = None
    email: str = ""
    full_name: str = ""


Leaver = Person  # ENG-ACC-03's fixtures name roster rows by what they test


@dataclass(frozen=True)
class Supplier:
    name: str
    reviews: tuple[Day, ...] = ()
    tier: str = "critical"
    onboarded: Day = None
    offboarded: Day = None
    tier_approved: Day = None
    customer_data: str = "no"
    dpa_signed: Day = None


def cell(value: Day) -> str:
    return value.isoformat() if isinstance(value, date) else value or ""


def wall_clock(moment: datetime) -> datetime:
    """Excel has no time zones: a date-time is stored as the fixture window's local wall-clock time."""
    return moment.astimezone(ZoneInfo(WINDOW["timezone"])).replace(tzinfo=None)


def write_export(
    folder: Path,
    export: str,
    columns: dict[str, str],
    records: list[dict[str, Day]],
    drop: str | None = None,
    xlsx: bool = False,
) -> dict:
    """Writes `<export>.csv` or `.xlsx` (without the `drop` column) -> the scope's `files` dict for it.

    XLSX cells keep their types (dates and date-times as Excel dates), as spreadsheet tools export them.
    """
    kept = {name: header for name, header in columns.items() if name != drop}
    header = ["Notes", *kept.values()]  # a column the scope does not map is ignored
    rows = [["", *(record[name] for name in kept)] for record in records]
    path = folder / f"{export}.{'xlsx' if xlsx else 'csv'}"
    if xlsx:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(header)
        for row in rows:
            sheet.append([wall_clock(v) if isinstance(v, datetime) else v or None for v in row])
        book.save(path)
    else:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows([cell(v) for v in row] for row in rows)
    return {export: {"path": path.name, "columns": columns}}


def hr_roster(folder: Path, people: list[Person], drop: str | None = None, xlsx: bool = False) -> dict:
    records = [
        {
            "employee_id": p.employee_id,
            "termination_date": p.terminated,
            "iam_user": p.iam_user,
            "start_date": p.started,
            "background_check": p.background_check,
            "confidentiality_signed": p.confidentiality_signed,
            "email": p.email,
            "full_name": p.full_name,
        }
        for p in people
    ]
    return write_export(folder, "hr_roster", ROSTER_COLUMNS, records, drop, xlsx)


def vendor_register(folder: Path, suppliers: list[Supplier], drop: str | None = None) -> dict:
    records = [
        {
            "vendor": s.name,
            "tier": s.tier,
            "onboarded": s.onboarded,
            "offboarded": s.offboarded,
            "reviews": ";".join(cell(r) for r in s.reviews),
            "tier_approved": s.tier_approved,
            "customer_data": s.customer_data,
            "dpa_signed": s.dpa_signed,
        }
        for s in suppliers
    ]
    return write_export(folder, "vendor_register", REGISTER_COLUMNS, records, drop)


def training(folder: Path, completions: list[tuple[str, Day]], drop: str | None = None) -> dict:
    records = [{"employee_id": person, "completed": day} for person, day in completions]
    return write_export(folder, "training", TRAINING_COLUMNS, records, drop)


def acknowledgements(folder: Path, acks: list[tuple[str, str, Day]], xlsx: bool = False) -> dict:
    records = [{"employee_id": person, "policy_version": version, "acknowledged": day} for person, version, day in acks]
    return write_export(folder, "policy_acknowledgements", ACKNOWLEDGEMENT_COLUMNS, records, xlsx=xlsx)
