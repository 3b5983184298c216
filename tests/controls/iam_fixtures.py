"""IAM and log-store state for control fixtures, created over HTTP in moto, plus injected AWS errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import cache
from unittest import mock

import botocore.loaders
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from connectors.aws import session as aws_session
from connectors.aws.session import AwsSessions
from socready.readiness.model import ControlResult
from socready.scope import Scope
from socready.scope.models import S3Location
from socready_sandbox.cloudtrail_files import log_file_objects
from socready_sandbox.config_files import history_file_objects
from socready_sandbox.uploads import put_objects
from tests.controls.aws_fixtures import BUCKET, session
from tests.helpers import make_scope, run_control

PROD, STAGING = "111111111111", "222222222222"
CONFIG_BUCKET = "fixture-config-history"
WINDOW_START, WINDOW_END = datetime(2026, 7, 1, 4, tzinfo=UTC), datetime(2026, 8, 1, 4, tzinfo=UTC)
FIRST_DAY = date(2026, 7, 1)
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
READ_ONLY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}


def at(day: int, hour: int = 12, month: int = 7) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@contextmanager
def one_data_loader() -> Iterator[None]:
    """Test speed only: botocore sessions made inside share one data loader, so the service models that every
    AssumeRole session would read again are read once."""
    with mock.patch("botocore.session.create_loader", cache(botocore.loaders.create_loader)):
        yield


def client(endpoint: str, account: str, service: str, region: str = "us-east-1"):
    with one_data_loader():
        return session(endpoint, account).client(service, endpoint_url=endpoint, region_name=region)


def iam(endpoint: str, account: str = PROD):
    return client(endpoint, account, "iam")


def console_user(endpoint: str, user: str, *, mfa: bool = True, account: str = PROD) -> None:
    """An IAM user with a console password and, unless `mfa` is False, a virtual MFA device."""
    client = iam(endpoint, account)
    client.create_user(UserName=user)
    client.create_login_profile(UserName=user, Password="Fixture-Passw0rd!")
    if mfa:
        serial = client.create_virtual_mfa_device(VirtualMFADeviceName=user)["VirtualMFADevice"]["SerialNumber"]
        client.enable_mfa_device(
            UserName=user, SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
        )


def access_key(endpoint: str, user: str, account: str = PROD) -> str:
    """A new access key of `user` (created now in moto's clock: pair it with a CreateAccessKey event)."""
    return iam(endpoint, account).create_access_key(UserName=user)["AccessKey"]["AccessKeyId"]


def log_bucket(endpoint: str):
    """The CloudTrail log bucket (created in PROD when missing), as an S3 client of PROD."""
    s3 = client(endpoint, PROD, "s3")
    if BUCKET not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=BUCKET)
    return s3


def upload(endpoint: str, events: list[dict], accounts: tuple[str, ...] = (PROD,)) -> None:
    """Log files holding `events`, plus the window's first day for every account (an account without any log
    file has no evidence of its events)."""
    s3 = log_bucket(endpoint)
    days = {(a, "us-east-1", FIRST_DAY) for a in accounts}
    days |= {(e["recipientAccountId"], e["awsRegion"], date.fromisoformat(e["eventTime"][:10])) for e in events}
    objects = (
        o for account, region, day in sorted(days) for o in log_file_objects([account], [region], day, day, events)
    )
    put_objects(s3, BUCKET, objects)


def upload_config(endpoint: str, items: list[dict]) -> None:
    """AWS Config history files in CONFIG_BUCKET (owned by PROD), in Config's delivered layout."""
    s3 = client(endpoint, PROD, "s3")
    s3.create_bucket(Bucket=CONFIG_BUCKET)
    put_objects(s3, CONFIG_BUCKET, history_file_objects(items))


