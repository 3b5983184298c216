"""The recommendation as text for the terminal: each item, then its reason and the rules behind it."""

from __future__ import annotations

import textwrap

from socready.advisor.recommendation import Advice, Recommendation

WIDTH = 100


def _wrap(text: str, first: str = " " * 6, rest: str = " " * 6) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=first, subsequent_indent=rest)


def _reason(advice: Advice, first: str = " " * 6, rest: str = " " * 6) -> str:
    return _wrap(f"{advice.reason} ({', '.join(advice.rules)})", first, rest)


def render(recommendation: Recommendation) -> str:
    profile, window = recommendation.profile, recommendation.window
    lines = [f"SOC report advice for {profile.organization}, as of {profile.today}", "", "Reports"]
    if recommendation.no_audit_yet:
        lines += ["  - none yet: do not start an audit now; prepare", _reason(recommendation.no_audit_yet)]
    for report in recommendation.reports:
        lines += [f"  - {report.title}", _reason(report)]
    lines += ["", "Trust Services Criteria categories"]
    for category in recommendation.categories:
        lines += [f"  - {category.category}", _reason(category)]
    lines += ["", f"Window: {window.months} months, {window.start} to {window.end}", _reason(window), "", "Timeline"]
    for milestone in recommendation.timeline:
        when = f"{milestone.start} to {milestone.end}" if milestone.end else f"{milestone.start}"
        lines += [
            f"  {when:<24}  {milestone.name}",
            _wrap(milestone.reason),
        ]
    if recommendation.notes:
        lines += ["", "Notes"]
        lines += [_reason(note, first="  - ", rest="    ") for note in recommendation.notes]
    return "\n".join(lines)
