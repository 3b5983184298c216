"""The auditor package's Data Docs opened in headless Chromium with no network: styled, naming the failing vendors."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chromium import OFFLINE, Page, open_page, screenshot
from tests.controls.file_fixtures import Supplier
from tests.export.test_export import CURRENT, LAPSED, export_with_cli, run_pipeline


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Globex never reviewed and Acme lapsed (PROC-02's failing rows); Initech current, the decoy."""
    folder = tmp_path_factory.mktemp("company")
    scope_path = run_pipeline(folder, [Supplier("Acme", LAPSED), Supplier("Globex"), Supplier("Initech", CURRENT)])
    return export_with_cli(scope_path, tmp_path_factory.mktemp("unpacked")).root / "gx-data-docs"


@pytest.fixture(scope="module")
def page(docs: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    [validation] = (docs / "validations").rglob("PROC-02.html")
    with open_page(validation.as_uri(), tmp_path_factory.mktemp("browser"), tuple(OFFLINE)) as tab:
        yield tab


def test_the_page_loads_nothing_from_the_network(page: Page) -> None:
    requested = page.requested()
    assert any(url.endswith("/static/vendor/bootstrap/css/bootstrap.min.css") for url in requested)
    assert all(url.startswith(("file:", "data:")) for url in requested), requested
    assert page.problems() == []  # no failed load, no script error from a missing library


def test_bootstrap_and_font_awesome_style_the_page(page: Page) -> None:
    sheets = page.js("[...document.styleSheets].map((s) => s.href || 'inline').filter((h) => h.includes('vendor'))")
    assert any(s.endswith("bootstrap.min.css") for s in sheets) and any(s.endswith("all.min.css") for s in sheets)
    # Bootstrap 4's .btn-primary background and .card corners; unstyled, both are browser defaults
    assert (
        page.js("getComputedStyle(document.querySelector('.btn-primary:not(.active)')).backgroundColor")
        == "rgb(0, 123, 255)"
    )
    assert page.js("getComputedStyle(document.querySelector('.card')).borderTopLeftRadius") == "4px"
    icon = "getComputedStyle(document.querySelector('i.fas.fa-times'), '::before')"
    assert page.js(f"{icon}.fontFamily").strip('"') == "Font Awesome 6 Free"  # the failure icon draws
    assert page.js("document.fonts.check('900 16px \"Font Awesome 6 Free\"')")
    assert page.js("typeof jQuery === 'function' && typeof jQuery.fn.collapse === 'function'")  # Bootstrap's JS


def test_failing_rows_are_named_by_resource_and_start(page: Page) -> None:
    tables = page.js(
        """[...document.querySelectorAll("table.table-bordered")].map((t) => ({
              head: [...t.querySelectorAll("thead th")].map((th) => th.textContent.trim()),
              rows: [...t.querySelectorAll("tbody tr")].map((tr) => [...tr.cells].map((td) => td.textContent.trim())),
           }))"""
    )
    named = [t for t in tables if {"resource", "start"} <= set(t["head"])]
    assert named, json.dumps(tables)
    # GX lists the rows of one unexpected value together: "vendor/Acme, vendor/Globex" beside their starts
    resources = {r for t in named for row in t["rows"][1:] for r in row[t["head"].index("resource")].split(", ")}
    assert {"vendor/Acme", "vendor/Globex"} <= resources, json.dumps(named)
    assert "vendor/Initech" not in resources  # the current review is no failing row
    assert "Index" not in [h for t in tables for h in t["head"]]


def test_screenshot_is_kept_as_a_test_artifact(page: Page) -> None:
    target = screenshot(page, "data-docs-PROC-02.png")
    assert target.read_bytes().startswith(b"\x89PNG") and target.stat().st_size > 10_000


def opened(page: Page, path: str) -> bool:
    """Whether the page shows `path`; asked mid-navigation, Chromium answers that the page it evaluated in is gone
    ("Inspected target navigated or closed"): not there yet."""
    try:
        return page.js("location.pathname").endswith(path)
    except AssertionError as exc:
        if "navigated or closed" not in str(exc):
            raise
        return False


def test_index_lists_the_validations_without_bootstrap_table(docs: Path, tmp_path: Path) -> None:
    """No package ships bootstrap-table: the stand-in still fills the index's tables, and a row opens its page."""
    with open_page((docs / "index.html").as_uri(), tmp_path, tuple(OFFLINE)) as index:
        assert all(url.startswith(("file:", "data:")) for url in index.requested()), index.requested()
        assert index.problems() == []
        rows = index.js(
            """[...document.querySelectorAll("#Validation-Results tbody tr")]
                  .map((tr) => [...tr.cells].map((td) => td.textContent.trim()))"""
        )
        assert any("PROC-02" in cells for cells in rows), rows
        index.js("""[...document.querySelectorAll("#Validation-Results tbody tr")]
                      .find((tr) => tr.textContent.includes("PROC-02")).click()""")
        deadline = time.monotonic() + 10
        while not opened(index, "/PROC-02.html") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert index.js("document.title + location.pathname").endswith("/PROC-02.html")
