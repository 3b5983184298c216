"""`socready advise`: flags or a prompt in, the recommendation (text or JSON) out, and a valid starter scope."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

import pytest

from socready.advisor.recommendation import Recommendation
from socready.cli import main
from socready.scope import load_scope

ENTERPRISE = {
    "organization": "Acme, Inc.",
    "financial_reporting": False,
    "buyers": ["enterprise", "mid_market"],
    "customer_asked": ["soc2", "iso27001"],
    "urgent": True,
    "public_trust_page": True,
    "soc2_completed": "none",
    "handles_customer_data": True,
    "uptime_commitments": True,
    "confidential_data": True,
    "processes_transactions": False,
    "personal_data": False,
    "today": "2026-11-20",
}


def advise(*extra: str, **changes: object) -> list[str]:
    """`socready advise` with the ENTERPRISE answers as flags; a change of None drops that flag."""
    argv = ["advise"]
    for name, value in (ENTERPRISE | changes).items():
        flag = "--" + name.replace("_", "-")
        if isinstance(value, bool):
            argv.append(flag if value else flag.replace("--", "--no-"))
        elif value is not None:
            argv += [flag, ",".join(value) if isinstance(value, list) else value]
    return [*argv, *extra]


class Terminal(io.StringIO):
    """Typed answers on a stdin that claims to be a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


def test_prints_each_recommendation_with_its_reason_and_dated_timeline(capsys):
    assert main(advise()) == 0
    out = capsys.readouterr().out
    for expected in (
        "SOC report advice for Acme, Inc., as of 2026-11-20",
        "  - SOC 2 Type I\n      A customer needs a report within about 3 months",
        "  - SOC 2 Type II\n      Enterprise and mid-market procurement teams",
        "  - SOC 3\n      A public trust page",
        "  - availability\n      Customers rely on your uptime commitments",
        "  - confidentiality\n",
        "Window: 3 months, 2027-03-01 to 2027-05-31",
        "2026-11-20 to 2027-01-19  Readiness and control implementation",
        "2027-01-20 to 2027-02-28  Controls operating consistently before the window opens",
        f"{'2027-07-31':<24}  SOC 2 Type II report issued",
        "does not replace ISO 27001",
    ):
        assert expected in out, expected


def test_json_output_parses(capsys):
    assert main(advise("--json")) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert Recommendation.model_validate_json(out).reports[0].title == "SOC 2 Type I"
    assert [r["title"] for r in data["reports"]] == ["SOC 2 Type I", "SOC 2 Type II", "SOC 3"]
    assert data["window"] | {"reason": "", "rules": []} == {
        "months": 3,
        "start": "2027-03-01",
        "end": "2027-05-31",
        "reason": "",
        "rules": [],
    }
    assert all(item["reason"] and item["rules"] for item in data["reports"] + data["categories"] + data["notes"])
    assert data["profile"]["customer_asked"] == ["soc2", "iso27001"]


def test_today_defaults_to_the_utc_date(capsys):
    assert main(advise("--json", today=None)) == 0
    assert json.loads(capsys.readouterr().out)["profile"]["today"] == datetime.now(UTC).date().isoformat()


def test_written_scope_is_valid_and_holds_the_advice(tmp_path, capsys):
    path = tmp_path / "socready.yaml"
    assert main(advise("--write-scope", str(path))) == 0
    assert f"wrote {path}" in capsys.readouterr().out
    scope = load_scope(path)
    assert scope.organization == "Acme, Inc."
    assert scope.report.type == "type2"
    assert scope.categories == ["security", "availability", "confidentiality"]
    assert (str(scope.window.start), str(scope.window.end)) == ("2027-03-01", "2027-05-31")
    text = path.read_text(encoding="utf-8")
    starter = files("socready.scope").joinpath("starter.yaml").read_text(encoding="utf-8")
    comments = [line for line in starter.splitlines() if line.lstrip().startswith("#")]
    assert all(line in text for line in comments), "the starter's comments are kept"
    assert "SOC 2 Type I, SOC 2 Type II, SOC 3" in text.splitlines()[0]


