"""How a control cites evidence: the manifest's hash and a count per source, exact objects only for its findings."""

from __future__ import annotations

from socready.evidence.view import EvidenceView
from socready.readiness.model import ControlResult, EvidenceDigest, EvidenceRef, SourceRead


def digest(sources: list[str], view: EvidenceView) -> EvidenceDigest:
    """What the control read from the run: the manifest lists every object, so the count per source is enough."""
    return EvidenceDigest(
        manifest_sha256=view.manifest_sha256,
        sources=[SourceRead(source=source, objects=len(view.entries(source))) for source in sources],
    )


def findings_evidence(result: ControlResult) -> list[str]:
    """The sha256s the control's findings point at, first seen first."""
    items = [*result.exceptions, *result.accepted_exceptions, *result.within_grace, *result.coverage_gaps]
    return list(dict.fromkeys(sha for item in items for sha in item.evidence))


def with_citations(result: ControlResult, sources: list[str], view: EvidenceView) -> ControlResult:
    """The result with each object its findings point at cited with its source: this run's entries first, then
    the earlier runs' snapshots the control read as history."""
    shas = findings_evidence(result)
    if not shas or result.evidence is None:
        return result
    known = {e.sha256: e.source for source in sources for e in view.entries(source)}
    if any(sha not in known for sha in shas):
        for source in sources:
            for entry in view.earlier_entries(source):
                known.setdefault(entry.sha256, entry.source)
    cited = [EvidenceRef(source=known[sha], sha256=sha) for sha in shas if sha in known]
    return result.model_copy(update={"evidence": result.evidence.model_copy(update={"cited": cited})})
