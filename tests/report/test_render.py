"""report.md, report.html and the atomic writer, from a hand-built report of four controls."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest

from socready.readiness.model import ControlResult, CoverageGap, EvidenceRef, ExceptionInterval, TicketRef
from socready.readiness.score import criteria_status, rollup, tally
from socready.report.model import Readiness, Report, ReportScope, ReportWindow
from socready.report.render_html import csp_hash, render_html
from socready.report.render_md import render_markdown
from socready.report.writer import write_report

TICKET_URL = "https://acme.atlassian.net/browse/SOC-42"
MISSING = (
    "aws.cloudtrail.logs (111111111111/us-east-1): AccessDenied on "
    "s3://acme-cloudtrail/AWSLogs/111111111111/CloudTrail/us-east-1/; grant s3:GetObject"
)
ALICE = "arn:aws:iam::111111111111:user/alice"


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _evidence(n: int, source: str) -> list[EvidenceRef]:
    return [EvidenceRef(source=source, sha256=f"{i:02x}" * 32) for i in range(n)]


def _control(
    control_id: str, title: str, owner: str, criteria: list[str], categories: list[str], **kw
) -> ControlResult:
    base = {"kind": "state", "severity": "high", "clean_since": None, "coverage": 0.0, "population": 0,
            "exceptions": [], "evidence": [], "remediation": f"Fix {control_id}."}  # fmt: skip
    return ControlResult(id=control_id, title=title, owner=owner, criteria=criteria, categories=categories,
                         **{**base, **kw})  # fmt: skip


def _controls() -> list[ControlResult]:
    operating = _control(
        "PROC-02", "Critical vendors' assurance reports reviewed yearly", "procurement", ["CC9.2"], ["security"],
        kind="periodic", severity="medium", status="operating", reason="Evidence covers the whole window.",
        clean_since=date(2026, 5, 1), coverage=1.0, population=14, evidence=_evidence(1, "file.vendor_register"),
    )  # fmt: skip
    exception = _control(
        "ENG-ACC-03", "Access removed within SLA of termination", "engineering", ["CC6.2", "CC6.3"], ["security"],
        kind="population", status="exception", reason="Access outlived the 24 h SLA.",
        clean_since=None, coverage=0.9667, population=30,
        exceptions=[
            ExceptionInterval(resource=ALICE, start=_at(6, 3, 18), end=_at(6, 5, 9, 30),
                              reason="Access outlived the 24 h SLA.", value="console password active 39.5 h"),
            ExceptionInterval(resource="arn:aws:iam::111111111111:user/bob", start=_at(8, 1, 12),
                              end=_at(8, 15, 14), reason="Access outlived the 24 h SLA.",
                              value="access key AKIA…7Q active", ongoing=True),
        ],
        accepted_exceptions=[
            ExceptionInterval(resource="arn:aws:iam::222222222222:user/break-glass", start=_at(5, 10, 0),
                              end=_at(5, 12, 0), reason="Access outlived the 24 h SLA.",
                              value="break-glass user kept", accepted_by="ciso@acme.example"),
        ],
        expired_acceptances=["arn:aws:iam::*:user/legacy-*: accepted by cto@acme.example, expired 2026-06-30"],
        coverage_gaps=[
            CoverageGap(resource="arn:aws:iam::111111111111:user/carol", start=_at(7, 2, 4), end=_at(7, 3, 4),
                        reason="No CloudTrail record for the termination day.", value="no event"),
        ],
        evidence=_evidence(15, "aws.cloudtrail.logs"),
        ticket=TicketRef(key="SOC-42", url=TICKET_URL, action="updated"),
    )  # fmt: skip
    no_evidence = _control(
        "ENG-LOG-01", "Multi-region CloudTrail trail exists and is logging", "engineering", ["CC7.2", "CC2.1"],
        ["security"], status="no_evidence", reason="The CloudTrail logs could not be read.",
        collection_errors=[MISSING],
    )  # fmt: skip
    not_applicable = _control(
        "ENG-BCK-01", "Production databases backed up daily", "platform", ["A1.2"], ["availability"],
        status="not_applicable", reason="No production database in the scope's accounts.",
    )  # fmt: skip
    return [operating, exception, no_evidence, not_applicable]


def _report(controls: list[ControlResult] | None = None, close: date | None = None) -> Report:
    controls = controls or _controls()
    categories = ["security", "availability"]
    window = ReportWindow(start=date(2026, 5, 1), end=date(2026, 10, 31), timezone="America/New_York",
                          as_of=_at(8, 15, 14), evaluated_until=_at(8, 15, 14), months=6)  # fmt: skip
    scope = ReportScope(organization="Acme Corp", report="soc2", type="type2", categories=categories, window=window)
    readiness = Readiness(
        **tally(controls).model_dump(),
        earliest_type2_close=close,
        type2_close_by_months={"3": None, "6": close, "12": None} if close else {"3": None, "6": None, "12": None},
        blocking_controls=["ENG-ACC-03"] if close else ["ENG-ACC-03", "ENG-LOG-01"],
        by_category=rollup(controls, "category"),
        by_owner=rollup(controls, "owner"),
    )
    return Report(
        generated_at=_at(8, 15, 14, 5),
        run_id="20260815T140000Z-7f3a",
        evidence_store="s3://acme-soc2-evidence",
        dry_run=False,
        scope=scope,
        readiness=readiness,
        criteria=criteria_status(controls, categories),
        controls=controls,
    )


@pytest.fixture
def report() -> Report:
    return _report()


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
    assert "**Readiness score: 33.3%**" in md
    assert "| Operating | Exception | No evidence | Not applicable |" in md
    assert "Earliest Type II close (6-month window):** unknown until evidence exists for: ENG-ACC-03, ENG-LOG-01" in md
    assert "- **Report:** SOC 2 Type II" in md
    assert "- **Window:** 2026-05-01 – 2026-10-31 (America/New_York, 6 months)" in md
    assert "- **As of:** 2026-08-15 10:00 EDT" in md
    assert "- **Run id:** 20260815T140000Z-7f3a" in md


def test_markdown_shows_the_type2_date_when_known() -> None:
    md = render_markdown(_report(close=date(2027, 1, 20)))
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
    assert re.search(r"^\| Security +\| 33\.3% +\| 1 +\| 1 +\| 1 +\| 0 +\|$", md, re.MULTILINE)
    assert re.search(r"^\| Availability +\| — +\| 0 +\| 0 +\| 0 +\| 1 +\|$", md, re.MULTILINE)
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
    assert "0b" * 32 in md and "0c" * 32 not in md
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
    assert '<span class="num">33.3%</span>' in page
    for status, count in [("operating", 1), ("exception", 1), ("no_evidence", 1), ("not_applicable", 1)]:
        assert f'<div class="tile tile-{status}"><span class="num">{count}</span>' in page
    assert "unknown until evidence exists for: ENG-ACC-03, ENG-LOG-01" in page
    assert '<span class="badge badge-no_evidence">No evidence</span>' in page
    assert re.search(r'<tr data-owner="engineering"><td><a href="#control-ENG-LOG-01">ENG-LOG-01</a></td>', page)
    assert "<td>2026-06-03 14:00 EDT</td>" in page
    assert MISSING in page
    assert "ciso@acme.example" in page
    assert '<option value="procurement">procurement</option>' in page
    titles = _parse(page).titles
    assert "0b" * 32 in titles and "0c" * 32 not in titles
    assert f'<code title="{"00" * 32}">{"00" * 6}…</code>' in page


def test_values_are_escaped() -> None:
    controls = _controls()
    controls[0] = controls[0].model_copy(update={"reason": "<script>alert('x')</script> | & more"})
    report = _report(controls)
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
