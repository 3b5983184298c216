"""Sessions per AWS account through STS AssumeRole, and one cached client per (account, region, service)."""

from __future__ import annotations

import threading

import boto3
from botocore.config import Config

from socready.scope.models import AwsSpec

RETRIES = Config(retries={"mode": "adaptive", "max_attempts": 10}, max_pool_connections=16)


class AwsSessions:
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
        return boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )

    def client(self, account: str, region: str, service: str):
        key = (account, region, service)
        session = self.session(account)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = session.client(
                    service, region_name=region, endpoint_url=self.spec.endpoint_url, config=RETRIES
                )
            return self._clients[key]
