"""A run lacking evidence ends Failed naming the controls, with its report written and, on an S3 evidence store,
published under the store's prefix where the Prefect link artifact points."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import boto3

from socready.report.link import report_link
from socready.report.model import Report
from socready.report.publish import report_location
from socready.scope import read_scope

SETTINGS = {"organization": "Acme", "window": {"start": "2026-05-01", "end": "2026-10-31"}}


def test_the_report_location_is_the_url_else_the_published_s3_copy_else_the_local_file(tmp_path):
    html = tmp_path / "report.html"
    local = read_scope(None, {**SETTINGS, "evidence_store": str(tmp_path)})
    on_s3 = read_scope(None, {**SETTINGS, "evidence_store": "s3://evidence/acme/"})
    with_url = read_scope(None, {**SETTINGS, "report": {"url": "https://reports.example/{run_id}/report.html"}})
    assert report_location(local, "r1", html) == html.as_uri()
    assert report_location(on_s3, "r1", html) == "s3://evidence/acme/reports/r1/report.html"
    assert report_location(with_url, "r1", html) == "https://reports.example/r1/report.html"
    # gap tickets link the same places, and say plainly when the report is only on the machine that ran
    assert report_link(on_s3, "r1", html) == "s3://evidence/acme/reports/r1/report.html"
    assert report_link(with_url, "r1", html) == "https://reports.example/r1/report.html"
    assert report_link(local, "r1", html).startswith("not published; it is only on the machine that ran socready")


def test_a_run_without_evidence_fails_naming_the_controls_and_publishes_its_report(
    prefect_harness, aws, tmp_path, monkeypatch
):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    from flows.readiness import readiness

    monkeypatch.setenv("AWS_ENDPOINT_URL", aws)
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="evidence")
    settings = {
        **SETTINGS,
        "evidence_store": "s3://evidence/acme",
        "output": str(tmp_path / "report"),
        "files": {"training": {"path": str(tmp_path / "missing-training.csv")}},
    }
    state = readiness(scope_settings=settings, return_state=True)
    paths = state.result(raise_on_failure=False)
    report = Report.model_validate_json(Path(paths["json"]).read_text())  # written all the same
    missing = [c.id for c in report.controls if c.status == "no_evidence"]
    assert state.is_failed() and "HR-02" in missing
    assert state.message == f"socready: {len(missing)} control(s) without evidence: {', '.join(missing)}"

    prefix = f"acme/reports/{report.run_id}/"
    keys = {o["Key"].removeprefix(prefix) for o in s3.list_objects_v2(Bucket="evidence", Prefix=prefix)["Contents"]}
    assert {"report.html", "report.md", "report.json", f"auditor-package-{report.run_id}.zip"} <= keys
    assert "data-docs/index.html" in keys
    page = s3.get_object(Bucket="evidence", Key=prefix + "report.html")
    assert page["ContentType"] == "text/html" and page["Body"].read() == Path(paths["html"]).read_bytes()
    package = s3.get_object(Bucket="evidence", Key=f"{prefix}auditor-package-{report.run_id}.zip")["Body"].read()
    assert "report/report.json" in zipfile.ZipFile(BytesIO(package)).namelist()

    run_artifacts = ArtifactFilter(
        flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id]),
        key=ArtifactFilterKey(any_=["readiness-report"]),
    )
    with get_client(sync_client=True) as client:
        [link] = client.read_artifacts(artifact_filter=run_artifacts)
    assert link.data == f"[report.html](s3://evidence/acme/reports/{report.run_id}/report.html)"
