"""Redaction at every exit: secret-shaped values copied from evidence never reach the report or ticket text;
names, ids, hashes and dates people need are left as they are."""

from __future__ import annotations

import html
from datetime import date

import pytest

from socready.redact import MASK, redact, redacted
from socready.report.build import build_report
from socready.report.writer import write_report
from socready.tickets.content import describe
from socready.tickets.identity import group_gaps
from tests.controls.file_fixtures import Person, hr_roster
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


def test_canaries_in_hr_cells_reach_neither_the_report_nor_ticket_text(tmp_path):
    people = [
        Person("E1", started=date(2026, 7, 6), background_check=f"done {AWS_SECRET}"),
        Person("E2", started=date(2026, 7, 6), background_check=PEM),
        Person("E3", started=date(2026, 7, 6), background_check=date(2026, 7, 1)),  # the decoy: clean and kept
    ]
    scope = make_scope(tmp_path, files=hr_roster(tmp_path, people))
    raw = run_control(scope, "HR-01")
    assert AWS_SECRET in raw.model_dump_json()  # the verdict quotes the cell: the canary is there to be caught
    result = redacted(raw)
    assert result.status == raw.status != "operating"
    window = window_of(scope)
    report = build_report(scope, window, "run", "store", [result], dry_run=True)
    texts = [p.read_text() for p in write_report(report, tmp_path / "out").values()]
    texts += [describe(gap, scope, "report.html") for gap in group_gaps([result], scope.organization, "control")]
    for text in texts:
        for secret in (AWS_SECRET, "MIIEpAIBAAKCAQEAcanary"):
            assert secret not in text and secret not in html.unescape(text)
    assert any("employee/E1" in text for text in texts)  # what the owner needs to fix is still named
