"""The tidy-table contract every dataset builder returns and the verdict engine reads.

One row is one resource (or population item) over one interval [start, end) with the value seen.
Metric columns are checked by the control's suite; a row with a null metric had no evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

BASE_COLUMNS = ["resource", "start", "end", "value", "evidence"]


@dataclass(frozen=True)
class Inventory:
    """What a builder read to find its population, carried on the frame (`frame(..., inventory)`) to the verdict.

    An empty population passes only with a complete inventory, and is reported with `empty`, the sentence that
    states it ("0 of 42 roster rows start in the window."). `unread` names what was not read (an account and
    region without a snapshot): the unread part may hold items, so the verdict is then no evidence.
    """

    empty: str
    unread: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    resource: str
    start: datetime
    end: datetime
    value: str
    metrics: dict[str, object]
    evidence: tuple[str, ...] = ()  # sha256 of the evidence objects that show this row's value


def frame(rows: list[Row], metrics: dict[str, str], inventory: Inventory | None = None) -> pd.DataFrame:
    """Rows -> DataFrame with exact dtypes: nanosecond UTC times (GX's fast path on pandas 3), pandas strings;
    the inventory, if the builder states one, in the frame's `attrs`."""
    data = {
        "resource": [r.resource for r in rows],
        "start": [r.start for r in rows],
        "end": [r.end for r in rows],
        "value": [r.value for r in rows],
        "evidence": [" ".join(r.evidence) for r in rows],
        **{name: [r.metrics.get(name) for r in rows] for name in metrics},
    }
    df = pd.DataFrame(data, columns=[*BASE_COLUMNS, *metrics])
    df["resource"] = df["resource"].astype("string")
    df["value"] = df["value"].astype("string")
    df["evidence"] = df["evidence"].astype("string")
    for column in ("start", "end"):
        df[column] = pd.to_datetime(df[column], utc=True).astype("datetime64[ns, UTC]")
    df = df.astype(metrics)
    if inventory is not None:
        df.attrs["inventory"] = inventory
    return df


def inventory_of(df: pd.DataFrame) -> Inventory | None:
    return df.attrs.get("inventory")
