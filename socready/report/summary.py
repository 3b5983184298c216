"""The short plain-text table `socready run` prints at the end."""

from __future__ import annotations

from socready.report.format import day_text, figure_text, percent, score_text, status_label, type2_close
from socready.report.model import Report


def summary_table(report: Report) -> str:
    readiness = report.readiness
    header = ("CONTROL", "OWNER", "STATUS", "CLEAN SINCE", "COVERAGE", "EXCEPTIONS", "TICKET")
    rows = [header] + [
        (
            c.id,
            c.owner,
            status_label(c.status),
            day_text(c.clean_since),
            percent(100 * c.coverage),
            str(len(c.exceptions)),
            c.ticket.key if c.ticket else "",
        )
        for c in report.controls
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)) for row in rows]
    lines += [
        "",
        f"Readiness score (operation) {score_text(readiness)}: {readiness.operating} operating, "
        f"{readiness.exception} exception, {readiness.no_evidence} no evidence, "
        f"{readiness.not_applicable} not applicable.",
        f"Design (holds today) {figure_text(readiness, readiness.design)}; "
        f"evidence completeness {figure_text(readiness, readiness.evidence_completeness)}.",
        f"Earliest Type II close ({report.scope.window.months} months): "
        f"{type2_close(readiness.earliest_type2_close, readiness.blocking_controls)}",
    ]
    if report.tickets and report.tickets.status in ("skipped", "failed"):
        lines.append(f"Gap tickets {report.tickets.text}")
    if report.triage is not None:
        overdue = ", ".join(f"{o.owner} {len(o.overdue)}" for o in report.triage.owners) or "none open"
        lines.append(f"Overdue gap tickets per owner: {overdue}.")
        lines += [f"Triage data not read or not applied: {problem}" for problem in report.triage.problems]
    return "\n".join(line.rstrip() for line in lines)
