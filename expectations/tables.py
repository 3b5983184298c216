"""HR and vendor exports (CSV or XLSX) -> rows by socready column, cells read as local days, bad cells reported."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import PurePosixPath
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from expectations.dataset import Inventory, Row, frame
from expectations.people import Directory
from expectations.spec import ControlSpec, NoParameters, Rule, covered, rule
from socready.errors import EvidenceUnusable
from socready.evidence.view import EvidenceView
from socready.intervals import Interval, clip, intersect, subtract
from socready.scope import Scope
from socready.scope.models import EXPORT_COLUMNS, FileSource
from socready.window import Window

ROSTER = "file.hr_roster"
# The coverage reason of every control that reads these exports: its unusable rows, each named in the row's value.
UNUSABLE = "Rows of the export could not be used; each is named by file, row, column and value."
NOT_A_DATE = "is not a date"
EMPTY = "is empty"
NOT_YES_NO = "is not yes or no"
T = TypeVar("T")
YES, NO = frozenset({"yes", "y", "true", "1", "x"}), frozenset({"no", "n", "false", "0"})


@dataclass(frozen=True)
class TableRow:
    number: int  # the row number a spreadsheet user sees (the header is row 1)
    values: dict[str, str]


@dataclass(frozen=True)
class BadRow:
    """A cell the control could not use; the row is reported instead of being evaluated."""

    file: str
    row: int
    column: str  # the file's header, as the user knows it
    value: str
    why: str

    def __str__(self) -> str:
        return f"{self.file} row {self.row}: {self.column} " + (
            f"{self.value!r} {self.why}" if self.value else self.why
        )


@dataclass(frozen=True)
class Table:
    source: str
    path: str
    sha256: str
    rows: list[TableRow]
    headers: dict[str, str] = field(default_factory=dict)  # socready column -> the file's header

    @property
    def file(self) -> str:
        return PurePosixPath(self.path).name

    def bad(self, row: TableRow, column: str, why: str, value: str | None = None) -> BadRow:
        text = row.values.get(column, "") if value is None else value
        return BadRow(self.file, row.number, self.headers.get(column, column), text, why)

    def cells(self, tz: ZoneInfo) -> Iterator[Cells]:
        return (Cells(self, row, tz) for row in self.rows)


@dataclass
class Cells:
    """One row's cells read as typed values; each cell that cannot be used is kept in `bad`."""

    table: Table
    row: TableRow
    tz: ZoneInfo
    bad: list[BadRow] = field(default_factory=list)

    def text(self, column: str) -> str:
        return self.row.values.get(column, "")

    def flag(self, column: str, why: str, value: str | None = None) -> None:
        self.bad.append(self.table.bad(self.row, column, why, value))

    def key(self, column: str, kind: str) -> str:
        """The row's resource id, e.g. employee/E1001; a row without one is named by its file and row."""
        if value := self.text(column):
            return f"{kind}/{value}"
        self.flag(column, EMPTY)
        return f"{kind}/{self.table.file} row {self.row.number}"

    def day(self, column: str, *, required: bool = False) -> date | None:
        text = self.text(column)
        if not text:
            if required:
                self.flag(column, EMPTY)
            return None
        day = local_day(text, self.tz)
        if day is None:
            self.flag(column, NOT_A_DATE)
        return day

    def yes_no(self, column: str) -> bool | None:
        text = self.text(column).lower()
        if text in YES or text in NO:
            return text in YES
        self.flag(column, NOT_YES_NO if text else EMPTY)
        return None


