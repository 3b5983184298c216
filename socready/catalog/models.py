"""Typed catalog entries: one YAML file per control, validated at load time."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from socready.catalog.criteria import CATEGORY_OF
from socready.evidence.sources import SOURCES

CONTROL_ID = re.compile(r"^(ENG|HR|PROC)-[A-Z]{0,4}-?\d{2}$")


class Control(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    criteria: list[str] = Field(min_length=1)
    owner: Literal["engineering", "hr", "procurement"]
    kind: Literal["state", "population", "periodic"]
    operated: str = Field(description='What "operated over the window" means for it (the README control table).')
    # Both from the control's spec (expectations/<id>.py SPEC), never written in the catalog entry.
    evidence: list[str] = Field(min_length=1, description="Evidence sources the suite reads.")
    optional_evidence: list[str] = Field(
        default_factory=list,
        description="Sources of `evidence` read only when the scope configures them; unset, they are no gap.",
    )
    severity: Literal["critical", "high", "medium", "low"]
    remediation: str

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not CONTROL_ID.match(value):
            raise ValueError(f"control id {value!r} must look like ENG-LOG-01, HR-01 or PROC-02")
        return value

    @field_validator("criteria")
    @classmethod
    def _known_criteria(cls, value: list[str]) -> list[str]:
        unknown = [c for c in value if c not in CATEGORY_OF]
        if unknown:
            raise ValueError(f"unknown TSC criteria {unknown}; see shared/TSC.md for the 61 ids")
        return value

    @field_validator("evidence")
    @classmethod
    def _known_sources(cls, value: list[str]) -> list[str]:
        unknown = [s for s in value if s not in SOURCES]
        if unknown:
            raise ValueError(f"unknown evidence sources {unknown}; known: {sorted(SOURCES)}")
        return value

    @model_validator(mode="after")
    def _optional_among_evidence(self) -> Control:
        if stray := [s for s in self.optional_evidence if s not in self.evidence]:
            raise ValueError(f"optional_evidence {stray} must also be listed under evidence")
        return self

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(CATEGORY_OF[c] for c in self.criteria))
