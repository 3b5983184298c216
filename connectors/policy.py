"""The collector's least-privilege IAM policy, generated from what each collector declares it calls.

`python -m connectors.policy > infra/iam/collector-policy.json` regenerates the shipped file; a test keeps
them in sync. S3 object reads are limited to the buckets named on the command line (CloudTrail and Config log
buckets, and the S3 buckets AWS Backup job reports are delivered to); bucket configuration reads (encryption,
policy, public access block) cover every bucket. Nothing reads secrets, parameters, code or table data.
"""

from __future__ import annotations

import json
import sys

from connectors.registry import COLLECTORS

LOG_BUCKET_PLACEHOLDER = "YOUR-CLOUDTRAIL-LOG-BUCKET"
S3_OBJECT_ACTIONS = {"s3:GetObject"}
S3_BUCKET_ACTIONS = {"s3:ListBucket"}


# Where an API operation's IAM action is not "<service>:<Operation>".
ACTION_OF_OPERATION = {
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "ListObjects"): "s3:ListBucket",
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "GetBucketLifecycleConfiguration"): "s3:GetLifecycleConfiguration",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
}
IAM_PREFIX = {"s3control": "s3"}


def iam_action(service: str, operation: str) -> str:
    """The IAM action a botocore call needs: `iam_action("s3", "ListObjectsV2") == "s3:ListBucket"`."""
    return ACTION_OF_OPERATION.get((service, operation), f"{IAM_PREFIX.get(service, service)}:{operation}")


def declared_actions() -> set[str]:
    return {action for collector in COLLECTORS.values() for action in collector.permissions}


def collector_policy(log_buckets: list[str] | None = None) -> dict:
    buckets = log_buckets or [LOG_BUCKET_PLACEHOLDER]
    actions = declared_actions()
    statements = [
        {
            "Sid": "ReadConfiguration",
            "Effect": "Allow",
            "Resource": "*",
            "Action": sorted(actions - S3_OBJECT_ACTIONS - S3_BUCKET_ACTIONS),
        },
        {
            "Sid": "ListLogBuckets",
            "Effect": "Allow",
            "Action": sorted(actions & S3_BUCKET_ACTIONS),
            "Resource": [f"arn:aws:s3:::{b}" for b in buckets],
        },
        {
            "Sid": "ReadLogObjects",
            "Effect": "Allow",
            "Action": sorted(actions & S3_OBJECT_ACTIONS),
            "Resource": [f"arn:aws:s3:::{b}/*" for b in buckets],
        },
    ]
    return {"Version": "2012-10-17", "Statement": statements}


def main() -> None:
    json.dump(collector_policy(sys.argv[1:] or None), sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
