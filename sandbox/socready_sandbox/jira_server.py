"""A Jira Cloud-compatible REST sandbox (API v2, v3 and latest) that the real `jira` client talks to over HTTP."""

import base64
import collections
import contextlib
import copy
import hashlib
import hmac
import json
import os
import pathlib
import re
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from time import sleep
from typing import Any, Self
from zoneinfo import ZoneInfo

from flask import Flask, Response, g, has_request_context, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from socready_sandbox import jql

DEFAULT_TOKEN = "sandbox-api-token"
API_VERSIONS = ("2", "3", "latest")
STATE_VERSION = 1

_CATEGORIES = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"},
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}
_STATUSES = {  # name -> (id, status category)
    "To Do": ("10000", "new"),
    "In Progress": ("3", "indeterminate"),
    "Done": ("10001", "done"),
    "Reopened": ("4", "new"),
    # seedable, for approval workflows (no transitions lead to them)
    "In Review": ("10002", "indeterminate"),
    "Approved": ("10003", "indeterminate"),
    "Deployed": ("10004", "indeterminate"),
}
_PRIORITIES = {"Highest": "1", "High": "2", "Medium": "3", "Low": "4", "Lowest": "5"}
_RESOLUTIONS = {"Done": "10000", "Won't Do": "10001", "Duplicate": "10002"}
_ID_TABLES = {"priority": _PRIORITIES, "resolution": _RESOLUTIONS}  # fields stored by name, also addressed by id


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
_LINK_TYPES = {  # id -> (name, inward, outward), Jira Cloud's defaults
    "10000": ("Blocks", "is blocked by", "blocks"),
    "10001": ("Cloners", "is cloned by", "clones"),
    "10002": ("Duplicate", "is duplicated by", "duplicates"),
    "10003": ("Relates", "relates to", "relates to"),
}


@dataclass(frozen=True)
class _SystemField:
    id: str
    name: str
    clauses: tuple[str, ...]
    kind: jql.Kind
    schema_type: str
    navigable: bool = True
    case_sensitive: bool = False


_SYSTEM_FIELDS = {
    field.id: field
    for field in (
        _SystemField("summary", "Summary", ("summary",), jql.Kind.TEXT, "string"),
        _SystemField("description", "Description", ("description",), jql.Kind.TEXT, "string"),
        _SystemField("status", "Status", ("status",), jql.Kind.EXACT, "status"),
        _SystemField("assignee", "Assignee", ("assignee",), jql.Kind.EXACT, "user"),
        _SystemField("reporter", "Reporter", ("reporter",), jql.Kind.EXACT, "user"),
        _SystemField("labels", "Labels", ("labels",), jql.Kind.EXACT, "array", case_sensitive=True),
        _SystemField("components", "Components", ("component",), jql.Kind.EXACT, "array"),
        _SystemField("issuetype", "Issue Type", ("issuetype", "type"), jql.Kind.EXACT, "issuetype"),
        _SystemField("project", "Project", ("project",), jql.Kind.EXACT, "project"),
        _SystemField("priority", "Priority", ("priority",), jql.Kind.EXACT, "priority"),
        _SystemField("created", "Created", ("created", "createdDate"), jql.Kind.DATE, "datetime"),
        _SystemField("updated", "Updated", ("updated", "updatedDate"), jql.Kind.DATE, "datetime"),
        _SystemField("duedate", "Due date", ("due", "duedate"), jql.Kind.DATE, "date"),
        _SystemField("resolution", "Resolution", ("resolution",), jql.Kind.EXACT, "resolution"),
        _SystemField("resolutiondate", "Resolved", ("resolved", "resolutiondate"), jql.Kind.DATE, "datetime"),
        _SystemField("comment", "Comment", ("comment",), jql.Kind.TEXT, "comments-page", navigable=False),
        _SystemField("issuelinks", "Linked Issues", (), jql.Kind.EXACT, "array"),
    )
}
# JQL names that are not fields of their own: the key (searchable by key or id) and all text at once
_PSEUDO_CLAUSES = {
    "key": jql.FieldRef("key", jql.Kind.EXACT),
    "issuekey": jql.FieldRef("key", jql.Kind.EXACT),
    "issue": jql.FieldRef("key", jql.Kind.EXACT),
    "id": jql.FieldRef("key", jql.Kind.EXACT),
    "text": jql.FieldRef("text", jql.Kind.TEXT),
}
_CREATABLE = frozenset(
    {"summary", "description", "labels", "assignee", "reporter", "components", "priority", "duedate"}
)
_CUSTOM_PLUGIN = "com.atlassian.jira.plugin.system.customfieldtypes:"
_CUSTOM_TYPES = {  # field_type -> (JQL kind, schema)
    "option": (jql.Kind.EXACT, {"type": "option", "custom": _CUSTOM_PLUGIN + "select"}),
    "text": (jql.Kind.TEXT, {"type": "string", "custom": _CUSTOM_PLUGIN + "textfield"}),
    "user": (jql.Kind.EXACT, {"type": "user", "custom": _CUSTOM_PLUGIN + "userpicker"}),
    "labels": (jql.Kind.EXACT, {"type": "array", "items": "string", "custom": _CUSTOM_PLUGIN + "labels"}),
    "date": (jql.Kind.DATE, {"type": "date", "custom": _CUSTOM_PLUGIN + "datepicker"}),
    "datetime": (jql.Kind.DATE, {"type": "datetime", "custom": _CUSTOM_PLUGIN + "datetime"}),
    "number": (jql.Kind.NUMBER, {"type": "number", "custom": _CUSTOM_PLUGIN + "float"}),
}
_SEARCH_REMOVED = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration "
    "guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)
_NOT_SETTABLE = "Field '{}' cannot be set. It is not on the appropriate screen, or unknown."
_ISSUE_EXPAND = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"
_LIGHT_FIELDS = frozenset({"id", "key", "issuekey"})  # requesting only these allows the large page size


