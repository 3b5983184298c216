"""What report.md and report.html both show: status labels, local times, and the tables built once for both."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from socready.readiness.model import STATUSES, ControlResult, ExceptionInterval
from socready.readiness.score import CriterionStatus, Tally
from socready.report.model import Report

STATUS_LABELS = {
    "operating": "Operating",
    "exception": "Exception",
    "no_evidence": "No evidence",
    "not_applicable": "Not applicable",
    "not_assessed": "Not assessed",
}
REPORT_TYPES = {"type1": "Type I", "type2": "Type II"}
EVIDENCE_SHOWN = 12
SHA_SHOWN = 12
NOTHING = "—"


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def category_label(category: str) -> str:
    """'processing_integrity' -> 'Processing integrity'."""
    return category.replace("_", " ").capitalize()


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    """'2026-06-03 14:00 EDT': the moment in the scope's time zone, with its abbreviation (or offset)."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def day_text(day: date | None) -> str:
    return day.isoformat() if day else NOTHING


def percent(value: float) -> str:
    """A 0–100 value rounded down to 0.1, so 99.96 % never reads as 100 %."""
    return f"{math.floor(round(value * 10, 6)) / 10:g}%"


def score_text(tally: Tally) -> str:
    """The readiness score, or a dash when no control applies (the model's 0.0 would read as a failure)."""
    return percent(tally.score) if tally.operating + tally.exception + tally.no_evidence else NOTHING


def short_sha(sha256: str) -> str:
    return f"{sha256[:SHA_SHOWN]}…" if len(sha256) > SHA_SHOWN else sha256


def type2_close(close: date | None, blocking: list[str]) -> str:
    """The earliest Type II close, or which controls keep it unknown."""
    if close is None:
        return f"unknown until evidence exists for: {', '.join(blocking)}" if blocking else "unknown"
    return f"{close.isoformat()} (set by {', '.join(blocking)})" if blocking else close.isoformat()


def control_anchor(control_id: str) -> str:
    return "control-" + re.sub(r"[^A-Za-z0-9_-]", "-", control_id)


@dataclass(frozen=True)
class Cell:
    """One value; `status` shows it as a badge, `href` links it, `full` is the whole value when `text` is cut."""

    text: str
    status: str | None = None
    href: str | None = None
    full: str | None = None


@dataclass(frozen=True)
class Fact:
    label: str
    value: Cell


@dataclass(frozen=True)
class Row:
    cells: list[Cell]
    owner: str | None = None  # the HTML owner filter hides rows of other owners


@dataclass(frozen=True)
class Table:
    kind: ClassVar[str] = "table"
    title: str
    headers: list[str]
    rows: list[Row]
    more: str = ""  # a line under the table, e.g. "and 3 more"


@dataclass(frozen=True)
class Items:
    kind: ClassVar[str] = "items"
    title: str
    items: list[str]


@dataclass(frozen=True)
class Detail:
    anchor: str
    heading: str
    owner: str
    status: Cell
    facts: list[Fact]
    blocks: list[Table | Items]


@dataclass(frozen=True)
class View:
    title: str
    header: list[Fact]
    score: str
    score_note: str
    counts: list[Fact]
    close: list[Fact]
    close_by_months: Table
    by_category: Table
    by_owner: Table
    criteria: Table
    controls: Table
    details: list[Detail]
    owners: list[str]


def _text(*values: str) -> list[Cell]:
    return [Cell(value) for value in values]


def _status(status: str) -> Cell:
    return Cell(status_label(status), status=status)


def _header(report: Report, tz: ZoneInfo) -> list[Fact]:
    scope, window = report.scope, report.scope.window
    facts = {
        "Organization": scope.organization,
        "Report": f"SOC 2 {REPORT_TYPES[scope.type]}",
        "Categories": ", ".join(category_label(c) for c in scope.categories),
        "Window": f"{window.start} – {window.end} ({window.timezone}, {window.months} months)",
        "Evaluated until": local_time(window.evaluated_until, tz),
        "As of": local_time(window.as_of, tz),
        "Generated": local_time(report.generated_at, tz),
        "Run id": report.run_id,
        "Evidence store": report.evidence_store,
        "Dry run": "yes" if report.dry_run else "no",
    }
    return [Fact(label, Cell(value)) for label, value in facts.items()]


def _tally_table(title: str, key: str, tallies: dict[str, Tally]) -> Table:
    rows = [Row(_text(name, score_text(t), *(str(getattr(t, s)) for s in STATUSES))) for name, t in tallies.items()]
    return Table(title, [key, "Score", *(status_label(s) for s in STATUSES)], rows)


def _criteria_table(criteria: list[CriterionStatus]) -> Table:
    rows = [
        Row([Cell(c.id), Cell(category_label(c.category)), _status(c.status), Cell(", ".join(c.controls) or NOTHING)])
        for c in criteria
    ]
    return Table("Criteria", ["Criterion", "Category", "Status", "Controls"], rows)


