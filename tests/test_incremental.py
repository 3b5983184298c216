"""Incremental collection: a run fetches only files earlier runs have not, and an interrupted backfill resumes."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from connectors.aws.session import AwsSessions
from socready.collect import collect
from socready.evidence import open_store
from tests.controls.aws_fixtures import BUCKET, create_log_bucket, upload_logs
from tests.helpers import make_scope, window_of

PROD = "111111111111"
SOURCE = "aws.cloudtrail.logs"


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


def run(scope, **options):
    return collect(scope, window_of(scope), open_store(scope.evidence_store), [SOURCE], **options)


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
