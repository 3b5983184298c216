"""AWS Config evidence: recorder status now, and configuration history from the baseline months to the window end.

History comes from the files Config delivers to S3 (ConfigHistory and ConfigSnapshot, documented layout), read from
`aws.config_baseline_months` before the window start; with no location configured, from GetResourceConfigHistory in
7-day spans over the window. Then each resource with no configuration item at or before the window start in what was
read gets its baseline from GetResourceConfigHistory (laterTime = window start, limit 1). A configured location with
no file for an account and region is recorded as such, not filled from the API: the expectations make the days it
should have covered a coverage gap naming it.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, time, timedelta

from connectors.aws.delivered import PLACES_AT_ONCE, DeliveredFiles, key_day
from connectors.aws.reads import read
from connectors.aws.snapshot import ClientFor, Snapshot, pages
from connectors.base import CollectContext, in_threads
from socready.evidence import EvidenceEntry
from socready.evidence.aws_formats import BASELINE_API, EMPTY_LOCATION, HISTORY_API
from socready.window import add_months

VERSION = "1.1.0"
# Resource types the state controls read from Config history.
RESOURCE_TYPES = (
    "AWS::S3::Bucket",
    "AWS::RDS::DBInstance",
    "AWS::EC2::SecurityGroup",
    "AWS::IAM::User",
    "AWS::IAM::Policy",
    "AWS::KMS::Key",
    "AWS::CloudTrail::Trail",
    "AWS::Logs::LogGroup",
    "AWS::Backup::BackupPlan",
)
API_SPAN = timedelta(days=7)  # GetResourceConfigHistory's longest time range per call
DELIVERY_LAG = timedelta(days=1)  # an item captured before the window start lands in a file up to a day later


def baseline_start(ctx: CollectContext) -> datetime:
    """The earliest time Config history files are read from: `aws.config_baseline_months` before the window."""
    first_day = add_months(ctx.window.start_utc.date(), -ctx.scope.aws.config_baseline_months)
    return datetime.combine(first_day, time(0), UTC)


def write_json(ctx: CollectContext, body: dict, query: str, account: str, region: str) -> EvidenceEntry:
    return ctx.recorder.add(
        json.dumps(body, default=str, sort_keys=True).encode(),
        source=HistoryCollector.source,
        query=query,
        connector=HistoryCollector.__module__,
        connector_version=VERSION,
        account=account,
        region=region,
    )


class RecordersCollector(Snapshot):
    source = "aws.config.recorders"
    version = VERSION
    permissions = ("config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus")

    def snapshot(self, client: ClientFor, account: str, region: str) -> dict:
        config = client("config")
        recorders = read("config:DescribeConfigurationRecorders", config.describe_configuration_recorders)
        status = read("config:DescribeConfigurationRecorderStatus", config.describe_configuration_recorder_status)
        return {"recorders": recorders["ConfigurationRecorders"], "status": status["ConfigurationRecordersStatus"]}


class HistoryCollector(DeliveredFiles):
    source = "aws.config.history"
    version = VERSION
    service_folder = "Config"
    padded = False
    locations_field = "config_history"
    permissions = (
        "s3:ListBucket",
        "s3:GetObject",
        "config:ListDiscoveredResources",
        "config:GetResourceConfigHistory",
    )

    def wanted(self, key: str) -> bool:
        return key.endswith(".json.gz") and ("/ConfigHistory/" in key or "/ConfigSnapshot/" in key)

    def read_from(self, ctx: CollectContext) -> datetime:
        """Months of history before the window: a resource's baseline is its last item before it, however old."""
        return baseline_start(ctx)

    def collect(self, ctx: CollectContext) -> None:
        super().collect(ctx)
        places = ctx.mine((a.id, r) for a in ctx.scope.aws.accounts for r in ctx.scope.aws.regions)
        in_threads(lambda place: self.baselines(ctx, *place), places, PLACES_AT_ONCE)

    def on_empty(self, ctx: CollectContext, account: str, region: str, location: str | None) -> None:
        """A configured location without files is recorded (the period it should cover is a coverage gap); with
        no location configured, the window's history comes from the Config API, one object per resource type."""
        if location is not None:
            first, last = baseline_start(ctx), ctx.window.evaluated_end_utc
            body = {"location": location, "files": 0, "from": first.isoformat(), "to": last.isoformat()}
            write_json(ctx, body, f"{EMPTY_LOCATION}{location}", account, region)
            return
        first, last = ctx.window.start_utc, ctx.window.evaluated_end_utc
        for resource_type in RESOURCE_TYPES:
            query = f"{HISTORY_API} account={account} region={region} type={resource_type}"
            with ctx.guard(self.source, query, account=account, region=region, permission=HISTORY_API):
                config = ctx.aws.client(account, region, "config")
                items = []
                for resource in discovered(config, resource_type):
                    later = last
                    while later > first:
                        earlier = max(first, later - API_SPAN)
                        items += pages(
                            config,
                            "get_resource_config_history",
                            "configurationItems",
                            resourceType=resource_type,
                            resourceId=resource["resourceId"],
                            earlierTime=earlier,
                            laterTime=later,
                        )
                        later = earlier
                write_json(ctx, {"configurationItems": items}, query, account, region)

    def baselines(self, ctx: CollectContext, account: str, region: str) -> None:
        """Each resource Config lists here without an item at or before the window start in the files or pages
        read: its last item before the start from the API."""
        start = ctx.window.start_utc
        here = [e for e in ctx.recorder.entries if (e.source, e.account, e.region) == (self.source, account, region)]
        if not here or all(e.query.startswith(EMPTY_LOCATION) for e in here):
            return  # nothing could be read (a recorded failure) or nothing was delivered (a coverage gap)
        have = baselined(ctx, here, region)
        for resource_type in RESOURCE_TYPES:
            listing = f"config:ListDiscoveredResources account={account} region={region} type={resource_type}"
            where = {"account": account, "region": region}
            with ctx.guard(self.source, listing, **where, permission="config:ListDiscoveredResources"):
                config = ctx.aws.client(account, region, "config")
                for resource in discovered(config, resource_type):
                    deleted = resource.get("resourceDeletionTime")
                    if (resource_type, resource["resourceId"]) not in have and (deleted is None or deleted > start):
                        self.baseline(ctx, config, account, region, resource_type, resource["resourceId"])

    def baseline(self, ctx: CollectContext, config, account: str, region: str, resource_type: str, resource_id: str):
        """One resource's last item before the window start; an earlier run's answer is carried, since the last
        item before a fixed time does not change."""
        start = ctx.window.start_utc
        query = (
            f"{BASELINE_API} account={account} region={region} type={resource_type} id={resource_id} "
            f"laterTime={start.isoformat()} limit=1"
        )
        if (known := ctx.earlier.of(self.source).get(query)) is not None:
            ctx.recorder.carry(known)
            return
        with ctx.guard(self.source, query, account=account, region=region, permission=HISTORY_API):
            items = last_item_before(config, resource_type, resource_id, start)
            write_json(ctx, {"laterTime": start.isoformat(), "configurationItems": items}, query, account, region)


