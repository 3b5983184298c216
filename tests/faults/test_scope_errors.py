"""Scope errors name the field and the fix, and a token pasted where a variable name belongs is never repeated."""

from __future__ import annotations

import logging
import os
import traceback

import pytest

from socready.cli import main
from socready.errors import ScopeError
from socready.scope import scope_from_text

BASE = "organization: Acme\nwindow: {{start: {start}, end: {end}, timezone: UTC}}\n"
GOOD = {"start": "2026-01-01", "end": "2026-06-30"}
JIRA = "jira: {{url: {url}, user: bot@example.com, token_env: {token_env}}}\n"
CANARY_TOKEN = "ATATT3xFfGF0canaryTOKENvalue0123456789abcdef=F00D"
PLAIN_TOKEN = "Zq8RkP3vXb7TnW2mLc9HyD4s"  # 24 mixed-case letters and digits: an older Atlassian token's shape


def error_of(text: str) -> str:
    with pytest.raises(ScopeError) as caught:
        scope_from_text(text, source="socready.yaml")
    return str(caught.value)


@pytest.mark.parametrize(
    ("window", "field"),
    [
        ({"start": "2026-02-30"}, "window.start"),
        ({"end": "2026-13-01"}, "window.end"),
        ({"end": "2026-06-31"}, "window.end"),
    ],
)
def test_an_impossible_window_date_names_the_field_and_the_fix(window, field):
    message = error_of(BASE.format(**{**GOOD, **window}))
    assert f"{field}:" in message and "YYYY-MM-DD" in message
    scope_from_text(BASE.format(**GOOD))  # the decoy: the same scope with real dates loads


def test_impossible_dates_and_times_anywhere_in_the_scope_name_their_field():
    exception = "exceptions: [{control: HR-01, resource: x, reason: r, approver: a, expires: 2026-04-31}]\n"
    assert "exceptions[0].expires:" in error_of(BASE.format(**GOOD) + exception)
    aws = 'aws: {accounts: [{id: "123456789012", joined: "2026-03-15T25:00:00Z"}], regions: [us-east-1]}\n'
    message = error_of(BASE.format(**GOOD) + aws)
    assert "aws.accounts[0].joined:" in message and "YYYY-MM-DDTHH:MM:SS" in message
    valid = exception.replace("2026-04-31", "2026-04-30") + aws.replace("T25", "T23")
    assert scope_from_text(BASE.format(**GOOD) + valid).exceptions[0].expires.day == 30


def test_the_impossible_date_reaches_the_user_as_a_named_error_not_a_traceback(tmp_path, capsys):
    path = tmp_path / "socready.yaml"
    path.write_text(BASE.format(start="2026-02-30", end="2026-06-30"))
    assert main(["check", str(path)]) == 2
    assert main(["run", "--scope", str(path), "--dry-run"]) == 2  # an unreadable scope: no run, no report
    err = capsys.readouterr().err
    assert "window.start" in err and "Traceback" not in err
    assert not (tmp_path / "socready-report").exists()


@pytest.mark.parametrize("url", ["example.atlassian.net", "ftp://example.atlassian.net", "https://"])
def test_a_url_without_a_scheme_or_host_is_refused(url):
    message = error_of(BASE.format(**GOOD) + JIRA.format(url=url, token_env="JIRA_API_TOKEN"))
    assert "jira.url:" in message and "https://example.atlassian.net" in message
    endpoint = f'aws: {{accounts: [{{id: "123456789012"}}], regions: [us-east-1], endpoint_url: "{url}"}}\n'
    assert "aws.endpoint_url:" in error_of(BASE.format(**GOOD) + endpoint)
    scope_from_text(BASE.format(**GOOD) + JIRA.format(url="https://acme.atlassian.net", token_env="JIRA_API_TOKEN"))


@pytest.mark.parametrize("token", [CANARY_TOKEN, PLAIN_TOKEN, "not a variable"])
def test_a_token_pasted_into_token_env_is_refused_and_never_echoed(tmp_path, capsys, caplog, token):
    path = tmp_path / "socready.yaml"
    path.write_text(BASE.format(**GOOD) + JIRA.format(url="https://acme.atlassian.net", token_env=f'"{token}"'))
    with caplog.at_level(logging.DEBUG):
        assert main(["check", str(path)]) == 2
        assert main(["run", "--scope", str(path), "--dry-run"]) == 2
    captured = capsys.readouterr()
    assert "jira.token_env:" in captured.err and "JIRA_API_TOKEN" in captured.err
    assert token not in captured.out + captured.err + caplog.text
    with pytest.raises(ScopeError) as caught:
        scope_from_text(path.read_text())
    assert token not in "".join(traceback.format_exception(caught.value))  # no chained error repeating it


@pytest.mark.parametrize("name", ["JIRA_API_TOKEN", "SOCREADY_JIRA_TOKEN_2", "jira_token"])
def test_variable_names_are_accepted_as_token_env(name):
    scope = scope_from_text(BASE.format(**GOOD) + JIRA.format(url="https://acme.atlassian.net", token_env=name))
    assert scope.jira.token_env == name


def test_check_names_export_files_that_are_missing_or_unreadable(tmp_path, capsys):
    readable, locked = tmp_path / "roster.csv", tmp_path / "vendors.csv"
    readable.write_text("Employee ID\n1\n")
    locked.write_text("Vendor\nAcme\n")
    locked.chmod(0)
    exports = {"hr_roster": readable, "vendor_register": locked, "training": "gone.csv"}
    files = "files:\n" + "".join(f"  {name}: {{path: {where}}}\n" for name, where in exports.items())
    path = tmp_path / "socready.yaml"
    path.write_text(BASE.format(**GOOD) + files)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "files.training.path" in err and "does not exist" in err
    if os.geteuid() != 0:  # root reads any file
        assert "files.vendor_register.path" in err and "not readable" in err
    assert "files.hr_roster" not in err  # the decoy: a readable export is not named
