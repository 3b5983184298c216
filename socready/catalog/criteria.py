"""The 61 Trust Services Criteria ids (2017 TSC, 2022 points of focus) and their categories."""

from __future__ import annotations

SECURITY = [
    *(f"CC1.{n}" for n in range(1, 6)),
    *(f"CC2.{n}" for n in range(1, 4)),
    *(f"CC3.{n}" for n in range(1, 5)),
    *(f"CC4.{n}" for n in range(1, 3)),
    *(f"CC5.{n}" for n in range(1, 4)),
    *(f"CC6.{n}" for n in range(1, 9)),
    *(f"CC7.{n}" for n in range(1, 6)),
    "CC8.1",
    "CC9.1",
    "CC9.2",
]
AVAILABILITY = ["A1.1", "A1.2", "A1.3"]
CONFIDENTIALITY = ["C1.1", "C1.2"]
PROCESSING_INTEGRITY = [f"PI1.{n}" for n in range(1, 6)]
PRIVACY = [
    "P1.1",
    "P2.1",
    "P3.1",
    "P3.2",
    "P4.1",
    "P4.2",
    "P4.3",
    "P5.1",
    "P5.2",
    "P6.1",
    "P6.2",
    "P6.3",
    "P6.4",
    "P6.5",
    "P6.6",
    "P6.7",
    "P7.1",
    "P8.1",
]

CATEGORY_OF: dict[str, str] = {
    **dict.fromkeys(SECURITY, "security"),
    **dict.fromkeys(AVAILABILITY, "availability"),
    **dict.fromkeys(CONFIDENTIALITY, "confidentiality"),
    **dict.fromkeys(PROCESSING_INTEGRITY, "processing_integrity"),
    **dict.fromkeys(PRIVACY, "privacy"),
}
ALL_CRITERIA = list(CATEGORY_OF)


def criterion_sort_key(criterion: str) -> tuple[int, str, int]:
    """Orders CC1.1 < CC1.2 < ... < CC9.2 < A1.1 < C1.1 < PI1.1 < P1.1 as TSC documents do."""
    order = ["CC", "A", "C", "PI", "P"]
    prefix = criterion.rstrip("0123456789.")
    major, minor = criterion[len(prefix) :].split(".")
    return order.index(prefix), major.zfill(2), int(minor)
