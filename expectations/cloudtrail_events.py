"""CloudTrail log files -> the management events controls need and the region-hours that have records."""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import re
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import astuple, dataclass, field
from datetime import UTC, datetime

from socready.errors import EvidenceError
from socready.evidence import EvidenceEntry
from socready.evidence.view import EvidenceView

SOURCE = "aws.cloudtrail.logs"
READ_ONLY_PREFIXES = ("Describe", "Get", "List", "Head", "Lookup", "Search", "BatchGet")
CACHE = "cache"  # derived data shared by runs, kept apart from any run's own
PARSER_VERSION = "2"  # bump when what is kept from a record changes: older cached groups are then not used
MONTH_FOLDER = re.compile(r"/\d{4}/\d{2}/")  # .../CloudTrail/<region>/yyyy/mm/dd/...
KEPT_READS = frozenset({"ConsoleLogin"})  # sign-ins count for MFA and root-usage controls


def is_kept(record: dict) -> bool:
    """Controls read mutations, sign-ins and anything done as root; the rest only counts towards coverage."""
    read_only = record.get("readOnly")
    if read_only is None:
        read_only = str(record.get("eventName", "")).startswith(READ_ONLY_PREFIXES)
    identity = (record.get("userIdentity") or {}).get("type")
    return not read_only or record.get("eventName") in KEPT_READS or identity == "Root"


@dataclass(frozen=True)
class TrailEvent:
    time: datetime
    name: str
    account: str
    region: str
    actor: str
    parameters: dict
    evidence: str
    identity_type: str = ""
    details: dict = field(default_factory=dict)  # additionalEventData and responseElements, when present


class Named(list[TrailEvent]):
    """Events of some names up to the run's as-of; `later` holds the same names' events after it, which only a
    state timeline reads: to walk a snapshot taken after the as-of back to it, never as a deviation or a fact."""

    later: tuple[TrailEvent, ...] = ()


HOUR = 3600


class RecordedHours:
    """The UTC hours (each as the datetime it starts) in which a region has CloudTrail records: sorted hour numbers
    since the epoch, 8 bytes an hour. A set of datetimes took ≈ 85 bytes an hour, and a task reading CloudTrail
    holds a year of hours for every account and region twice (parsed, and cut at the as-of): ≈ 280 MiB at org M
    (50 accounts x 4 regions)."""

    __slots__ = ("_numbers",)

    def __init__(self, numbers: Iterable[int] = ()) -> None:
        self._numbers = array("q", sorted(set(numbers)))

    @classmethod
    def of_seconds(cls, seconds: Iterable[int]) -> RecordedHours:
        return cls(s // HOUR for s in seconds)

    @staticmethod
    def number(moment: datetime) -> int:
        """The hour `moment` falls in, as a count of hours since the epoch."""
        return int(moment.timestamp()) // HOUR

    @staticmethod
    def starting_from(moment: datetime) -> int:
        """The first hour that begins at or after `moment`."""
        return math.ceil(moment.timestamp() / HOUR)

    def seconds(self) -> list[int]:
        return [n * HOUR for n in self._numbers]

    def __contains__(self, hour: datetime) -> bool:
        """Whether the hour that `hour` falls in has records."""
        number = self.number(hour)
        at = bisect_left(self._numbers, number)
        return at < len(self._numbers) and self._numbers[at] == number

    def __iter__(self) -> Iterator[datetime]:
        return (datetime.fromtimestamp(n * HOUR, UTC) for n in self._numbers)

    def __len__(self) -> int:
        return len(self._numbers)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RecordedHours) and self._numbers == other._numbers

    @classmethod
    def union(cls, parts: Iterable[RecordedHours]) -> RecordedHours:
        return cls(number for part in parts for number in part._numbers)

    def first(self) -> datetime:
        return datetime.fromtimestamp(self._numbers[0] * HOUR, UTC)

    def before(self, moment: datetime) -> RecordedHours:
        """The hours that began before `moment`."""
        cut = RecordedHours()
        cut._numbers = self._numbers[: bisect_left(self._numbers, self.starting_from(moment))]
        return cut

    def any_in(self, start: datetime, end: datetime) -> bool:
        """Whether an hour that began in [start, end) has records."""
        at = bisect_left(self._numbers, self.starting_from(start))
        return at < len(self._numbers) and self._numbers[at] * HOUR < end.timestamp()


@dataclass
class CloudTrailLogs:
    events: list[TrailEvent] = field(default_factory=list)
    later: list[TrailEvent] = field(default_factory=list)  # events after the run's as-of, cut from `events`
    hours: dict[tuple[str, str], RecordedHours] = field(default_factory=lambda: defaultdict(RecordedHours))
    files: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    # (account, long-term access key id) -> times of records signed with it, reads included
    key_uses: dict[tuple[str, str], list[datetime]] = field(default_factory=lambda: defaultdict(list))

    def add(self, part: CloudTrailLogs) -> None:
        self.events += part.events
        for where, hours in part.hours.items():
            self.hours[where] = RecordedHours.union((self.hours[where], hours))
        for key, times in part.key_uses.items():
            self.key_uses[key] += times

    def named(self, *names: str) -> Named:
        found = Named(e for e in self.events if e.name in names)
        found.later = tuple(e for e in self.later if e.name in names)
        return found


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def actor_of(record: dict) -> str:
    identity = record.get("userIdentity") or {}
    return identity.get("userName") or identity.get("arn") or identity.get("type") or "unknown"


