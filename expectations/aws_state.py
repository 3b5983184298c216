"""AWS Config items, CloudTrail events and state snapshots -> observations per resource -> rows over the window.

A state control says how to read each kind of evidence: a function from a Config item, an event or a snapshot
body to `Seen` verdicts (resource, state, value). `Timelines` gathers them per resource together with the
resource's account and region, and `rows` rebuilds each resource's state over the window with `state_rows`.
Config-derived observations are blind where the recorder was off, and snapshots too where no Config history was
delivered (see `expectations.eng_cfg_01`); CloudTrail events are not. Resources outside the scope's accounts and
regions are left out.

    timelines = Timelines()
    timelines.config(config_items(view, "AWS::S3::Bucket"), bucket_arn, judge_item)
    timelines.events(cloudtrail_logs(view).named("PutBucketPolicy"), read_event)
    timelines.snapshots(view, "aws.s3.buckets", read_body)
    rows = timelines.rows(scope, window, blind=blind_intervals(view, scope, window))
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Literal

from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.config_items import ConfigItem
from expectations.dataset import Row
from expectations.state_timeline import HOLDS, Blind, Observation, State, before_joining, state_rows
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.scope.models import ProductionSpec
from socready.window import Window

Judged = tuple[State, str] | tuple[State, str, dict[str, object]]


@dataclass(frozen=True)
class Seen:
    """One verdict on one resource's state, read from one piece of evidence."""

    resource: str
    state: State
    value: str
    before: State | None = None  # for changes: the state they changed from ("absent" for a creation)
    account: str | None = None  # default: the evidence's account and region
    region: str | None = None
    facts: dict[str, object] = field(default_factory=dict)  # the settings seen, for a control whose suite judges them
    before_facts: dict[str, object] = field(default_factory=dict)  # for changes: the settings before, where known


@dataclass
class Tracked:
    account: str
    region: str
    observations: list[Observation] = field(default_factory=list)


@dataclass(frozen=True)
class Fact:
    """Some or all of a resource's settings at one time, from one piece of evidence, for `Timelines.fold`."""

    resource: str
    time: datetime
    settings: dict | None  # None: the resource was deleted
    evidence: str
    account: str
    region: str
    whole: bool = False  # every setting (a Config item, a snapshot, a creation) rather than a change to some
    created: bool = False
    blindable: bool = False
    kind: Literal["change", "snapshot"] = "change"


