"""ENG-ENC-02 over the window: EBS default encryption per region and RDS storage encryption, via moto over HTTP."""

from __future__ import annotations

from tests.controls.data_fixtures import (
    BASELINE,
    CREATED,
    EAST,
    PROD,
    WEST,
    WINDOW_END,
    assess,
    assess_unread_regions,
    at,
    client,
    create_db,
    db_item,
    deny,
    event,
    exceptions,
    prepare,
)


def encrypt_ebs(endpoint: str, regions=(EAST,)) -> None:
    for region in regions:
        client(endpoint, PROD, "ec2", region).enable_ebs_encryption_by_default()


def test_ebs_default_encryption_and_encrypted_databases_operate(aws, tmp_path):
    prepare(aws, [PROD], [EAST, WEST])
    encrypt_ebs(aws, [EAST, WEST])
    create_db(aws, "orders-db")
    create_db(aws, "reports-db", production=False)
    result = assess(aws, tmp_path, "ENG-ENC-02", [PROD], [EAST, WEST])
    assert result.status == "operating", result.reason
    assert result.population == 4  # two regions, two databases


def test_ebs_default_encryption_off_for_three_days_in_one_region(aws, tmp_path):
    off, on = at(3, 10), at(6, 10)
    history = [
        event(name, when, {}, service="ec2", region=WEST)
        for name, when in (("DisableEbsEncryptionByDefault", off), ("EnableEbsEncryptionByDefault", on))
    ]
    prepare(aws, [PROD], [EAST, WEST], events=history)
    encrypt_ebs(aws, [EAST, WEST])
    result = assess(aws, tmp_path, "ENG-ENC-02", [PROD], [EAST, WEST])
    assert exceptions(result) == [
        (f"account/{PROD}/region/{WEST}/ebs-default-encryption", off, on, "DisableEbsEncryptionByDefault by mallory")
    ]


def test_unencrypted_database_created_inside_the_window_fails_from_its_creation(aws, tmp_path):
    arn = create_db(aws, "scratch-db", encrypted=False, production=False)
    history = [db_item("orders-db", BASELINE, "ResourceDiscovered", StorageEncrypted=True)]
    history.append(db_item("scratch-db", CREATED, "ResourceDiscovered", StorageEncrypted=False))
    prepare(aws, items=history)
    encrypt_ebs(aws)
    create_db(aws, "orders-db")
    result = assess(aws, tmp_path, "ENG-ENC-02")
    assert exceptions(result) == [(arn, CREATED, WINDOW_END, "storage not encrypted")]


def test_denied_ebs_setting_read_names_the_permission(aws, tmp_path, monkeypatch):
    prepare(aws)
    encrypt_ebs(aws)
    deny(
        monkeypatch,
        "GetEbsEncryptionByDefault",
        "UnauthorizedOperation",
        "You are not authorized to perform this operation.",
    )
    result = assess(aws, tmp_path, "ENG-ENC-02")
    assert result.status == "no_evidence"
    assert result.collection_errors[0].endswith("grant ec2:GetEbsEncryptionByDefault")


def test_a_region_whose_databases_were_not_read_is_no_evidence(aws, tmp_path):
    """EBS rows of the unread region are no evidence anyway; its RDS instances are unknown, not absent."""
    prepare(aws, [PROD], [EAST, WEST])
    encrypt_ebs(aws, [EAST, WEST])
    create_db(aws, "orders-db")
    result = assess_unread_regions(aws, tmp_path, "ENG-ENC-02", read=[EAST], assessed=[EAST, WEST])
    assert (result.status, result.exceptions) == ("no_evidence", [])
    assert result.reason.endswith(f"The inventory is incomplete: aws.rds.instances in {PROD}/{WEST} not read.")
    assert [g.resource for g in result.coverage_gaps] == [f"account/{PROD}/region/{WEST}/ebs-default-encryption"]