def start_recorder(endpoint: str, account: str = PROD, region: str = "us-east-1") -> None:
    config = client(endpoint, account, "config", region)
    role = f"arn:aws:iam::{account}:role/aws-config"
    config.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": role})
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": CONFIG_BUCKET})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def scope_for(folder, endpoint: str, accounts: tuple[str, ...] = (PROD,), *, config: bool = False, **extra) -> Scope:
    """The fixture scope; `config` reads CONFIG_BUCKET's history."""
    scope = make_scope(folder, endpoint=endpoint, accounts=list(accounts), log_bucket=BUCKET, **extra)
    if not config:
        return scope
    history = [S3Location(bucket=CONFIG_BUCKET, account=PROD)]
    return scope.model_copy(update={"aws": scope.aws.model_copy(update={"config_history": history})})


def assess(folder, endpoint: str, control: str, accounts: tuple[str, ...] = (PROD,), **options) -> ControlResult:
    with one_data_loader():
        return run_control(scope_for(folder, endpoint, accounts, **options), control)


def intervals(result: ControlResult) -> list[tuple[str, datetime, datetime, str]]:
    return [(e.resource, e.start, e.end, e.value) for e in result.exceptions]


def gaps(result: ControlResult) -> list[tuple[str, datetime, datetime]]:
    return [(g.resource, g.start, g.end) for g in result.coverage_gaps]


class _Body:
    def __init__(self, content: bytes) -> None:
        self.content = content

    def stream(self, **_) -> Iterator[bytes]:
        yield self.content


def _error_body(protocol: str, code: str, message: str) -> bytes:
    """The error document each protocol's services send: JSON (CloudWatch Logs), S3's bare <Error>, or the
    query protocol's <ErrorResponse> (IAM)."""
    if protocol == "json":
        return json.dumps({"__type": code, "message": message}).encode()
    error = f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
    if protocol == "rest-xml":
        return error.encode()
    return f"<ErrorResponse>{error}<RequestId>fixture</RequestId></ErrorResponse>".encode()


def fail_calls(
    monkeypatch: pytest.MonkeyPatch,
    operation: str,
    code: str,
    message: str,
    status: int,
    *,
    account: str | None = None,
    first: int | None = None,
) -> list[str]:
    """Every collector call of `operation` (in `account` only, if given; the first `first` attempts per client
    only, if given) answers with this AWS error (sent as AWS would, so botocore's retries see it); returns the
    list the failed calls are counted in."""
    calls: list[str] = []

    def hook(client, client_account: str, region: str) -> None:
        if account is not None and client_account != account:
            return
        model = client.meta.service_model
        body = _error_body(model.protocol, code, message)
        failed = 0

        def respond(request, **_) -> AWSResponse | None:
            nonlocal failed
            if first is not None and failed >= first:
                return None  # the storm is over: the request goes to AWS
            failed += 1
            calls.append(operation)
            headers = {"Content-Type": "application/x-amz-json-1.1" if model.protocol == "json" else "text/xml"}
            return AWSResponse(request.url, status, headers, _Body(body))

        client.meta.events.register(f"before-send.{model.service_id.hyphenize()}.{operation}", respond)

    monkeypatch.setattr(AwsSessions, "client_hooks", [*AwsSessions.client_hooks, hook])
    return calls


def deny(monkeypatch: pytest.MonkeyPatch, operation: str, action: str, account: str | None = None) -> list[str]:
    caller = f"arn:aws:sts::{account or PROD}:assumed-role/socready-collector/socready"
    message = f"User: {caller} is not authorized to perform: {action}"
    return fail_calls(monkeypatch, operation, "AccessDenied", message, 403, account=account)


def throttle(monkeypatch: pytest.MonkeyPatch, operation: str, attempts: int = 2, **only) -> list[str]:
    """Throttling on every attempt, with retries cut to `attempts` so the test stays fast; `only`: fail_calls'
    `account` and `first`."""
    retries = aws_session.RETRIES.merge(Config(retries={"mode": "adaptive", "total_max_attempts": attempts}))
    monkeypatch.setattr(aws_session, "RETRIES", retries)
    return fail_calls(monkeypatch, operation, "Throttling", "Rate exceeded", 400, **only)
