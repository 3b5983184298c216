"""The advisor's answers about the product and its buyers, validated as one model."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Buyer = Literal["enterprise", "mid_market", "smb", "public_sector"]
Request = Literal["soc1", "soc2", "soc2_type1", "soc2_type2", "soc3", "security_questionnaire", "iso27001"]
Completed = Literal["none", "type1", "type2"]


class Profile(BaseModel):
    """One answer per question in `socready.advisor.prompt.QUESTIONS`; `customer_asked` is empty when nobody asked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    organization: str = Field(min_length=1)
    financial_reporting: bool
    buyers: list[Buyer] = Field(min_length=1)
    customer_asked: list[Request]
    urgent: bool
    public_trust_page: bool
    soc2_completed: Completed
    previous_period_end: date | None = None
    handles_customer_data: bool
    uptime_commitments: bool
    confidential_data: bool
    processes_transactions: bool
    personal_data: bool
    today: date

    @field_validator("buyers", "customer_asked")
    @classmethod
    def _deduplicated(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        if self.urgent and not set(self.customer_asked) - {"iso27001"}:
            raise ValueError(
                "urgent means a customer needs a SOC report soon; say what they asked for in customer_asked"
            )
        if (self.confidential_data or self.personal_data) and not self.handles_customer_data:
            raise ValueError("confidential_data or personal_data means the product handles customer data")
        if self.soc2_completed == "type2":
            if self.previous_period_end is None:
                raise ValueError("a completed SOC 2 Type II needs previous_period_end, where the renewal window starts")
            if self.previous_period_end > self.today:
                raise ValueError(f"previous_period_end {self.previous_period_end} is after today ({self.today})")
        elif self.previous_period_end is not None:
            raise ValueError("previous_period_end applies only when soc2_completed is type2")
        return self