def test_no_audit_profile_still_writes_a_readiness_scope(tmp_path):
    path = tmp_path / "socready.yaml"
    argv = advise(
        "--write-scope", str(path), buyers=["smb"], customer_asked=["none"], urgent=False, public_trust_page=False
    )
    assert main(argv) == 0
    scope = load_scope(path)
    assert (str(scope.window.start), str(scope.window.end)) == ("2027-04-01", "2027-09-30")
    assert "no audit yet" in path.read_text(encoding="utf-8").splitlines()[0]


def test_existing_scope_is_overwritten_only_with_force(tmp_path, capsys):
    path = tmp_path / "socready.yaml"
    path.write_text("keep me\n")
    assert main(advise("--write-scope", str(path))) == 2
    captured = capsys.readouterr()
    assert "already exists; pass --force" in captured.err and captured.out == ""
    assert path.read_text() == "keep me\n"
    assert main(advise("--write-scope", str(path), "--force")) == 0
    assert load_scope(path).organization == "Acme, Inc."


def test_json_with_write_scope_keeps_stdout_parseable(tmp_path, capsys):
    path = tmp_path / "socready.yaml"
    assert main(advise("--json", "--write-scope", str(path))) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["profile"]["organization"] == "Acme, Inc."
    assert f"wrote {path}" in captured.err


def test_missing_answers_without_a_terminal_list_the_flags(capsys):
    assert main(["advise", "--organization", "Acme", "--buyers", "smb"]) == 2
    err = capsys.readouterr().err
    assert "no terminal" in err
    for flag in ("--[no-]financial-reporting", "--customer-asked", "--soc2-completed", "--[no-]personal-data"):
        assert flag in err
    assert "--organization" not in err and "--buyers" not in err


def test_prompt_asks_what_the_flags_did_not_answer(monkeypatch, capsys):
    typed = [
        "Acme",  # organization
        "maybe",  # financial reporting: not yes/no, asked again
        "yes",
        "enterprise, galactic",  # buyers: unknown value, asked again
        "enterprise smb",
        "soc2_type2",
        "n",  # urgent
        "n",  # trust page
        "type2",  # SOC 2 completed
        "2026-06-30",  # asked only because of type2
        "y",  # handles customer data
        "y",  # uptime
        "n",  # confidential
        "n",  # transactions
    ]
    monkeypatch.setattr("sys.stdin", Terminal("\n".join(typed) + "\n"))
    assert main(["advise", "--personal-data", "--today", "2026-11-20", "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["profile"]["buyers"] == ["enterprise", "smb"]
    assert data["profile"]["previous_period_end"] == "2026-06-30"
    assert [r["title"] for r in data["reports"]] == ["SOC 1 Type II", "SOC 2 Type II"]
    assert [c["category"] for c in data["categories"]] == ["security", "availability", "privacy"]
    assert data["window"]["months"] == 12 and data["window"]["start"] == "2026-07-01"
    assert "answer yes or no" in captured.err and "galactic: answer one or more of" in captured.err
    assert "personal data" not in captured.err  # answered by its flag, not asked


def test_prompt_ending_early_is_an_error(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", Terminal("Acme\nyes\n"))
    assert main(["advise"]) == 2
    assert "input ended before --buyers was answered" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"customer_asked": ["none", "soc2"]}, "'none' cannot be combined"),
        ({"buyers": ["galactic"]}, "galactic: answer one or more of"),
        ({"soc2_completed": "type3"}, "invalid choice"),
        ({"today": "20-11-2026"}, "write it as YYYY-MM-DD"),
    ],
)
def test_malformed_flags_are_refused_by_the_parser(capsys, change, message):
    with pytest.raises(SystemExit) as done:
        main(advise(**change))
    assert done.value.code == 2 and message in capsys.readouterr().err


def test_contradicting_answers_are_refused(capsys):
    assert main(advise(customer_asked=["none"])) == 2  # --urgent, but nobody asked for a report
    assert "invalid answers" in capsys.readouterr().err


def test_previous_period_end_without_a_completed_type2_is_refused(capsys):
    assert main(advise(previous_period_end="2026-06-30")) == 2
    assert "previous_period_end applies only when soc2_completed is type2" in capsys.readouterr().err


def test_docs_and_readme_mention_the_command():
    root = Path(__file__).parents[2]
    assert "`socready advise" in (root / "README.md").read_text(encoding="utf-8")
