"""Layering: dataset builders, verdicts, reports and tickets read evidence, never the collectors that wrote it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.least_privilege import outside_policy

ROOT = Path(__file__).parents[1]


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}


@pytest.mark.parametrize("folder", ["expectations", "socready/tickets", "socready/readiness", "socready/report"])
def test_no_connector_imports(folder):
    offending = {
        str(path.relative_to(ROOT)): sorted(m for m in imported(path) if m.split(".")[0] == "connectors")
        for path in (ROOT / folder).rglob("*.py")
    }
    assert {path: modules for path, modules in offending.items() if modules} == {}


def test_the_check_sees_both_import_forms(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import connectors.aws.kms\nfrom connectors.base import CollectContext\n")
    assert imported(module) == {"connectors.aws.kms", "connectors.base"}


def test_a_call_outside_the_collector_policy_is_named():
    assert outside_policy({"iam:CreateUser", "iam:GetCredentialReport"}) == ["iam:CreateUser"]


def printed_by(code: str) -> str:
    """What `code` prints in a fresh interpreter (this one has long imported everything)."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True, cwd=ROOT
    )
    return done.stdout.strip()


def test_the_flow_module_loads_neither_gx_nor_trestle():
    """GX (seconds of imports) loads in a thread while the run collects, and trestle only to export a package:
    importing the flow must pull in neither (it did, through socready.export's package-level re-exports)."""
    code = (
        "import sys, flows.readiness, socready.report.publish\n"
        "print(sorted({name.partition('.')[0] for name in sys.modules} & {'great_expectations', 'trestle'}))\n"
    )
    assert printed_by(code) == "[]"


def test_validation_loads_in_a_thread_of_its_own():
    code = (
        "import sys\n"
        "from socready.assess import VALIDATION, load_validation_meanwhile\n"
        "loading = load_validation_meanwhile()\n"
        "loading.join()\n"
        "print(loading.name, VALIDATION in sys.modules, 'great_expectations' in sys.modules)\n"
    )
    assert printed_by(code).split() == ["load-gx", "True", "True"]
