"""API reads that name the IAM action a denial needs, and treat "not configured" error codes as no value."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import ClientError

from socready.errors import CollectionError

T = TypeVar("T")
DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "403"})


class AccessDenied(CollectionError):
    """AWS refused a read. S3 and EC2 often do not say which action was denied, so the caller names it;
    the manifest records this class name as the error."""


def read(permission: str, call: Callable[..., T], *args, absent: tuple[str, ...] = (), **params) -> T | None:
    """`call(*args, **params)`; None when AWS answers with one of the `absent` codes (a state, not a failure)."""
    try:
        return call(*args, **params)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = error.get("Code", "")
        if code in absent:
            return None
        if code in DENIED_CODES:
            raise AccessDenied(f"{code}: {error.get('Message', '')}", missing_permission=permission) from exc
        raise
