"""Files AWS delivers to S3 in dated layouts (CloudTrail logs, Config history): list by day, fetch in parallel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import ClassVar

from connectors.aws.reads import read
from connectors.base import CollectContext, Place, in_threads
from socready.evidence import EvidenceEntry
from socready.scope.models import AwsSpec, S3Location

PLACES_AT_ONCE = 4  # account and region folders listed side by side, each fetching `workers` files at a time
RELIST = timedelta(days=2)  # files for a day can arrive after a run has listed it


def fetch_objects(
    ctx: CollectContext,
    collector,
    s3,
    bucket: str,
    keys: list[str],
    account: str,
    region: str,
    media_type_of: Callable[[str], str],
    workers: int = 8,
) -> None:
    """Fetch S3 objects in parallel into the run's evidence; a failed read is recorded, an unexpected error
    stops the run instead of vanishing in a worker."""

    def fetch(key: str) -> None:
        query = f"s3://{bucket}/{key}"
        with ctx.guard(collector.source, query, account=account, region=region, permission="s3:GetObject"):
            body = read("s3:GetObject", s3.get_object, Bucket=bucket, Key=key)["Body"].read()
            ctx.recorder.add(
                body,
                source=collector.source,
                query=query,
                connector=type(collector).__module__,
                connector_version=collector.version,
                account=account,
                region=region,
                media_type=media_type_of(key),
            )

    in_threads(fetch, keys, workers)


def month_prefixes(first: date, last: date) -> list[str]:
    """`yyyy/m/` path parts (Config's unpadded layout) of every month touched by [first, last]."""
    months, day = [], date(first.year, first.month, 1)
    while day <= last:
        months.append(f"{day.year}/{day.month}/")
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def key_day(key: str, region: str) -> date | None:
    """The UTC day in a delivered key: .../<Service>/<region>/yyyy/m(m)/d(d)/..."""
    parts = key.split("/")
    try:
        at = parts.index(region)
        return date(int(parts[at + 1]), int(parts[at + 2]), int(parts[at + 3]))
    except (ValueError, IndexError):
        return None


def known_files(
    ctx: CollectContext,
    source: str,
    prefix: str | tuple[str, ...],
    day_of: Callable[[str], date | None],
    first: datetime,
    last: datetime,
    place: Place,
) -> tuple[dict[str, EvidenceEntry], datetime]:
    """Files earlier runs fetched under `prefix` (or any of several) for days in [first, last], and the time from
    which to list again: RELIST before the newest known file's day, since AWS may still deliver files for
    recent days. That holds only when the earlier run's files cover the folder from `first` on: its manifest's
    read_from is no later (a longer lookback or baseline since, or a manifest without it, lists from `first`),
    and it read this place's files without a failure (a file it could not fetch, whatever its day, is found
    again). A trail that began after `first` has no earlier files, and is not listed in full on every run. A file
    no run could parse is listed and fetched again, never carried."""
    earlier = {
        query: entry
        for query, entry in ctx.earlier.of(source).items()
        if query.startswith(prefix) and (day := day_of(query)) and first.date() <= day <= last.date()
    }
    known = {query: entry for query, entry in earlier.items() if entry.sha256 not in ctx.unreadable}
    if not known or not ctx.earlier.cover(source, place, first):
        return known, first
    newest = max(day_of(query) for query in known)
    relist = [newest - RELIST, *(day_of(q) for q in earlier if q not in known)]  # and unreadable files' days
    return known, max(first, datetime.combine(min(relist), time(0), UTC))


def list_days(
    s3,
    bucket: str,
    folders: list[str],
    padded: bool,
    day_of: Callable[[str], date | None],
    first: date,
    last: date,
    wanted: Callable[[str], bool],
) -> list[str]:
    """Keys under each dated folder (<folder>yyyy/mm/dd/... zero-padded, or yyyy/m/d/...) whose day is in
    [first, last] and that `wanted` accepts. A zero-padded layout is listed in one listing per folder, starting
    after the first day's folder (StartAfter: S3 lists keys in UTF-8 order), so a run the day after another reads
    one page, not the whole month so far. That start skips no key dated on or after the first day even where a
    month or day lacks its zero (7/ sorts after 07/, 1x/ after 0x/), so a layout whose padding AWS does not
    document (backup reports) loses nothing; the listing runs to the folder's end. Config's unpadded layout is
    listed one month prefix at a time: from a day, it would also list the year's unpadded months that sort after
    it (2026/9/ after 2026/10/)."""
    keys: list[str] = []
    for folder in folders:
        if padded:
            listings = [{"Prefix": folder, "StartAfter": f"{folder}{first:%Y/%m/%d}/"}]
        else:
            listings = [{"Prefix": folder + month} for month in month_prefixes(first, last)]
        for listing in listings:
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, **listing):
                keys += [
                    o["Key"]
                    for o in page.get("Contents", [])
                    if wanted(o["Key"]) and (day := day_of(o["Key"])) and first <= day <= last
                ]
    return keys