def _ticket(control: ControlResult) -> Cell:
    ticket = control.ticket
    if ticket is None:
        return Cell(NOTHING)
    return Cell(f"{ticket.key} ({ticket.action})", href=ticket.url or None)


def _measured(control: ControlResult) -> tuple[str, str]:
    """Coverage and population; meaningless for a control that does not apply."""
    if control.status == "not_applicable":
        return NOTHING, NOTHING
    return percent(control.coverage * 100), str(control.population)


def _controls_table(controls: list[ControlResult]) -> Table:
    headers = ["Control", "Title", "Owner", "Status", "Clean since", "Coverage", "Population", "Ticket"]
    rows = [
        Row(
            [
                Cell(c.id, href=f"#{control_anchor(c.id)}"),
                *_text(c.title, c.owner),
                _status(c.status),
                *_text(day_text(c.clean_since), *_measured(c)),
                _ticket(c),
            ],
            owner=c.owner,
        )
        for c in controls
    ]
    return Table("Controls", headers, rows)


def _exceptions(control: ControlResult, tz: ZoneInfo) -> Table:
    def row(item: ExceptionInterval) -> Row:
        when = local_time(item.start, tz), local_time(item.end, tz)
        ongoing = "yes" if item.ongoing else "no"
        return Row(_text(item.resource, *when, item.value, item.reason, ongoing, item.accepted_by or NOTHING))

    headers = ["Resource", "Start", "End", "Value seen", "Reason", "Ongoing", "Accepted by"]
    return Table("Exceptions", headers, [row(i) for i in [*control.exceptions, *control.accepted_exceptions]])


def _blocks(control: ControlResult, tz: ZoneInfo) -> list[Table | Items]:
    gaps = [
        Row(_text(g.resource, local_time(g.start, tz), local_time(g.end, tz), g.value, g.reason))
        for g in control.coverage_gaps
    ]
    shown, hidden = control.evidence[:EVIDENCE_SHOWN], len(control.evidence) - EVIDENCE_SHOWN
    evidence = [Row([Cell(e.source), Cell(short_sha(e.sha256), full=e.sha256)]) for e in shown]
    blocks: list[Table | Items] = [
        _exceptions(control, tz),
        Table("Coverage gaps", ["Resource", "Start", "End", "Value seen", "Reason"], gaps),
        Items("Expired acceptances", control.expired_acceptances),
        Items("Collection errors", control.collection_errors),
        Table("Evidence", ["Source", "SHA-256"], evidence, more=f"and {hidden} more" if hidden > 0 else ""),
    ]
    return [b for b in blocks if (b.rows if isinstance(b, Table) else b.items)]


def _detail(control: ControlResult, tz: ZoneInfo) -> Detail:
    facts = [
        Fact("Owner", Cell(control.owner)),
        Fact("Criteria", Cell(", ".join(control.criteria) or NOTHING)),
        Fact("Severity", Cell(control.severity)),
        Fact("Reason", Cell(control.reason)),
        Fact("Remediation", Cell(control.remediation)),
    ]
    if control.ticket:
        facts.append(Fact("Ticket", _ticket(control)))
    return Detail(
        anchor=control_anchor(control.id),
        heading=f"{control.id} — {control.title}",
        owner=control.owner,
        status=_status(control.status),
        facts=facts,
        blocks=_blocks(control, tz),
    )


def build_view(report: Report) -> View:
    """Everything both renderers show, already worded; they only lay it out."""
    tz = ZoneInfo(report.scope.window.timezone)
    readiness = report.readiness
    by_months = sorted(readiness.type2_close_by_months.items(), key=lambda item: int(item[0]))
    return View(
        title=f"{report.scope.organization} — SOC 2 {REPORT_TYPES[report.scope.type]} readiness",
        header=_header(report, tz),
        score=score_text(readiness),
        score_note="Share of in-scope controls operating. Not applicable controls are left out; "
        "no evidence is counted apart from exceptions and never as ready.",
        counts=[Fact(status_label(s), Cell(str(getattr(readiness, s)), status=s)) for s in STATUSES],
        close=[
            Fact(
                f"Earliest Type II close ({report.scope.window.months}-month window)",
                Cell(type2_close(readiness.earliest_type2_close, readiness.blocking_controls)),
            )
        ],
        close_by_months=Table(
            "Earliest Type II close by window length",
            ["Window", "Earliest close"],
            [Row(_text(f"{months} months", day.isoformat() if day else "unknown")) for months, day in by_months],
        ),
        by_category=_tally_table(
            "Readiness by category", "Category", {category_label(k): v for k, v in readiness.by_category.items()}
        ),
        by_owner=_tally_table("Readiness by owner", "Owner", readiness.by_owner),
        criteria=_criteria_table(report.criteria),
        controls=_controls_table(report.controls),
        details=[_detail(c, tz) for c in report.controls],
        owners=sorted({c.owner for c in report.controls}),
    )
