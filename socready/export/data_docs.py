"""Great Expectations Data Docs of a run, rendered by GX's own site builder from the stored validation results."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx  # analytics must be off before import
from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)

from expectations import custom_expectations  # noqa: F401  registers socready's expectations, which results name
from socready.export.offline_assets import make_offline

SITE = "socready"


def build_data_docs(run_id: str, validations: dict[str, bytes], folder: Path) -> dict[str, str]:
    """`validations`: control id -> its stored validation result JSON. Writes the site (index.html, one page per
    validation and per suite, static assets; nothing from a CDN) into `folder`; returns control id -> its page,
    relative to `folder`."""
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        data_docs_sites={
            SITE: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(folder)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    # In memory, so nothing but the site is written; GX keeps it as its current context, which the
    # validation runner does not rely on (its objects resolve through their own context).
    context = gx.get_context(mode="ephemeral", project_config=config)
    schema = ExpectationSuiteValidationResultSchema()
    for control_id, data in sorted(validations.items()):
        result = schema.load(json.loads(data))
        stored_run = result.meta.get("run_id") or {}
        run = RunIdentifier(run_name=run_id, run_time=stored_run.get("run_time"))
        result.meta["run_id"] = run.to_json_dict()  # the page shows socready's run id, at GX's own run time
        # The suite page the validation page links to, rebuilt from the configurations the result carries;
        # copies, because an expectation that carries an id belongs to the suite it was validated in.
        expectations = [copy.copy(r.expectation_config.to_domain_obj()) for r in result.results]
        context.suites.add(gx.ExpectationSuite(name=result.suite_name, expectations=expectations))
        key = ValidationResultIdentifier(ExpectationSuiteIdentifier(name=result.suite_name), run, control_id)
        context.validation_results_store.set(key, result)
    context.build_data_docs(site_names=[SITE])
    make_offline(folder)
    return {page.stem: page.relative_to(folder).as_posix() for page in sorted((folder / "validations").rglob("*.html"))}
