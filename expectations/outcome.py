"""A suite's outcome read from its GX validation result as data (no GX import): which rows failed which rule.

GX names each failing row by its `resource` and `start` and the columns the expectation read
(`unexpected_index_column_names`); those values find the row in the dataset again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from expectations.spec import OnFail

ROW_KEYS = ["resource", "start"]
MISSING = frozenset({"NaT", "nan", "NaN", "None", "<NA>"})


@dataclass(frozen=True)
class Failure:
    on_fail: OnFail
    reason: str
    rows: list[int]


@dataclass(frozen=True)
class SuiteOutcome:
    control_id: str
    success: bool
    evaluated: int
    failures: list[Failure]
    result_json: dict


def _text(value: object) -> str:
    """One spelling per value, whether it comes from the dataset or from GX's result JSON."""
    if value is None or (not isinstance(value, list | tuple | dict) and pd.isna(value)):
        return "<NA>"
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, str):
        if value in MISSING:  # GX's JSON spells a missing time or number as text
            return "<NA>"
        try:
            return pd.Timestamp(value).isoformat() if value[:4].isdigit() and "-" in value else value
        except ValueError:
            return value
    return str(value)


def _rows_named(df: pd.DataFrame, named: list[dict]) -> list[int]:
    """The dataset rows GX named: every row whose values equal a named row's in each column it gives."""
    if not named:
        return []
    columns = sorted(named[0])
    index: dict[tuple, list[int]] = defaultdict(list)
    for position, values in enumerate(zip(*(df[c].tolist() for c in columns), strict=True)):
        index[tuple(_text(v) for v in values)].append(position)
    rows: list[int] = []
    for item in named:
        key = tuple(_text(item.get(c)) for c in columns)
        if key not in index:
            raise ValueError(f"GX named a failing row the dataset does not hold: {item}")
        rows += index[key]
    return sorted(set(rows))


def outcome_from(control_id: str, result: dict, df: pd.DataFrame) -> SuiteOutcome:
    """`result`: the suite's validation result as JSON. An expectation that raised is a bug, never a verdict."""
    failures = []
    for item in result["results"]:
        config = item["expectation_config"]
        info = item.get("exception_info") or {}
        if info.get("raised_exception"):
            raise RuntimeError(
                f"{control_id}: expectation {config['type']} could not run: {info.get('exception_message')}"
            )
        if not item["success"]:
            meta = config.get("meta") or {}
            rows = _rows_named(df.reset_index(drop=True), item["result"].get("unexpected_index_list") or [])
            failures.append(Failure(meta.get("on_fail", "exception"), meta.get("reason", config["type"]), rows))
    return SuiteOutcome(control_id, bool(result["success"]), len(result["results"]), failures, result)
