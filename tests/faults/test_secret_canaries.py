"""Redaction at every exit: secret-shaped values copied from evidence never reach the report or ticket text;
names, ids, hashes and dates people need are left as they are."""

from __future__ import annotations

import html
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from socready.readiness.model import ControlResult
from socready.redact import MASK, redact, redacted
from socready.report.build import build_report
from socready.report.writer import write_report
from socready.scope import Scope
from socready.tickets.content import describe
from socready.tickets.identity import group_gaps
from socready_sandbox.aws_iam import iam_event
from tests.controls.file_fixtures import Person, Supplier, hr_roster, vendor_register
from tests.controls.iam_fixtures import ADMIN, PROD, at, iam, one_data_loader, scope_for, upload
from tests.controls.jira_fixtures import jira_sandbox, jira_scope, seed_ticket
from tests.helpers import make_scope, run_control, window_of

# Canaries: well-known example credentials and made-up tokens, none of them live.
AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAcanaryCANARYcanary0123456789\n-----END RSA PRIVATE KEY-----"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlLWNhbmFyeS0xMjM0NTY3ODkw"
ATLASSIAN = "ATATT3xFfGF0canaryTOKENvalue0123456789abcdef=F00D"
CANARIES = {
    "AWS access key id": (f"key {AWS_KEY_ID} in a cell", AWS_KEY_ID),
    "AWS secret key": (f"secret {AWS_SECRET}", AWS_SECRET),
    "private key block": (f"note: {PEM} end", "MIIEpAIBAAKCAQEAcanary"),
    "bearer token": ("Authorization: Bearer Zq8RkP3vXb7TnW2mLc9HyD4s", "Zq8RkP3vXb7TnW2mLc9HyD4s"),
    "JWT": (f"token={JWT}", "c2lnbmF0dXJlLWNhbmFyeS0xMjM0NTY3ODkw"),
    "Atlassian API token": (f"jira {ATLASSIAN}", ATLASSIAN),
    "password in a URL": ("https://admin:Hunter2-canary@db.example.com/app", "Hunter2-canary"),
    "high-entropy string": ("api key 9fQ2xLr7TbV1mZ8kWc4NpY6sHd3Gj5Ae", "9fQ2xLr7TbV1mZ8kWc4NpY6sHd3Gj5Ae"),
}
DECOYS = [
    "arn:aws:iam::111111111111:user/alice-smith",
    "arn:aws:s3:::Company-Prod-Logs-Archive-2026",
    "s3://fixture-cloudtrail-logs/AWSLogs/111111111111/CloudTrail/us-east-1/2026/07/10/"
    "111111111111_CloudTrail_us-east-1_20260710T1200Z_abcdEFGH1234.json.gz",
    "3f5a9c0e1d2b4a6f8e7d9c0b1a2f3e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f",  # an evidence sha256
    "account/111111111111/root/2026-07-09T12:00:00Z",
    "background check 2026-07-09, after start 2026-07-06",
    "ENG-IAM-03 sg-0123456789abcdef0 vpc-0a1b2c3d4e5f67890 i-0abcdef1234567890",
    "https://acme.atlassian.net/browse/SEC-42",
]


@pytest.mark.parametrize("kind", list(CANARIES))
def test_each_secret_shape_is_masked(kind):
    text, secret = CANARIES[kind]
    masked = redact(text)
    assert secret not in masked and MASK in masked


@pytest.mark.parametrize("text", DECOYS)
def test_names_ids_hashes_and_dates_are_kept(text):
    assert redact(text) == text


def rendered(scope: Scope, raw: ControlResult, folder: Path) -> list[str]:
    """Every text people read about `raw`, as the flow makes it: the redacted verdict's report files and ticket
    text (HTML entities undone, so an escaped canary is still seen)."""
    result = redacted(raw)
    assert result.status == raw.status != "operating"
    report = build_report(scope, window_of(scope), "run", "store", [result], dry_run=True)
    texts = [p.read_text() for p in write_report(report, folder / "out").values()]
    texts += [describe(gap, scope, "report.html") for gap in group_gaps([result], scope.organization, "control")]
    return [html.unescape(text) for text in texts]


def assert_masked(raw: ControlResult, texts: list[str], secrets: list[str], named: list[str]) -> None:
    """The verdict quotes each secret (so there is something to catch), no output does, and each name the owner
    needs to fix the gap is still in every output."""
    for secret in secrets:
        assert secret in raw.model_dump_json(), secret
        assert not [text for text in texts if secret in text], secret
    for name in named:
        assert all(name in text for text in texts), name


