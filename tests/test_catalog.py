"""The catalog: typed, validated at load time; every control has a suite and a collector for its sources."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from connectors.aws.snapshot import Snapshot
from connectors.registry import COLLECTORS
from expectations.registry import control_modules, control_spec, module_name
from socready.catalog import load_catalog
from socready.catalog.criteria import ALL_CRITERIA, CATEGORY_OF
from socready.catalog.docs import MARKERS, controls_table, generated, parameters_table, with_table
from socready.catalog.loader import load_catalog_from
from socready.errors import CatalogError
from socready.evidence import open_store
from socready.evidence.manifest import Manifest, ManifestWindow
from socready.evidence.sources import CURRENT_STATE, SOURCES
from socready.evidence.view import EvidenceView, UndeclaredSource

ENTRY = """id: ENG-LOG-01
title: t
operated: o
criteria: [CC7.2]
owner: engineering
kind: state
severity: high
remediation: r
"""


def test_61_criteria_in_five_categories():
    assert len(ALL_CRITERIA) == 61
    counts = {c: list(CATEGORY_OF.values()).count(c) for c in set(CATEGORY_OF.values())}
    assert counts == {"security": 33, "availability": 3, "confidentiality": 2, "processing_integrity": 5, "privacy": 18}


def test_builtin_catalog_controls_have_specs_and_collectors():
    catalog = load_catalog()
    assert {"ENG-LOG-01", "ENG-ACC-03", "PROC-02"} <= set(catalog)
    assert {c.owner for c in catalog.values()} == {"engineering", "hr", "procurement"}
    assert sorted(module_name(c) for c in catalog) == control_modules()  # an entry per module, a module per entry
    for control in catalog.values():
        spec = control_spec(control.id)
        assert control.evidence == list(spec.sources), control.id  # the catalog's sources are the spec's
        assert all(source in COLLECTORS for source in control.evidence)
    assert set(COLLECTORS) == set(SOURCES)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("CC7.2", "CC7.9"), "unknown TSC criteria"),
        (("owner: engineering", "owner: finance"), "owner"),
        (("severity:", "evidence: [aws.cloudtrail.trails]\nseverity:"), r"evidence belong in the control's SPEC"),
        (("severity:", "parameters: {a: 1}\nseverity:"), r"parameters belong in the control's SPEC"),
        (("kind: state", "kind: sometimes"), "kind"),
    ],
)
def test_invalid_entry_fails_fast_naming_the_file(tmp_path, change, message):
    (tmp_path / "ENG-LOG-01.yaml").write_text(ENTRY.replace(*change))
    with pytest.raises(CatalogError, match=message) as error:
        load_catalog_from(tmp_path)
    assert "ENG-LOG-01.yaml" in str(error.value)


def test_file_name_must_match_id(tmp_path):
    (tmp_path / "ENG-LOG-02.yaml").write_text(ENTRY)
    with pytest.raises(CatalogError, match="file name must equal"):
        load_catalog_from(tmp_path)


def test_every_parameter_is_explained_and_the_generated_docs_are_the_specs():
    catalog = load_catalog()
    unexplained = [
        f"{c}.{name}"
        for c in catalog
        for name, field in control_spec(c).parameters.model_fields.items()
        if not field.description
    ]
    assert unexplained == []
    for path, text in generated().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} drifted: run python -m socready.catalog.docs"
    table = parameters_table(catalog)
    assert "| ENG-IAM-05 | `max_key_age_days` | number | `90.0` |" in table
    assert "| ENG-BCK-01 | `min_retention_days` | integer | `7` |" in table
    assert "| ENG-IAM-04 | `require_symbols` | true/false | `true` |" in table
    assert "| ENG-LOG-01 | engineering | state | a multi-region CloudTrail trail" in controls_table(catalog)


def test_a_drifted_table_is_replaced_between_its_markers():
    document = f"before\n{MARKERS['controls']}\nstale\n<!-- controls:end -->\nafter"
    assert with_table(document, "controls", "| new |") == (
        f"before\n{MARKERS['controls']}\n| new |\n<!-- controls:end -->\nafter"
    )


def test_an_entry_without_a_spec_is_refused(tmp_path):
    (tmp_path / "ENG-ZZZ-01.yaml").write_text(ENTRY.replace("ENG-LOG-01", "ENG-ZZZ-01"))
    with pytest.raises(CatalogError, match=r"ENG-ZZZ-01.yaml: no spec for ENG-ZZZ-01"):
        load_catalog_from(tmp_path)


def test_a_spec_names_only_its_own_fact_columns_and_sources():
    spec = control_spec("ENG-IAM-05")
    with pytest.raises(ValueError, match="not a fact column"):
        replace(spec, facts={"other": "boolean"})
    with pytest.raises(ValueError, match="must also be among its sources"):
        replace(spec, optional_sources=("jira.changes",))


def test_every_snapshot_collector_reads_a_current_state_source():
    snapshots = {source for source, collector in COLLECTORS.items() if isinstance(collector, Snapshot)}
    assert snapshots <= CURRENT_STATE
    assert set(SOURCES) >= CURRENT_STATE
    assert {"aws.iam.credential_report", "aws.organizations.accounts"} <= CURRENT_STATE
    assert not {"aws.cloudtrail.logs", "aws.config.history", "file.hr_roster"} & CURRENT_STATE


def test_a_builder_reads_only_the_sources_its_spec_declares(tmp_path):
    moment = datetime(2026, 7, 1, tzinfo=UTC)
    window = ManifestWindow(start=moment, end=moment + timedelta(days=1), timezone="UTC")
    manifest = Manifest(run_id="r1", organization="o", created_at=moment, window=window, entries=[], errors=[])
    view = EvidenceView(open_store(str(tmp_path)), manifest).limited_to(["jira.changes"])
    assert view.entries("jira.changes") == [] and view.failures("jira.changes") == []
    for read in (view.entries, view.failures, view.earlier_entries, lambda s: view.parsed(s, len)):
        with pytest.raises(UndeclaredSource, match=r"read aws.iam.users, which the control's spec does not declare"):
            read("aws.iam.users")
