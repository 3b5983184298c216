"""A real headless Chromium (Debian's), driven over the DevTools protocol, for tests of pages socready writes."""

from __future__ import annotations

import base64
import itertools
import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
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


# No network at all: every host resolves nowhere and any proxied request goes to a closed port.
OFFLINE = ["--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost"]


@contextmanager
def open_page(url: str, folder: Path, flags: tuple[str, ...] = ()) -> Iterator[Page]:
    """Opens `url` in a fresh browser (profile and log in `folder`) once its load event fired."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium package")
    profile = folder / "profile"
    with (folder / "chromium.log").open("w") as log:
        browser = subprocess.Popen(
            [str(CHROMIUM), *FLAGS, *flags, f"--user-data-dir={profile}"], stdout=log, stderr=log
        )
    try:
        with connect(_devtools_url(profile, browser), max_size=None, open_timeout=TIMEOUT) as socket:
            tab = Page(socket)
            for domain in ("Page", "Runtime", "Log", "Network"):
                tab.call(f"{domain}.enable")
            tab.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
            tab.call("Page.navigate", url=url)
            tab.wait_for("Page.loadEventFired")
            yield tab
    finally:
        browser.terminate()
        browser.wait(timeout=TIMEOUT)


def screenshot(page: Page, name: str) -> Path:
    """The whole page as a PNG in test-artifacts/, kept for people to look at."""
    size = page.call("Page.getLayoutMetrics")["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    shot = page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True, clip=clip)
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    target.write_bytes(base64.b64decode(shot["data"]))
    return target
