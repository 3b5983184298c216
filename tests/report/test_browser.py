"""report.html in a real headless Chromium, driven over the DevTools protocol: loads clean, grid and filters work."""

from __future__ import annotations

import base64
import itertools
import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from socready.report.writer import write_report
from tests.report.builders import build

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
]
TIMEOUT = 30.0


class Page:
    """One tab, over a flattened CDP session on the browser's websocket; events are kept for the assertions."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]

    def _receive(self, deadline: float) -> dict[str, Any]:
        message = json.loads(self.socket.recv(timeout=max(deadline - time.monotonic(), 0.01)))
        if "method" in message:
            self.events.append(message)
        return message

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        request = {"id": next(self.ids), "method": method, "params": params}
        if method.split(".")[0] != "Target":
            request["sessionId"] = self.session
        self.socket.send(json.dumps(request))
        deadline = time.monotonic() + TIMEOUT
        while (message := self._receive(deadline)).get("id") != request["id"]:
            pass
        if "error" in message:
            raise AssertionError(f"{method}: {message['error']}")
        return message["result"]

    def wait_for(self, event: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not any(e["method"] == event for e in self.events):
            self._receive(deadline)

    def js(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def problems(self) -> list[str]:
        """Console calls, uncaught exceptions and browser log errors/warnings (a CSP refusal is one)."""
        found = []
        for event in self.events:
            params = event.get("params", {})
            if event["method"] == "Runtime.consoleAPICalled":
                found.append(f"console.{params['type']}: {params['args']}")
            elif event["method"] == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails']}")
            elif event["method"] == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                found.append(f"log {params['entry']['level']}: {params['entry']['text']}")
        return found

    def requested(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e["method"] == "Network.requestWillBeSent"]


def _devtools_url(profile: Path, browser: subprocess.Popen) -> str:
    """Chromium writes the port it picked (and the browser's path) to DevToolsActivePort in its profile."""
    active = profile / "DevToolsActivePort"
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and browser.poll() is None:
        lines = active.read_text().split() if active.exists() else []
        if len(lines) == 2:
            return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        time.sleep(0.1)
    raise AssertionError(f"chromium did not open its DevTools port; see {profile.parent / 'chromium.log'}")


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium package")
    folder = tmp_path_factory.mktemp("browser")
    html = write_report(build(), folder / "report")["html"]
    profile = folder / "profile"
    with (folder / "chromium.log").open("w") as log:
        browser = subprocess.Popen([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}"], stdout=log, stderr=log)
    try:
        with connect(_devtools_url(profile, browser), max_size=None, open_timeout=TIMEOUT) as socket:
            tab = Page(socket)
            for domain in ("Page", "Runtime", "Log", "Network"):
                tab.call(f"{domain}.enable")
            tab.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
            tab.call("Page.navigate", url=html.as_uri())
            tab.wait_for("Page.loadEventFired")
            yield tab
    finally:
        browser.terminate()
        browser.wait(timeout=TIMEOUT)


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
    size = page.call("Page.getLayoutMetrics")["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    shot = page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True, clip=clip)
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "report.png"
    target.write_bytes(base64.b64decode(shot["data"]))
    assert target.read_bytes().startswith(b"\x89PNG") and target.stat().st_size > 10_000
