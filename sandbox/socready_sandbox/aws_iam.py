"""Sandbox IAM and logging: users, root, password policies, trail validation, log retention and the log bucket,
with the CloudTrail events and AWS Config items behind them, and the gaps planted in them.

`seed` must run before `events`: the events name the access keys AWS (moto) created. Every planted gap ends
before 2026-09-05, when the sandbox's latest gap (the staging Config recorder) ends.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import boto3

from socready_sandbox.aws_data import tls_only_policy
from socready_sandbox.cloudtrail_files import cloudtrail_event
from socready_sandbox.company import ACCOUNTS, IAM_ACCOUNT, LOG_BUCKET, PEOPLE, REGIONS, TIMEZONE, TRAIL
from socready_sandbox.config_files import config_item

GLOBAL_EVENTS_REGION = "us-east-1"  # IAM and sign-in events are recorded in us-east-1
PROD = IAM_ACCOUNT
STAGING = next(account for account, name in ACCOUNTS.items() if name == "staging")
HOME = REGIONS[0]
LOG_GROUP = f"/aws/cloudtrail/{TRAIL}"
LOG_GROUP_RETENTION = 400
FIRST_LOG_DAY, LAST_LOG_DAY = date(2026, 4, 30), date(2026, 10, 31)  # the logs' lookback day to the window's end
BASELINE_PASSWORD_POLICY = {
    "MinimumPasswordLength": 14,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "AllowUsersToChangePassword": True,
    "MaxPasswordAge": 90,
    "PasswordReusePrevention": 24,
}
WEAK_PASSWORD_POLICY = {**BASELINE_PASSWORD_POLICY, "MinimumPasswordLength": 8, "RequireSymbols": False}
FULL_ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
DEVELOPER = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["ec2:Describe*", "logs:Get*", "s3:List*"], "Resource": "*"}],
}
DEPLOY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["ecr:*", "ecs:UpdateService"], "Resource": "*"}],
}
BLOCK_ALL = dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True)
LIFECYCLE = {
    "ID": "archive-then-expire",
    "Status": "Enabled",
    "Filter": {"Prefix": "AWSLogs/"},
    "Transitions": [{"Days": 90, "StorageClass": "GLACIER"}],
    "Expiration": {"Days": 2555},
}


def utc(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


# When each planted gap starts and ends.
ROOT_SIGNINS = (utc(6, 10, 13, 55), utc(6, 12, 9, 55))
ROOT_KEY = (utc(6, 10, 14), utc(6, 12, 10))  # a root access key existed in staging
MFA_OFF = (utc(6, 15, 14), utc(6, 18, 14))  # bilal without MFA; he signs in without it on 6/16 and 6/17
WEAK_POLICY = (utc(7, 1, 15), utc(7, 8, 15))
KEY_CREATED, KEY_ROTATED = utc(5, 4, 14, 5), utc(8, 12, 10)  # ci-deploy's first key: > 90 days old from 8/2
ADMIN_INLINE = (utc(6, 1, 15), utc(6, 3, 9))  # a full-admin inline policy on ci-deploy
HECTOR_LAST_SIGNIN, HECTOR_PASSWORD_REMOVED = date(2026, 5, 4), utc(8, 10, 15)  # unused beyond 90 days from 8/2
VALIDATION_OFF = (utc(8, 3, 13), utc(8, 5, 13))
SHORT_RETENTION = (utc(6, 22, 15), utc(6, 26, 15))
PUBLIC_BUCKET = (utc(9, 1, 13, 5), utc(9, 2, 10))
CONFIG_BASELINE = utc(4, 20)  # Config's record of each resource before the window (inside its 31-day lookback)

PLANTED = {
    ("ENG-ACC-03", "employee/E1004"),
    ("ENG-IAM-01", f"account/{STAGING}/root"),
    ("ENG-IAM-02", f"account/{PROD}/user/bilal"),
    *(("ENG-IAM-03", f"account/{STAGING}/root/{t:%Y-%m-%dT%H:%M:%SZ}") for t in (*ROOT_SIGNINS, *ROOT_KEY)),
    ("ENG-IAM-04", f"account/{PROD}"),
    ("ENG-IAM-05", f"account/{PROD}/user/ci-deploy"),
    ("ENG-IAM-06", f"account/{PROD}/user/hector"),
    ("ENG-IAM-07", f"account/{PROD}/user/ci-deploy"),
    ("ENG-LOG-02", f"account/{PROD}/trail/{TRAIL}"),
    ("ENG-LOG-03", f"account/{PROD}/region/{HOME}/log-group/{LOG_GROUP}"),
    ("ENG-LOG-04", f"account/{PROD}/bucket/{LOG_BUCKET}"),
}

# Set by `seed`: the ids AWS gave ci-deploy's first and second access keys.
KEYS: dict[str, str] = {}


def iam_event(
    name: str,
    when: datetime,
    account: str,
    actor: str,
    parameters: dict | None = None,
    *,
    region: str = GLOBAL_EVENTS_REGION,
    service: str | None = None,
    identity_type: str = "IAMUser",
    details: dict | None = None,
    response: dict | None = None,
    access_key: str | None = None,
) -> dict:
    """A CloudTrail record as IAM, S3 or CloudWatch Logs write it: `response` is its responseElements and
    `access_key` the long-term key that signed the call."""
    record = cloudtrail_event(
        name, when, account, region, actor, parameters, service=service, identity_type=identity_type, details=details
    )
    record["responseElements"] = response
    if access_key:
        record["userIdentity"]["accessKeyId"] = access_key
    return record


def console_login(when: datetime, account: str, user: str, *, mfa: bool = True, root: bool = False) -> dict:
    """A successful console sign-in; the root user's has no user name."""
    return iam_event(
        "ConsoleLogin",
        when,
        account,
        "root" if root else user,
        service="signin",
        identity_type="Root" if root else "IAMUser",
        details={"MFAUsed": "Yes" if mfa else "No", "LoginTo": "https://console.aws.amazon.com/"},
        response={"ConsoleLogin": "Success"},
    )


