"""report.md, report.html and the atomic writer, from a hand-built report of four controls."""

from __future__ import annotations

import os
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest

from socready.report.model import Report
from socready.report.render_html import csp_hash, render_html
from socready.report.render_md import render_markdown
from socready.report.summary import summary_table
from socready.report.writer import write_report
from tests.report.builders import ALICE, MISSING, TICKET_URL, build, make_controls


@pytest.fixture
def report() -> Report:
    return build()


class TagBalance(HTMLParser):
    """Checks every non-void element is closed in order, and collects attributes of interest."""

    VOID: ClassVar[set[str]] = {"meta", "link", "br", "hr", "img", "input", "col", "wbr", "source"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.opened: dict[str, int] = {}
        self.urls: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self.titles: list[str] = []
        self.csp = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.urls += [(tag, name, value or "") for name, value in attrs if name in ("src", "href")]
        if tag == "meta" and attributes.get("http-equiv") == "Content-Security-Policy":
            self.csp = attributes["content"] or ""
        if "title" in attributes:
            self.titles.append(attributes["title"] or "")
        if tag not in self.VOID:
            self.stack.append(tag)
            self.opened[tag] = self.opened.get(tag, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "script":
            self.scripts.append(data)


def _parse(page: str) -> TagBalance:
    parser = TagBalance()
    parser.feed(page)
    parser.close()
    return parser


def test_markdown_shows_the_headline_and_the_unknown_close(report: Report) -> None:
    md = render_markdown(report)
    assert (
        "**Readiness score (operation): 33.3%** · **Design (holds today): 33.3%** · **Evidence completeness: 33.3%**"
        in md
    )
    assert "> **No evidence for 1 control, never counted as ready: ENG-LOG-01.**" in md
    assert "| Operating | Exception | No evidence | Not applicable |" in md
    assert "Earliest Type II close (6-month window):** unknown until evidence exists for: ENG-ACC-03, ENG-LOG-01" in md
    assert "- **Report:** SOC 2 Type II" in md
    assert "- **Window:** 2026-05-01 – 2026-10-31 (America/New_York, 6 months)" in md
    assert "- **As of:** 2026-08-15 10:00 EDT" in md
    assert "- **Run id:** 20260815T140000Z-7f3a" in md


def test_markdown_shows_the_type2_date_when_known() -> None:
    md = render_markdown(build(close=date(2027, 1, 20)))
    assert "Earliest Type II close (6-month window):** 2027-01-20 (set by ENG-ACC-03)" in md
    assert re.search(r"\| 6 months +\| 2027-01-20 +\|", md)
    assert re.search(r"\| 3 months +\| unknown +\|", md)


def test_markdown_lists_each_control_with_its_status(report: Report) -> None:
    md = render_markdown(report)
    for control_id, status in [("PROC-02", "Operating"), ("ENG-ACC-03", "Exception"),
                               ("ENG-LOG-01", "No evidence"), ("ENG-BCK-01", "Not applicable")]:  # fmt: skip
        assert re.search(rf"^\| {control_id} +\|.*\| {status} +\|", md, re.MULTILINE), control_id
        assert f"- **Status:** {status}" in md
    assert f"[SOC-42 (updated)]({TICKET_URL})" in md
    assert re.search(r"^\| Security +\| 33\.3% +\| 33\.3% +\| 33\.3% +\| 1 +\| 1 +\| 1 +\| 0 +\|$", md, re.MULTILINE)
    assert re.search(r"^\| Availability +\| — +\| — +\| — +\| 0 +\| 0 +\| 0 +\| 1 +\|$", md, re.MULTILINE)
    assert re.search(r"^\| procurement +\| 100% +\| 100% +\| 100% +\|", md, re.MULTILINE)
    assert re.search(r"^\| CC7\.2 +\| Security +\| No evidence +\| ENG-LOG-01 +\|$", md, re.MULTILINE)


def test_markdown_details_exceptions_in_the_scope_time_zone(report: Report) -> None:
    md = render_markdown(report)
    assert re.search(
        rf"\| {re.escape(ALICE)} +\| 2026-06-03 14:00 EDT +\| 2026-06-05 05:30 EDT +\| console password active 39.5 h",
        md,
    )
    assert re.search(r"user/bob +\| 2026-08-01 08:00 EDT +\| 2026-08-15 10:00 EDT +\|.*\| yes +\| — +\|", md)
    assert re.search(r"user/break-glass .*\| no +\| ciso@acme\.example +\|", md)
    assert "user/carol" in md
    assert "- arn:aws:iam::\\*:user/legacy-\\*: accepted by cto@acme.example, expired 2026-06-30" in md
    assert f"- {MISSING}" in md
    assert "grant s3:GetObject" in md
    assert re.search(r"^\| aws\.cloudtrail\.logs +\| 40 +\|$", md, re.MULTILINE)  # read: a count, not a list
    assert f"**Evidence manifest (sha256):** {'ab' * 32}" in md
    assert "0b" * 32 in md and "0c" * 32 not in md  # the first 12 objects the findings cite
    assert "and 3 more" in md


def test_html_is_well_formed_and_self_contained(report: Report) -> None:
    page = render_html(report)
    parser = _parse(page)
    assert parser.errors == [] and parser.stack == []
    for tag in ("html", "head", "body", "header", "main", "footer", "section", "article", "table", "script"):
        assert parser.opened.get(tag), tag
    assert parser.opened["article"] == 4 and parser.opened["script"] == 1
    external = [(tag, name, value) for tag, name, value in parser.urls if re.match(r"(https?:)?//", value)]
    assert external == [("a", "href", TICKET_URL)] * 2  # controls table and the control's detail
    assert "url(" not in page and "@import" not in page
    assert "default-src 'none'" in parser.csp
    assert f"script-src '{csp_hash(parser.scripts[0])}'" in parser.csp


def test_html_shows_the_same_content(report: Report) -> None:
    page = render_html(report)
    assert '<span class="num">33.3%</span><span class="label">Readiness score (operation)</span>' in page
    assert '<p class="missing" role="alert">No evidence for 1 control, never counted as ready: ENG-LOG-01.</p>' in page
    for status, count in [("operating", 1), ("exception", 1), ("no_evidence", 1), ("not_applicable", 1)]:
        assert f'<div class="tile tile-{status}"><span class="num">{count}</span>' in page
    assert "unknown until evidence exists for: ENG-ACC-03, ENG-LOG-01" in page
    assert '<span class="badge badge-no_evidence">No evidence</span>' in page
    assert re.search(
        r'<tr data-owner="engineering" data-category="security"><td><a href="#control-ENG-LOG-01">ENG-LOG-01</a></td>',
        page,
    )
    assert "<td>2026-06-03 14:00 EDT</td>" in page
    assert MISSING in page
    assert "ciso@acme.example" in page
    assert '<option value="procurement">procurement</option>' in page
    assert '<option value="availability">Availability</option>' in page
    titles = _parse(page).titles
    assert "0b" * 32 in titles and "0c" * 32 not in titles
    assert f'<code title="{"00" * 32}">{"00" * 6}…</code>' in page


def test_values_are_escaped() -> None:
    controls = make_controls()
    controls[0] = controls[0].model_copy(update={"reason": "<script>alert('x')</script> | & more"})
    report = build(controls)
    page = render_html(report)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; | &amp; more" in page
    assert _parse(page).opened["script"] == 1
    md = render_markdown(report)
    assert "- **Reason:** \\<script>alert('x')\\</script> \\| & more" in md


def test_write_report_writes_three_files(tmp_path: Path, report: Report) -> None:
    folder = tmp_path / "out" / "run"
    paths = write_report(report, folder)
    assert paths == {"json": folder / "report.json", "md": folder / "report.md", "html": folder / "report.html"}
    assert sorted(p.name for p in folder.iterdir()) == ["report.html", "report.json", "report.md"]
    assert Report.model_validate_json(paths["json"].read_text()) == report
    assert paths["md"].read_text() == render_markdown(report)
    assert paths["html"].read_text() == render_html(report)


def test_folder_that_is_a_file_writes_nothing(tmp_path: Path, report: Report) -> None:
    folder = tmp_path / "report"
    folder.write_text("not a folder")
    with pytest.raises(OSError):
        write_report(report, folder)
    assert [p.name for p in tmp_path.iterdir()] == ["report"]
    assert folder.read_text() == "not a folder"


def test_failed_replace_leaves_the_previous_report_and_no_temp_file(
    tmp_path: Path, report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("report.json", "report.md", "report.html"):
        (tmp_path / name).write_text("previous")

    def refuse(src: Path, dst: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_report(report, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.json", "report.md"]
    assert {p.read_text() for p in tmp_path.iterdir()} == {"previous"}


def test_failure_midway_leaves_only_complete_files(
    tmp_path: Path, report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace, calls = os.replace, []

    def second_fails(src: Path, dst: Path) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", second_fails)
    with pytest.raises(OSError, match="disk full"):
        write_report(report, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]
    assert (tmp_path / "report.md").read_text() == render_markdown(report)


def test_no_folder_and_no_file_when_rendering_fails(
    tmp_path: Path, report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_: Report) -> str:
        raise RuntimeError("template error")

    monkeypatch.setattr("socready.report.writer.render_html", broken)
    with pytest.raises(RuntimeError):
        write_report(report, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_markdown_carries_the_month_grid_timeline_and_history(report: Report) -> None:
    md = render_markdown(report)
    assert "| Control    | 2026-05 | 2026-06 | 2026-07 | 2026-08 | 2026-09 | 2026-10 |" in md
    assert "| ENG-ACC-03 | OK      | EX      | NE      | EX      | NY      | NY      |" in md
    assert "| ENG-LOG-01 | NE      | NE      | NE      | NE      | NY      | NY      |" in md
    assert "| ENG-BCK-01 | NA      | NA      | NA      | NA      | NA      | NA      |" in md
    assert (
        "Legend: OK = Operating, EX = Exception, NE = No evidence, NA = Not applicable, NY = Not yet evaluated." in md
    )
    assert (
        f"- ENG-ACC-03 · {ALICE}\n"
        "  - Exception 2026-06-03 14:00 EDT – 2026-06-05 05:30 EDT: console password active 39.5 h"
    ) in md
    assert "  - Exception 2026-08-01 08:00 EDT – 2026-08-15 10:00 EDT: access key AKIA…7Q active; ongoing" in md
    assert "  - No evidence 2026-07-02 00:00 EDT – 2026-07-03 00:00 EDT: no event" in md
    assert "accepted by ciso@acme.example" in md
    assert "- ENG-LOG-01 · all resources\n  - No evidence 2026-05-01 00:00 EDT – 2026-08-15 10:00 EDT" in md
    assert re.search(
        r"^\| 20260801T100000Z-3c4d +\| 2026-08-01 06:00 EDT +\| .* \| 33\.3% +\| 100% +\| 66\.6% +\|$", md, re.M
    )
    assert md.index("20260701T100000Z-1a2b") < md.index("20260801T100000Z-3c4d") < md.index("| 20260815T140000Z-7f3a")


def test_html_draws_the_grid_timeline_and_runs_chart(report: Report) -> None:
    page = render_html(report)
    assert (
        '<td class="month month-exception" title="ENG-ACC-03, 2026-06: Exception"><span aria-hidden="true">EX</span>'
        '<span class="sr">ENG-ACC-03, 2026-06: Exception</span></td>'
    ) in page
    assert page.count('<td class="month ') == 4 * 6
    bars = re.findall(r'<span class="bar bar-(\w+)" style="left: ([\d.]+)%; width: ([\d.]+)%"', page)
    assert [kind for kind, _, _ in bars] == ["exception", "exception", "no_evidence", "accepted", "no_evidence"]
    alice_left = float(bars[0][1])
    assert 18.2 < alice_left < 18.3  # 2026-06-03 14:00 EDT is 33.6 of the window's 184 days
    assert float(bars[0][2]) >= 0.4  # a short exception stays visible
    assert 'class="now" style="left: 57.' in page  # evaluated until 2026-08-15, the window is open
    assert page.count("<polyline ") == 3 and page.count("<circle ") == 9
    assert "<title>Design: 100%</title>" in page
    assert re.search(r'<tr data-owner="engineering" data-category="security"><td><a href="#control-ENG-ACC-03">', page)


def test_exception_rows_name_their_evidence(report: Report) -> None:
    controls = make_controls()
    first = controls[1].exceptions[0].model_copy(update={"evidence": [f"{i:x}" * 64 for i in range(1, 6)]})
    controls[1] = controls[1].model_copy(update={"exceptions": [first, *controls[1].exceptions[1:]]})
    report = build(controls)
    md, page = render_markdown(report), render_html(report)
    assert f"{'1' * 64}, {'2' * 64}, {'3' * 64} and 2 more" in md
    assert f'<code title="{"1" * 64}, {"2" * 64}, {"3" * 64} and 2 more">111111111111…, 222222222222…' in page


def test_report_without_history_says_so() -> None:
    report = build().model_copy(update={"history": []})
    assert "No run of this window has been recorded in the evidence store yet." in render_markdown(report)
    assert "<svg" not in render_html(report)


def test_cli_summary_gives_the_three_figures_apart(report: Report) -> None:
    text = summary_table(report)
    assert re.search(r"^ENG-LOG-01 +engineering +No evidence ", text, re.MULTILINE)
    assert "Readiness score (operation) 33.3%: 1 operating, 1 exception, 1 no evidence, 1 not applicable." in text
    assert "Design (holds today) 33.3%; evidence completeness 33.3%." in text


def test_details_say_where_config_derived_state_came_from(report: Report) -> None:
    paths = [
        "111111111111/us-east-1: delivered files (40), baselines of 2 resources from the Config API",
        "222222222222/us-east-1: snapshots only: no AWS Config history files under s3://b/AWSLogs/222222222222/",
    ]
    controls = [c.model_copy(update={"state_sources": paths}) if c.id == "ENG-ACC-03" else c for c in report.controls]
    shown = report.model_copy(update={"controls": controls})
    md, page = render_markdown(shown), render_html(shown)
    assert "State read from (AWS Config history)" in md and "State read from (AWS Config history)" in page
    for path in paths:
        assert f"- {path}" in md and path in page
