"""The scope file: valid files load; a malformed one fails before any work, naming file, field and fix."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from socready.cli import main
from socready.errors import ScopeError
from socready.scope import load_scope, scope_from_text

STARTER = files("socready.scope").joinpath("starter.yaml").read_text(encoding="utf-8")
MINIMAL = "organization: Acme\nwindow: {start: 2026-01-01, end: 2026-06-30, timezone: Europe/Berlin}\n"
AWS = 'aws: {{accounts: [{{id: "123456789012", {}}}], regions: [us-east-1]}}\n'


def test_starter_file_is_valid_and_resolves_relative_paths(tmp_path):
    scope = scope_from_text(STARTER, base=tmp_path)
    assert scope.categories[0] == "security"
    assert scope.evidence_store == str(tmp_path / "evidence")
    assert scope.files.hr_roster.path == str(tmp_path / "exports/hr_roster.csv")


def test_starter_discovery_lines_uncommented_are_valid(tmp_path):
    text = STARTER.replace("    # - {id: ", "    - {id: ").replace("  # organization: ", "  organization: ")
    scope = scope_from_text(text, base=tmp_path)
    assert [(a.id, a.joined and a.joined.isoformat()) for a in scope.aws.accounts] == [
        ("123456789012", None),
        ("210987654321", "2026-03-15T00:00:00+00:00"),
    ]
    assert scope.aws.discovery_account == "123456789012"


def test_security_is_always_in_scope_and_categories_deduplicated():
    scope = scope_from_text(MINIMAL + "categories: [privacy, availability, privacy]\n")
    assert scope.categories == ["security", "privacy", "availability"]


@pytest.mark.parametrize(
    ("text", "field", "hint"),
    [
        (MINIMAL.replace("Europe/Berlin", "Mars/Olympus"), "window.timezone", "IANA name"),
        (MINIMAL.replace("2026-06-30", "2025-06-30"), "window", "must be after start"),
        (MINIMAL + "categorie: [privacy]\n", "categorie", "check its spelling"),
        ("organization: Acme\n", "window", "add this field"),
        (MINIMAL + "report: {type: type3}\n", "report.type", "allowed values"),
        (MINIMAL + "aws: {accounts: [{id: 12345}], regions: [us-east-1]}\n", "aws.accounts[0].id", "12 digits"),
        (MINIMAL + "controls: {PROC-02: {applicable: false}}\n", "controls.PROC-02", "needs a reason"),
        (MINIMAL + AWS.format("joined: 2026-03-15"), "aws.accounts[0].joined", "needs a time and zone"),
        (MINIMAL + AWS.format('joined: "2026-03-15T00:00:00"'), "aws.accounts[0].joined", "needs a time zone"),
    ],
)
def test_invalid_scope_names_file_field_and_fix(tmp_path, text, field, hint):
    path = tmp_path / "socready.yaml"
    path.write_text(text)
    with pytest.raises(ScopeError) as error:
        load_scope(path)
    message = str(error.value)
    assert str(path) in message and field in message and hint in message


def test_yaml_syntax_error_names_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("organization: Acme\nwindow: {start: 2026-01-01\n")
    with pytest.raises(ScopeError, match=r"bad\.yaml: line \d+, column \d+ is not valid YAML"):
        load_scope(path)


def test_missing_file_suggests_init(tmp_path):
    with pytest.raises(ScopeError, match="socready init"):
        load_scope(tmp_path / "nope.yaml")


def test_cli_check_reports_malformed_scope_without_traceback(tmp_path, capsys):
    path = tmp_path / "socready.yaml"
    path.write_text(MINIMAL.replace("Europe/Berlin", "Nowhere/City"))
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "window.timezone" in err and "Traceback" not in err


def test_cli_init_then_check(tmp_path, capsys):
    path = tmp_path / "socready.yaml"
    assert main(["init", str(path)]) == 0
    assert main(["check", str(path)]) == 2  # the starter's export files do not exist yet
    assert "files.hr_roster.path" in capsys.readouterr().err
    (tmp_path / "exports").mkdir()
    for name in ("hr_roster", "vendor_register"):
        (tmp_path / "exports" / f"{name}.csv").write_text("header\n")
    assert main(["check", str(path)]) == 0
    assert "valid" in capsys.readouterr().out
    assert main(["init", str(path)]) == 2  # refuses to overwrite without --force


def test_cli_check_rejects_unknown_control_ids(tmp_path, capsys):
    path = Path(tmp_path / "socready.yaml")
    path.write_text(MINIMAL + "controls: {ENG-XYZ-99: {parameters: {a: 1}}}\n")
    assert main(["check", str(path)]) == 2
    assert "ENG-XYZ-99" in capsys.readouterr().err
