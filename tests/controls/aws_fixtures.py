"""AWS state for control fixtures, created over HTTP in the moto server: trails, log files, IAM users."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import boto3

from socready.scope import Scope
from socready.scope.models import S3Location
from socready_sandbox.aws import account_session
from socready_sandbox.cloudtrail_files import Silence, cloudtrail_event, log_file_objects
from socready_sandbox.config_files import history_file_objects
from socready_sandbox.uploads import put_objects
from tests.helpers import make_scope

BUCKET = "fixture-cloudtrail-logs"
FIRST_DAY, LAST_DAY = date(2026, 6, 30), date(2026, 8, 1)  # the fixture window plus a day either side


def session(endpoint: str, account: str) -> boto3.Session:
    """Credentials for `account` through AssumeRole, as the collector gets them."""
    return account_session(endpoint, account)


def create_log_bucket(endpoint: str, account: str) -> None:
    session(endpoint, account).client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)


def create_trail(
    endpoint: str,
    account: str,
    *,
    logging: bool = True,
    multi_region: bool = True,
    name: str = "main-trail",
    bucket: str = BUCKET,
) -> None:
    """Needs the log bucket (create_log_bucket) to exist first, as in AWS."""
    trail = session(endpoint, account).client("cloudtrail", endpoint_url=endpoint)
    trail.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=multi_region)
    if logging:
        trail.start_logging(Name=name)


def upload_logs(
    endpoint: str,
    log_account: str,
    accounts: Iterable[str],
    regions: Iterable[str],
    events: list[dict] = (),
    silences: Iterable[Silence] = (),
    first: date = FIRST_DAY,
    last: date = LAST_DAY,
    organization_id: str | None = None,
) -> int:
    """Log files in BUCKET of `log_account`; with `organization_id`, in an organization trail's layout
    (AWSLogs/<org-id>/<account>/CloudTrail/...)."""
    s3 = session(endpoint, log_account).client("s3", endpoint_url=endpoint)
    objects = log_file_objects(accounts, regions, first, last, list(events), silences)
    if organization_id:
        objects = ((key.replace("AWSLogs/", f"AWSLogs/{organization_id}/", 1), body) for key, body in objects)
    return put_objects(s3, BUCKET, objects)


def create_organization(endpoint: str, management: str, members: int) -> tuple[str, list[str]]:
    """An AWS Organization managed from `management` with `members` new accounts: its id and theirs."""
    organizations = session(endpoint, management).client("organizations", endpoint_url=endpoint)
    organization = organizations.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    made = [
        organizations.create_account(Email=f"member{n}@example.com", AccountName=f"member-{n}")["CreateAccountStatus"]
        for n in range(members)
    ]
    return organization, [status["AccountId"] for status in made]


def stand_in_bucket(endpoint: str, account: str) -> str:
    """A bucket of `account` for a trail moto must find there, while the trail's files go to the log archive."""
    name = f"trail-stand-in-{account}"
    session(endpoint, account).client("s3", endpoint_url=endpoint).create_bucket(Bucket=name)
    return name


def create_organization_trail(
    endpoint: str, management: str, name: str = "org-trail", *, validated: bool = True
) -> str:
    """A logging multi-region organization trail in the management account; returns its ARN. (moto looks for the
    trail's bucket in the trail's own account, where AWS accepts the log archive's bucket: a local stand-in.)"""
    stand_in = stand_in_bucket(endpoint, management)
    trail = session(endpoint, management).client("cloudtrail", endpoint_url=endpoint)
    arn = trail.create_trail(
        Name=name,
        S3BucketName=stand_in,
        IsMultiRegionTrail=True,
        IsOrganizationTrail=True,
        EnableLogFileValidation=validated,
    )["TrailARN"]
    trail.start_logging(Name=name)
    return arn


def upload_config_files(endpoint: str, owner: str, bucket: str, items: list[dict], kind: str = "ConfigHistory") -> int:
    """Config items as the ConfigHistory (or ConfigSnapshot) files AWS Config delivers, into `owner`'s bucket."""
    s3 = session(endpoint, owner).client("s3", endpoint_url=endpoint)
    return put_objects(s3, bucket, history_file_objects(items, kind))


def upload_events(endpoint: str, log_account: str, events: list[dict]) -> int:
    """Only the log files (one per account, region and UTC day) that hold `events`: enough for population controls."""
    s3 = session(endpoint, log_account).client("s3", endpoint_url=endpoint)
    days = sorted({(e["recipientAccountId"], e["awsRegion"], date.fromisoformat(e["eventTime"][:10])) for e in events})
    objects = (o for account, region, day in days for o in log_file_objects([account], [region], day, day, events))
    return put_objects(s3, BUCKET, objects)


def offboard_users(
    endpoint: str, account: str, removals: dict[str, datetime | None], actor: str = "it-ops"
) -> list[dict]:
    """IAM users with a console password, each deleted at its time (None: never) -> the CloudTrail records of it."""
    iam = session(endpoint, account).client("iam", endpoint_url=endpoint)
    events = []
    for user, removed in removals.items():
        iam.create_user(UserName=user)
        iam.create_login_profile(UserName=user, Password="Fixture-Passw0rd!")
        if removed:
            iam.delete_login_profile(UserName=user)
            events.append(
                cloudtrail_event("DeleteLoginProfile", removed, account, "us-east-1", actor, {"userName": user})
            )
    return events


def organization_scope(folder, endpoint: str, accounts: list[str], regions: list[str], *locations: S3Location) -> Scope:
    """The fixture scope reading CloudTrail logs from `locations` (an organization trail's, a log archive's)."""
    scope = make_scope(folder, endpoint=endpoint, accounts=accounts, regions=regions, log_bucket=BUCKET)
    return scope.model_copy(update={"aws": scope.aws.model_copy(update={"cloudtrail_logs": list(locations)})})
