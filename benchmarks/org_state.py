"""The AWS benchmark's generated organization: live resources on moto, and the Config history and CloudTrail log
files behind them.

Each account holds the same mix (users, buckets, security groups, keys, databases, log groups), created over HTTP
with the settings the controls want, so the current-state reads have real work to do. Config history gives every
resource its share of the Config items over the year, a few of them (one resource in a hundred) a deviation that
is put right a week later. CloudTrail has one log file per account, region and UTC day: reads every few minutes,
and mutations (~2 %) on the live resources.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import boto3

from connectors.aws.s3 import drop_account_host_prefix
from socready_sandbox.aws_data import (
    BLOCK_ALL,
    backup_production,
    bucket_config_item,
    database_config_item,
    group_config_item,
    tls_only_policy,
)
from socready_sandbox.backup_reports import job_report_objects
from socready_sandbox.cloudtrail_files import cloudtrail_event, log_file_objects
from socready_sandbox.config_files import config_item

REGIONS = ["us-east-1", "eu-west-1"]
HOME = REGIONS[0]
# One account's resources: 500, so 10 accounts make size S's 5,000.
MIX = {"users": 40, "buckets": 100, "groups": 120, "keys": 60, "databases": 10, "log_groups": 170}
TRAIL, RECORDER, VAULT, REPORT_PREFIX, REPORT_PLAN = "org-trail", "default", "bench-vault", "audit", "daily_jobs"
RETENTION_DAYS = 365
INTERNAL_HTTPS = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
STRONG_PASSWORDS = {
    "MinimumPasswordLength": 14,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "MaxPasswordAge": 90,
    "PasswordReusePrevention": 24,
}


@dataclass
class Account:
    """One generated account and the ids moto gave its resources, as (id, region)."""

    id: str
    users: list[str] = field(default_factory=list)
    buckets: list[tuple[str, str]] = field(default_factory=list)
    groups: list[tuple[str, str]] = field(default_factory=list)
    keys: list[tuple[str, str]] = field(default_factory=list)
    databases: list[tuple[str, str]] = field(default_factory=list)
    log_groups: list[tuple[str, str]] = field(default_factory=list)

    @property
    def resources(self) -> int:
        return sum(len(getattr(self, kind)) for kind in MIX)

    def report_bucket(self) -> str:
        return f"bench-backup-reports-{self.id}"


def mix(resources: int, accounts: int) -> dict[str, int]:
    """Each kind's count per account for `resources` in all, in MIX's proportions (at least one of each)."""
    share = resources / (accounts * sum(MIX.values()))
    return {kind: max(1, round(count * share)) for kind, count in MIX.items()}


def create_account(session: boto3.Session, endpoint: str, account: str, counts: dict[str, int], logs: str) -> Account:
    """Account-wide settings, a trail, a Config recorder, GuardDuty and EBS default encryption per region, and the
    account's share of resources, all compliant now."""
    made = Account(account)

    def client(service: str, region: str = HOME):
        return session.client(service, endpoint_url=endpoint, region_name=region)

    iam = client("iam")
    iam.update_account_password_policy(**STRONG_PASSWORDS)
    control = client("s3control")
    control.meta.events.register("before-sign.s3-control.*", drop_account_host_prefix)
    control.put_public_access_block(AccountId=account, PublicAccessBlockConfiguration=BLOCK_ALL)
    trail = client("cloudtrail")
    trail.create_trail(Name=TRAIL, S3BucketName=logs, IsMultiRegionTrail=True, EnableLogFileValidation=True)
    trail.start_logging(Name=TRAIL)
    for region in REGIONS:
        config = client("config", region)
        role = f"arn:aws:iam::{account}:role/aws-config"
        recorder = {"name": RECORDER, "roleARN": role, "recordingGroup": {"allSupported": True}}
        config.put_configuration_recorder(ConfigurationRecorder=recorder)
        config.put_delivery_channel(DeliveryChannel={"name": RECORDER, "s3BucketName": logs})
        config.start_configuration_recorder(ConfigurationRecorderName=RECORDER)
        client("guardduty", region).create_detector(Enable=True)
        client("ec2", region).enable_ebs_encryption_by_default()
    for n in range(counts["users"]):
        name = f"engineer-{n:03d}"
        iam.create_user(UserName=name)
        iam.create_login_profile(UserName=name, Password="Benchmark-not-a-secret-1!")
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
        codes = {"AuthenticationCode1": "123456", "AuthenticationCode2": "654321"}
        iam.enable_mfa_device(UserName=name, SerialNumber=serial, **codes)
        made.users.append(name)
    for n in range(counts["buckets"]):
        region = REGIONS[n % len(REGIONS)]
        name = f"bench-{account}-{n:04d}"
        regional = client("s3", region)
        location = {} if region == HOME else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        regional.create_bucket(Bucket=name, **location)
        rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
        regional.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [rule]})
        regional.put_bucket_policy(Bucket=name, Policy=tls_only_policy(name))
        regional.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=BLOCK_ALL)
        regional.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        made.buckets.append((name, region))
    for n in range(counts["groups"]):
        region = REGIONS[n % len(REGIONS)]
        ec2 = client("ec2", region)
        group = ec2.create_security_group(GroupName=f"service-{n:04d}", Description="service")["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[INTERNAL_HTTPS])
        made.groups.append((group, region))
    for n in range(counts["keys"]):
        region = REGIONS[n % len(REGIONS)]
        kms = client("kms", region)
        key = kms.create_key(Description=f"data-{n}")["KeyMetadata"]
        kms.enable_key_rotation(KeyId=key["KeyId"])
        made.keys.append((key["Arn"], region))
    for n in range(counts["databases"]):
        region = REGIONS[n % len(REGIONS)]
        name = f"db-{n:03d}"
        client("rds", region).create_db_instance(
            DBInstanceIdentifier=name,
            Engine="postgres",
            DBInstanceClass="db.m6g.large",
            AllocatedStorage=100,
            MasterUsername="bench",
            MasterUserPassword="Benchmark-not-a-secret-1!",
            StorageEncrypted=True,
            BackupRetentionPeriod=14,
            DeletionProtection=True,
            MultiAZ=True,
            Tags=[{"Key": "environment", "Value": "production"}],
        )
        made.databases.append((name, region))
    for n in range(counts["log_groups"]):
        region = REGIONS[n % len(REGIONS)]
        logs_client = client("logs", region)
        name = f"/bench/service-{n:04d}"
        logs_client.create_log_group(logGroupName=name)
        logs_client.put_retention_policy(logGroupName=name, retentionInDays=RETENTION_DAYS)
        made.log_groups.append((name, region))
    create_backups(made, client)
    return made


def create_backups(account: Account, client) -> None:
    """Per region with databases: a daily plan selecting production by tag, and a report plan delivering job
    reports to the account's report bucket (the reports themselves are generated, see `backup_reports`)."""
    client("s3").create_bucket(Bucket=account.report_bucket())
    for region in sorted({r for _, r in account.databases}):
        where = (VAULT, "production", account.report_bucket(), REPORT_PREFIX, REPORT_PLAN)
        backup_production(client("backup", region), account.id, *where)


def create_organization(sessions: dict[str, boto3.Session], endpoint: str, counts: dict[str, int], logs: str):
    """Every account in parallel (moto answers in threads); returns the accounts in order."""
    with ThreadPoolExecutor(len(sessions)) as pool:
        futures = [pool.submit(create_account, s, endpoint, a, counts, logs) for a, s in sessions.items()]
        return [f.result() for f in futures]


def arn_of_database(account: str, name: str, region: str) -> str:
    return f"arn:aws:rds:{region}:{account}:db:{name}"


def job_reports(account: Account, first: date, last: date) -> Iterator[tuple[str, bytes]]:
    for region in sorted({r for _, r in account.databases}):
        arns = [arn_of_database(account.id, n, r) for n, r in account.databases if r == region]
        yield from job_report_objects(account.id, region, REPORT_PREFIX, REPORT_PLAN, first, last, arns)


def config_items(accounts: list[Account], per_resource: int, days: list[date], rng: random.Random) -> Iterator[dict]:
    """Each resource discovered before the window, then changed `per_resource - 1` times over the year; one in a
    hundred has one deviation, put right a week later. Each kind as AWS Config records it."""
    before = datetime.combine(days[0], time(0), UTC) - timedelta(days=20)
    for account in accounts:
        for kind, names in (
            ("bucket", account.buckets),
            ("group", account.groups),
            ("database", account.databases),
            ("log_group", account.log_groups),
            ("key", account.keys),
            ("user", [(u, HOME) for u in account.users]),
        ):
            for name, region in names:
                times = sorted(
                    datetime.combine(rng.choice(days), time(0), UTC) + timedelta(seconds=rng.randrange(86400))
                    for _ in range(per_resource - 1)
                )
                deviates = rng.random() < 0.01 and times
                yield ITEM[kind](name, account.id, region, before, True, "ResourceDiscovered")
                for n, when in enumerate(times):
                    yield ITEM[kind](name, account.id, region, when, not (deviates and n == 0), "OK")
                if deviates:
                    yield ITEM[kind](name, account.id, region, times[0] + timedelta(days=7), True, "OK")


def _bucket(name, account, region, when, good, status):
    return bucket_config_item(name, account, region, when, tls=good, status=status)


def _group(group, account, region, when, good, status):
    opened = (443, "10.0.0.0/8") if good else (22, "0.0.0.0/0")
    return group_config_item(group, account, region, when, opened, status=status)


def _database(name, account, region, when, good, status):
    settings = {"StorageEncrypted": True, "BackupRetentionPeriod": 14, "DeletionProtection": True, "MultiAZ": good}
    return database_config_item(name, account, region, when, status, **settings)


def _log_group(name, account, region, when, good, status):
    configuration = {"logGroupName": name, "retentionInDays": RETENTION_DAYS if good else 1}
    return config_item("AWS::Logs::LogGroup", name, account, region, when, configuration, status=status)


def _key(arn, account, region, when, good, status):
    key_id = arn.rsplit("/", 1)[1]
    configuration = {"keyId": key_id, "arn": arn, "keyManager": "CUSTOMER", "keyState": "Enabled"}
    return config_item("AWS::KMS::Key", key_id, account, region, when, configuration, status=status)


def _user(name, account, region, when, good, status):
    admin = [] if good else [{"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]
    configuration = {"userName": name, "attachedManagedPolicies": admin, "userPolicyList": []}
    return config_item("AWS::IAM::User", name, account, region, when, configuration, status=status, name=name)


ITEM = {"bucket": _bucket, "group": _group, "database": _database, "log_group": _log_group, "key": _key, "user": _user}


HTTPS_RULES = {
    "items": [{"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}}]
}
SSE_S3 = {"Rule": {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}}
# Changes that keep the live resources as they are: (event, service, resources, request parameters). Not
# EnableKeyRotation: it says rotation was off before, which these keys never were.
CHANGES = (
    ("AuthorizeSecurityGroupIngress", "ec2", "groups", lambda g: {"groupId": g, "ipPermissions": HTTPS_RULES}),
    ("PutBucketEncryption", "s3", "buckets", lambda b: {"bucketName": b, "ServerSideEncryptionConfiguration": SSE_S3}),
    ("PutRetentionPolicy", "logs", "log_groups", lambda g: {"logGroupName": g, "retentionInDays": RETENTION_DAYS}),
    ("TagResource", "kms", "keys", lambda k: {"keyId": k, "tags": [{"tagKey": "team", "tagValue": "data"}]}),
)


def mutations(account: Account, day: date, count: int, rng: random.Random) -> Iterator[dict]:
    midnight = datetime.combine(day, time(0), UTC)
    for n in range(count):
        name, service, kind, parameters = CHANGES[n % len(CHANGES)]
        if resources := getattr(account, kind):
            resource, region = rng.choice(resources)
            when, actor = midnight + timedelta(seconds=rng.randrange(86400)), f"engineer-{n % 40:03d}"
            yield cloudtrail_event(name, when, account.id, region, actor, parameters(resource), service=service)


def log_files(accounts: list[Account], days: list[date], per_hour: int, rng: random.Random):
    """Reads every 60/per_hour minutes per account and region, and ~2 % mutations, in one file per UTC day."""
    per_day = max(1, per_hour * 24 * len(REGIONS) // 50)
    changes = [event for account in accounts for day in days for event in mutations(account, day, per_day, rng)]
    return log_file_objects([a.id for a in accounts], REGIONS, days[0], days[-1], changes, per_hour=per_hour)
