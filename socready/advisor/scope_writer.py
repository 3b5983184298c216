"""Writes a starter scope file from a recommendation: the `socready init` starter with the advised values."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import yaml

from socready.advisor.recommendation import Recommendation
from socready.errors import SocreadyError
from socready.scope import Scope, scope_from_text

TARGET_TYPE = "type2"  # socready tracks the Type II window; a Type I bridge is a one-off report on a date


def _flow(value: object) -> str:
    """`value` as YAML inside a flow sequence, a form that is also valid as a block mapping value."""
    return yaml.safe_dump([value], default_flow_style=True, width=1_000_000).strip()[1:-1]


def _value_node(root: yaml.MappingNode, path: tuple[str, ...]) -> yaml.Node:
    node: yaml.Node = root
    for key in path:
        node = {k.value: v for k, v in node.value}[key]
    return node


def scope_text(recommendation: Recommendation) -> str:
    """The starter's text with organization, report type, categories and window replaced in place.

    Only the value spans the YAML parser reports are replaced, so every comment and the layout stay as in
    `socready/scope/starter.yaml`.
    """
    text = files("socready.scope").joinpath("starter.yaml").read_text(encoding="utf-8")
    window = recommendation.window
    values = {
        ("organization",): recommendation.profile.organization,
        ("report", "type"): TARGET_TYPE,
        ("categories",): [c.category for c in recommendation.categories],
        ("window", "start"): window.start,
        ("window", "end"): window.end,
    }
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    spans = sorted(
        (
            (node.start_mark.index, node.end_mark.index, _flow(value))
            for path, value in values.items()
            for node in [_value_node(root, path)]
        ),
        reverse=True,  # replace from the end so earlier offsets stay valid
    )
    for start, end, replacement in spans:
        text = text[:start] + replacement + text[end:]
    reports = ", ".join(r.title for r in recommendation.reports) or "no audit yet (readiness only)"
    header = (
        f"# Written by `socready advise` on {recommendation.profile.today}: {reports}.\n"
        f"# The window is the advised {window.months}-month window; set aws, jira, files and owners below.\n"
    )
    return header + text


def write_scope(recommendation: Recommendation, path: Path, *, force: bool = False) -> Scope:
    """Validate the scope first, then write it; an existing file is replaced only with `force`."""
    if path.exists() and not force:
        raise SocreadyError(f"{path} already exists; pass --force to overwrite it")
    text = scope_text(recommendation)
    scope = scope_from_text(text, source=str(path), base=path.parent.resolve())
    path.write_text(text, encoding="utf-8")
    return scope