def _csv_rows(raw: bytes) -> list[tuple[int, list[str]]]:
    """Numbered by record, as a spreadsheet shows the file: a quoted cell may span lines; a blank line is a row."""
    return list(enumerate(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")), 1))


def _cell_text(value: object) -> str:
    """Spreadsheet cells as an export's text: a date-only cell (midnight) as YYYY-MM-DD, whole numbers bare."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) and value.tzinfo is None else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(raw: bytes) -> list[tuple[int, list[str]]]:
    """The first worksheet; formulas read as their cached values, as the user saw them."""
    workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    try:
        return [
            (number, [_cell_text(v) for v in values])
            for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), 1)
        ]
    finally:
        workbook.close()


def read_rows(raw: bytes, media_type: str, path: str) -> list[tuple[int, list[str]]]:
    """(row number, cells) of a CSV or XLSX export, the header first."""
    xlsx = media_type.endswith("sheet")
    try:
        rows = _xlsx_rows(raw) if xlsx else _csv_rows(raw)
    except (UnicodeDecodeError, csv.Error, zipfile.BadZipFile, InvalidFileException, KeyError, IndexError) as exc:
        raise EvidenceUnusable(f"{path}: cannot be read as a table: {exc}") from exc
    if not rows or not any(rows[0]):
        raise EvidenceUnusable(f"{path}: cannot be read as a table: no header row")
    return rows


def load_table(
    view: EvidenceView, source: str, spec: FileSource | None, columns: list[str], optional: tuple[str, ...] = ()
) -> Table:
    """The export's rows with the mapped columns; a missing export or column makes the evidence unusable."""
    if undeclared := {*columns, *optional} - set(EXPORT_COLUMNS[source.removeprefix("file.")]):
        raise ValueError(f"{source} has no socready columns {sorted(undeclared)}; declare them in EXPORT_COLUMNS")
    entries = view.entries(source)
    if spec is None or not entries:
        raise EvidenceUnusable(f"{source} was not collected")
    entry = entries[-1]
    (_, header), *body = read_rows(view.read(entry), entry.media_type, spec.path)
    position = {name.strip(): index for index, name in reversed(list(enumerate(header)))}  # a repeated header: first
    mapping = {name: spec.columns.get(name, name) for name in [*columns, *optional]}
    missing = [f"{name} (column {mapping[name]!r})" for name in columns if mapping[name] not in position]
    if missing:
        raise EvidenceUnusable(
            f"{spec.path}: missing columns {', '.join(missing)}; map them under files.<export>.columns in the scope"
        )
    index = {name: position[col] for name, col in mapping.items() if col in position}
    rows = [
        TableRow(number, {name: (cells[i] if i < len(cells) else "").strip() for name, i in index.items()})
        for number, cells in body
        if any(c.strip() for c in cells)  # a blank line is not a row
    ]
    return Table(source, spec.path, entry.sha256, rows, {name: mapping[name] for name in index})


def is_bare_date(text: str) -> bool:
    return len(text) <= 10


def parse_moment(text: str, tz: ZoneInfo) -> datetime | None:
    """ISO date or datetime; a naive value is local time in `tz`; a bare date means its local midnight."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if is_bare_date(text):
        return datetime.combine(date.fromisoformat(text), time(0), tz)
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def local_day(text: str, tz: ZoneInfo) -> date | None:
    """The local calendar day of a date or datetime: a value with an offset is converted to `tz` first."""
    moment = parse_moment(text, tz)
    return moment.astimezone(tz).date() if moment else None


def midnight(day: date, tz: ZoneInfo) -> datetime:
    """The local midnight that starts `day`, in UTC; right across DST changes (a day may last 23 or 25 h)."""
    return datetime.combine(day, time(0), tz).astimezone(UTC)


def days(first: date, last: date, tz: ZoneInfo) -> Interval:
    """Local days `first` to `last`, both included, as [start, end) in UTC."""
    return midnight(first, tz), midnight(last + timedelta(days=1), tz)


def last_day(window: Window) -> date:
    """The window's last local day evaluated: its end, or the as-of day of a window in progress."""
    return min(window.end, window.local_date(window.as_of))


def in_window(day: date, window: Window) -> bool:
    return window.start <= day <= last_day(window)


def active_span(first: date | None, last: date | None, window: Window) -> Interval | None:
    """The evaluated window's part between two local days (both included, open-ended when None)."""
    start = midnight(first, window.tz) if first else window.start_utc
    end = midnight(last + timedelta(days=1), window.tz) if last else window.evaluated_end_utc
    spans = clip([(start, end)], window.start_utc, window.evaluated_end_utc)
    return spans[0] if spans else None


def row_inventory(table: Table, window: Window, joins: str) -> Inventory:
    """An export read in full is the inventory of its population; `joins` says how a row belongs to it."""
    days_read = f"{window.start} to {last_day(window)}"
    return Inventory(
        f"0 of {len(table.rows)} rows of {table.file} ({table.source}) {joins} in the window ({days_read})."
    )


def termination_inventory(table: Table, window: Window) -> Inventory:
    return row_inventory(table, window, "have a termination day")


def window_span(window: Window) -> Interval:
    return window.start_utc, window.evaluated_end_utc


def unusable(
    resource: str, bad: list[BadRow], span: Interval, metrics: dict[str, str], evidence: tuple[str, ...]
) -> Row:
    """An item the control could not evaluate: a coverage row (every metric null) naming each unusable cell."""
    return Row(resource, *span, "; ".join(map(str, bad)), dict.fromkeys(metrics), evidence)


def held_rows(
    resource: str,
    active: Interval,
    held: list[Interval],
    describe: Callable[[Interval, bool], str],
    metric: str,
    evidence: tuple[str, ...],
) -> list[Row]:
    """One item over its active span: rows where the condition held (metric True) and where it did not."""
    spans = [(span, True) for span in intersect([active], held)] + [(span, False) for span in subtract([active], held)]
    return [Row(resource, *span, describe(span, ok), {metric: ok}, evidence) for span, ok in sorted(spans)]


@dataclass(frozen=True)
class StartCheck:
    """What each item starting in W (a hire, a new vendor) must have done by its start day."""

    kind: str  # resource prefix: employee, vendor
    key: str  # the item's id column
    start: str  # its start-day column
    done: str  # the column with the day it was done
    what: str  # how the row's value names it, e.g. "background check"
    started: str = "start"
    requires: tuple[str, str] | None = None  # (a column that must hold a value, how its absence reads)

    @property
    def facts(self) -> dict[str, str]:
        """The start day and the day it was done (local midnights), and the required column's value."""
        required = {self.requires[0]: "string"} if self.requires else {}
        return {"start_day": "datetime64[ns, UTC]", "done_day": "datetime64[ns, UTC]", **required}

    def rules(self, exception_reason: str) -> list[Rule]:
        """An item whose start day could not be read is without evidence; one without the day it was done, with
        that day after its start day, or without the required value, is an exception."""
        required = [self.requires[0]] if self.requires else []
        return [
            covered("start_day", UNUSABLE),
            *(
                rule("ExpectColumnValuesToNotBeNull", "exception", exception_reason, column=c)
                for c in ["done_day", *required]
            ),
            rule(
                "ExpectColumnPairValuesAToBeGreaterThanB",
                "exception",
                exception_reason,
                column_A="start_day",
                column_B="done_day",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
        ]


def start_inventory(table: Table, window: Window, check: StartCheck) -> Inventory:
    return row_inventory(table, window, f"have a {check.started} day")


def checked_by_start(items: Iterable[Cells], window: Window, check: StartCheck) -> list[Row]:
    """Local days are compared, so anything done on the start day counts. A miss is an exception from the start
    day until the day it was done (or as-of); a missing required value is a miss until as-of."""
    rows = []
    for cells in items:
        resource = cells.key(check.key, check.kind)
        start = cells.day(check.start, required=True)
        if start is not None and not in_window(start, window):
            continue
        done = cells.day(check.done)
        required = {check.requires[0]: cells.text(check.requires[0]) or None} if check.requires else {}
        unmet = check.requires[1] if check.requires and not required[check.requires[0]] else None
        if cells.bad:
            rows.append(unusable(resource, cells.bad, window_span(window), check.facts, (cells.table.sha256,)))
            continue
        facts = {"start_day": midnight(start, window.tz), "done_day": done and midnight(done, window.tz), **required}
        started = f"{check.started} {start}"
        if unmet is None and done is not None and done <= start:
            seen = f"{check.what} {done}, {started}"
            rows.append(Row(resource, *days(start, start, window.tz), seen, facts, (cells.table.sha256,)))
            continue
        began = midnight(start, window.tz)
        until = min(midnight(done, window.tz), window.as_of) if done and unmet is None else window.as_of
        if unmet is not None:
            seen = f"{unmet}, {started}"
        elif done:
            seen = f"{check.what} {done}, after {started}"
        else:
            seen = f"no {check.what} on record, {started}"
        rows.append(Row(resource, began, max(until, began), seen, facts, (cells.table.sha256,)))
    return rows


def roster_start_control(control_id: str, check: StartCheck, exception_reason: str) -> ControlSpec:
    """A control over every hire starting in W (HR-01, HR-04): roster rows repeating an employee id are one
    person (expectations/people.py)."""

    def build(view: EvidenceView, scope: Scope, window: Window, params: NoParameters) -> pd.DataFrame:
        roster = load_table(view, ROSTER, scope.files.hr_roster, [check.key, check.start, check.done])
        rows = checked_by_start(Directory(roster, window.tz).items, window, check)
        return frame(rows, check.facts, start_inventory(roster, window, check))

    return ControlSpec(
        id=control_id,
        parameters=NoParameters,
        sources=(ROSTER,),
        facts=check.facts,
        build=build,
        rules=lambda params: check.rules(exception_reason),
    )


@dataclass(frozen=True)
class Employee:
    resource: str
    start: date
    active: Interval  # the part of the evaluated window they were employed


@dataclass(frozen=True)
class Workforce:
    roster: Table
    directory: Directory
    employees: list[Employee]  # everyone employed on some day of the evaluated window
    unreadable: dict[str, list[BadRow]]  # roster rows that may belong to the window but could not be used


def workforce(view: EvidenceView, scope: Scope, window: Window) -> Workforce:
    """Who was employed in W, from the HR roster's start and termination (last working) days."""
    roster = load_table(
        view, ROSTER, scope.files.hr_roster, ["employee_id", "start_date", "termination_date"], ("email",)
    )
    directory = Directory(roster, window.tz)
    employees, unreadable = [], {}
    for cells in directory.items:
        resource = cells.key("employee_id", "employee")
        start, last = cells.day("start_date", required=True), cells.day("termination_date")
        span = active_span(start, last, window) if start else None
        if cells.bad and (start is None or start <= last_day(window)) and (last is None or last >= window.start):
            unreadable[resource] = cells.bad
        elif span and not cells.bad:
            employees.append(Employee(resource, start, span))
    return Workforce(roster, directory, employees, unreadable)


@dataclass(frozen=True)
class Staffed(Generic[T]):
    """Everyone employed in W with their records from another export (training, acknowledgements)."""

    people: list[tuple[Employee, list[T]]]  # each person's usable records, sorted
    unusable: list[Row]  # coverage rows: roster rows and people whose rows could not be used
    evidence: tuple[str, ...]


def staffed(
    view: EvidenceView,
    scope: Scope,
    window: Window,
    export: tuple[str, FileSource | None, list[str]],
    read: Callable[[Cells], T | None],
    metrics: dict[str, str],
) -> Staffed[T]:
    """Joins an export to the roster: its `employee_id` column may hold the employee id or the work e-mail (the
    roster's `email`); `read` gives a row's record (None: not relevant).

    A person with an unusable row is not evaluated; a row without a person, or naming two, could be anyone's, so
    it is reported on its own. Rows of people not employed in W are not read further.
    """
    staff = workforce(view, scope, window)
    table = load_table(view, *export)
    evidence = (staff.roster.sha256, table.sha256)
    found: dict[str, list[T]] = defaultdict(list)
    bad: dict[str, list[BadRow]] = defaultdict(list)
    unread = dict(staff.unreadable)
    for cells in table.cells(window.tz):
        named = cells.text("employee_id")
        match = staff.directory.find(named, ("employee_id", "email"))
        if match.ambiguous:
            cells.flag("employee_id", f"could name {match.candidates()}")
            resource = f"employee/{table.file} row {cells.row.number}"
        else:
            resource = match.one.resource if match.one else cells.key("employee_id", "employee")
        record = read(cells)
        if not named or match.ambiguous:
            unread[resource] = cells.bad
        elif cells.bad:
            bad[resource] += cells.bad
        elif record is not None:
            found[resource].append(record)
    rows = [
        unusable(resource, problems, window_span(window), metrics, evidence) for resource, problems in unread.items()
    ]
    people = []
    for person in staff.employees:
        if problems := bad.get(person.resource):
            rows.append(unusable(person.resource, problems, person.active, metrics, evidence))
        else:
            people.append((person, sorted(found.get(person.resource, []))))
    return Staffed(people, rows, evidence)
