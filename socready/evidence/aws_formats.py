"""How AWS shapes evidence, shared by the collectors that write it and the builders that read it."""

from __future__ import annotations

import re
from datetime import date

# Config history queries: one resource's items over the window, its last item before the window (a baseline),
# and the record that a configured delivery location held no file.
HISTORY_API = "config:GetResourceConfigHistory"
BASELINE_API = f"{HISTORY_API} baseline"
EMPTY_LOCATION = "no files under "

KEY_DATE = re.compile(r"/(\d{4})/(\d{1,2})/(\d{1,2})/")


def key_date(key: str) -> date | None:
    """The delivery date in `<prefix>/Backup/[<account>/]<region>/yyyy/mm/dd/<report>...`."""
    found = KEY_DATE.search(key)
    return date(*map(int, found.groups())) if found else None


def rotatable(key_spec: str | None, origin: str | None) -> bool:
    """Automatic rotation exists only for symmetric encryption keys with KMS-generated material."""
    return (key_spec or "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT" and (origin or "AWS_KMS") == "AWS_KMS"
