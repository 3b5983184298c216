"""Sandbox data stores, encryption, network, monitoring and backup: Northwind's buckets, databases, keys, security
groups, GuardDuty and AWS Backup, with the CloudTrail events, AWS Config items and backup job reports behind them,
and one gap planted for each of these controls. Every planted gap ends before 2026-09-05.

moto draws resource ids at random; `seed` seeds its generator right before creating the two resources whose ids
name planted gaps (a KMS key, a security group), so those ids are the generator's first draws for that seed.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache

import boto3
from moto.moto_api._internal.moto_random import MotoRandom

from connectors.aws.s3 import drop_account_host_prefix
from socready_sandbox import moto_backup
from socready_sandbox.backup_reports import job_report_objects
from socready_sandbox.cloudtrail_files import cloudtrail_event
from socready_sandbox.company import ACCOUNTS, CONFIG_BUCKET, REGIONS
from socready_sandbox.config_files import config_item
from socready_sandbox.uploads import store_objects

PROD, STAGING, SECURITY = ACCOUNTS  # production, staging, security
HOME, EU = REGIONS
ADMIN = "alice"


def utc(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


CONFIG_BASELINE = utc(4, 20)  # Config's record of each resource before the window
GUARDRAILS_APPLIED = utc(4, 30, 12)  # account-level Block Public Access set in every account, the day before W
# The planted gaps: (start, end) in UTC.
TLS_DROPPED = (utc(6, 8, 14), utc(6, 15, 14))  # northwind-customer-data's policy lost its TLS-only statement
EBS_DEFAULT_OFF = (utc(5, 19, 8), utc(5, 23, 8))  # security account, eu-west-1
ROTATION_OFF = (utc(6, 22, 10), utc(8, 1, 10))  # the customer-data key, 40 days
BLOCK_DELETED = (utc(8, 17, 10), utc(8, 20, 10))  # staging's account-level Block Public Access
SSH_OPEN = (utc(7, 21, 13), utc(7, 23, 13))  # the bastion group, port 22 from 0.0.0.0/0
GUARDDUTY_OFF = (utc(8, 24, 9), utc(8, 27, 9))  # staging, us-east-1
RETENTION_CUT = (utc(8, 3, 9), utc(8, 9, 9))  # billing-db kept 1 day of backups
PROTECTION_OFF = (utc(7, 6, 15), utc(7, 11, 15))  # orders-db without deletion protection
SINGLE_AZ = (utc(5, 25, 6), utc(6, 2, 6))  # ledger-db single-AZ during a storage migration
# Clean history around them.
MIGRATION_BUCKET = (utc(7, 20, 14), utc(8, 10, 16))  # a bucket created and deleted inside the window
MISSED_BACKUP = date(2026, 6, 18)  # ledger-db's one failed backup job: within the 99 % allowance
REPORT_DAYS = (date(2026, 4, 30), date(2026, 11, 1))  # UTC days of backup job reports around the window

IDS_SEED = 20260601
BASTION_GROUP = f"sg-{MotoRandom(IDS_SEED).get_random_hex(17)}"
ROTATION_KEY = f"arn:aws:kms:{HOME}:{PROD}:key/{MotoRandom(IDS_SEED + 1).uuid4()}"
STAGING_DETECTOR = MotoRandom(IDS_SEED + 2).get_random_hex(32)

BLOCK_ALL = dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True)
REPORT_BUCKET, REPORT_PREFIX, REPORT_PLAN = "northwind-backup-reports", "audit", "daily_backup_jobs"
MIGRATION = "northwind-migration-tmp"


@dataclass(frozen=True)
class Bucket:
    name: str
    account: str
    region: str
    algorithm: str = "AES256"
    live_policy: bool = True  # False where the sandbox reads objects over plain HTTP, which moto's TLS deny refuses


@dataclass(frozen=True)
class Database:
    name: str
    account: str
    region: str
    production: bool = True
    multi_az: bool = True
    retention: int = 14
    protection: bool = True

    @property
    def arn(self) -> str:
        return f"arn:aws:rds:{self.region}:{self.account}:db:{self.name}"

    @property
    def environment(self) -> str:
        return "production" if self.production else "staging"

    def config_item(self, when: datetime, status: str = "OK", **changed) -> dict:
        """The whole instance as Config records it, with `changed` settings (DescribeDBInstances names)."""
        settings = {
            "StorageEncrypted": True,
            "BackupRetentionPeriod": self.retention,
            "DeletionProtection": self.protection,
            "MultiAZ": self.multi_az,
        }
        where = (self.name, self.account, self.region, when, status, self.environment)
        return database_config_item(*where, **settings | changed)


BUCKETS = (
    Bucket("northwind-customer-data", PROD, HOME, "aws:kms"),
    Bucket("northwind-app-assets", PROD, HOME),
    Bucket("northwind-eu-customer-data", PROD, EU, "aws:kms"),
    Bucket("northwind-staging-data", STAGING, HOME),
    Bucket("northwind-security-findings", SECURITY, HOME, "aws:kms"),
    Bucket(REPORT_BUCKET, PROD, HOME, live_policy=False),
    Bucket(CONFIG_BUCKET, PROD, HOME, live_policy=False),  # created by the base sandbox; Config records it
)
DATABASES = (
    Database("orders-db", PROD, HOME),
    Database("billing-db", PROD, HOME, retention=7),
    Database("ledger-db", PROD, HOME),
    Database("staging-db", STAGING, HOME, production=False, multi_az=False, retention=1, protection=False),
)
KEYS = (("eu-customer-data", PROD, EU), ("staging-data", STAGING, HOME), ("security-findings", SECURITY, HOME))

PLANTED = {
    ("ENG-ENC-01", "arn:aws:s3:::northwind-customer-data"),
    ("ENG-ENC-02", f"account/{SECURITY}/region/{EU}/ebs-default-encryption"),
    ("ENG-ENC-03", ROTATION_KEY),
    ("ENG-NET-01", f"account/{STAGING}"),
    ("ENG-NET-02", f"arn:aws:ec2:{HOME}:{PROD}:security-group/{BASTION_GROUP}"),
    ("ENG-MON-01", f"account/{STAGING}/region/{HOME}"),
    ("ENG-BCK-01", DATABASES[1].arn),
    ("ENG-BCK-02", DATABASES[0].arn),
    ("ENG-AVL-01", DATABASES[2].arn),
}


def tls_only_policy(bucket: str) -> str:
    """The bucket policy statement that makes a bucket TLS-only."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def partner_read_policy(bucket: str) -> dict:
    """The policy that replaced the TLS-only one for a week: a partner's read, and no TLS deny."""
    partner = {"AWS": "arn:aws:iam::444455556666:role/partner-reader"}
    statement = {
        "Effect": "Allow",
        "Principal": partner,
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    return {"Version": "2012-10-17", "Statement": [statement]}


def bucket_config_item(
    name: str, account: str, region: str, when: datetime, *, tls: bool = True, algorithm: str = "AES256", **item
) -> dict:
    """A bucket as AWS Config records it; `tls=False`: a policy without the TLS-only statement."""
    policy = tls_only_policy(name) if tls else json.dumps(partner_read_policy(name))
    supplementary = {
        "BucketPolicy": {"policyText": policy},
        "ServerSideEncryptionConfiguration": {
            "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": algorithm}}]
        },
    }
    return config_item("AWS::S3::Bucket", name, account, region, when, {"name": name}, supplementary, **item)


