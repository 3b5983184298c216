"""The catalog: typed, validated at load time; every control has a suite and a collector for its sources."""

from __future__ import annotations

import pytest

from connectors.registry import COLLECTORS
from expectations.registry import has_suite
from socready.catalog import load_catalog
from socready.catalog.criteria import ALL_CRITERIA, CATEGORY_OF
from socready.catalog.loader import load_catalog_from
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
