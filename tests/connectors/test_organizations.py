"""Account discovery through AWS Organizations (moto over HTTP): discovered accounts are collected and assessed,
the days before an account joined are no evidence, and a failed listing is never a pass."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.aws.organizations import with_discovered_accounts
from socready.scope import Scope
from socready.scope.models import OrganizationDiscovery
from tests.controls.data_fixtures import PROD, client, data_scope, deny, exceptions, gaps, prepare
from tests.controls.test_eng_net_01 import block_public_access
from tests.helpers import run_control

NOW = datetime.now(UTC)


def discovering_scope(folder, endpoint: str, **organization) -> Scope:
    """PROD listed, the rest discovered; a window around today, since moto stamps each account's joining now."""
    scope = data_scope(folder, endpoint)
    window = scope.window.model_copy(
        update={"start": (NOW - timedelta(days=30)).date(), "end": (NOW + timedelta(days=30)).date(), "timezone": "UTC"}
    )
    aws = scope.aws.model_copy(update={"organization": OrganizationDiscovery(**organization)})
    return Scope.model_validate({**scope.model_dump(), "window": window.model_dump(), "aws": aws.model_dump()})


def create_organization(endpoint: str, members: int) -> list[str]:
    """An organization managed from PROD with `members` new accounts; returns their ids."""
    organizations = client(endpoint, PROD, "organizations")
    organizations.create_organization(FeatureSet="ALL")
    made = [
        organizations.create_account(Email=f"member{n}@example.com", AccountName=f"member-{n}")["CreateAccountStatus"]
        for n in range(members)
    ]
    return [status["AccountId"] for status in made]


def test_discovered_account_is_assessed_from_when_it_joined(aws, tmp_path):
    [member] = create_organization(aws, 1)
    prepare(aws, [PROD, member], logged_on=NOW.date())
    for account in (PROD, member):
        block_public_access(aws, account)
    scope = discovering_scope(tmp_path, aws)
    start = datetime.combine(scope.window.start, datetime.min.time(), UTC)
    result = run_control(scope, "ENG-NET-01", as_of=NOW + timedelta(hours=1))
    assert result.population == 2  # PROD, listed, and the member, discovered
    assert exceptions(result) == []
    [(resource, gap_start, joined, value)] = gaps(result)
    assert (resource, gap_start) == (f"account/{member}", start)
    assert NOW - timedelta(minutes=5) < joined <= datetime.now(UTC)  # moto's JoinedTimestamp: the account's creation
    assert value.startswith("account joined the organization at ")
    assert result.evidence.objects("aws.organizations.accounts") > 0


def test_excluded_accounts_stay_out(aws, tmp_path):
    members = create_organization(aws, 2)
    prepare(aws, [PROD, *members], logged_on=NOW.date())
    for account in (PROD, *members):
        block_public_access(aws, account)
    scope = discovering_scope(tmp_path, aws, exclude=[members[0]])
    result = run_control(scope, "ENG-NET-01", as_of=NOW + timedelta(hours=1))
    assert result.population == 2
    assert {g.resource for g in result.coverage_gaps} == {f"account/{members[1]}"}


def test_denied_listing_is_no_evidence_naming_the_permission(aws, tmp_path, monkeypatch):
    create_organization(aws, 1)
    prepare(aws)
    block_public_access(aws, PROD)
    deny(monkeypatch, "ListAccounts")
    result = run_control(discovering_scope(tmp_path, aws), "ENG-NET-01", as_of=NOW + timedelta(hours=1))
    assert (result.status, result.clean_since) == ("no_evidence", None)
    [error] = result.collection_errors
    assert error.startswith("aws.organizations.accounts") and error.endswith("grant organizations:ListAccounts")


def listing(*accounts: tuple[str, str, datetime]) -> dict:
    return {"accounts": [{"Id": i, "Name": i, "Status": s, "JoinedTimestamp": str(j)} for i, s, j in accounts]}


@pytest.mark.parametrize(
    ("status", "joined", "kept"),
    [
        ("ACTIVE", datetime(2026, 7, 15, 9, tzinfo=UTC), True),  # joined inside the window
        ("SUSPENDED", datetime(2026, 7, 15, 9, tzinfo=UTC), False),  # closing or closed: out of scope
        ("ACTIVE", datetime(2026, 8, 2, 3, tzinfo=UTC), False),  # after the window's last local day
        ("ACTIVE", datetime(2026, 8, 1, 3, tzinfo=UTC), True),  # 2026-07-31 23:00 in New York: its last day
    ],
)
def test_which_listed_accounts_join_the_scope(tmp_path, status, joined, kept):
    scope = discovering_scope(tmp_path, "http://unused")
    scope = scope.model_copy(update={"window": data_scope(tmp_path, "http://unused").window})
    found = with_discovered_accounts(scope, [listing(("222222222299", status, joined))])
    discovered = [a for a in found.aws.accounts if a.id == "222222222299"]
    assert [(a.joined, a.name) for a in discovered] == ([(joined, "222222222299")] if kept else [])


def test_a_listed_account_keeps_its_own_entry(tmp_path):
    scope = discovering_scope(tmp_path, "http://unused")
    found = with_discovered_accounts(scope, [listing((PROD, "ACTIVE", NOW - timedelta(days=3)))])
    assert [(a.id, a.joined) for a in found.aws.accounts] == [(PROD, None)]
