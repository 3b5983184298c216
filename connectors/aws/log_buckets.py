"""The CloudTrail log buckets named in the scope: policy, ACL, public access block and lifecycle rules.

Only the log buckets: `aws.s3.buckets` covers every bucket's encryption; this source answers who can read the
audit trail and how long it is kept.
"""

from __future__ import annotations

import json

from connectors.aws.reads import read
from connectors.aws.s3 import bucket_policy, bucket_public_access_block
from connectors.base import CollectContext

VERSION = "1.0.0"


class LogBucketsCollector:
    source = "aws.s3.log_buckets"
    version = VERSION
    permissions = (
        "s3:GetBucketPolicy",
        "s3:GetBucketAcl",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetLifecycleConfiguration",
    )

    def collect(self, ctx: CollectContext) -> None:
        aws = ctx.scope.aws
        if not aws.cloudtrail_logs:
            ctx.not_configured(self.source, "scope field aws.cloudtrail_logs is empty; add the trail's S3 bucket")
            return
        for owner, name in dict.fromkeys((b.account or aws.accounts[0].id, b.bucket) for b in aws.cloudtrail_logs):
            query = f"{self.source} account={owner} bucket={name}"
            with ctx.guard(self.source, query, account=owner, permission=self.permissions[0]):
                body = {
                    "account": owner,
                    "bucket": name,
                    **self.snapshot(ctx.aws.client(owner, aws.regions[0], "s3"), name),
                }
                ctx.recorder.add(
                    json.dumps(body, default=str, sort_keys=True).encode(),
                    source=self.source,
                    query=query,
                    connector=type(self).__module__,
                    connector_version=self.version,
                    account=owner,
                )

    @staticmethod
    def snapshot(s3, name: str) -> dict:
        """None for a configuration the bucket does not have: a state, not a failed read."""
        policy = bucket_policy(s3, name)
        acl = read("s3:GetBucketAcl", s3.get_bucket_acl, Bucket=name)
        block = bucket_public_access_block(s3, name)
        lifecycle = read(
            "s3:GetLifecycleConfiguration",
            s3.get_bucket_lifecycle_configuration,
            Bucket=name,
            absent=("NoSuchLifecycleConfiguration",),
        )
        return {
            "Policy": policy["Policy"] if policy else None,
            "Grants": acl["Grants"],
            "PublicAccessBlock": block["PublicAccessBlockConfiguration"] if block else None,
            "LifecycleRules": lifecycle["Rules"] if lifecycle else None,
        }