def database_config_item(
    name: str,
    account: str,
    region: str,
    when: datetime,
    status: str = "OK",
    environment: str = "production",
    tags: dict[str, str] | None = None,
    **settings,
) -> dict:
    """An RDS instance as AWS Config records it; `settings` in DescribeDBInstances names (Config uses camelCase).
    `tags` replaces the default `environment` tag."""
    tags = {"environment": environment} if tags is None else tags
    configuration = {
        "dBInstanceIdentifier": name,
        "dBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{name}",
        "tagList": [{"key": key, "value": value} for key, value in tags.items()],
        **{key[0].lower() + key[1:]: value for key, value in settings.items()},
    }
    return config_item(
        "AWS::RDS::DBInstance", f"db-{name.upper()}", account, region, when, configuration, status=status, name=name
    )


def group_config_item(group_id: str, account: str, region: str, when: datetime, *ingress: tuple[int, str], **item):
    """A security group as AWS Config records it, admitting TCP (port, CIDR) pairs."""
    permissions = [
        {"ipProtocol": "tcp", "fromPort": port, "toPort": port, "ipv4Ranges": [{"cidrIp": cidr}], "ipRanges": [cidr]}
        for port, cidr in ingress
    ]
    configuration = {"groupId": group_id, "groupName": group_id, "ipPermissions": permissions}
    return config_item("AWS::EC2::SecurityGroup", group_id, account, region, when, configuration, **item)


