"""ENG-BCK-02 over the window: deletion protection of production RDS databases, via moto over HTTP."""

from __future__ import annotations

from tests.controls.data_fixtures import (
    BASELINE,
    DELETED,
    WINDOW_START,
    assess,
    at,
    create_db,
    db_item,
    event,
    exceptions,
    prepare,
)


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


def test_no_production_databases_is_an_empty_population(aws, tmp_path):
    prepare(aws)
    create_db(aws, "reports-db", production=False)
    result = assess(aws, tmp_path, "ENG-BCK-02")
    assert (result.status, result.population) == ("operating", 0)
    assert "aws.rds.instances" in result.reason


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
