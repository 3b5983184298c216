"""AWS Config evidence: recorder status now, and configuration history over the window.

History comes from the files Config delivers to S3 (ConfigHistory and ConfigSnapshot, documented layout);
where none are delivered for an account and region, from the GetResourceConfigHistory API in 7-day spans.
"""

from __future__ import annotations

import json
from datetime import timedelta

from connectors.aws.delivered import DeliveredFiles
from connectors.aws.reads import read
from connectors.aws.snapshot import ClientFor, Snapshot, pages
from connectors.base import CollectContext

VERSION = "1.0.0"
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
    lookback = timedelta(days=31)  # a snapshot or change from before the window gives each resource's baseline
    permissions = (
        "s3:ListBucket",
        "s3:GetObject",
        "config:ListDiscoveredResources",
        "config:GetResourceConfigHistory",
    )

    def wanted(self, key: str) -> bool:
        return key.endswith(".json.gz") and ("/ConfigHistory/" in key or "/ConfigSnapshot/" in key)

    def on_empty(self, ctx: CollectContext, account: str, region: str) -> None:
        """No delivered files: ask the Config API, one evidence object per resource type."""
        first, last = ctx.window.start_utc - self.lookback, ctx.window.evaluated_end_utc
        for resource_type in RESOURCE_TYPES:
            query = f"config:GetResourceConfigHistory account={account} region={region} type={resource_type}"
            with ctx.guard(
                self.source, query, account=account, region=region, permission="config:GetResourceConfigHistory"
            ):
                config = ctx.aws.client(account, region, "config")
                items = []
                for resource in pages(
                    config,
                    "list_discovered_resources",
                    "resourceIdentifiers",
                    resourceType=resource_type,
                    includeDeletedResources=True,
                ):
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
                body = json.dumps({"configurationItems": items}, default=str, sort_keys=True).encode()
                ctx.recorder.add(
                    body,
                    source=self.source,
                    query=query,
                    connector=type(self).__module__,
                    connector_version=VERSION,
                    account=account,
                    region=region,
                )
