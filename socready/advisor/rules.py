"""The advisor's decision rules as one table: condition, what it recommends, and the reason it states."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from socready.advisor.profile import Profile
from socready.advisor.recommendation import (
    Advice,
    CategoryAdvice,
    Framework,
    Recommendation,
    ReportAdvice,
    ReportType,
    WindowAdvice,
)
from socready.advisor.timeline import plan
from socready.scope.models import Category

SOC2_REQUESTS = {"soc2", "soc2_type1", "soc2_type2", "security_questionnaire"}
TYPE1_ACCEPTED = {"soc2", "soc2_type1", "security_questionnaire"}  # requests a Type I bridge can answer


@dataclass(frozen=True)
class Report:
    framework: Framework
    type: ReportType | None = None

    def __str__(self) -> str:
        return ReportAdvice(framework=self.framework, type=self.type, reason="", rules=[]).title


@dataclass(frozen=True)
class Include:
    category: Category

    def __str__(self) -> str:
        return f"category `{self.category}`"


@dataclass(frozen=True)
class Window:
    months: int

    def __str__(self) -> str:
        return f"{self.months}-month Type II window"


@dataclass(frozen=True)
class Note:
    def __str__(self) -> str:
        return "note"


@dataclass(frozen=True)
class NoAuditYet:
    def __str__(self) -> str:
        return "no audit yet: prepare with socready"


Effect = Report | Include | Window | Note | NoAuditYet
Condition = Callable[[Profile], bool]


@dataclass(frozen=True)
class Rule:
    id: str
    when: Condition  # a named function: its docstring is the condition in docs/advisor.md
    then: Effect
    reason: str


# Conditions. Each docstring reads as the "when" column of the rules table.


def affects_financial_reporting(p: Profile) -> bool:
    """The product affects customers' financial statements (payroll, billing, payments, revenue, ledgers)."""
    return p.financial_reporting


def asked_for_soc1(p: Profile) -> bool:
    """A customer asked for a SOC 1."""
    return "soc1" in p.customer_asked


def needs_soc1(p: Profile) -> bool:
    return affects_financial_reporting(p) or asked_for_soc1(p)


def sells_upmarket(p: Profile) -> bool:
    """Buyers include enterprise or mid-market companies."""
    return bool({"enterprise", "mid_market"} & set(p.buyers))


def asked_for_soc2(p: Profile) -> bool:
    """A customer asked for a SOC 2 (any type) or sent a security questionnaire."""
    return bool(SOC2_REQUESTS & set(p.customer_asked))


def sells_to_public_sector(p: Profile) -> bool:
    """Buyers include the public sector."""
    return "public_sector" in p.buyers


def completed_type1(p: Profile) -> bool:
    """A SOC 2 Type I has been completed (no Type II yet)."""
    return p.soc2_completed == "type1"


def completed_type2(p: Profile) -> bool:
    """A SOC 2 Type II has been completed."""
    return p.soc2_completed == "type2"


def wants_trust_page(p: Profile) -> bool:
    """A public trust page is wanted."""
    return p.public_trust_page


def asked_for_soc3(p: Profile) -> bool:
    """A customer asked for a SOC 3."""
    return "soc3" in p.customer_asked


def wants_soc3(p: Profile) -> bool:
    """A public trust page is wanted or a customer asked for a SOC 3."""
    return wants_trust_page(p) or asked_for_soc3(p)


def needs_soc2(p: Profile) -> bool:
    return any(
        when(p)
        for when in (
            sells_upmarket,
            asked_for_soc2,
            sells_to_public_sector,
            completed_type1,
            completed_type2,
            wants_soc3,
        )
    )


def soc1_and_soc2(p: Profile) -> bool:
    """Both a SOC 1 and a SOC 2 are recommended."""
    return needs_soc1(p) and needs_soc2(p)


def soc1_without_soc2(p: Profile) -> bool:
    """A SOC 1 is recommended and no SOC 2."""
    return needs_soc1(p) and not needs_soc2(p)


def needs_type1_bridge(p: Profile) -> bool:
    """A customer who accepts a Type I needs a SOC 2 within about 3 months, and no SOC 2 has been completed."""
    return p.urgent and p.soc2_completed == "none" and bool(TYPE1_ACCEPTED & set(p.customer_asked))


def asked_for_type2(p: Profile) -> bool:
    """A customer asked specifically for a SOC 2 Type II."""
    return "soc2_type2" in p.customer_asked


def asked_for_type1_without_urgency(p: Profile) -> bool:
    """A customer asked for a SOC 2 Type I, and no Type I bridge is recommended."""
    return "soc2_type1" in p.customer_asked and not needs_type1_bridge(p)


def first_type2_urgent(p: Profile) -> bool:
    """No SOC 2 Type II completed yet, and a customer needs a report within about 3 months."""
    return not completed_type2(p) and p.urgent


def first_type2(p: Profile) -> bool:
    """No SOC 2 Type II completed yet, and no customer is waiting on a report."""
    return not completed_type2(p) and not p.urgent


