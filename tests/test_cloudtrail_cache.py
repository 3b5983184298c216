"""Parsed CloudTrail log files are kept per (account, region, month): a later run re-parses only the months that
gained files, and what it reads from the cache is what parsing the files gives."""

from __future__ import annotations

from datetime import UTC, date, datetime

from expectations.cloudtrail_events import SOURCE, cloudtrail_logs, parse_logs
from socready.evidence import RunRecorder, open_store
from socready.evidence.manifest import ManifestWindow
from socready.evidence.view import EvidenceView
from socready_sandbox.cloudtrail_files import cloudtrail_event, log_file_objects

ACCOUNT, REGION = "111111111111", "us-east-1"
WINDOW = ManifestWindow(start=datetime(2026, 6, 1, tzinfo=UTC), end=datetime(2026, 8, 1, tzinfo=UTC), timezone="UTC")
STOPPED, DELETED = datetime(2026, 6, 10, 8, tzinfo=UTC), datetime(2026, 7, 3, 9, tzinfo=UTC)
CHANGES = [
    cloudtrail_event("StopLogging", STOPPED, ACCOUNT, REGION, "mallory", {"name": "t"}),
    cloudtrail_event("DeleteUserPolicy", DELETED, ACCOUNT, REGION, "bob", {"userName": "x"}),
]
CHANGES[1]["userIdentity"]["accessKeyId"] = "AKIAEXAMPLEKEY"  # signed with bob's long-term key


def files(first: date, last: date):
    return list(log_file_objects([ACCOUNT], [REGION], first, last, CHANGES, per_hour=2))


def run(store, run_id: str, objects, as_of: datetime | None = None) -> EvidenceView:
    recorder = RunRecorder(store, run_id, "Acme", WINDOW.model_copy(update={"as_of": as_of}))
    for key, body in objects:
        recorder.add(
            body,
            source=SOURCE,
            query=f"s3://logs/{key}",
            connector="test",
            connector_version="1",
            account=ACCOUNT,
            region=REGION,
            media_type="application/gzip",
        )
    return EvidenceView(store, recorder.finish())


def counting_reads(store) -> list[str]:
    """Records which evidence objects the store is asked for (the cache is derived data, read apart)."""
    asked: list[str] = []
    read = store.read
    store.read = lambda sha256: asked.append(sha256) or read(sha256)
    return asked


def test_a_later_run_parses_only_the_month_that_gained_files(tmp_path):
    store = open_store(str(tmp_path / "evidence"))
    june, july = files(date(2026, 6, 1), date(2026, 6, 30)), files(date(2026, 7, 1), date(2026, 7, 20))
    asked = counting_reads(store)
    first = parse_logs(run(store, "20260721T000000Z-aaaaaa", june + july))
    assert len(asked) == 30 + 20
    asked.clear()
    more_july = june + july + files(date(2026, 7, 21), date(2026, 7, 22))
    later_view = run(store, "20260723T000000Z-bbbbbb", more_july)
    asked.clear()
    later = parse_logs(later_view)
    assert len(asked) == 22  # July's files again; June's month comes from the cache
    assert [e.name for e in later.events] == ["StopLogging", "DeleteUserPolicy"]
    assert later.events == first.events
    assert len(later.hours[(ACCOUNT, REGION)]) == len(first.hours[(ACCOUNT, REGION)]) + 2 * 24


def test_what_the_cache_gives_equals_parsing_the_files(tmp_path):
    objects = files(date(2026, 6, 25), date(2026, 7, 5))
    cold_store = open_store(str(tmp_path / "cold"))
    parsed = parse_logs(run(cold_store, "20260706T000000Z-aaaaaa", objects))
    cached = parse_logs(run(cold_store, "20260707T000000Z-bbbbbb", objects))
    fresh = parse_logs(run(open_store(str(tmp_path / "fresh")), "20260707T000000Z-cccccc", objects))
    for logs in (cached, fresh):
        assert logs.events == parsed.events
        assert logs.hours == parsed.hours
        assert logs.files == parsed.files
        assert logs.key_uses == parsed.key_uses == {(ACCOUNT, "AKIAEXAMPLEKEY"): [DELETED]}


def test_records_after_the_runs_as_of_are_cut_and_the_cache_still_serves(tmp_path):
    store = open_store(str(tmp_path / "evidence"))
    objects = files(date(2026, 6, 1), date(2026, 7, 10))
    full = cloudtrail_logs(run(store, "20260711T000000Z-aaaaaa", objects))
    as_of = datetime(2026, 6, 20, tzinfo=UTC)  # between the StopLogging and the key-signed DeleteUserPolicy
    asked = counting_reads(store)
    cut = cloudtrail_logs(run(store, "20260711T000000Z-bbbbbb", objects, as_of=as_of))
    assert asked == []  # both months from the cache of the first run
    assert [e.name for e in full.events] == ["StopLogging", "DeleteUserPolicy"]
    assert [e.name for e in cut.events] == ["StopLogging"]
    assert max(cut.hours[(ACCOUNT, REGION)]) < as_of < max(full.hours[(ACCOUNT, REGION)])
    assert cut.key_uses == {(ACCOUNT, "AKIAEXAMPLEKEY"): []}
    assert cut.files == full.files  # the files themselves are still the run's evidence
