"""ENG-BCK-02 over the window: deletion protection of production RDS databases, via moto over HTTP."""

from __future__ import annotations

from tests.controls.data_fixtures import (
    BASELINE,
    DELETED,
    EAST,
    PROD,
    STAGING,
    WEST,
    WINDOW_END,
    WINDOW_START,
    assess,
    assess_unread_regions,
    at,
    create_db,
    db_item,
    event,
    exceptions,
    gaps,
    prepare,
)

CONTROL = "ENG-BCK-02"
OFF = "deletion protection off (no change recorded before)"  # from the snapshot alone


def modify(when, name: str, **params) -> dict:
    return event("ModifyDBInstance", when, {"dBInstanceIdentifier": name, **params}, service="rds")


def test_protected_production_databases_operate_and_others_are_out_of_scope(aws, tmp_path):
    prepare(aws)
    create_db(aws, "orders-db")
    create_db(aws, "reports-db", production=False, protection=False)
    result = assess(aws, tmp_path, "ENG-BCK-02")
    assert result.status == "operating", result.reason
    assert result.population == 1


def test_protection_off_for_five_days_is_one_exception(aws, tmp_path):
    arn = create_db(aws, "orders-db")
    off, on = at(4, 15), at(9, 15)
    prepare(
        aws,
        events=[modify(off, "orders-db", deletionProtection=False), modify(on, "orders-db", deletionProtection=True)],
    )
    result = assess(aws, tmp_path, "ENG-BCK-02")
    assert exceptions(result) == [(arn, off, on, "deletion protection off set by mallory")]
    assert result.clean_since.isoformat() == "2026-07-09"


def test_no_production_databases_is_an_empty_population_the_inventory_states(aws, tmp_path):
    prepare(aws, regions=[EAST, WEST])
    create_db(aws, "reports-db", production=False)
    create_db(aws, "analytics-db", production=False, region=WEST)
    result = assess(aws, tmp_path, CONTROL, regions=[EAST, WEST])
    assert (result.status, result.population) == ("operating", 0)
    assert result.reason == (
        "0 of 2 RDS instances in scope are production (tagged environment=production); "
        "aws.rds.instances was read in every in-scope account and region (2)."
    )


def test_empty_population_with_a_region_not_read_is_no_evidence(aws, tmp_path):
    """Evidence collected for one region, assessed for two: the unread region may hold production databases."""
    prepare(aws, regions=[EAST, WEST])
    create_db(aws, "reports-db", production=False)
    result = assess_unread_regions(aws, tmp_path, CONTROL, read=[EAST], assessed=[EAST, WEST])
    assert (result.status, result.clean_since) == ("no_evidence", None)
    assert result.reason == f"The inventory is incomplete: aws.rds.instances in {PROD}/{WEST} not read."


def test_production_tag_matches_regardless_of_case_and_spaces_by_default(aws, tmp_path):
    prepare(aws)
    tagged = create_db(aws, "orders-db", protection=False, tags=[{"Key": "Environment", "Value": " Production"}])
    create_db(aws, "staging-db", protection=False, tags=[{"Key": "Environment", "Value": "Staging"}])  # decoy
    result = assess(aws, tmp_path, CONTROL)
    assert exceptions(result) == [(tagged, WINDOW_START, WINDOW_END, OFF)]
    assert result.population == 1


def test_exact_tag_match_reports_a_near_miss_as_no_evidence_naming_it(aws, tmp_path):
    prepare(aws)
    near = create_db(aws, "orders-db", tags=[{"Key": "Environment", "Value": "Production"}])
    create_db(aws, "billing-db")  # decoy: environment=production exactly, protected
    create_db(aws, "prod-db", tags=[{"Key": "environment", "Value": "prod"}], protection=False)  # not a near miss
    result = assess(aws, tmp_path, CONTROL, production={"tag_match": "exact"})
    assert (result.status, result.exceptions) == ("no_evidence", [])
    value = "tagged Environment=Production: production only if case and spaces are ignored"
    assert gaps(result) == [(near, WINDOW_START, WINDOW_END, value)]
    assert "tag_match: exact" in result.reason
    assert result.population == 2


def test_a_production_account_makes_all_its_databases_production(aws, tmp_path):
    prepare(aws, [PROD, STAGING])
    untagged = create_db(aws, "orders-db", protection=False, tags=[])
    create_db(aws, "scratch-db", protection=False, tags=[], account=STAGING)  # decoy: not a production account
    result = assess(aws, tmp_path, CONTROL, [PROD, STAGING], production={"accounts": [PROD], "tags": {}})
    assert exceptions(result) == [(untagged, WINDOW_START, WINDOW_END, OFF)]
    assert result.population == 1


def test_several_production_tag_keys_and_values(aws, tmp_path):
    prepare(aws)
    by_tier = create_db(aws, "ledger-db", protection=False, tags=[{"Key": "tier", "Value": "critical"}])
    by_env = create_db(aws, "orders-db", protection=False, tags=[{"Key": "env", "Value": "prd"}])
    create_db(aws, "batch-db", protection=False, tags=[{"Key": "tier", "Value": "batch"}])  # decoy
    create_db(aws, "staging-db", protection=False, tags=[{"Key": "environment", "Value": "production"}])  # decoy
    production = {"tags": {"tier": ["critical", "gold"], "env": ["prod", "prd"]}}
    result = assess(aws, tmp_path, CONTROL, production=production)
    assert [e[0] for e in exceptions(result)] == sorted([by_tier, by_env])
    assert result.population == 2


def test_database_deleted_inside_the_window_without_protection(aws, tmp_path):
    create_db(aws, "orders-db")
    history = [db_item("legacy-db", BASELINE, "ResourceDiscovered", DeletionProtection=False)]
    history.append(db_item("legacy-db", DELETED, "ResourceDeleted"))
    prepare(
        aws,
        items=history,
        events=[event("DeleteDBInstance", DELETED, {"dBInstanceIdentifier": "legacy-db"}, service="rds")],
    )
    result = assess(aws, tmp_path, "ENG-BCK-02")
    legacy = "arn:aws:rds:us-east-1:111111111111:db:legacy-db"
    assert exceptions(result) == [(legacy, WINDOW_START, DELETED, "deletion protection off")]
    assert result.population == 2
