"""The auditor package: report, evidence, populations, samples, exceptions, GX Data Docs and OSCAL in one zip
(socready.export.package). Nothing is imported here: the report's publishing reads `layout` without loading GX and
trestle, which only the package needs."""
