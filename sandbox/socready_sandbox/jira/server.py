"""A Jira Cloud-compatible REST sandbox (API v2, v3 and latest) that the real `jira` client talks to over HTTP."""

import collections
import copy
import json
import pathlib
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Self
from zoneinfo import ZoneInfo

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from socready_sandbox.jira.app import App
from socready_sandbox.jira.approvals import Approvals
from socready_sandbox.jira.changelog import Changelog
from socready_sandbox.jira.faults import Fault, Faults
from socready_sandbox.jira.field_values import FieldValues
from socready_sandbox.jira.issues import Issues
from socready_sandbox.jira.links import Links
from socready_sandbox.jira.metadata import Metadata
from socready_sandbox.jira.rendering import Rendering
from socready_sandbox.jira.search import Search
from socready_sandbox.jira.store import Store
from socready_sandbox.jira.transitions import Transitions

DEFAULT_TOKEN = "sandbox-api-token"
STATE_VERSION = 1


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Per-request access logs would drown test and benchmark output; errors are still logged."""


class JiraSandbox(
    App, Faults, Metadata, Store, FieldValues, Issues, Changelog, Transitions, Approvals, Links, Rendering, Search
):
    """An in-process Jira Cloud look-alike with a tiny workflow, JQL search and optional JSON persistence.

    `requests_made` counts requests per (HTTP method, Flask rule), e.g. ("GET", "/rest/api/2/issue/<key>").
    """

    def __init__(
        self,
        state_path: pathlib.Path | None = None,
        *,
        user: str = "socready-bot@example.com",
        token: str = DEFAULT_TOKEN,
        page_size_cap: int = 100,
        user_timezone: str = "UTC",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], datetime] = _utc_now,
        deployment: str = "Cloud",
    ) -> None:
        """`deployment` "Server" acts as Jira Data Center/Server: serverInfo says so and /search (startAt) answers."""
        self._state_path = state_path
        self._deployment = deployment
        self._user = user
        self._token = token
        self._page_size_cap = page_size_cap
        self._tz_name = user_timezone
        self._tz = ZoneInfo(user_timezone)
        self._host, self._port = host, port
        self._clock = clock
        self._lock = threading.RLock()
        self._faults: list[Fault] = []
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.requests_made: collections.Counter[tuple[str, str]] = collections.Counter()
        self.issue_writes: collections.Counter[str] = collections.Counter()  # write requests per issue key
        self._search_lag = timedelta()
        self._index: dict[str, list[tuple[datetime, dict[str, Any]]]] = {}  # key -> (visible from, snapshot)
        self._docs: dict[str, tuple[dict[str, Any], dict[str, list[Any]]]] = {}  # key -> (issue version, search doc)
        self._results: dict[str, list[dict[str, Any]]] = {}  # JQL -> matches, while no issue changes
        self._last_number: dict[str, int] = {}  # project key -> its highest issue number
        self._reopen_allowed = True
        self._write_limit: tuple[int, timedelta] | None = None
        self._recent_writes: dict[str, collections.deque[datetime]] = collections.defaultdict(collections.deque)
        self._state: dict[str, Any] = {
            "version": STATE_VERSION,
            "next_id": 10000,
            "issue_types": {},
            "projects": {},
            "users": {},
            "custom_fields": {},
            "issues": {},
            "links": [],
            "statuses": {},
        }
        if state_path is not None and state_path.exists():
            self._state = json.loads(state_path.read_text(encoding="utf-8"))
            if self._state.get("version") != STATE_VERSION:
                raise ValueError(f"{state_path} holds sandbox state version {self._state.get('version')}")
            self._state.setdefault("links", [])  # state files written before issue links existed
        self._state.setdefault("statuses", {})  # a workflow's own statuses (add_status), beside the built-in ones
        self._state.setdefault("resolutions", {})  # the site's own resolutions (add_resolution)
        self._logins: dict[str, tuple[str, str]] = {}  # token -> (login name, account id) of other users
        self._by_id = {issue["id"]: key for key, issue in self._state["issues"].items()}
        # the API user gets a stable account id so persisted issues still point at it in the next run
        self._me = "712020:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"mailto:{user}"))
        if self._me not in self._state["users"]:
            self.add_user(self._me, user.split("@")[0], user)
        self.app = self._build_app()

    def start(self) -> str:
        if self._server is not None:
            raise RuntimeError("the Jira sandbox is already running")
        self._server = make_server(
            self._host, self._port, self.app, threaded=True, request_handler=_QuietRequestHandler
        )
        # a short poll interval makes stop() quick; the default half second adds up over many tests
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="jira-sandbox", daemon=True
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the Jira sandbox is not running; call start() first")
        return f"http://{self._host}:{self._server.server_port}"

    @property
    def user(self) -> str:
        return self._user

    @property
    def account_id(self) -> str:
        """Account id of the API user the client authenticates as."""
        return self._me

    def issues(self) -> list[dict[str, Any]]:
        """A deep copy of every stored issue as Jira renders it (all fields, changelog, properties)."""
        with self._lock:
            rest = f"{self.url if self._server else ''}/rest/api/2"
            return copy.deepcopy(
                [
                    self._render_issue(issue, rest, self._select_fields(["*all"]), changelog=True, properties=["*all"])
                    for issue in self._state["issues"].values()
                ]
            )