def always(p: Profile) -> bool:
    """Always."""
    return True


def uptime_commitments(p: Profile) -> bool:
    """Customers get uptime commitments (an SLA)."""
    return p.uptime_commitments


def confidential_data(p: Profile) -> bool:
    """The product holds customers' confidential information (IP, contracts, designs)."""
    return p.confidential_data


def processes_transactions(p: Profile) -> bool:
    """Customers rely on the accuracy of the product's transactions or calculations."""
    return p.processes_transactions


def personal_data(p: Profile) -> bool:
    """The product collects or processes personal data of end users."""
    return p.personal_data


def no_personal_data(p: Profile) -> bool:
    """The product does not process personal data of end users."""
    return not p.personal_data


def asked_for_iso27001(p: Profile) -> bool:
    """A customer asked for ISO 27001."""
    return "iso27001" in p.customer_asked


def no_audit_needed(p: Profile) -> bool:
    """No rule above recommends a report: nobody asked for one, buyers are SMB only, no financial impact."""
    return not (needs_soc1(p) or needs_soc2(p))


SOC2_TYPE2 = Report("soc2", "type2")

RULES: tuple[Rule, ...] = (
    # 1. SOC 1 for financial-reporting impact.
    Rule(
        "R1a",
        affects_financial_reporting,
        Report("soc1", "type2"),
        "The product affects customers' financial reporting: their auditors rely on a SOC 1 report (SSAE 18) "
        "for internal control over financial reporting (ICFR), and they need a Type II (controls operating "
        "over a period) once the controls operate.",
    ),
    Rule("R1b", asked_for_soc1, Report("soc1", "type2"), "A customer asked for a SOC 1 report."),
    Rule(
        "R1c",
        soc1_and_soc2,
        Note(),
        "A SOC 1 covers controls over customers' financial reporting, not security: buyers' security reviews "
        "need the SOC 2 as well. Audit both over the same window with the same firm; the IT general controls "
        "are tested once.",
    ),
    Rule(
        "R1d",
        soc1_without_soc2,
        Note(),
        "socready assesses SOC 2 criteria; its security controls (access, change management, logging) are the "
        "IT general controls a SOC 1 auditor tests, so the starter scope tracks those.",
    ),
    # 2. SOC 2 for who buys and what they ask; Type II is the target, Type I only as an urgent bridge.
    Rule(
        "R2a",
        sells_upmarket,
        SOC2_TYPE2,
        "Enterprise and mid-market procurement teams require a SOC 2 report in vendor security reviews, and "
        "they want Type II: controls operating over a period, not only designed.",
    ),
    Rule(
        "R2b",
        asked_for_soc2,
        SOC2_TYPE2,
        "A customer asked for a SOC 2 report or sent a security questionnaire: a SOC 2 Type II answers most "
        "questionnaires and is the report procurement teams accept.",
    ),
    Rule(
        "R2c",
        sells_to_public_sector,
        SOC2_TYPE2,
        "Public-sector buyers (state and local agencies, universities) commonly accept a SOC 2 Type II in "
        "vendor assessments; US federal cloud purchases require FedRAMP, which SOC 2 does not replace.",
    ),
    Rule(
        "R2d",
        completed_type1,
        SOC2_TYPE2,
        "A SOC 2 Type I is done: it shows design on one date, customers expect the Type II that follows, and a "
        "second Type I adds nothing.",
    ),
    Rule(
        "R2e",
        needs_type1_bridge,
        Report("soc2", "type1"),
        "A customer needs a report within about 3 months and no SOC 2 has been completed: a Type I (controls "
        "designed and in place on one date) can be issued in that time as a bridge; the Type II still follows.",
    ),
    Rule(
        "R2f",
        asked_for_type1_without_urgency,
        Note(),
        "A SOC 2 Type II also satisfies a request for a Type I; a Type I on its own is worth paying for only as "
        "a bridge when a customer needs a report within about 3 months.",
    ),
    # 3. A Type II request, and the first window's length.
    Rule(
        "R3a",
        asked_for_type2,
        Note(),
        "A customer asked specifically for a SOC 2 Type II: a Type I does not satisfy that request, only a "
        "Type II opinion does.",
    ),
    Rule(
        "R3b",
        first_type2_urgent,
        Window(3),
        "First Type II for a customer who is waiting: 3 months is the shortest window auditors accept; later "
        "periods run 12 months.",
    ),
    Rule(
        "R3c",
        first_type2,
        Window(6),
        "First Type II with no customer waiting: a 6-month window gives a credible period without delaying "
        "the report; later periods run 12 months.",
    ),
    # 4. SOC 3 for a public trust page.
    Rule(
        "R4a",
        wants_trust_page,
        Report("soc3"),
        "A public trust page needs a report anyone may read: a SOC 3 is the general-use summary of a SOC 2 "
        "Type II, issued from the same audit.",
    ),
    Rule("R4b", asked_for_soc3, Report("soc3"), "A customer asked for a SOC 3 report."),
    Rule(
        "R4c",
        wants_soc3,
        SOC2_TYPE2,
        "A SOC 3 is issued only from a SOC 2 Type II audit, so the SOC 2 Type II is required for it.",
    ),
    # 5. Renewal after a completed Type II.
    Rule(
        "R5a",
        completed_type2,
        SOC2_TYPE2,
        "A SOC 2 Type II is done: renew it every year so customers' coverage has no gap; no Type I.",
    ),
    Rule(
        "R5b",
        completed_type2,
        Window(12),
        "Renewal: a 12-month window that starts the day after the previous period ended, so periods leave no gap.",
    ),
    # 6. Trust Services Criteria categories from what the product does.
    Rule(
        "R6a",
        always,
        Include("security"),
        "Security (the common criteria CC1-CC9) is in every SOC 2.",
    ),
    Rule(
        "R6b",
        uptime_commitments,
        Include("availability"),
        "Customers rely on your uptime commitments (SLA): Availability (A1.1-A1.3) tests capacity planning, "
        "backups and recovery.",
    ),
    Rule(
        "R6c",
        confidential_data,
        Include("confidentiality"),
        "You hold customers' confidential information: Confidentiality (C1.1-C1.2) tests that it is "
        "identified, protected and disposed of as agreed.",
    ),
    Rule(
        "R6d",
        processes_transactions,
        Include("processing_integrity"),
        "Customers rely on the accuracy of your transactions or calculations: Processing Integrity "
        "(PI1.1-PI1.5) tests that processing is complete, valid, accurate and timely.",
    ),
    Rule(
        "R6e",
        personal_data,
        Include("privacy"),
        "You collect or process personal data of end users: Privacy (P1.1-P8.1) tests notice, consent, use, "
        "retention and disposal of it.",
    ),
    Rule(
        "R6f",
        no_personal_data,
        Note(),
        "Privacy is not suggested: if you hold only B2B contact data (names, work emails), privacy is usually "
        "better served by your GDPR/CCPA programme or ISO 27701 than by the SOC 2 Privacy category.",
    ),
    # 7. ISO 27001 is a different assurance.
    Rule(
        "R7",
        asked_for_iso27001,
        Note(),
        "SOC 2 does not replace ISO 27001, nor ISO 27001 a SOC 2: one is an auditor's report on controls over a "
        "period, the other a certification of the security management system. Evidence is largely shared, "
        "but the customer who asked for ISO 27001 needs the certificate.",
    ),
    # 8. Nothing calls for an audit yet.
    Rule(
        "R8",
        no_audit_needed,
        NoAuditYet(),
        "Nobody asked for a SOC report, buyers are SMB only and the product does not affect customers' financial "
        "reporting: an audit now costs money no buyer needs yet. Prepare instead: implement the controls and "
        "run socready over a readiness window, so a first audit window can open as soon as a buyer asks.",
    ),
)


