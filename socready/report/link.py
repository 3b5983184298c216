"""Where people open a run's report: the configured URL, else a plain statement that it is not published."""

from __future__ import annotations

from pathlib import Path

from socready.scope import Scope


def report_link(scope: Scope, run_id: str, html: Path) -> str:
    """`report.url` with {run_id} filled in; a file path is no link an assignee can open, so it is said as such."""
    if scope.report.url:
        return scope.report.url.replace("{run_id}", run_id)
    return (
        f"not published; it is only on the machine that ran socready, at {html}. "
        "Set report.url in the scope to link where people can open it."
    )
