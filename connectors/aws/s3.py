"""S3 evidence: every bucket's encryption, policy, versioning and public access block; the account-level block."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from connectors.aws.reads import read
from connectors.aws.snapshot import ClientFor, Snapshot

VERSION = "1.0.0"
AWS_HOSTS = (".amazonaws.com", ".amazonaws.com.cn")


def bucket_region(location: str | None) -> str:
    """GetBucketLocation answers None for us-east-1 and the legacy "EU" for eu-west-1."""
    return {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(location, location)


def bucket_policy(s3, name: str) -> dict | None:
    """The bucket's policy; None when it has none (a state, not a failed read)."""
    return read("s3:GetBucketPolicy", s3.get_bucket_policy, Bucket=name, absent=("NoSuchBucketPolicy",))


def bucket_public_access_block(s3, name: str) -> dict | None:
    """The bucket's public access block; None when it has none."""
    return read(
        "s3:GetBucketPublicAccessBlock",
        s3.get_public_access_block,
        Bucket=name,
        absent=("NoSuchPublicAccessBlockConfiguration",),
    )


class BucketsCollector(Snapshot):
    """Per account (S3 lists every bucket from any region): each bucket's configuration as S3 reports it."""

    source = "aws.s3.buckets"
    version = VERSION
    regional = False
    permissions = (
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation",
        "s3:GetEncryptionConfiguration",
        "s3:GetBucketPolicy",
        "s3:GetBucketVersioning",
        "s3:GetBucketPublicAccessBlock",
    )

    def snapshot(self, client: ClientFor, account: str, region: str) -> dict:
        s3 = client("s3")
        buckets = []
        for bucket in read("s3:ListAllMyBuckets", s3.list_buckets)["Buckets"]:
            name = bucket["Name"]
            # ListBuckets names each bucket's region (since 2024); older endpoints and stand-ins need the call.
            region = bucket.get("BucketRegion") or bucket_region(
                read("s3:GetBucketLocation", s3.get_bucket_location, Bucket=name).get("LocationConstraint")
            )
            encryption = read(
                "s3:GetEncryptionConfiguration",
                s3.get_bucket_encryption,
                Bucket=name,
                absent=("ServerSideEncryptionConfigurationNotFoundError",),
            )
            policy = bucket_policy(s3, name)
            versioning = read("s3:GetBucketVersioning", s3.get_bucket_versioning, Bucket=name)
            block = bucket_public_access_block(s3, name)
            buckets.append(
                {
                    "Name": name,
                    "CreationDate": bucket.get("CreationDate"),
                    "Region": region,
                    # None: no configuration returned (S3 has applied SSE-S3 to every bucket since January 2023)
                    "EncryptionRules": encryption["ServerSideEncryptionConfiguration"]["Rules"] if encryption else None,
                    "Policy": policy["Policy"] if policy else None,
                    "Versioning": versioning.get("Status"),
                    "PublicAccessBlock": block["PublicAccessBlockConfiguration"] if block else None,
                }
            )
        return {"buckets": buckets}


def drop_account_host_prefix(request, **_) -> None:
    """`<account>.<endpoint host>` -> `<endpoint host>` (botocore prefixes the account id to the host)."""
    parts = urlsplit(request.url)
    request.url = urlunsplit(parts._replace(netloc=parts.netloc.split(".", 1)[1]))


class AccountPublicAccessBlockCollector(Snapshot):
    """Per account: the account-level S3 Block Public Access settings (S3 Control API)."""

    source = "aws.s3.account_public_access_block"
    version = VERSION
    regional = False
    permissions = ("s3:GetAccountPublicAccessBlock",)

    def snapshot(self, client: ClientFor, account: str, region: str) -> dict:
        control = client("s3control")
        host = urlsplit(control.meta.endpoint_url).hostname or ""
        if not host.endswith(AWS_HOSTS):
            # S3 Control addresses each account as a host name (<account>.s3-control.<region>.amazonaws.com);
            # a non-AWS endpoint set by scope.aws.endpoint_url (moto, a local proxy) serves one host only, so
            # the prefix must go. AWS hosts, VPC endpoints included, need it: they keep it.
            control.meta.events.register(
                "before-sign.s3-control.*", drop_account_host_prefix, unique_id="socready-drop-account-prefix"
            )
        found = read(
            "s3:GetAccountPublicAccessBlock",
            control.get_public_access_block,
            AccountId=account,
            absent=("NoSuchPublicAccessBlockConfiguration",),
        )
        return {"configuration": found["PublicAccessBlockConfiguration"] if found else None}
