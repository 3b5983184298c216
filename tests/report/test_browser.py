"""report.html in a real headless Chromium, driven over the DevTools protocol: loads clean, grid and filters work."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from socready.report.writer import write_report
from tests.chromium import Page, open_page, screenshot
from tests.report.builders import build


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    folder = tmp_path_factory.mktemp("browser")
    html = write_report(build(), folder / "report")["html"]
    with open_page(html.as_uri(), folder) as tab:
        yield tab


def _choose(page: Page, owner: str = "", category: str = "") -> None:
    page.js(
        f"""for (const [name, value] of [["owner", {json.dumps(owner)}], ["category", {json.dumps(category)}]]) {{
              const select = document.getElementById(name + "-filter");
              select.value = value;
              select.dispatchEvent(new Event("change"));
            }}"""
    )


def _visible(page: Page, selector: str) -> list[str]:
    """The control ids of the matching elements that are rendered (not hidden by a filter)."""
    return page.js(
        f"""[...document.querySelectorAll({json.dumps(selector)})]
              .filter((el) => el.checkVisibility())
              .map((el) => el.id ? el.id.replace("control-", "") : el.querySelector("a").textContent)"""
    )


def test_page_loads_offline_without_console_errors(page: Page) -> None:
    assert page.problems() == []
    assert all(url.startswith(("file:", "data:")) for url in page.requested()), page.requested()
    assert page.js('document.getElementById("filters").checkVisibility()'), "the inline script did not run (CSP?)"


def test_grid_has_one_row_per_control_and_one_cell_per_month(page: Page) -> None:
    rows = page.js(
        """[...document.querySelectorAll("#grid tbody tr")].map((row) => [
              row.querySelector("th").textContent,
              [...row.querySelectorAll("td.month")]
                .map((td) => `${td.firstChild.textContent} ${td.lastChild.textContent}`),
           ])"""
    )
    assert [control for control, _ in rows] == ["PROC-02", "ENG-ACC-03", "ENG-LOG-01", "ENG-BCK-01"]
    assert all(len(cells) == 6 for _, cells in rows)
    assert page.js('document.querySelectorAll("#grid thead th").length') == 7
    assert rows[1][1][:4] == [
        "OK ENG-ACC-03, 2026-05: Operating",
        "EX ENG-ACC-03, 2026-06: Exception",
        "NE ENG-ACC-03, 2026-07: No evidence",
        "EX ENG-ACC-03, 2026-08: Exception",
    ]
    colours = page.js(
        """[...document.querySelectorAll("#grid tbody tr:nth-child(2) td")]
              .map((cell) => getComputedStyle(cell).backgroundColor)"""
    )
    assert colours[0] != colours[1], "operating and exception months must look different"


def test_owner_and_category_filters_hide_other_rows(page: Page) -> None:
    everything = ["PROC-02", "ENG-ACC-03", "ENG-LOG-01", "ENG-BCK-01"]
    try:
        _choose(page, owner="procurement")
        for selector in ("#grid tbody tr", "#controls tbody tr", "#details article"):
            assert _visible(page, selector) == ["PROC-02"]
        assert _visible(page, "#timeline .lane[data-owner]") == []
        assert page.js('document.getElementById("filter-count").textContent') == "1 of 4 controls shown"

        _choose(page, owner="engineering")
        assert _visible(page, "#grid tbody tr") == ["ENG-ACC-03", "ENG-LOG-01"]
        assert set(_visible(page, "#timeline .lane[data-owner]")) == {"ENG-ACC-03", "ENG-LOG-01"}

        _choose(page, category="availability")
        assert _visible(page, "#grid tbody tr") == _visible(page, "#controls tbody tr") == ["ENG-BCK-01"]

        _choose(page, owner="engineering", category="availability")
        assert _visible(page, "#grid tbody tr") == []
        assert page.js('document.getElementById("filter-count").textContent') == "0 of 4 controls shown"
    finally:
        _choose(page)
    assert _visible(page, "#grid tbody tr") == _visible(page, "#details article") == everything


def test_screenshot_is_kept_as_a_test_artifact(page: Page) -> None:
    target = screenshot(page, "report.png")
    assert target.read_bytes().startswith(b"\x89PNG") and target.stat().st_size > 10_000
