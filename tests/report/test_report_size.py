"""report.json stays small: controls cite evidence by the manifest's digest, so it grows with exceptions, not with
the number of evidence objects."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from expectations.dataset import Row, frame
from expectations.outcome import SuiteOutcome
from expectations.runner import validate
from expectations.spec import held_throughout
from socready.catalog import Control, load_catalog
from socready.evidence import EvidenceEntry, Manifest, open_store
from socready.evidence.manifest import ManifestWindow
from socready.evidence.view import EvidenceView
from socready.readiness.citations import digest, with_citations
from socready.readiness.verdicts import decide
from socready.report.build import build_report
from socready.scope import Scope
from tests.helpers import make_scope, window_of

LIMIT = 2 * 2**20  # bytes: report.json for 10,000 evidence objects
SUITE = held_throughout("ok", "No evidence for these hours.", "It failed.")
START = datetime(2026, 7, 1, 4, tzinfo=UTC)


def sha(number: int) -> str:
    return hashlib.sha256(f"object {number}".encode()).hexdigest()


def manifest(objects: int, sources: list[str]) -> Manifest:
    """`objects` entries spread over the sources in turn: object n belongs to sources[n % len(sources)]."""
    at = START + timedelta(days=40)
    entries = [
        EvidenceEntry(sha256=sha(n), source=sources[n % len(sources)], query=f"s3://logs/{n:06d}.json.gz",
                      collected_at=at, connector="bench", connector_version="1", size=1000)
        for n in range(objects)
    ]  # fmt: skip
    window = ManifestWindow(start=START, end=START + timedelta(days=31), timezone="UTC", as_of=at)
    return Manifest(run_id=f"20260810T000000Z-{objects}", organization="Fixture Co", created_at=at, window=window,
                    entries=entries, errors=[])  # fmt: skip


def dataset(control: Control, sources: list[str], failing: int) -> list[Row]:
    """Ten resources; the first `failing` fail, citing the first object of the control's first source."""
    shown = sha(sources.index(control.evidence[0]))
    end = START + timedelta(days=31)
    return [
        Row(f"{control.id}/resource-{n}", START, end, "seen", {"ok": True})
        if n >= failing
        else Row(f"{control.id}/resource-{n}", START, end, "off for a day", {"ok": False}, (shown,))
        for n in range(10)
    ]


@pytest.fixture(scope="module")
def outcomes() -> dict[int, SuiteOutcome]:
    """The GX outcome over ten resources with 0 and with 3 failing; every control's dataset has this shape (only
    names and cited objects differ), so one validation per shape serves them all."""
    control = load_catalog()["ENG-LOG-01"]
    found = {}
    for failing in (0, 3):
        df = frame(dataset(control, list(control.evidence), failing), {"ok": "boolean"})
        found[failing] = validate(control.id, df, SUITE)
    return found


def report_json(outcome: SuiteOutcome, scope: Scope, objects: int, failing: int, tmp_path) -> bytes:
    controls = list(load_catalog().values())
    sources = sorted({s for control in controls for s in control.evidence})
    store = open_store(str(tmp_path / f"store-{objects}-{failing}"))
    run = manifest(objects, sources)
    store.write_manifest(run)
    view, window = EvidenceView(store, run), window_of(scope)
    results = []
    for control in controls:
        df = frame(dataset(control, sources, failing), {"ok": "boolean"})
        read = list(control.evidence)
        result = decide(control, df, outcome, window, [], digest(read, view))
        results.append(with_citations(result, read, view))
    report = build_report(scope, window, run.run_id, store.location, results, dry_run=True)
    for result in results:  # the digest leads to the full list: the manifest the store keeps under that hash
        cited = store.manifest_by_sha256(result.evidence.manifest_sha256)
        assert [s.objects for s in result.evidence.sources] == [
            len(cited.entries_for(s.source)) for s in result.evidence.sources
        ]
    return report.to_json().encode()


def test_report_json_stays_small_and_grows_with_exceptions_not_evidence(outcomes, tmp_path):
    scope = make_scope(tmp_path)
    small = report_json(outcomes[3], scope, 1_000, 3, tmp_path)
    large = report_json(outcomes[3], scope, 10_000, 3, tmp_path)
    assert len(large) <= LIMIT
    reads = sum(len(control.evidence) for control in load_catalog().values())
    # ten times the evidence: only the per-source counts gain a digit, and the run id names the volume
    assert len(large) - len(small) <= reads + 10
    clean = report_json(outcomes[0], scope, 10_000, 0, tmp_path)
    print(f"report.json: {len(small):,} bytes for 1,000 objects, {len(large):,} for 10,000, {len(clean):,} clean")
    assert len(clean) < len(large)  # the exceptions and the objects they cite are what the report adds
    assert b'"cited": []' in clean and b'"cited": [\n' in large
