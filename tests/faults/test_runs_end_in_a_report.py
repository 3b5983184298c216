"""Every run ends in a report: missing AWS credentials, a missing Jira token and a scope without Jira each leave
their controls no_evidence naming the cause, the report written, and exit code 3."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from socready.catalog import load_catalog
from socready.cli import main
from socready.evidence import open_store
from socready.report.model import Report
from socready.tickets.sync import NO_JIRA
from tests.helpers import WINDOW

ACCOUNT = "111111111111"


def write_scope(folder: Path, endpoint: str, logs: list[dict] = (), **extra) -> Path:
    raw = {
        "organization": "Fault Co",
        "window": WINDOW,
        "aws": {
            "accounts": [{"id": ACCOUNT}],
            "regions": ["us-east-1"],
            "endpoint_url": endpoint,
            "role": {"name": "socready-collector"},
            "cloudtrail_logs": list(logs),
        },
        **extra,
    }
    path = folder / "socready.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def run(path: Path, *options: str) -> tuple[int, Report]:
    code = main(["run", "--scope", str(path), "--as-of", "2026-08-15", *options])
    folder = path.parent / "socready-report"
    assert {p.name for p in folder.iterdir()} >= {"report.json", "report.md", "report.html"}
    return code, Report.model_validate_json((folder / "report.json").read_text())


def reading(report: Report, prefix: str) -> list:
    """Assessed controls that need a source of `prefix` (not only as an optional one)."""
    catalog = load_catalog()
    return [
        c
        for c in report.controls
        if c.status != "not_applicable"
        and any(s.startswith(prefix) and s not in catalog[c.id].optional_evidence for s in catalog[c.id].evidence)
    ]


@pytest.fixture
def no_aws_credentials(aws, monkeypatch, tmp_path):
    """No credentials anywhere boto3 looks: environment, files, instance metadata."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return aws


def test_a_missing_jira_token_fails_the_jira_sources_and_the_ticket_step_not_the_run(
    prefect_harness, aws, tmp_path, monkeypatch
):
    monkeypatch.delenv("FAULT_JIRA_TOKEN", raising=False)
    jira = {"url": "https://jira.example.invalid", "user": "bot@example.com", "token_env": "FAULT_JIRA_TOKEN"}
    owners = {team: {"project": "SEC"} for team in ("engineering", "hr", "procurement")}
    code, report = run(write_scope(tmp_path, aws, jira=jira, owners=owners), "--dry-run")
    assert code == 3
    assert report.tickets is not None and report.tickets.status == "failed"
    assert "FAULT_JIRA_TOKEN" in report.tickets.note
    jira_controls = reading(report, "jira.")
    assert jira_controls
    for control in jira_controls:
        assert control.status == "no_evidence", control.id
        assert any(e.startswith("jira.") for e in control.collection_errors), control.id
    store = open_store(str(tmp_path / "evidence"))
    failures = store.load_manifest(report.run_id).errors
    jira_failures = [f for f in failures if f.source.startswith("jira.") and not f.not_configured]
    assert jira_failures and all("FAULT_JIRA_TOKEN" in f.message for f in jira_failures)


# Last in the module: Prefect's console log handler keeps the stream capsys swaps in, closed after the test.
def test_missing_aws_credentials_and_no_jira_section_still_end_in_a_report(
    prefect_harness, no_aws_credentials, tmp_path, capsys
):
    # a log bucket: its S3 client was made outside any guard, where the missing credentials first crashed a run
    code, report = run(write_scope(tmp_path, no_aws_credentials, logs=[{"bucket": "fault-logs"}]), "--dry-run")
    assert code == 3
    assert report.tickets is not None and (report.tickets.status, report.tickets.note) == ("skipped", NO_JIRA)
    assert not [c.id for c in report.controls if c.status == "operating"]  # nothing passes on evidence never read
    assessed = reading(report, "aws.")
    assert assessed
    for control in assessed:
        assert control.status == "no_evidence", control.id
        assert any("NoCredentialsError" in e for e in control.collection_errors), control.id
    failures = open_store(str(tmp_path / "evidence")).load_manifest(report.run_id).errors
    assert all("AWS_PROFILE" in f.message for f in failures if f.error == "NoCredentialsError")  # names the fix
    out = capsys.readouterr().out
    assert "Gap tickets skipped" in out and "Traceback" not in out
    assert "Gap tickets" in (tmp_path / "socready-report" / "report.md").read_text()
