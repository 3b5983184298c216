"""Writes report.json, report.md and report.html into a folder, each replaced atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from socready.report.model import Report
from socready.report.render_html import render_html
from socready.report.render_md import render_markdown

FILE_NAMES = {"md": "report.md", "html": "report.html", "json": "report.json"}  # report.json, the contract, last


def _write_temp(folder: Path, name: str, text: str) -> Path:
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
    except BaseException:
        os.unlink(temp)
        raise
    return Path(temp)


def write_report(report: Report, folder: Path) -> dict[str, Path]:
    """Renders all three, writes temp files, then renames each into place; a failure leaves no partial file."""
    texts = {"md": render_markdown(report), "html": render_html(report), "json": report.to_json()}
    folder.mkdir(parents=True, exist_ok=True)
    temps: dict[str, Path] = {}
    try:
        for kind, name in FILE_NAMES.items():
            temps[kind] = _write_temp(folder, name, texts[kind])
        for kind, name in FILE_NAMES.items():
            os.replace(temps[kind], folder / name)
            del temps[kind]
    finally:
        for temp in temps.values():
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
    return {kind: folder / FILE_NAMES[kind] for kind in ("json", "md", "html")}
