"""Search: JQL over the issues as a (possibly lagging) index has them, paged with nextPageToken."""

import base64
import copy
import hashlib
import json
import re
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import request

from socready_sandbox.jira import jql
from socready_sandbox.jira.vocabulary import CUSTOM_TYPES, SYSTEM_FIELDS
from socready_sandbox.jira.wire import JiraApiError, name_list, parse_time, plain_text

# JQL names that are not fields of their own: the key (searchable by key or id) and all text at once
_PSEUDO_CLAUSES = {
    "key": jql.FieldRef("key", jql.Kind.EXACT),
    "issuekey": jql.FieldRef("key", jql.Kind.EXACT),
    "issue": jql.FieldRef("key", jql.Kind.EXACT),
    "id": jql.FieldRef("key", jql.Kind.EXACT),
    "text": jql.FieldRef("text", jql.Kind.TEXT),
}
_SEARCH_REMOVED = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration "
    "guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)
_LIGHT_FIELDS = frozenset({"id", "key", "issuekey"})  # requesting only these allows the large page size


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


def _query_digest(jql_text: str) -> str:
    return hashlib.sha256(jql_text.encode()).hexdigest()[:16]


class Search:
    """/search/jql: JQL compiled by jql.py, evaluated over cached search docs, with an optional index lag."""

    def search_lag(self, seconds: float) -> None:
        """From now on search/jql sees every issue as it was `seconds` ago, as Jira Cloud's eventually consistent
        index does: an issue created within the lag is missing from results and one updated within it is returned
        as it was before the update. GET issue stays current. 0 turns the lag off."""
        with self._lock:
            self._search_lag = timedelta(seconds=seconds)
            self._index.clear()

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

    def _resolve_field(self, name: str) -> jql.FieldRef:
        folded = name.casefold()
        if folded in _PSEUDO_CLAUSES:
            return _PSEUDO_CLAUSES[folded]
        for field in SYSTEM_FIELDS.values():
            if folded in (clause.casefold() for clause in field.clauses):
                return jql.FieldRef(field.id, field.kind, field.case_sensitive)
        custom_id = f"customfield_{match.group(1)}" if (match := re.fullmatch(r"cf\[(\d+)\]", folded)) else None
        for field_id, custom in self._state["custom_fields"].items():
            if field_id == custom_id or custom["name"].casefold() == folded:
                return jql.FieldRef(field_id, CUSTOM_TYPES[custom["type"]][0], custom["type"] == "labels")
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
            "description": [plain_text(fields["description"])] if fields["description"] else [],
            "comment": [plain_text(comment["body"]) for comment in issue["comments"]],
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
        return [plain_text(value)]

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

    def _removed_search(self) -> Any:
        if self._deployment == "Server":
            return self._search_from()
        raise JiraApiError(410, _SEARCH_REMOVED)

    def _search_from(self) -> Any:
        """Data Center/Server's /search: startAt and total instead of page tokens."""
        params = self._search_params()
        jql_text = params.get("jql") or ""
        fields = self._select_fields(name_list(params.get("fields")), default=("*navigable",))
        start, size = self._int_arg(params, "startAt", 0), min(self._int_arg(params, "maxResults", 50), 1000)
        matches = self._query(jql_text)
        properties = name_list(params.get("properties"))
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
        requested = name_list(params.get("fields"))
        fields = self._select_fields(requested, default=())
        light = not fields and set(requested) <= _LIGHT_FIELDS
        size = min(self._int_arg(params, "maxResults", 0) or 50, 5000 if light else self._page_size_cap)
        token = params.get("nextPageToken")
        offset = _page_offset(str(token), jql_text) if token else 0
        matches = self._query(jql_text, continuing=bool(token))
        page = matches[offset : offset + size]
        changelog = "changelog" in name_list(params.get("expand"))
        properties = name_list(params.get("properties"))
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
