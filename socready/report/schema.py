"""Prints report.json's JSON Schema: `python -m socready.report.schema > docs/report.schema.json`."""

import json

from socready.report.model import Report


def report_schema() -> dict:
    return Report.model_json_schema(by_alias=True, mode="serialization")


if __name__ == "__main__":
    print(json.dumps(report_schema(), indent=1))
