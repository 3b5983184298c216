"""The verdict engine and score: pure functions over a dataset, its GX outcome and the window."""

from __future__ import annotations

from datetime import UTC, date, datetime

from expectations.dataset import Inventory, Row, frame
from expectations.runner import validate
from expectations.spec import held_throughout
from socready.catalog import load_catalog
from socready.evidence import CollectionFailure
from socready.readiness.model import ControlResult, EvidenceDigest, SourceRead
from socready.readiness.score import criteria_status, earliest_type2_close, rollup, tally
from socready.readiness.verdicts import decide, lacking_evidence, not_applicable
from socready.report.build import blocking_controls
from socready.scope.models import AcceptedException
from socready.window import Window

CONTROL = load_catalog()["ENG-LOG-01"]
READ_NOTHING = EvidenceDigest(manifest_sha256="0" * 64, sources=[])
CLOSED = Window(date(2026, 5, 1), date(2026, 10, 31), "UTC", datetime(2026, 12, 1, tzinfo=UTC))
SUITE = held_throughout("ok", "No evidence for these hours.", "It failed.")


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, tzinfo=UTC)


def verdict(
    rows: list[Row],
    window: Window = CLOSED,
    acceptances: list[AcceptedException] = (),
    inventory: Inventory | None = None,
    evidence: EvidenceDigest = READ_NOTHING,
) -> ControlResult:
    df = frame(rows, {"ok": "boolean"}, inventory)
    return decide(CONTROL, df, validate(CONTROL.id, df, SUITE), window, list(acceptances), evidence)


def row(resource: str, start: datetime, end: datetime, ok: bool | None) -> Row:
    return Row(resource, start, end, "seen", {"ok": ok})


def test_clean_window_operates_since_window_start():
    result = verdict([row("a", at(5, 1), at(11, 1), True), row("b", at(5, 1), at(11, 1), True)])
    assert (result.status, result.clean_since, result.coverage, result.population) == (
        "operating",
        date(2026, 5, 1),
        1.0,
        2,
    )


def test_touching_failures_merge_into_one_interval_per_resource():
    result = verdict(
        [
            row("a", at(5, 1), at(6, 1), True),
            row("a", at(6, 1), at(6, 3), False),
            row("a", at(6, 3), at(6, 5), False),
            row("a", at(6, 5), at(11, 1), True),
            row("b", at(7, 1), at(7, 2), False),
        ]
    )
    assert result.status == "exception" and result.reason == "It failed."
    assert [(e.resource, e.start, e.end) for e in result.exceptions] == [
        ("a", at(6, 1), at(6, 5)),
        ("b", at(7, 1), at(7, 2)),
    ]
    assert result.clean_since == date(2026, 7, 2)


def test_coverage_gap_alone_is_no_evidence_never_operating():
    result = verdict(
        [row("a", at(5, 1), at(8, 1), True), row("a", at(8, 1), at(8, 2), None), row("a", at(8, 2), at(11, 1), True)]
    )
    assert result.status == "no_evidence"
    assert [(g.start, g.end) for g in result.coverage_gaps] == [(at(8, 1), at(8, 2))]
    assert 0.99 < result.coverage < 1.0
    assert result.clean_since == date(2026, 8, 2)


def test_exception_outranks_coverage_gap():
    result = verdict([row("a", at(5, 1), at(6, 1), None), row("a", at(6, 1), at(11, 1), False)])
    assert result.status == "exception" and len(result.coverage_gaps) == 1


def test_accepted_exception_applies_until_it_expires():
    rows = [row("account/legacy", at(6, 1), at(6, 3), False), row("account/prod", at(5, 1), at(11, 1), True)]
    accepted = AcceptedException(
        control="ENG-LOG-01", resource="account/leg*", reason="migration", approver="CISO", expires=date(2027, 1, 31)
    )
    result = verdict(rows, acceptances=[accepted])
    assert result.status == "operating"
    assert result.accepted_exceptions[0].accepted_by == "CISO"
    expired = verdict(rows, acceptances=[accepted.model_copy(update={"expires": date(2026, 11, 15)})])
    assert expired.status == "exception" and "expired 2026-11-15" in expired.expired_acceptances[0]
    other_control = verdict(rows, acceptances=[accepted.model_copy(update={"control": "PROC-02"})])
    assert other_control.status == "exception"


def test_empty_population_with_a_complete_inventory_operates_with_its_statement():
    statement = "0 of 3 RDS instances in scope are production (tagged environment=production)."
    result = verdict([], inventory=Inventory(statement))
    assert (result.status, result.population, result.coverage, result.reason) == ("operating", 0, 1.0, statement)
    assert result.clean_since == date(2026, 5, 1)


def test_incomplete_inventory_is_no_evidence_empty_or_not():
    inventory = Inventory("0 of 1 RDS instances in scope are production.", ("aws.rds.instances in 1/eu-west-1",))
    for rows in ([], [row("a", at(5, 1), at(11, 1), True)]):
        result = verdict(rows, inventory=inventory)
        assert (result.status, result.clean_since, result.coverage) == ("no_evidence", None, 0.0)
        assert result.reason == "The inventory is incomplete: aws.rds.instances in 1/eu-west-1 not read."
    failing = verdict([row("a", at(5, 1), at(11, 1), False)], inventory=inventory)
    assert failing.status == "exception"  # a seen failure is reported, whatever was not read