def ingress_event(name: str, when: datetime, group_id: str, port: int, cidr: str, account: str = PROD) -> dict:
    """Authorize/RevokeSecurityGroupIngress for one TCP port from one IPv4 or IPv6 CIDR, as CloudTrail records it."""
    field, key = ("ipv6Ranges", "cidrIpv6") if ":" in cidr else ("ipRanges", "cidrIp")
    rule = {"ipProtocol": "tcp", "fromPort": port, "toPort": port, field: {"items": [{key: cidr}]}}
    params = {"groupId": group_id, "ipPermissions": {"items": [rule]}}
    return cloudtrail_event(name, when, account, HOME, ADMIN, params, service="ec2")


def reseed_ids(endpoint: str, seed: int) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/seed?a={seed}", method="POST"))


def expect_id(made: str, planned: str) -> None:
    if made != planned:
        raise RuntimeError(f"moto gave id {made}, not {planned}: its id generator changed; update aws_data")


def seed(sessions: dict[str, boto3.Session], endpoint: str) -> None:
    moto_backup.install()

    @cache  # one client per account, service and region: making one costs more than the calls it makes here
    def client(account: str, service: str, region: str = HOME):
        return sessions[account].client(service, endpoint_url=endpoint, region_name=region)

    for account in ACCOUNTS:
        control = client(account, "s3control")
        control.meta.events.register("before-sign.s3-control.*", drop_account_host_prefix)
        control.put_public_access_block(AccountId=account, PublicAccessBlockConfiguration=BLOCK_ALL)
        for region in REGIONS:
            client(account, "ec2", region).enable_ebs_encryption_by_default()
            if (account, region) == (STAGING, HOME):
                reseed_ids(endpoint, IDS_SEED + 2)
            detector = client(account, "guardduty", region).create_detector(Enable=True)["DetectorId"]
            if (account, region) == (STAGING, HOME):
                expect_id(detector, STAGING_DETECTOR)
    for bucket in BUCKETS:
        if bucket.name == CONFIG_BUCKET:
            continue
        s3 = client(bucket.account, "s3", bucket.region)
        location = (
            {} if bucket.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": bucket.region}}
        )
        s3.create_bucket(Bucket=bucket.name, **location)
        if bucket.live_policy:
            s3.put_bucket_policy(Bucket=bucket.name, Policy=tls_only_policy(bucket.name))
        rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": bucket.algorithm}}
        s3.put_bucket_encryption(Bucket=bucket.name, ServerSideEncryptionConfiguration={"Rules": [rule]})
    reseed_ids(endpoint, IDS_SEED + 1)
    key = client(PROD, "kms").create_key(Description="customer-data")["KeyMetadata"]
    expect_id(key["Arn"], ROTATION_KEY)
    client(PROD, "kms").enable_key_rotation(KeyId=key["KeyId"])
    for name, account, region in KEYS:
        kms = client(account, "kms", region)
        kms.enable_key_rotation(KeyId=kms.create_key(Description=name)["KeyMetadata"]["KeyId"])
    reseed_ids(endpoint, IDS_SEED)
    ec2 = client(PROD, "ec2")
    group = ec2.create_security_group(GroupName="bastion", Description="bastion hosts")["GroupId"]
    expect_id(group, BASTION_GROUP)
    internal = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[internal])
    for db in DATABASES:
        client(db.account, "rds", db.region).create_db_instance(
            DBInstanceIdentifier=db.name,
            Engine="postgres",
            DBInstanceClass="db.m6g.large",
            AllocatedStorage=100,
            MasterUsername="northwind",
            MasterUserPassword="Sandbox-not-a-secret-1!",
            StorageEncrypted=True,
            BackupRetentionPeriod=db.retention,
            DeletionProtection=db.protection,
            MultiAZ=db.multi_az,
            Tags=[{"Key": "environment", "Value": db.environment}],
        )
    seed_backups(client(PROD, "backup"))


