"""CloudTrail evidence: trails with their status, and the trail's log files delivered to S3."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

from connectors.base import CollectContext

CONNECTOR = "connectors.aws.cloudtrail"
VERSION = "1.0.0"


class TrailsCollector:
    """Per account and region: trails homed there, each with status, event selectors and validation."""

    source = "aws.cloudtrail.trails"
    version = VERSION
    permissions = ("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors")

    def collect(self, ctx: CollectContext) -> None:
        for account in ctx.scope.aws.accounts:
            for region in ctx.scope.aws.regions:
                query = f"cloudtrail:DescribeTrails account={account.id} region={region}"
                with ctx.guard(
                    self.source, query, account=account.id, region=region, permission="cloudtrail:DescribeTrails"
                ):
                    client = ctx.aws.client(account.id, region, "cloudtrail")
                    trails = []
                    for trail in client.describe_trails(includeShadowTrails=False)["trailList"]:
                        status = client.get_trail_status(Name=trail["TrailARN"])
                        selectors = client.get_event_selectors(TrailName=trail["TrailARN"])
                        status.pop("ResponseMetadata", None)
                        selectors.pop("ResponseMetadata", None)
                        trails.append({**trail, "Status": status, "EventSelectors": selectors})
                    body = {"account": account.id, "region": region, "trails": trails}
                    ctx.recorder.add(
                        json.dumps(body, default=str, sort_keys=True).encode(),
                        source=self.source,
                        query=query,
                        connector=CONNECTOR,
                        connector_version=VERSION,
                        account=account.id,
                        region=region,
                    )


def month_prefixes(start: datetime, end: datetime) -> list[str]:
    """`yyyy/mm/` path parts of every UTC month touched by [start, end)."""
    months, day = [], date(start.year, start.month, 1)
    while day < end.date() + timedelta(days=1):
        months.append(f"{day:%Y/%m}/")
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def key_day(key: str) -> date | None:
    """The UTC delivery day encoded in a CloudTrail key: .../CloudTrail/<region>/yyyy/mm/dd/<file>."""
    parts = key.split("/")
    try:
        return date(int(parts[-4]), int(parts[-3]), int(parts[-2]))
    except (IndexError, ValueError):
        return None


class LogFilesCollector:
    """Every log file of the window from the trail's S3 bucket, in CloudTrail's documented layout."""

    source = "aws.cloudtrail.logs"
    version = VERSION
    permissions = ("s3:ListBucket", "s3:GetObject")
    workers = 8

    def collect(self, ctx: CollectContext) -> None:
        aws = ctx.scope.aws
        # A day of margin either side: delivery lags events, and window days are local dates.
        first = ctx.window.start_utc - timedelta(days=1)
        last = ctx.window.evaluated_end_utc + timedelta(days=1)
        if not aws.cloudtrail_logs:
            ctx.not_configured(self.source, "scope field aws.cloudtrail_logs is empty; add the trail's S3 bucket")
            return
        for location in aws.cloudtrail_logs:
            owner = location.account or aws.accounts[0].id
            root = f"{location.prefix.strip('/')}/" if location.prefix.strip("/") else ""
            for account in aws.accounts:
                for region in aws.regions:
                    base = f"{root}AWSLogs/{account.id}/CloudTrail/{region}/"
                    keys: list[str] = []
                    query = f"s3://{location.bucket}/{base}"
                    with ctx.guard(self.source, query, account=account.id, region=region, permission="s3:ListBucket"):
                        s3 = ctx.aws.client(owner, aws.regions[0], "s3")
                        for month in month_prefixes(first, last):
                            pages = s3.get_paginator("list_objects_v2").paginate(
                                Bucket=location.bucket, Prefix=base + month
                            )
                            for page in pages:
                                keys += [
                                    o["Key"]
                                    for o in page.get("Contents", [])
                                    if (d := key_day(o["Key"])) and first.date() <= d <= last.date()
                                ]
                    ctx.progress(f"{self.source}: {len(keys)} log files for {account.id}/{region}")
                    with ThreadPoolExecutor(self.workers) as pool:
                        for key in keys:
                            pool.submit(self._fetch, ctx, s3, location.bucket, key, account.id, region)

    def _fetch(self, ctx: CollectContext, s3, bucket: str, key: str, account: str, region: str) -> None:
        query = f"s3://{bucket}/{key}"
        with ctx.guard(self.source, query, account=account, region=region, permission="s3:GetObject"):
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            ctx.recorder.add(
                body,
                source=self.source,
                query=query,
                connector=CONNECTOR,
                connector_version=VERSION,
                account=account,
                region=region,
                media_type="application/gzip",
            )
