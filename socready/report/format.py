"""What report.md and report.html both show: figures, local times, tables, month grid and timeline, built once."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from socready.readiness.model import STATUSES, ControlResult, CoverageGap, Decision, ExceptionInterval
from socready.readiness.score import CriterionStatus, Tally, holds_today, window_months
from socready.report.model import HistoryPoint, Report, ReportControl
from socready.window import Window

STATUS_LABELS = {
    "operating": "Operating",
    "exception": "Exception",
    "no_evidence": "No evidence",
    "not_applicable": "Not applicable",
    "not_assessed": "Not assessed",
    "not_yet": "Not yet evaluated",
}
MONTH_CODES = {"operating": "OK", "exception": "EX", "no_evidence": "NE", "not_applicable": "NA", "not_yet": "NY"}
SPAN_LABELS = {"exception": "Exception", "accepted": "Accepted exception", "no_evidence": "No evidence"}
REPORT_TYPES = {"type1": "Type I", "type2": "Type II"}
EVIDENCE_SHOWN = 12
SHA_SHOWN = 12
INTERVAL_SHAS_SHOWN = 3
HISTORY_SHOWN = 12  # rows of the runs table; the chart shows every run
MIN_SPAN = 0.4  # % of the window: an hour-long exception must still be visible on the timeline
NOTHING = "—"

Tags = dict[str, tuple[str, ...]]  # filter name -> values; the page's filters hide elements whose values miss


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


def figure_text(tally: Tally, value: float) -> str:
    """A figure, or a dash when no control applies (the model's 0.0 would read as a failure)."""
    return percent(value) if tally.operating + tally.exception + tally.no_evidence else NOTHING


def score_text(tally: Tally) -> str:
    return figure_text(tally, tally.score)


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
    """One value; `status` shows it as a badge, `href` links it, `full` is the whole value when `text` is cut,
    `label` names a cell shown as a short code (the grid's month cells)."""

    text: str
    status: str | None = None
    href: str | None = None
    full: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class Fact:
    label: str
    value: Cell


@dataclass(frozen=True)
class Figure:
    """One of the three headline figures; `kind` is its key in report.json's readiness."""

    kind: str
    label: str
    value: str
    note: str


@dataclass(frozen=True)
class Row:
    cells: list[Cell]
    tags: Tags = field(default_factory=dict)


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
class Mark:
    """A status as the month grid shows it: a short code, and what it means."""

    status: str
    code: str
    meaning: str


@dataclass(frozen=True)
class Span:
    """One interval on the timeline, placed in % of the window."""

    kind: str  # exception | accepted | no_evidence
    left: float
    width: float
    label: str


@dataclass(frozen=True)
class Lane:
    control: Cell
    resource: str
    spans: list[Span]
    tags: Tags


@dataclass(frozen=True)
class Timeline:
    title: str
    ticks: list[tuple[str, float]]  # month, left %
    evaluated_until: float | None  # left % while the window is still open
    lanes: list[Lane]
    legend: list[Mark]
    empty: str


@dataclass(frozen=True)
class Series:
    kind: str
    label: str
    values: list[float]


@dataclass(frozen=True)
class History:
    table: Table
    series: list[Series]
    empty: str


@dataclass(frozen=True)
class Filter:
    name: str  # the Tags key it filters on
    label: str
    options: list[tuple[str, str]]  # value, label


@dataclass(frozen=True)
class Detail:
    anchor: str
    heading: str
    tags: Tags
    status: Cell
    facts: list[Fact]
    blocks: list[Table | Items]


@dataclass(frozen=True)
class View:
    title: str
    header: list[Fact]
    figures: list[Figure]
    missing: str  # the controls lacking evidence, said apart from the score; empty when none
    counts: list[Fact]
    close: list[Fact]
    close_by_months: Table
    by_category: Table
    by_owner: Table
    grid: Table
    legend: list[Mark]
    timeline: Timeline
    history: History
    criteria: Table
    controls: Table
    details: list[Detail]
    filters: list[Filter]
    triage: list[Table | Items] = field(default_factory=list)  # empty without Jira


def _text(*values: str) -> list[Cell]:
    return [Cell(value) for value in values]


def _status(status: str) -> Cell:
    return Cell(status_label(status), status=status)


def _tags(control: ControlResult) -> Tags:
    return {"owner": (control.owner,), "category": tuple(control.categories)}


def _window(report: Report) -> Window:
    window = report.scope.window
    return Window(window.start, window.end, window.timezone, window.as_of)


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
    if report.tickets:
        facts["Gap tickets"] = report.tickets.text
    return [Fact(label, Cell(value)) for label, value in facts.items()]


def _figures(tally: Tally) -> list[Figure]:
    return [
        Figure(
            "operation",
            "Readiness score (operation)",
            figure_text(tally, tally.operation),
            "Share of in-scope controls that operated over the whole window: the Type II question.",
        ),
        Figure(
            "design",
            "Design (holds today)",
            figure_text(tally, tally.design),
            "Share of in-scope controls that hold at the end of the evaluated span: the Type I question.",
        ),
        Figure(
            "evidence_completeness",
            "Evidence completeness",
            figure_text(tally, tally.evidence_completeness),
            "Share of in-scope controls whose evidence was read in full: no failed read, no coverage gap.",
        ),
    ]


def _missing(controls: list[ReportControl]) -> str:
    lacking = [c.id for c in controls if c.status == "no_evidence"]
    if not lacking:
        return ""
    noun = "control" if len(lacking) == 1 else "controls"
    return f"No evidence for {len(lacking)} {noun}, never counted as ready: {', '.join(lacking)}."


def _tally_table(title: str, key: str, tallies: dict[str, Tally]) -> Table:
    rows = [
        Row(
            _text(
                name,
                *(figure_text(t, v) for v in (t.operation, t.design, t.evidence_completeness)),
                *(str(getattr(t, s)) for s in STATUSES),
            )
        )
        for name, t in tallies.items()
    ]
    headers = [key, "Operation", "Design", "Evidence complete", *(status_label(s) for s in STATUSES)]
    return Table(title, headers, rows)


def _legend() -> list[Mark]:
    return [Mark(status, code, status_label(status)) for status, code in MONTH_CODES.items()]


def _grid(controls: list[ReportControl], window: Window) -> Table:
    def mark(control: ReportControl, month: str, status: str) -> Cell:
        return Cell(MONTH_CODES[status], status=status, label=f"{control.id}, {month}: {status_label(status)}")

    rows = [
        Row(
            [Cell(c.id, href=f"#{control_anchor(c.id)}"), *(mark(c, m.month, m.status) for m in c.months)],
            tags=_tags(c),
        )
        for c in controls
    ]
    return Table("Control × month", ["Control", *(month for month, _, _ in window_months(window))], rows)


def _place(start: datetime, end: datetime, window: Window) -> tuple[float, float]:
    """Left and width in % of the window, clipped to it, never thinner than MIN_SPAN."""
    total = (window.end_utc - window.start_utc).total_seconds()
    left = max(0.0, (start - window.start_utc).total_seconds() / total * 100)
    right = min(100.0, (end - window.start_utc).total_seconds() / total * 100)
    width = max(right - left, MIN_SPAN)
    return round(min(left, 100 - width), 3), round(width, 3)


def _span(kind: str, start: datetime, end: datetime, seen: str, window: Window) -> Span:
    label = f"{SPAN_LABELS[kind]} {local_time(start, window.tz)} – {local_time(end, window.tz)}: {seen}"
    return Span(kind, *_place(start, end, window), label)


def _seen(item: ExceptionInterval | CoverageGap) -> str:
    if isinstance(item, CoverageGap):
        return item.value
    notes = [
        item.value,
        "ongoing" if item.ongoing else "",
        f"accepted by {item.accepted_by}" if item.accepted_by else "",
    ]
    return "; ".join(n for n in notes if n)


def _lanes(control: ReportControl, window: Window) -> list[Lane]:
    """One lane per resource with an interval, oldest interval first."""
    kinds = {
        "exception": control.exceptions,
        "accepted": control.accepted_exceptions,
        "no_evidence": control.coverage_gaps,
    }
    intervals = [
        (i.resource, i.start, _span(kind, i.start, i.end, _seen(i), window))
        for kind, items in kinds.items()
        for i in items
    ]
    if control.status == "no_evidence" and not control.coverage_gaps:  # nothing could be read: the whole span
        start, end = window.start_utc, window.evaluated_end_utc
        intervals.append(("all resources", start, _span("no_evidence", start, end, control.reason, window)))
    by_resource: dict[str, list[Span]] = {}
    for resource, _, span in sorted(intervals, key=lambda item: item[:2]):
        by_resource.setdefault(resource, []).append(span)
    link = Cell(control.id, href=f"#{control_anchor(control.id)}")
    return [Lane(link, resource, spans, _tags(control)) for resource, spans in by_resource.items()]


def _timeline(controls: list[ReportControl], window: Window) -> Timeline:
    ticks = [(month, _place(start, start, window)[0]) for month, start, _ in window_months(window)]
    now = _place(window.evaluated_end_utc, window.evaluated_end_utc, window)[0] if window.is_open else None
    return Timeline(
        title="Timeline of exceptions and coverage gaps",
        ticks=ticks,
        evaluated_until=now,
        lanes=[lane for c in controls for lane in _lanes(c, window)],
        legend=[Mark(kind, "", label) for kind, label in SPAN_LABELS.items()],
        empty="No exception, accepted exception or coverage gap in the window.",
    )


def _history(history: list[HistoryPoint], tz: ZoneInfo) -> History:
    shown, hidden = history[-HISTORY_SHOWN:], len(history) - HISTORY_SHOWN
    rows = [
        Row(
            _text(
                p.run_id,
                local_time(p.generated_at, tz),
                local_time(p.as_of, tz),
                *(percent(v) for v in (p.score, p.design, p.evidence_completeness)),
            )
        )
        for p in shown
    ]
    table = Table(
        "Score across runs",
        ["Run", "Generated", "As of", "Operation", "Design", "Evidence complete"],
        rows,
        more=f"and {hidden} earlier runs" if hidden > 0 else "",
    )
    series = [
        Series("operation", "Operation", [p.score for p in history]),
        Series("design", "Design", [p.design for p in history]),
        Series("evidence_completeness", "Evidence complete", [p.evidence_completeness for p in history]),
    ]
    return History(table, series, empty="No run of this window has been recorded in the evidence store yet.")


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


def _measured(control: ControlResult) -> tuple[str, str, str]:
    """Holds today, coverage and population; meaningless for a control that does not apply."""
    if control.status == "not_applicable":
        return NOTHING, NOTHING, NOTHING
    return "yes" if holds_today(control) else "no", percent(control.coverage * 100), str(control.population)


def _controls_table(controls: list[ReportControl]) -> Table:
    headers = ["Control", "Title", "Owner", "Status", "Clean since", "Holds today", "Coverage", "Population", "Ticket"]
    rows = [
        Row(
            [
                Cell(c.id, href=f"#{control_anchor(c.id)}"),
                *_text(c.title, c.owner),
                _status(c.status),
                *_text(day_text(c.clean_since), *_measured(c)),
                _ticket(c),
            ],
            tags=_tags(c),
        )
        for c in controls
    ]
    return Table("Controls", headers, rows)


def _shas(hashes: list[str]) -> Cell:
    """The first few evidence hashes of an interval, short; the whole hashes on hover and in report.md."""
    if not hashes:
        return Cell(NOTHING)
    shown, hidden = hashes[:INTERVAL_SHAS_SHOWN], len(hashes) - INTERVAL_SHAS_SHOWN
    more = f" and {hidden} more" if hidden > 0 else ""
    return Cell(", ".join(map(short_sha, shown)) + more, full=", ".join(shown) + more)


def _intervals(title: str, items: list[ExceptionInterval], tz: ZoneInfo) -> Table:
    def row(item: ExceptionInterval) -> Row:
        when = local_time(item.start, tz), local_time(item.end, tz)
        ongoing = "yes" if item.ongoing else "no"
        cells = _text(item.resource, *when, item.value, item.reason, ongoing, item.accepted_by or NOTHING)
        return Row([*cells, _shas(item.evidence)])

    headers = ["Resource", "Start", "End", "Value seen", "Reason", "Ongoing", "Accepted by", "Evidence"]
    return Table(title, headers, [row(i) for i in items])


def _blocks(control: ControlResult, tz: ZoneInfo) -> list[Table | Items]:
    gaps = [
        Row([*_text(g.resource, local_time(g.start, tz), local_time(g.end, tz), g.value, g.reason), _shas(g.evidence)])
        for g in control.coverage_gaps
    ]
    read = control.evidence.sources if control.evidence else []
    cited = control.evidence.cited if control.evidence else []
    shown, hidden = cited[:EVIDENCE_SHOWN], len(cited) - EVIDENCE_SHOWN
    blocks: list[Table | Items] = [
        _intervals("Exceptions", [*control.exceptions, *control.accepted_exceptions], tz),
        Table("Coverage gaps", ["Resource", "Start", "End", "Value seen", "Reason", "Evidence"], gaps),
        _intervals("Within the grace period (tolerated)", control.within_grace, tz),
        Items("Expired acceptances", control.expired_acceptances),
        Items("Collection errors", control.collection_errors),
        Items("State read from (AWS Config history)", control.state_sources),
        _decisions_table("Owners' decisions in gap tickets", control.decisions, tz),
        Table("Evidence read", ["Source", "Objects"], [Row(_text(r.source, str(r.objects))) for r in read]),
        Table(
            "Evidence the findings cite",
            ["Source", "SHA-256"],
            [Row([Cell(e.source), Cell(short_sha(e.sha256), full=e.sha256)]) for e in shown],
            more=f"and {hidden} more" if hidden > 0 else "",
        ),
    ]
    return [b for b in blocks if (b.rows if isinstance(b, Table) else b.items)]


def _decisions_table(title: str, decisions: list[Decision], tz: ZoneInfo) -> Table:
    headers = ["Kind", "Ticket", "Resource", "By", "When", "What they wrote", "Expires", "Applies", "Evidence"]
    rows = [
        Row(
            [
                *_text(d.kind, d.ticket, d.resource or "whole control", d.author, local_time(d.at, tz), d.text),
                *_text(day_text(d.expires), "yes" if d.applies else f"no: {d.note}"),
                Cell(short_sha(d.evidence), full=d.evidence),
            ]
        )
        for d in decisions
    ]
    return Table(title, headers, rows)


def _triage(report: Report, tz: ZoneInfo) -> list[Table | Items]:
    """Per owner: open gap tickets with kind, age and due date, and the decisions read back from them."""
    triage = report.triage
    if triage is None:
        return []
    today = triage.as_of
    summary = Table(
        f"Gap-ticket triage as of {today}",
        ["Owner", "Open tickets", "Overdue", "Responses received", "Acceptances in force", "Expiring within 30 days"],
        [
            Row(
                _text(
                    o.owner,
                    str(len(o.open_tickets)),
                    ", ".join(o.overdue) or "0",
                    str(len(o.responses)),
                    str(len(o.acceptances)),
                    ", ".join(o.expiring) or NOTHING,
                ),
                tags={"owner": [o.owner]},
            )
            for o in triage.owners
        ],
    )
    blocks: list[Table | Items] = [summary]
    for o in triage.owners:
        rows = [
            Row(
                [
                    Cell(t.key, href=t.url),
                    *_text(", ".join(t.controls), t.resource or "whole control", t.kind or "unknown"),
                    *_text(f"{(today - t.created).days} days", day_text(t.due)),
                    Cell("overdue", status="exception") if t.key in o.overdue else Cell("no"),
                ],
                tags={"owner": [o.owner]},
            )
            for t in o.open_tickets
        ]
        headers = ["Ticket", "Controls", "Resource", "Kind", "Age", "Due", "Overdue"]
        blocks.append(Table(f"{o.owner}: open gap tickets", headers, rows))
        decided = [*o.responses, *o.acceptances]
        if decided:
            blocks.append(_decisions_table(f"{o.owner}: responses and acceptances in force", decided, tz))
    if triage.problems:
        blocks.append(Items("Triage data not read (no evidence) or not applied", triage.problems))
    return [b for b in blocks if (b.rows if isinstance(b, Table) else b.items)]


def _detail(control: ControlResult, tz: ZoneInfo) -> Detail:
    facts = [
        Fact("Owner", Cell(control.owner)),
        Fact("Criteria", Cell(", ".join(control.criteria) or NOTHING)),
        Fact("Severity", Cell(control.severity)),
        Fact("Reason", Cell(control.reason)),
        Fact("Remediation", Cell(control.remediation)),
    ]
    if control.evidence:
        sha = control.evidence.manifest_sha256
        facts.append(Fact("Evidence manifest (sha256)", Cell(short_sha(sha), full=sha)))
    if control.ticket:
        facts.append(Fact("Ticket", _ticket(control)))
    return Detail(
        anchor=control_anchor(control.id),
        heading=f"{control.id} — {control.title}",
        tags=_tags(control),
        status=_status(control.status),
        facts=facts,
        blocks=_blocks(control, tz),
    )


def _filters(report: Report) -> list[Filter]:
    owners = sorted({c.owner for c in report.controls})
    categories = list(dict.fromkeys([*report.scope.categories, *(k for c in report.controls for k in c.categories)]))
    return [
        Filter("owner", "Owner", [(o, o) for o in owners]),
        Filter("category", "Category", [(c, category_label(c)) for c in categories]),
    ]


def build_view(report: Report) -> View:
    """Everything both renderers show, already worded; they only lay it out."""
    window = _window(report)
    tz = window.tz
    readiness = report.readiness
    by_months = sorted(readiness.type2_close_by_months.items(), key=lambda item: int(item[0]))
    return View(
        title=f"{report.scope.organization} — SOC 2 {REPORT_TYPES[report.scope.type]} readiness",
        header=_header(report, tz),
        figures=_figures(readiness),
        missing=_missing(report.controls),
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
        grid=_grid(report.controls, window),
        legend=_legend(),
        timeline=_timeline(report.controls, window),
        history=_history(report.history, tz),
        criteria=_criteria_table(report.criteria),
        controls=_controls_table(report.controls),
        details=[_detail(c, tz) for c in report.controls],
        filters=_filters(report),
        triage=_triage(report, tz),
    )
