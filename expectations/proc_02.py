"""PROC-02: every critical vendor's assurance report reviewed within the interval, on every day of W."""

from __future__ import annotations

from datetime import timedelta

import great_expectations as gx
import pandas as pd

from expectations.dataset import Row, frame
from expectations.runner import held_throughout
from expectations.tables import NOT_A_DATE, load_table, parse_moment, unusable
from socready.evidence.view import EvidenceView
from socready.intervals import clip, merge, subtract
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "PROC-02"
METRICS = {"reviewed": "boolean"}
REGISTER = "file.vendor_register"
COLUMNS = ["vendor", "tier", "reviews"]
OPTIONAL = ("onboarded", "offboarded")


def build(view: EvidenceView, scope: Scope, window: Window, params: dict) -> pd.DataFrame:
    register = load_table(view, REGISTER, scope.files.vendor_register, COLUMNS, OPTIONAL)
    start, end = window.start_utc, window.evaluated_end_utc
    interval = timedelta(days=float(params.get("review_interval_days", 365)))
    critical = {t.strip().lower() for t in str(params.get("critical_tiers", "critical")).split(",")}
    rows: list[Row] = []
    for item in register.rows:
        values = item.values
        if values["tier"].lower() not in critical:
            continue
        vendor = f"vendor/{values['vendor']}"
        review_texts = [t.strip() for t in values["reviews"].split(";") if t.strip()]
        texts = {
            "onboarded": values.get("onboarded", ""),
            "offboarded": values.get("offboarded", ""),
            **{f"reviews[{i}]": text for i, text in enumerate(review_texts)},
        }
        moments = {name: parse_moment(text, window.tz) for name, text in texts.items()}
        bad = [
            register.bad(item, name.partition("[")[0], NOT_A_DATE, texts[name])
            for name, moment in moments.items()
            if texts[name] and moment is None
        ]
        active = clip([(moments["onboarded"] or start, moments["offboarded"] or end)], start, end)
        if not active:
            continue
        if bad:
            rows.append(unusable(vendor, bad, (active[0][0], active[-1][1]), METRICS, (register.sha256,)))
            continue
        reviews = sorted(m for name, m in moments.items() if name.startswith("reviews"))
        valid = clip(merge((r, r + interval) for r in reviews), start, end)
        for s, e in clip(valid, *active[0]):  # active is one interval: the vendor's time inside W
            latest = max(r for r in reviews if r <= s)
            rows.append(
                Row(vendor, s, e, f"reviewed {window.local_date(latest)}", {"reviewed": True}, (register.sha256,))
            )
        for s, e in subtract(active, valid):
            before = [r for r in reviews if r <= s]
            seen = f"last review {window.local_date(before[-1])} expired" if before else "no review on record"
            rows.append(Row(vendor, s, e, seen, {"reviewed": False}, (register.sha256,)))
    return frame(rows, METRICS)


def suite(params: dict) -> list[gx.expectations.Expectation]:
    return held_throughout(
        "reviewed",
        "The vendor register row could not be read.",
        "The critical vendor had no assurance-report review within the last 12 months.",
    )
