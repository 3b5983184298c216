"""Synthetic AWS Backup Audit Manager backup job reports (CSV) in the documented S3 layout, for the sandbox and
test fixtures: `<prefix>/Backup/<region>/<yyyy>/<mm>/<dd>/<report>...`, one report a day covering the UTC day
before its delivery."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta

COLUMNS = (
    "Report Time Period Start",
    "Report Time Period End",
    "Account Id",
    "Region",
    "Backup Job Id",
    "Job Status",
    "Resource Type",
    "Resource Arn",
    "Backup Plan Arn",
    "Creation Date",
    "Completion Date",
)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def job_report_objects(
    account: str,
    region: str,
    prefix: str,
    report: str,
    first: date,
    last: date,
    resources: Iterable[str],
    failed: Iterable[tuple[str, date]] = (),
    plan_arn: str = "",
    since: dict[str, date] | None = None,
) -> Iterator[tuple[str, bytes]]:
    """One report per UTC day in [first, last]: a backup job per resource at 05:00, completed at 05:20 unless
    (resource ARN, day) is in `failed`; a resource in `since` has jobs from that day on."""
    resources, failed, since = list(resources), set(failed), since or {}
    day = first
    while day <= last:
        start = datetime.combine(day, time(0), UTC)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for number, arn in enumerate(resources):
            if day < since.get(arn, first):
                continue
            ok = (arn, day) not in failed
            job = f"{day:%Y%m%d}-{number:04d}-{account}"
            created, done = start + timedelta(hours=5), start + timedelta(hours=5, minutes=20)
            writer.writerow(
                (
                    stamp(start),
                    stamp(start + timedelta(days=1)),
                    account,
                    region,
                    job,
                    "COMPLETED" if ok else "FAILED",
                    "RDS",
                    arn,
                    plan_arn,
                    stamp(created),
                    stamp(done) if ok else "",
                )
            )
        delivered = day + timedelta(days=1)
        key = f"{prefix.strip('/')}/Backup/{region}/{delivered:%Y/%m/%d}/{report}_{account}_{delivered:%Y%m%d}.csv"
        yield key, out.getvalue().encode()
        day += timedelta(days=1)
