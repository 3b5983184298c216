"""PROC-01: every vendor whose contract starts in W was risk-tiered, and the tier approved, on or before that day."""

from __future__ import annotations

import pandas as pd

from expectations.dataset import frame
from expectations.spec import ControlSpec, NoParameters, Rule
from expectations.tables import StartCheck, checked_by_start, load_table, start_inventory
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

REGISTER = "file.vendor_register"
# `onboarded` is the contract start: the day the vendor is added.
CHECK = StartCheck(
    "vendor", "vendor", "onboarded", "tier_approved", "risk tier approval", "contract start", ("tier", "no risk tier")
)


def build(view: EvidenceView, scope: Scope, window: Window, params: NoParameters) -> pd.DataFrame:
    register = load_table(view, REGISTER, scope.files.vendor_register, [CHECK.key, "tier", CHECK.start, CHECK.done])
    rows = checked_by_start(register.cells(window.tz), window, CHECK)
    return frame(rows, CHECK.facts, start_inventory(register, window, CHECK))


def rules(params: NoParameters) -> list[Rule]:
    return CHECK.rules("A vendor's contract started before its risk tier was assigned and approved.")


SPEC = ControlSpec(
    id="PROC-01", parameters=NoParameters, sources=(REGISTER,), facts=CHECK.facts, build=build, rules=rules
)
