"""The command line: every command and option is documented in --help."""

from __future__ import annotations

import argparse

import pytest

from socready.cli import build_parser, main


def parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """Every (command path, parser) pair, nested sub-commands included."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from parsers(sub, (*path, name))


def test_every_command_and_option_has_help(capsys):
    commands = dict(parsers(build_parser()))
    assert {("init",), ("check",), ("run",), ("demo",), ("sandbox",), ("controls",), ("evidence", "verify")} <= set(
        commands
    )
    for path, parser in commands.items():
        for action in parser._actions:
            if action.option_strings or action.dest not in ("command", "evidence_command"):
                assert action.help, f"socready {' '.join(path)}: {action.dest} has no help"
        with pytest.raises(SystemExit) as done:
            main([*path, "--help"])
        assert done.value.code == 0 and "usage: socready" in capsys.readouterr().out


def test_controls_lists_the_catalog(capsys):
    assert main(["controls"]) == 0
    out = capsys.readouterr().out
    assert "ENG-LOG-01" in out and "PROC-02" in out and "CC9.2" in out


def test_verify_on_an_empty_store_is_an_error(tmp_path, capsys):
    assert main(["evidence", "verify", "--store", str(tmp_path)]) == 2
    assert "no runs" in capsys.readouterr().err
