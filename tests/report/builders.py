"""A hand-built report of four controls (one per status) over a window in progress, shared by the report tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from socready.readiness.model import (
    ControlResult,
    CoverageGap,
    EvidenceDigest,
    EvidenceRef,
    ExceptionInterval,
    SourceRead,
    TicketRef,
)
from socready.readiness.score import criteria_status, rollup, tally
from socready.report.build import report_controls
from socready.report.model import HistoryPoint, Readiness, Report, ReportScope, ReportWindow
from socready.window import Window

TICKET_URL = "https://acme.atlassian.net/browse/SOC-42"
MISSING = (
    "aws.cloudtrail.logs (111111111111/us-east-1): AccessDenied on "
    "s3://acme-cloudtrail/AWSLogs/111111111111/CloudTrail/us-east-1/; grant s3:GetObject"
)
ALICE = "arn:aws:iam::111111111111:user/alice"
RUN_ID = "20260815T140000Z-7f3a"


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


GENERATED = at(8, 15, 14, 5)


MANIFEST_SHA256 = "ab" * 32


def evidence(n: int, source: str, cited: int = 0) -> EvidenceDigest:
    """`n` objects of `source` read, the first `cited` of them cited by findings."""
    refs = [EvidenceRef(source=source, sha256=f"{i:02x}" * 32) for i in range(cited)]
    return EvidenceDigest(manifest_sha256=MANIFEST_SHA256, sources=[SourceRead(source=source, objects=n)], cited=refs)


def control(control_id: str, title: str, owner: str, criteria: list[str], categories: list[str], **kw) -> ControlResult:
    base = {"kind": "state", "severity": "high", "clean_since": None, "coverage": 0.0, "population": 0,
            "exceptions": [], "evidence": None, "remediation": f"Fix {control_id}."}  # fmt: skip
    return ControlResult(id=control_id, title=title, owner=owner, criteria=criteria, categories=categories,
                         **{**base, **kw})  # fmt: skip


def make_controls() -> list[ControlResult]:
    operating = control(
        "PROC-02", "Critical vendors' assurance reports reviewed yearly", "procurement", ["CC9.2"], ["security"],
        kind="periodic", severity="medium", status="operating", reason="Evidence covers the whole window.",
        clean_since=date(2026, 5, 1), coverage=1.0, population=14, evidence=evidence(1, "file.vendor_register"),
        holds_today=True,
    )  # fmt: skip
    exception = control(
        "ENG-ACC-03", "Access removed within SLA of termination", "engineering", ["CC6.2", "CC6.3"], ["security"],
        kind="population", status="exception", reason="Access outlived the 24 h SLA.",
        clean_since=None, coverage=0.9667, population=30, holds_today=False,
        exceptions=[
            ExceptionInterval(resource=ALICE, start=at(6, 3, 18), end=at(6, 5, 9, 30),
                              reason="Access outlived the 24 h SLA.", value="console password active 39.5 h"),
            ExceptionInterval(resource="arn:aws:iam::111111111111:user/bob", start=at(8, 1, 12),
                              end=at(8, 15, 14), reason="Access outlived the 24 h SLA.",
                              value="access key AKIA…7Q active", ongoing=True),
        ],
        accepted_exceptions=[
            ExceptionInterval(resource="arn:aws:iam::222222222222:user/break-glass", start=at(5, 10, 0),
                              end=at(5, 12, 0), reason="Access outlived the 24 h SLA.",
                              value="break-glass user kept", accepted_by="ciso@acme.example"),
        ],
        expired_acceptances=["arn:aws:iam::*:user/legacy-*: accepted by cto@acme.example, expired 2026-06-30"],
        coverage_gaps=[
            CoverageGap(resource="arn:aws:iam::111111111111:user/carol", start=at(7, 2, 4), end=at(7, 3, 4),
                        reason="No CloudTrail record for the termination day.", value="no event"),
        ],
        evidence=evidence(40, "aws.cloudtrail.logs", cited=15),
        ticket=TicketRef(key="SOC-42", url=TICKET_URL, action="updated"),
    )  # fmt: skip
    no_evidence = control(
        "ENG-LOG-01", "Multi-region CloudTrail trail exists and is logging", "engineering", ["CC7.2", "CC2.1"],
        ["security"], status="no_evidence", reason="The CloudTrail logs could not be read.",
        collection_errors=[MISSING],
    )  # fmt: skip
    not_applicable = control(
        "ENG-BCK-01", "Production databases backed up daily", "platform", ["A1.2"], ["availability"],
        status="not_applicable", reason="No production database in the scope's accounts.",
    )  # fmt: skip
    return [operating, exception, no_evidence, not_applicable]


WINDOW = Window(date(2026, 5, 1), date(2026, 10, 31), "America/New_York", at(8, 15, 14))
EARLIER_RUNS = [  # run id, generated, operation, design, evidence completeness
    ("20260701T100000Z-1a2b", at(7, 1, 10), 0.0, 66.6, 33.3),
    ("20260801T100000Z-3c4d", at(8, 1, 10), 33.3, 100.0, 66.6),
]


def history(readiness: Readiness) -> list[HistoryPoint]:
    earlier = [
        HistoryPoint(run_id=run, generated_at=when, as_of=when, score=op, design=de, evidence_completeness=ev)
        for run, when, op, de, ev in EARLIER_RUNS
    ]
    this = HistoryPoint(run_id=RUN_ID, generated_at=GENERATED, as_of=WINDOW.as_of, score=readiness.score,
                        design=readiness.design, evidence_completeness=readiness.evidence_completeness)  # fmt: skip
    return [*earlier, this]


def build(controls: list[ControlResult] | None = None, close: date | None = None) -> Report:
    controls = controls or make_controls()
    categories = ["security", "availability"]
    window = ReportWindow(start=WINDOW.start, end=WINDOW.end, timezone=WINDOW.timezone, as_of=WINDOW.as_of,
                          evaluated_until=WINDOW.evaluated_end_utc, months=WINDOW.months)  # fmt: skip
    scope = ReportScope(organization="Acme Corp", report="soc2", type="type2", categories=categories, window=window)
    readiness = Readiness(
        **tally(controls).model_dump(),
        earliest_type2_close=close,
        type2_close_by_months={"3": None, "6": close, "12": None} if close else {"3": None, "6": None, "12": None},
        blocking_controls=["ENG-ACC-03"] if close else ["ENG-ACC-03", "ENG-LOG-01"],
        by_category=rollup(controls, "category"),
        by_owner=rollup(controls, "owner"),
    )
    return Report(
        generated_at=GENERATED,
        run_id=RUN_ID,
        evidence_store="s3://acme-soc2-evidence",
        dry_run=False,
        scope=scope,
        readiness=readiness,
        criteria=criteria_status(controls, categories),
        controls=report_controls(controls, WINDOW),
        history=history(readiness),
    )
