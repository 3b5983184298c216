"""CloudTrail evidence: trails with their status, and the trail's log files delivered to S3."""

from __future__ import annotations

from datetime import datetime, timedelta

from connectors.aws.delivered import DeliveredFiles
from connectors.aws.snapshot import ClientFor, Snapshot
from connectors.base import CollectContext
from socready.scope.models import AwsSpec, S3Location

VERSION = "1.1.0"
GLOBAL_EVENTS_REGION = "us-east-1"


class TrailsCollector(Snapshot):
    """Per account and region: the account's own trails that log the region (homed there, or multi-region ones
    homed in any region, in scope or not), each with status and validation; event selectors where it is homed.
    An organization trail seen from a member account is left out: it is read where it lives, in the management
    account."""

    source = "aws.cloudtrail.trails"
    version = VERSION
    permissions = ("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors")

    def snapshot(self, client: ClientFor, account: str, region: str) -> dict:
        cloudtrail = client("cloudtrail")
        trails = []
        for trail in cloudtrail.describe_trails(includeShadowTrails=True)["trailList"]:
            arn = trail["TrailARN"]
            if arn.split(":")[4] != account:
                continue
            status = cloudtrail.get_trail_status(Name=arn)  # by ARN: also a trail homed in another region
            status.pop("ResponseMetadata", None)
            found = {**trail, "Status": status}
            if trail.get("HomeRegion", arn.split(":")[3]) == region:
                selectors = cloudtrail.get_event_selectors(TrailName=arn)
                selectors.pop("ResponseMetadata", None)
                found["EventSelectors"] = selectors
            trails.append(found)
        return {"trails": trails}


class LogFilesCollector(DeliveredFiles):
    """Every log file of the window and the lookback before it from the trail's S3 bucket, in CloudTrail's
    documented layout (an organization trail's under the organization's folder)."""

    source = "aws.cloudtrail.logs"
    version = VERSION
    service_folder = "CloudTrail"
    padded = True
    locations_field = "cloudtrail_logs"

    def read_from(self, ctx: CollectContext) -> datetime:
        return ctx.window.start_utc - timedelta(days=ctx.scope.aws.cloudtrail_lookback_days)

    def regions(self, aws: AwsSpec) -> list[str]:
        """Global services' events (IAM, STS, console sign-in) are delivered in the us-east-1 folder."""
        return list(dict.fromkeys([*aws.regions, GLOBAL_EVENTS_REGION]))

    def accounts(self, aws: AwsSpec) -> list[str]:
        """The log buckets' owners too: changes to a log bucket are events of the (log archive) account owning it."""
        owners = (location.account for location in aws.cloudtrail_logs if location.account)
        return list(dict.fromkeys([*super().accounts(aws), *owners]))

    def account_folder(self, location: S3Location, account: str) -> str:
        organization = f"{location.organization_id}/" if location.organization_id else ""
        return f"AWSLogs/{organization}{account}/"

    def on_empty(self, ctx: CollectContext, account: str, region: str, location: str | None) -> None:
        if not ctx.scope.aws.cloudtrail_logs:
            ctx.not_configured(self.source, "scope field aws.cloudtrail_logs is empty; add the trail's S3 bucket")
