"""Evidence store: write-once sha256 objects, one manifest per run, verify names changed or removed objects."""

from __future__ import annotations

import gc
import hashlib
import os
import weakref
from datetime import UTC, datetime

import boto3
import pytest

from socready.cli import main
from socready.errors import EvidenceError
from socready.evidence import CollectionFailure, EvidenceStore, RunRecorder, backends, open_store
from socready.evidence.backends import S3Backend
from socready.evidence.manifest import EvidenceEntry, Manifest, ManifestWindow, run_id_for
from socready.evidence.view import EvidenceView

WINDOW = ManifestWindow(start=datetime(2026, 5, 1, tzinfo=UTC), end=datetime(2026, 11, 1, tzinfo=UTC), timezone="UTC")


def record_run(store: EvidenceStore, run_id: str = "20261126T000000Z-abc123") -> RunRecorder:
    recorder = RunRecorder(store, run_id, "Acme", WINDOW)
    recorder.add(
        b'{"trails": []}',
        source="aws.cloudtrail.trails",
        query="cloudtrail:DescribeTrails",
        connector="test",
        connector_version="1",
        account="111111111111",
        region="us-east-1",
    )
    recorder.add(
        b"id,name\n1,a\n",
        source="file.hr_roster",
        query="/tmp/roster.csv",
        connector="test",
        connector_version="1",
        media_type="text/csv",
    )
    recorder.fail(
        CollectionFailure(
            source="aws.cloudtrail.logs",
            query="s3://b/",
            error="AccessDenied",
            message="denied",
            missing_permission="s3:ListBucket",
            at=datetime.now(UTC),
        )
    )
    recorder.finish()
    return recorder


def test_objects_are_sha256_addressed_and_write_once(tmp_path):
    store = open_store(str(tmp_path))
    digest = store.put(b"evidence")
    assert digest == hashlib.sha256(b"evidence").hexdigest()
    assert store.put(b"evidence") == digest  # same bytes: no-op, no error
    path = tmp_path / "objects" / digest[:2] / digest
    assert path.read_bytes() == b"evidence"
    assert not os.access(path, os.W_OK) or os.geteuid() == 0  # read-only file (root may still write)
    assert store.read(digest) == b"evidence"


def test_manifest_round_trip_keeps_source_query_times_and_errors(tmp_path):
    store = open_store(str(tmp_path))
    record_run(store)
    manifest = store.load_manifest("20261126T000000Z-abc123")
    assert [e.source for e in manifest.entries] == ["aws.cloudtrail.trails", "file.hr_roster"]
    assert manifest.entries[0].collected_at.tzinfo is not None
    assert manifest.window == WINDOW
    assert manifest.errors[0].missing_permission == "s3:ListBucket"
    with pytest.raises(EvidenceError, match="already has a manifest"):
        store.write_manifest(manifest)


