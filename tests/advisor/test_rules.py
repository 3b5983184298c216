"""The advisor's decision rules: every rule fires for some profile, and each profile gets the advised reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import product
from pathlib import Path

import pytest
from pydantic import ValidationError

from socready.advisor.recommendation import Recommendation
from socready.advisor.rules import RULES, Window, fired, markdown_table, recommend
from socready.advisor.timeline import add_months, first_of_month_from
from tests.advisor.profiles import TODAY, profile

DOCS = Path(__file__).parents[2] / "docs" / "advisor.md"


@dataclass(frozen=True)
class Case:
    answers: dict[str, object]
    reports: list[str]
    categories: list[str]
    months: int
    rules: set[str]
    words: list[str] = field(default_factory=list)  # must appear in the stated reasons


CASES = {
    "smb, nobody asked: prepare, no audit": Case(
        {}, [], ["security"], 6, {"R3c", "R6a", "R6f", "R8"}, ["Nobody asked", "Prepare instead", "B2B contact"]
    ),
    "enterprise SaaS with an SLA": Case(
        {"buyers": ["enterprise"], "uptime_commitments": True},
        ["SOC 2 Type II"],
        ["security", "availability"],
        6,
        {"R2a", "R3c", "R6a", "R6b", "R6f"},
        ["procurement teams", "uptime"],
    ),
    "mid-market, security questionnaire, customer contracts": Case(
        {"buyers": ["mid_market"], "customer_asked": ["security_questionnaire"], "confidential_data": True},
        ["SOC 2 Type II"],
        ["security", "confidentiality"],
        6,
        {"R2a", "R2b", "R3c", "R6a", "R6c", "R6f"},
        ["questionnaire", "confidential"],
    ),
    "payroll for mid-market: SOC 1 and SOC 2": Case(
        {
            "financial_reporting": True,
            "buyers": ["mid_market"],
            "processes_transactions": True,
            "personal_data": True,
        },
        ["SOC 1 Type II", "SOC 2 Type II"],
        ["security", "processing_integrity", "privacy"],
        6,
        {"R1a", "R1c", "R2a", "R3c", "R6a", "R6d", "R6e"},
        ["ICFR", "SSAE 18", "not security", "same window"],
    ),
    "billing for SMB only: SOC 1 alone": Case(
        {"financial_reporting": True},
        ["SOC 1 Type II"],
        ["security"],
        6,
        {"R1a", "R1d", "R3c", "R6a", "R6f"},
        ["ICFR", "IT general controls"],
    ),
    "urgent SOC 2 ask: Type I bridge, 3-month window": Case(
        {"buyers": ["enterprise"], "customer_asked": ["soc2"], "urgent": True},
        ["SOC 2 Type I", "SOC 2 Type II"],
        ["security"],
        3,
        {"R2a", "R2b", "R2e", "R3b", "R6a", "R6f"},
        ["bridge", "shortest window"],
    ),
    "urgent Type II ask: no Type I": Case(
        {"buyers": ["enterprise"], "customer_asked": ["soc2_type2"], "urgent": True},
        ["SOC 2 Type II"],
        ["security"],
        3,
        {"R2a", "R2b", "R3a", "R3b", "R6a", "R6f"},
        ["does not satisfy"],
    ),
    "Type I and Type II asked, urgent: bridge for the Type I customer": Case(
        {"buyers": ["enterprise"], "customer_asked": ["soc2_type1", "soc2_type2"], "urgent": True},
        ["SOC 2 Type I", "SOC 2 Type II"],
        ["security"],
        3,
        {"R2a", "R2b", "R2e", "R3a", "R3b", "R6a", "R6f"},
        ["bridge", "does not satisfy"],
    ),
    "trust page wanted by an SMB seller: SOC 3 needs SOC 2 Type II": Case(
        {"public_trust_page": True, "uptime_commitments": True},
        ["SOC 2 Type II", "SOC 3"],
        ["security", "availability"],
        6,
        {"R3c", "R4a", "R4c", "R6a", "R6b", "R6f"},
        ["general-use", "only from a SOC 2 Type II"],
    ),
    "customer asked for SOC 3": Case(
        {"customer_asked": ["soc3"]},
        ["SOC 2 Type II", "SOC 3"],
        ["security"],
        6,
        {"R3c", "R4b", "R4c", "R6a", "R6f"},
        ["SOC 3 report"],
    ),
    "renewal after a Type II, with trust page": Case(
        {
            "buyers": ["enterprise"],
            "soc2_completed": "type2",
            "previous_period_end": date(2026, 6, 30),
            "public_trust_page": True,
            "urgent": True,  # renewal ignores urgency: 12 months, no Type I
            "customer_asked": ["soc2"],
        },
        ["SOC 2 Type II", "SOC 3"],
        ["security"],
        12,
        {"R2a", "R2b", "R4a", "R4c", "R5a", "R5b", "R6a", "R6f"},
        ["renew", "no Type I", "leave no gap"],
    ),
    "after a Type I, urgent Type II ask": Case(
        {
            "buyers": ["mid_market"],
            "soc2_completed": "type1",
            "customer_asked": ["soc2_type2"],
            "urgent": True,
        },
        ["SOC 2 Type II"],
        ["security"],
        3,
        {"R2a", "R2b", "R2d", "R3a", "R3b", "R6a", "R6f"},
        ["Type I is done"],
    ),
    "enterprise asked for ISO 27001": Case(
        {"buyers": ["enterprise"], "customer_asked": ["iso27001"]},
        ["SOC 2 Type II"],
        ["security"],
        6,
        {"R2a", "R3c", "R6a", "R6f", "R7"},
        ["does not replace ISO 27001"],
    ),
    "SMB asked only for ISO 27001: no SOC audit yet": Case(
        {"customer_asked": ["iso27001"]},
        [],
        ["security"],
        6,
        {"R3c", "R6a", "R6f", "R7", "R8"},
        ["does not replace ISO 27001", "Nobody asked for a SOC report"],
    ),
    "public sector with end-user data": Case(
        {"buyers": ["public_sector"], "personal_data": True},
        ["SOC 2 Type II"],
        ["security", "privacy"],
        6,
        {"R2c", "R3c", "R6a", "R6e"},
        ["FedRAMP", "personal data"],
    ),
    "urgent SOC 1 ask from an SMB": Case(
        {"customer_asked": ["soc1"], "urgent": True},
        ["SOC 1 Type II"],
        ["security"],
        3,
        {"R1b", "R1d", "R3b", "R6a", "R6f"},
        ["asked for a SOC 1"],
    ),
    "Type I asked without urgency: Type II instead": Case(
        {"customer_asked": ["soc2_type1"]},
        ["SOC 2 Type II"],
        ["security"],
        6,
        {"R2b", "R2f", "R3c", "R6a", "R6f"},
        ["also satisfies a request for a Type I"],
    ),
    "every category": Case(
        {
            "buyers": ["enterprise", "smb"],
            "uptime_commitments": True,
            "confidential_data": True,
            "processes_transactions": True,
            "personal_data": True,
        },
        ["SOC 2 Type II"],
        ["security", "availability", "confidentiality", "processing_integrity", "privacy"],
        6,
        {"R2a", "R3c", "R6a", "R6b", "R6c", "R6d", "R6e"},
    ),
}


def reasons(recommendation: Recommendation) -> str:
    items = [
        *recommendation.reports,
        *recommendation.categories,
        recommendation.window,
        *recommendation.notes,
        *([recommendation.no_audit_yet] if recommendation.no_audit_yet else []),
    ]
    return " ".join(item.reason for item in items)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_profile_gets_the_advised_reports_categories_and_window(case: Case):
    answers = profile(**case.answers)
    recommendation = recommend(answers)
    assert {rule.id for rule in fired(answers)} == case.rules
    assert [r.title for r in recommendation.reports] == case.reports
    assert (recommendation.no_audit_yet is not None) == (not case.reports)
    assert [c.category for c in recommendation.categories] == case.categories
    assert recommendation.window.months == case.months
    text = reasons(recommendation)
    assert all(word in text for word in case.words), text
    assert all(item.reason and item.rules for item in [*recommendation.reports, *recommendation.categories])


def test_cases_are_distinct_and_cover_every_rule():
    assert len({repr(sorted(c.answers.items())) for c in CASES.values()}) == len(CASES) >= 10
    exercised = set().union(*(c.rules for c in CASES.values()))
    assert exercised == {rule.id for rule in RULES}


@pytest.mark.parametrize(("completed", "urgent"), list(product(["none", "type1", "type2"], [False, True])))
def test_exactly_one_window_rule_fires(completed, urgent):
    answers = profile(
        soc2_completed=completed,
        urgent=urgent,
        customer_asked=["soc2"],
        previous_period_end=date(2026, 6, 30) if completed == "type2" else None,
    )
    assert len([r for r in fired(answers) if isinstance(r.then, Window)]) == 1


def test_soc1_is_never_instead_of_soc2_when_buyers_ask_about_security():
    for asked in (["soc1", "soc2"], ["soc1", "security_questionnaire"]):
        titles = [r.title for r in recommend(profile(customer_asked=asked)).reports]
        assert titles == ["SOC 1 Type II", "SOC 2 Type II"]


def timeline(**answers: object) -> dict[str, tuple[date, date | None]]:
    return {m.kind: (m.start, m.end) for m in recommend(profile(**answers)).timeline}


def test_first_audit_timeline_takes_about_twelve_months_to_the_opinion():
    assert timeline(buyers=["enterprise"], public_trust_page=True) == {
        "implementation": (TODAY, date(2027, 2, 19)),
        "operating": (date(2027, 2, 20), date(2027, 3, 31)),
        "window": (date(2027, 4, 1), date(2027, 9, 30)),
        "fieldwork": (date(2027, 10, 1), date(2027, 11, 11)),
        "opinion": (date(2027, 11, 30), None),
        "soc3": (date(2027, 11, 30), None),
    }


def test_urgent_timeline_has_a_type1_within_three_months_and_a_three_month_window():
    recommendation = recommend(profile(buyers=["enterprise"], customer_asked=["soc2"], urgent=True))
    assert [m.kind for m in recommendation.timeline] == [
        "implementation",
        "type1",
        "operating",
        "window",
        "fieldwork",
        "opinion",
    ]
    dates = {m.kind: (m.start, m.end) for m in recommendation.timeline}
    assert dates["implementation"] == (TODAY, date(2027, 1, 19))
    assert dates["type1"] == (date(2027, 1, 20), date(2027, 2, 17))
    assert dates["operating"] == (date(2027, 1, 20), date(2027, 2, 28))
    assert dates["window"] == (date(2027, 3, 1), date(2027, 5, 31))
    assert dates["opinion"] == (date(2027, 7, 31), None)
    assert (recommendation.window.start, recommendation.window.end) == dates["window"]


def test_renewal_window_follows_the_previous_period_without_a_gap():
    dates = timeline(buyers=["enterprise"], soc2_completed="type2", previous_period_end=date(2026, 6, 30))
    assert dates == {
        "window": (date(2026, 7, 1), date(2027, 6, 30)),
        "fieldwork": (date(2027, 7, 1), date(2027, 8, 11)),
        "opinion": (date(2027, 8, 30), None),
    }


def test_after_a_type1_the_window_opens_after_a_month_of_consistent_operation():
    dates = timeline(buyers=["enterprise"], soc2_completed="type1")
    assert dates["operating"] == (TODAY, date(2026, 12, 31))
    assert dates["window"] == (date(2027, 1, 1), date(2027, 6, 30))
    assert "implementation" not in dates and "type1" not in dates


def test_no_audit_yet_still_tracks_a_readiness_window_but_books_no_auditor():
    recommendation = recommend(profile())
    assert [m.kind for m in recommendation.timeline] == ["implementation", "operating", "window"]
    assert recommendation.timeline[-1].name.startswith("Readiness window")


def test_window_opens_on_the_day_consistent_operation_ends_when_that_is_the_first():
    dates = timeline(buyers=["enterprise"], today=date(2026, 12, 1))
    assert dates["window"] == (date(2027, 4, 1), date(2027, 9, 30))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 7, 1), 12, date(2027, 7, 1)),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_first_of_month_from():
    assert first_of_month_from(date(2027, 3, 1)) == date(2027, 3, 1)
    assert first_of_month_from(date(2027, 12, 2)) == date(2028, 1, 1)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"urgent": True}, "say what they asked for"),
        ({"urgent": True, "customer_asked": ["iso27001"]}, "say what they asked for"),
        ({"personal_data": True, "handles_customer_data": False}, "handles customer data"),
        ({"soc2_completed": "type2"}, "needs previous_period_end"),
        ({"soc2_completed": "type2", "previous_period_end": date(2027, 1, 31)}, "after today"),
        ({"previous_period_end": date(2026, 6, 30)}, "only when soc2_completed is type2"),
        ({"buyers": []}, "at least 1 item"),
        ({"customer_asked": ["soc4"]}, "soc2_type2"),
    ],
)
def test_inconsistent_answers_are_rejected(answers, message):
    with pytest.raises(ValidationError, match=message):
        profile(**answers)


def test_docs_show_the_rules_table():
    assert markdown_table() in DOCS.read_text(encoding="utf-8"), (
        "docs/advisor.md is out of date: paste socready.advisor.rules.markdown_table() into it"
    )
