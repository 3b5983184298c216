"""Where a run executes: the `execution` scope block, the collection's split into account x region x source shards,
the dataset builds' slot on a LocalCluster worker, and the refusal of a local evidence store for a Dask cluster on
other machines."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from connectors.base import CollectContext, EarlierRuns, in_threads
from socready.collect import ShardJob, shard_jobs, start_run
from socready.errors import ScopeError
from socready.evidence import EvidenceEntry, open_store
from socready.scope import scope_from_text
from socready.scope.models import ExecutionSpec
from socready.window import Window
from tests.test_scope import MINIMAL, STARTER

TWO_ACCOUNTS = (
    'aws: {accounts: [{id: "111111111111"}, {id: "222222222222"}], regions: [eu-west-1, eu-central-1], '
    'cloudtrail_logs: [{bucket: logs, account: "333333333333"}]}\n'
)
ADDRESS = "tcp://scheduler.internal:8786"


def test_execution_defaults_to_threads_and_takes_dask():
    assert scope_from_text(MINIMAL).execution == ExecutionSpec(runner="threads", dask_address=None, dask_workers=2)
    text = MINIMAL + "execution: {runner: dask, dask_workers: 3}\n"
    assert scope_from_text(text).execution == ExecutionSpec(runner="dask", dask_workers=3)
    remote = f"evidence_store: s3://evidence/socready\nexecution: {{runner: dask, dask_address: '{ADDRESS}'}}\n"
    remote = MINIMAL + remote
    assert scope_from_text(remote).execution.dask_address == ADDRESS


def test_starter_execution_lines_uncommented_are_valid(tmp_path):
    text = STARTER.replace("# execution:", "execution:").replace("#   runner: dask", "  runner: dask")
    execution = scope_from_text(text.replace("#   dask_workers: 2", "  dask_workers: 2"), base=tmp_path).execution
    assert (execution.runner, execution.dask_workers, execution.dask_address) == ("dask", 2, None)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (f"{{runner: dask, dask_address: '{ADDRESS}'}}", "set evidence_store to an s3://bucket/prefix"),
        (f"{{dask_address: '{ADDRESS}'}}", "set runner: dask"),
        ("{runner: spark}", "allowed values"),
        ("{runner: dask, dask_workers: 0}", "dask_workers"),
    ],
)
def test_invalid_execution_is_named(setting, message):
    with pytest.raises(ScopeError, match="execution") as error:
        scope_from_text(MINIMAL + f"execution: {setting}\n")
    assert message in str(error.value)


def test_a_cluster_elsewhere_is_refused_a_local_store_before_any_work(tmp_path):
    from flows.execution import task_runner

    remote = ExecutionSpec(runner="dask", dask_address=ADDRESS)  # a deployment parameter overriding the scope
    refused = pytest.raises(ScopeError, match=f"{ADDRESS} runs tasks on other machines.*local evidence store")
    with refused, task_runner(remote, open_store(str(tmp_path / "evidence"))):
        pass
    assert not (tmp_path / "evidence").exists()


def entry(source: str, query: str, account: str | None) -> EvidenceEntry:
    return EvidenceEntry(
        sha256="0" * 64,
        source=source,
        query=query,
        collected_at=datetime(2026, 7, 1, tzinfo=UTC),
        connector="tests",
        connector_version="1",
        account=account,
        size=1,
    )


def test_collection_splits_into_account_region_source_shards_holding_only_their_account(tmp_path):
    scope = scope_from_text(MINIMAL + TWO_ACCOUNTS)
    window = Window(date(2026, 1, 1), date(2026, 6, 30), "Europe/Berlin", datetime(2026, 7, 1, tzinfo=UTC))
    store = open_store(str(tmp_path / "evidence"))
    logs = "aws.cloudtrail.logs"
    keys = {account: f"s3://logs/AWSLogs/{account}/{account[0]}.json.gz" for account in ("1" * 12, "2" * 12)}
    earlier = {logs: {key: entry(logs, key, account) for account, key in keys.items()}}
    covered = datetime(2025, 10, 3, tzinfo=UTC)  # how far back the earlier run read the logs
    recorder = start_run(scope, window, store, "run-1")
    failed = frozenset({("111111111111", "eu-west-1")})  # where the earlier run failed to read a log file
    context = CollectContext(scope, window, recorder, earlier=EarlierRuns(earlier, {logs: covered}, {logs: failed}))
    sources = [logs, "aws.iam.credential_report", "aws.ec2.settings", "file.hr_roster"]
    jobs = shard_jobs(context, sources, "run-1", None)

    def places(source: str) -> list:
        return [job.place for job in jobs if job.source == source]

    # every assessed account's folder in each region, us-east-1's global events, and the log archive account's
    assert places(logs) == [
        (account, region)
        for account in ("111111111111", "222222222222", "333333333333")
        for region in ("eu-west-1", "eu-central-1", "us-east-1")
    ]
    assert places("aws.iam.credential_report") == [("111111111111", "eu-west-1"), ("222222222222", "eu-west-1")]
    assert len(places("aws.ec2.settings")) == 4 and places("file.hr_roster") == [None]
    by_place = {job.place: job for job in jobs if job.source == logs}
    assert list(by_place["111111111111", "eu-west-1"].earlier.of(logs)) == [keys["111111111111"]]
    assert list(by_place["222222222222", "us-east-1"].earlier.of(logs)) == [keys["222222222222"]]
    assert by_place["333333333333", "eu-west-1"].earlier.of(logs) == {}
    assert {(job.earlier.read_from[logs], job.earlier.failed[logs]) for job in by_place.values()} == {(covered, failed)}
    assert {(len(job.earlier.read_from), len(job.earlier.failed)) for job in jobs if job.source != logs} == {(0, 0)}
    assert all(isinstance(job, ShardJob) and job.store == store.location and job.run_id == "run-1" for job in jobs)


def test_a_cluster_elsewhere_is_refused_a_flow_without_a_reachable_prefect_server(tmp_path, monkeypatch):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.execution import task_runner

    remote = ExecutionSpec(runner="dask", dask_address=ADDRESS)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    refused = pytest.raises(ScopeError, match="only a temporary one on loopback; set PREFECT_API_URL")
    store = open_store("s3://evidence/socready")
    with temporary_settings({PREFECT_API_URL: None}), refused, task_runner(remote, store):
        pass


def test_work_in_threads_stops_on_an_unexpected_error_after_the_others_finish():
    finished = []

    def work(item: int) -> None:
        if item == 2:
            raise ValueError("unexpected")
        finished.append(item)

    with pytest.raises(ValueError, match="unexpected"):
        in_threads(work, [1, 2, 3, 4], workers=2)
    assert sorted(finished) == [1, 3, 4]


def test_dataset_builds_take_the_local_clusters_build_slot_but_not_a_cluster_given_by_address():
    import dask

    from flows.execution import BUILD_SLOT, one_build_per_worker

    with one_build_per_worker(ExecutionSpec(runner="dask", dask_workers=2)):
        assert dask.get_annotations() == {"resources": {BUILD_SLOT: 1}}
    # The cluster's workers declare no such slot: a task asking for it would wait forever.
    with one_build_per_worker(ExecutionSpec(runner="dask", dask_address=ADDRESS)):
        assert dask.get_annotations() == {}