def backup_production(backup, account: str, vault: str, selection: str, bucket: str, prefix: str, report: str) -> dict:
    """A vault and a daily plan selecting resources tagged environment=production, and a report plan delivering
    backup job reports to `bucket`/`prefix`; returns the plan."""
    backup.create_backup_vault(BackupVaultName=vault)
    rule = {"RuleName": "daily", "TargetBackupVaultName": vault, "ScheduleExpression": "cron(0 5 * * ? *)"}
    plan = backup.create_backup_plan(BackupPlan={"BackupPlanName": "production-daily", "Rules": [rule]})
    tagged = {"ConditionType": "STRINGEQUALS", "ConditionKey": "environment", "ConditionValue": "production"}
    chosen = {"SelectionName": selection, "IamRoleArn": f"arn:aws:iam::{account}:role/backup", "ListOfTags": [tagged]}
    backup.create_backup_selection(BackupPlanId=plan["BackupPlanId"], BackupSelection=chosen)
    channel = {"S3BucketName": bucket, "S3KeyPrefix": prefix, "Formats": ["CSV"]}
    backup.create_report_plan(
        ReportPlanName=report, ReportDeliveryChannel=channel, ReportSetting={"ReportTemplate": "BACKUP_JOB_REPORT"}
    )
    return plan


def seed_backups(backup) -> None:
    """A daily plan selecting production databases by tag, and daily backup job reports delivered to S3."""
    where = ("northwind-vault", "production-databases", REPORT_BUCKET, REPORT_PREFIX, REPORT_PLAN)
    plan = backup_production(backup, PROD, *where)
    production = [db.arn for db in DATABASES if db.production and (db.account, db.region) == (PROD, HOME)]
    reports = job_report_objects(
        PROD,
        HOME,
        REPORT_PREFIX,
        REPORT_PLAN,
        *REPORT_DAYS,
        production,
        [(DATABASES[2].arn, MISSED_BACKUP)],
        plan["BackupPlanArn"],
    )
    store_objects(REPORT_BUCKET, reports)


def event(name: str, when: datetime, params: dict, service: str, account: str = PROD, region: str = HOME, **extra):
    return cloudtrail_event(name, when, account, region, ADMIN, params, service=service, **extra)


def modify_db(when: datetime, db: Database, **params) -> dict:
    return event("ModifyDBInstance", when, {"dBInstanceIdentifier": db.name, **params}, "rds")


