"""The core installs and runs without the sandbox distribution: no moto, flask or werkzeug in it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SANDBOX_ONLY = {"moto", "flask", "werkzeug", "flask-cors"}


def _env(*paths: Path) -> dict[str, str]:
    """Only these folders on the path: pytest's `pythonpath` puts the sandbox folder on this process's path."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, paths))}


def test_core_dependencies_leave_out_the_sandbox_stack():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {re.match(r"[A-Za-z0-9_.-]+", dep)[0].lower() for dep in project["dependencies"]}
    assert names and not names & SANDBOX_ONLY
    sandbox = tomllib.loads((ROOT / "sandbox" / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    sandbox_names = {re.match(r"[A-Za-z0-9_.-]+", dep)[0].lower() for dep in sandbox["dependencies"]}
    assert {"socready", "moto", "flask", "werkzeug"} <= sandbox_names


def test_importing_the_core_imports_no_sandbox_module():
    code = (
        "import sys\n"
        "import socready.cli, socready.assess, flows.readiness\n"
        "print(sorted({name.partition('.')[0] for name in sys.modules} & {'moto', 'flask', 'werkzeug', "
        "'flask_cors', 'socready_sandbox'}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=_env(ROOT), capture_output=True, text=True, timeout=300, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout


@pytest.mark.parametrize("missing", ["socready_sandbox", "moto"])
def test_demo_without_the_sandbox_says_how_to_install_it(tmp_path, missing):
    """A None entry in sys.modules makes `import` fail as if the distribution were not installed."""
    code = (
        f"import sys; sys.modules[{missing!r}] = None\n"
        "from socready.cli import main\n"
        f"sys.exit(main(['demo', '--sandbox-dir', {str(tmp_path)!r}]))\n"
    )
    env = _env(ROOT, ROOT / "sandbox")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert f"the sandbox is not installed ({missing} is missing)" in done.stderr
    assert "`pip install ./sandbox`" in done.stderr and "`make demo`" in done.stderr
    assert not any(tmp_path.iterdir()), "nothing may be started or written without the sandbox"