class Timelines:
    """The observations of one control's resources, from every source it reads."""

    def __init__(self) -> None:
        self.tracked: dict[str, Tracked] = {}
        self.logged: set[tuple[str, str]] | None = None  # (account, region) with CloudTrail files; None: not read

    def expect(self, resource: str, account: str, region: str) -> Timelines:
        """A resource that must have rows even without any observation (its days are then no evidence)."""
        self.tracked.setdefault(resource, Tracked(account, region))
        return self

    def add(self, seen: Seen, account: str, region: str, **observation) -> None:
        tracked = self.tracked.setdefault(seen.resource, Tracked(seen.account or account, seen.region or region))
        shown = {"facts": seen.facts, "before_facts": seen.before_facts}
        observed = Observation(state=seen.state, value=seen.value, before=seen.before, **shown, **observation)
        tracked.observations.append(observed)

    def config(
        self,
        items: Iterable[ConfigItem],
        resource: Callable[[ConfigItem], str],
        judge: Callable[[ConfigItem], Judged],
    ) -> Timelines:
        """AWS Config items: a deletion makes the resource absent; an item with status ResourceDiscovered is
        its creation (absent before). `judge` sees only items of existing resources and answers as for `fold`."""
        for item in items:
            if item.deleted:
                seen = Seen(resource(item), "absent", f"deleted ({item.status})")
            else:
                state, value, *shown = judge(item)
                created = item.status == "ResourceDiscovered"
                before = "absent" if created else None
                seen = Seen(resource(item), state, value, before=before, facts=shown[0] if shown else {})
            self.add(seen, item.account, item.region, time=item.time, evidence=item.evidence)
        return self

    def events(self, events: Iterable[TrailEvent], read: Callable[[TrailEvent], Iterable[Seen]]) -> Timelines:
        """CloudTrail events; never blind, since the Config recorder does not produce them. Changes after the
        run's as-of (`Named.later`) only let a later snapshot be walked back: rows end at the as-of."""
        for event in [*events, *getattr(events, "later", ())]:
            for seen in read(event):
                self.add(seen, event.account, event.region, time=event.time, evidence=event.evidence, blindable=False)
        return self

    def snapshots(self, view: EvidenceView, source: str, read: Callable[[dict], Iterable[Seen]]) -> Timelines:
        """Current state read by a collector: this run's and earlier runs' snapshots taken inside the window."""
        self.logged = set(cloudtrail_logs(view).files)
        for entry in [*view.earlier_entries(source), *view.entries(source)]:
            body = view.read_json(entry)
            account, region = entry.account or body.get("account", ""), entry.region or body.get("region", "")
            for seen in read(body):
                self.add(
                    seen,
                    account,
                    region,
                    time=entry.collected_at,
                    evidence=entry.sha256,
                    blindable=False,
                    kind="snapshot",
                )
        return self

    def fold(self, facts: Iterable[Fact], judge: Callable[[dict, bool, datetime], Judged]) -> Timelines:
        """For settings that events change one at a time: each resource's facts folded in time order into its
        settings so far, each judged as `judge(settings, whole, time)`; `whole` is False until a whole
        configuration was seen, so the judge can answer "unknown" where a setting it needs was never shown.
        The judge answers (state, value) or (state, value, the dataset's facts of those settings); a change's
        settings before it are judged too, so the days before a resource's first change carry their facts."""
        by_resource: dict[str, list[Fact]] = defaultdict(list)
        for fact in facts:
            by_resource[fact.resource].append(fact)
        for resource, found in by_resource.items():
            settings, whole = {}, False
            for fact in sorted(found, key=lambda f: f.time):
                where = {"time": fact.time, "evidence": fact.evidence, "blindable": fact.blindable, "kind": fact.kind}
                if fact.settings is None:
                    self.add(Seen(resource, "absent", "deleted"), fact.account, fact.region, **where)
                    settings, whole = {}, False
                    continue
                before, _, *before_shown = ("absent", "") if fact.created else judge(settings, whole, fact.time)
                settings = dict(fact.settings) if fact.whole else {**settings, **fact.settings}
                whole = whole or fact.whole
                state, value, *shown = judge(settings, whole, fact.time)
                facts = {"facts": shown[0] if shown else {}, "before_facts": before_shown[0] if before_shown else {}}
                seen = Seen(resource, state, value, before=before, **facts)
                self.add(seen, fact.account, fact.region, **where)
        return self

    def rows(
        self,
        scope: Scope,
        window: Window,
        *,
        blind: dict[tuple[str, str], list[Blind]] | None = None,
        keep: Callable[[str], bool] = lambda resource: True,
        creation_grace: timedelta = timedelta(0),
    ) -> list[Row]:
        """Rows of every kept resource in the scope's accounts and regions over the evaluated window (from
        its account's joining, if that was inside it)."""
        joined = {a.id: a.joined for a in scope.aws.accounts}
        regions = set(scope.aws.regions)
        rows: list[Row] = []
        for resource, tracked in sorted(self.tracked.items()):
            if tracked.account not in joined or tracked.region not in regions or not keep(resource):
                continue
            place = (tracked.account, tracked.region)
            found = state_rows(
                resource,
                settle(tracked.observations, creation_grace),
                window.start_utc,
                window.evaluated_end_utc,
                [*(blind or {}).get(place, []), *self.unlogged(scope, window, place)],
            )
            rows += before_joining(found, joined[tracked.account], window.start_utc)
        return rows

    def unlogged(self, scope: Scope, window: Window, place: tuple[str, str]) -> list[Blind]:
        """A place with no CloudTrail file at all over the period read: nothing shows that a snapshot of current
        state held before it was taken (an empty log location is a missing record, not "nothing changed")."""
        if self.logged is None or place in self.logged:
            return []
        locations = ", ".join(f"s3://{b.bucket}/{b.prefix}".rstrip("/") for b in scope.aws.cloudtrail_logs)
        value = f"no CloudTrail log files for {'/'.join(place)} under {locations or 'no location'}: the state read now "
        value += "cannot be walked back to these days"
        return [Blind(window.start_utc, window.evaluated_end_utc, value, snapshots=True, config=False)]


def settle(observations: list[Observation], grace: timedelta) -> list[Observation]:
    """A resource created non-compliant and made compliant within `grace` is compliant from its creation:
    infrastructure code creates a resource and configures it moments later. Its settings from its creation are
    those it was made compliant with, so a suite judging the facts agrees."""
    ordered = sorted(observations, key=lambda o: o.time)
    if not grace:
        return ordered
    settled, index = [], 0
    while index < len(ordered):
        created, fixed_at = ordered[index], None
        if created.before == "absent" and created.state == "fail":
            for later_at in range(index + 1, len(ordered)):
                later = ordered[later_at]
                if later.time - created.time > grace or later.state not in ("fail", "pass"):
                    break
                if later.state == "pass":
                    fixed_at = later_at
                    break
        if fixed_at is None:
            settled.append(created)
            index += 1
        else:
            value = f"{created.value}; {ordered[fixed_at].value} within the grace period"
            settled.append(replace(created, state="pass", value=value, facts=ordered[fixed_at].facts))
            index = fixed_at
    return settled


