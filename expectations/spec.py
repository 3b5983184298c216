"""One control's spec: its parameters, the sources it reads, its dataset's fact columns, its builder and its rules.

A control module (expectations/eng_log_01.py for ENG-LOG-01) exports `SPEC`. The rules are Great Expectations
expectations declared as data, so reading a spec (for `socready check`, the docs, the catalog) imports no GX;
expectations/runner.py turns them into GX objects when a suite runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

import pandas as pd
from pydantic import BaseModel, ConfigDict

from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

OnFail = Literal["exception", "coverage"]


class Parameters(BaseModel):
    """A control's parameters: each a typed field with its default and a description (docs are made from them).
    Strict: a scope value of the wrong type is an error, never coerced (YAML's `true` is no number)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class NoParameters(Parameters):
    pass


class WithGrace(Parameters):
    """A state control that tolerates a short deviation (listed apart, not an exception)."""

    grace_hours: float


P = TypeVar("P", bound=Parameters)


@dataclass(frozen=True)
class Rule:
    """One expectation of a suite: a GX expectation class (or one of expectations/custom_expectations.py) with its
    arguments, what its failing rows mean, and the stable sentence that explains them in the report."""

    expectation: str
    on_fail: OnFail
    reason: str
    arguments: Mapping[str, object] = field(default_factory=dict)


def rule(expectation: str, on_fail: OnFail, reason: str, **arguments: object) -> Rule:
    return Rule(expectation, on_fail, reason, arguments)


def where(condition: str) -> dict[str, str]:
    """The arguments that limit an expectation to the rows a pandas query `condition` selects."""
    return {"row_condition": condition, "condition_parser": "pandas"}


def covered(column: str, reason: str, **where: object) -> Rule:
    """A null fact is a period or item without evidence; `where`: see `where()`, the rows it is needed on."""
    return rule("ExpectColumnValuesToNotBeNull", "coverage", reason, column=column, **where)


def always(column: str, reason: str) -> Rule:
    """A yes/no fact that must be yes on every row."""
    return rule("ExpectColumnValuesToBeInSet", "exception", reason, column=column, value_set=[True])


def never(column: str, reason: str) -> Rule:
    """A yes/no fact that must be no on every row."""
    return rule("ExpectColumnValuesToBeInSet", "exception", reason, column=column, value_set=[False])


def at_most(column: str, limit: float, reason: str, **where: object) -> Rule:
    """`where`: see `where()`, the rows the limit applies to."""
    return rule("ExpectColumnValuesToBeBetween", "exception", reason, column=column, max_value=limit, **where)


def at_least(column: str, limit: float, reason: str, **where: object) -> Rule:
    """`where`: see `where()`, the rows the limit applies to."""
    return rule("ExpectColumnValuesToBeBetween", "exception", reason, column=column, min_value=limit, **where)


def held_throughout(column: str, coverage_reason: str, exception_reason: str) -> list[Rule]:
    """The rules of a yes/no fact over time: a null is a period without evidence, a no is an exception."""
    return [covered(column, coverage_reason), always(column, exception_reason)]


Builder = Callable[[EvidenceView, Scope, Window, P], pd.DataFrame]


@dataclass(frozen=True)
class ControlSpec(Generic[P]):
    """`sources` are the evidence sources the builder may read (the view refuses any other); `optional_sources`
    those of them read only when the scope configures them; `facts` the dataset's columns beside resource, start,
    end, value and evidence, with their pandas dtypes."""

    id: str
    parameters: type[P]
    sources: tuple[str, ...]
    facts: Mapping[str, str]
    build: Builder[P]
    rules: Callable[[P], list[Rule]]
    optional_sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if stray := [s for s in self.optional_sources if s not in self.sources]:
            raise ValueError(f"{self.id}: optional sources {stray} must also be among its sources")
        for item in self.rules(self.parameters()):
            for key in ("column", "column_A", "column_B"):
                if (column := item.arguments.get(key)) and column not in self.facts:
                    raise ValueError(f"{self.id}: rule {item.expectation} names {column!r}, not a fact column")
