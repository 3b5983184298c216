"""The Jira Cloud stand-in: one mixin per concern, assembled with the state into JiraSandbox in server.py."""

from socready_sandbox.jira.server import DEFAULT_TOKEN, JiraSandbox
from socready_sandbox.jira.wire import JiraApiError, format_time, parse_time

__all__ = ["DEFAULT_TOKEN", "JiraApiError", "JiraSandbox", "format_time", "parse_time"]
