"""HR, training, policy and vendor exports (CSV or XLSX) as raw bytes from a local path or s3://; parsed later."""

from __future__ import annotations

from pathlib import Path

from connectors.base import CollectContext

CONNECTOR = "connectors.files"
VERSION = "1.0.0"


def media_type(path: str) -> str:
    return {
        ".csv": "text/csv",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }.get(Path(path).suffix.lower(), "application/octet-stream")


class FileCollector:
    permissions = ("s3:GetObject",)
    version = VERSION

    def __init__(self, source: str, scope_field: str) -> None:
        self.source, self.scope_field = source, scope_field

    def collect(self, ctx: CollectContext) -> None:
        spec = getattr(ctx.scope.files, self.scope_field)
        if spec is None:
            ctx.not_configured(self.source, f"scope field files.{self.scope_field} is not set; add the export's path")
            return
        with ctx.guard(self.source, spec.path, permission="s3:GetObject" if spec.path.startswith("s3://") else None):
            ctx.recorder.add(
                self._read(ctx, spec.path),
                source=self.source,
                query=spec.path,
                connector=CONNECTOR,
                connector_version=VERSION,
                media_type=media_type(spec.path),
            )

    @staticmethod
    def _read(ctx: CollectContext, path: str) -> bytes:
        if not path.startswith("s3://"):
            return Path(path).read_bytes()
        bucket, _, key = path.removeprefix("s3://").partition("/")
        aws = ctx.scope.aws
        s3 = ctx.aws.client(aws.accounts[0].id, aws.regions[0], "s3")
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
