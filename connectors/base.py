"""What every collector declares (source, permissions, version) and how its failures are recorded."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar, Protocol, TypeVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    NoCredentialsError,
    PartialCredentialsError,
    TokenRetrievalError,
)

from connectors.aws.session import AwsSessions
from socready.credentials import aws_session
from socready.errors import CollectionError, SocreadyError
from socready.evidence import CollectionFailure, EvidenceEntry, RunRecorder
from socready.evidence.manifest import NOT_CONFIGURED
from socready.redact import redact
from socready.scope import Scope
from socready.window import Window

DENIED_ACTION = re.compile(r"perform: ([a-z0-9-]+:[A-Za-z0-9]+)")
# What AWS answers in a region the account has not enabled (opt-in regions such as af-south-1 or me-central-1).
REGION_NOT_ENABLED = {"UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure", "OptInRequired"}
EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
NO_CREDENTIALS = (NoCredentialsError, PartialCredentialsError, CredentialRetrievalError, TokenRetrievalError)
Place = tuple[str, str]  # (account id, region): the unit a collection task may be given
Item = TypeVar("Item")


def in_threads(
    work: Callable[[Item], None],
    items: Iterable[Item],
    workers: int,
    on_done: Callable[[int], None] = lambda done: None,
) -> None:
    """`work(item)` for every item, `workers` at a time: reads wait on the network and on each client's rate
    limit, so they overlap. `on_done(n)` as the n-th item finishes (a progress bar). An unexpected error stops the
    run, once the other items have finished, instead of vanishing in a worker."""
    with ThreadPoolExecutor(workers) as pool:
        started = [pool.submit(work, item) for item in items]
        for done, finished in enumerate(as_completed(started), 1):
            finished.result()
            on_done(done)


CREDENTIALS_FIX = (
    "set AWS_PROFILE (after `aws sso login` for SSO) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
    "or run where an instance or task role provides credentials"
)


@dataclass(frozen=True)
class EarlierRuns:
    """What earlier runs for the same organization and window already fetched: the latest finished run, plus the
    checkpoints of runs interrupted after it (`resuming`: a resumed backfill, whose checkpoints may miss any day).
    `read_from`: the latest finished run's Manifest.read_from; `failed`: per source, the places (account, region)
    where it failed to list or fetch a delivered file."""

    entries: dict[str, dict[str, EvidenceEntry]] = field(default_factory=dict)  # source -> query -> entry
    read_from: dict[str, datetime] = field(default_factory=dict)
    failed: dict[str, frozenset[Place]] = field(default_factory=dict)
    resuming: bool = False

    def of(self, source: str) -> dict[str, EvidenceEntry]:
        return self.entries.get(source, {})

    def cover(self, source: str, place: Place, first: datetime) -> bool:
        """Whether the files fetched of `source` at `place` are all there were from `first` on, up to their newest:
        the latest run read from no later, without a failed read there, and its files are not a resumed
        backfill's."""
        covered = self.read_from.get(source)
        failed = place in self.failed.get(source, ())
        return not self.resuming and covered is not None and covered <= first and not failed

    def share(self, source: str, place: Place | None) -> EarlierRuns:
        """One collection task's share: its source's, and within it its own account and region's entries."""
        entries = self.of(source)
        if place is not None:
            account, region = place
            entries = {q: e for q, e in entries.items() if e.account in (None, account) and e.region in (None, region)}
        read_from = {source: self.read_from[source]} if source in self.read_from else {}
        failed = {source: self.failed[source]} if source in self.failed else {}
        return EarlierRuns({source: entries}, read_from, failed, self.resuming)


@dataclass
class CollectContext:
    scope: Scope
    window: Window
    recorder: RunRecorder
    progress: Callable[[str], None] = field(default=lambda message: None)
    earlier: EarlierRuns = field(default_factory=EarlierRuns)
    unreadable: frozenset[str] = frozenset()  # sha256 of earlier objects no run could parse: fetch, never carry
    shard: Place | None = None  # collect only this account and region (one task's share); None: every place
    _sessions: AwsSessions | None = field(default=None, repr=False)  # made on first use
    _sessions_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def mine(self, places: Iterable[Place]) -> list[Place]:
        """The places of a collector this context reads: all of them, or its shard's."""
        return [place for place in places if self.shard is None or place == self.shard]

    @property
    def aws(self) -> AwsSessions:
        """One set of sessions for every source collected at once: its assumed roles and its rate limits are
        the run's, not each thread's."""
        if self.scope.aws is None:
            raise CollectionError("the scope has no `aws` section; add accounts and regions to collect AWS evidence")
        with self._sessions_lock:
            if self._sessions is None:
                self._sessions = AwsSessions(self.scope.aws, base=aws_session(self.scope.aws, CollectionError))
            return self._sessions

    @contextmanager
    def guard(
        self,
        source: str,
        query: str,
        *,
        account: str | None = None,
        region: str | None = None,
        permission: str | None = None,
    ) -> Iterator[None]:
        """Turns a failed read into a recorded CollectionFailure so the control shows no_evidence."""
        try:
            yield
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code, message = error.get("Code", "ClientError"), error.get("Message", str(exc))
            denied = code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "403")
            # AWS names the denied action ("... is not authorized to perform: iam:GetUser ..."); prefer that.
            named = DENIED_ACTION.search(message)
            missing = (named.group(1) if named else permission) if denied else None
            if code in REGION_NOT_ENABLED and region:
                code += f": is {region} an opt-in region not enabled here? Enable it or leave it out of aws.regions"
            if code in EXPIRED:
                message = f"the AWS credentials have expired ({message}); refresh them: {CREDENTIALS_FIX}"
            self._record(source, query, code, message, account, region, missing)
        except NO_CREDENTIALS as exc:
            self._record(source, query, type(exc).__name__, f"{exc}; {CREDENTIALS_FIX}", account, region, None)
        except (BotoCoreError, CollectionError, OSError, SocreadyError) as exc:
            missing = getattr(exc, "missing_permission", None) or None
            self._record(source, query, type(exc).__name__, str(exc), account, region, missing)

    def not_configured(self, source: str, message: str) -> None:
        self._record(source, "scope", NOT_CONFIGURED, message, None, None, None)

    def _record(self, source, query, error, message, account, region, permission) -> None:
        self.recorder.fail(
            CollectionFailure(
                source=source,
                query=query,
                error=error,
                message=message[:500],
                missing_permission=permission,
                account=account,
                region=region,
                at=datetime.now(UTC),
            )
        )
        self.progress(redact(f"! {source}: {error} on {query}: {message[:200]}"))


class Collector(Protocol):
    source: ClassVar[str]
    version: ClassVar[str]
    permissions: ClassVar[tuple[str, ...]]

    def collect(self, ctx: CollectContext) -> None: ...
