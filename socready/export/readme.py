"""README.txt of the auditor package: what the run was, what each part holds, and how to check it."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime

from trestle.oscal import OSCAL_VERSION

from socready.evidence import Manifest
from socready.export import layout
from socready.report.format import REPORT_TYPES
from socready.report.model import Report


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def _entry(path: str, text: str) -> str:
    return f"{path}\n{textwrap.fill(text, width=100, initial_indent='    ', subsequent_indent='    ')}"


def readme(report: Report, manifest: Manifest, counts: dict[str, int]) -> str:
    """`counts`: objects, exceptions and samples in the package."""
    run, window, tally = report.run_id, report.scope.window, report.readiness
    facts = [
        ("Organization", report.scope.organization),
        ("Report", f"SOC 2 {REPORT_TYPES[report.scope.type]}, categories: {', '.join(report.scope.categories)}"),
        (
            "Window",
            f"{window.start} to {window.end} ({window.timezone}), evaluated until {_utc(window.evaluated_until)}",
        ),
        ("Run", f"{run}: evidence collected {_utc(manifest.created_at)}, report {_utc(report.generated_at)}"),
        (
            "Controls",
            f"{tally.operating} operating, {tally.exception} exception, {tally.no_evidence} no evidence, "
            f"{tally.not_applicable} not applicable; readiness score {tally.score:g}",
        ),
    ]
    samples = (
        "Sample selections made with `socready sample`; each .json names the run it was drawn from."
        if counts["samples"]
        else "No samples were made."
    )
    contents = [
        (layout.SUMS, "The sha256 of every other file in the package."),
        (
            f"{layout.REPORT}/",
            "report.json (schema socready.report/v2: every verdict with its reason, exceptions and the sha256 of "
            "the evidence showing them; the manifest lists everything read), report.md, report.html.",
        ),
        (
            f"{layout.EVIDENCE}/",
            "The run's evidence, laid out exactly like a socready evidence store (below).",
        ),
        (
            f"{layout.EVIDENCE}/runs/{run}/manifest.json",
            "What was collected: source, query, time (UTC), sha256, connector version; and every collection error.",
        ),
        (
            f"{layout.EVIDENCE}/objects/<aa>/<sha256>",
            f"{counts['objects']} raw evidence object(s), each named by the sha256 of its content.",
        ),
        (
            f"{layout.EVIDENCE}/derived/{run}/<control>/",
            "dataset.csv, the table the control was tested on, and validation.json, its Great Expectations "
            "validation result.",
        ),
        (f"{layout.POPULATIONS}/<control>.csv", "The tested population of each population or periodic control."),
        (f"{layout.SAMPLES}/", samples),
        (
            layout.EXCEPTIONS,
            f"{counts['exceptions']} exception(s), open and accepted: control, resource, start and end (UTC), value "
            "seen, reason; for an accepted one its approver, the acceptance reason and expiry.",
        ),
        (
            f"{layout.DATA_DOCS}/index.html",
            "Great Expectations Data Docs: a page per control validation and per suite. The pages load their "
            "stylesheets from public CDNs; offline they are unstyled but complete.",
        ),
        (
            layout.OSCAL,
            f"The run as NIST OSCAL {OSCAL_VERSION} assessment results: a finding per assessed control (satisfied "
            "or not-satisfied), observations citing the files above by sha256, a risk per exception.",
        ),
    ]
    checks = [
        ("1. Every file is as exported", f"sha256sum -c {layout.SUMS}"),
        (
            "2. Every evidence object the manifest lists is present and unchanged",
            f"socready evidence verify --store {layout.EVIDENCE} --run {run}",
        ),
    ]
    return "\n".join(
        [
            "socready auditor package",
            "========================",
            "",
            *(f"{label + ':':<14}{value}" for label, value in facts),
            "",
            "Contents",
            "--------",
            *(_entry(path, text) for path, text in contents),
            "",
            "How to verify",
            "-------------",
            *(f"{step}:\n    {command}" for step, command in checks),
            f"   By hand: the sha256 of each file under {layout.EVIDENCE}/objects/ equals its name.",
            f"3. The manifest is the one the run recorded: under {layout.LEDGER}/, the last entry's manifest_sha256 is",
            f"   the sha256 of {layout.EVIDENCE}/runs/{run}/manifest.json, and each entry's previous_sha256 is the",
            "   sha256 of the entry before it. `socready evidence verify` on the full store checks the whole chain.",
            "4. Each validation.json is the Great Expectations result over the dataset.csv beside it, so every",
            "   verdict in report.json can be traced to its evidence: each control names the manifest's sha256 and",
            "   how many objects of each source it read (the manifest lists them), and cites the objects its",
            "   exceptions and coverage gaps point at.",
            "",
        ]
    )