class DeliveredFiles:
    """Subclasses name the service folder and layout; `on_empty` runs for an account/region with no files."""

    version: ClassVar[str]
    source: ClassVar[str]
    service_folder: ClassVar[str]
    padded: ClassVar[bool]
    locations_field: ClassVar[str]
    lookback: ClassVar[timedelta] = timedelta(days=1)  # delivery lags events; window days are local dates
    permissions = ("s3:ListBucket", "s3:GetObject")
    media_type = "application/gzip"
    workers = 8

    def wanted(self, key: str) -> bool:
        return key.endswith(".json.gz")

    def on_empty(self, ctx: CollectContext, account: str, region: str, location: str | None) -> None:
        """No files for this account and region under `location` (None: no location is configured). By default
        the coverage gap speaks for itself."""

    def read_from(self, ctx: CollectContext) -> datetime:
        """The earliest time files are read from; a subclass may take it from the scope."""
        return ctx.window.start_utc - self.lookback

    def regions(self, aws: AwsSpec) -> list[str]:
        """The region folders read in each account."""
        return aws.regions

    def accounts(self, aws: AwsSpec) -> list[str]:
        """The accounts whose folders are read."""
        return [account.id for account in aws.accounts]

    def account_folder(self, location: S3Location, account: str) -> str:
        """The key part between the prefix and the service folder."""
        return f"AWSLogs/{account}/"

    def places(self, aws: AwsSpec) -> list[Place]:
        """Each account and region folder read."""
        return [(account, region) for account in self.accounts(aws) for region in self.regions(aws)]

    def collect(self, ctx: CollectContext) -> None:
        aws = ctx.scope.aws
        locations: list[S3Location] = getattr(aws, self.locations_field)
        # Up to now, not only to the as-of: a state read now is walked back to the window through every later change.
        last = max(ctx.window.evaluated_end_utc + timedelta(days=1), datetime.now(UTC))
        first = self.read_from(ctx)
        if not locations:
            for account, region in ctx.mine((a.id, r) for a in aws.accounts for r in aws.regions):
                self.on_empty(ctx, account, region, None)
            return
        for location in locations:
            root = f"{location.prefix.strip('/')}/" if location.prefix.strip("/") else ""

            def collect_place(place: Place, location: S3Location = location, root: str = root) -> None:
                account, region = place
                base = f"{root}{self.account_folder(location, account)}{self.service_folder}/{region}/"
                self._collect_place(ctx, location, base, account, region, first, last)

            in_threads(collect_place, ctx.mine(self.places(aws)), PLACES_AT_ONCE)

    def _collect_place(
        self, ctx: CollectContext, location: S3Location, base: str, account: str, region: str, first, last
    ) -> None:
        """One account and region's files: earlier runs' carried, the months since the newest relisted."""
        aws = ctx.scope.aws
        s3 = ctx.aws.client(location.account or aws.accounts[0].id, aws.regions[0], "s3")
        day_of = partial(key_day, region=region)
        prefix = f"s3://{location.bucket}/{base}"
        known, since = known_files(ctx, self.source, prefix, day_of, first, last, (account, region))
        keys: list[str] = []
        where = {"account": account, "region": region, "permission": "s3:ListBucket"}
        with ctx.guard(self.source, f"s3://{location.bucket}/{base}", **where):
            keys = list_days(s3, location.bucket, [base], self.padded, day_of, since.date(), last.date(), self.wanted)
        fresh = [k for k in keys if f"s3://{location.bucket}/{k}" not in known]
        for entry in known.values():
            ctx.recorder.carry(entry)
        ctx.progress(f"{self.source}: {len(fresh)} new files ({len(known)} known) for {account}/{region}")
        if not keys and not known:
            self.on_empty(ctx, account, region, f"s3://{location.bucket}/{base}")
            return
        fetch_objects(ctx, self, s3, location.bucket, fresh, account, region, lambda key: self.media_type, self.workers)
