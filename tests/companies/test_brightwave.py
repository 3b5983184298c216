"""Brightwave Labs end to end: every planted gap found with its dates, no exception on a clean item, and no
`operating` verdict on an empty or unread population, over the full window and as of mid-window."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.companies import brightwave as bw
from tests.companies.run import Run, full_and_mid_window, live_company
from tests.companies.score import Score, score
from tests.least_privilege import outside_policy, recording
from tests.verdict_snapshots import unchanged

TRUTH = bw.truth()


@pytest.fixture(scope="module")
def collector_calls() -> Iterator[set[str]]:
    with recording() as calls:
        yield calls


@pytest.fixture(scope="module")
def runs(tmp_path_factory, collector_calls) -> tuple[Run, Run]:
    with live_company(tmp_path_factory.mktemp("brightwave")) as scope_path:
        return full_and_mid_window(scope_path)


def test_collector_calls_stay_within_the_shipped_policy(runs, collector_calls):
    assert "organizations:ListAccounts" in collector_calls  # the organization's accounts were discovered
    assert outside_policy(collector_calls) == []


def test_every_planted_gap_has_a_decoy_beside_it():
    gapped = {gap.control for gap in TRUTH.gaps}
    decoyed = {decoy.control for decoy in TRUTH.decoys}
    assert gapped - decoyed == set()
    assert not {(g.control, g.resource) for g in TRUTH.gaps} & {(d.control, d.resource) for d in TRUTH.decoys}


def test_the_scope_is_written_in_settings_socready_reads(runs):
    full, mid = runs
    assert full.unsupported == mid.unsupported == []


def scored(found: Score) -> None:
    """Fails listing every miss, false exception and vacuous pass (not the runs' results)."""
    if not found.clean:
        pytest.fail(found.report(), pytrace=False)


def test_verdicts_match_the_recorded_snapshots(runs):
    full, mid = runs
    moved = [f"full: {m}" for m in unchanged("brightwave-full", full.results)]
    assert moved + [f"mid: {m}" for m in unchanged("brightwave-mid", mid.results)] == []


def test_full_window(runs):
    scored(score(runs[0].results, TRUTH))


def test_mid_window_as_of_is_a_hard_cut(runs):
    scored(score(runs[1].results, TRUTH, bw.AS_OF))
