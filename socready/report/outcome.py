"""What a run's end state tells schedulers: the controls without evidence and a failed gap-ticket step."""

from __future__ import annotations

from socready.report.model import Report


def run_problems(report: Report) -> str | None:
    """One sentence naming what needs a person, or None when the run's outcome can be trusted as is."""
    missing = [c.id for c in report.controls if c.status == "no_evidence"]
    problems = [f"{len(missing)} control(s) without evidence: {', '.join(missing)}"] if missing else []
    if report.tickets is not None and report.tickets.status == "failed":
        problems.append(f"gap tickets not synced: {report.tickets.note}")
    return "; ".join(problems) or None
