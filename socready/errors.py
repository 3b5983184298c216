"""Typed errors under one root, so callers can tell bad input from failed collection."""


class SocreadyError(Exception):
    """Root of every error socready raises on purpose."""


class ScopeError(SocreadyError):
    """The scope file is missing or invalid; the message names the file, field and fix."""


class CatalogError(SocreadyError):
    """A control catalog entry is invalid."""


class EvidenceError(SocreadyError):
    """The evidence store refused an operation (overwrite, missing object, bad manifest)."""


class CollectionError(SocreadyError):
    """A connector could not read a source; recorded in the manifest, surfaces as no_evidence."""

    def __init__(self, message: str, *, missing_permission: str | None = None) -> None:
        super().__init__(message)
        self.missing_permission = missing_permission


class TicketError(SocreadyError):
    """Jira refused a gap-ticket operation."""


class EvidenceUnusable(SocreadyError):
    """Evidence was collected but cannot be used (missing column, wrong format); the control lacks evidence."""
