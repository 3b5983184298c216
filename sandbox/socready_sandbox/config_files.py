"""Synthetic AWS Config history files in the documented S3 layout, for the sandbox, fixtures and benchmarks."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime


def config_item(
    resource_type: str,
    resource_id: str,
    account: str,
    region: str,
    when: datetime,
    configuration: dict,
    supplementary: dict | None = None,
    status: str = "OK",
    name: str | None = None,
) -> dict:
    """One configuration item as Config writes it into ConfigHistory files."""
    return {
        "configurationItemVersion": "1.3",
        "configurationItemCaptureTime": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "configurationItemStatus": status,
        "awsAccountId": account,
        "awsRegion": region,
        "resourceType": resource_type,
        "resourceId": resource_id,
        "resourceName": name or resource_id,
        "ARN": f"arn:aws:{resource_type.split('::')[1].lower()}:{region}:{account}:{resource_id}",
        "configuration": configuration,
        "supplementaryConfiguration": supplementary or {},
    }


def history_file_objects(items: Iterable[dict], kind: str = "ConfigHistory") -> Iterator[tuple[str, bytes]]:
    """Groups items into one gzip file per account, region, UTC day and resource type."""
    grouped: dict[tuple, list[dict]] = defaultdict(list)
    for item in items:
        day = datetime.fromisoformat(item["configurationItemCaptureTime"].replace("Z", "+00:00"))
        grouped[(item["awsAccountId"], item["awsRegion"], day.date(), item["resourceType"])].append(item)
    for (account, region, day, resource_type), group in sorted(grouped.items()):
        kind_name = resource_type.replace("::", "_")
        name = f"{account}_Config_{region}_{kind}_{kind_name}_{day:%Y%m%d}T000000Z_socready.json.gz"
        key = f"AWSLogs/{account}/Config/{region}/{day.year}/{day.month}/{day.day}/{kind}/{name}"
        body = {
            "fileVersion": "1.0",
            "configurationItems": sorted(group, key=lambda i: i["configurationItemCaptureTime"]),
        }
        yield key, gzip.compress(json.dumps(body).encode(), mtime=0)


def delivered_files(
    items: list[dict], accounts: Iterable[str], regions: Iterable[str], quiet_day: datetime
) -> Iterator[tuple[str, bytes]]:
    """History files for the items, and a file without items on `quiet_day` for every account and region with
    none: a recorder that is on delivers there too, and a configured location with no file at all for an account
    and region is a coverage gap, not "nothing changed"."""
    yield from history_file_objects(items)
    covered = {(i["awsAccountId"], i["awsRegion"]) for i in items}
    for account in accounts:
        for region in regions:
            if (account, region) not in covered:
                day = quiet_day.astimezone(UTC)
                name = f"{account}_Config_{region}_ConfigHistory_{day:%Y%m%d}T000000Z_quiet.json.gz"
                key = f"AWSLogs/{account}/Config/{region}/{day.year}/{day.month}/{day.day}/ConfigHistory/{name}"
                yield key, gzip.compress(json.dumps({"fileVersion": "1.0", "configurationItems": []}).encode(), mtime=0)