class JiraApiError(ValueError):
    """An error answered the way Jira does: {"errorMessages": [...], "errors": {field: message}}."""

    def __init__(
        self, status: int, *messages: str, errors: dict[str, str] | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__("; ".join([*messages, *(errors or {}).values()]))
        self.status = status
        self.messages = list(messages)
        self.errors = errors or {}
        self.retry_after = retry_after


@dataclass
class _Fault:
    status: int | None  # None: the real answer, only late
    remaining: int
    retry_after: int
    path: str
    method: str | None
    route: str | None
    after_commit: bool
    delay: float

    def matches(self, method: str, route: str, path: str) -> bool:
        return self.path in path and self.method in (None, method) and self.route in (None, route.split("/", 4)[-1])


class _Invalid(Exception):
    """A field value that fails validation; collected per field into a 400 `errors` map."""


def format_time(when: datetime) -> str:
    when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _plain_text(value: Any) -> str:
    """Text of a plain string or of an Atlassian Document Format (v3) body, for `~` searches."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return " ".join(filter(None, [value.get("text", ""), _plain_text(value.get("content", []))]))
    if isinstance(value, list):
        return " ".join(_plain_text(item) for item in value)
    return ""


def _names(value: Any) -> list[str]:
    """A fields/expand/properties parameter given as a list, repeated query keys or a comma string."""
    items = value if isinstance(value, list) else [value] if value is not None else []
    return [name.strip() for item in items for name in str(item).split(",") if name.strip()]


def _page_token(offset: int, jql_text: str) -> str:
    raw = json.dumps({"offset": offset, "query": _query_digest(jql_text)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _page_offset(token: str, jql_text: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset, digest = data["offset"], data["query"]
    except (ValueError, KeyError, TypeError):
        offset, digest = None, None
    if not isinstance(offset, int) or offset < 0 or digest != _query_digest(jql_text):
        raise JiraApiError(400, "The provided nextPageToken is invalid or was issued for a different query.")
    return offset


def _ends(link: dict[str, str]) -> tuple[str, str]:
    return link["inward"], link["outward"]


def _query_digest(jql_text: str) -> str:
    return hashlib.sha256(jql_text.encode()).hexdigest()[:16]


class _QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Per-request access logs would drown test and benchmark output; errors are still logged."""


class JiraSandbox:
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
        self._faults: list[_Fault] = []
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
        self._state.setdefault("resolutions", {})  # the site's own resolutions (add_resolution)
        self._state.setdefault("statuses", {})  # a workflow's own statuses (add_status), beside the built-in ones
        self._logins: dict[str, tuple[str, str]] = {}  # token -> (login name, account id) of other users
        self._by_id = {issue["id"]: key for key, issue in self._state["issues"].items()}
        # the API user gets a stable account id so persisted issues still point at it in the next run
        self._me = "712020:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"mailto:{user}"))
        if self._me not in self._state["users"]:
            self.add_user(self._me, user.split("@")[0], user)
        self.app = self._build_app()

    @property
    def _statuses(self) -> dict[str, tuple[str, str]]:
        """name -> (id, status category): the built-in statuses and those add_status added."""
        return _STATUSES | {name: tuple(value) for name, value in self._state["statuses"].items()}

    @property
    def _id_tables(self) -> dict[str, dict[str, str]]:
        resolutions = _RESOLUTIONS | self._state["resolutions"]
        return {"status": {name: status_id for name, (status_id, _) in self._statuses.items()}, **_ID_TABLES} | {
            "resolution": resolutions
        }

    @property
    def _actor(self) -> str:
        """Who acts: the user the request authenticated as; seeding acts as the API user."""
        return g.get("actor", self._me) if has_request_context() else self._me

    # --- lifecycle ---------------------------------------------------------------------------------

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

    # --- seeding and test helpers ------------------------------------------------------------------

    def add_project(
        self,
        key: str,
        name: str,
        issue_types: Sequence[str] = ("Task", "Bug", "Change"),
        components: Sequence[str] = (),
    ) -> None:
        """Creates the project, or extends it with more issue types and components when it already exists."""
        if not re.fullmatch(r"[A-Z][A-Z0-9_]+", key):
            raise ValueError(f"project key {key!r} must be upper case letters/digits starting with a letter")
        with self._lock:
            project = self._state["projects"].setdefault(
                key, {"id": self._next_id(), "key": key, "issue_types": [], "components": {}}
            )
            project["name"] = name
            for issue_type in issue_types:
                self._state["issue_types"].setdefault(issue_type, self._next_id())
                if issue_type not in project["issue_types"]:
                    project["issue_types"].append(issue_type)
            for component in components:
                if component not in project["components"]:
                    project["components"][component] = self._next_id()
            self._forget_searches()
            self._save()

    def add_user(self, account_id: str, display_name: str, email: str, *, token: str | None = None) -> None:
        """With `token`, the user can sign in (basic: email + token; or the token as a bearer token) and acts as
        themself: changelog entries and comments name them."""
        with self._lock:
            if token is not None:
                self._logins[token] = (email, account_id)
            self._state["users"][account_id] = {
                "accountId": account_id,
                "displayName": display_name,
                "emailAddress": email,
            }
            self._forget_searches()
            self._save()

    def add_resolution(self, name: str) -> None:
        """A resolution of the site's own (e.g. Risk Accepted), set by a transition into a done status."""
        with self._lock:
            if name not in self._id_tables["resolution"]:
                self._state["resolutions"][name] = self._next_id()
                self._save()

    def add_status(self, name: str, category: str) -> None:
        """A workflow status of the site's own (e.g. Approved, Deployed) in category new, indeterminate or done."""
        if category not in _CATEGORIES:
            raise ValueError(f"status category {category!r} must be one of {list(_CATEGORIES)}")
        with self._lock:
            known = self._statuses.get(name)
            if known and known[1] != category:
                raise ValueError(f"status {name!r} already exists in category {known[1]!r}")
            if not known:
                self._state["statuses"][name] = (self._next_id(), category)
                self._forget_searches()
                self._save()

    def add_custom_field(self, id: str, name: str, field_type: str = "option", *, required: bool = False) -> None:
        """Registers `customfield_NNNNN`, searchable as cf[NNNNN] or by name; field_type is a _CUSTOM_TYPES key.

        A required field must be given a value on every create, as on a Jira create screen that requires it.
        """
        if not re.fullmatch(r"customfield_\d+", id):
            raise ValueError(f"custom field id {id!r} must look like customfield_10001")
        if field_type not in _CUSTOM_TYPES:
            raise ValueError(f"custom field type {field_type!r} is not one of {sorted(_CUSTOM_TYPES)}")
        with self._lock:
            self._state["custom_fields"][id] = {"name": name, "type": field_type, "required": required}
            self._forget_searches()
            self._save()

    def seed_issue(
        self,
        project: str,
        issue_type: str,
        summary: str,
        *,
        fields: dict[str, Any] | None = None,
        created: datetime,
        history: Iterable[tuple[datetime, str, list[tuple[str, str | None, str | None]]]] = (),
    ) -> str:
        """Creates an issue as of `created` with a changelog; status items in `history` move the issue."""
        entries = sorted(history, key=lambda entry: entry[0])
        if created.tzinfo is None or any(when.tzinfo is None for when, _, _ in entries):
            raise ValueError("seed_issue needs timezone-aware datetimes")
        if entries and entries[0][0] < created:
            raise ValueError("seed_issue history cannot start before the issue was created")
        with self._lock:
            for _, author, changes in entries:
                if author not in self._state["users"]:
                    raise ValueError(f"history author {author!r} is not a sandbox user; add_user() it first")
                if bad := [to for field, _, to in changes if field.lower() == "status" and to not in self._statuses]:
                    raise ValueError(f"unknown status {bad[0]!r}; use one of {list(self._statuses)}")
            issue = self._new_issue(
                {**(fields or {}), "summary": summary}, {"key": project}, {"name": issue_type}, created
            )
            for when, author, changes in entries:
                for field, _, to_string in changes:
                    if field.lower() == "status":
                        self._set_fields(issue, self._status_change(issue, to_string, when))
                self._record(issue, author, when, [self._seed_item(*change) for change in changes])
            self._indexed(issue)
            self._save()
            return issue["key"]

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

    def inject_faults(
        self,
        *,
        status: int | None = 429,
        times: int = 1,
        retry_after: int = 1,
        path_contains: str = "",
        method: str | None = None,
        route: str | None = None,
        after_commit: bool = False,
        delay_seconds: float = 0.0,
    ) -> None:
        """The next `times` matching requests answer `status` (with Retry-After on 429 and 503) instead of being served.

        A request matches when its path contains `path_contains` and, when given, its method is `method` and its
        route (as after /rest/api/<version>/, e.g. "issue" for creates, "issue/<key>/transitions") is `route`.
        `after_commit` serves the request first, so its write is stored, and then answers `status`: a gateway that
        fails after Jira committed. `delay_seconds` holds the answer back that long after serving; with
        `status=None` the real answer comes late (a hung response a client may give up on).
        """
        if status is not None and status < 400:
            raise ValueError("an injected fault needs an error status")
        if status is None and not delay_seconds:
            raise ValueError("a fault without an error status needs delay_seconds")
        with self._lock:
            self._faults.append(
                _Fault(
                    status=status,
                    remaining=times,
                    retry_after=retry_after,
                    path=path_contains,
                    method=method,
                    route=route,
                    after_commit=after_commit or status is None,
                    delay=delay_seconds,
                )
            )

    def search_lag(self, seconds: float) -> None:
        """From now on search/jql sees every issue as it was `seconds` ago, as Jira Cloud's eventually consistent
        index does: an issue created within the lag is missing from results and one updated within it is returned
        as it was before the update. GET issue stays current. 0 turns the lag off."""
        with self._lock:
            self._search_lag = timedelta(seconds=seconds)
            self._index.clear()

    def set_workflow(self, *, reopen: bool = True) -> None:
        """`reopen=False` removes the Reopen transition, as in workflows where Done is final."""
        with self._lock:
            self._reopen_allowed = reopen

    def limit_issue_writes(self, max_writes: int, per_seconds: float) -> None:
        """Jira Cloud's per-issue write limit: a write to an issue that already took `max_writes` writes in the last
        `per_seconds` answers 429 with Retry-After. Creates do not count; edits, transitions, comments, property
        writes and links (on both issues) do."""
        with self._lock:
            self._write_limit = (max_writes, timedelta(seconds=per_seconds))
            self._recent_writes.clear()

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

    # --- state -------------------------------------------------------------------------------------

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

    def _indexed(self, issue: dict[str, Any]) -> None:
        """Called after every write to an issue: with a search lag, search sees this version only later."""
        self._docs.pop(issue["key"], None)
        self._results.clear()
        if self._search_lag:
            self._index.setdefault(issue["key"], []).append((self._clock() + self._search_lag, copy.deepcopy(issue)))

    def _searchable(self) -> list[dict[str, Any]]:
        """The issues as the (possibly lagging) search index has them."""
        if not self._search_lag:
            return list(self._state["issues"].values())
        now, seen = self._clock(), []
        for key, issue in self._state["issues"].items():
            versions = self._index.get(key)
            if versions is None:  # untouched since the lag was set: indexed long ago
                seen.append(issue)
                continue
            visible = [i for i, (since, _) in enumerate(versions) if since <= now]
            if visible:
                del versions[: visible[-1]]  # older versions can never be served again
                seen.append(versions[0][1])
        return seen

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

    # --- field values ------------------------------------------------------------------------------

    @staticmethod
    def _by_name_or_id(ref: Any, table: dict[str, str]) -> str | None:
        if not isinstance(ref, dict):
            return None
        if "id" in ref:
            return next((name for name, id_ in table.items() if id_ == str(ref["id"])), None)
        return ref.get("name") if ref.get("name") in table else None

    def _coerce(self, field: str, value: Any, project: dict[str, Any]) -> Any:
        """Validates a value written through the API and returns how it is stored."""
        if field == "summary":
            if not isinstance(value, str) or not value.strip():
                raise _Invalid("You must specify a summary of the issue.")
            if "\n" in value or "\r" in value:
                raise _Invalid("The summary is invalid because it contains newline characters.")
            if len(value) > 255:
                raise _Invalid("Summary must be less than 255 characters.")
            return value
        if field == "description":
            if value is not None and not isinstance(value, str | dict):
                raise _Invalid("Description must be a string (v2) or an ADF document (v3).")
            return value
        if field == "labels" or self._custom_type(field) == "labels":
            if not isinstance(value, list) or not all(isinstance(label, str) and label for label in value):
                raise _Invalid("Labels must be a list of non-empty strings.")
            if spaced := next((label for label in value if re.search(r"\s", label)), None):
                raise _Invalid(f"The label '{spaced}' contains spaces which is invalid.")
            return list(dict.fromkeys(value))
        if field in ("assignee", "reporter") or self._custom_type(field) == "user":
            if value is None:
                return None
            account = self._find_user(value)
            if account is None:
                raise _Invalid("Specified user does not exist or you do not have required permissions")
            return account
        if field == "components":
            if not isinstance(value, list):
                raise _Invalid("Components must be a list.")
            names = [self._by_name_or_id(item, project["components"]) for item in value]
            if None in names:
                raise _Invalid(f"Component name '{value[names.index(None)]}' is not valid")
            return list(dict.fromkeys(names))
        if field in ("priority", "resolution"):
            table = self._id_tables[field]
            name = self._by_name_or_id(value, table)
            if name is None:
                raise _Invalid(f"Specify a valid {field} name or id")
            return name
        if field == "duedate" or self._custom_type(field) == "date":
            if value is not None:
                try:
                    date.fromisoformat(value)
                except (TypeError, ValueError):
                    raise _Invalid(f"Error parsing date string: {value}") from None
            return value
        return self._coerce_custom(field, value)

    def _coerce_custom(self, field: str, value: Any) -> Any:
        field_type = self._custom_type(field)
        if field_type is None:
            raise _Invalid(_NOT_SETTABLE.format(field))
        if value is None:
            return None
        if field_type == "datetime":
            try:
                return format_time(parse_time(value))
            except (TypeError, ValueError):
                raise _Invalid(f"Invalid date time '{value}'; use e.g. 2026-05-01T10:00:00.000+0000") from None
        if field_type == "option" and isinstance(value, dict) and isinstance(value.get("value"), str):
            return {"value": value["value"]}
        if field_type == "text" and isinstance(value, str):
            return value
        if field_type == "number" and isinstance(value, int | float) and not isinstance(value, bool):
            return value
        raise _Invalid(f"Invalid value for {field_type} field '{field}': {value!r}")

    def _custom_type(self, field: str) -> str | None:
        custom = self._state["custom_fields"].get(field)
        return custom["type"] if custom else None

    def _coerce_fields(self, raw: Any, project: dict[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise JiraApiError(400, "'fields' must be an object")
        allowed = set(allowed) | set(self._state["custom_fields"])
        values, errors = {}, {}
        for field, value in raw.items():
            try:
                if field not in allowed:
                    raise _Invalid(_NOT_SETTABLE.format(field))
                values[field] = self._coerce(field, value, project)
            except _Invalid as exc:
                errors[field] = str(exc)
        if errors:
            raise JiraApiError(400, errors=errors)
        return values

    def _collect_edit(
        self, issue: dict[str, Any], fields: Any, update: Any, allowed: Iterable[str]
    ) -> tuple[dict[str, Any], list[Any]]:
        """Turns the `fields` and `update` parts of an edit or transition into new values and new comments."""
        project = self._project_of(issue)
        changes = self._coerce_fields(fields or {}, project, allowed)
        if not isinstance(update or {}, dict):
            raise JiraApiError(400, "'update' must be an object")
        allowed = set(allowed) | set(self._state["custom_fields"])
        comments, errors = [], {}
        for field, operations in (update or {}).items():
            try:
                if not isinstance(operations, list) or not all(
                    isinstance(op, dict) and len(op) == 1 for op in operations
                ):
                    raise _Invalid(f"Update of '{field}' must be a list of single-operation objects")
                for ((verb, arg),) in (op.items() for op in operations):
                    if field == "comment" and verb == "add":
                        comments.append(self._comment_body(arg.get("body") if isinstance(arg, dict) else None))
                    elif field not in allowed:
                        raise _Invalid(_NOT_SETTABLE.format(field))
                    elif verb == "set":
                        changes[field] = self._coerce(field, arg, project)
                    elif verb in ("add", "remove") and self._is_multi(field):
                        current = changes.get(field, issue["fields"].get(field) or [])
                        item = self._coerce(field, [arg], project)[0]
                        if verb == "remove":
                            changes[field] = [x for x in current if x != item]
                        elif item not in current:
                            changes[field] = [*current, item]
                    else:
                        raise _Invalid(f"Operation '{verb}' is not supported by field '{field}'")
            except _Invalid as exc:
                errors[field] = str(exc)
        if errors:
            raise JiraApiError(400, errors=errors)
        return changes, comments

    def _is_multi(self, field: str) -> bool:
        return field in ("labels", "components") or self._custom_type(field) == "labels"

    @staticmethod
    def _comment_body(body: Any) -> Any:
        if not (isinstance(body, str) and body.strip()) and not isinstance(body, dict):
            raise JiraApiError(400, errors={"comment": "Comment body can not be empty!"})
        return body

    # --- changes and changelog ---------------------------------------------------------------------

    def _new_issue(self, raw: dict[str, Any], project_ref: Any, type_ref: Any, created: datetime) -> dict[str, Any]:
        project = self._find_project(project_ref)
        if project is None:
            raise JiraApiError(400, errors={"project": "Specify a valid project ID or key"})
        types = {name: self._state["issue_types"][name] for name in project["issue_types"]}
        issue_type = self._by_name_or_id(type_ref, types)
        if issue_type is None:
            raise JiraApiError(400, errors={"issuetype": "Specify a valid issue type"})
        values = self._coerce_fields(raw, project, _CREATABLE)
        if "summary" not in values:
            raise JiraApiError(400, errors={"summary": "You must specify a summary of the issue."})
        if missing := {
            field_id: f"{custom['name']} is required."
            for field_id, custom in self._state["custom_fields"].items()
            if custom.get("required") and values.get(field_id) is None
        }:
            raise JiraApiError(400, errors=missing)
        known = self._last_number.get(project["key"])
        if known is None:  # the project's first new issue since this sandbox started: count the stored ones
            known = max(
                (int(key.rsplit("-", 1)[1]) for key in self._state["issues"] if key.startswith(project["key"] + "-")),
                default=0,
            )
        number = self._last_number[project["key"]] = known + 1
        stamp = format_time(created)
        issue = {
            "id": self._next_id(),
            "key": f"{project['key']}-{number}",
            "fields": {
                "description": None,
                "labels": [],
                "assignee": None,
                "reporter": self._actor,
                "components": [],
                "priority": "Medium",
                "duedate": None,
                **values,
                "project": project["key"],
                "issuetype": issue_type,
                "status": "To Do",
                "resolution": None,
                "resolutiondate": None,
                "created": stamp,
                "updated": stamp,
            },
            "changelog": [],
            "comments": [],
            "properties": {},
        }
        self._state["issues"][issue["key"]] = issue
        self._by_id[issue["id"]] = issue["key"]
        return issue

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

    def _set_fields(self, issue: dict[str, Any], changes: dict[str, Any]) -> list[dict[str, Any]]:
        """Applies new values and returns the changelog items describing them."""
        items = []
        for field, new in changes.items():
            old = issue["fields"].get(field)
            if old == new:
                continue
            issue["fields"][field] = new
            if field != "resolutiondate":  # Jira logs the resolution, not its timestamp
                items.extend(self._change_items(issue, field, old, new))
        return items

    def _record(self, issue: dict[str, Any], author: str, when: datetime, items: list[dict[str, Any]]) -> None:
        if not items:
            return
        stamp = format_time(when)
        issue["changelog"].append({"id": self._next_id(), "author": author, "created": stamp, "items": items})
        issue["fields"]["updated"] = max(issue["fields"]["updated"], stamp, key=parse_time)

    def _apply(self, issue: dict[str, Any], changes: dict[str, Any], comments: Sequence[Any] = ()) -> None:
        now = self._now()
        self._record(issue, self._actor, now, self._set_fields(issue, changes))
        for body in comments:
            self._append_comment(issue, body, now)
        self._indexed(issue)
        self._save()

    def _change_items(self, issue: dict[str, Any], field: str, old: Any, new: Any) -> list[dict[str, Any]]:
        if field == "components":  # like Jira: one "Component" item per component added or removed
            ids = self._project_of(issue)["components"]
            base = {"field": "Component", "fieldtype": "jira", "fieldId": "components"}
            removed = [
                {**base, "from": ids.get(name), "fromString": name, "to": None, "toString": None}
                for name in old
                if name not in new
            ]
            added = [
                {**base, "from": None, "fromString": None, "to": ids.get(name), "toString": name}
                for name in new
                if name not in old
            ]
            return removed + added
        custom = self._state["custom_fields"].get(field)
        base = {
            "field": custom["name"] if custom else field,
            "fieldtype": "custom" if custom else "jira",
            "fieldId": field,
        }
        return [
            {
                **base,
                "from": self._value_id(field, old),
                "fromString": self._value_string(field, old),
                "to": self._value_id(field, new),
                "toString": self._value_string(field, new),
            }
        ]

    def _value_id(self, field: str, value: Any) -> str | None:
        if value is None:
            return None
        if field in self._id_tables:
            return self._id_tables[field][value]
        if field in ("assignee", "reporter") or self._custom_type(field) == "user":
            return value
        return None

    def _value_string(self, field: str, value: Any) -> str | None:
        if value is None:
            return None
        if field in ("assignee", "reporter") or self._custom_type(field) == "user":
            return self._state["users"].get(value, {}).get("displayName", value)
        if isinstance(value, list):
            return " ".join(value) if field != "components" else ", ".join(value)
        if isinstance(value, dict):
            return value.get("value") or _plain_text(value)
        return str(value)

    def _seed_item(self, field: str, from_string: str | None, to_string: str | None) -> dict[str, Any]:
        custom = next((cid for cid, c in self._state["custom_fields"].items() if c["name"] == field), None)
        field_id = custom or field.lower()
        ids = self._id_tables.get(field_id, {})
        return {
            "field": field,
            "fieldtype": "custom" if custom else "jira",
            "fieldId": field_id,
            "from": ids.get(from_string),
            "fromString": from_string,
            "to": ids.get(to_string),
            "toString": to_string,
        }

    def _append_comment(self, issue: dict[str, Any], body: Any, when: datetime) -> dict[str, Any]:
        stamp = format_time(when)
        comment = {"id": self._next_id(), "body": body, "author": self._actor, "created": stamp, "updated": stamp}
        issue["comments"].append(comment)
        issue["fields"]["updated"] = max(issue["fields"]["updated"], stamp, key=parse_time)
        return comment

    # --- rendering ---------------------------------------------------------------------------------

    def _user_json(self, account_id: str, rest: str) -> dict[str, Any]:
        user = self._state["users"].get(account_id, {"accountId": account_id, "displayName": account_id})
        return {
            "self": f"{rest}/user?accountId={account_id}",
            "accountId": account_id,
            "accountType": "atlassian",
            "emailAddress": user.get("emailAddress"),
            "displayName": user["displayName"],
            "active": account_id in self._state["users"],
            "timeZone": self._tz_name,
        }

    def _status_json(self, name: str, rest: str) -> dict[str, Any]:
        status_id, category = self._statuses[name]
        return {
            "self": f"{rest}/status/{status_id}",
            "id": status_id,
            "name": name,
            "description": "",
            "statusCategory": {"self": f"{rest}/statuscategory/{_CATEGORIES[category]['id']}", **_CATEGORIES[category]},
        }

    def _issue_type_json(self, name: str, rest: str) -> dict[str, Any]:
        type_id = self._state["issue_types"][name]
        return {
            "self": f"{rest}/issuetype/{type_id}",
            "id": type_id,
            "name": name,
            "description": "",
            "subtask": False,
            "hierarchyLevel": 0,
        }

    @staticmethod
    def _named_json(kind: str, name: str, table: dict[str, str], rest: str) -> dict[str, Any]:
        return {"self": f"{rest}/{kind}/{table[name]}", "id": table[name], "name": name}

    def _project_json(self, project: dict[str, Any], rest: str, *, full: bool = False) -> dict[str, Any]:
        short = {
            "self": f"{rest}/project/{project['id']}",
            "id": project["id"],
            "key": project["key"],
            "name": project["name"],
            "projectTypeKey": "software",
            "simplified": False,
        }
        if not full:
            return short
        return {
            **short,
            "style": "classic",
            "description": "",
            "lead": self._user_json(self._me, rest),
            "issueTypes": [self._issue_type_json(name, rest) for name in project["issue_types"]],
            "components": [
                self._named_json("component", name, project["components"], rest) for name in project["components"]
            ],
        }

    def _comment_json(self, issue: dict[str, Any], comment: dict[str, Any], rest: str) -> dict[str, Any]:
        author = self._user_json(comment["author"], rest)
        return {
            "self": f"{rest}/issue/{issue['id']}/comment/{comment['id']}",
            "id": comment["id"],
            "author": author,
            "updateAuthor": author,
            "body": comment["body"],
            "created": comment["created"],
            "updated": comment["updated"],
            "jsdPublic": True,
        }

    @staticmethod
    def _link_type_json(type_id: str, rest: str) -> dict[str, Any]:
        name, inward, outward = _LINK_TYPES[type_id]
        return {
            "id": type_id,
            "name": name,
            "inward": inward,
            "outward": outward,
            "self": f"{rest}/issueLinkType/{type_id}",
        }

    def _link_json(self, link: dict[str, str], key: str, rest: str) -> dict[str, Any]:
        """As seen from `key`: the other issue is outward when `key` is the link's inward issue, and the reverse."""
        side, other = ("outwardIssue", link["outward"]) if link["inward"] == key else ("inwardIssue", link["inward"])
        issue = self._state["issues"][other]
        brief = {
            "summary": issue["fields"]["summary"],
            "status": self._status_json(issue["fields"]["status"], rest),
            "priority": self._named_json("priority", issue["fields"]["priority"], _PRIORITIES, rest),
            "issuetype": self._issue_type_json(issue["fields"]["issuetype"], rest),
        }
        return {
            "id": link["id"],
            "self": f"{rest}/issueLink/{link['id']}",
            "type": self._link_type_json(link["type"], rest),
            side: {"id": issue["id"], "key": other, "self": f"{rest}/issue/{issue['id']}", "fields": brief},
        }

    def _history_json(self, history: dict[str, Any], rest: str) -> dict[str, Any]:
        return {**history, "author": self._user_json(history["author"], rest)}

    def _render_field(self, issue: dict[str, Any], field: str, rest: str) -> Any:
        value = issue["fields"].get(field)
        if field == "issuelinks":
            links = self._state["links"]
            return [self._link_json(link, issue["key"], rest) for link in links if issue["key"] in _ends(link)]
        if field == "comment":
            comments = [self._comment_json(issue, c, rest) for c in issue["comments"]]
            return {
                "comments": comments,
                "self": f"{rest}/issue/{issue['id']}/comment",
                "maxResults": len(comments),
                "total": len(comments),
                "startAt": 0,
            }
        if value is None:
            return None
        if field == "status":
            return self._status_json(value, rest)
        if field in ("assignee", "reporter") or self._custom_type(field) == "user":
            return self._user_json(value, rest)
        if field == "components":
            components = self._project_of(issue)["components"]
            return [self._named_json("component", name, components, rest) for name in value]
        if field == "issuetype":
            return self._issue_type_json(value, rest)
        if field == "project":
            return self._project_json(self._state["projects"][value], rest)
        if field in ("priority", "resolution"):
            return self._named_json(field, value, self._id_tables[field], rest)
        return value

    def _select_fields(self, requested: list[str], default: Sequence[str] = ("*all",)) -> list[str]:
        """Resolves a `fields` parameter: ids, *all, *navigable and -exclusions; unknown ids are ignored as in Jira."""
        every = [*_SYSTEM_FIELDS, *self._state["custom_fields"]]
        navigable = [field for field in every if field not in _SYSTEM_FIELDS or _SYSTEM_FIELDS[field].navigable]
        if all(name.startswith("-") for name in requested):
            requested = [*default, *requested]
        chosen: list[str] = []
        for name in requested:
            chosen.extend(every if name == "*all" else navigable if name == "*navigable" else [name])
        excluded = {name[1:] for name in requested if name.startswith("-")}
        return [field for field in dict.fromkeys(chosen) if field in every and field not in excluded]

    def _render_issue(
        self,
        issue: dict[str, Any],
        rest: str,
        fields: list[str],
        *,
        changelog: bool = False,
        properties: Sequence[str] = (),
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "expand": _ISSUE_EXPAND,
            "id": issue["id"],
            "self": f"{rest}/issue/{issue['id']}",
            "key": issue["key"],
        }
        out["fields"] = {field: self._render_field(issue, field, rest) for field in fields}
        if changelog:
            histories = [self._history_json(h, rest) for h in issue["changelog"][:100]]
            out["changelog"] = {
                "startAt": 0,
                "maxResults": len(histories),
                "total": len(issue["changelog"]),
                "histories": histories,
            }
        if properties:
            wanted = issue["properties"] if "*all" in properties else properties
            out["properties"] = {key: issue["properties"][key] for key in wanted if key in issue["properties"]}
        return out

    # --- JQL ---------------------------------------------------------------------------------------

    def _resolve_field(self, name: str) -> jql.FieldRef:
        folded = name.casefold()
        if folded in _PSEUDO_CLAUSES:
            return _PSEUDO_CLAUSES[folded]
        for field in _SYSTEM_FIELDS.values():
            if folded in (clause.casefold() for clause in field.clauses):
                return jql.FieldRef(field.id, field.kind, field.case_sensitive)
        custom_id = f"customfield_{match.group(1)}" if (match := re.fullmatch(r"cf\[(\d+)\]", folded)) else None
        for field_id, custom in self._state["custom_fields"].items():
            if field_id == custom_id or custom["name"].casefold() == folded:
                return jql.FieldRef(field_id, _CUSTOM_TYPES[custom["type"]][0], custom["type"] == "labels")
        raise jql.JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")

    def _known_values(self, field: str) -> set[str] | None:
        """Values Jira validates: naming a project, status, ... that does not exist is a 400, not an empty result."""
        if field == "project":
            aliases = [(p["key"], p["name"], p["id"]) for p in self._state["projects"].values()]
        elif field in ("assignee", "reporter"):
            aliases = [(u["accountId"], u["emailAddress"], u["displayName"]) for u in self._state["users"].values()]
        else:
            table = self._state["issue_types"] if field == "issuetype" else self._id_tables.get(field)
            if table is None:
                return None
            aliases = list(table.items())
        return {alias.casefold() for group in aliases for alias in group}

    def _user_aliases(self, account_id: str | None) -> list[tuple[str, ...]]:
        if account_id is None:
            return []
        user = self._state["users"].get(account_id, {"displayName": account_id, "emailAddress": ""})
        return [(user["displayName"], account_id, user["emailAddress"])]

    def _search_doc(self, issue: dict[str, Any]) -> dict[str, list[Any]]:
        """The issue's values as JQL compares them (see jql.Kind)."""
        fields = issue["fields"]
        project = self._project_of(issue)
        tables = {**self._id_tables, "issuetype": self._state["issue_types"], "components": project["components"]}
        texts = {
            "summary": [fields["summary"]],
            "description": [_plain_text(fields["description"])] if fields["description"] else [],
            "comment": [_plain_text(comment["body"]) for comment in issue["comments"]],
        }
        doc: dict[str, list[Any]] = {
            **texts,
            "text": ["\n".join(text for values in texts.values() for text in values)],
            "key": [(issue["key"], issue["id"])],
            "project": [(project["key"], project["name"], project["id"])],
            "labels": [(label,) for label in fields["labels"]],
            "assignee": self._user_aliases(fields["assignee"]),
            "reporter": self._user_aliases(fields["reporter"]),
            "duedate": self._day(fields["duedate"]),
        }
        for field, table in tables.items():
            names = fields[field] if isinstance(fields[field], list) else [fields[field]]
            doc[field] = [(name, table[name]) for name in names if name is not None]
        for field in ("created", "updated", "resolutiondate"):
            doc[field] = [parse_time(fields[field])] if fields[field] else []
        for field_id, custom in self._state["custom_fields"].items():
            value = fields.get(field_id)
            doc[field_id] = [] if value is None else self._custom_terms(custom["type"], value)
        return doc

    def _day(self, value: str | None) -> list[datetime]:
        """A date-only value is midnight in the user's time zone, which is how Jira compares due dates."""
        return [datetime.combine(date.fromisoformat(value), time(), tzinfo=self._tz)] if value else []

    def _custom_terms(self, field_type: str, value: Any) -> list[Any]:
        if field_type == "user":
            return self._user_aliases(value)
        if field_type == "labels":
            return [(label,) for label in value]
        if field_type == "option":
            return [(value["value"],)]
        if field_type == "date":
            return self._day(value)
        if field_type == "datetime":
            return [parse_time(value)]
        if field_type == "number":
            return [float(value)]
        return [_plain_text(value)]

    def _cached_doc(self, issue: dict[str, Any]) -> dict[str, list[Any]]:
        """A search doc per issue version: parsing every issue's dates again for every page made a search over
        tens of thousands of issues take seconds a page. _indexed() drops it on each write."""
        cached = self._docs.get(issue["key"])
        if cached is None or cached[0] is not issue:
            cached = self._docs[issue["key"]] = (issue, self._search_doc(issue))
        return cached[1]

    def _forget_searches(self) -> None:
        """Names and aliases changed: every search doc and result may be stale."""
        self._docs.clear()
        self._results.clear()

    def _query(self, jql_text: str, *, continuing: bool = False) -> list[dict[str, Any]]:
        """`continuing`: a later page of a search reuses the search's result while no issue changed, as an index
        would, instead of evaluating the query over every issue again; a first page always evaluates it."""
        if continuing and not self._search_lag and jql_text in self._results:
            return self._results[jql_text]
        env = jql.Env(
            now=self._now(),
            tz=self._tz,
            current_user=self._me,
            resolve=self._resolve_field,
            known_values=self._known_values,
        )
        try:
            query = jql.compile_jql(jql_text, env)
        except jql.JqlError as exc:
            raise JiraApiError(400, str(exc)) from None
        if not query.bounded:
            raise JiraApiError(
                400, "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
            )
        docs = [(issue, self._cached_doc(issue)) for issue in self._searchable()]
        matches = [issue for issue, _ in query.sort([pair for pair in docs if query.matches(pair[1])], lambda p: p[1])]
        if not self._search_lag:  # with a lag, what search sees changes with the clock alone
            self._results[jql_text] = matches
        return matches

    # --- HTTP plumbing -----------------------------------------------------------------------------

    def _build_app(self) -> Flask:
        app = Flask(__name__)
        app.json.sort_keys = False  # type: ignore[attr-defined]
        routes: list[tuple[str, str, Callable[..., Any]]] = [
            ("GET", "serverInfo", self._get_server_info),
            ("GET", "myself", self._get_myself),
            ("GET", "user", self._get_user),
            ("GET", "user/search", self._search_users),
            ("GET", "field", self._get_fields),
            ("GET", "project", self._get_projects),
            ("GET", "project/<key>", self._get_project),
            ("GET", "issuetype", self._get_issue_types),
            ("GET", "priority", self._get_priorities),
            ("GET", "status", self._get_statuses),
            ("GET", "resolution", self._get_resolutions),
            ("GET", "label", self._get_labels),
            ("GET", "search", self._removed_search),
            ("POST", "search", self._removed_search),
            ("GET", "search/jql", self._search),
            ("POST", "search/jql", self._search),
            ("POST", "issue", self._create_issue),
            ("GET", "issue/<key>", self._get_issue),
            ("PUT", "issue/<key>", self._edit_issue),
            ("PUT", "issue/<key>/assignee", self._assign_issue),
            ("GET", "issue/<key>/changelog", self._get_changelog),
            ("GET", "issue/<key>/transitions", self._get_transitions),
            ("POST", "issue/<key>/transitions", self._do_transition),
            ("GET", "issue/<key>/comment", self._get_comments),
            ("POST", "issue/<key>/comment", self._add_comment),
            ("GET", "issue/<key>/comment/<comment_id>", self._get_comment),
            ("GET", "issue/<key>/properties", self._get_property_keys),
            ("GET", "issue/<key>/properties/<prop>", self._get_property),
            ("PUT", "issue/<key>/properties/<prop>", self._put_property),
            ("DELETE", "issue/<key>/properties/<prop>", self._delete_property),
            ("GET", "issueLinkType", self._get_link_types),
            ("POST", "issueLink", self._create_link),
            ("GET", "issueLink/<link_id>", self._get_link),
        ]
        app.add_url_rule(  # Jira Service Management's own API, beside the platform's
            "/rest/servicedeskapi/request/<key>/approval",
            "GET servicedeskapi request approval",
            self._view(self._get_approvals, "3"),
            methods=["GET"],
        )
        for version in API_VERSIONS:
            for method, path, handler in routes:
                app.add_url_rule(
                    f"/rest/api/{version}/{path}",
                    f"{method} {version} {path}",
                    self._view(handler, version),
                    methods=[method],
                )
        app.before_request(self._before_request)
        app.register_error_handler(JiraApiError, self._api_error)
        app.register_error_handler(HTTPException, self._http_error)
        app.register_error_handler(Exception, self._internal_error)
        return app

    def _view(self, handler: Callable[..., Any], version: str) -> Callable[..., Any]:
        def view(**kwargs: str) -> Any:
            g.rest = f"{request.host_url}rest/api/{version}"
            with self._lock:  # one request at a time keeps the state consistent; a sandbox needs no more
                if request.method != "GET" and "key" in kwargs:
                    self._count_write(kwargs["key"])
                answer = handler(**kwargs)
            fault: _Fault | None = g.get("late_fault")
            if fault is None:
                return answer
            sleep(fault.delay)  # outside the lock: other requests go on while this answer hangs
            return answer if fault.status is None else self._fault_response(fault)

        return view

    def _fault_response(self, fault: _Fault) -> Response:
        assert fault.status is not None
        message = "Rate limit exceeded." if fault.status == 429 else "Injected sandbox fault."
        response = self._error_response(fault.status, [message], {})
        if fault.status in (429, 503):
            response.headers["Retry-After"] = str(fault.retry_after)
        return response

    def _before_request(self) -> Response | None:
        rule = request.url_rule.rule if request.url_rule else request.path
        with self._lock:
            self.requests_made[(request.method, rule)] += 1
            fault = next((f for f in self._faults if f.matches(request.method, rule, request.path)), None)
            if fault is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
        if fault is not None and fault.after_commit:
            g.late_fault = fault
        elif fault is not None:
            if fault.delay:
                sleep(fault.delay)
            return self._fault_response(fault)
        if not self._signed_in(request.authorization):
            response = self._error_response(401, ["Client must be authenticated to access this resource."], {})
            response.headers["WWW-Authenticate"] = 'Basic realm="protected-area"'
            response.headers["X-Seraph-LoginReason"] = "AUTHENTICATED_FAILED"
            return response
        return None

    def _signed_in(self, auth: Any) -> bool:
        """Basic (login + token) or bearer (a personal access token, as on Data Center); sets who acts."""
        if auth is None or auth.type not in ("basic", "bearer"):
            return False
        token = (auth.token if auth.type == "bearer" else auth.password) or ""
        logins = {self._token: (self._user, self._me), **self._logins}
        found = next(
            (who for known, who in logins.items() if hmac.compare_digest(token.encode(), known.encode())), None
        )
        if found is None:
            return False
        if auth.type == "basic" and not hmac.compare_digest((auth.username or "").encode(), found[0].encode()):
            return False
        g.actor = found[1]
        return True

    @staticmethod
    def _error_response(status: int, messages: list[str], errors: dict[str, str]) -> Response:
        response = jsonify({"errorMessages": messages, "errors": errors})
        response.status_code = status
        return response

    def _api_error(self, exc: JiraApiError) -> Response:
        response = self._error_response(exc.status, exc.messages, exc.errors)
        if exc.retry_after is not None:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    def _http_error(self, exc: HTTPException) -> Response:
        message = (
            f"The Jira sandbox has no endpoint {request.method} {request.path}."
            if exc.code in (404, 405)
            else exc.description or exc.name
        )
        return self._error_response(exc.code or 500, [message], {})

    def _internal_error(self, exc: Exception) -> Response:
        self.app.logger.exception("the Jira sandbox failed on %s %s", request.method, request.path)
        return self._error_response(500, [f"Jira sandbox error: {type(exc).__name__}: {exc}"], {})

    @staticmethod
    def _rest() -> str:
        return g.rest

    @staticmethod
    def _read_json(expected: type | None = dict) -> Any:
        try:
            body = json.loads(request.get_data() or b"")
        except ValueError:
            raise JiraApiError(400, "The request body is not valid JSON.") from None
        if expected is not None and not isinstance(body, expected):
            raise JiraApiError(400, f"The request body must be a JSON {expected.__name__}.")
        return body

    @staticmethod
    def _int_arg(params: Any, name: str, default: int) -> int:
        value = params.get(name)
        if value in (None, ""):
            return default
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise JiraApiError(400, f"'{name}' must be an integer, got '{value}'.") from None
        if number < 0:
            raise JiraApiError(400, f"'{name}' must not be negative.")
        return number

    def _paged(self, items: list[Any], key: str, default_size: int) -> dict[str, Any]:
        start = self._int_arg(request.args, "startAt", 0)
        size = self._int_arg(request.args, "maxResults", default_size)
        page = items[start : start + size]
        return {
            "startAt": start,
            "maxResults": size,
            "total": len(items),
            "isLast": start + size >= len(items),
            key: page,
        }

    @staticmethod
    def _no_content(status: int = 204) -> Response:
        return Response(status=status)

    # --- endpoints: server, users, metadata -------------------------------------------------------

    def _get_server_info(self) -> Any:
        return {
            "baseUrl": request.host_url.rstrip("/"),
            "version": "1001.0.0-SNAPSHOT",
            "versionNumbers": [1001, 0, 0],
            "deploymentType": self._deployment,
            "buildNumber": 100288,
            "serverTime": format_time(self._now()),
            "scmInfo": "socready-sandbox",
            "serverTitle": "Jira (socready sandbox)",
        }

    def _get_myself(self) -> Any:
        return {**self._user_json(self._actor, self._rest()), "locale": "en_US"}

    def _get_user(self) -> Any:
        account = request.args.get("accountId", "")
        if account not in self._state["users"]:
            raise JiraApiError(404, f"Specified user does not exist: {account}")
        return self._user_json(account, self._rest())

    def _search_users(self) -> Any:
        query = request.args.get("query", "").casefold()
        account = request.args.get("accountId")
        if not query and not account:
            # Jira Cloud dropped `username` (GDPR); answering like it keeps server-style callers honest
            raise JiraApiError(400, "One of 'query' or 'accountId' query parameters must be provided.")
        users = [
            u
            for u in self._state["users"].values()
            if u["accountId"] == account
            or (query and (query in u["displayName"].casefold() or query in u["emailAddress"].casefold()))
        ]
        return [self._user_json(u["accountId"], self._rest()) for u in self._paged(users, "values", 50)["values"]]

    def _get_fields(self) -> Any:
        system = [
            {
                "id": f.id,
                "key": f.id,
                "name": f.name,
                "custom": False,
                "orderable": True,
                "navigable": f.navigable,
                "searchable": True,
                "clauseNames": list(f.clauses),
                "schema": {"type": f.schema_type, "system": f.id},
            }
            for f in _SYSTEM_FIELDS.values()
        ]
        custom = [
            {
                "id": field_id,
                "key": field_id,
                "name": c["name"],
                "custom": True,
                "orderable": True,
                "navigable": True,
                "searchable": True,
                "clauseNames": [f"cf[{field_id.removeprefix('customfield_')}]", c["name"]],
                "schema": {**_CUSTOM_TYPES[c["type"]][1], "customId": int(field_id.removeprefix("customfield_"))},
            }
            for field_id, c in self._state["custom_fields"].items()
        ]
        return system + custom

    def _get_projects(self) -> Any:
        return [self._project_json(p, self._rest(), full=True) for p in self._state["projects"].values()]

    def _get_project(self, key: str) -> Any:
        project = self._find_project(key)
        if project is None:
            raise JiraApiError(404, f"No project could be found with key '{key}'.")
        return self._project_json(project, self._rest(), full=True)

    def _get_issue_types(self) -> Any:
        return [self._issue_type_json(name, self._rest()) for name in self._state["issue_types"]]

    def _get_priorities(self) -> Any:
        return [self._named_json("priority", name, _PRIORITIES, self._rest()) for name in _PRIORITIES]

    def _get_statuses(self) -> Any:
        return [self._status_json(name, self._rest()) for name in self._statuses]

    def _get_resolutions(self) -> Any:
        table = self._id_tables["resolution"]
        return [self._named_json("resolution", name, table, self._rest()) for name in table]

    def _get_labels(self) -> Any:
        labels = sorted({label for issue in self._state["issues"].values() for label in issue["fields"]["labels"]})
        return self._paged(labels, "values", 1000)

    # --- endpoints: search -------------------------------------------------------------------------

    def _removed_search(self) -> Any:
        if self._deployment == "Server":
            return self._search_from()
        raise JiraApiError(410, _SEARCH_REMOVED)

    def _search_from(self) -> Any:
        """Data Center/Server's /search: startAt and total instead of page tokens."""
        params = self._search_params()
        jql_text = params.get("jql") or ""
        fields = self._select_fields(_names(params.get("fields")), default=("*navigable",))
        start, size = self._int_arg(params, "startAt", 0), min(self._int_arg(params, "maxResults", 50), 1000)
        matches = self._query(jql_text)
        properties = _names(params.get("properties"))
        return {
            "startAt": start,
            "maxResults": size,
            "total": len(matches),
            "issues": [
                self._render_issue(issue, self._rest(), fields, properties=properties)
                for issue in matches[start : start + size]
            ],
        }

    def _search_params(self) -> dict[str, Any]:
        if request.method == "GET":
            return {key: values if len(values) > 1 else values[0] for key, values in request.args.lists()}
        return self._read_json(dict)

    def _search(self) -> Any:
        params = self._search_params()
        jql_text = params.get("jql") or ""
        requested = _names(params.get("fields"))
        fields = self._select_fields(requested, default=())
        light = not fields and set(requested) <= _LIGHT_FIELDS
        size = min(self._int_arg(params, "maxResults", 0) or 50, 5000 if light else self._page_size_cap)
        token = params.get("nextPageToken")
        offset = _page_offset(str(token), jql_text) if token else 0
        matches = self._query(jql_text, continuing=bool(token))
        page = matches[offset : offset + size]
        changelog = "changelog" in _names(params.get("expand"))
        properties = _names(params.get("properties"))
        body: dict[str, Any] = {
            "issues": [
                self._render_issue(issue, self._rest(), fields, changelog=changelog, properties=properties)
                for issue in page
            ],
            "isLast": offset + size >= len(matches),
        }
        if not body["isLast"]:
            body["nextPageToken"] = _page_token(offset + size, jql_text)
        return body

    # --- endpoints: issues -------------------------------------------------------------------------

    def _create_issue(self) -> Any:
        body = self._read_json(dict)
        fields = body.get("fields")
        if not isinstance(fields, dict):
            raise JiraApiError(400, "The request must contain 'fields'.")
        if body.get("update"):
            raise JiraApiError(400, "The Jira sandbox does not support 'update' operations on create.")
        raw = {key: value for key, value in fields.items() if key not in ("project", "issuetype")}
        issue = self._new_issue(raw, fields.get("project"), fields.get("issuetype"), self._now())
        self._indexed(issue)
        self._save()
        return {"id": issue["id"], "key": issue["key"], "self": f"{self._rest()}/issue/{issue['id']}"}, 201

    def _get_issue(self, key: str) -> Any:
        issue = self._issue(key)
        return self._render_issue(
            issue,
            self._rest(),
            self._select_fields(_names(request.args.getlist("fields"))),
            changelog="changelog" in _names(request.args.getlist("expand")),
            properties=_names(request.args.getlist("properties")),
        )

    def _edit_issue(self, key: str) -> Any:
        issue = self._issue(key)
        body = self._read_json(dict)
        changes, comments = self._collect_edit(issue, body.get("fields"), body.get("update"), _CREATABLE)
        self._apply(issue, changes, comments)
        return self._no_content()

    def _assign_issue(self, key: str) -> Any:
        issue = self._issue(key)
        body = self._read_json(dict)
        target = body.get("accountId", body.get("name"))
        if target in (None, "-1"):  # null unassigns; -1 ("automatic") means the default assignee: nobody here
            account = None
        elif (account := self._find_user({"accountId": target})) is None:
            raise JiraApiError(404, f"User '{target}' does not exist.")
        self._apply(issue, {"assignee": account})
        return self._no_content()

    def _get_changelog(self, key: str) -> Any:
        issue = self._issue(key)
        histories = [self._history_json(h, self._rest()) for h in issue["changelog"]]
        return {"self": f"{self._rest()}/issue/{key}/changelog", **self._paged(histories, "values", 100)}

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
        allowed = _CREATABLE | {"resolution"} if resolves else _CREATABLE
        changes, comments = self._collect_edit(issue, body.get("fields"), body.get("update"), allowed)
        status = self._status_change(issue, transition.target, self._now(), changes.pop("resolution", None))
        self._apply(issue, {**changes, **status}, comments)
        return self._no_content()

    # --- endpoints: comments and properties --------------------------------------------------------

    def _get_comments(self, key: str) -> Any:
        issue = self._issue(key)
        comments = [self._comment_json(issue, c, self._rest()) for c in issue["comments"]]
        if request.args.get("orderBy", "created").startswith("-"):
            comments.reverse()
        return self._paged(comments, "comments", 5000)

    def _add_comment(self, key: str) -> Any:
        issue = self._issue(key)
        body = self._comment_body(self._read_json(dict).get("body"))
        comment = self._append_comment(issue, body, self._now())
        self._indexed(issue)
        self._save()
        return self._comment_json(issue, comment, self._rest()), 201

    def _get_comment(self, key: str, comment_id: str) -> Any:
        issue = self._issue(key)
        comment = next((c for c in issue["comments"] if c["id"] == comment_id), None)
        if comment is None:
            raise JiraApiError(404, f"Can not find a comment for key: {comment_id}.")
        return self._comment_json(issue, comment, self._rest())

    def _get_property_keys(self, key: str) -> Any:
        issue = self._issue(key)
        base = f"{self._rest()}/issue/{issue['id']}/properties"
        return {"keys": [{"self": f"{base}/{name}", "key": name} for name in issue["properties"]]}

    def _get_property(self, key: str, prop: str) -> Any:
        issue = self._issue(key)
        if prop not in issue["properties"]:
            raise JiraApiError(404, f"The property with key '{prop}' does not exist.")
        return {"key": prop, "value": issue["properties"][prop]}

    def _put_property(self, key: str, prop: str) -> Any:
        issue = self._issue(key)
        if len(prop) > 255:
            raise JiraApiError(400, "The property key can not be longer than 255 characters.")
        value = self._read_json(expected=None)
        existed = prop in issue["properties"]
        issue["properties"][prop] = value
        self._indexed(issue)
        self._save()
        return self._no_content(200 if existed else 201)

    def _delete_property(self, key: str, prop: str) -> Any:
        issue = self._issue(key)
        if prop not in issue["properties"]:
            raise JiraApiError(404, f"The property with key '{prop}' does not exist.")
        del issue["properties"][prop]
        self._indexed(issue)
        self._save()
        return self._no_content()

    # --- endpoints: issue links --------------------------------------------------------------------

    def _get_link_types(self) -> Any:
        return {"issueLinkTypes": [self._link_type_json(type_id, self._rest()) for type_id in _LINK_TYPES]}

    def _create_link(self) -> Any:
        """Like Jira, {type: Blocks, inwardIssue: A, outwardIssue: B} reads "A blocks B" on A."""
        body = self._read_json(dict)
        wanted = body.get("type") if isinstance(body.get("type"), dict) else {}
        type_id = next(
            (i for i, (name, _, _) in _LINK_TYPES.items() if wanted.get("id") == i or wanted.get("name") == name), None
        )
        if type_id is None:
            raise JiraApiError(404, f"No issue link type with name '{wanted.get('name') or wanted.get('id')}' found.")
        if body.get("comment") is not None:
            raise JiraApiError(400, "The Jira sandbox does not support a comment on issue links.")
        ends = []
        for side in ("inwardIssue", "outwardIssue"):
            ref = body.get(side)
            if not isinstance(ref, dict) or not (ref.get("key") or ref.get("id")):
                raise JiraApiError(400, f"'{side}' must name an issue by key or id.")
            ends.append(self._issue(str(ref.get("key") or ref.get("id"))))
        for issue in ends:
            self._count_write(issue["key"])
        link = {"id": self._next_id(), "type": type_id, "inward": ends[0]["key"], "outward": ends[1]["key"]}
        self._state["links"].append(link)
        now = self._now()
        for issue in ends:
            issue["fields"]["updated"] = max(issue["fields"]["updated"], format_time(now), key=parse_time)
            self._indexed(issue)
        self._save()
        return self._no_content(201)

    def _get_link(self, link_id: str) -> Any:
        link = next((link for link in self._state["links"] if link["id"] == link_id), None)
        if link is None:
            raise JiraApiError(404, f"No issue link with id '{link_id}' exists.")
        return {
            "id": link["id"],
            "self": f"{self._rest()}/issueLink/{link['id']}",
            "type": self._link_type_json(link["type"], self._rest()),
            "inwardIssue": {"id": self._issue(link["inward"])["id"], "key": link["inward"]},
            "outwardIssue": {"id": self._issue(link["outward"])["id"], "key": link["outward"]},
        }