def create_key_event(when: datetime, account: str, actor: str, user: str | None, key_id: str, **kwargs) -> dict:
    """CreateAccessKey with the new key in its response (no userName: the caller's own key, e.g. root's)."""
    key = {"accessKeyId": key_id, "status": "Active", "userName": user or actor, "createDate": when.isoformat()}
    return iam_event(
        "CreateAccessKey",
        when,
        account,
        actor,
        {"userName": user} if user else None,
        response={"accessKey": key},
        **kwargs,
    )


def request_fields(settings: dict) -> dict:
    """API field names as CloudTrail logs request parameters (camelCase)."""
    return {key[0].lower() + key[1:]: value for key, value in settings.items()}


def url_encoded(policy: dict) -> str:
    """IAM's and Config's form of a policy document."""
    return quote(json.dumps(policy))


def log_bucket_policy(public: bool = False, tls_only: bool = True) -> dict:
    """CloudTrail's delivery statements and TLS-only; `public` adds a read for everyone (the planted gap)."""
    arn = f"arn:aws:s3:::{LOG_BUCKET}"
    trails = [f"arn:aws:cloudtrail:{HOME}:{account}:trail/{TRAIL}" for account in ACCOUNTS]
    statements = [
        {
            "Sid": "AWSCloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": arn,
            "Condition": {"StringEquals": {"aws:SourceArn": trails}},
        },
        {
            "Sid": "AWSCloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{arn}/AWSLogs/*",
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trails}},
        },
        *(json.loads(tls_only_policy(LOG_BUCKET))["Statement"] if tls_only else []),
    ]
    if public:
        statements.append(
            {
                "Sid": "TemporaryShare",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"{arn}/*",
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def enable_root_mfa(account: str) -> None:
    """moto keeps root MFA in the account summary but has no call to turn it on (in AWS only the root user can,
    from the console), so the in-process server's account summary is set as AWS reports an account with it."""
    from moto.iam.models import iam_backends

    iam_backends[account]["aws"].account_summary._account_mfa_enabled = 1


def seed(sessions: dict[str, boto3.Session], endpoint: str) -> None:
    # Fixed ids from here on: moto draws access-key ids at random.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/seed?a=20260501", method="POST"))
    iam = sessions[PROD].client("iam", endpoint_url=endpoint)
    developer = iam.create_policy(PolicyName="developer-access", PolicyDocument=json.dumps(DEVELOPER))["Policy"]["Arn"]
    for user in [p.iam_user for p in PEOPLE if p.iam_user] + ["hector"]:
        iam.create_user(UserName=user)
        iam.create_login_profile(UserName=user, Password="Sandbox-not-a-secret-1!")
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=user)["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(
            UserName=user, SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
        )
        iam.attach_user_policy(UserName=user, PolicyArn=developer)
    for user in [p.iam_user for p in PEOPLE if p.iam_user and p.termination_date] + ["hector"]:
        iam.delete_login_profile(UserName=user)
    iam.create_user(UserName="ci-deploy")
    deploy = iam.create_policy(PolicyName="deploy-ecr", PolicyDocument=json.dumps(DEPLOY))["Policy"]["Arn"]
    iam.attach_user_policy(UserName="ci-deploy", PolicyArn=deploy)
    for name in ("first", "second"):
        KEYS[name] = iam.create_access_key(UserName="ci-deploy")["AccessKey"]["AccessKeyId"]
    iam.delete_access_key(UserName="ci-deploy", AccessKeyId=KEYS["first"])
    for account, session in sessions.items():
        session.client("iam", endpoint_url=endpoint).update_account_password_policy(**BASELINE_PASSWORD_POLICY)
        enable_root_mfa(account)
        logs = session.client("logs", endpoint_url=endpoint, region_name=HOME)
        logs.create_log_group(logGroupName=LOG_GROUP)
        logs.put_retention_policy(logGroupName=LOG_GROUP, retentionInDays=LOG_GROUP_RETENTION)
    s3 = sessions[PROD].client("s3", endpoint_url=endpoint)
    # moto enforces the TLS-only statement, and the sandbox speaks plain HTTP to it: the live policy goes without.
    s3.put_bucket_policy(Bucket=LOG_BUCKET, Policy=json.dumps(log_bucket_policy(tls_only=False)))
    s3.put_public_access_block(Bucket=LOG_BUCKET, PublicAccessBlockConfiguration=BLOCK_ALL)
    s3.put_bucket_lifecycle_configuration(Bucket=LOG_BUCKET, LifecycleConfiguration={"Rules": [LIFECYCLE]})


def workdays(first: date, last: date) -> list[date]:
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [day for day in days if day.weekday() < 5]


def sign_ins() -> list[dict]:
    """Each user with a console password signs in with MFA at 13:00 UTC on workdays while employed; bilal signs in
    without MFA while his device is off."""
    found = []
    employed = {p.iam_user: (max(p.start_date, FIRST_LOG_DAY), p.termination_date or LAST_LOG_DAY) for p in PEOPLE}
    employed["hector"] = (FIRST_LOG_DAY, HECTOR_LAST_SIGNIN)
    for user, (first, last) in employed.items():
        if not user:
            continue
        for day in workdays(first, last):
            when = datetime.combine(day, time(13), UTC)
            without_mfa = user == "bilal" and MFA_OFF[0] < when < MFA_OFF[1]
            found.append(console_login(when, PROD, user, mfa=not without_mfa))
    return found


def planted_events() -> list[dict]:
    """The changes behind the planted gaps, and the clean changes around them."""
    bucket = {"bucketName": LOG_BUCKET}
    trail = {"name": f"arn:aws:cloudtrail:{HOME}:{PROD}:trail/{TRAIL}"}
    group = {"logGroupName": LOG_GROUP}
    deploy_arn = f"arn:aws:iam::{PROD}:policy/deploy-ecr"
    root = {"identity_type": "Root"}
    return [
        # The security team applied the password baseline the day before the window; it was weakened for a week.
        iam_event(
            "UpdateAccountPasswordPolicy", utc(4, 30, 16), PROD, "alice", request_fields(BASELINE_PASSWORD_POLICY)
        ),
        iam_event("UpdateAccountPasswordPolicy", WEAK_POLICY[0], PROD, "bilal", request_fields(WEAK_PASSWORD_POLICY)),
        iam_event(
            "UpdateAccountPasswordPolicy", WEAK_POLICY[1], PROD, "alice", request_fields(BASELINE_PASSWORD_POLICY)
        ),
        iam_event("DeactivateMFADevice", MFA_OFF[0], PROD, "bilal", {"userName": "bilal"}),
        iam_event("EnableMFADevice", MFA_OFF[1], PROD, "bilal", {"userName": "bilal"}),
        console_login(ROOT_SIGNINS[0], STAGING, "", root=True),
        create_key_event(ROOT_KEY[0], STAGING, "root", None, "AKIAROOTSANDBOXKEY01", **root),
        console_login(ROOT_SIGNINS[1], STAGING, "", root=True),
        iam_event("DeleteAccessKey", ROOT_KEY[1], STAGING, "root", {"accessKeyId": "AKIAROOTSANDBOXKEY01"}, **root),
        iam_event("DeleteLoginProfile", HECTOR_PASSWORD_REMOVED, PROD, "it-ops", {"userName": "hector"}),
        # farid joins: a console password, then MFA within the grace period (his first sign-in enrols it).
        iam_event("CreateUser", utc(7, 6, 12), PROD, "it-ops", {"userName": "farid"}),
        iam_event("CreateLoginProfile", utc(7, 6, 12, 1), PROD, "it-ops", {"userName": "farid"}),
        iam_event(
            "AttachUserPolicy",
            utc(7, 6, 12, 2),
            PROD,
            "it-ops",
            {"userName": "farid", "policyArn": f"arn:aws:iam::{PROD}:policy/developer-access"},
        ),
        iam_event("EnableMFADevice", utc(7, 6, 12, 30), PROD, "farid", {"userName": "farid"}),
        # ci-deploy: created with one key, given full admin for two days, its key rotated late.
        iam_event("CreateUser", utc(5, 4, 14), PROD, "alice", {"userName": "ci-deploy"}),
        iam_event(
            "CreatePolicy",
            utc(5, 4, 14, 1),
            PROD,
            "alice",
            {"policyName": "deploy-ecr", "policyDocument": json.dumps(DEPLOY)},
            response={"policy": {"arn": deploy_arn, "defaultVersionId": "v1"}},
        ),
        iam_event(
            "AttachUserPolicy", utc(5, 4, 14, 2), PROD, "alice", {"userName": "ci-deploy", "policyArn": deploy_arn}
        ),
        create_key_event(KEY_CREATED, PROD, "alice", "ci-deploy", KEYS["first"]),
        iam_event(
            "PutUserPolicy",
            ADMIN_INLINE[0],
            PROD,
            "alice",
            {"userName": "ci-deploy", "policyName": "break-fix", "policyDocument": json.dumps(FULL_ADMIN)},
        ),
        iam_event(
            "DeleteUserPolicy", ADMIN_INLINE[1], PROD, "alice", {"userName": "ci-deploy", "policyName": "break-fix"}
        ),
        create_key_event(KEY_ROTATED, PROD, "alice", "ci-deploy", KEYS["second"]),
        iam_event(
            "DeleteAccessKey",
            KEY_ROTATED + timedelta(minutes=30),
            PROD,
            "alice",
            {"userName": "ci-deploy", "accessKeyId": KEYS["first"]},
        ),
        iam_event("UpdateTrail", VALIDATION_OFF[0], PROD, "mallory", {**trail, "enableLogFileValidation": False}),
        iam_event("UpdateTrail", VALIDATION_OFF[1], PROD, "alice", {**trail, "enableLogFileValidation": True}),
        iam_event(
            "PutRetentionPolicy", SHORT_RETENTION[0], PROD, "mallory", {**group, "retentionInDays": 30}, service="logs"
        ),
        iam_event(
            "PutRetentionPolicy",
            SHORT_RETENTION[1],
            PROD,
            "alice",
            {**group, "retentionInDays": LOG_GROUP_RETENTION},
            service="logs",
        ),
        iam_event(
            "DeleteBucketPublicAccessBlock",
            PUBLIC_BUCKET[0] - timedelta(minutes=5),
            PROD,
            "mallory",
            bucket,
            service="s3",
        ),
        iam_event(
            "PutBucketPolicy",
            PUBLIC_BUCKET[0],
            PROD,
            "mallory",
            {**bucket, "bucketPolicy": log_bucket_policy(public=True)},
            service="s3",
        ),
        iam_event(
            "PutBucketPolicy",
            PUBLIC_BUCKET[1],
            PROD,
            "alice",
            {**bucket, "bucketPolicy": log_bucket_policy()},
            service="s3",
        ),
        iam_event(
            "PutBucketPublicAccessBlock",
            PUBLIC_BUCKET[1] + timedelta(minutes=5),
            PROD,
            "alice",
            {**bucket, "PublicAccessBlockConfiguration": BLOCK_ALL},
            service="s3",
        ),
    ]


def key_uses() -> list[dict]:
    """ci-deploy pulls its image every Monday at 03:00 UTC with its current key (a read, signed with the key)."""
    mondays = [day for day in workdays(date(2026, 5, 5), LAST_LOG_DAY) if day.weekday() == 0]
    return [
        iam_event(
            "GetAuthorizationToken",
            datetime.combine(day, time(3), UTC),
            PROD,
            "ci-deploy",
            service="ecr",
            access_key=KEYS["first" if datetime.combine(day, time(3), UTC) < KEY_ROTATED else "second"],
        )
        for day in mondays
    ]


def leavers() -> list[dict]:
    found = []
    tz = ZoneInfo(TIMEZONE)
    for person in PEOPLE:
        if person.termination_date and person.iam_user and person.removed_after_hours is not None:
            last_day_end = datetime.combine(person.termination_date + timedelta(days=1), time(0), tz)
            when = last_day_end + timedelta(hours=person.removed_after_hours)
            params = {"userName": person.iam_user}
            found.append(cloudtrail_event("DeleteLoginProfile", when, IAM_ACCOUNT, REGIONS[0], "it-ops", params))
    return found


def events() -> list[dict]:
    if not KEYS:
        raise RuntimeError("aws_iam.seed must run before aws_iam.events: the events name the keys AWS created")
    return [*leavers(), *sign_ins(), *planted_events(), *key_uses()]


def bucket_item(when: datetime, *, public: bool = False, blocked: bool = True) -> dict:
    """The log bucket as AWS Config records it (supplementary fields as JSON text, as Config writes them)."""
    acl = {
        "grantList": [{"grantee": {"id": "owner-canonical-id"}, "permission": "FullControl"}],
        "owner": {"id": "owner-canonical-id"},
    }
    supplementary = {
        "BucketPolicy": {"policyText": json.dumps(log_bucket_policy(public))},
        "AccessControlList": json.dumps(json.dumps(acl)),
        "BucketLifecycleConfiguration": {
            "rules": [
                {
                    "id": LIFECYCLE["ID"],
                    "status": "Enabled",
                    "filter": {"predicate": {"type": "LifecyclePrefixPredicate", "prefix": "AWSLogs/"}},
                    "expirationInDays": 2555,
                }
            ]
        },
        "ServerSideEncryptionConfiguration": {
            "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
        },
    }
    if blocked:
        supplementary["PublicAccessBlockConfiguration"] = json.dumps(
            {k[0].lower() + k[1:]: v for k, v in BLOCK_ALL.items()}
        )
    return config_item("AWS::S3::Bucket", LOG_BUCKET, PROD, HOME, when, {"name": LOG_BUCKET}, supplementary)


def user_item(when: datetime, *, inline: bool = False, attached: bool = True, status: str = "OK") -> dict:
    configuration = {
        "userName": "ci-deploy",
        "attachedManagedPolicies": [{"policyName": "deploy-ecr", "policyArn": f"arn:aws:iam::{PROD}:policy/deploy-ecr"}]
        if attached
        else [],
        "userPolicyList": [{"policyName": "break-fix", "policyDocument": url_encoded(FULL_ADMIN)}] if inline else [],
    }
    return config_item(
        "AWS::IAM::User", "AIDACIDEPLOYSANDBOX", PROD, HOME, when, configuration, status=status, name="ci-deploy"
    )


def group_item(when: datetime, days: int) -> dict:
    configuration = {"logGroupName": LOG_GROUP, "retentionInDays": days}
    return config_item("AWS::Logs::LogGroup", LOG_GROUP, PROD, HOME, when, configuration)


def config_items() -> list[dict]:
    """What AWS Config recorded in production (us-east-1, which records the global IAM resources)."""
    deploy = {
        "policyName": "deploy-ecr",
        "arn": f"arn:aws:iam::{PROD}:policy/deploy-ecr",
        "defaultVersionId": "v1",
        "policyVersionList": [{"versionId": "v1", "isDefaultVersion": True, "document": url_encoded(DEPLOY)}],
    }
    return [
        user_item(utc(5, 4, 14), attached=False, status="ResourceDiscovered"),
        user_item(utc(5, 4, 14, 2)),
        user_item(ADMIN_INLINE[0], inline=True),
        user_item(ADMIN_INLINE[1]),
        config_item(
            "AWS::IAM::Policy",
            "ANPADEPLOYECRSANDBOX",
            PROD,
            HOME,
            utc(5, 4, 14, 1),
            deploy,
            status="ResourceDiscovered",
            name="deploy-ecr",
        ),
        group_item(CONFIG_BASELINE, LOG_GROUP_RETENTION),
        group_item(SHORT_RETENTION[0], 30),
        group_item(SHORT_RETENTION[1], LOG_GROUP_RETENTION),
        bucket_item(CONFIG_BASELINE),
        bucket_item(PUBLIC_BUCKET[0] - timedelta(minutes=5), blocked=False),
        bucket_item(PUBLIC_BUCKET[0], public=True, blocked=False),
        bucket_item(PUBLIC_BUCKET[1], blocked=False),
        bucket_item(PUBLIC_BUCKET[1] + timedelta(minutes=5)),
    ]