def test_empty_population_without_an_inventory_needs_its_source_read():
    read = [SourceRead(source=CONTROL.evidence[0], objects=1), SourceRead(source="other", objects=1)]
    shown = verdict([], evidence=READ_NOTHING.model_copy(update={"sources": read}))
    assert (shown.status, shown.population, shown.coverage) == ("operating", 0, 1.0)
    assert shown.reason == (
        f"The population for the window is empty, as {CONTROL.evidence[0]} shows (1 evidence objects read)."
    )
    unread = verdict([], evidence=READ_NOTHING.model_copy(update={"sources": read[1:]}))
    assert (unread.status, unread.clean_since) == ("no_evidence", None)
    assert (
        unread.reason == f"The population is empty, and no {CONTROL.evidence[0]} evidence was read to show that it is."
    )


def test_open_window_marks_unfinished_exception_ongoing():
    as_of = at(7, 20)
    window = Window(date(2026, 5, 1), date(2026, 10, 31), "UTC", as_of)
    result = verdict([row("a", at(5, 1), at(7, 10), True), row("a", at(7, 10), as_of, False)], window)
    assert result.exceptions[0].ongoing and result.clean_since == date(2026, 7, 20)


def test_failed_read_is_no_evidence_without_clean_since():
    failure = CollectionFailure(
        source="aws.cloudtrail.logs",
        query="s3://logs/",
        error="AccessDenied",
        message="no",
        missing_permission="s3:ListBucket",
        account="111111111111",
        at=at(11, 1),
    )
    result = lacking_evidence(CONTROL, "Evidence could not be collected.", [failure], READ_NOTHING)
    assert result.status == "no_evidence" and result.clean_since is None
    assert "grant s3:ListBucket" in result.collection_errors[0]


def test_score_counts_operating_share_of_applicable_and_never_no_evidence():
    ok = verdict([row("a", at(5, 1), at(11, 1), True)])
    bad = verdict([row("a", at(6, 1), at(6, 2), False)])
    missing = lacking_evidence(CONTROL, "x", [], READ_NOTHING)
    excluded = not_applicable(load_catalog()["PROC-02"], "Excluded by the scope: no vendors")
    summary = tally([ok, ok, bad, missing, excluded])
    assert (summary.score, summary.operating, summary.exception, summary.no_evidence, summary.not_applicable) == (
        50.0,
        2,
        1,
        1,
        1,
    )
    assert rollup([ok, excluded], "owner")["procurement"].not_applicable == 1


def test_earliest_type2_close_is_latest_clean_since_plus_length():
    ok = verdict([row("a", at(5, 1), at(11, 1), True)])
    bad = verdict([row("a", at(6, 1), at(8, 31), False)])
    assert earliest_type2_close([ok, bad], 6) == date(2027, 2, 28)
    assert blocking_controls([ok, bad]) == ["ENG-LOG-01"]
    missing = lacking_evidence(CONTROL, "x", [], READ_NOTHING)
    assert earliest_type2_close([ok, missing], 6) is None


def test_criterion_is_ready_only_when_every_mapped_control_operates():
    ok = verdict([row("a", at(5, 1), at(11, 1), True)])
    statuses = {c.id: c.status for c in criteria_status([ok], ["security", "availability"])}
    assert statuses["CC7.2"] == "operating" and statuses["A1.2"] == "not_assessed"
    missing = lacking_evidence(CONTROL, "x", [], READ_NOTHING)
    assert {c.id: c.status for c in criteria_status([ok, missing], ["security"])}["CC7.2"] == "no_evidence"


def test_deviation_within_the_grace_period_is_tolerated_and_listed_apart():
    from datetime import timedelta

    rows = [
        row("a", at(5, 1), at(6, 1), True),
        row("a", at(6, 1), at(6, 2), False),
        row("a", at(6, 2), at(11, 1), True),
    ]
    df = frame(rows, {"ok": "boolean"})
    outcome = validate(CONTROL.id, df, SUITE)
    tolerated = decide(CONTROL, df, outcome, CLOSED, [], READ_NOTHING, grace=timedelta(hours=24))
    assert tolerated.status == "operating" and len(tolerated.within_grace) == 1 and tolerated.holds_today
    strict = decide(CONTROL, df, outcome, CLOSED, [], READ_NOTHING, grace=timedelta(hours=23))
    assert strict.status == "exception" and strict.within_grace == []


def test_holds_today_is_false_while_an_exception_is_open_at_the_end():
    open_at_end = verdict([row("a", at(5, 1), at(10, 1), True), row("a", at(10, 1), at(11, 1), False)])
    assert open_at_end.holds_today is False
    healed = verdict([row("a", at(5, 1), at(6, 1), False), row("a", at(6, 1), at(11, 1), True)])
    assert healed.holds_today is True and healed.status == "exception"


def test_coverage_of_thousands_of_resources_over_the_window():
    """Their spans add up to centuries, past pandas' Timedelta range: coverage is still the share of time covered."""
    rows = [row(f"r{n}", at(5, 1), at(11, 1), True) for n in range(999)]
    rows.append(row("gap", at(5, 1), at(11, 1), None))
    result = verdict(rows)
    assert (result.population, result.coverage) == (1000, 0.999)
