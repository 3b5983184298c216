"""report.html: one self-contained page (inline CSS, a few lines of JS, nothing fetched over the network)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from socready.report.format import build_view
from socready.report.model import REPORT_SCHEMA, Report


def csp_hash(script: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline script."""
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()


_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["csp_hash"] = csp_hash


def render_html(report: Report) -> str:
    return _ENV.get_template("report.html.j2").render(view=build_view(report), schema=REPORT_SCHEMA)
