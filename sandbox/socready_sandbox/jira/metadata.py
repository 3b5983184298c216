"""Projects, users, statuses and custom fields: seeding them, and the endpoints that list them."""

import re
from collections.abc import Sequence
from typing import Any

from flask import request

from socready_sandbox.jira.vocabulary import (
    CATEGORIES,
    CUSTOM_TYPES,
    ID_TABLES,
    PRIORITIES,
    RESOLUTIONS,
    STATUSES,
    SYSTEM_FIELDS,
)
from socready_sandbox.jira.wire import JiraApiError, format_time


class Metadata:
    """What add_project, add_user, add_status and add_custom_field seed, and the endpoints listing it."""

    @property
    def _statuses(self) -> dict[str, tuple[str, str]]:
        """name -> (id, status category): the built-in statuses and those add_status added."""
        return STATUSES | {name: tuple(value) for name, value in self._state["statuses"].items()}

    @property
    def _id_tables(self) -> dict[str, dict[str, str]]:
        statuses = {name: status_id for name, (status_id, _) in self._statuses.items()}
        return {"status": statuses, **ID_TABLES, "resolution": RESOLUTIONS | self._state["resolutions"]}

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
        if category not in CATEGORIES:
            raise ValueError(f"status category {category!r} must be one of {list(CATEGORIES)}")
        with self._lock:
            known = self._statuses.get(name)
            if known and known[1] != category:
                raise ValueError(f"status {name!r} already exists in category {known[1]!r}")
            if not known:
                self._state["statuses"][name] = (self._next_id(), category)
                self._forget_searches()
                self._save()

    def add_custom_field(self, id: str, name: str, field_type: str = "option", *, required: bool = False) -> None:
        """Registers `customfield_NNNNN`, searchable as cf[NNNNN] or by name; field_type is a CUSTOM_TYPES key.

        A required field must be given a value on every create, as on a Jira create screen that requires it.
        """
        if not re.fullmatch(r"customfield_\d+", id):
            raise ValueError(f"custom field id {id!r} must look like customfield_10001")
        if field_type not in CUSTOM_TYPES:
            raise ValueError(f"custom field type {field_type!r} is not one of {sorted(CUSTOM_TYPES)}")
        with self._lock:
            self._state["custom_fields"][id] = {"name": name, "type": field_type, "required": required}
            self._forget_searches()
            self._save()

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
            for f in SYSTEM_FIELDS.values()
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
                "schema": {**CUSTOM_TYPES[c["type"]][1], "customId": int(field_id.removeprefix("customfield_"))},
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
        return [self._named_json("priority", name, PRIORITIES, self._rest()) for name in PRIORITIES]

    def _get_statuses(self) -> Any:
        return [self._status_json(name, self._rest()) for name in self._statuses]

    def _get_resolutions(self) -> Any:
        table = self._id_tables["resolution"]
        return [self._named_json("resolution", name, table, self._rest()) for name in table]

    def _get_labels(self) -> Any:
        labels = sorted({label for issue in self._state["issues"].values() for label in issue["fields"]["labels"]})
        return self._paged(labels, "values", 1000)
