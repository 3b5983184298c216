"""Fixtures for the data-store, encryption, network, monitoring and backup controls: AWS state over HTTP in moto,
Config history and CloudTrail files in a log-archive account, and error injection into the collector's clients."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from connectors.aws import session as aws_session
from connectors.aws.session import AwsSessions, shared_models_session
from socready.applicability import plan_assessments
from socready.assess import assess_control
from socready.catalog import load_catalog
from socready.collect import collect
from socready.evidence import open_store
from socready.evidence.view import EvidenceView
from socready.readiness.model import ControlResult
from socready.scope import Scope
from socready.scope.models import ProductionSpec, S3Location
from socready_sandbox.aws import start_config_recorder
from socready_sandbox.aws_data import database_config_item
from socready_sandbox.cloudtrail_files import cloudtrail_event, log_file_objects
from socready_sandbox.config_files import delivered_files
from socready_sandbox.uploads import put_objects
from tests.controls.aws_fixtures import BUCKET
from tests.helpers import make_scope, run_control, window_of

PROD, STAGING, ARCHIVE = "111111111111", "222222222222", "333333333333"  # ARCHIVE holds logs and Config files
EAST, WEST = "us-east-1", "eu-west-1"
CONFIG_BUCKET = "fixture-config-history"
CATEGORIES = ["security", "availability", "confidentiality"]  # the backup and Multi-AZ controls are availability
WINDOW_START, WINDOW_END = datetime(2026, 7, 1, 4, tzinfo=UTC), datetime(2026, 8, 1, 4, tzinfo=UTC)
BASELINE = datetime(2026, 6, 20, 12, tzinfo=UTC)  # Config's record of a resource before the window
CREATED, DELETED = datetime(2026, 7, 10, 9, tzinfo=UTC), datetime(2026, 7, 20, 17, tzinfo=UTC)
WINDOW_START_DAY = WINDOW_START.date()


def shared_loader_session(**credentials) -> boto3.Session:
    """Fixture sessions share the collector's service-model loader: parsing the models again costs seconds."""
    return shared_models_session(region_name=EAST, **credentials)


def session(endpoint: str, account: str) -> boto3.Session:
    """Credentials for `account` through AssumeRole, as the collector gets them."""
    creds = (
        shared_loader_session()
        .client("sts", endpoint_url=endpoint)
        .assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/socready-collector",
            RoleSessionName="fixture",
            ExternalId="fixture-external-id",
        )["Credentials"]
    )
    return shared_loader_session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def at(day: int, hour: int = 12) -> datetime:
    """A time in July 2026 (the fixture window), UTC."""
    return datetime(2026, 7, day, hour, tzinfo=UTC)


def client(endpoint: str, account: str, service: str, region: str = EAST):
    return session(endpoint, account).client(service, endpoint_url=endpoint, region_name=region)


def event(name: str, when: datetime, params: dict, *, service: str, account: str = PROD, region: str = EAST, **extra):
    return cloudtrail_event(name, when, account, region, "mallory", params, service=service, **extra)


def prepare(
    endpoint: str,
    accounts: Iterable[str] = (PROD,),
    regions: Iterable[str] = (EAST,),
    *,
    events: Iterable[dict] = (),
    items: Iterable[dict] = (),
    logged_on: date = WINDOW_START_DAY,
) -> None:
    """The log-archive buckets with the events' CloudTrail files (and one on `logged_on` in every place) and the
    items' Config history, and a Config recorder recording in every account and region (else Config-derived state
    has no evidence)."""
    accounts, regions, events = list(accounts), list(regions), list(events)
    archive = client(endpoint, ARCHIVE, "s3")
    for bucket in (BUCKET, CONFIG_BUCKET):
        archive.create_bucket(Bucket=bucket)
    days = {(e["recipientAccountId"], e["awsRegion"], date.fromisoformat(e["eventTime"][:10])) for e in events}
    # Every place logs something: an empty log location is a coverage gap, as it would be in a real account.
    days = sorted(days | {(account, region, logged_on) for account in accounts for region in regions})
    files = (o for account, region, day in days for o in log_file_objects([account], [region], day, day, events))
    put_objects(archive, BUCKET, files)
    put_objects(archive, CONFIG_BUCKET, delivered_files(list(items), accounts, regions, WINDOW_START))
    for account in accounts:
        for region in regions:
            start_config_recorder(session(endpoint, account), endpoint, account, region)


