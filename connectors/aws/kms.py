"""KMS evidence per account and region: customer managed keys with their state and rotation status."""

from __future__ import annotations

from connectors.aws.reads import read
from connectors.aws.snapshot import ClientFor, Snapshot, pages
from socready.evidence.aws_formats import rotatable

VERSION = "1.0.0"
ROTATABLE_STATES = ("Enabled", "Disabled")  # GetKeyRotationStatus answers for these; other states are in flux


class KeysCollector(Snapshot):
    source = "aws.kms.keys"
    version = VERSION
    permissions = ("kms:ListKeys", "kms:DescribeKey", "kms:GetKeyRotationStatus")

    def snapshot(self, client: ClientFor, account: str, region: str) -> dict:
        kms = client("kms")
        keys = []
        for listed in read("kms:ListKeys", pages, kms, "list_keys", "Keys"):
            metadata = read("kms:DescribeKey", kms.describe_key, KeyId=listed["KeyId"])["KeyMetadata"]
            if metadata.get("KeyManager") != "CUSTOMER":
                continue  # AWS managed keys rotate on AWS's schedule; customers cannot change it
            rotation = None
            if rotatable(metadata.get("KeySpec"), metadata.get("Origin")) and metadata["KeyState"] in ROTATABLE_STATES:
                status = read("kms:GetKeyRotationStatus", kms.get_key_rotation_status, KeyId=listed["KeyId"])
                rotation = status["KeyRotationEnabled"]
            keys.append({**metadata, "RotationEnabled": rotation})
        return {"keys": keys}
