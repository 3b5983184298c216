"""Base for current-state collectors: one JSON evidence object per account (and region, unless global)."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from functools import partial
from typing import ClassVar

from connectors.base import CollectContext, Place, in_threads
from socready.scope.models import AwsSpec

ClientFor = Callable[[str], object]  # service name -> boto3 client for this account and region


class Snapshot(ABC):
    """Subclasses set source, version, permissions and implement `snapshot`; `regional=False` for global
    services (IAM), which are read once per account in the first region."""

    source: ClassVar[str]
    version: ClassVar[str]
    permissions: ClassVar[tuple[str, ...]]
    regional: ClassVar[bool] = True

    @abstractmethod
    def snapshot(self, client: ClientFor, account: str, region: str) -> dict:
        """The service's current state in one account and region, as JSON-able data."""

    workers: ClassVar[int] = 8  # accounts and regions are read in parallel; each client is rate-limited

    def places(self, aws: AwsSpec) -> list[Place]:
        """Each account and region read (each account once, in the first region, for a global service)."""
        return [(a.id, r) for a in aws.accounts for r in (aws.regions if self.regional else aws.regions[:1])]

    def collect(self, ctx: CollectContext) -> None:
        in_threads(lambda place: self._collect_one(ctx, *place), ctx.mine(self.places(ctx.scope.aws)), self.workers)

    def _collect_one(self, ctx: CollectContext, account: str, region: str) -> None:
        where = f"account={account}" + (f" region={region}" if self.regional else "")
        query = f"{self.source} {where}"
        kept_region = region if self.regional else None
        with ctx.guard(self.source, query, account=account, region=kept_region, permission=self.permissions[0]):
            body = self.snapshot(partial(ctx.aws.client, account, region), account, region)
            data = json.dumps({"account": account, "region": region, **body}, default=str, sort_keys=True)
            ctx.recorder.add(
                data.encode(),
                source=self.source,
                query=query,
                connector=type(self).__module__,
                connector_version=self.version,
                account=account,
                region=kept_region,
            )


def pages(client, operation: str, key: str, **params) -> list:
    """Every item of a paginated list call."""
    return [item for page in client.get_paginator(operation).paginate(**params) for item in page.get(key, [])]
