"""The collector's least-privilege IAM policy, generated from what each collector declares it calls.

`python -m connectors.policy > infra/iam/collector-policy.json` regenerates the shipped file; a test keeps
them in sync. S3 reads are limited to the log buckets; nothing reads secrets, parameters, code or table data.
"""

from __future__ import annotations

import json
import sys

from connectors.registry import COLLECTORS

LOG_BUCKET_PLACEHOLDER = "YOUR-CLOUDTRAIL-LOG-BUCKET"
S3_OBJECT_ACTIONS = {"s3:GetObject"}
S3_BUCKET_ACTIONS = {"s3:ListBucket"}


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
