"""Creates the example automation alert-on-failed-run.yaml, notifying through the notification block named."""

from __future__ import annotations

import argparse
from pathlib import Path
from uuid import UUID

import yaml
from prefect.blocks.core import Block
from prefect.client.orchestration import get_client
from prefect.events.schemas.automations import AutomationCore

TEMPLATE = Path(__file__).with_name("alert-on-failed-run.yaml")


def automation(block_document_id: UUID) -> AutomationCore:
    """The shipped automation, notifying through the block with this id (validated by Prefect's own model)."""
    raw = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    for action in raw["actions"]:
        action["block_document_id"] = str(block_document_id)
    return AutomationCore.model_validate(raw)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--block", required=True, help="notification block as type/name, e.g. slack-webhook/socready-alerts"
    )
    args = parser.parse_args(argv)
    block = Block.load(args.block)
    with get_client(sync_client=True) as client:
        created = client.create_automation(automation(block._block_document_id))
    print(f"created automation {created}: failed or crashed readiness runs notify through {args.block}")


if __name__ == "__main__":
    main()
