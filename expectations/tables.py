"""HR and vendor exports (CSV or XLSX) -> rows keyed by socready's column names, dates time-zone aware."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd

from socready.errors import EvidenceUnusable
from socready.evidence.view import EvidenceView
from socready.scope.models import FileSource


@dataclass(frozen=True)
class TableRow:
    number: int  # 1-based data row number as a spreadsheet user sees it (header is row 1)
    values: dict[str, str]


@dataclass(frozen=True)
class Table:
    source: str
    path: str
    sha256: str
    rows: list[TableRow]


def load_table(
    view: EvidenceView, source: str, spec: FileSource | None, columns: list[str], optional: tuple[str, ...] = ()
) -> Table:
    """The export's rows with the mapped columns; a missing export or column makes the evidence unusable."""
    entries = view.entries(source)
    if spec is None or not entries:
        raise EvidenceUnusable(f"{source} was not collected")
    entry = entries[-1]
    raw = view.read(entry)
    reader = pd.read_excel if entry.media_type.endswith("sheet") else pd.read_csv
    try:
        df = reader(io.BytesIO(raw), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise EvidenceUnusable(f"{spec.path}: cannot be read as a table: {exc}") from exc
    mapping = {name: spec.columns.get(name, name) for name in [*columns, *optional]}
    missing = [f"{name} (column {mapping[name]!r})" for name in columns if mapping[name] not in df.columns]
    if missing:
        raise EvidenceUnusable(
            f"{spec.path}: missing columns {', '.join(missing)}; map them under files.<export>.columns in the scope"
        )
    rows = [
        TableRow(index + 2, {name: str(record.get(col, "")).strip() for name, col in mapping.items()})
        for index, record in enumerate(df.to_dict("records"))
    ]
    return Table(source, spec.path, entry.sha256, rows)


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
