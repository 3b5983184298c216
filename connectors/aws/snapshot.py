"""Base for current-state collectors: one JSON evidence object per account (and region, unless global)."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from functools import partial
from typing import ClassVar

from connectors.base import CollectContext

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

    def collect(self, ctx: CollectContext) -> None:
        aws = ctx.scope.aws
        for account in aws.accounts:
            for region in aws.regions if self.regional else aws.regions[:1]:
                where = f"account={account.id}" + (f" region={region}" if self.regional else "")
                query = f"{self.source} {where}"
                with ctx.guard(
                    self.source,
                    query,
                    account=account.id,
                    region=region if self.regional else None,
                    permission=self.permissions[0],
                ):
                    body = self.snapshot(partial(ctx.aws.client, account.id, region), account.id, region)
                    ctx.recorder.add(
                        json.dumps(
                            {"account": account.id, "region": region, **body}, default=str, sort_keys=True
                        ).encode(),
                        source=self.source,
                        query=query,
                        connector=type(self).__module__,
                        connector_version=self.version,
                        account=account.id,
                        region=region if self.regional else None,
                    )


def pages(client, operation: str, key: str, **params) -> list:
    """Every item of a paginated list call."""
    return [item for page in client.get_paginator(operation).paginate(**params) for item in page.get(key, [])]