def discovered(config, resource_type: str) -> list[dict]:
    """Resources Config recorded of a type, deleted ones included (they may have existed in the window)."""
    return pages(
        config,
        "list_discovered_resources",
        "resourceIdentifiers",
        resourceType=resource_type,
        includeDeletedResources=True,
    )


def last_item_before(config, resource_type: str, resource_id: str, moment: datetime) -> list[dict]:
    """The resource's last configuration item at or before `moment` (none when Config did not know it then)."""
    answer = read(
        HISTORY_API,
        config.get_resource_config_history,
        absent=("ResourceNotDiscoveredException",),
        resourceType=resource_type,
        resourceId=resource_id,
        laterTime=moment,
        limit=1,
    )
    return (answer or {}).get("configurationItems", [])


def baselined(ctx: CollectContext, entries: list[EvidenceEntry], region: str) -> set[tuple[str, str]]:
    """(type, id) of resources with an item at or before the window start in the delivered files read: only
    files dated up to a day after the start can hold one."""
    start = ctx.window.start_utc
    found: set[tuple[str, str]] = set()
    for entry in entries:
        day = key_day(entry.query, region) if entry.query.startswith("s3://") else None
        if day is None or day > (start + DELIVERY_LAG).date():
            continue
        for item in json.loads(gzip.decompress(ctx.recorder.store.read(entry.sha256))).get("configurationItems", []):
            if datetime.fromisoformat(item["configurationItemCaptureTime"].replace("Z", "+00:00")) <= start:
                found.add((item["resourceType"], item["resourceId"]))
    return found