def fired(profile: Profile) -> list[Rule]:
    return [rule for rule in RULES if rule.when(profile)]


def _advice(rules: list[Rule]) -> dict[str, object]:
    return {"reason": " ".join(r.reason for r in rules), "rules": [r.id for r in rules]}


def _grouped(rules: list[Rule], kind: type) -> dict[Effect, list[Rule]]:
    """Rules with the same effect merge into one item whose reason joins theirs, in table order."""
    groups: dict[Effect, list[Rule]] = {}
    for rule in rules:
        if isinstance(rule.then, kind):
            groups.setdefault(rule.then, []).append(rule)
    return groups


def recommend(profile: Profile) -> Recommendation:
    rules = fired(profile)
    reports = sorted(
        (
            ReportAdvice(framework=effect.framework, type=effect.type, **_advice(group))
            for effect, group in _grouped(rules, Report).items()
        ),
        key=lambda r: (r.framework, r.type or ""),  # SOC 1, SOC 2 Type I before Type II, SOC 3
    )
    # The window conditions are exclusive and exhaustive, so exactly one window fires (a test holds them to it).
    [(window, window_rules)] = _grouped(rules, Window).items()
    start, end, timeline = plan(profile, window.months, reports)
    no_audit = [r for r in rules if isinstance(r.then, NoAuditYet)]
    return Recommendation(
        profile=profile,
        reports=reports,
        no_audit_yet=Advice(**_advice(no_audit)) if no_audit else None,
        categories=[
            CategoryAdvice(category=effect.category, **_advice(group))
            for effect, group in _grouped(rules, Include).items()
        ],
        window=WindowAdvice(months=window.months, start=start, end=end, **_advice(window_rules)),
        timeline=timeline,
        notes=[Advice(**_advice([r])) for r in rules if isinstance(r.then, Note)],
    )


def markdown_table() -> str:
    """The rules as docs/advisor.md shows them; a test keeps the doc in sync with this table."""
    rows = [
        "| rule | when | recommends | reason |",
        "|---|---|---|---|",
        *(f"| {r.id} | {(r.when.__doc__ or '').strip()} | {r.then} | {r.reason} |" for r in RULES),
    ]
    return "\n".join(rows) + "\n"
