"""What the advisor recommends: every item carries the reason and the ids of the rules that produced it."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, computed_field

from socready.advisor.profile import Profile
from socready.scope.models import Category

Framework = Literal["soc1", "soc2", "soc3"]
ReportType = Literal["type1", "type2"]
MilestoneKind = Literal["implementation", "type1", "operating", "window", "fieldwork", "opinion", "soc3"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)  # extra keys ignored, so JSON with the computed `title` loads back


class Advice(Frozen):
    reason: str
    rules: list[str]


class ReportAdvice(Advice):
    framework: Framework
    type: ReportType | None = None  # a SOC 3 has no type: it always summarises a SOC 2 Type II

    @computed_field
    @property
    def title(self) -> str:
        name = f"SOC {self.framework[-1]}"
        return f"{name} Type {'I' if self.type == 'type1' else 'II'}" if self.type else name


class CategoryAdvice(Advice):
    category: Category


class WindowAdvice(Advice):
    months: int
    start: date
    end: date  # inclusive, like the scope file's window.end


class Milestone(Frozen):
    kind: MilestoneKind
    name: str
    start: date
    end: date | None = None  # None: a single date
    reason: str


class Recommendation(Frozen):
    profile: Profile
    reports: list[ReportAdvice]
    no_audit_yet: Advice | None  # set instead of reports when no audit should start yet
    categories: list[CategoryAdvice]
    window: WindowAdvice
    timeline: list[Milestone]
    notes: list[Advice]
