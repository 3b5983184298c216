"""Synthetic CloudTrail log files in the documented S3 layout, for the sandbox and test fixtures."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta


@dataclass(frozen=True)
class Silence:
    """No records at all for [start, end) in one account, e.g. while its trail is stopped."""

    account: str
    start: datetime
    end: datetime
    region: str | None = None  # None: every region


def cloudtrail_event(
    name: str,
    when: datetime,
    account: str,
    region: str,
    actor: str,
    parameters: dict | None = None,
    *,
    service: str | None = None,
    identity_type: str = "IAMUser",
    details: dict | None = None,
) -> dict:
    """A CloudTrail record; `service` defaults from the event name (trail events, else IAM)."""
    service = service or ("cloudtrail" if name.endswith(("Logging", "Trail")) else "iam")
    return {
        "eventVersion": "1.09",
        "eventTime": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventName": name,
        "eventSource": f"{service}.amazonaws.com",
        "awsRegion": region,
        "recipientAccountId": account,
        "requestParameters": parameters,
        "userIdentity": {"type": identity_type, "userName": actor, "accountId": account},
        "additionalEventData": details,
        "readOnly": name.startswith(("Describe", "Get", "List")),
        "eventID": hashlib.sha256(f"{name}{when}{account}{region}{parameters}".encode()).hexdigest()[:32],
    }


def log_file_objects(
    accounts: Iterable[str],
    regions: Iterable[str],
    first: date,
    last: date,
    events: list[dict],
    silences: Iterable[Silence] = (),
    per_hour: int = 1,
    organization_id: str | None = None,
) -> Iterator[tuple[str, bytes]]:
    """One gzip log file per account, region and UTC day in [first, last], with `per_hour` read-only records
    every hour unless silenced, plus the given events on their day. With `organization_id`, the keys are an
    organization trail's: `AWSLogs/<org-id>/<account>/CloudTrail/...`."""
    silences = list(silences)
    by_day: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for event in events:
        by_day[(event["recipientAccountId"], event["awsRegion"], event["eventTime"][:10])].append(event)

    def silent(account: str, region: str, moment: datetime) -> bool:
        return any(s.account == account and s.region in (None, region) and s.start < moment < s.end for s in silences)

    for account in accounts:
        for region in regions:
            day = first
            while day <= last:
                midnight = datetime.combine(day, time(0), UTC)
                moments = (midnight + timedelta(minutes=5 + 60 * n / per_hour) for n in range(24 * per_hour))
                records = [
                    cloudtrail_event("DescribeInstances", moment, account, region, "monitoring")
                    for moment in moments
                    if not silent(account, region, moment)
                ]
                records += by_day[(account, region, day.isoformat())]
                records.sort(key=lambda r: r["eventTime"])
                name = f"{account}_CloudTrail_{region}_{day:%Y%m%d}T0000Z_socready.json.gz"
                folder = f"{organization_id}/{account}" if organization_id else account
                key = f"AWSLogs/{folder}/CloudTrail/{region}/{day:%Y/%m/%d}/{name}"
                yield key, gzip.compress(json.dumps({"Records": records}).encode(), mtime=0)
                day += timedelta(days=1)
