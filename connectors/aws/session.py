"""Sessions per AWS account through STS AssumeRole, and one cached client per (account, region, service)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import ClassVar

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config

from socready.scope.models import AwsSpec

RETRIES = Config(retries={"mode": "adaptive", "max_attempts": 10}, max_pool_connections=16)


# One loader for every session: each would otherwise parse (and keep) its own copy of every service model it
# uses, tens of megabytes per account for EC2 alone.
LOADER = botocore.loaders.create_loader()


def shared_models_session(**options) -> boto3.Session:
    """A boto3 session whose service models come from the shared loader."""
    core = botocore.session.get_session()
    core.register_component("data_loader", LOADER)
    return boto3.Session(botocore_session=core, **options)


UNLIMITED = {"s3"}  # S3 serves thousands of reads a second per prefix; the limit is for control-plane APIs


class RateLimiter:
    """At most `rate` calls a second per (account, region, service): API limits are per account and region,
    and staying under them is cheaper than being throttled and retried."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next_at = 0.0
        self._lock = threading.Lock()

    def wait(self, **_event) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self.next_at)
            self.next_at = start + self.interval
        if start > now:
            time.sleep(start - now)


class AwsSessions:
    # Called with (client, account, region) for every new client: tests use it to record calls and inject errors.
    client_hooks: ClassVar[list[Callable[[object, str, str], None]]] = []

    def __init__(self, spec: AwsSpec, base: boto3.Session | None = None) -> None:
        self.spec = spec
        self.base = base or boto3.Session()
        self._sessions: dict[str, boto3.Session] = {}
        self._clients: dict[tuple[str, str, str], object] = {}
        self._lock = threading.Lock()

    def session(self, account: str) -> boto3.Session:
        with self._lock:
            if account not in self._sessions:
                self._sessions[account] = self._assume(account)
            return self._sessions[account]

    def _assume(self, account: str) -> boto3.Session:
        role = self.spec.role
        if role is None:
            return self.base
        sts = self.base.client(
            "sts", endpoint_url=self.spec.endpoint_url, region_name=self.spec.regions[0], config=RETRIES
        )
        request = {"RoleArn": f"arn:aws:iam::{account}:role/{role.name}", "RoleSessionName": role.session_name}
        if role.external_id:
            request["ExternalId"] = role.external_id
        credentials = sts.assume_role(**request)["Credentials"]
        return shared_models_session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )

    def client(self, account: str, region: str, service: str):
        key = (account, region, service)
        session = self.session(account)
        with self._lock:
            if key not in self._clients:
                client = session.client(
                    service, region_name=region, endpoint_url=self.spec.endpoint_url, config=RETRIES
                )
                if service not in UNLIMITED:
                    client.meta.events.register("before-call.*.*", RateLimiter(self.spec.requests_per_second).wait)
                for hook in self.client_hooks:
                    hook(client, account, region)
                self._clients[key] = client
            return self._clients[key]
