"""The Flask app: every route of API v2, v3 and latest, authentication, request counting, error answers."""

import hmac
import json
from collections.abc import Callable
from time import sleep
from typing import Any

from flask import Flask, Response, g, has_request_context, jsonify, request
from werkzeug.exceptions import HTTPException

from socready_sandbox.jira.faults import Fault
from socready_sandbox.jira.wire import JiraApiError

API_VERSIONS = ("2", "3", "latest")


class App:
    """HTTP plumbing of every endpoint: routes, auth, JSON bodies, paging, Jira-shaped errors."""

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
            fault: Fault | None = g.get("late_fault")
            if fault is None:
                return answer
            sleep(fault.delay)  # outside the lock: other requests go on while this answer hangs
            return answer if fault.status is None else self._fault_response(fault)

        return view

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

    @property
    def _actor(self) -> str:
        """Who acts: the user the request authenticated as; seeding acts as the API user."""
        return g.get("actor", self._me) if has_request_context() else self._me

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
