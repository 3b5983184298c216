"""report.md: the report as GitHub-flavoured Markdown that also reads well as plain text."""

from __future__ import annotations

from socready.report.format import Cell, Fact, Items, Row, Table, Timeline, View, build_view
from socready.report.model import Report


def _escape(text: str) -> str:
    """Keep values literal: no raw HTML, emphasis or code spans (ARN patterns hold `*`), no broken table rows."""
    for char in "\\<|*`":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", " ")


def _cell(cell: Cell) -> str:
    text = _escape(cell.full or cell.text)
    return f"[{text}]({cell.href})" if cell.href and not cell.href.startswith("#") else text


def _table(table: Table) -> str:
    grid = [table.headers, *([_cell(c) for c in row.cells] for row in table.rows)]
    widths = [max(len(line[i]) for line in grid) for i in range(len(table.headers))]
    lines = ["| " + " | ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)) + " |" for line in grid]
    lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines) + (f"\n\n{table.more}" if table.more else "")


def _facts(facts: list[Fact]) -> str:
    return "\n".join(f"- **{fact.label}:** {_cell(fact.value)}" for fact in facts)


def _block(block: Table | Items) -> str:
    body = _table(block) if isinstance(block, Table) else "\n".join(f"- {_escape(item)}" for item in block.items)
    return f"**{block.title}**\n\n{body}"


def _headline(view: View) -> list[str]:
    counts = Table("", [f.label for f in view.counts], [Row([f.value for f in view.counts])])
    figures = " · ".join(f"**{f.label}: {f.value}**" for f in view.figures)
    notes = "\n".join(f"- **{f.label}:** {f.note}" for f in view.figures)
    missing = [f"> **{_escape(view.missing)}**"] if view.missing else []
    return [figures, notes, *missing, _table(counts), _facts(view.close)]


def _timeline(timeline: Timeline) -> str:
    if not timeline.lanes:
        return timeline.empty
    lines = []
    for lane in timeline.lanes:
        lines.append(f"- {_cell(lane.control)} · {_escape(lane.resource)}")
        lines += [f"  - {_escape(span.label)}" for span in lane.spans]
    return "\n".join(lines)


def _sections(view: View) -> list[str]:
    legend = ", ".join(f"{mark.code} = {mark.meaning}" for mark in view.legend)
    history = view.history
    parts = [
        f"# {_escape(view.title)}",
        _facts(view.header),
        "## Headline",
        *_headline(view),
        _table(view.close_by_months),
    ]
    for table in (view.by_category, view.by_owner):
        parts += [f"## {table.title}", _table(table)]
    parts += [f"## {view.grid.title}", _table(view.grid), f"Legend: {legend}."]
    parts += [f"## {view.timeline.title}", _timeline(view.timeline)]
    parts += [f"## {history.table.title}", _table(history.table) if history.table.rows else history.empty]
    if view.triage:
        parts += ["## Gap-ticket triage", *(_block(block) for block in view.triage)]
    for table in (view.criteria, view.controls):
        parts += [f"## {table.title}", _table(table)]
    parts.append("## Control detail")
    for detail in view.details:
        parts += [f"### {_escape(detail.heading)}", _facts([Fact("Status", detail.status), *detail.facts])]
        parts += [_block(block) for block in detail.blocks]
    return parts


def render_markdown(report: Report) -> str:
    return "\n\n".join(_sections(build_view(report))) + "\n"


def render_summary(report: Report) -> str:
    """The headline and the controls table: the Prefect artifact shown on the flow run."""
    view = build_view(report)
    parts = [f"# {_escape(view.title)}", *_headline(view), _table(view.controls)]
    return "\n\n".join(parts) + "\n"
