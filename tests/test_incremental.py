"""Incremental collection: a run fetches only files earlier runs have not, and an interrupted backfill resumes."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest
from botocore.exceptions import ClientError

from connectors.aws.delivered import list_days, month_prefixes
from connectors.aws.session import AwsSessions
from socready.collect import ShardJob, collect, collect_shard
from socready.evidence import open_store
from socready.evidence.aws_formats import key_date
from socready.scope.models import S3Location
from socready_sandbox.aws import account_session
from socready_sandbox.aws_data import database_config_item
from socready_sandbox.config_files import history_file_objects
from socready_sandbox.uploads import put_objects
from tests.controls.aws_fixtures import BUCKET, create_log_bucket, upload_logs
from tests.helpers import make_scope, window_of

PROD = "111111111111"
SOURCE = "aws.cloudtrail.logs"
CONFIG, CONFIG_BUCKET = "aws.config.history", "fixture-config-history"


class Interrupted(Exception):
    """Stands for a crash in the middle of a backfill."""


@pytest.fixture
def gets(monkeypatch) -> Counter:
    """Counts GetObject calls made by collectors; `gets["fail_after"]` makes the next ones crash."""
    counter: Counter = Counter()

    def hook(client, account, region):
        def count(model, **_):
            if model.name == "GetObject":
                counter["GetObject"] += 1
                if counter["fail_after"] and counter["GetObject"] > counter["fail_after"]:
                    raise Interrupted

        client.meta.events.register("before-call.s3.GetObject", count)

    monkeypatch.setattr(AwsSessions, "client_hooks", [*AwsSessions.client_hooks, hook])
    return counter


@pytest.fixture
def listings(monkeypatch) -> list[dict]:
    """The parameters of every ListObjectsV2 call collectors make."""
    calls: list[dict] = []

    def hook(client, account, region):
        def record(params, **_):
            calls.append({k: v for k, v in params.items() if k in ("Prefix", "StartAfter")})

        client.meta.events.register("before-parameter-build.s3.ListObjectsV2", record)

    monkeypatch.setattr(AwsSessions, "client_hooks", [*AwsSessions.client_hooks, hook])
    return calls


def run(scope, **options):
    return collect(scope, window_of(scope), open_store(scope.evidence_store), [SOURCE], **options)


def with_lookback(scope, days: int, *locations: S3Location):
    aws = {"cloudtrail_lookback_days": days, "cloudtrail_logs": [*scope.aws.cloudtrail_logs, *locations]}
    return scope.model_copy(update={"aws": scope.aws.model_copy(update=aws)})


LOGS = f"AWSLogs/{PROD}/CloudTrail/us-east-1/"
LOOKBACK_START = datetime(2026, 4, 2, 4, tzinfo=UTC)  # 90 days before the window's start, 2026-07-01 04:00 UTC


def in_shards(jobs: list[ShardJob]):
    """Runs a run's shard jobs here, one after another, as Dask tasks would."""
    return map(collect_shard, jobs)


@pytest.mark.parametrize("fan_out", [None, in_shards], ids=["threads", "shards"])
def test_a_trail_younger_than_the_lookback_is_listed_from_its_recent_days_on_the_next_run(
    aws, tmp_path, listings, fan_out
):
    """The first files are from 2026-06-30, long after the lookback's start: the next run still lists only from
    two days before the newest known file (it listed in full before, every run). Shards are sent the earlier
    run's read_from."""
    create_log_bucket(aws, PROD)
    upload_logs(aws, PROD, [PROD], ["us-east-1"], last=date(2026, 7, 20))
    scope = make_scope(tmp_path, endpoint=aws, accounts=[PROD], log_bucket=BUCKET)
    first = run(scope, fan_out=fan_out)
    assert listings == [{"Prefix": LOGS, "StartAfter": f"{LOGS}2026/04/02/"}]  # one listing, by day, from the start
    assert first.read_from == {SOURCE: LOOKBACK_START}
    upload_logs(aws, PROD, [PROD], ["us-east-1"], first=date(2026, 7, 21), last=date(2026, 7, 21))
    listings.clear()
    second = run(scope, fan_out=fan_out)
    assert listings == [{"Prefix": LOGS, "StartAfter": f"{LOGS}2026/07/18/"}]
    assert len(second.entries) == len(first.entries) + 1 == 22
    assert second.read_from == {SOURCE: LOOKBACK_START}


def test_files_of_a_manifest_without_read_from_are_listed_again_from_the_start(aws, tmp_path, listings, monkeypatch):
    """A manifest written before read_from existed says nothing of how far back its files reach."""
    create_log_bucket(aws, PROD)
    upload_logs(aws, PROD, [PROD], ["us-east-1"], last=date(2026, 7, 20))
    scope = make_scope(tmp_path, endpoint=aws, accounts=[PROD], log_bucket=BUCKET)
    with monkeypatch.context() as older:
        older.setattr("socready.collect.read_from", lambda context, sources: {})
        assert run(scope).read_from == {}
    listings.clear()
    assert len(run(scope).entries) == 21
    assert listings == [{"Prefix": LOGS, "StartAfter": f"{LOGS}2026/04/02/"}]