def all_of(primary: list[Row], *others: list[Row]) -> list[Row]:
    """One row list where every aspect of a resource must hold (verdict `HOLDS`). `primary` says when each
    resource exists; the others add conditions wherever they have rows. Over each span a False wins, then a
    null (no evidence), else True; the value names the aspects that decided it. Each row also carries the
    facts of the aspects covering it, so a suite can state each aspect's rule; spans merge as the verdict
    reads them, and a merged row keeps the facts of its first span: the aspects that decide it, as its value
    names them, are the same throughout."""
    spans: dict[str, list[Row]] = defaultdict(list)
    for row in (r for rows in others for r in rows):
        spans[row.resource].append(row)
    combined: list[Row] = []
    for row in primary:
        aspects = [row, *spans[row.resource]]
        cuts = sorted({row.start, row.end, *(t for r in aspects for t in (r.start, r.end) if row.start < t < row.end)})
        for start, end in pairwise(cuts):
            covering = [r for r in aspects if r.start <= start and end <= r.end]
            metrics = [r.metrics[HOLDS] for r in covering]
            verdict = False if False in metrics else (None if None in metrics else True)
            deciding = [r for r in covering if r.metrics[HOLDS] is verdict] or covering
            value = "; ".join(dict.fromkeys(r.value for r in deciding))
            evidence = tuple(dict.fromkeys(e for r in deciding for e in r.evidence))
            last = combined[-1] if combined else None
            same = (row.resource, start, value, verdict, evidence)
            if last and (last.resource, last.end, last.value, last.metrics[HOLDS], last.evidence) == same:
                combined[-1] = replace(last, end=end)
            else:
                facts = {k: v for r in covering for k, v in r.metrics.items() if k != HOLDS}
                combined.append(Row(row.resource, start, end, value, {HOLDS: verdict, **facts}, evidence))
    return combined


def unread_places(view: EvidenceView, scope: Scope, source: str) -> tuple[str, ...]:
    """`<source> in <account>/<region>` for each in-scope account and region this run holds no snapshot of."""
    read = {(e.account, e.region) for e in view.entries(source)}
    return tuple(
        f"{source} in {account.id}/{region}"
        for account in scope.aws.accounts
        for region in scope.aws.regions
        if (account.id, region) not in read
    )


def region_resource(account: str, region: str) -> str:
    return f"account/{account}/region/{region}"


def toggles(
    changes: dict[str, tuple[State, State]], resource: Callable[[TrailEvent], str]
) -> Callable[[TrailEvent], list[Seen]]:
    """A reader of events that switch a setting on or off: event name -> (state after, state before)."""

    def read(event: TrailEvent) -> list[Seen]:
        after, before = changes[event.name]
        return [Seen(resource(event), after, f"{event.name} by {event.actor}", before=before)]

    return read


def as_list(value) -> list:
    """A policy or API field that may hold one item, a list, CloudTrail's {"items": [...]}, or nothing."""
    if value is None:
        return []
    if isinstance(value, dict) and "items" in value:
        return list(value["items"] or [])
    return list(value) if isinstance(value, list) else [value]


def pick(mapping: dict | None, name: str, default=None):
    """A key looked up without regard to case: Config items use camelCase, APIs PascalCase, events either."""
    if not isinstance(mapping, dict):
        return default
    if name in mapping:  # the common case, and the spelling asked for wins over another case's
        return mapping[name]
    wanted = name.lower()
    return next((value for key, value in mapping.items() if key.lower() == wanted), default)


def tag_value(tags, key: str) -> str | None:
    """A tag's value from `[{"Key", "Value"}]` (any case) or a `{key: value}` mapping."""
    if isinstance(tags, dict):
        return pick(tags, key)
    return next((pick(t, "value") for t in tags or [] if pick(t, "key") == key), None)


def tag_pairs(tags) -> list[tuple[str, str]]:
    """(key, value) of each tag in `[{"Key", "Value"}]` (any case) or a `{key: value}` mapping."""
    if isinstance(tags, dict):
        return [(str(key), str(value)) for key, value in tags.items()]
    return [(str(pick(t, "key")), str(pick(t, "value", ""))) for t in tags or [] if isinstance(t, dict)]


def folded(text: str) -> str:
    return text.strip().casefold()


def production_tag(tags, production: ProductionSpec) -> tuple[str | None, str | None]:
    """(the tag that marks a resource production, a near miss), each as `key=value`. A near miss equals a
    production pair only when case and spaces are ignored, under `tag_match: exact`: AWS tag keys are
    case-sensitive, so it may or may not be meant as production, and a control must not guess."""
    pairs = [(key, value) for key, values in production.tags.items() for value in values]
    loose = {(folded(key), folded(value)) for key, value in pairs}
    near = None
    for key, value in tag_pairs(tags):
        if (folded(key), folded(value)) not in loose:
            continue
        if production.tag_match == "case_insensitive" or (key, value) in pairs:
            return f"{key}={value}", None
        near = f"{key}={value}"
    return None, near


def production_rule(production: ProductionSpec) -> str:
    """The scope's definition of production, as a reason states it."""
    tags = " or ".join(f"{key}={value}" for key, values in production.tags.items() for value in values)
    parts = [f"in account {', '.join(production.accounts)}"] if production.accounts else []
    if tags:
        parts.append(f"tagged {tags}" + (" (exact case)" if production.tag_match == "exact" else ""))
    return " or ".join(parts) or "none (aws.production lists no account and no tag)"
