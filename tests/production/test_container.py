"""The container image: the Dockerfile lints clean, and the install it runs gives a working socready outside the
source tree. Where a container builder runs (docker, podman, buildah), the image itself is built and run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def run(*command: str, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # nothing from the source tree leaks in
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env)


def test_dockerfile_lints_clean():
    done = run(str(Path(sys.executable).with_name("hadolint")), str(DOCKERFILE))
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_dockerfile_copies_the_core_packages_only_and_runs_as_a_non_root_user():
    text = DOCKERFILE.read_text()
    bases = re.findall(r"^FROM (\S+)", text, flags=re.MULTILINE)
    assert bases and all(re.fullmatch(r"python:3\.11-slim-\w+", base) for base in bases)
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    copied = set(re.findall(r"^COPY (\w+) \1$", text, flags=re.MULTILINE))
    assert copied == {pattern.rstrip("*") for pattern in packages["include"]}  # every core package, nothing else
    assert "sandbox" not in text.replace("no sandbox", "")
    final_stage = text.rsplit("\nFROM ", 1)[1]
    assert re.search(r"^USER 10001$", final_stage, flags=re.MULTILINE)
    assert final_stage.index("USER 10001") > final_stage.index("pip install")  # installed as root, runs as not


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The Dockerfile's install: a wheel of the source tree (`pip wheel --no-deps .`) installed into a fresh venv.
    Its dependencies come from the test's own environment (a .pth), so the test does not resolve them again."""
    folder = tmp_path_factory.mktemp("image")
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(folder), str(ROOT))
    assert built.returncode == 0, built.stderr
    [wheel] = folder.glob("socready-*.whl")
    venv = folder / "venv"
    assert run(sys.executable, "-m", "venv", str(venv)).returncode == 0
    python = venv / "bin/python"
    site = run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = run(str(python), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel))
    assert done.returncode == 0, done.stderr
    return venv


def test_the_installed_wheel_runs_socready_and_its_flow_outside_the_source_tree(installed, tmp_path):
    help_text = run(str(installed / "bin/socready"), "--help", cwd=tmp_path)
    assert help_text.returncode == 0 and "controls" in help_text.stdout, help_text.stderr
    where = run(
        str(installed / "bin/python"),
        "-c",
        "import socready, flows.readiness, expectations; from socready.catalog import load_catalog;"
        "print(socready.__file__); print(flows.readiness.readiness.name); print(len(load_catalog()))",
        cwd=tmp_path,
    )
    assert where.returncode == 0, where.stderr
    module, flow, controls = where.stdout.split()
    assert Path(module).is_relative_to(installed) and flow == "readiness" and int(controls) >= 39
    no_sandbox = run(str(installed / "bin/python"), "-c", "import socready_sandbox", cwd=tmp_path)
    assert "No module named 'socready_sandbox'" in no_sandbox.stderr  # the demo company is not in the image


def working_builder() -> str | None:
    for builder in ("docker", "podman", "buildah"):
        if shutil.which(builder) and run(builder, "info", timeout=60).returncode == 0:
            return builder
    return None


def test_the_image_builds_and_runs_where_a_container_builder_works():
    builder = working_builder()
    if builder is None:
        pytest.skip("no container builder runs here (docker, podman, buildah): the lint and install tests stand in")
    tag = "socready:test"
    built = run(builder, "build" if builder != "buildah" else "bud", "-t", tag, str(ROOT), timeout=1800)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    if builder != "buildah":
        ran = run(builder, "run", "--rm", tag, "socready", "controls")
        assert ran.returncode == 0 and "ENG-LOG-01" in ran.stdout
        user = run(builder, "run", "--rm", tag, "id", "-u")
        assert user.stdout.strip() == "10001"
