"""Jira Service Management approvals: seeded on a request and served by the servicedeskapi endpoint."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import request

from socready_sandbox.jira.wire import format_time, parse_time


class Approvals:
    """JSM approvals of a request, as /rest/servicedeskapi/request/<key>/approval pages them."""

    def seed_approval(
        self,
        key: str,
        decisions: Sequence[tuple[str, str]],
        *,
        final: str,
        created: datetime,
        completed: datetime | None = None,
        name: str = "Change approval",
    ) -> None:
        """A Jira Service Management approval of the request `key`: `decisions` are (accountId, approved | declined
        | pending), `final` the approval's finalDecision, `completed` when it was decided (None while pending)."""
        if (final == "pending") != (completed is None):
            raise ValueError("a decided approval needs its completed time, a pending one has none")
        with self._lock:
            issue = self._issue(key)
            approval = {
                "id": self._next_id(),
                "name": name,
                "finalDecision": final,
                "approvers": [{"approver": account, "approverDecision": d} for account, d in decisions],
                "createdDate": format_time(created),
                "completedDate": format_time(completed) if completed else None,
            }
            issue.setdefault("approvals", []).append(approval)
            self._save()

    def _get_approvals(self, key: str) -> Any:
        """JSM pages with start/limit/isLastPage (not the platform's startAt/maxResults/total)."""
        issue = self._issue(key)
        approvals = [self._approval_json(a, key) for a in issue.get("approvals", [])]
        start, limit = self._int_arg(request.args, "start", 0), self._int_arg(request.args, "limit", 50)
        page = approvals[start : start + limit]
        base = f"{request.host_url}rest/servicedeskapi/request/{key}/approval"
        return {
            "size": len(page),
            "start": start,
            "limit": limit,
            "isLastPage": start + limit >= len(approvals),
            "values": page,
            "_links": {"self": f"{base}?start={start}&limit={limit}", "base": request.host_url.rstrip("/")},
        }

    def _approval_json(self, approval: dict[str, Any], key: str) -> dict[str, Any]:
        def moment(text: str | None) -> dict[str, Any] | None:
            if text is None:
                return None
            when = parse_time(text)
            epoch = int(when.timestamp() * 1000)
            return {"iso8601": text, "jira": text, "friendly": f"{when:%d/%b/%y %I:%M %p}", "epochMillis": epoch}

        return {
            "id": approval["id"],
            "name": approval["name"],
            "finalDecision": approval["finalDecision"],
            "canAnswerApproval": False,
            "approvers": [
                {"approver": self._user_json(a["approver"], self._rest()), "approverDecision": a["approverDecision"]}
                for a in approval["approvers"]
            ],
            "createdDate": moment(approval["createdDate"]),
            "completedDate": moment(approval["completedDate"]),
            "_links": {"self": f"{request.host_url}rest/servicedeskapi/request/{key}/approval/{approval['id']}"},
        }
