"""The GX project a run leaves in its evidence store: suites and validation definitions named by control id,
one Checkpoint per run, results that line up across runs; on S3 the run's project files are uploaded."""

from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime

import boto3
import pandas as pd
import yaml

from expectations.runner import Suite, validate_in_store
from expectations.spec import at_most, covered
from socready.evidence import open_store

RULES = [covered("age", "No age was read."), at_most("age", 90, "The key is older than 90 days.")]


def suites(ages: list[float | None]) -> dict[str, Suite]:
    """ENG-IAM-01 with the given key ages; ENG-LOG-01 always clean (a decoy beside it)."""
    start = datetime(2026, 5, 1, tzinfo=UTC)
    keys = pd.DataFrame({"resource": [f"key/{n}" for n in range(len(ages))], "start": start, "age": ages})
    clean = pd.DataFrame({"resource": ["trail/main"], "start": [start], "age": [1.0]})
    return {"ENG-IAM-01": Suite(keys, RULES), "ENG-LOG-01": Suite(clean, RULES)}


def test_local_store_keeps_one_project_with_a_checkpoint_per_run(tmp_path):
    store = open_store(str(tmp_path / "evidence"))
    first = validate_in_store(store, "run-1", suites([10.0, 120.0, 30.0]))
    second = validate_in_store(store, "run-2", suites([10.0, 20.0, None]))

    assert [(f.on_fail, f.rows) for f in first["ENG-IAM-01"].failures] == [("exception", [1])]
    assert [(f.on_fail, f.rows) for f in second["ENG-IAM-01"].failures] == [("coverage", [2])]
    assert first["ENG-LOG-01"].failures == second["ENG-LOG-01"].failures == []

    project = tmp_path / "evidence" / "gx"
    assert sorted(p.stem for p in (project / "expectations").glob("*.json")) == ["ENG-IAM-01", "ENG-LOG-01"]
    assert sorted(p.stem for p in (project / "validation_definitions").glob("*.json")) == ["ENG-IAM-01", "ENG-LOG-01"]
    checkpoints = {p.stem: json.loads(p.read_text()) for p in (project / "checkpoints").glob("*.json")}
    assert sorted(checkpoints) == ["run-1", "run-2"]
    assert sorted(d["name"] for d in checkpoints["run-2"]["validation_definitions"]) == ["ENG-IAM-01", "ENG-LOG-01"]
    # both runs' results are filed under the same suite, one folder per run: they line up
    runs = sorted(p.name for p in (project / "uncommitted" / "validations" / "ENG-IAM-01").iterdir())
    assert runs == ["run-1", "run-2"]
    result = json.loads(
        next((project / "uncommitted" / "validations" / "ENG-IAM-01" / "run-1").rglob("*.json")).read_text()
    )
    [failed] = [r for r in result["results"] if not r["success"]]
    assert failed["result"]["unexpected_index_list"][0]["resource"] == "key/1"


def test_a_new_projects_validations_do_not_reread_the_configuration_variables_file(tmp_path, monkeypatch):
    """GX's scaffold names one, and a context that knows of it re-reads it on every config lookup (thousands a
    run, ≈ 4 s for 40 suites). Only making the project reads it: the reads do not grow with the suites."""
    from great_expectations.core.config_provider import _ConfigurationVariablesConfigurationProvider as Provider

    reads = []
    read = Provider.get_values
    monkeypatch.setattr(Provider, "get_values", lambda self: reads.append(1) or read(self))

    def first_run_reads(folder: str, count: int) -> int:
        reads.clear()
        many = {f"ENG-IAM-{n:02d}": suite for n in range(count) for suite in suites([10.0]).values()}
        validate_in_store(open_store(str(tmp_path / folder)), "run-1", many)
        return len(reads)

    assert first_run_reads("two", 2) == first_run_reads("eight", 8)
    config = yaml.safe_load((tmp_path / "two" / "gx" / "great_expectations.yml").read_text())
    assert config["config_variables_file_path"] is None


def test_s3_store_gets_the_runs_project_files_under_its_derived_files(aws, tmp_path):
    boto3.client("s3", endpoint_url=aws, region_name="us-east-1").create_bucket(Bucket="evidence")
    store = open_store("s3://evidence/socready", endpoint_url=aws)
    outcomes = validate_in_store(store, "run-1", suites([120.0]))

    assert [f.rows for f in outcomes["ENG-IAM-01"].failures] == [[0]]
    files = set(store.backend.keys("derived/run-1/"))
    assert {"derived/run-1/gx/checkpoints/run-1.json", "derived/run-1/gx/expectations/ENG-IAM-01.json"} <= files
    assert "derived/run-1/gx/validation_definitions/ENG-LOG-01.json" in files
    assert not any(key.endswith(".pkl") for key in files)  # the datasets are stored as dataset.csv by assessment
    assert store.verify_derived() == []


def test_a_run_id_whose_suffix_reads_as_a_time_offset_validates(tmp_path):
    """A run id whose random suffix ends in "ad" (20261202T185323Z-8545ad) parses as a -85:45 offset when GX
    reads the run name as a date; the Checkpoint gets the run's time instead."""
    store = open_store(str(tmp_path / "evidence"))
    found = validate_in_store(store, "20261202T185323Z-8545ad", suites([10.0, 120.0]))
    assert [(f.on_fail, f.rows) for f in found["ENG-IAM-01"].failures] == [("exception", [1])]


def validate_repeatedly(root: str, limit: int) -> list[list[int]]:
    """Runs in another process: the same store's project, a suite whose rule differs from the other process's."""
    store = open_store(root)
    rules = [covered("age", "No age was read."), at_most("age", limit, "The key is too old.")]
    found = []
    for n in range(4):
        keys = pd.DataFrame(
            {"resource": ["key/0", "key/1"], "start": datetime(2026, 5, 1, tzinfo=UTC), "age": [70.0, 100.0]}
        )
        outcome = validate_in_store(store, f"run-{limit}-{n}", {"ENG-IAM-01": Suite(keys, rules)})["ENG-IAM-01"]
        found.append([row for f in outcome.failures for row in f.rows])
    return found


def test_runs_in_two_processes_sharing_a_store_each_validate_their_own_suite(tmp_path):
    """Two overlapping runs (a schedule and a manual run) rewrite the same suite; GX refuses a Checkpoint whose
    suite changed since it was saved, so each run holds the project until its Checkpoint is done."""
    root = str(tmp_path / "evidence")
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        strict, lenient = pool.map(validate_repeatedly, [root, root], [60, 90])
    assert strict == [[0, 1]] * 4 and lenient == [[1]] * 4