def events() -> list[dict]:
    customer_data = "northwind-customer-data"
    tls = json.loads(tls_only_policy(customer_data))
    orders, billing, ledger = DATABASES[:3]
    found = [
        event(
            "PutBucketPolicy",
            TLS_DROPPED[0],
            {"bucketName": customer_data, "bucketPolicy": partner_read_policy(customer_data)},
            "s3",
        ),
        event("PutBucketPolicy", TLS_DROPPED[1], {"bucketName": customer_data, "bucketPolicy": tls}, "s3"),
        event("CreateBucket", MIGRATION_BUCKET[0], {"bucketName": MIGRATION}, "s3"),
        event(
            "PutBucketPolicy",
            MIGRATION_BUCKET[0] + timedelta(minutes=1),
            {"bucketName": MIGRATION, "bucketPolicy": json.loads(tls_only_policy(MIGRATION))},
            "s3",
        ),
        event("DeleteBucket", MIGRATION_BUCKET[1], {"bucketName": MIGRATION}, "s3"),
        event("DisableEbsEncryptionByDefault", EBS_DEFAULT_OFF[0], {}, "ec2", SECURITY, EU),
        event("EnableEbsEncryptionByDefault", EBS_DEFAULT_OFF[1], {}, "ec2", SECURITY, EU),
        event("DisableKeyRotation", ROTATION_OFF[0], {"keyId": ROTATION_KEY}, "kms"),
        event("EnableKeyRotation", ROTATION_OFF[1], {"keyId": ROTATION_KEY}, "kms"),
        event("DeleteAccountPublicAccessBlock", BLOCK_DELETED[0], {"AccountId": STAGING}, "s3", STAGING),
        ingress_event("AuthorizeSecurityGroupIngress", SSH_OPEN[0], BASTION_GROUP, 22, "0.0.0.0/0"),
        ingress_event("RevokeSecurityGroupIngress", SSH_OPEN[1], BASTION_GROUP, 22, "0.0.0.0/0"),
        event(
            "UpdateDetector", GUARDDUTY_OFF[0], {"detectorId": STAGING_DETECTOR, "enable": False}, "guardduty", STAGING
        ),
        event(
            "UpdateDetector", GUARDDUTY_OFF[1], {"detectorId": STAGING_DETECTOR, "enable": True}, "guardduty", STAGING
        ),
        modify_db(RETENTION_CUT[0], billing, backupRetentionPeriod=1, applyImmediately=True),
        modify_db(RETENTION_CUT[1], billing, backupRetentionPeriod=7, applyImmediately=True),
        modify_db(PROTECTION_OFF[0], orders, deletionProtection=False),
        modify_db(PROTECTION_OFF[1], orders, deletionProtection=True),
        # Requested the day before; applied in the next maintenance window, as Config shows.
        modify_db(SINGLE_AZ[0] - timedelta(days=1), ledger, multiAZ=False),
        modify_db(SINGLE_AZ[1] - timedelta(days=1), ledger, multiAZ=True),
    ]
    put_block = {"PublicAccessBlockConfiguration": BLOCK_ALL}
    found += [
        event("PutAccountPublicAccessBlock", GUARDRAILS_APPLIED, put_block, "s3", account) for account in ACCOUNTS
    ]
    found.append(event("PutAccountPublicAccessBlock", BLOCK_DELETED[1], put_block, "s3", STAGING))
    return found


def config_items() -> list[dict]:
    """What AWS Config recorded: a baseline before the window for every bucket, database and the bastion group,
    and the changes. None in staging's eu-west-1, whose recorder is stopped for two days in September."""
    found = [
        bucket_config_item(
            b.name, b.account, b.region, CONFIG_BASELINE, algorithm=b.algorithm, status="ResourceDiscovered"
        )
        for b in BUCKETS
    ]
    customer_data = BUCKETS[0]
    found += [
        bucket_config_item(customer_data.name, PROD, HOME, TLS_DROPPED[0], tls=False, algorithm="aws:kms"),
        bucket_config_item(customer_data.name, PROD, HOME, TLS_DROPPED[1], algorithm="aws:kms"),
        bucket_config_item(
            MIGRATION, PROD, HOME, MIGRATION_BUCKET[0] + timedelta(minutes=5), status="ResourceDiscovered"
        ),
        config_item("AWS::S3::Bucket", MIGRATION, PROD, HOME, MIGRATION_BUCKET[1], {}, status="ResourceDeleted"),
    ]
    found += [db.config_item(CONFIG_BASELINE, "ResourceDiscovered") for db in DATABASES]
    orders, billing, ledger = DATABASES[:3]
    found += [
        billing.config_item(RETENTION_CUT[0], BackupRetentionPeriod=1),
        billing.config_item(RETENTION_CUT[1]),
        orders.config_item(PROTECTION_OFF[0], DeletionProtection=False),
        orders.config_item(PROTECTION_OFF[1]),
        ledger.config_item(SINGLE_AZ[0], MultiAZ=False),
        ledger.config_item(SINGLE_AZ[1]),
    ]
    internal = (22, "10.0.0.0/8")
    found += [
        group_config_item(BASTION_GROUP, PROD, HOME, CONFIG_BASELINE, internal, status="ResourceDiscovered"),
        group_config_item(BASTION_GROUP, PROD, HOME, SSH_OPEN[0], internal, (22, "0.0.0.0/0")),
        group_config_item(BASTION_GROUP, PROD, HOME, SSH_OPEN[1], internal),
    ]
    return found
