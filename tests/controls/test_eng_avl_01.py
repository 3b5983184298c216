"""ENG-AVL-01 over the window: Multi-AZ of production RDS databases, via moto over HTTP."""

from __future__ import annotations

from tests.controls.data_fixtures import (
    BASELINE,
    CREATED,
    PROD,
    STAGING,
    WINDOW_END,
    assess,
    at,
    create_db,
    db_item,
    event,
    exceptions,
    prepare,
)


def test_multi_az_production_databases_in_two_accounts_operate(aws, tmp_path):
    prepare(aws, [PROD, STAGING])
    create_db(aws, "orders-db")
    create_db(aws, "billing-db", account=STAGING)
    result = assess(aws, tmp_path, "ENG-AVL-01", [PROD, STAGING])
    assert result.status == "operating", result.reason
    assert result.population == 2


def test_single_az_database_created_inside_the_window_fails_from_creation(aws, tmp_path):
    arn = create_db(aws, "search-db", multi_az=False)
    params = {"dBInstanceIdentifier": "search-db", "tags": [{"key": "environment", "value": "production"}]}
    prepare(aws, events=[event("CreateDBInstance", CREATED, params, service="rds")])
    result = assess(aws, tmp_path, "ENG-AVL-01")
    assert exceptions(result) == [(arn, CREATED, WINDOW_END, "single-AZ at creation by mallory")]


def test_deferred_change_counts_from_when_config_shows_it_applied(aws, tmp_path):
    arn = create_db(aws, "orders-db")
    requested, applied = at(6, 14), at(7, 6)  # the next maintenance window
    history = [
        db_item("orders-db", BASELINE, "ResourceDiscovered", MultiAZ=False),
        db_item("orders-db", applied, MultiAZ=True),
    ]
    modify = event("ModifyDBInstance", requested, {"dBInstanceIdentifier": "orders-db", "multiAZ": True}, service="rds")
    prepare(aws, events=[modify], items=history)
    result = assess(aws, tmp_path, "ENG-AVL-01")
    [exception] = result.exceptions
    assert (exception.resource, exception.end, exception.value) == (arn, applied, "single-AZ")
