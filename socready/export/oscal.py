"""The exported run as an OSCAL assessment-results document, built and validated with compliance-trestle's models."""

from __future__ import annotations

import argparse
import hashlib
import uuid
from collections import defaultdict
from pathlib import Path

from pydantic import ValidationError
from trestle.common import const
from trestle.core.validator_factory import validator_factory
from trestle.oscal import OSCAL_VERSION, common
from trestle.oscal.assessment_results import AssessmentResults, ImportAp, Result

from socready import __version__
from socready.errors import SocreadyError
from socready.evidence import EvidenceStore, Manifest
from socready.export import layout
from socready.export.exception_list import ExceptionRecord, report_window
from socready.readiness.model import ControlResult
from socready.report.format import REPORT_TYPES
from socready.report.model import Report

NS = "urn:socready:oscal"  # socready's own property names, kept apart from OSCAL's
_ROOT = uuid.uuid5(uuid.NAMESPACE_URL, NS)
UP = "../"  # hrefs are relative to the document, which sits one folder down in the package

# socready status -> (objective state, OSCAL reason); a read that failed is never satisfied
OBJECTIVE = {
    "operating": ("satisfied", "pass"),
    "exception": ("not-satisfied", "fail"),
    "no_evidence": ("not-satisfied", "other"),
}
DERIVED = {  # a control's derived files: title and media type
    "dataset.csv": ("Dataset", "text/csv"),
    "validation.json": ("Great Expectations validation result", "application/json"),
}
TALLY = ("score", "operating", "exception", "no_evidence", "not_applicable")


def oscal_uuid(run_id: str, *parts: str) -> str:
    """A uuid5 of the run id and the item's path: exporting a run twice gives the same document."""
    return str(uuid.uuid5(_ROOT, "/".join((run_id, *parts))))


def _prop(name: str, value: str) -> common.Property:
    return common.Property(name=name, value=value, ns=NS)


def _line(text: str) -> str:
    """Props and titles are single-line, trimmed tokens in OSCAL; resource names come from the evidence."""
    return " ".join(text.split()) or "-"


class _EvidenceResources:
    """Back-matter resources, one per packaged evidence file with its SHA-256; observations cite them by uuid."""

    def __init__(self, manifest: Manifest, derived: dict[str, bytes]) -> None:
        self.run_id, self.derived = manifest.run_id, derived
        self.queries: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.media: dict[str, str] = {}
        for entry in manifest.entries:
            self.queries[entry.source, entry.sha256].append(entry.query)
            self.media[entry.sha256] = entry.media_type
        self.resources: dict[str, common.Resource] = {}

    def _cite(self, path: str, sha256: str, title: str, description: str, media_type: str) -> common.RelevantEvidence:
        if path not in self.resources:
            self.resources[path] = common.Resource(
                uuid=oscal_uuid(self.run_id, "resource", path),
                title=title,
                description=description,
                rlinks=[
                    common.Rlink(
                        href=UP + path,
                        media_type=media_type,
                        hashes=[common.Hash(algorithm=common.Algorithm.SHA_256, value=sha256)],
                    )
                ],
            )
        return common.RelevantEvidence(href=f"#{self.resources[path].uuid}", description=f"{title}: {description}")

    def cite(self, result: ControlResult) -> list[common.RelevantEvidence]:
        """The run's manifest (it lists every object the control read), the raw objects its findings point at
        (with the queries that fetched them), then its dataset and GX result."""
        manifest = f"runs/{self.run_id}/manifest.json"
        cited = [
            self._cite(
                f"{layout.EVIDENCE}/{manifest}",
                hashlib.sha256(self.derived[manifest]).hexdigest(),
                "Evidence manifest",
                "Every evidence object of the run, with its source, query and sha256",
                "application/json",
            )
        ]
        cited += [
            self._cite(
                f"{layout.EVIDENCE}/{EvidenceStore.object_key(ref.sha256)}",
                ref.sha256,
                ref.source,
                "; ".join(self.queries[ref.source, ref.sha256]) or "evidence object",
                self.media.get(ref.sha256, "application/octet-stream"),
            )
            for ref in (result.evidence.cited if result.evidence else [])
        ]
        for name, (title, media_type) in DERIVED.items():
            key = f"derived/{self.run_id}/{result.id}/{name}"
            if key in self.derived:
                sha256 = hashlib.sha256(self.derived[key]).hexdigest()
                cited.append(self._cite(f"{layout.EVIDENCE}/{key}", sha256, title, f"{result.id} {name}", media_type))
        return cited


