"""Paths inside the auditor package zip, shared by the writer, the OSCAL document and the README."""

REPORT = "report"
EVIDENCE = "evidence"
LEDGER = "ledger"  # the run ledger up to this run's entry (outside evidence/: it names runs the package omits)
POPULATIONS = "populations"
SAMPLES = "samples"
EXCEPTIONS = "exceptions.csv"
DATA_DOCS = "gx-data-docs"
OSCAL = "oscal/assessment-results.json"
README = "README.txt"
SUMS = "SHA256SUMS"
