"""ENG-LOG-01 over the window: trail status + StopLogging events + hourly log records, via moto over HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime

from socready.sandbox.cloudtrail_files import Silence, cloudtrail_event
from tests.controls.aws_fixtures import BUCKET, create_log_bucket, create_trail, upload_logs
from tests.helpers import make_scope, run_control

PROD, STAGING = "111111111111", "222222222222"
REGIONS = ["us-east-1", "eu-west-1"]
ARN = f"arn:aws:cloudtrail:us-east-1:{PROD}:trail/main-trail"
STOP, START = datetime(2026, 7, 14, 15, 0, tzinfo=UTC), datetime(2026, 7, 16, 15, 0, tzinfo=UTC)


def stop_events(account: str = PROD) -> list[dict]:
    name = {"name": ARN.replace(PROD, account)}
    return [
        cloudtrail_event("StopLogging", STOP, account, "us-east-1", "mallory", name),
        cloudtrail_event("StartLogging", START, account, "us-east-1", "alice", name),
    ]


def test_logging_all_window_operates(aws, tmp_path):
    create_log_bucket(aws, PROD)
    create_trail(aws, PROD)
    upload_logs(aws, PROD, [PROD], REGIONS)
    scope = make_scope(tmp_path, endpoint=aws, accounts=[PROD], regions=REGIONS, log_bucket=BUCKET)
    result = run_control(scope, "ENG-LOG-01")
    assert result.status == "operating", result.reason
    assert result.coverage == 1.0
    assert result.clean_since == date(2026, 7, 1)
    assert result.evidence and all(e.sha256 for e in result.evidence)


def test_two_day_stop_is_one_exception_interval(aws, tmp_path):
    create_log_bucket(aws, PROD)
    create_trail(aws, PROD)
    upload_logs(aws, PROD, [PROD], REGIONS, stop_events(), [Silence(PROD, STOP, START)])
    scope = make_scope(tmp_path, endpoint=aws, accounts=[PROD], regions=REGIONS, log_bucket=BUCKET)
    result = run_control(scope, "ENG-LOG-01")
    assert result.status == "exception"
    [exception] = result.exceptions
    assert (exception.resource, exception.start, exception.end) == (f"account/{PROD}", STOP, START)
    assert "mallory" in exception.value
    assert result.coverage_gaps == []  # the silent hours are explained by the stop, not a coverage gap
    assert result.clean_since == date(2026, 7, 16)
