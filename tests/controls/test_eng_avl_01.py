"""ENG-AVL-01 over the window: Multi-AZ of production RDS databases, via moto over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

from socready_sandbox.aws import start_config_recorder
from tests.controls.aws_fixtures import upload_config_files
from tests.controls.data_fixtures import (
    ARCHIVE,
    BASELINE,
    CONFIG_BUCKET,
    CREATED,
    EAST,
    PROD,
    STAGING,
    WINDOW_END,
    WINDOW_START,
    assess,
    at,
    create_db,
    data_scope,
    db_item,
    event,
    exceptions,
    gaps,
    prepare,
    session,
)
from tests.helpers import run_control


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


FIVE_MONTHS_BEFORE = datetime(2026, 2, 3, 9, tzinfo=UTC)  # a resource's last Config item, long before the window


def test_baseline_five_months_before_survives_a_benign_change_inside_the_window(aws, tmp_path):
    orders, ledger = create_db(aws, "orders-db"), create_db(aws, "ledger-db")
    history = [
        db_item("orders-db", FIVE_MONTHS_BEFORE, MultiAZ=True, AllocatedStorage=20),
        db_item("orders-db", at(10), MultiAZ=True, AllocatedStorage=100),  # a storage resize, still Multi-AZ
        db_item("ledger-db", FIVE_MONTHS_BEFORE, MultiAZ=False, AllocatedStorage=20),
        db_item("ledger-db", at(10), MultiAZ=True, AllocatedStorage=100),  # the resize also made it Multi-AZ
    ]
    prepare(aws, items=history)
    result = assess(aws, tmp_path, "ENG-AVL-01")
    assert exceptions(result) == [(ledger, WINDOW_START, at(10), "single-AZ")]
    assert not [g for g in gaps(result) if g[0] == orders], "the decoy's pre-window state was read"
    assert result.state_sources == [f"{PROD}/{EAST}: delivered files (2)"]


def test_changed_and_unchanged_databases_take_their_baseline_alike(aws, tmp_path):
    unchanged = create_db(aws, "unchanged-db", multi_az=False)
    changed = create_db(aws, "changed-db", multi_az=False)
    create_db(aws, "steady-db")
    history = [
        db_item("unchanged-db", FIVE_MONTHS_BEFORE, MultiAZ=False),
        db_item("changed-db", FIVE_MONTHS_BEFORE, MultiAZ=False, AllocatedStorage=20),
        db_item("changed-db", at(10), MultiAZ=False, AllocatedStorage=100),
        db_item("steady-db", FIVE_MONTHS_BEFORE, MultiAZ=True),
    ]
    prepare(aws, items=history)
    result = assess(aws, tmp_path, "ENG-AVL-01")
    assert sorted(exceptions(result)) == [
        (changed, WINDOW_START, WINDOW_END, "single-AZ"),
        (unchanged, WINDOW_START, WINDOW_END, "single-AZ"),
    ]
    assert gaps(result) == []  # steady-db, unchanged and Multi-AZ, operated


def test_baseline_from_a_config_snapshot_file(aws, tmp_path):
    single = create_db(aws, "single-db", multi_az=False)
    create_db(aws, "multi-db")
    prepare(aws)
    snapshot = [
        db_item("single-db", FIVE_MONTHS_BEFORE, MultiAZ=False),
        db_item("multi-db", FIVE_MONTHS_BEFORE, MultiAZ=True),
    ]
    upload_config_files(aws, ARCHIVE, CONFIG_BUCKET, snapshot, kind="ConfigSnapshot")
    result = assess(aws, tmp_path, "ENG-AVL-01")
    assert exceptions(result) == [(single, WINDOW_START, WINDOW_END, "single-AZ")]
    assert gaps(result) == []


def test_a_shorter_baseline_lookback_reads_no_older_history(aws, tmp_path):
    """`aws.config_baseline_months` (default 13): at 3, the item five months before is not read."""
    orders = create_db(aws, "orders-db")
    prepare(
        aws, items=[db_item("orders-db", FIVE_MONTHS_BEFORE, MultiAZ=True), db_item("orders-db", at(10), MultiAZ=True)]
    )
    default = data_scope(tmp_path / "default", aws)
    assert default.aws.config_baseline_months == 13
    assert run_control(default, "ENG-AVL-01").status == "operating"
    short = data_scope(tmp_path / "short", aws)
    short = short.model_copy(update={"aws": short.aws.model_copy(update={"config_baseline_months": 3})})
    result = run_control(short, "ENG-AVL-01")
    assert gaps(result) == [(orders, WINDOW_START, at(10), "no evidence of the state before the first observation")]


def test_empty_config_history_prefix_while_recording_is_no_evidence_naming_it(aws, tmp_path):
    """PROD's prefix holds no file while its recorder was on: not "nothing changed". STAGING's has files."""
    orders = create_db(aws, "orders-db", multi_az=False)
    billing = create_db(aws, "billing-db", account=STAGING)
    prepare(aws, [STAGING])
    start_config_recorder(session(aws, PROD), aws, PROD, EAST)
    result = assess(aws, tmp_path, "ENG-AVL-01", [PROD, STAGING])
    location = f"s3://{CONFIG_BUCKET}/AWSLogs/{PROD}/Config/{EAST}/"
    assert result.status == "no_evidence"
    assert gaps(result) == [
        (orders, WINDOW_START, WINDOW_END, f"no AWS Config history files under {location} while the recorder was on")
    ]
    assert billing not in {e[0] for e in exceptions(result)}
    assert result.state_sources == [
        f"{PROD}/{EAST}: snapshots only: no AWS Config history files under {location}",
        f"{STAGING}/{EAST}: delivered files (1)",
    ]
