"""Which ticket a finding belongs to: gaps grouped as the scope asks, each with a deterministic fingerprint."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from socready.readiness.model import ControlResult

GroupBy = Literal["control", "control_and_resource", "owner"]
Kind = Literal["ongoing", "historical"]
GAP_STATUSES = ("exception", "no_evidence")
PROPERTY = "socready.fingerprint"  # issue property holding the full fingerprint (labels carry only a prefix)


def fingerprint(organization: str, control_id: str, resource: str | None = None) -> str:
    """Per control, or per control and resource; a control-wide gap keeps the per-control fingerprint."""
    parts = [organization, control_id] if resource is None else [organization, control_id, resource]
    return hashlib.sha256("|".join(["socready/v1", *parts]).encode()).hexdigest()


def owner_fingerprint(organization: str, owner: str) -> str:
    return hashlib.sha256(f"socready/v1|{organization}|owner:{owner}".encode()).hexdigest()


def fingerprint_label(value: str) -> str:
    """Searchable with JQL (entity properties are not, without an app)."""
    return f"socready-gap-{value[:16]}"


@dataclass(frozen=True)
class GroupKey:
    """What one ticket covers; kept in the outbox so a gap that is gone can still be judged healed or not."""

    group_by: GroupBy
    owner: str
    controls: tuple[str, ...]
    resource: str | None = None

    def name(self) -> str:
        if self.group_by == "owner":
            return f"{self.owner} gaps"
        return self.controls[0] if self.resource is None else f"{self.controls[0]} {self.resource}"

    def healed(self, results: dict[str, ControlResult]) -> bool | None:
        """For a group with no finding this run: True when evidence shows it clean, None when it cannot tell.

        A control out of scope or not assessed tells nothing; a resource is clean only when its control's
        evidence was complete (with no_evidence its findings may just be unreadable).
        """
        if self.group_by == "owner":
            statuses = [results[c].status for c in self.controls if c in results]
            return True if "operating" in statuses else None
        result = results.get(self.controls[0])
        if result is None or result.status == "not_applicable":
            return None
        if self.resource is not None and result.status == "no_evidence":
            return None
        return True


@dataclass(frozen=True)
class Gap:
    """One ticket's worth of findings: the control results narrowed to what the group covers."""

    fingerprint: str
    key: GroupKey
    results: tuple[ControlResult, ...]

    @property
    def label(self) -> str:
        return fingerprint_label(self.fingerprint)

    @property
    def kind(self) -> Kind:
        """ongoing: it still fails at the end of the evaluated span (or cannot be read) and asks for a fix;
        historical: fixed since, yet inside the window, so it asks for a management response."""
        return "historical" if all(r.holds_today is True for r in self.results) else "ongoing"


def _resources(result: ControlResult) -> list[str]:
    return list(dict.fromkeys(item.resource for item in [*result.exceptions, *result.coverage_gaps]))


def _per_resource(result: ControlResult, organization: str) -> Iterable[Gap]:
    items = [*result.exceptions, *result.coverage_gaps]
    # intervals end at the evaluated span's end at the latest: a failing control's latest end is that end
    last = max((i.end for i in items), default=None)
    for resource in _resources(result):
        exceptions = [e for e in result.exceptions if e.resource == resource]
        gaps = [g for g in result.coverage_gaps if g.resource == resource]
        reaches_end = any(i.end == last for i in [*exceptions, *gaps])
        narrowed = result.model_copy(
            update={
                "exceptions": exceptions,
                "coverage_gaps": gaps,
                "collection_errors": [],
                "holds_today": result.holds_today if result.holds_today is not False else not reaches_end,
            }
        )
        key = GroupKey("control_and_resource", result.owner, (result.id,), resource)
        yield Gap(fingerprint(organization, result.id, resource), key, (narrowed,))
    if result.collection_errors or not _resources(result):
        # failed reads name no resource: they make one control-wide ticket
        narrowed = result.model_copy(update={"exceptions": [], "coverage_gaps": []})
        key = GroupKey("control_and_resource", result.owner, (result.id,))
        yield Gap(fingerprint(organization, result.id), key, (narrowed,))


def group_gaps(results: list[ControlResult], organization: str, group_by: GroupBy) -> list[Gap]:
    """The gaps of this run, in a stable order (by owner when batched, else by control and resource)."""
    failing = sorted((r for r in results if r.status in GAP_STATUSES), key=lambda r: r.id)
    if group_by == "control":
        return [Gap(fingerprint(organization, r.id), GroupKey("control", r.owner, (r.id,)), (r,)) for r in failing]
    if group_by == "control_and_resource":
        return [gap for r in failing for gap in _per_resource(r, organization)]
    owners = sorted({r.owner for r in failing})
    return [
        Gap(
            owner_fingerprint(organization, owner),
            GroupKey("owner", owner, tuple(r.id for r in failing if r.owner == owner)),
            tuple(r for r in failing if r.owner == owner),
        )
        for owner in owners
    ]
