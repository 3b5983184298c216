"""The run's exceptions, open and accepted, each with the acceptance that covers it (reason, approver) and the
owner's management response and dispute from its gap ticket."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from fnmatch import fnmatchcase

from socready.readiness.model import ControlResult, Decision, ExceptionInterval
from socready.report.model import Report
from socready.scope.models import AcceptedException
from socready.tickets.decisions import as_exceptions
from socready.window import Window

COLUMNS = (
    "control",
    "resource",
    "start",
    "end",
    "value",
    "reason",
    "ongoing",
    "accepted_by",
    "accepted_reason",
    "accepted_until",
    "evidence",
    "management_response",
    "response_by",
    "response_at",
    "response_ticket",
    "response_evidence",
    "disputed_by",
    "dispute_reason",
)


@dataclass(frozen=True)
class ExceptionRecord:
    control: ControlResult
    item: ExceptionInterval
    acceptance: AcceptedException | None  # None: open, or accepted by an entry the scope no longer holds
    response: Decision | None = None  # the latest management response in a ticket covering it
    dispute: Decision | None = None


def _latest(control: ControlResult, item: ExceptionInterval, kind: str) -> Decision | None:
    found = [d for d in control.decisions if d.kind == kind and d.resource in (None, item.resource)]
    return max(found, key=lambda d: d.at, default=None)


def report_window(report: Report) -> Window:
    spec = report.scope.window
    return Window(spec.start, spec.end, spec.timezone, spec.as_of)


def _acceptance(
    control: str, item: ExceptionInterval, acceptances: list[AcceptedException], report: Report
) -> AcceptedException | None:
    """The entry the verdict applied: the first unexpired one (as of the run) for the control and resource."""
    if item.accepted_by is None:
        return None
    today = report_window(report).local_date(report.scope.window.as_of)
    found = next(
        (
            a
            for a in acceptances
            if a.control == control and fnmatchcase(item.resource, a.resource) and a.expires >= today
        ),
        None,
    )
    # The scope may have changed since the run; an entry by another approver is not the one the verdict used.
    return found if found and found.approver == item.accepted_by else None


def exception_records(report: Report, acceptances: list[AcceptedException]) -> list[ExceptionRecord]:
    """`acceptances`: the scope's; those recorded in gap tickets come with the report."""
    return [
        ExceptionRecord(
            control,
            item,
            _acceptance(control.id, item, [*acceptances, *as_exceptions(control.decisions)], report),
            _latest(control, item, "response"),
            _latest(control, item, "dispute"),
        )
        for control in report.controls
        for item in [*control.exceptions, *control.accepted_exceptions]
    ]


def exceptions_csv(records: list[ExceptionRecord]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in records:
        item, acceptance, response, dispute = record.item, record.acceptance, record.response, record.dispute
        writer.writerow(
            [
                record.control.id,
                item.resource,
                item.start.isoformat(),
                item.end.isoformat(),
                item.value,
                item.reason,
                str(item.ongoing).lower(),
                item.accepted_by or "",
                acceptance.reason if acceptance else "",
                acceptance.expires.isoformat() if acceptance else "",
                " ".join(item.evidence),
                response.text if response else "",
                response.author if response else "",
                response.at.isoformat() if response else "",
                response.ticket if response else "",
                response.evidence if response else "",
                dispute.author if dispute else "",
                dispute.text if dispute else "",
            ]
        )
    return buffer.getvalue().encode()