def test_canaries_in_hr_cells_reach_neither_the_report_nor_ticket_text(tmp_path):
    people = [
        Person("E1", started=date(2026, 7, 6), background_check=f"done {AWS_SECRET}"),
        Person("E2", started=date(2026, 7, 6), background_check=PEM),
        Person("E3", started=date(2026, 7, 6), background_check=date(2026, 7, 1)),  # the decoy: clean and kept
    ]
    scope = make_scope(tmp_path, files=hr_roster(tmp_path, people))
    raw = run_control(scope, "HR-01")
    assert_masked(raw, rendered(scope, raw, tmp_path), [AWS_SECRET, "MIIEpAIBAAKCAQEAcanary"], ["employee/E1"])


def test_canaries_in_vendor_register_cells_reach_neither_the_report_nor_ticket_text(tmp_path):
    start = date(2026, 7, 15)
    suppliers = [
        Supplier("Globex", tier="high", onboarded=start, tier_approved=f"approved {AWS_SECRET}"),
        Supplier("Hooli", tier="high", onboarded=start, tier_approved=f"see {ATLASSIAN}"),
        Supplier("Initech", tier="high", onboarded=start, tier_approved=date(2026, 7, 1)),  # the decoy
    ]
    scope = make_scope(tmp_path, files=vendor_register(tmp_path, suppliers))
    raw = run_control(scope, "PROC-01")
    assert {g.resource for g in raw.coverage_gaps} == {"vendor/Globex", "vendor/Hooli"}  # the clean row is used
    assert_masked(raw, rendered(scope, raw, tmp_path), [AWS_SECRET, ATLASSIAN], ["vendor/Globex", "vendor/Hooli"])


def test_canaries_in_cloudtrail_request_parameters_reach_neither_the_report_nor_ticket_text(aws, tmp_path):
    """A policy name is copied from PutUserPolicy's requestParameters into the exception's value."""
    secret_named = AWS_SECRET.replace("/", "+")  # an AWS secret key's shape in the characters a policy name allows
    policies = {"ci": ATLASSIAN, "ops": secret_named, "dev": "break-fix"}  # dev's: the decoy, a plain name
    events = []
    for user, policy in policies.items():
        iam(aws).create_user(UserName=user)
        parameters = {"userName": user, "policyName": policy, "policyDocument": json.dumps(ADMIN)}
        events.append(iam_event("PutUserPolicy", at(5), PROD, "alice", parameters))
    upload(aws, events)
    scope = scope_for(tmp_path, aws)
    with one_data_loader():
        raw = run_control(scope, "ENG-IAM-07")
    assert {e.resource for e in raw.exceptions} == {f"account/{PROD}/user/{user}" for user in policies}
    names = [f"account/{PROD}/user/{user}" for user in policies] + ["inline policy break-fix (PutUserPolicy by alice)"]
    assert_masked(raw, rendered(scope, raw, tmp_path), [ATLASSIAN, secret_named], names)


@pytest.fixture
def jira(monkeypatch):
    yield from jira_sandbox(monkeypatch)


def test_a_canary_in_a_jira_field_reaches_neither_the_report_nor_ticket_text(jira, tmp_path):
    """ENG-INC-01 copies an incident's severity field into the row's value."""
    opened = datetime(2026, 7, 1, 9, tzinfo=UTC)  # unresolved past the 30 days: an exception

    def incident(severity: str, resolved: datetime | None) -> str:
        fields = {"customfield_10044": {"value": severity}}
        return seed_ticket(jira, "INC", "Incident", opened, resolved, issue_type="Incident", fields=fields)

    leaked = incident(f"Sev3 {ATLASSIAN}", None)
    plain = incident("Sev3", None)  # the decoy: the same gap with a clean field
    incident("Sev3", opened + timedelta(days=1))  # resolved in time: no gap
    scope = make_scope(tmp_path, jira=jira_scope(jira))
    raw = run_control(scope, "ENG-INC-01")
    assert {e.resource for e in raw.exceptions} == {f"incident/{leaked}", f"incident/{plain}"}
    assert_masked(raw, rendered(scope, raw, tmp_path), [ATLASSIAN], [f"incident/{leaked}", f"incident/{plain}"])
