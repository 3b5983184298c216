"""Where people open a run's report: `report.url`, else its copy published under the S3 evidence store's prefix."""

from __future__ import annotations

import mimetypes
import tempfile
import zipfile
from pathlib import Path

from socready.evidence.backends import S3Backend
from socready.evidence.store import EvidenceStore
from socready.export import layout
from socready.report.writer import FILE_NAMES
from socready.scope.models import Scope

REPORTS = "reports"  # under the store's prefix: reports/<run_id>/report.html, data-docs/, auditor-package-<id>.zip
DATA_DOCS = "data-docs"


def published_folder(scope: Scope, run_id: str) -> str | None:
    """s3://bucket/prefix/reports/<run_id> for an S3 evidence store; None for a local one (nothing is copied)."""
    if not scope.evidence_store.startswith("s3://"):
        return None
    return f"{scope.evidence_store.rstrip('/')}/{REPORTS}/{run_id}"


def published_location(scope: Scope, run_id: str) -> str | None:
    """Where people open report.html: `report.url` with {run_id} replaced, else its published S3 copy; None when
    it is only on the machine that ran."""
    if scope.report.url:
        return scope.report.url.replace("{run_id}", run_id)
    if folder := published_folder(scope, run_id):
        return f"{folder}/{FILE_NAMES['html']}"
    return None


def report_location(scope: Scope, run_id: str, local_html: Path) -> str:
    """What the Prefect link artifact points at: the published location, else the file on the machine that ran."""
    return published_location(scope, run_id) or local_html.resolve().as_uri()


def _content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def publish_report(scope: Scope, store: EvidenceStore, report_folder: Path, run_id: str) -> list[str]:
    """With an S3 evidence store, writes the report, the run's Data Docs and its auditor package under
    reports/<run_id>/ (write-once, like evidence); returns the keys written, none for a local store."""
    backend = store.backend
    if not isinstance(backend, S3Backend):
        return []
    from socready.export.package import export_package  # GX and trestle load only when there is somewhere to publish

    base = f"{REPORTS}/{run_id}"
    files = {f"{base}/{name}": (report_folder / name).read_bytes() for name in FILE_NAMES.values()}
    with tempfile.TemporaryDirectory(prefix="socready-publish-") as staging:
        package = export_package(
            store,
            report_folder,
            run_id=run_id,
            output=Path(staging) / f"auditor-package-{run_id}.zip",
            acceptances=scope.exceptions,
        )
        files[f"{base}/{package.path.name}"] = package.path.read_bytes()
        with zipfile.ZipFile(package.path) as archive:
            for member in archive.namelist():
                if member.startswith(f"{layout.DATA_DOCS}/") and not member.endswith("/"):
                    files[f"{base}/{DATA_DOCS}/{member.removeprefix(layout.DATA_DOCS + '/')}"] = archive.read(member)
    for key, data in files.items():
        backend.put_published(key, data, _content_type(key))
    return sorted(files)
