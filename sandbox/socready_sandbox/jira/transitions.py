"""The tiny workflow: which transitions an issue offers, and moving it (resolving it on done)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import request

from socready_sandbox.jira.vocabulary import CREATABLE
from socready_sandbox.jira.wire import JiraApiError, format_time


@dataclass(frozen=True)
class _Transition:
    id: str
    name: str
    sources: frozenset[str]
    target: str


_WORKFLOW = (
    _Transition("11", "Start Progress", frozenset({"To Do", "Reopened"}), "In Progress"),
    _Transition("21", "Done", frozenset({"In Progress"}), "Done"),
    _Transition("31", "Reopen", frozenset({"Done"}), "Reopened"),
)
_REOPEN = "31"


class Transitions:
    """To Do -> In Progress -> Done, and Reopen unless set_workflow turned it off."""

    def set_workflow(self, *, reopen: bool = True) -> None:
        """`reopen=False` removes the Reopen transition, as in workflows where Done is final."""
        with self._lock:
            self._reopen_allowed = reopen

    def _status_change(
        self, issue: dict[str, Any], status: str, when: datetime, resolution: str | None = None
    ) -> dict[str, Any]:
        """Moving into a done status resolves the issue; moving out of one clears the resolution."""
        fields = issue["fields"]
        if self._statuses[status][1] != "done":
            return {"status": status, "resolution": None, "resolutiondate": None}
        return {
            "status": status,
            "resolution": resolution or fields["resolution"] or "Done",
            "resolutiondate": fields["resolutiondate"] or format_time(when),
        }

    def _available_transitions(self, issue: dict[str, Any]) -> list[_Transition]:
        return [
            t for t in _WORKFLOW if issue["fields"]["status"] in t.sources and (self._reopen_allowed or t.id != _REOPEN)
        ]

    def _get_transitions(self, key: str) -> Any:
        issue = self._issue(key)
        wanted = request.args.get("transitionId")
        return {
            "expand": "transitions",
            "transitions": [
                {
                    "id": t.id,
                    "name": t.name,
                    "to": self._status_json(t.target, self._rest()),
                    "hasScreen": False,
                    "isGlobal": False,
                    "isInitial": False,
                    "isAvailable": True,
                    "isConditional": False,
                    "isLooped": False,
                }
                for t in self._available_transitions(issue)
                if wanted in (None, t.id)
            ],
        }

    def _do_transition(self, key: str) -> Any:
        issue = self._issue(key)
        body = self._read_json(dict)
        wanted = str((body.get("transition") or {}).get("id", ""))
        transition = next((t for t in self._available_transitions(issue) if t.id == wanted), None)
        if transition is None:
            raise JiraApiError(400, f"Transition id '{wanted}' is not valid for this issue.")
        resolves = self._statuses[transition.target][1] == "done"
        allowed = CREATABLE | {"resolution"} if resolves else CREATABLE
        changes, comments = self._collect_edit(issue, body.get("fields"), body.get("update"), allowed)
        status = self._status_change(issue, transition.target, self._now(), changes.pop("resolution", None))
        self._apply(issue, {**changes, **status}, comments)
        return self._no_content()
