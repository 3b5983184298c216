"""The scope file: valid files load; a malformed one fails before any work, naming file, field and fix."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from socready.applicability import plan_assessments
from socready.catalog import load_catalog
from socready.cli import main
from socready.errors import ScopeError
from socready.scope import load_scope, scope_from_text
from socready.scope.models import EXPORT_COLUMNS

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


def test_cli_check_rejects_an_unknown_export_column_naming_section_key_and_known_keys(tmp_path, capsys):
    path = Path(tmp_path / "socready.yaml")
    roster = "files: {hr_roster: {path: roster.csv, columns: {employee_id: Staff ID, emial: Work Email}}}\n"
    path.write_text(MINIMAL + roster)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "files.hr_roster.columns: unknown socready column(s) emial; known: employee_id, start_date, " in err
    assert "email, full_name, iam_user, jira_user" in err


@pytest.mark.parametrize("export", ["hr_roster", "vendor_register", "training", "policy_acknowledgements"])
def test_every_declared_export_column_may_be_mapped(export):
    columns = ", ".join(f"{name}: Header {n}" for n, name in enumerate(EXPORT_COLUMNS[export]))
    scope = scope_from_text(MINIMAL + f"files: {{{export}: {{path: x.csv, columns: {{{columns}}}}}}}\n")
    assert set(getattr(scope.files, export).columns) == set(EXPORT_COLUMNS[export])


def test_production_defaults_to_the_environment_tag_matched_regardless_of_case():
    production = scope_from_text(MINIMAL + AWS.format("name: prod")).aws.production
    assert (production.accounts, production.tags, production.tag_match) == (
        [],
        {"environment": ["production"]},
        "case_insensitive",
    )


def test_starter_production_lines_uncommented_are_valid(tmp_path):
    text = STARTER.replace("  # production:", "  production:")
    for key in ("accounts", "tags", "tag_match"):
        text = text.replace(f"  #   {key}:", f"    {key}:")
    production = scope_from_text(text, base=tmp_path).aws.production
    assert production.accounts == ["123456789012"]
    assert production.tags == {"environment": ["production", "prod"]}
    assert production.tag_match == "case_insensitive"


def test_production_accounts_tags_and_exact_matching(tmp_path):
    text = MINIMAL + (
        'aws: {accounts: [{id: "123456789012"}], regions: [us-east-1], production: {accounts: ["123456789012"], '
        "tags: {Environment: [Production, prod], tier: [critical]}, tag_match: exact}}\n"
    )
    production = scope_from_text(text).aws.production
    assert production.accounts == ["123456789012"]
    assert production.tags == {"Environment": ["Production", "prod"], "tier": ["critical"]}
    assert production.tag_match == "exact"


@pytest.mark.parametrize(
    ("setting", "field", "hint"),
    [
        ("{tag_match: loose}", "aws.production.tag_match", "allowed values"),
        ("{accounts: [12345]}", "aws.production.accounts", "12 digits"),
        ("{tag: {environment: [production]}}", "aws.production.tag", "check its spelling"),
    ],
)
def test_invalid_production_setting_is_named(tmp_path, setting, field, hint):
    path = tmp_path / "socready.yaml"
    path.write_text(
        MINIMAL + 'aws: {accounts: [{id: "123456789012"}], regions: [us-east-1], production: ' + setting + "}\n"
    )
    with pytest.raises(ScopeError) as error:
        load_scope(path)
    assert field in str(error.value) and hint in str(error.value)


@pytest.mark.parametrize(
    ("controls", "named"),
    [
        (
            "{ENG-IAM-05: {parameters: {max_age_day: 90}}}",
            "controls.ENG-IAM-05.parameters.max_age_day: ENG-IAM-05 has no parameter 'max_age_day'; "
            "its parameters: max_key_age_days",
        ),
        (
            '{ENG-ACC-03: {parameters: {sla_hours: "abc"}}}',
            "controls.ENG-ACC-03.parameters.sla_hours: 'abc' is not a number (default 24.0)",
        ),
        ("{ENG-IAM-04: {parameters: {require_symbols: 1}}}", "require_symbols: 1 is not true or false"),
        ("{ENG-IAM-04: {parameters: {min_length: 9.5}}}", "min_length: 9.5 is not a whole number (default 14)"),
        ("{HR-03: {parameters: {policy_version: 2026}}}", "policy_version: 2026 is not a string"),
        ("{ENG-XYZ-99: {parameters: {a: 1}}}", "controls.ENG-XYZ-99: unknown control id"),
    ],
)
def test_cli_check_rejects_unknown_and_mistyped_control_settings(tmp_path, capsys, controls, named):
    path = Path(tmp_path / "socready.yaml")
    path.write_text(MINIMAL + f"controls: {controls}\n")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert named in err and str(path) in err and "Traceback" not in err


def test_cli_check_rejects_an_exception_for_an_unknown_control(tmp_path, capsys):
    path = Path(tmp_path / "socready.yaml")
    exception = "{control: ENG-IAM-99, resource: '*', reason: r, approver: a, expires: 2027-01-01}"
    path.write_text(MINIMAL + f"exceptions: [{exception}]\n")
    assert main(["check", str(path)]) == 2
    assert "exceptions[0].control: unknown control id 'ENG-IAM-99'" in capsys.readouterr().err


def test_parameters_of_the_catalog_types_pass_check_and_run_planning(tmp_path, capsys):
    """A float parameter takes a whole number; a string one a quoted value; the override reaches the plan."""
    path = Path(tmp_path / "socready.yaml")
    path.write_text(
        MINIMAL + "controls: {ENG-BCK-01: {parameters: {min_backup_day_share: 1, min_retention_days: 14}}, "
        'HR-03: {parameters: {policy_version: "2026.1"}}, ENG-IAM-04: {parameters: {require_symbols: false}}}\n'
    )
    assert main(["check", str(path)]) == 0
    plans = {p.control.id: p for p in plan_assessments(load_catalog(), load_scope(path))}
    bck = plans["ENG-BCK-01"].parameters
    assert (bck.min_retention_days, bck.min_backup_day_share) == (14, 1.0)
    assert plans["ENG-IAM-04"].parameters.require_symbols is False
    assert plans["ENG-IAM-04"].parameters.min_length == 14  # the spec's default where the scope says nothing
    assert plans["HR-03"].parameters.policy_version == "2026.1"


def test_run_planning_rejects_a_misspelled_parameter(tmp_path):
    scope = scope_from_text(MINIMAL + "controls: {HR-05: {parameters: {sla_hour: 48}}}\n")
    with pytest.raises(ScopeError, match=r"controls\.HR-05\.parameters\.sla_hour: HR-05 has no parameter"):
        plan_assessments(load_catalog(), scope)


def test_config_baseline_months_defaults_to_13_and_takes_another_value():
    aws = 'aws: {accounts: [{id: "123456789012"}], regions: [us-east-1]%s}\n'
    assert scope_from_text(MINIMAL + aws % "").aws.config_baseline_months == 13
    assert scope_from_text(MINIMAL + aws % ", config_baseline_months: 6").aws.config_baseline_months == 6
    with pytest.raises(ScopeError, match="config_baseline_months"):
        scope_from_text(MINIMAL + aws % ", config_baseline_months: 0")


def test_triage_settings_default_off_and_take_other_values():
    tickets = scope_from_text(MINIMAL).tickets
    assert (tickets.fieldwork_date, tickets.response_lead_days, tickets.response_field) == (None, 7, None)
    assert (tickets.acceptance, tickets.dispute_resolution) == (None, None)
    text = MINIMAL + (
        "tickets: {fieldwork_date: 2026-08-15, response_lead_days: 10, response_field: Management response,"
        " acceptance: {resolution: null, status: Accepted, expiry_field: customfield_10200},"
        " dispute_resolution: Disputed}\n"
        "owners: {engineering: {project: SEC, approvers: [ciso@example.com]}}\n"
    )
    scope = scope_from_text(text)
    tickets = scope.tickets
    assert (str(tickets.fieldwork_date), tickets.response_lead_days, tickets.response_field) == (
        "2026-08-15",
        10,
        "Management response",
    )
    assert (tickets.acceptance.status, tickets.acceptance.resolution, tickets.acceptance.expiry_field) == (
        "Accepted",
        None,
        "customfield_10200",
    )
    assert tickets.dispute_resolution == "Disputed" and scope.owners["engineering"].approvers == ["ciso@example.com"]
    assert scope_from_text(MINIMAL + "tickets: {acceptance: {}}\n").tickets.acceptance.resolution == "Risk Accepted"
    assert scope_from_text(MINIMAL).owners == {}
    with pytest.raises(ScopeError, match="needs a resolution or a status"):
        scope_from_text(MINIMAL + "tickets: {acceptance: {resolution: null}}\n")


def test_jira_auth_and_deployment_default_to_cloud_basic_and_take_data_center_bearer():
    jira = "jira: {url: https://jira.example.com, user: bot%s}\n"
    spec = scope_from_text(MINIMAL + jira % "").jira
    assert (spec.auth, spec.deployment) == ("basic", "cloud")
    spec = scope_from_text(MINIMAL + jira % ", auth: bearer, deployment: data_center").jira
    assert (spec.auth, spec.deployment) == ("bearer", "data_center")
    with pytest.raises(ScopeError, match="auth"):
        scope_from_text(MINIMAL + jira % ", auth: oauth")
