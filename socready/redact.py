"""One redaction step for everything people read: secret-shaped strings copied from evidence are masked.

detect-secrets' detectors find AWS key ids, credentials in URLs, JWTs, private-key headers and many vendors'
tokens; the patterns here add what they miss outside quoted code (the whole private-key block and JWT, bearer
values, Atlassian API tokens, AWS secret keys and other long high-entropy strings). Raw evidence is never
redacted: it is the record."""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import cache, lru_cache

from socready.readiness.model import ControlResult, CoverageGap, ExceptionInterval

MASK = "[REDACTED]"
PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.DOTALL),
    re.compile(r"\beyJ[\w-]+\.eyJ[\w-]+\.[\w-]*"),  # a JWT: header.payload.signature
    re.compile(r"(?i)(?<=bearer )[\w.~+/=-]{8,}"),
    re.compile(r"\bATAT[\w=-]{20,}"),  # Atlassian API tokens
    re.compile(r"(?i)(?<=://)[^/\s:@]+:[^/\s@]+(?=@)"),  # user:password@ in a URL
]
# Words long enough to be a key: an AWS secret key's 40 base64 characters, or a longer run without separators
# (a name's "-", "_" and "/" split it into short words, which stay).
CANDIDATE = re.compile(r"(?<![\w+/=])[A-Za-z0-9+/]{40}(?![\w+/=])|[A-Za-z0-9+=]{24,}")
HEX = re.compile(r"[0-9a-fA-F]+")
ENTROPY_LIMIT = 4.0  # bits per character; English words and resource names stay well below


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _secret_shaped(word: str) -> bool:
    """Mixed case with digits and high entropy; hex (sha256 evidence hashes, ids) and plain names are kept."""
    if HEX.fullmatch(word) or not (re.search(r"[a-z]", word) and re.search(r"[A-Z]", word)):
        return False
    return bool(re.search(r"\d", word)) and _entropy(word) >= ENTROPY_LIMIT


@cache
def _detectors() -> list:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin

    # the entropy plugins read only quoted strings; the candidate rule above covers unquoted ones
    classes = get_mapping_from_secret_type_to_class().values()
    return [cls() for cls in classes if not issubclass(cls, HighEntropyStringsPlugin)]


@lru_cache(maxsize=65536)  # reasons and values repeat across controls and runs
def redact(text: str) -> str:
    for pattern in PATTERNS:
        text = pattern.sub(MASK, text)
    for line in text.splitlines():
        for detector in _detectors():
            for found in detector.analyze_line(filename="evidence", line=line, line_number=0):
                if found.secret_value and len(found.secret_value) >= 8:
                    text = text.replace(found.secret_value, MASK)
    return CANDIDATE.sub(lambda m: MASK if _secret_shaped(m.group(0)) else m.group(0), text)


def _intervals(items: list[ExceptionInterval | CoverageGap]) -> list:
    return [i.model_copy(update={f: redact(getattr(i, f)) for f in ("resource", "reason", "value")}) for i in items]


def redacted(result: ControlResult) -> ControlResult:
    """The verdict's text as people read it: the report, ticket text and Prefect artifacts are built from it.
    Evidence references (sha256 hashes) are left as they are."""
    return result.model_copy(
        update={
            "reason": redact(result.reason),
            "exceptions": _intervals(result.exceptions),
            "accepted_exceptions": _intervals(result.accepted_exceptions),
            "within_grace": _intervals(result.within_grace),
            "coverage_gaps": _intervals(result.coverage_gaps),
            "collection_errors": [redact(e) for e in result.collection_errors],
            "expired_acceptances": [redact(e) for e in result.expired_acceptances],
        }
    )
