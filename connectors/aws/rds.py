"""RDS evidence per account and region: every DB instance with its encryption, backup, protection and tags."""

from __future__ import annotations

from connectors.aws.reads import read
from connectors.aws.snapshot import ClientFor, Snapshot, pages

VERSION = "1.0.0"


class InstancesCollector(Snapshot):
    source = "aws.rds.instances"
    version = VERSION
    permissions = ("rds:DescribeDBInstances",)

    def snapshot(self, client: ClientFor, account: str, region: str) -> dict:
        # DescribeDBInstances includes each instance's TagList, so no per-instance tag call is needed.
        return {
            "instances": read("rds:DescribeDBInstances", pages, client("rds"), "describe_db_instances", "DBInstances")
        }
