"""`socready export`: the auditor package of a real pipeline run, unpacked and checked the way an auditor would."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
import zipfile
from datetime import date
from pathlib import Path

import pytest
import yaml
from trestle.oscal.assessment_results import AssessmentResults

from socready.applicability import needed_sources, plan_assessments
from socready.assess import assess_run
from socready.catalog import load_catalog
from socready.cli import main
from socready.collect import collect
from socready.evidence import open_store
from socready.evidence.view import EvidenceView
from socready.export.oscal import NS
from socready.export.package import ExportError, export_package
from socready.report.build import build_report
from socready.report.model import Report
from socready.report.writer import write_report
from socready.scope import load_scope
from tests.controls.file_fixtures import Supplier, vendor_register
from tests.helpers import WINDOW, window_of

CURRENT = (date(2025, 8, 1), date(2026, 7, 10))  # a review valid on every day of the window
LAPSED = (date(2025, 7, 5), date(2026, 7, 20))  # lapsed 2026-07-05 until the next review on 2026-07-20
ACCEPTANCE = {
    "control": "PROC-02",
    "resource": "vendor/Acme",
    "reason": "Acme's bridge letter covered the gap between its reports.",
    "approver": "cfo@fixture.example",
    "expires": "2027-06-30",
}


def run_pipeline(folder: Path, suppliers: list[Supplier]) -> Path:
    """The readiness flow's stages without Prefect: collect, assess every catalog control, write the report.
    Files only: the AWS controls lack evidence, ENG-CFG-01 is excluded. Returns the scope file."""
    folder.mkdir(parents=True, exist_ok=True)
    raw = {
        "organization": "Fixture Co",
        "window": WINDOW,
        "evidence_store": "evidence",
        "output": "report",
        "files": vendor_register(folder, suppliers),
        "exceptions": [ACCEPTANCE],
        "controls": {"ENG-CFG-01": {"applicable": False, "reason": "The fixture company has no AWS Config."}},
    }
    path = folder / "socready.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    scope = load_scope(path)
    window, store = window_of(scope), open_store(scope.evidence_store)
    plans = plan_assessments(load_catalog(), scope)
    manifest = collect(scope, window, store, needed_sources(plans))
    view = EvidenceView(store, manifest)
    results = assess_run(plans, scope, window, view, store)
    report = build_report(scope, window, manifest.run_id, store.location, results, dry_run=True)
    write_report(report, Path(scope.output))
    return path


def unzip(package: Path, folder: Path) -> Path:
    with zipfile.ZipFile(package) as archive:
        archive.extractall(folder)
    return folder


class Exported:
    def __init__(self, scope_path: Path, package: Path, unpacked: Path) -> None:
        self.scope_path, self.package, self.root = scope_path, package, unpacked
        self.report = Report.model_validate_json((unpacked / "report" / "report.json").read_text(encoding="utf-8"))
        self.run_id = self.report.run_id

    def control(self, control_id: str):
        return next(c for c in self.report.controls if c.id == control_id)

    def oscal(self) -> AssessmentResults:
        return AssessmentResults.oscal_read(self.root / "oscal" / "assessment-results.json")


def export_with_cli(scope_path: Path, unpack_to: Path) -> Exported:
    """`socready export --scope` with every default: the scope's store, its report folder, the latest run."""
    assert main(["export", "--scope", str(scope_path)]) == 0
    [package] = (scope_path.parent / "report").glob("auditor-package-*.zip")
    return Exported(scope_path, package, unzip(package, unpack_to))


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Exported:
    """Globex never reviewed (open exception), Acme's lapse accepted in the scope, Initech current."""
    folder = tmp_path_factory.mktemp("company")
    scope_path = run_pipeline(folder, [Supplier("Acme", LAPSED), Supplier("Globex"), Supplier("Initech", CURRENT)])
    (folder / "report" / "sample-PROC-02.csv").write_text("resource\nvendor/Globex\n", encoding="utf-8")
    return export_with_cli(scope_path, tmp_path_factory.mktemp("unpacked"))


