"""`socready sample`: the audit-firm size table, reproducible seeded draws, and the files written per control."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta

import pytest
import yaml

from socready.catalog import load_catalog
from socready.cli import main
from socready.errors import SocreadyError
from socready.evidence import open_store
from socready.sampling import draw, sample_control, sample_size
from tests.controls.file_fixtures import Person, hr_roster, training
from tests.helpers import WINDOW, make_scope, objects_read, run_control


@pytest.mark.parametrize(
    ("population", "size"),
    [(0, 0), (1, 1), (5, 5), (6, 5), (50, 5), (51, 6), (100, 10), (249, 25), (250, 25), (251, 25), (5000, 25)],
)
def test_sample_size_table_at_its_boundaries(population, size):
    assert sample_size(population) == size


def rows(count: int) -> list[dict[str, str]]:
    return [
        {
            "resource": f"employee/E{n}",
            "start": "",
            "end": "",
            "value": "",
            "evidence": f"{n:064x}",
            "compliant": "True",
        }
        for n in range(count)
    ]


def test_draw_is_reproducible_per_run_and_control_and_changes_with_the_seed():
    control = load_catalog()["HR-01"]
    first, again = draw(control, "run-1", rows(120)), draw(control, "run-1", rows(120))
    assert [i.number for i in first.items] == [i.number for i in again.items]
    assert (first.population, len(first.items)) == (120, 12)
    assert [i.number for i in first.items] == sorted(i.number for i in first.items)
    other_run = draw(control, "run-2", rows(120))
    seeded = [draw(control, "run-1", rows(120), seed=7) for _ in range(2)]
    assert [i.number for i in seeded[0].items] == [i.number for i in seeded[1].items]
    assert len({tuple(i.number for i in s.items) for s in (first, other_run, seeded[0])}) == 3


def test_periodic_items_are_resources_with_all_their_intervals():
    control = load_catalog()["HR-02"]
    data = [*rows(3), {**rows(1)[0], "compliant": "False"}]  # E0 has two intervals
    sample = draw(control, "run-1", data)
    assert sample.population == 3
    assert [len(item.rows) for item in sample.items] == [2, 1, 1]


def test_state_controls_have_no_population_to_sample(tmp_path):
    store = open_store(str(tmp_path / "evidence"))
    with pytest.raises(SocreadyError, match="ENG-LOG-01 is a state control: it has no population to sample"):
        sample_control(store, "ENG-LOG-01")
    with pytest.raises(SocreadyError, match="unknown control 'HR-99'"):
        sample_control(store, "HR-99")


def hires(count: int) -> list[Person]:
    """Every fourth hire is checked the day after starting."""
    first = date(2026, 7, 1)
    return [
        Person(
            f"E{n:02d}", started=first + timedelta(days=n), background_check=first + timedelta(days=n + (n % 4 == 0))
        )
        for n in range(count)
    ]


@pytest.fixture
def assessed(tmp_path):
    """A scope file on disk whose store holds one run's HR-01 and HR-02 datasets (12 hires, 12 people)."""
    people = hires(12)
    files = hr_roster(tmp_path, people) | training(tmp_path, [(p.employee_id, p.started) for p in people])
    raw = {
        "organization": "Fixture Co",
        "window": WINDOW,
        "evidence_store": "evidence",
        "output": "report",
        "files": files,
    }
    (tmp_path / "socready.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    results = {c: run_control(make_scope(tmp_path, files=files, output="report"), c) for c in ("HR-01", "HR-02")}
    return tmp_path, results


def test_cli_writes_the_sample_with_each_items_evidence(assessed, capsys):
    folder, results = assessed
    assert main(["sample", "HR-01", "--scope", str(folder / "socready.yaml")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"HR-01: 5 of {results['HR-01'].population} item(s) from run ")
    document = json.loads((folder / "report" / "sample-HR-01.json").read_text())
    assert (document["control"], document["kind"], document["population"], document["sample_size"]) == (
        "HR-01",
        "population",
        12,
        5,
    )
    store = open_store(str(folder / "evidence"))
    [roster] = [e.sha256 for e in objects_read(results["HR-01"], store, "file.hr_roster")]
    for item in document["items"]:
        assert item["resource"].startswith("employee/E")
        assert item["evidence"] == [
            {"sha256": roster, "source": "file.hr_roster", "query": str(folder / "hr_roster.csv")}
        ]
        assert set(item["rows"][0]) == {"start", "end", "value", "start_day", "done_day"}  # HR-01's facts
    with (folder / "report" / "sample-HR-01.csv").open(newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert [int(line["item"]) for line in lines] == [item["item"] for item in document["items"]]
    assert list(lines[0]) == ["item", "resource", "start", "end", "value", "start_day", "done_day", "evidence"]
    assert {line["evidence"] for line in lines} == {roster}


def test_cli_rerun_draws_the_same_items_and_a_seed_or_output_can_be_given(assessed, tmp_path):
    folder, _ = assessed
    scope = str(folder / "socready.yaml")
    main(["sample", "HR-02", "--scope", scope])
    first = json.loads((folder / "report" / "sample-HR-02.json").read_text())
    main(["sample", "HR-02", "--scope", scope, "--run", first["run_id"], "--output", str(tmp_path / "again")])
    assert json.loads((tmp_path / "again" / "sample-HR-02.json").read_text()) == first
    assert first["kind"] == "periodic" and first["population"] == 12
    main(["sample", "HR-02", "--scope", scope, "--seed", "11", "--output", str(tmp_path / "seeded")])
    assert json.loads((tmp_path / "seeded" / "sample-HR-02.json").read_text())["seed"] == 11


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sample", "ENG-LOG-01"], "ENG-LOG-01 is a state control"),
        (["sample", "HR-01", "--run", "20260101T000000Z-000000"], "has no dataset for HR-01"),
        (["sample", "PROC-01"], "no run has assessed PROC-01 yet"),
    ],
    ids=["state-control", "unknown-run", "never-assessed"],
)
def test_cli_refuses_with_a_clear_message(assessed, capsys, argv, message):
    folder, _ = assessed
    assert main([*argv, "--scope", str(folder / "socready.yaml")]) == 2
    assert message in capsys.readouterr().err
