"""CloudTrail evidence: trails with their status, and the trail's log files delivered to S3."""

from __future__ import annotations

from connectors.aws.delivered import DeliveredFiles
from connectors.aws.snapshot import ClientFor, Snapshot
from connectors.base import CollectContext

VERSION = "1.0.0"


class TrailsCollector(Snapshot):
    """Per account and region: trails homed there, each with status, event selectors and validation."""

    source = "aws.cloudtrail.trails"
    version = VERSION
    permissions = ("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors")

    def snapshot(self, client: ClientFor, account: str, region: str) -> dict:
        cloudtrail = client("cloudtrail")
        trails = []
        for trail in cloudtrail.describe_trails(includeShadowTrails=False)["trailList"]:
            status = cloudtrail.get_trail_status(Name=trail["TrailARN"])
            selectors = cloudtrail.get_event_selectors(TrailName=trail["TrailARN"])
            status.pop("ResponseMetadata", None)
            selectors.pop("ResponseMetadata", None)
            trails.append({**trail, "Status": status, "EventSelectors": selectors})
        return {"trails": trails}


class LogFilesCollector(DeliveredFiles):
    """Every log file of the window from the trail's S3 bucket, in CloudTrail's documented layout."""

    source = "aws.cloudtrail.logs"
    version = VERSION
    service_folder = "CloudTrail"
    padded = True
    locations_field = "cloudtrail_logs"

    def on_empty(self, ctx: CollectContext, account: str, region: str, location: str | None) -> None:
        if not ctx.scope.aws.cloudtrail_logs:
            ctx.not_configured(self.source, "scope field aws.cloudtrail_logs is empty; add the trail's S3 bucket")
