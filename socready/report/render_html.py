"""report.html: one self-contained page (inline CSS, a few lines of JS, nothing fetched over the network)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from socready.report.format import build_view, percent
from socready.report.model import REPORT_SCHEMA, Report

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 640, 160, 12  # the score-across-runs chart's viewBox, in px


def csp_hash(script: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline script."""
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()


def chart_points(values: list[float]) -> list[tuple[float, float]]:
    """0–100 values, oldest first, as points across the chart (one run: a point in the middle)."""
    inner_width, inner_height = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD
    step = inner_width / (len(values) - 1) if len(values) > 1 else 0
    left = CHART_PAD if len(values) > 1 else CHART_WIDTH / 2
    return [
        (round(left + i * step, 1), round(CHART_PAD + (100 - v) * inner_height / 100, 1)) for i, v in enumerate(values)
    ]


_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["csp_hash"] = csp_hash
_ENV.filters["chart_points"] = chart_points
_ENV.filters["percent"] = percent
_ENV.globals["chart"] = {"width": CHART_WIDTH, "height": CHART_HEIGHT, "pad": CHART_PAD}


def render_html(report: Report) -> str:
    return _ENV.get_template("report.html.j2").render(view=build_view(report), schema=REPORT_SCHEMA)