def test_package_layout(exported):
    run, root = exported.run_id, exported.root
    names = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    manifest = json.loads((root / "evidence" / "runs" / run / "manifest.json").read_text(encoding="utf-8"))
    expected = {
        "README.txt",
        "SHA256SUMS",
        "report/report.json",
        "report/report.md",
        "report/report.html",
        f"evidence/runs/{run}/manifest.json",
        f"evidence/derived/{run}/PROC-02/dataset.csv",
        f"evidence/derived/{run}/PROC-02/validation.json",
        "populations/PROC-02.csv",
        "samples/sample-PROC-02.csv",
        "exceptions.csv",
        "gx-data-docs/index.html",
        "oscal/assessment-results.json",
        *(f"evidence/objects/{e['sha256'][:2]}/{e['sha256']}" for e in manifest["entries"]),
    }
    assert expected <= names
    assert manifest["entries"], "the vendor register is in the manifest"
    assert exported.package.name == f"auditor-package-{run}.zip"
    # a population is the dataset of a population or periodic control; state controls have none
    datasets = {p.parent.name: p for p in (root / "evidence" / "derived" / run).glob("*/dataset.csv")}
    populations = {p.stem: p for p in (root / "populations").iterdir()}
    assert set(populations) == {c for c in datasets if exported.control(c).kind in ("population", "periodic")}
    assert all(populations[c].read_bytes() == datasets[c].read_bytes() for c in populations)
    readme = (root / "README.txt").read_text(encoding="utf-8")
    assert f"socready evidence verify --store evidence --run {run}" in readme
    assert "sha256sum -c SHA256SUMS" in readme


