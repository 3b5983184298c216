"""AWS Backup selections for the in-process moto server, which does not implement them (moto 5.2).

The sandbox and the tests run moto in this process (ThreadedMotoServer), so adding CreateBackupSelection,
ListBackupSelections and GetBackupSelection to moto's Backup handler lets boto3 create and read selections
over HTTP, in the request and response shapes of the AWS Backup API reference. Nothing else is changed.
"""

from __future__ import annotations

import json

from moto.backup.exceptions import ResourceNotFoundException
from moto.backup.responses import BackupResponse
from moto.core.utils import unix_time
from moto.moto_api._internal import mock_random


def _selections(response: BackupResponse, plan_id: str) -> dict[str, dict]:
    """A plan's selections, kept on moto's per-account, per-region backend (so moto's reset clears them)."""
    backend = response.backup_backend
    if plan_id not in backend.plans:
        raise ResourceNotFoundException(msg=f"Backup plan {plan_id} not found")
    store = backend.__dict__.setdefault("socready_selections", {})
    return store.setdefault(plan_id, {})


def _path_ids(response: BackupResponse) -> tuple[str, str]:
    """(plan id, selection id or "") from /backup/plans/<plan>/selections/[<selection>]."""
    plan_part = response.path.split("/backup/plans/", 1)[1]
    plan_id, _, rest = plan_part.partition("/selections")
    return plan_id, rest.strip("/")


def create_backup_selection(self: BackupResponse) -> str:
    plan_id, _ = _path_ids(self)
    selection_id = str(mock_random.uuid4())
    created = unix_time()
    _selections(self, plan_id)[selection_id] = {
        "BackupSelection": json.loads(self.body)["BackupSelection"],
        "CreationDate": created,
    }
    return json.dumps({"SelectionId": selection_id, "BackupPlanId": plan_id, "CreationDate": created})


def list_backup_selections(self: BackupResponse) -> str:
    plan_id, _ = _path_ids(self)
    listed = [
        {
            "SelectionId": selection_id,
            "SelectionName": stored["BackupSelection"]["SelectionName"],
            "BackupPlanId": plan_id,
            "CreationDate": stored["CreationDate"],
            "IamRoleArn": stored["BackupSelection"]["IamRoleArn"],
        }
        for selection_id, stored in _selections(self, plan_id).items()
    ]
    return json.dumps({"BackupSelectionsList": listed})


def get_backup_selection(self: BackupResponse) -> str:
    plan_id, selection_id = _path_ids(self)
    stored = _selections(self, plan_id).get(selection_id)
    if stored is None:
        raise ResourceNotFoundException(msg=f"Backup selection {selection_id} not found")
    return json.dumps({"SelectionId": selection_id, "BackupPlanId": plan_id, **stored})


def install() -> None:
    """Idempotent; only adds calls moto lacks."""
    for handler in (create_backup_selection, list_backup_selections, get_backup_selection):
        if not hasattr(BackupResponse, handler.__name__):
            setattr(BackupResponse, handler.__name__, handler)
