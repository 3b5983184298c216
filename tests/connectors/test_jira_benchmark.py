"""A smoke run of benchmarks/jira_changes.py at a tiny scale: the benchmark keeps working as the code changes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "jira_changes.py"


def test_the_benchmark_runs_and_stays_near_the_minimum_requests():
    done = subprocess.run(
        [sys.executable, str(BENCHMARK), "--scale", "0.01"], capture_output=True, text=True, timeout=120, check=True
    )
    made, minimum = map(int, re.search(r"requests (\d+) vs minimum (\d+)", done.stdout).groups())
    assert made <= minimum + 3  # the three set-up requests: serverInfo, myself, field
    assert "incremental run after one more day" in done.stdout
