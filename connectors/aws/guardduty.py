"""GuardDuty evidence per account and region: the detector (at most one) and its status."""

from __future__ import annotations

from connectors.aws.reads import read
from connectors.aws.snapshot import ClientFor, Snapshot, pages

VERSION = "1.0.0"


class DetectorsCollector(Snapshot):
    source = "aws.guardduty.detectors"
    version = VERSION
    permissions = ("guardduty:ListDetectors", "guardduty:GetDetector")

    def snapshot(self, client: ClientFor, account: str, region: str) -> dict:
        guardduty = client("guardduty")
        detectors = []
        for detector_id in read("guardduty:ListDetectors", pages, guardduty, "list_detectors", "DetectorIds"):
            detector = read("guardduty:GetDetector", guardduty.get_detector, DetectorId=detector_id)
            detector.pop("ResponseMetadata", None)
            detectors.append({"DetectorId": detector_id, **detector})
        return {"detectors": detectors}
