"""EC2 evidence per account and region: EBS default encryption and every security group's rules."""

from __future__ import annotations

from connectors.aws.reads import read
from connectors.aws.snapshot import ClientFor, Snapshot, pages

VERSION = "1.0.0"


class SettingsCollector(Snapshot):
    source = "aws.ec2.settings"
    version = VERSION
    permissions = ("ec2:GetEbsEncryptionByDefault", "ec2:DescribeSecurityGroups")

    def snapshot(self, client: ClientFor, account: str, region: str) -> dict:
        ec2 = client("ec2")
        ebs = read("ec2:GetEbsEncryptionByDefault", ec2.get_ebs_encryption_by_default)
        groups = read("ec2:DescribeSecurityGroups", pages, ec2, "describe_security_groups", "SecurityGroups")
        return {"ebs_encryption_by_default": ebs["EbsEncryptionByDefault"], "security_groups": groups}
