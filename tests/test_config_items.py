"""A control that reads one resource type's Config items parses only that type: a run holds every type's items of
every account and region, and Config delivers each type's history in files of its own."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

from expectations.config_items import SOURCE, config_items
from socready.evidence import RunRecorder, open_store
from socready.evidence.aws_formats import BASELINE_API, HISTORY_API
from socready.evidence.manifest import ManifestWindow
from socready.evidence.view import EvidenceView
from socready_sandbox.config_files import config_item, history_file_objects

ACCOUNT, REGION = "111111111111", "us-east-1"
WINDOW = ManifestWindow(start=datetime(2026, 6, 1, tzinfo=UTC), end=datetime(2026, 8, 1, tzinfo=UTC), timezone="UTC")
BUCKET, GROUP = "AWS::S3::Bucket", "AWS::EC2::SecurityGroup"
FOLDER = f"AWSLogs/{ACCOUNT}/Config/{REGION}/2026/6/2"


def item(resource_type: str, resource_id: str, day: int) -> dict:
    return config_item(resource_type, resource_id, ACCOUNT, REGION, datetime(2026, 6, day, tzinfo=UTC), {"n": day})


def page(items: list[dict], **fields) -> bytes:
    return json.dumps({"configurationItems": items, **fields}).encode()


def gzipped(items: list[dict]) -> bytes:
    return gzip.compress(page(items), mtime=0)


def test_one_types_items_leave_files_and_pages_of_other_types_unread(tmp_path):
    store = open_store(str(tmp_path / "evidence"))
    recorder = RunRecorder(store, "20260801T000000Z-aaaaaa", "Acme", WINDOW)
    start = WINDOW.start.isoformat()
    objects = {  # query -> (body, media type)
        # the sandbox's history files ("::" as "_" in the name), one per type
        **{
            f"s3://config/{key}": (body, "application/gzip")
            for key, body in history_file_objects([item(BUCKET, "logs", 2), item(GROUP, "sg-1", 2)])
        },
        # a history file named as AWS Config names it, and a snapshot file, which holds every type
        f"s3://config/{FOLDER}/ConfigHistory/{ACCOUNT}_Config_{REGION}_ConfigHistory_{GROUP}_20260603T002138Z_"
        f"20260603T002138Z_1.json.gz": (gzipped([item(GROUP, "sg-1", 3)]), "application/gzip"),
        f"s3://config/{FOLDER}/ConfigSnapshot/{ACCOUNT}_Config_{REGION}_ConfigSnapshot_20260604T002138Z_"
        "d2a3b4c5.json.gz": (gzipped([item(BUCKET, "logs", 4), item(GROUP, "sg-1", 4)]), "application/gzip"),
        # the Config API's answers: a page over the window and a baseline, each of one type
        f"{HISTORY_API} account={ACCOUNT} region={REGION} type={BUCKET}": (page([item(BUCKET, "web", 5)]), None),
        f"{HISTORY_API} account={ACCOUNT} region={REGION} type={GROUP}": (page([item(GROUP, "sg-2", 5)]), None),
        f"{BASELINE_API} account={ACCOUNT} region={REGION} type={GROUP} id=sg-3 laterTime={start} limit=1": (
            page([item(GROUP, "sg-3", 1)], laterTime=start),
            None,
        ),
    }
    entries = {}
    for query, (body, media_type) in objects.items():
        where = {"account": ACCOUNT, "region": REGION, "media_type": media_type or "application/json"}
        where |= {"source": SOURCE, "connector": "test", "connector_version": "1"}
        entries[query] = recorder.add(body, query=query, **where)
    view = EvidenceView(store, recorder.finish())
    asked: list[str] = []
    read = store.read
    store.read = lambda sha256: asked.append(sha256) or read(sha256)

    buckets = config_items(view, BUCKET)

    assert [(i.resource_id, i.time.day) for i in buckets] == [("logs", 2), ("logs", 4), ("web", 5)]
    unread = sorted(q for q, e in entries.items() if e.sha256 not in asked)
    assert unread == sorted(q for q in objects if "SecurityGroup" in q and "ConfigSnapshot" not in q)
    assert len(unread) == 4  # both history files, the page and the baseline of security groups
    assert config_items(view, BUCKET) is buckets  # parsed once per view and type
    groups = config_items(view, GROUP)
    assert [(i.resource_id, i.time.day) for i in groups] == [
        ("sg-3", 1),  # the baseline
        ("sg-1", 2),
        ("sg-1", 3),
        ("sg-1", 4),
        ("sg-2", 5),
    ]
