"""Auditor samples: a control's population from a run's derived dataset, sized by the audit-firm table, seeded."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import random
from dataclasses import dataclass
from pathlib import Path

from socready.catalog import Control, load_catalog
from socready.errors import SocreadyError
from socready.evidence import EvidenceStore

SIZES = "population ≤ 5: all; 6–50: 5; 51–250: 10 % rounded up; > 250: 25"
BASE = ("resource", "start", "end", "value", "evidence")


def sample_size(population: int) -> int:
    """How many items auditors test from a population of this size (DESIGN.md §1)."""
    if population <= 5:
        return population
    if population <= 50:
        return 5
    if population <= 250:
        return math.ceil(population / 10)
    return 25


def default_seed(run_id: str, control_id: str) -> int:
    """The same run and control always give the same sample, so a rerun shows the auditor the same items."""
    return int.from_bytes(hashlib.sha256(f"{run_id}/{control_id}".encode()).digest()[:8], "big")


@dataclass(frozen=True)
class Item:
    number: int  # 1-based position in the population, in dataset order
    resource: str
    rows: list[dict[str, str]]  # the item's dataset rows: a periodic control's item has one per interval

    @property
    def evidence(self) -> list[str]:
        return list(dict.fromkeys(sha for row in self.rows for sha in row["evidence"].split()))


@dataclass(frozen=True)
class Sample:
    control: Control
    run_id: str
    seed: int
    population: int
    items: list[Item]


def require_population(control: Control) -> None:
    if control.kind == "state":
        raise SocreadyError(
            f"{control.id} is a state control: it has no population to sample; its state is tested on every day "
            "of the window (see the report)"
        )


def population_items(control: Control, rows: list[dict[str, str]]) -> list[Item]:
    """A population control's items are its dataset rows; a periodic control's are its resources over time."""
    require_population(control)
    if control.kind == "population":
        return [Item(n, row["resource"], [row]) for n, row in enumerate(rows, 1)]
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        grouped.setdefault(row["resource"], []).append(row)
    return [Item(n, resource, group) for n, (resource, group) in enumerate(grouped.items(), 1)]


def draw(control: Control, run_id: str, rows: list[dict[str, str]], seed: int | None = None) -> Sample:
    items = population_items(control, rows)
    seed = default_seed(run_id, control.id) if seed is None else seed
    chosen = random.Random(seed).sample(items, sample_size(len(items)))
    return Sample(control, run_id, seed, len(items), sorted(chosen, key=lambda item: item.number))


def _dataset_key(run_id: str, control_id: str) -> str:
    return f"derived/{run_id}/{control_id}/dataset.csv"


def latest_run(store: EvidenceStore, control_id: str) -> str:
    for run_id in reversed(store.run_ids()):
        if store.backend.exists(_dataset_key(run_id, control_id)):
            return run_id
    raise SocreadyError(f"{store.location}: no run has assessed {control_id} yet; run `socready run` first")


def load_dataset(store: EvidenceStore, run_id: str, control_id: str) -> list[dict[str, str]]:
    key = _dataset_key(run_id, control_id)
    if not store.backend.exists(key):
        raise SocreadyError(f"{store.location}: run {run_id} has no dataset for {control_id} (was it assessed?)")
    return list(csv.DictReader(io.StringIO(store.backend.get(key).decode("utf-8"))))


def sample_control(store: EvidenceStore, control_id: str, run_id: str | None = None, seed: int | None = None) -> Sample:
    """Draws the sample of a control's population in a run (default: the latest run that assessed it)."""
    catalog = load_catalog()
    if control_id not in catalog:
        raise SocreadyError(f"unknown control {control_id!r}; see `socready controls`")
    control = catalog[control_id]
    require_population(control)
    run_id = run_id or latest_run(store, control_id)
    return draw(control, run_id, load_dataset(store, run_id, control_id), seed)


def write_sample(sample: Sample, store: EvidenceStore, folder: Path) -> tuple[Path, Path]:
    """sample-<CONTROL>.csv (one line per dataset row of a sampled item) and .json (items with their evidence)."""
    folder.mkdir(parents=True, exist_ok=True)
    # Named by the run's manifest; a pipeline snapshot from an earlier run is listed by its hash alone.
    sources = {e.sha256: e for e in store.load_manifest(sample.run_id).entries}
    metrics = [c for c in (sample.items[0].rows[0] if sample.items else {}) if c not in BASE]
    csv_path, json_path = folder / f"sample-{sample.control.id}.csv", folder / f"sample-{sample.control.id}.json"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item", "resource", "start", "end", "value", *metrics, "evidence"])
        for item in sample.items:
            for row in item.rows:
                writer.writerow(
                    [item.number, *(row[c] for c in ("resource", "start", "end", "value", *metrics, "evidence"))]
                )
    document = {
        "control": sample.control.id,
        "title": sample.control.title,
        "kind": sample.control.kind,
        "run_id": sample.run_id,
        "seed": sample.seed,
        "sizes": SIZES,
        "population": sample.population,
        "sample_size": len(sample.items),
        "items": [
            {
                "item": item.number,
                "resource": item.resource,
                "rows": [{c: row[c] for c in ("start", "end", "value", *metrics)} for row in item.rows],
                "evidence": [
                    {"sha256": sha, "source": sources[sha].source, "query": sources[sha].query}
                    if sha in sources
                    else {"sha256": sha}
                    for sha in item.evidence
                ],
            }
            for item in sample.items
        ],
    }
    json_path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return csv_path, json_path
