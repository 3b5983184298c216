"""ENG-IAM-01: the root user has MFA and no access keys, in every account, every day of the window.

Evidence: the account summary (AccountMFAEnabled, AccountAccessKeysPresent) and the credential report's
`<root_account>` row, from this and earlier runs, and the root user's own MFA and access-key events.
"""

from __future__ import annotations

import pandas as pd

from expectations.aws_state import Seen, Timelines
from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.dataset import Row, frame
from expectations.iam_timeline import (
    Aspect,
    add_snapshot,
    all_true,
    combine,
    home_region,
    unlogged_accounts,
    user_of,
)
from expectations.iam_users import credential_report_root
from expectations.spec import ControlSpec, NoParameters, Rule, held_throughout
from expectations.state_timeline import named
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-IAM-01"
FACT = "root_mfa_and_no_access_keys"
FACTS = {FACT: "boolean"}
ACCOUNT = "aws.iam.account"
# The root user's own credentials: (aspect, state after, state before) per event.
ROOT_EVENTS = {
    "EnableMFADevice": ("mfa", "pass", "fail"),
    "DeactivateMFADevice": ("mfa", "fail", "pass"),
    "CreateAccessKey": ("keys", "fail", "pass"),
    "DeleteAccessKey": ("keys", "pass", "fail"),
}


def root_resource(account: str) -> str:
    """The account's root user: the resource whose MFA and keys an owner must fix (as ENG-IAM-03 names it)."""
    return f"account/{account}/root"


# Each source is an aspect of its own, so a report that disagrees with the summary is not outvoted by it.
SOURCES = {"summary": "account summary", "report": "credential report"}


def from_event(event: TrailEvent, home: str) -> list[Seen]:
    """Only calls made as root on root's own credentials (no userName). A root user holds at most two keys and
    rarely more than one: deleting or deactivating one is read as leaving none; the next snapshot corrects it."""
    if event.identity_type != "Root" or user_of(event) is not None:
        return []
    aspect, after, before = ROOT_EVENTS.get(event.name) or ("keys", *_key_status(event))
    where = {"account": event.account, "region": home}
    resource = root_resource(event.account)
    return [
        Seen(f"{resource}|{aspect}|{source}", after, f"{event.name} by root", before, **where) for source in SOURCES
    ]


def _key_status(event: TrailEvent) -> tuple[str, str]:
    active = event.parameters.get("status") == "Active"
    return ("fail", "pass") if active else ("pass", "fail")


def judged(resource: str, mfa: bool, keys: bool, source: str, home: str) -> list[Seen]:
    shown = SOURCES[source]
    return [
        Seen(
            f"{resource}|mfa|{source}",
            "pass" if mfa else "fail",
            f"root MFA {'on' if mfa else 'off'} ({shown})",
            region=home,
        ),
        Seen(
            f"{resource}|keys|{source}",
            "fail" if keys else "pass",
            f"root access key {'present' if keys else 'absent'} ({shown})",
            region=home,
        ),
    ]


def timelines(view: EvidenceView, scope: Scope) -> Timelines:
    home = home_region(scope)
    found = Timelines()
    for account in scope.aws.accounts:  # every account has rows, unknown where the summary shows nothing
        for aspect in ("mfa", "keys"):
            found.expect(f"{root_resource(account.id)}|{aspect}|summary", account.id, home)
    found.snapshots(
        view,
        ACCOUNT,
        lambda body: judged(
            root_resource(body["account"]),
            body["summary"].get("AccountMFAEnabled") == 1,
            body["summary"].get("AccountAccessKeysPresent") == 1,
            "summary",
            home,
        ),
    )
    for entry, row in credential_report_root(view):
        keys = "true" in (row.get("access_key_1_active"), row.get("access_key_2_active"))
        for seen in judged(root_resource(entry.account or ""), row.get("mfa_active") == "true", keys, "report", home):
            add_snapshot(found, seen, entry, home)
    return found.events(cloudtrail_logs(view).named(*ROOT_EVENTS, "UpdateAccessKey"), lambda e: from_event(e, home))


def build(view: EvidenceView, scope: Scope, window: Window, params: NoParameters) -> pd.DataFrame:
    aspects: dict[str, list[Row]] = {}
    for row in timelines(view, scope).rows(scope, window):
        aspects.setdefault(row.resource, []).append(row)
    rows: list[Row] = []
    for account in scope.aws.accounts:
        resource = root_resource(account.id)
        # The summary always answers; a credential report without the root row (AWS always has it) adds nothing.
        parts = [
            Aspect(aspects.get(f"{resource}|{aspect}|{source}", []), None if source == "summary" else True)
            for aspect in ("mfa", "keys")
            for source in SOURCES
        ]
        rows += combine(resource, parts, all_true)
    return frame(named(rows, FACT) + unlogged_accounts(view, scope, window, **{FACT: None}), FACTS)


def rules(params: NoParameters) -> list[Rule]:
    return held_throughout(
        "root_mfa_and_no_access_keys",
        "The evidence does not show whether the root user had MFA and no access keys.",
        "The root user had no MFA or had an access key.",
    )


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=NoParameters,
    sources=("aws.iam.account", "aws.iam.credential_report", "aws.cloudtrail.logs"),
    facts=FACTS,
    build=build,
    rules=rules,
)