def _describe(result: ControlResult) -> str:
    lines = [
        result.reason,
        f"Population {result.population}; coverage {result.coverage:.0%}; "
        f"clean since {result.clean_since or 'unknown'}.",
        f"{len(result.exceptions)} open exception(s), {len(result.accepted_exceptions)} accepted, "
        f"{len(result.within_grace)} within the grace period, {len(result.coverage_gaps)} coverage gap(s).",
    ]
    if result.evidence:
        read = ", ".join(f"{s.source} ({s.objects} objects)" for s in result.evidence.sources)
        manifest = result.evidence.manifest_sha256
        lines.append(f"Evidence read, as listed by the run's manifest (sha256 {manifest}): {read}.")
    lines += [
        f"Coverage gap {gap.resource} {gap.start.isoformat()} to {gap.end.isoformat()}: {gap.reason} ({gap.value})"
        for gap in result.coverage_gaps
    ]
    lines += [f"Collection error: {error}" for error in result.collection_errors]
    return "\n".join(lines)


def _observation(
    result: ControlResult, run_id: str, manifest: Manifest, evidence: list[common.RelevantEvidence], page: str | None
) -> common.Observation:
    return common.Observation(
        uuid=oscal_uuid(run_id, result.id, "observation"),
        title=f"{result.id}: {result.title}",
        description=_describe(result),
        props=[
            _prop("status", result.status),
            _prop("population", str(result.population)),
            _prop("coverage", f"{result.coverage:g}"),
        ],
        links=[common.Link(href=UP + page, rel="reference", media_type="text/html", text="GX Data Docs page")]
        if page
        else None,
        methods=["TEST"],
        types=["control-objective"],
        relevant_evidence=evidence or None,
        collected=manifest.created_at,
    )


TITLES = {"response": "Management response", "dispute": "Disputed (recorded for review; the exception stands)"}


def _risk(record: ExceptionRecord, run_id: str, observation: str) -> common.Risk:
    control, item, acceptance = record.control, record.item, record.acceptance
    description = f"{item.resource}: {item.value}, {item.start.isoformat()} to {item.end.isoformat()}"
    description += " (ongoing)." if item.ongoing else "."
    props = [_prop("resource", _line(item.resource))]
    if item.accepted_by:
        props.append(_prop("accepted-by", _line(item.accepted_by)))
        why = f" until {acceptance.expires}: {acceptance.reason}" if acceptance else "."
        description += f" Accepted by {item.accepted_by}{why}"
    key = (control.id, "risk", item.resource, item.start.isoformat(), item.reason)
    log = [
        common.Entry(
            uuid=oscal_uuid(run_id, *key, d.kind, d.ticket, d.at.isoformat()),
            title=f"{TITLES[d.kind]} by {_line(d.author)} in {d.ticket}",
            description=d.text or "no reason given",
            start=d.at,
            props=[_prop("ticket", d.ticket), _prop("evidence-sha256", d.evidence)],
        )
        for d in (record.response, record.dispute)
        if d is not None
    ]
    return common.Risk(
        uuid=oscal_uuid(run_id, *key),
        title=f"{control.id} exception: {_line(item.resource)}",
        description=description,
        statement=item.reason,
        props=props,
        status="deviation-approved" if item.accepted_by else "open",
        remediations=None
        if item.accepted_by
        else [
            common.Response(
                uuid=oscal_uuid(run_id, *key, "remediation"),
                lifecycle="recommendation",
                title=f"Remediate {control.id}",
                description=control.remediation,
            )
        ],
        related_observations=[common.RelatedObservation(observation_uuid=observation)],
        risk_log=common.RiskLog(entries=log) if log else None,
    )


def _finding(result: ControlResult, run_id: str, observation: str, risks: list[str]) -> common.Finding:
    state, reason = OBJECTIVE[result.status]
    return common.Finding(
        uuid=oscal_uuid(run_id, result.id, "finding"),
        title=f"{result.id}: {result.title}",
        description=result.reason,
        props=[
            _prop("status", result.status),
            _prop("owner", result.owner),
            _prop("severity", result.severity),
            *(_prop("tsc-criterion", criterion) for criterion in result.criteria),
        ],
        target=common.FindingTarget(
            type="objective-id",
            target_id=result.id,
            title=result.title,
            description=result.reason,
            status=common.ObjectiveStatus(state=state, reason=reason),
        ),
        related_observations=[common.RelatedObservation(observation_uuid=observation)],
        related_risks=[common.AssociatedRisk(risk_uuid=risk) for risk in risks] or None,
        remarks=None if result.status == "operating" else f"Remediation: {result.remediation}",
    )


