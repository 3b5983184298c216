"""The sandbox company's HR, training, policy and vendor exports, as the CSV and XLSX files real tools give."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import openpyxl

from socready_sandbox.company import PEOPLE, POLICY_VERSION, VENDORS


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def hr_roster_csv() -> str:
    """Column names differ from socready's on purpose: the scope's column mapping is exercised."""
    return csv_text(
        [
            "Employee ID",
            "Name",
            "Work Email",
            "AWS User",
            "Start Date",
            "Termination Date",
            "Background Check Completed",
            "NDA Signed",
        ],
        [
            [
                p.employee_id,
                p.name,
                p.email,
                p.iam_user,
                p.start_date.isoformat(),
                _day(p.termination_date),
                _day(p.background_check),
                _day(p.confidentiality_signed),
            ]
            for p in PEOPLE
        ],
    )


def training_csv() -> str:
    """A learning tool's completions: UTC timestamps (14:30 UTC is the same local day in New York)."""
    return csv_text(
        ["Learner", "Employee Number", "Course", "Completed At"],
        [
            [p.name, p.employee_id, f"Security Awareness {day.year}", f"{day.isoformat()}T14:30:00Z"]
            for p in PEOPLE
            for day in p.trainings
        ],
    )


def policy_acknowledgements_xlsx() -> bytes:
    """A policy tool's spreadsheet: Excel date-times carry no zone, so they are local wall-clock times."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Employee", "Policy", "Version", "Acknowledged At"])
    for p in PEOPLE:
        if p.policy_acknowledged:
            at = datetime.combine(p.policy_acknowledged, time(9, 15))  # naive on purpose: an Excel cell has no zone
            sheet.append([p.employee_id, "Information Security Policy", POLICY_VERSION, at])
    buffer = io.BytesIO()
    book.save(buffer)
    return reproducible_zip(buffer.getvalue())


def reproducible_zip(data: bytes) -> bytes:
    """The same bytes every run: an XLSX is a zip whose entries and properties carry the time of writing,
    which would change the export's evidence hash (and the gap tickets that cite it) on every run."""
    stamp = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = stamp.sub(rb"", body)
            target.writestr(
                zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0)),
                body,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()


def vendor_register_csv() -> str:
    return csv_text(
        [
            "Vendor",
            "Risk Tier",
            "Onboarded",
            "Offboarded",
            "Assurance Reviews",
            "Tier Approved",
            "Customer Data",
            "DPA Signed",
        ],
        [
            [
                v.name,
                v.tier,
                v.onboarded.isoformat(),
                _day(v.offboarded),
                ";".join(d.isoformat() for d in v.reviews),
                _day(v.tier_approved),
                "yes" if v.customer_data else "no",
                _day(v.dpa_signed),
            ]
            for v in VENDORS
        ],
    )


def write_exports(folder: Path) -> dict[str, Path]:
    contents = {
        "hr_roster.csv": hr_roster_csv().encode(),
        "vendor_register.csv": vendor_register_csv().encode(),
        "training.csv": training_csv().encode(),
        "policy_acknowledgements.xlsx": policy_acknowledgements_xlsx(),
    }
    for name, data in contents.items():
        (folder / name).write_bytes(data)
    return {name.split(".")[0]: folder / name for name in contents}
