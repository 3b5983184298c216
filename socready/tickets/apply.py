"""Carries out a ticket plan: each create recorded in the outbox before and after, each issue written at most once
per kind of change, and a comment only with a state change (resolve, reopen)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from socready.errors import TicketError
from socready.scope import Scope
from socready.tickets.gateway import Jira, UnknownOutcome
from socready.tickets.lookup import find_tickets
from socready.tickets.outbox import Outbox, Record
from socready.tickets.plan import Plan, Step

PAST = {"create": "created", "update": "updated", "resolve": "resolved", "reopen": "reopened", "unchanged": "unchanged"}


@dataclass(frozen=True)
class Outcome:
    step: Step
    key: str

    @property
    def action(self) -> str:
        return PAST[self.step.action]


def _status(fields: dict[str, Any]) -> str:
    return fields["status"]["name"]


class Applier:
    """Saves the outbox after every step, so a crash loses at most the step in flight, never a recorded key."""

    def __init__(
        self, jira: Jira, outbox: Outbox, records: dict[str, Record], scope: Scope, now: Callable[[], datetime]
    ) -> None:
        self.jira, self.outbox, self.records = jira, outbox, records
        self.settings = scope.tickets
        self.now = now  # stamps pending creates, which later runs compare with Jira's search lag

    def run(self, plan: Plan) -> list[Outcome]:
        if plan.forget:
            for fp in plan.forget:
                del self.records[fp]
            self.outbox.save(self.records)
        outcomes = []
        for step in plan.steps:
            key = self._apply(step)
            self.records[step.record.fingerprint] = step.record.model_copy(update={"key": key, "pending_since": None})
            self.outbox.save(self.records)
            outcomes.append(Outcome(step, key))
        return outcomes

    def _apply(self, step: Step) -> str:
        if step.action in ("create", "reopen") and step.key is None:
            return self._create(step)
        key = step.key
        assert key is not None and (step.issue is not None or step.action == "unchanged")
        if step.action == "update":
            self._edit(step, {})
        elif step.action == "reopen":
            self._reopen(step)
        elif step.action == "resolve":
            self._resolve(step)
        if step.repair_property:
            self._stamp(key, step.record)
        if step.link_to:
            self.jira.link(self.settings.link_type, key, step.link_to)
        return key

    def _stamp(self, key: str, record: Record) -> None:
        value = record.model_dump(include={"fingerprint", "group_by", "controls", "resource"})
        self.jira.set_property(key, value)

    def _create(self, step: Step) -> str:
        assert step.draft is not None
        fp = step.record.fingerprint
        self.records[fp] = step.record.model_copy(update={"pending_since": self.now()})
        self.outbox.save(self.records)  # before the create: a crash after it leaves a mark to look for
        try:
            key = self.jira.create(step.draft.fields)
        except UnknownOutcome:
            found = find_tickets(self.jira, {fp: self.records[fp]}, self.settings.search_lag_seconds)
            key = found.get(fp) or self.jira.create(step.draft.fields)
        self.records[fp] = step.record.model_copy(update={"key": key})
        self.outbox.save(self.records)  # at once: the property and link below can fail without losing the key
        self._stamp(key, step.record)
        if step.link_to:
            self.jira.link(self.settings.link_type, key, step.link_to)
        return key

    def _edit(self, step: Step, also: dict[str, Any]) -> None:
        """One PUT: changed fields (and `also`) set, socready's missing labels added (labels owners added stay)."""
        assert step.issue is not None and step.draft is not None
        fields = {name: step.draft.fields[name] for name in step.changed if name != "labels"} | also
        have = set(step.issue.raw["fields"].get("labels") or [])
        update = {"labels": [{"add": label} for label in step.draft.labels if label not in have]}
        if fields or update["labels"]:
            self.jira.edit(step.issue, fields, update if update["labels"] else {})

    def _transition(self, key: str, before: str, transition: dict[str, Any], comment: str | None) -> None:
        try:
            self.jira.transition(key, transition["id"], comment)
        except UnknownOutcome:
            now = self.jira.issue(key, ["status"])
            if now is None or _status(now.raw["fields"]) == before:  # it did not happen: once more
                self.jira.transition(key, transition["id"], comment)

    def _reopen(self, step: Step) -> None:
        assert step.issue is not None and step.draft is not None and step.reopen_id is not None
        comment = step.comment or (
            f"socready: the gap is back ({step.draft.fields['summary']}). Reopened with a new due date, "
            f"{step.draft.fields['duedate']}; the description lists the current findings."
        )
        fields = step.issue.raw["fields"]
        self._transition(step.issue.key, _status(fields), {"id": step.reopen_id}, comment)
        # the SLA starts again, and the ticket goes back to the owner's triage
        again = {"duedate": step.draft.fields["duedate"]}
        if "assignee" in step.draft.fields:
            again["assignee"] = step.draft.fields["assignee"]
        self._edit(step, again)

    def _resolve(self, step: Step) -> None:
        assert step.issue is not None
        if step.draft is not None:  # a gap that stays, resolved by a management response: its text first
            self._edit(step, {})
        names = self.settings.resolve_transitions
        key, status = step.issue.key, _status(step.issue.raw["fields"])
        comment = step.comment or (
            f"socready: the evidence showed {step.name} clean in {step.record.clean_runs} consecutive runs; resolving. "
            "socready reopens this ticket if the gap returns."
        )
        for _ in names:
            available = {t["name"]: t for t in self.jira.transitions(key)}
            transition = next((available[name] for name in names if name in available), None)
            if transition is None:
                raise TicketError(
                    f"{key}: none of tickets.resolve_transitions {names} is available from status '{status}' "
                    f"(available: {sorted(available)}); add the transitions that lead to Done"
                )
            final = transition["to"]["statusCategory"]["key"] == "done"
            self._transition(key, status, transition, comment if final else None)
            if final:
                return
            status = transition["to"]["name"]
        raise TicketError(f"{key}: tickets.resolve_transitions {names} did not reach a done status")