def assessment_results(
    report: Report,
    manifest: Manifest,
    derived: dict[str, bytes],
    records: list[ExceptionRecord],
    pages: dict[str, str],
) -> AssessmentResults:
    """`derived`: the run's derived files by store key; `pages`: control id -> its Data Docs page in the package."""
    if all(c.status == "not_applicable" for c in report.controls):
        raise SocreadyError(f"run {report.run_id} assessed no control: there is nothing to state in OSCAL")
    try:
        return _build(report, manifest, _EvidenceResources(manifest, derived), records, pages)
    except ValidationError as exc:  # every model validates as it is built, against the OSCAL schema's rules
        raise SocreadyError(f"run {report.run_id}: the OSCAL assessment results do not validate: {exc}") from exc


def _build(
    report: Report,
    manifest: Manifest,
    resources: _EvidenceResources,
    records: list[ExceptionRecord],
    pages: dict[str, str],
) -> AssessmentResults:
    run_id = report.run_id
    assessed = [c for c in report.controls if c.status != "not_applicable"]
    excluded = [c for c in report.controls if c.status == "not_applicable"]
    observations, findings, risks = [], [], []
    for result in assessed:
        evidence = resources.cite(result)
        observation = _observation(result, run_id, manifest, evidence, pages.get(result.id))
        control_risks = [_risk(r, run_id, observation.uuid) for r in records if r.control.id == result.id]
        observations.append(observation)
        risks += control_risks
        findings.append(_finding(result, run_id, observation.uuid, [r.uuid for r in control_risks]))
    readiness, window = report.readiness, report_window(report)
    return AssessmentResults(
        uuid=oscal_uuid(run_id),
        metadata=common.Metadata(
            title=f"SOC 2 {REPORT_TYPES[report.scope.type]} readiness of {report.scope.organization}, run {run_id}",
            last_modified=report.generated_at,
            version=run_id,
            oscal_version=OSCAL_VERSION,
            props=[_prop("generator", f"socready {__version__}")],
            parties=[
                common.Parties(
                    uuid=oscal_uuid(run_id, "organization"), type="organization", name=report.scope.organization
                )
            ],
        ),
        import_ap=ImportAp(
            href=f"{UP}{layout.REPORT}/report.json",
            remarks="No separate assessment plan: the scope's window, categories and controls are in report.json.",
        ),
        results=[
            Result(
                uuid=oscal_uuid(run_id, "result"),
                title=f"Readiness run {run_id}",
                description=(
                    f"Every in-scope control tested on every day of the window {window.start} to {window.end} "
                    f"({window.timezone}); readiness score {readiness.score:g}."
                ),
                start=window.start_utc,
                end=window.evaluated_end_utc,
                props=[_prop(name, f"{getattr(readiness, name):g}") for name in TALLY],
                links=[
                    common.Link(
                        href=f"{UP}{layout.EVIDENCE}/runs/{run_id}/manifest.json",
                        rel="reference",
                        media_type="application/json",
                        text="Evidence manifest of the run",
                    )
                ],
                reviewed_controls=common.ReviewedControls(
                    control_selections=[
                        common.ControlSelections(
                            include_controls=[common.SelectControlById(control_id=c.id) for c in assessed],
                            exclude_controls=[common.SelectControlById(control_id=c.id) for c in excluded] or None,
                            remarks="\n".join(f"{c.id} not applicable: {c.reason}" for c in excluded) or None,
                        )
                    ]
                ),
                observations=observations,
                risks=risks or None,
                findings=findings,
            )
        ],
        back_matter=common.BackMatter(resources=list(resources.resources.values())) if resources.resources else None,
    )


def write_assessment_results(document: AssessmentResults, path: Path) -> None:
    """Runs the checks `trestle validate` runs (unique uuids, references) before writing with trestle's serializer."""
    validator = validator_factory.get(argparse.Namespace(mode=const.VAL_MODE_ALL))
    if not validator.model_is_valid(document, True):
        raise SocreadyError(f"{path}: trestle rejects the OSCAL assessment results: {validator.error_msg()}")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.oscal_write(path)