def test_a_longer_lookback_lists_from_its_start_once(aws, tmp_path, listings):
    """Lookback 30 days, then 90: the earlier run's files reach back 30 days only (its read_from), so the next run
    lists from the 90-day start, once; the run after lists only the recent days again."""
    create_log_bucket(aws, PROD)
    upload_logs(aws, PROD, [PROD], ["us-east-1"], first=date(2026, 3, 1), last=date(2026, 7, 20))
    scope = make_scope(tmp_path, endpoint=aws, accounts=[PROD], log_bucket=BUCKET)
    short = run(with_lookback(scope, 30))
    assert short.read_from == {SOURCE: datetime(2026, 6, 1, 4, tzinfo=UTC)}
    listings.clear()
    longer = run(with_lookback(scope, 90))
    assert listings == [{"Prefix": LOGS, "StartAfter": f"{LOGS}2026/04/02/"}]
    assert longer.read_from == {SOURCE: LOOKBACK_START} and len(longer.entries) == len(short.entries) + 60
    listings.clear()
    run(with_lookback(scope, 90))
    assert listings == [{"Prefix": LOGS, "StartAfter": f"{LOGS}2026/07/18/"}]


@pytest.fixture
def failing_gets(monkeypatch) -> set[str]:
    """GetObject of a key holding any of these strings fails as S3 answers an internal error (the collector
    records it; botocore's retries gave up)."""
    broken: set[str] = set()

    def hook(client, account, region):
        def fail(params, **_):
            if any(part in params["url_path"] for part in broken):
                error = {"Error": {"Code": "InternalError", "Message": "We encountered an internal error."}}
                raise ClientError(error, "GetObject")

        client.meta.events.register("before-call.s3.GetObject", fail)

    monkeypatch.setattr(AwsSessions, "client_hooks", [*AwsSessions.client_hooks, hook])
    return broken


@pytest.mark.parametrize("fan_out", [None, in_shards], ids=["threads", "shards"])
def test_a_file_a_run_failed_to_fetch_is_fetched_by_the_next_however_old(
    aws, tmp_path, listings, failing_gets, fan_out
):
    """An old day's file fails to fetch: the next run lists that place from the start and fetches it (it listed
    from two days before the newest file, and never found it again); the other region stays incremental."""
    create_log_bucket(aws, PROD)
    upload_logs(aws, PROD, [PROD], ["us-east-1", "eu-west-1"], last=date(2026, 7, 20))
    scope = make_scope(tmp_path, endpoint=aws, accounts=[PROD], regions=["eu-west-1"], log_bucket=BUCKET)
    failing_gets.add("/CloudTrail/eu-west-1/2026/07/05/")
    first = run(scope, fan_out=fan_out)
    assert [(f.error, f.region) for f in first.errors] == [("InternalError", "eu-west-1")]
    assert len(first.entries) == 2 * 21 - 1
    failing_gets.clear()
    listings.clear()
    second = run(scope, fan_out=fan_out)
    west = f"AWSLogs/{PROD}/CloudTrail/eu-west-1/"
    assert sorted(map(str, listings)) == sorted(
        map(
            str,
            [
                {"Prefix": west, "StartAfter": f"{west}2026/04/02/"},
                {"Prefix": LOGS, "StartAfter": f"{LOGS}2026/07/18/"},
            ],
        )
    )
    assert len(second.entries) == 2 * 21 and second.errors == []
    listings.clear()
    run(scope, fan_out=fan_out)
    assert {listing["StartAfter"][-11:] for listing in listings} == {"2026/07/18/"}


def test_second_run_fetches_only_new_files_and_still_lists_everything(aws, tmp_path, gets):
    create_log_bucket(aws, PROD)
    upload_logs(aws, PROD, [PROD], ["us-east-1"], last=date(2026, 7, 20))
    scope = make_scope(tmp_path, endpoint=aws, accounts=[PROD], log_bucket=BUCKET)
    first = run(scope)
    assert gets["GetObject"] == len(first.entries) == 21  # 2026-06-30 .. 2026-07-20
    upload_logs(aws, PROD, [PROD], ["us-east-1"], first=date(2026, 7, 21), last=date(2026, 7, 21))
    second = run(scope)
    assert gets["GetObject"] == 22  # only the new day's file
    assert len(second.entries) == 22
    assert {e.sha256 for e in first.entries} < {e.sha256 for e in second.entries}
    assert open_store(scope.evidence_store).verify() == []
    full = run(scope, incremental=False)
    assert gets["GetObject"] == 44 and len(full.entries) == 22


