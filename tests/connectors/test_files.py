"""The file connector: CSV and XLSX exports from a local path or s3://, read back as rows with local dates."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import requests

from expectations.tables import Table, load_table, local_day
from socready.collect import collect
from socready.errors import EvidenceUnusable
from socready.evidence import open_store
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from tests.controls.aws_fixtures import session
from tests.helpers import WINDOW, make_scope, window_of

PROD = "111111111111"
COLUMNS = {"employee_id": "Employee", "start_date": "Start", "background_check": "Checked"}


def collected(scope: Scope, source: str = "file.hr_roster") -> EvidenceView:
    store = open_store(scope.evidence_store)
    return EvidenceView(store, collect(scope, window_of(scope), store, [source]))


def roster(view: EvidenceView, scope: Scope) -> Table:
    return load_table(view, "file.hr_roster", scope.files.hr_roster, list(COLUMNS))


def xlsx(path, rows: list[list[object]]) -> None:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)


def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them(tmp_path):
    text = '\ufeffEmployee,Start,Checked,Notes\nE1,2026-07-06,2026-07-01,"two\nlines"\n\nE2,2026-07-07,,\n'
    (tmp_path / "roster.csv").write_text(text, encoding="utf-8")
    scope = make_scope(tmp_path, files={"hr_roster": {"path": "roster.csv", "columns": COLUMNS}})
    view = collected(scope)
    [entry] = view.entries("file.hr_roster")
    assert (entry.media_type, entry.query) == ("text/csv", str(tmp_path / "roster.csv"))
    table = roster(view, scope)
    assert [(r.number, r.values) for r in table.rows] == [
        (2, {"employee_id": "E1", "start_date": "2026-07-06", "background_check": "2026-07-01"}),
        (4, {"employee_id": "E2", "start_date": "2026-07-07", "background_check": ""}),
    ]
    assert (table.file, table.sha256) == ("roster.csv", entry.sha256)


def test_xlsx_cells_are_read_as_the_export_shows_them(tmp_path):
    xlsx(
        tmp_path / "roster.xlsx",
        [
            ["Employee", "Start", "Checked"],
            [1001, date(2026, 7, 6), datetime.fromisoformat("2026-07-05T23:59")],  # Excel has no time zones
            [None, None, None],  # a blank row: skipped, numbering kept
            ["E2", datetime.fromisoformat("2026-07-07T00:00"), "pending"],
        ],
    )
    scope = make_scope(tmp_path, files={"hr_roster": {"path": "roster.xlsx", "columns": COLUMNS}})
    view = collected(scope)
    assert view.entries("file.hr_roster")[0].media_type.endswith("spreadsheetml.sheet")
    assert [(r.number, r.values) for r in roster(view, scope).rows] == [
        (2, {"employee_id": "1001", "start_date": "2026-07-06", "background_check": "2026-07-05T23:59:00"}),
        (4, {"employee_id": "E2", "start_date": "2026-07-07", "background_check": "pending"}),
    ]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("roster.xlsx", b"not a zip file", "cannot be read as a table"),
        ("roster.csv", b"", "no header row"),
        (
            "roster.csv",
            b"Employee,Start\nE1,2026-07-06\n",
            "missing columns background_check (column 'Checked')",
        ),
        ("roster.csv", b"\xff\xfeE\x00", "cannot be read as a table"),
    ],
    ids=["corrupt-xlsx", "empty", "missing-column", "not-utf8"],
)
def test_unusable_export_names_the_file_and_problem(tmp_path, name, content, words):
    (tmp_path / name).write_bytes(content)
    scope = make_scope(tmp_path, files={"hr_roster": {"path": name, "columns": COLUMNS}})
    with pytest.raises(EvidenceUnusable, match=re.escape(words)) as error:
        roster(collected(scope), scope)
    assert name in str(error.value)


@pytest.fixture
def s3_export(aws, moto_server):
    """moto's state is per process: reset afterwards too, so the bucket is not seen by a later sandbox."""
    yield aws
    requests.post(f"{moto_server}/moto-api/reset", timeout=10).raise_for_status()


def test_export_from_s3_is_read_through_the_collector_role(s3_export, tmp_path):
    aws = s3_export
    s3 = session(aws, PROD).client("s3", endpoint_url=aws)
    s3.create_bucket(Bucket="hr-exports")
    s3.put_object(Bucket="hr-exports", Key="2026/roster.csv", Body=b"Employee,Start,Checked\nE1,2026-07-06,\n")
    files = {"hr_roster": {"path": "s3://hr-exports/2026/roster.csv", "columns": COLUMNS}}
    scope = make_scope(tmp_path, endpoint=aws, accounts=[PROD], files=files)
    view = collected(scope)
    assert [r.values["employee_id"] for r in roster(view, scope).rows] == ["E1"]
    assert view.entries("file.hr_roster")[0].query == "s3://hr-exports/2026/roster.csv"


@pytest.mark.parametrize(
    ("files", "error"),
    [({}, "NotConfigured"), ({"training": {"path": "missing.csv"}}, "FileNotFoundError")],
    ids=["not-in-scope", "missing-file"],
)
def test_unreadable_source_is_a_recorded_collection_failure(tmp_path, files, error):
    view = collected(make_scope(tmp_path, files=files), "file.training")
    [failure] = view.failures("file.training")
    assert failure.error == error
    assert view.entries("file.training") == []


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-11-01", date(2026, 11, 1)),
        ("2026-11-01T23:59:00", date(2026, 11, 1)),  # naive: local time
        ("2026-11-02T04:30:00Z", date(2026, 11, 1)),  # 23:30 EST, the day DST ended
        ("2026-11-02T05:30:00+00:00", date(2026, 11, 2)),
        ("2026-03-08T06:59:00Z", date(2026, 3, 8)),  # 01:59 EST, an hour before clocks jump to 03:00 EDT
        ("08/11/2026", None),
    ],
)
def test_local_day_converts_offsets_to_the_scope_time_zone(text, day):
    assert local_day(text, ZoneInfo(WINDOW["timezone"])) == day
