"""Injected faults: error answers, late answers and failures after commit, for tests of the client's retries."""

from dataclasses import dataclass

from flask import Response


@dataclass
class Fault:
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


class Faults:
    """Faults tests inject: the next matching requests answer an error, or late."""

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
                Fault(
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

    def _fault_response(self, fault: Fault) -> Response:
        assert fault.status is not None
        message = "Rate limit exceeded." if fault.status == 429 else "Injected sandbox fault."
        response = self._error_response(fault.status, [message], {})
        if fault.status in (429, 503):
            response.headers["Retry-After"] = str(fault.retry_after)
        return response
