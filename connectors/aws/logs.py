"""CloudWatch Logs evidence: every log group with its retention, per account and region."""

from __future__ import annotations

from connectors.aws.reads import read
from connectors.aws.snapshot import ClientFor, Snapshot, pages

VERSION = "1.0.0"


class LogGroupsCollector(Snapshot):
    source = "aws.logs.groups"
    version = VERSION
    permissions = ("logs:DescribeLogGroups",)

    def snapshot(self, client: ClientFor, account: str, region: str) -> dict:
        logs = client("logs")
        return {"log_groups": read("logs:DescribeLogGroups", pages, logs, "describe_log_groups", "logGroups")}
