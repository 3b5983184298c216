"""AWS Organizations: the organization's accounts, listed in the management (or delegated administrator) account.

The listing is evidence like any other read: the accounts a run assessed, and when each joined the organization,
are shown by it. `with_discovered_accounts` turns it into the scope the run collects and assesses.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from connectors.aws.reads import read
from connectors.aws.snapshot import ClientFor, Snapshot, pages
from connectors.base import CollectContext
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.scope.models import AwsAccount

VERSION = "1.0.0"
SOURCE = "aws.organizations.accounts"


class AccountsCollector(Snapshot):
    source = SOURCE
    version = VERSION
    permissions = ("organizations:ListAccounts",)
    regional = False

    def collect(self, ctx: CollectContext) -> None:
        """Only in the discovery account, and only when the scope asks for discovery."""
        aws = ctx.scope.aws
        if aws.discovery_account is None:
            ctx.not_configured(self.source, "scope field aws.organization is not set; set it to discover accounts")
            return
        self._collect_one(ctx, aws.discovery_account, aws.regions[0])

    def snapshot(self, client: ClientFor, account: str, region: str) -> dict:
        organizations = client("organizations")
        listed = read("organizations:ListAccounts", pages, organizations, "list_accounts", "Accounts")
        keep = ("Id", "Name", "State", "Status", "JoinedMethod", "JoinedTimestamp")
        return {"accounts": [{k: a[k] for k in keep if k in a} for a in listed]}


def with_discovered_accounts(scope: Scope, listings: Iterable[dict]) -> Scope:
    """The scope with the organization's ACTIVE accounts added (less `exclude`), each joined when Organizations
    says. An account joined after the window is left out. Accounts listed in the scope keep their entry as
    written: listing one there says it is in scope for the whole window, unless its `joined` says otherwise."""
    aws = scope.aws
    if aws is None or aws.organization is None:
        return scope
    listed = {a.id for a in aws.accounts}
    excluded = set(aws.organization.exclude)
    end, tz = scope.window.end, ZoneInfo(scope.window.timezone)
    found: dict[str, AwsAccount] = {}
    for listing in listings:
        for account in listing["accounts"]:
            joined = datetime.fromisoformat(str(account["JoinedTimestamp"]))
            late = joined.astimezone(tz).date() > end
            state = account.get("State") or account.get("Status")  # `State` replaces the deprecated `Status`
            if state != "ACTIVE" or account["Id"] in listed | excluded or late:
                continue
            found[account["Id"]] = AwsAccount(id=account["Id"], name=account.get("Name", ""), joined=joined)
    accounts = [*aws.accounts, *sorted(found.values(), key=lambda a: a.id)]
    return scope.model_copy(update={"aws": aws.model_copy(update={"accounts": accounts})})


def with_discovery(scope: Scope, sources: list[str]) -> list[str]:
    """`sources`, led by the organization's account listing when the scope discovers accounts and any of them is
    an AWS source: every AWS collector reads the accounts it found, and its failure leaves their population
    unknown."""
    if scope.aws is None or scope.aws.organization is None or not any(s.startswith("aws.") for s in sources):
        return list(sources)
    return [SOURCE, *(s for s in sources if s != SOURCE)]


def listings(view: EvidenceView) -> list[dict]:
    return [view.read_json(entry) for entry in view.entries(SOURCE)]


def run_scope(scope: Scope, view: EvidenceView) -> Scope:
    """The scope a run collected and assessed: its accounts with those the run's listing discovered (the
    listing is read once a run, though every control asks)."""
    return with_discovered_accounts(scope, view.parsed(SOURCE, listings))
