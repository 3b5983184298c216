"""Where people open a run's report: the configured URL, else a plain statement that it is not published."""

from __future__ import annotations

from pathlib import Path

from socready.report.publish import published_location
from socready.scope import Scope


def report_link(scope: Scope, run_id: str, html: Path) -> str:
    """The published location (`report.url`, else the S3 copy); a file path is no link an assignee can open, so
    it is said as such."""
    if location := published_location(scope, run_id):
        return location
    return (
        f"not published; it is only on the machine that ran socready, at {html}. "
        "Set report.url in the scope to link where people can open it."
    )
