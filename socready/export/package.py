"""`socready export`: one run's auditor package, staged in a temp folder and written as a zip atomically."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from socready.errors import EvidenceError, SocreadyError
from socready.evidence import EvidenceStore, Manifest, ledger
from socready.export import layout
from socready.export.data_docs import build_data_docs
from socready.export.exception_list import exception_records, exceptions_csv
from socready.export.oscal import assessment_results, write_assessment_results
from socready.export.readme import readme
from socready.redact import redact
from socready.report.model import Report
from socready.report.writer import FILE_NAMES
from socready.scope.models import AcceptedException

SAMPLE_PATTERNS = ("sample-*.csv", "sample-*.json")
POPULATION_KINDS = ("population", "periodic")


class ExportError(SocreadyError):
    """The auditor package cannot be built from what was given (wrong run, missing report, tampered evidence)."""


@dataclass(frozen=True)
class PackageSummary:
    path: Path
    run_id: str
    files: int
    objects: int
    exceptions: int
    data_docs_pages: int


def latest_run(store: EvidenceStore) -> str:
    runs = store.run_ids()
    if not runs:
        raise ExportError(f"{store.location}: no runs with a manifest found")
    return runs[-1]  # run ids start with their UTC start time, so they sort by time


def load_report(report_dir: Path, run_id: str) -> Report:
    path = report_dir / FILE_NAMES["json"]
    try:
        report = Report.model_validate_json(path.read_bytes())
    except FileNotFoundError as exc:
        raise ExportError(f"{path}: no report found; pass --report with the folder `socready run` wrote") from exc
    except ValidationError as exc:
        raise ExportError(f"{path}: not a socready.report/v2 report: {exc}") from exc
    if report.run_id != run_id:
        raise ExportError(
            f"{path} is the report of run {report.run_id}, not of run {run_id}: pass --run {report.run_id}, "
            f"or --report with the folder holding run {run_id}'s report"
        )
    return report


def _write(root: Path, name: str, data: bytes) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _copy_report(root: Path, report_dir: Path) -> None:
    for name in FILE_NAMES.values():
        source = report_dir / name
        if not source.is_file():
            raise ExportError(f"{source}: missing; the report folder must hold report.json, report.md and report.html")
        _write(root, f"{layout.REPORT}/{name}", source.read_bytes())


def _copy_evidence(root: Path, store: EvidenceStore, report: Report) -> tuple[dict[str, bytes], Manifest, int]:
    """The manifest, derived files, every object the manifest lists and the earlier runs' objects the report's
    findings cite; a missing or changed object stops it."""
    run_id = report.run_id
    files = store.run_files(run_id)
    for key, data in files.items():
        _write(root, f"{layout.EVIDENCE}/{key}", data)
    manifest = store.load_manifest(run_id)
    cited = {ref.sha256 for control in report.controls if control.evidence for ref in control.evidence.cited}
    objects, problems = sorted({entry.sha256 for entry in manifest.entries} | cited), []
    for sha256 in objects:
        try:
            _write(root, f"{layout.EVIDENCE}/{store.object_key(sha256)}", store.read(sha256))  # read() checks the hash
        except EvidenceError as exc:
            problems.append(str(exc))
    if problems:
        raise ExportError(f"run {run_id} fails verification, not exported:\n  " + "\n  ".join(problems))
    for key, data in ledger.through(store.backend, run_id).items():
        _write(root, f"{layout.LEDGER}/{key.removeprefix(ledger.PREFIX)}", data)
    return files, manifest, len(objects)


def _stage(
    root: Path, store: EvidenceStore, report: Report, report_dir: Path, acceptances: list[AcceptedException]
) -> dict[str, int]:
    run_id, derived = report.run_id, f"derived/{report.run_id}"
    _copy_report(root, report_dir)
    files, manifest, objects = _copy_evidence(root, store, report)
    for control in report.controls:
        dataset = files.get(f"{derived}/{control.id}/dataset.csv")
        if control.kind in POPULATION_KINDS and dataset is not None:
            # the copy people read is redacted; evidence/derived/ keeps the dataset as tested
            _write(root, f"{layout.POPULATIONS}/{control.id}.csv", redact(dataset.decode()).encode())
    samples = sorted({path for pattern in SAMPLE_PATTERNS for path in report_dir.glob(pattern) if path.is_file()})
    for path in samples:
        _write(root, f"{layout.SAMPLES}/{path.name}", path.read_bytes())

    records = exception_records(report, acceptances)
    _write(root, layout.EXCEPTIONS, exceptions_csv(records))

    validations = {
        control.id: files[key]
        for control in report.controls
        if (key := f"{derived}/{control.id}/validation.json") in files
    }
    pages = build_data_docs(run_id, validations, root / layout.DATA_DOCS)
    in_package = {control: f"{layout.DATA_DOCS}/{page}" for control, page in pages.items()}
    write_assessment_results(assessment_results(report, manifest, files, records, in_package), root / layout.OSCAL)

    summary = {"objects": objects, "exceptions": len(records), "samples": len(samples), "pages": len(pages)}
    _write(root, layout.README, readme(report, manifest, summary).encode())
    sums = "".join(
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.relative_to(root).as_posix()}\n"
        for path in _files(root)
    )
    _write(root, layout.SUMS, sums.encode())
    return summary


def _write_zip(root: Path, output: Path) -> int:
    """Zips into a temp file beside `output`, then renames it into place: a failure leaves no partial zip."""
    files = _files(root)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for path in files:
                    archive.write(path, path.relative_to(root).as_posix())
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, output)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    return len(files)


def export_package(
    store: EvidenceStore,
    report_dir: Path,
    *,
    run_id: str | None = None,
    output: Path | None = None,
    acceptances: list[AcceptedException] | None = None,
) -> PackageSummary:
    """`acceptances`: the scope's accepted exceptions, whose reasons go into exceptions.csv and the OSCAL risks."""
    run_id = run_id or latest_run(store)
    report = load_report(report_dir, run_id)
    output = output or report_dir / f"auditor-package-{run_id}.zip"
    with tempfile.TemporaryDirectory(prefix="socready-export-") as staging:
        summary = _stage(Path(staging), store, report, report_dir, acceptances or [])
        try:
            files = _write_zip(Path(staging), output)
        except OSError as exc:
            raise ExportError(f"{output}: cannot write the package: {exc}") from exc
    return PackageSummary(output, run_id, files, summary["objects"], summary["exceptions"], summary["pages"])
