"""Runs the controls' rules as Great Expectations suites, one Checkpoint per run, and reads the outcomes as data.

A GX project holds one pandas filesystem data source over the datasets folder, per control an asset, a suite and
a validation definition all named by the control id (so runs line up), and per run a Checkpoint named by the run
id that validates every assessed control. A project on disk (the evidence store's) keeps all of it and every
run's validation results; an ephemeral one (one control assessed alone) keeps nothing.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx  # analytics must be off before import
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.exceptions import DataContextError

from expectations import custom_expectations
from expectations.outcome import ROW_KEYS, SuiteOutcome, outcome_from
from expectations.spec import Rule
from socready.evidence import EvidenceStore
from socready.evidence.backends import LocalBackend

SOURCE = "socready"
BATCH = "dataset"
DATASETS = "uncommitted/datasets"  # inside the project's gx/ folder, beside GX's own uncommitted files
RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": ROW_KEYS}
LOCK_FILE = "gx.lock"


@dataclass(frozen=True)
class Suite:
    """One control's dataset and the rules its suite states over it."""

    df: pd.DataFrame
    rules: list[Rule]


def expectation(item: Rule) -> gx.expectations.Expectation:
    """The GX object of a declared rule, tagged with what its failing rows mean and the sentence explaining them."""
    kind = getattr(gx.expectations, item.expectation, None) or getattr(custom_expectations, item.expectation)
    return kind(**item.arguments, meta={"on_fail": item.on_fail, "reason": item.reason})


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One run at a time writes a project's datasets, suites and definitions and runs its Checkpoint: flows in
    other threads or processes may share the store, and GX refuses a Checkpoint whose suite another run rewrote.
    An flock on a file opened per call excludes threads and processes alike; the kernel drops it if the holder dies."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _file_context(root: Path):
    context = gx.get_context(mode="file", project_root_dir=str(root))
    if not context.config.config_variables_file_path:
        return context
    # No ${VAR} substitutions are used, and GX re-reads the variables file on every config lookup (thousands a
    # run). A context reads the setting when made: the project is saved without it and opened again.
    context.config.config_variables_file_path = None
    context._save_project_config()
    return gx.get_context(mode="file", project_root_dir=str(root))


def _source(context, datasets: Path):
    try:
        return context.data_sources.get(SOURCE)
    except KeyError:
        return context.data_sources.add_pandas_filesystem(SOURCE, base_directory=datasets)


def _definition(context, source, control_id: str, rules: list[Rule]) -> gx.ValidationDefinition:
    """The control's asset (its dataset file), suite and validation definition: made once, the suite kept current."""
    suite = context.suites.add_or_update(
        gx.ExpectationSuite(name=control_id, expectations=[expectation(r) for r in rules])
    )
    try:
        asset = source.get_asset(control_id)
    except LookupError:
        asset = source.add_pickle_asset(control_id)
    try:
        batch = asset.get_batch_definition(BATCH)
    except KeyError:
        batch = asset.add_batch_definition_path(BATCH, f"{control_id}.pkl")
    try:
        return context.validation_definitions.get(control_id)
    except DataContextError:  # not made yet
        return context.validation_definitions.add(gx.ValidationDefinition(name=control_id, data=batch, suite=suite))


def _run(context, datasets: Path, run_id: str, suites: dict[str, Suite]) -> dict[str, SuiteOutcome]:
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    datasets.mkdir(parents=True, exist_ok=True)
    frames = {control_id: suite.df.reset_index(drop=True) for control_id, suite in suites.items()}
    for control_id, df in frames.items():
        df.to_pickle(datasets / f"{control_id}.pkl")  # lossless: the suite sees the dataset's own dtypes
    source = _source(context, datasets)
    definitions = [_definition(context, source, c, suite.rules) for c, suite in sorted(suites.items())]
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(name=run_id, validation_definitions=definitions, result_format=RESULT_FORMAT)
    )
    # An explicit time: without one GX parses the run name as a date, and a run id's suffix can read as a bad offset.
    result = checkpoint.run(run_id=RunIdentifier(run_name=run_id, run_time=datetime.now(UTC)))
    by_suite = {r.suite_name: r.to_json_dict() for r in result.run_results.values()}
    return {control_id: outcome_from(control_id, by_suite[control_id], df) for control_id, df in frames.items()}


@contextmanager
def _ephemeral() -> Iterator[tuple[object, Path]]:
    with tempfile.TemporaryDirectory(prefix="socready-gx-") as folder:
        yield gx.get_context(mode="ephemeral"), Path(folder)


def validate_run(project: Path | None, run_id: str, suites: dict[str, Suite]) -> dict[str, SuiteOutcome]:
    """Validates every control of a run with the run's Checkpoint; `project`: the folder holding the GX project
    (its gx/ folder), or None for one kept nowhere. Returns each control's outcome."""
    if not suites:
        return {}
    if project is None:
        with _ephemeral() as (context, datasets):
            return _run(context, datasets, run_id, suites)
    with _locked(project):
        context = _file_context(project)
        return _run(context, Path(context.root_directory) / DATASETS, run_id, suites)


def validate_in_store(store: EvidenceStore | None, run_id: str, suites: dict[str, Suite]) -> dict[str, SuiteOutcome]:
    """The run's Checkpoint in the store's GX project: for a local store its gx/ folder, kept across runs; for an
    S3 store a project on local disk for the run, its files then uploaded under the run's derived files
    (derived/<run>/gx/...; GX's own S3 stores would rewrite objects the write-once store never replaces).
    `store` None: a project kept nowhere."""
    if store is None:
        return validate_run(None, run_id, suites)
    if isinstance(store.backend, LocalBackend):
        return validate_run(store.backend.root, run_id, suites)
    with tempfile.TemporaryDirectory(prefix="socready-gx-") as folder:
        outcomes = validate_run(Path(folder), run_id, suites)
        for path in sorted(Path(folder).rglob("*")):
            # the datasets are kept as dataset.csv already; the lock guarded a folder no other run sees
            if path.is_file() and path.suffix != ".pkl" and path.name != LOCK_FILE:
                store.put_derived(run_id, path.relative_to(folder).as_posix(), path.read_bytes())
    return outcomes


def validate(control_id: str, df: pd.DataFrame, rules: list[Rule]) -> SuiteOutcome:
    """One control's suite alone, in a project kept nowhere."""
    return validate_run(None, control_id, {control_id: Suite(df, rules)})[control_id]
