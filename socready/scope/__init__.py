"""The scope file (socready.yaml): what to assess, where the evidence lives, who owns each gap."""

from socready.scope.loader import load_scope, read_scope, scope_from_text
from socready.scope.models import Scope

__all__ = ["Scope", "load_scope", "read_scope", "scope_from_text"]