def parse_logs(view: EvidenceView) -> CloudTrailLogs:
    """Every log file's kept events and region-hours. Files are parsed in groups (account, region, UTC month)
    whose result is kept as derived data, keyed by the group's file hashes: a later run re-parses only the
    groups that gained files, normally the current month's."""
    logs = CloudTrailLogs()
    groups: dict[tuple[str, str, str], list[EvidenceEntry]] = defaultdict(list)
    for entry in view.entries(SOURCE):
        logs.files[(entry.account or "", entry.region or "")].append(entry.sha256)
        month = MONTH_FOLDER.search(entry.query)
        groups[(entry.account or "", entry.region or "", month.group(0) if month else entry.query)].append(entry)
    for entries in groups.values():
        logs.add(parsed_group(view, entries))
    logs.events.sort(key=lambda e: e.time)
    return logs


def parsed_group(view: EvidenceView, entries: list[EvidenceEntry]) -> CloudTrailLogs:
    """One group's kept events, hours with records and key uses; from the cache when an earlier run parsed the
    same files."""
    key = hashlib.sha256("\n".join(sorted(e.sha256 for e in entries)).encode()).hexdigest()
    name = f"cloudtrail/{PARSER_VERSION}/{key}.json.gz"
    cached = view.store.derived(CACHE, name)
    if cached is not None:
        return decode(json.loads(gzip.decompress(cached)))
    part = CloudTrailLogs()
    hours: dict[tuple[str, str], set[int]] = defaultdict(set)
    for entry in entries:
        region = entry.region or ""
        for record in view.read_json(entry).get("Records", []):
            moment = parse_time(record["eventTime"])
            account = record.get("recipientAccountId") or entry.account or ""
            where = (account, record.get("awsRegion", region))
            hours[where].add(RecordedHours.number(moment))
            identity = record.get("userIdentity") or {}
            if (key_id := identity.get("accessKeyId") or "").startswith("AKIA"):  # ASIA…: temporary credentials
                part.key_uses[(account, key_id)].append(moment)
            if is_kept(record):
                details = {**(record.get("additionalEventData") or {}), **(record.get("responseElements") or {})}
                part.events.append(
                    TrailEvent(
                        moment,
                        record["eventName"],
                        *where,
                        actor_of(record),
                        record.get("requestParameters") or {},
                        entry.sha256,
                        identity.get("type", ""),
                        details,
                    )
                )
    part.hours.update((where, RecordedHours(numbers)) for where, numbers in hours.items())
    with suppress(EvidenceError):  # a concurrent run wrote the group first: the same content, by its key
        view.store.put_derived(CACHE, name, gzip.compress(json.dumps(encode(part)).encode(), mtime=0))
    return part


def stamps(times) -> list[int]:
    return sorted(int(t.timestamp()) for t in times)


def encode(part: CloudTrailLogs) -> dict:
    return {
        "events": [[e.time.isoformat(), *astuple(e)[1:]] for e in part.events],
        "hours": [[account, region, hours.seconds()] for (account, region), hours in part.hours.items()],
        "key_uses": [[account, key, stamps(times)] for (account, key), times in part.key_uses.items()],
    }


def decode(data: dict) -> CloudTrailLogs:
    part = CloudTrailLogs()
    part.events = [TrailEvent(datetime.fromisoformat(time), *rest) for time, *rest in data["events"]]
    for account, region, seconds in data["hours"]:
        part.hours[(account, region)] = RecordedHours.of_seconds(seconds)
    for account, key, seconds in data["key_uses"]:
        part.key_uses[(account, key)] = [datetime.fromtimestamp(s, UTC) for s in seconds]
    return part


def until(logs: CloudTrailLogs, as_of: datetime) -> CloudTrailLogs:
    """What the logs show up to `as_of`: a later record is not used by any control."""
    cut = CloudTrailLogs(files=logs.files)
    cut.events = [e for e in logs.events if e.time <= as_of]
    cut.later = [e for e in logs.events if e.time > as_of]
    for where, hours in logs.hours.items():
        cut.hours[where] = hours.before(as_of)  # an hour that began by then
    for key, times in logs.key_uses.items():
        cut.key_uses[key] = [t for t in times if t <= as_of]
    return cut


def parse_until_as_of(view: EvidenceView) -> CloudTrailLogs:
    as_of = view.manifest.window.as_of
    logs = view.parsed(SOURCE, parse_logs)
    return logs if as_of is None else until(logs, as_of)


def cloudtrail_logs(view: EvidenceView) -> CloudTrailLogs:
    """Parsed once per run, cut at the run's as-of, and shared by every control that reads CloudTrail logs."""
    return view.parsed(SOURCE, parse_until_as_of)
