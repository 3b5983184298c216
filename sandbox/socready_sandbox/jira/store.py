"""The sandbox's state: ids, the clock, JSON persistence, lookups of issues, projects and users, write limits."""

import contextlib
import json
import os
import tempfile
from datetime import datetime, timedelta
from typing import Any

from socready_sandbox.jira.wire import JiraApiError


class Store:
    """Issue state and its persistence; the per-issue write limit Jira Cloud enforces."""

    def _next_id(self) -> str:
        self._state["next_id"] += 1
        return str(self._state["next_id"])

    def _now(self) -> datetime:
        # Jira keeps millisecond precision; truncating keeps rendered and compared times identical
        now = self._clock()
        return now.replace(microsecond=now.microsecond // 1000 * 1000)

    def _save(self) -> None:
        if self._state_path is None:
            return
        self._state_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self._state_path.parent, prefix=f".{self._state_path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self._state, handle)
            os.replace(tmp, self._state_path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def _issue(self, key_or_id: str) -> dict[str, Any]:
        key = self._by_id.get(key_or_id, key_or_id.upper())
        issue = self._state["issues"].get(key)
        if issue is None:
            raise JiraApiError(404, "Issue does not exist or you do not have permission to see it.")
        return issue

    def limit_issue_writes(self, max_writes: int, per_seconds: float) -> None:
        """Jira Cloud's per-issue write limit: a write to an issue that already took `max_writes` writes in the last
        `per_seconds` answers 429 with Retry-After. Creates do not count; edits, transitions, comments, property
        writes and links (on both issues) do."""
        with self._lock:
            self._write_limit = (max_writes, timedelta(seconds=per_seconds))
            self._recent_writes.clear()

    def _count_write(self, key_or_id: str) -> None:
        """Counts a write to an existing issue and enforces the per-issue write limit, if one is set."""
        key = self._by_id.get(key_or_id, key_or_id.upper())
        if key not in self._state["issues"]:
            return  # the handler answers 404
        if self._write_limit is not None:
            most, period = self._write_limit
            now, recent = self._clock(), self._recent_writes[key]
            while recent and recent[0] <= now - period:
                recent.popleft()
            if len(recent) >= most:
                wait = max(1, int((recent[0] + period - now).total_seconds() + 0.999))
                raise JiraApiError(429, f"Too many writes to issue {key}; retry later.", retry_after=wait)
            recent.append(now)
        self.issue_writes[key] += 1

    def _project_of(self, issue: dict[str, Any]) -> dict[str, Any]:
        return self._state["projects"][issue["fields"]["project"]]

    def _find_project(self, ref: Any) -> dict[str, Any] | None:
        wanted = str(ref.get("key") or ref.get("id") or "") if isinstance(ref, dict) else str(ref)
        return next(
            (p for p in self._state["projects"].values() if wanted in (p["key"], p["id"])),
            None,
        )

    def _find_user(self, ref: Any) -> str | None:
        if not isinstance(ref, dict):
            return None
        wanted = ref.get("accountId") or ref.get("id") or ref.get("name")
        users = self._state["users"].values()
        return next((u["accountId"] for u in users if wanted in (u["accountId"], u["emailAddress"])), None)
