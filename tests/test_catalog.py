"""The catalog: typed, validated at load time; every control has a suite and a collector for its sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.registry import COLLECTORS
from expectations.registry import has_suite
from socready.catalog import load_catalog
from socready.catalog.criteria import ALL_CRITERIA, CATEGORY_OF
from socready.catalog.loader import load_catalog_from
from socready.catalog.parameters_doc import END, START, parameters_table, with_table
from socready.errors import CatalogError
from socready.evidence.sources import SOURCES

ENTRY = """id: ENG-LOG-01
title: t
criteria: [CC7.2]
owner: engineering
kind: state
evidence: [aws.cloudtrail.trails]
severity: high
remediation: r
"""


def test_61_criteria_in_five_categories():
    assert len(ALL_CRITERIA) == 61
    counts = {c: list(CATEGORY_OF.values()).count(c) for c in set(CATEGORY_OF.values())}
    assert counts == {"security": 33, "availability": 3, "confidentiality": 2, "processing_integrity": 5, "privacy": 18}


def test_builtin_catalog_controls_have_suites_and_collectors():
    catalog = load_catalog()
    assert {"ENG-LOG-01", "ENG-ACC-03", "PROC-02"} <= set(catalog)
    assert {c.owner for c in catalog.values()} == {"engineering", "hr", "procurement"}
    for control in catalog.values():
        assert has_suite(control.id), control.id
        assert all(source in COLLECTORS for source in control.evidence)
    assert set(COLLECTORS) == set(SOURCES)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("CC7.2", "CC7.9"), "unknown TSC criteria"),
        (("owner: engineering", "owner: finance"), "owner"),
        (("aws.cloudtrail.trails", "aws.nope"), "unknown evidence sources"),
        (("kind: state", "kind: sometimes"), "kind"),
        (("severity:", "optional_evidence: [aws.cloudtrail.logs]\nseverity:"), "must also be listed under evidence"),
        (("severity:", "parameters: {a: 1}\nparameter_help: {b: x}\nseverity:"), r"parameter_help names \['b'\]"),
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


def test_every_parameter_is_explained_and_the_scope_docs_table_is_the_catalogs():
    catalog = load_catalog()
    unexplained = [
        f"{c.id}.{name}" for c in catalog.values() for name in c.parameters if not c.parameter_help.get(name)
    ]
    assert unexplained == []
    document = (Path(__file__).parents[1] / "docs" / "scope.md").read_text(encoding="utf-8")
    table = parameters_table(catalog)
    assert document == with_table(document, table), (
        "regenerate: python -m socready.catalog.parameters_doc docs/scope.md"
    )
    assert "| ENG-IAM-05 | `max_key_age_days` | integer | `90` |" in table
    assert "| ENG-BCK-01 | `min_backup_day_share` | number | `0.99` |" in table
    assert "| ENG-IAM-04 | `require_symbols` | true/false | `true` |" in table
    assert document.count(START) == document.count(END) == 1