def test_sha256sums_cover_every_file(exported):
    root = exported.root
    listed = {}
    for line in (root / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == files
    assert all(hashlib.sha256((root / name).read_bytes()).hexdigest() == d for name, d in listed.items())


def test_evidence_verify_passes_unpacked_and_names_a_tampered_object(exported, tmp_path, capsys):
    root = unzip(exported.package, tmp_path)  # a fresh copy: the shared one stays intact for other tests
    assert main(["evidence", "verify", "--store", str(root / "evidence")]) == 0
    assert "0 problem(s)" in capsys.readouterr().out

    [sha] = {ref.sha256 for ref in exported.control("PROC-02").evidence.cited}
    target = root / "evidence" / "objects" / sha[:2] / sha
    target.write_bytes(target.read_bytes() + b"Umbrella,critical,,,2026-01-01\n")
    assert main(["evidence", "verify", "--store", str(root / "evidence")]) == 1
    out = capsys.readouterr().out
    assert f"CHANGED  run {exported.run_id} {sha} file.vendor_register" in out


def test_exceptions_csv_lists_open_and_accepted_exceptions_with_reasons(exported):
    rows = list(csv.DictReader(io.StringIO((exported.root / "exceptions.csv").read_text(encoding="utf-8"))))
    expected = [
        (c.id, e.resource, e.start.isoformat(), e.end.isoformat(), e.value, e.reason, e.accepted_by or "")
        for c in exported.report.controls
        for e in [*c.exceptions, *c.accepted_exceptions]
    ]
    columns = ("control", "resource", "start", "end", "value", "reason", "accepted_by")
    assert [tuple(row[c] for c in columns) for row in rows] == expected
    proc = exported.control("PROC-02")
    by_resource = {row["resource"]: row for row in rows if row["control"] == "PROC-02"}
    assert set(by_resource) == {"vendor/Globex", "vendor/Acme"}
    assert by_resource["vendor/Globex"]["accepted_by"] == by_resource["vendor/Globex"]["accepted_reason"] == ""
    acme = by_resource["vendor/Acme"]
    assert (acme["accepted_by"], acme["accepted_reason"], acme["accepted_until"]) == (
        ACCEPTANCE["approver"],
        ACCEPTANCE["reason"],
        ACCEPTANCE["expires"],
    )
    assert acme["evidence"] == proc.evidence.cited[0].sha256


def test_data_docs_are_gx_pages_per_validated_control(exported):
    docs, run = exported.root / "gx-data-docs", exported.run_id
    validated = sorted(p.parent.name for p in (exported.root / "evidence" / "derived" / run).glob("*/validation.json"))
    assert "PROC-02" in validated and "ENG-LOG-01" not in validated  # the AWS controls lack evidence
    pages = {p.stem: p for p in (docs / "validations").rglob("*.html")}
    assert sorted(pages) == validated
    page = pages["PROC-02"].read_text(encoding="utf-8")
    assert "Data documentation compiled by" in page and "Great Expectations" in page
    assert run in page  # the run name GX shows is socready's run id
    assert "unexpected" in page  # the failing expectation and its unexpected values
    suite = json.loads((exported.root / "evidence" / "derived" / run / "PROC-02" / "validation.json").read_bytes())
    assert (docs / "expectations" / f"{suite['suite_name']}.html").is_file()
    assert pages["PROC-02"].relative_to(docs).as_posix() in (docs / "index.html").read_text(encoding="utf-8")
    assert (docs / "static" / "styles" / "data_docs_default_styles.css").is_file()


def _props(item) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for prop in item.props or []:
        if str(prop.ns) == NS:
            found.setdefault(prop.name, []).append(prop.value)
    return found


def status_of(risk) -> str:
    return risk.model_dump(mode="json")["status"]


def test_oscal_parses_back_and_its_findings_match_the_report(exported):
    document = exported.oscal()
    [result] = document.results
    report = exported.report
    assessed = {c.id: c for c in report.controls if c.status != "not_applicable"}
    [selection] = result.reviewed_controls.control_selections
    assert {c.control_id for c in selection.include_controls} == set(assessed)
    excluded = {c.id for c in report.controls if c.status == "not_applicable"}
    assert "ENG-CFG-01" in excluded and {c.control_id for c in selection.exclude_controls} == excluded
    assert "The fixture company has no AWS Config." in selection.remarks
    assert document.import_ap.href == "../report/report.json"
    assert result.start.date() == date(2026, 7, 1) and result.end == report.scope.window.evaluated_until

    findings = {f.target.target_id: f for f in result.findings}
    assert set(findings) == set(assessed)
    for control_id, finding in findings.items():
        status = assessed[control_id].status
        assert _props(finding)["status"] == [status]
        assert finding.target.status.state.value == ("satisfied" if status == "operating" else "not-satisfied")
        assert finding.description == assessed[control_id].reason
    assert findings["PROC-02"].target.status.reason == "fail"
    assert {findings[c].target.status.reason for c in assessed if assessed[c].status == "no_evidence"} == {"other"}

    risks = {r.uuid: r for r in result.risks}
    proc_risks = [risks[r.risk_uuid] for r in findings["PROC-02"].related_risks]
    assert {(_props(r)["resource"][0], status_of(r)) for r in proc_risks} == {
        ("vendor/Globex", "open"),
        ("vendor/Acme", "deviation-approved"),
    }
    acme = next(r for r in proc_risks if status_of(r) == "deviation-approved")
    assert ACCEPTANCE["reason"] in acme.description and ACCEPTANCE["approver"] in acme.description


def test_oscal_evidence_points_at_packaged_files_by_sha256(exported):
    document = exported.oscal()
    resources = {r.uuid: r for r in document.back_matter.resources}
    oscal_dir = exported.root / "oscal"
    observation = next(o for o in document.results[0].observations if o.title.startswith("PROC-02"))
    cited = [resources[e.href.removeprefix("#")] for e in observation.relevant_evidence]
    assert len(cited) == 4  # the manifest, the vendor register its exceptions cite, the dataset and the GX result
    for resource in cited:
        [link] = resource.rlinks
        data = (oscal_dir / link.href).resolve().read_bytes()
        assert link.hashes[0].value == hashlib.sha256(data).hexdigest()
    [page] = observation.links
    assert (oscal_dir / page.href).resolve().is_file()
    evidence = exported.control("PROC-02").evidence
    assert cited[0].rlinks[0].href == f"../evidence/runs/{exported.run_id}/manifest.json"
    assert cited[0].rlinks[0].hashes[0].value == evidence.manifest_sha256
    sha = evidence.cited[0].sha256
    assert cited[1].rlinks[0].href == f"../evidence/objects/{sha[:2]}/{sha}"


def test_oscal_is_reproducible_with_uuid5_ids(exported, tmp_path):
    store = open_store(str(exported.scope_path.parent / "evidence"))
    again = export_package(store, exported.scope_path.parent / "report", output=tmp_path / "again.zip")
    first = (exported.root / "oscal" / "assessment-results.json").read_bytes()
    with zipfile.ZipFile(again.path) as archive:
        second = archive.read("oscal/assessment-results.json")
    assert (
        json.loads(first)["assessment-results"]["back-matter"]
        == json.loads(second)["assessment-results"]["back-matter"]
    )
    # only the acceptance reasons differ: this export was given no scope, so it cannot know them
    assert first.replace(f" until {ACCEPTANCE['expires']}: {ACCEPTANCE['reason']}".encode(), b".") == second
    assert uuid.UUID(json.loads(first)["assessment-results"]["uuid"]).version == 5


def test_report_of_another_run_is_a_clear_error_and_writes_nothing(exported, tmp_path, capsys):
    other = "20260801T000000Z-abcdef"
    output = tmp_path / "package.zip"
    code = main(["export", "--scope", str(exported.scope_path), "--run", other, "--output", str(output)])
    assert code == 2
    err = capsys.readouterr().err
    assert f"is the report of run {exported.run_id}, not of run {other}" in err
    assert f"pass --run {exported.run_id}" in err
    assert list(tmp_path.iterdir()) == []


def test_store_without_report_folder_is_an_error(exported, capsys):
    assert main(["export", "--store", str(exported.scope_path.parent / "evidence")]) == 2
    assert "--store needs --report" in capsys.readouterr().err


def test_failed_write_leaves_no_partial_zip_and_keeps_the_old_one(exported, tmp_path, monkeypatch):
    output = tmp_path / "package.zip"
    output.write_bytes(b"the previous package")
    written = []

    def failing_write(self, filename, arcname=None, *args, **kwargs):
        if len(written) == 5:
            raise OSError(28, "No space left on device")
        written.append(arcname)
        return original(self, filename, arcname, *args, **kwargs)

    original = zipfile.ZipFile.write
    monkeypatch.setattr(zipfile.ZipFile, "write", failing_write)
    store = open_store(str(exported.scope_path.parent / "evidence"))
    with pytest.raises(ExportError, match="No space left on device"):
        export_package(store, exported.scope_path.parent / "report", output=output)
    assert list(tmp_path.iterdir()) == [output]
    assert output.read_bytes() == b"the previous package"


def test_operating_control_with_accepted_exception_is_satisfied_with_approved_deviation(tmp_path):
    scope_path = run_pipeline(tmp_path / "company", [Supplier("Acme", LAPSED), Supplier("Initech", CURRENT)])
    exported = export_with_cli(scope_path, tmp_path / "unpacked")
    proc = exported.control("PROC-02")
    assert proc.status == "operating" and [e.resource for e in proc.accepted_exceptions] == ["vendor/Acme"]
    [result] = exported.oscal().results
    finding = next(f for f in result.findings if f.target.target_id == "PROC-02")
    assert (finding.target.status.state.value, finding.target.status.reason) == ("satisfied", "pass")
    [risk] = [r for r in result.risks if r.uuid in {x.risk_uuid for x in finding.related_risks}]
    assert status_of(risk) == "deviation-approved"


def test_tampered_store_is_not_exported(tmp_path):
    scope_path = run_pipeline(tmp_path / "company", [Supplier("Initech", CURRENT)])
    store = open_store(str(scope_path.parent / "evidence"))
    entry = store.load_manifest(store.run_ids()[-1]).entries[0]
    target = scope_path.parent / "evidence" / store.object_key(entry.sha256)
    target.chmod(0o644)
    target.write_bytes(b"Vendor,Tier\n")
    output = tmp_path / "package.zip"
    with pytest.raises(ExportError, match=f"(?s)fails verification.*{entry.sha256} was changed"):
        export_package(store, scope_path.parent / "report", output=output)
    assert not output.exists()
