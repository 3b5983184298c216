"""CloudTrail log collection (moto over HTTP): the lookback before the window, the us-east-1 folder of global
services' events, and the organization trail's key layout."""

from __future__ import annotations

from datetime import UTC, date, datetime
from importlib.resources import files

import pytest
from pydantic import ValidationError

from connectors.aws.delivered import key_day
from socready.collect import collect
from socready.evidence import open_store
from socready.scope import Scope, scope_from_text
from socready.scope.models import AwsSpec, S3Location
from socready_sandbox.aws_iam import console_login
from tests.controls.aws_fixtures import BUCKET, create_log_bucket, upload_logs
from tests.controls.iam_fixtures import STAGING, assess, at, intervals, upload
from tests.helpers import make_scope, run_control, window_of
from tests.test_incremental import gets  # noqa: F401 - the GetObject counter fixture

PROD = "111111111111"
SOURCE = "aws.cloudtrail.logs"


def with_lookback(scope: Scope, days: int | None) -> Scope:
    if days is None:
        return scope
    return scope.model_copy(update={"aws": scope.aws.model_copy(update={"cloudtrail_lookback_days": days})})


def collected_days(scope: Scope) -> list[date]:
    manifest = collect(scope, window_of(scope), open_store(scope.evidence_store), [SOURCE])
    return sorted(key_day(e.query, "us-east-1") for e in manifest.entries)


@pytest.mark.parametrize(("days", "first"), [(None, date(2026, 4, 2)), (30, date(2026, 6, 1))])
def test_log_files_are_read_from_the_lookback_before_the_window(aws, tmp_path, days, first):
    create_log_bucket(aws, PROD)
    upload_logs(aws, PROD, [PROD], ["us-east-1"], first=date(2026, 3, 1), last=date(2026, 7, 31))
    scope = with_lookback(make_scope(tmp_path, endpoint=aws, accounts=[PROD], log_bucket=BUCKET), days)
    assert scope.aws.cloudtrail_lookback_days == (days or 90)
    found = collected_days(scope)
    # the window starts 2026-07-01 04:00 UTC (New York midnight): the lookback's first day holds its start
    assert (found[0], found[-1], len(found)) == (first, date(2026, 7, 31), (date(2026, 7, 31) - first).days + 1)


def test_a_longer_lookback_fetches_only_the_earlier_files_and_stays_incremental(aws, tmp_path, gets):  # noqa: F811
    create_log_bucket(aws, PROD)
    upload_logs(aws, PROD, [PROD], ["us-east-1"], first=date(2026, 4, 1), last=date(2026, 7, 31))
    scope = make_scope(tmp_path, endpoint=aws, accounts=[PROD], log_bucket=BUCKET)
    assert len(collected_days(with_lookback(scope, 30))) == gets["GetObject"] == 61  # 2026-06-01 .. 07-31
    assert len(collected_days(scope)) == 121  # from 2026-04-02
    assert gets["GetObject"] == 121  # only the 60 earlier days were fetched
    collected_days(scope)
    assert gets["GetObject"] == 121


def test_global_events_are_read_from_us_east_1_when_only_another_region_is_in_scope(aws, tmp_path):
    root = console_login(at(9), PROD, "", root=True)  # a global service's event: in the us-east-1 folder
    upload(aws, [root, console_login(at(10), STAGING, "alice")], accounts=(PROD, STAGING))
    result = assess(tmp_path, aws, "ENG-IAM-03", accounts=(PROD, STAGING), regions=["eu-west-1"])
    assert result.status == "exception"
    assert [r for r, *_ in intervals(result)] == [f"account/{PROD}/root/2026-07-09T12:00:00Z"]  # STAGING: none


def test_root_use_after_the_as_of_is_not_used(aws, tmp_path):
    events = [console_login(at(9), PROD, "", root=True), console_login(at(25), STAGING, "", root=True)]
    upload(aws, events, accounts=(PROD, STAGING))
    scope = make_scope(tmp_path, endpoint=aws, accounts=[PROD, STAGING], log_bucket=BUCKET)
    result = run_control(scope, "ENG-IAM-03", as_of=datetime(2026, 7, 20, 12, tzinfo=UTC))
    assert [r for r, *_ in intervals(result)] == [f"account/{PROD}/root/2026-07-09T12:00:00Z"]


@pytest.mark.parametrize("organization_id", ["o-abc", "org-a1b2c3d4e5", "O-A1B2C3D4E5"])
def test_organization_id_must_be_an_organizations_id(organization_id):
    with pytest.raises(ValidationError, match="o-a1b2c3d4e5"):
        S3Location(bucket=BUCKET, organization_id=organization_id)


def test_config_history_has_no_organization_folder():
    location = {"bucket": BUCKET, "organization_id": "o-a1b2c3d4e5"}
    with pytest.raises(ValidationError, match=r"organization_id is for aws\.cloudtrail_logs"):
        AwsSpec(accounts=[{"id": PROD}], regions=["us-east-1"], config_history=[location])
    assert AwsSpec(accounts=[{"id": PROD}], regions=["us-east-1"], cloudtrail_logs=[location]).cloudtrail_logs


def test_starter_organization_trail_and_lookback_lines_uncommented_are_valid(tmp_path):
    starter = files("socready.scope").joinpath("starter.yaml").read_text(encoding="utf-8")
    text = starter.replace("    # - {bucket: org-cloudtrail-logs", "    - {bucket: org-cloudtrail-logs").replace(
        "  # cloudtrail_lookback_days: 90", "  cloudtrail_lookback_days: 120"
    )
    aws = scope_from_text(text, base=tmp_path).aws
    assert [b.organization_id for b in aws.cloudtrail_logs] == [None, "o-a1b2c3d4e5"]
    assert aws.cloudtrail_lookback_days == 120