def test_verify_names_changed_and_removed_objects(tmp_path, capsys):
    store = open_store(str(tmp_path))
    recorder = record_run(store)
    assert store.verify() == []
    changed, removed = recorder.entries
    changed_path = tmp_path / "objects" / changed.sha256[:2] / changed.sha256
    changed_path.chmod(0o644)
    changed_path.write_bytes(b"tampered")
    (tmp_path / "objects" / removed.sha256[:2] / removed.sha256).unlink()
    problems = {(p.sha256, p.problem) for p in store.verify()}
    assert problems == {(changed.sha256, "changed"), (removed.sha256, "removed")}
    with pytest.raises(EvidenceError, match="changed after it was written"):
        store.read(changed.sha256)
    assert main(["evidence", "verify", "--store", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"CHANGED  run 20261126T000000Z-abc123 {changed.sha256}" in out and removed.sha256 in out


def test_s3_backend_over_http_is_write_once_and_verifiable(aws):
    s3 = boto3.client("s3", endpoint_url=aws, region_name="us-east-1")
    s3.create_bucket(Bucket="evidence-bucket")
    store = open_store("s3://evidence-bucket/socready", endpoint_url=aws)
    assert isinstance(store.backend, S3Backend)
    digest = store.put(b"first")
    assert store.backend.put_new(EvidenceStore.object_key(digest), b"other") is False  # If-None-Match refused it
    assert store.read(digest) == b"first"
    recorder = record_run(store)
    assert store.run_ids() == ["20261126T000000Z-abc123"]
    gone = recorder.entries[0].sha256
    s3.delete_object(Bucket="evidence-bucket", Key=f"socready/objects/{gone[:2]}/{gone}")
    assert [(p.sha256, p.problem) for p in store.verify()] == [(gone, "removed")]


def test_s3_location_needs_bucket():
    with pytest.raises(EvidenceError, match="needs a bucket"):
        open_store("s3://")


def test_later_runs_read_earlier_snapshots_without_loading_their_manifests(tmp_path):
    """A run keeps its current-state reads apart; a legacy run without them is read from its manifest."""
    store = open_store(str(tmp_path / "evidence"))
    year = {"start": datetime(2026, 1, 1, tzinfo=UTC), "end": datetime(2027, 1, 1, tzinfo=UTC)}
    window = ManifestWindow(**year, timezone="UTC")

    def run(run_id: str, body: bytes, keep: bool):
        recorder = RunRecorder(store, run_id, "Acme", window)
        recorder.add(body, source="aws.kms.keys", query="kms", connector="test", connector_version="1", account="1")
        recorder.add(b"x", source="aws.cloudtrail.logs", query="s3://l/x", connector="test", connector_version="1")
        manifest = recorder.finish()
        if keep:
            store.write_current_state(manifest, {"aws.kms.keys"})
        return manifest

    legacy = run("20261101T000000Z-aaaaaa", b'{"keys": []}', keep=False)
    kept = run("20261102T000000Z-bbbbbb", b'{"keys": [1]}', keep=True)
    today = run("20261103T000000Z-cccccc", b'{"keys": [2]}', keep=True)
    loaded: list[str] = []
    load = store.load_manifest
    store.load_manifest = lambda run_id: loaded.append(run_id) or load(run_id)
    earlier = EvidenceView(store, today).earlier_entries("aws.kms.keys")
    assert earlier == [*legacy.entries_for("aws.kms.keys"), *kept.entries_for("aws.kms.keys")]
    assert loaded == [legacy.run_id]
    assert store.current_state(kept.run_id) == kept.entries_for("aws.kms.keys")


def test_objects_become_durable_in_batches_before_what_lists_them(tmp_path, monkeypatch):
    """One filesystem sync per checkpoint and two at the manifest (before it and after it), never one per object;
    every sync comes after the objects a checkpoint or manifest lists are written, before the listing itself."""
    synced: list[set[str]] = []  # the keys on disk at each sync

    def sync_and_note(folder) -> None:
        synced.append({p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()})
        real_sync(folder)

    real_sync = backends.sync_filesystem
    monkeypatch.setattr(backends, "sync_filesystem", sync_and_note)
    monkeypatch.setattr(RunRecorder, "checkpoint_every", 40)
    store = open_store(str(tmp_path))
    recorder = RunRecorder(store, "20261126T000000Z-batch", "Acme", WINDOW)
    entries = [
        recorder.add(f"object {n}".encode(), source="file.x", query=f"q{n}", connector="t", connector_version="1")
        for n in range(100)
    ]
    assert len(synced) == 2  # the checkpoints after 40 and 80 objects
    assert all(store.object_key(e.sha256) in synced[0] for e in entries[:40])
    assert not any("/part-" in key for key in synced[0])  # the checkpoint is written after its objects are synced
    recorder.finish()
    assert len(synced) == 4  # before the manifest, and after it and its ledger entry
    assert all(store.object_key(e.sha256) in synced[2] for e in entries)
    assert "runs/20261126T000000Z-batch/manifest.json" not in synced[2]
    assert {"runs/20261126T000000Z-batch/manifest.json", "ledger/00000001.json"} <= synced[3]


def test_run_ids_sort_as_runs_started_within_one_second():
    """Two runs started 1 ms apart: the second's id sorts last whatever the random suffixes (an incremental run
    takes the last finished run as what was fetched before; a chance order made it refetch a whole lookback)."""
    first = datetime(2026, 12, 3, 10, 20, 1, 5000, tzinfo=UTC)
    second = first.replace(microsecond=6000)
    assert sorted([run_id_for(second, "000000"), run_id_for(first, "ffffff")]) == [
        run_id_for(first, "ffffff"),
        run_id_for(second, "000000"),
    ]
    assert run_id_for(first, "ab12cd") == "20261203T102001005Z-ab12cd"


def test_a_manifest_lists_failures_by_source_each_in_the_order_it_happened(tmp_path):
    """Sources collected side by side fail in any order; the same failures give the same manifest."""
    recorder = RunRecorder(open_store(str(tmp_path / "store")), "20261126T000000Z-order", "Acme", WINDOW)
    at = datetime.now(UTC)
    arrived = [("jira.changes", "page 1"), ("aws.iam.users", "account=2"), ("jira.changes", "page 0")]
    for source, query in [*arrived, ("aws.iam.users", "account=1")]:
        recorder.fail(CollectionFailure(source=source, query=query, error="E", message="m", at=at))
    listed = [(f.source, f.query) for f in recorder.finish().errors]
    assert listed == [
        ("aws.iam.users", "account=2"),
        ("aws.iam.users", "account=1"),
        ("jira.changes", "page 1"),
        ("jira.changes", "page 0"),
    ]


def test_a_views_parsed_evidence_is_freed_with_the_view(tmp_path):
    """A Dask worker makes a view for each control's task: what the view parsed must not outlive it."""

    class Parsed:
        def __init__(self, view: EvidenceView) -> None:
            self.entries = view.entries("file.hr_roster")

    store = open_store(str(tmp_path / "evidence"))
    view = EvidenceView(store, store.load_manifest(record_run(store).run_id))
    declared = view.limited_to(["file.hr_roster"])
    parsed = declared.parsed("file.hr_roster", Parsed)
    assert view.parsed("file.hr_roster", Parsed) is parsed  # one parse, shared by the controls' views
    freed = weakref.ref(parsed)
    del view, declared, parsed
    gc.collect()
    assert freed() is None


def test_a_view_cites_the_manifest_hash_it_is_given_and_computes_one_at_most_once(tmp_path, monkeypatch):
    """A Dask task is sent the flow's hash: computing it dumps the whole manifest. A control's declared view uses
    its run view's, computed once for every control."""
    store = open_store(str(tmp_path / "evidence"))
    manifest = store.load_manifest(record_run(store).run_id)
    dumps = []
    monkeypatch.setattr(Manifest, "sha256", lambda self: dumps.append(self.run_id) or "computed")
    given = EvidenceView(store, manifest, "given")
    assert given.manifest_sha256 == given.limited_to(["file.hr_roster"]).manifest_sha256 == "given"
    assert dumps == []
    own = EvidenceView(store, manifest)
    declared = [own.limited_to(["file.hr_roster"]), own.limited_to(["aws.cloudtrail.trails"])]
    assert {own.manifest_sha256, *(view.manifest_sha256 for view in declared)} == {"computed"}
    assert dumps == [manifest.run_id]


def test_entries_given_the_same_fields_share_one_set_of_their_names_and_copies_get_their_own():
    """Half an entry's memory was its own set of given field names; entries share one per combination."""
    given = {"sha256": "0" * 64, "source": "aws.cloudtrail.logs", "collected_at": datetime(2026, 7, 1, tzinfo=UTC)}
    given |= {"connector": "tests", "connector_version": "1", "size": 1}
    first = EvidenceEntry(query="s3://logs/a.json.gz", account="111111111111", **given)
    loaded = Manifest.model_validate_json(
        Manifest(
            run_id="run-1",
            organization="Fixture Co",
            created_at=datetime(2026, 7, 2, tzinfo=UTC),
            window=ManifestWindow(
                start=datetime(2026, 7, 1, tzinfo=UTC), end=datetime(2026, 8, 1, tzinfo=UTC), timezone="UTC"
            ),
            entries=[first, EvidenceEntry(query="s3://logs/b.json.gz", account="111111111111", **given)],
            errors=[],
        ).to_json()
    ).entries
    assert loaded[0].model_fields_set is loaded[1].model_fields_set == set(EvidenceEntry.model_fields)
    bare = EvidenceEntry(query="s3://logs/c.json.gz", **given)  # no account, region or media type given
    assert bare.model_fields_set == set(given) | {"query"} != first.model_fields_set
    assert bare.model_dump(exclude_unset=True) == {**given, "query": "s3://logs/c.json.gz"}
    moved = first.model_copy(update={"region": "eu-west-1"})
    assert moved.model_fields_set == {*given, "query", "account", "region"}
    assert first.model_fields_set == {*given, "query", "account"} and first.region is None