def test_interrupted_backfill_resumes_from_its_checkpoints(aws, tmp_path, gets, monkeypatch):
    create_log_bucket(aws, PROD)
    upload_logs(aws, PROD, [PROD], ["us-east-1"])  # 33 files
    scope = make_scope(tmp_path, endpoint=aws, accounts=[PROD], log_bucket=BUCKET)
    monkeypatch.setattr("socready.evidence.store.RunRecorder.checkpoint_every", 5)
    gets["fail_after"] = 12
    with pytest.raises(Interrupted):
        run(scope)
    store = open_store(scope.evidence_store)
    [interrupted] = store.interrupted_runs()
    checkpointed = len(store.load_parts(interrupted))
    assert 5 <= checkpointed <= 12
    gets["fail_after"] = 0
    before = gets["GetObject"]
    resumed = run(scope)
    assert len(resumed.entries) == 33
    assert gets["GetObject"] - before == 33 - checkpointed


def test_config_history_reads_the_baseline_months_once_and_later_runs_only_what_is_new(aws, tmp_path, monkeypatch):
    """13 months of Config history before the window: the first run lists each month folder once, a later run
    only the recent ones, fetches only the new file, and carries the baseline the Config API gave."""
    calls: list[tuple[str, str]] = []

    def hook(client, account, region):
        def count(model, params, **_):
            calls.append((model.name, params.get("Prefix", "")))

        client.meta.events.register("before-parameter-build.*.ListObjectsV2", count)
        client.meta.events.register("before-parameter-build.*.GetResourceConfigHistory", count)

    monkeypatch.setattr(AwsSessions, "client_hooks", [*AwsSessions.client_hooks, hook])
    s3 = account_session(aws, PROD).client("s3", endpoint_url=aws)
    s3.create_bucket(Bucket=CONFIG_BUCKET)  # moto's Config lists this bucket, whose items no file holds
    old = [
        database_config_item("orders-db", PROD, "us-east-1", datetime(2026, 2, 3, tzinfo=UTC), MultiAZ=True),
        database_config_item("orders-db", PROD, "us-east-1", datetime(2026, 7, 20, tzinfo=UTC), MultiAZ=True),
    ]
    put_objects(s3, CONFIG_BUCKET, history_file_objects(old))
    scope = make_scope(tmp_path, endpoint=aws, accounts=[PROD])
    scope = scope.model_copy(
        update={"aws": scope.aws.model_copy(update={"config_history": [S3Location(bucket=CONFIG_BUCKET)]})}
    )
    window = window_of(scope)
    store = open_store(scope.evidence_store)
    first = collect(scope, window, store, [CONFIG])
    base = f"AWSLogs/{PROD}/Config/us-east-1/"
    # June 2025 (13 months before July 2026) to the run: a state read now is walked back through every change
    months = [base + m for m in month_prefixes(date(2025, 6, 1), datetime.now(UTC).date())]
    assert months[0] == f"{base}2025/6/" and len(months) >= 15
    assert [p for name, p in calls if name == "ListObjectsV2"] == months
    assert [name for name, _ in calls].count("GetResourceConfigHistory") == 1
    assert first.read_from == {CONFIG: datetime(2025, 6, 1, tzinfo=UTC)}  # from the baseline months' first day
    new = [database_config_item("orders-db", PROD, "us-east-1", datetime(2026, 7, 21, tzinfo=UTC), MultiAZ=True)]
    put_objects(s3, CONFIG_BUCKET, history_file_objects(new))
    calls.clear()
    second = collect(scope, window, store, [CONFIG])
    relisted = [base + m for m in month_prefixes(date(2026, 7, 19), datetime.now(UTC).date())]
    assert [p for name, p in calls if name == "ListObjectsV2"] == relisted  # from the newest known file's month
    assert "GetResourceConfigHistory" not in [name for name, _ in calls]  # the baseline answer is carried
    assert len(second.entries) == len(first.entries) + 1
    assert {e.sha256 for e in first.entries} < {e.sha256 for e in second.entries}


def test_a_scope_without_aws_records_no_read_from(tmp_path):
    """The dated AWS sources of a scope without an aws section are recorded as not configured, and read nothing."""
    manifest = run(make_scope(tmp_path))
    assert [f.source for f in manifest.errors] == [SOURCE] and manifest.read_from == {}


def test_a_listing_from_a_day_finds_every_later_key_written_with_or_without_zeros(aws):
    """Backup reports' key padding is undocumented: a listing that starts after the zero-padded first day's folder
    still finds every report dated from that day to the last, whichever way its month and day are written."""
    s3 = account_session(aws, PROD).client("s3", endpoint_url=aws)
    s3.create_bucket(Bucket="fixture-backup-reports")
    folder = "audit/Backup/us-east-1/"
    dated = ["2026/06/30/a", "2026/07/02/b", "2026/7/3/c", "2026/07/9/d", "2026/8/15/e", "2026/10/1/f", "2026/10/20/g"]
    put_objects(s3, "fixture-backup-reports", ((f"{folder}{key}.csv", b"report") for key in dated))
    found = list_days(
        s3, "fixture-backup-reports", [folder], True, key_date, date(2026, 7, 1), date(2026, 10, 15), lambda k: True
    )
    assert sorted(key.removeprefix(folder).removesuffix(".csv") for key in found) == sorted(dated[1:6])
