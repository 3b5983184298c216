"""The auditor package: report, evidence, populations, samples, exceptions, GX Data Docs and OSCAL in one zip."""

from socready.export.package import ExportError, PackageSummary, export_package

__all__ = ["ExportError", "PackageSummary", "export_package"]