def data_scope(
    folder,
    endpoint: str,
    accounts: Iterable[str] = (PROD,),
    regions: Iterable[str] = (EAST,),
    production: dict | None = None,
    **parameters,
) -> Scope:
    """`parameters`: control id -> catalog parameter overrides, as a scope's `controls` section sets them;
    `production`: the scope's `aws.production` (default: its default)."""
    controls = {control: {"parameters": values} for control, values in parameters.items()}
    scope = make_scope(
        folder,
        endpoint=endpoint,
        accounts=list(accounts),
        regions=list(regions),
        controls=controls,
        categories=CATEGORIES,
    )
    aws = scope.aws.model_copy(
        update={
            "cloudtrail_logs": [S3Location(bucket=BUCKET, account=ARCHIVE)],
            "config_history": [S3Location(bucket=CONFIG_BUCKET, account=ARCHIVE)],
            **({"production": ProductionSpec.model_validate(production)} if production is not None else {}),
        }
    )
    return scope.model_copy(update={"aws": aws})


def assess(
    endpoint: str,
    folder,
    control: str,
    accounts: Iterable[str] = (PROD,),
    regions: Iterable[str] = (EAST,),
    parameters: dict | None = None,
    production: dict | None = None,
    **run,
) -> ControlResult:
    overrides = {control: parameters} if parameters else {}
    scope = data_scope(folder, endpoint, accounts, regions, production, **overrides)
    return run_control(scope, control, **run)


def assess_unread_regions(endpoint: str, folder, control: str, read: list[str], assessed: list[str]) -> ControlResult:
    """Evidence collected in the `read` regions only, assessed for the `assessed` ones: a partial inventory."""
    collected, scope = data_scope(folder, endpoint, regions=read), data_scope(folder, endpoint, regions=assessed)
    plan = next(p for p in plan_assessments(load_catalog(), scope) if p.control.id == control)
    window, store = window_of(scope), open_store(scope.evidence_store)
    manifest = collect(collected, window, store, list(plan.control.evidence))
    return assess_control(plan, scope, window, EvidenceView(store, manifest), store)


def exceptions(result: ControlResult) -> list[tuple[str, datetime, datetime, str]]:
    return [(e.resource, e.start, e.end, e.value) for e in result.exceptions]


def gaps(result: ControlResult) -> list[tuple[str, datetime, datetime, str]]:
    return [(g.resource, g.start, g.end, g.value) for g in result.coverage_gaps]


class Body:
    """The raw body of an injected HTTP response."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_):
        yield self.data


def deny(
    monkeypatch: pytest.MonkeyPatch,
    operation: str,
    code: str = "AccessDenied",
    message: str = "Access Denied",
    region: str | None = None,
):
    """Every collector client (in `region`, default any) answers `operation` with an error, as AWS does when the
    role lacks the action (moto does not enforce IAM). The call never leaves the client."""

    def respond(**_):
        return AWSResponse("https://denied.example", 403, {}, Body(b"")), {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }

    def hook(aws_client, account: str, client_region: str) -> None:
        if region in (None, client_region):
            aws_client.meta.events.register(f"before-call.*.{operation}", respond)

    monkeypatch.setattr(AwsSessions, "client_hooks", [*AwsSessions.client_hooks, hook])


def throttle(monkeypatch: pytest.MonkeyPatch, operation: str, retries: int = 2) -> list[str]:
    """Every HTTP attempt of `operation` answers ThrottlingException (JSON protocols), through botocore's
    adaptive retry loop cut to `retries` retries; returns the list each attempt is recorded in."""
    seen: list[str] = []
    monkeypatch.setattr(aws_session, "RETRIES", Config(retries={"mode": "adaptive", "max_attempts": retries}))

    def respond(request, **_):
        seen.append(request.url)
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
        return AWSResponse(request.url, 400, {"x-amzn-ErrorType": "ThrottlingException"}, Body(body))

    def hook(aws_client, account: str, region: str) -> None:
        aws_client.meta.events.register(f"before-send.*.{operation}", respond)

    monkeypatch.setattr(AwsSessions, "client_hooks", [*AwsSessions.client_hooks, hook])
    return seen


def create_db(
    endpoint: str,
    name: str,
    *,
    production: bool = True,
    encrypted: bool = True,
    retention: int = 7,
    protection: bool = True,
    multi_az: bool = True,
    account: str = PROD,
    region: str = EAST,
    tags: list[dict] | None = None,
) -> str:
    """An RDS instance (tagged environment=production unless told, or with `tags`) -> its ARN."""
    tags = tags if tags is not None else [{"Key": "environment", "Value": "production" if production else "staging"}]
    return client(endpoint, account, "rds", region).create_db_instance(
        DBInstanceIdentifier=name,
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="app",
        MasterUserPassword="Fixture-Passw0rd!",
        StorageEncrypted=encrypted,
        BackupRetentionPeriod=retention,
        DeletionProtection=protection,
        MultiAZ=multi_az,
        Tags=tags,
    )["DBInstance"]["DBInstanceArn"]


def db_item(name: str, when: datetime, status: str = "OK", **settings) -> dict:
    """A Config item of a production RDS instance in PROD/us-east-1; `settings` in DescribeDBInstances names."""
    return database_config_item(name, PROD, EAST, when, status, **settings)
