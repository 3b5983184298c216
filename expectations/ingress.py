"""Security-group ingress rules open to the internet (0.0.0.0/0 or ::/0), written as one canonical text and read
back from it.

ENG-NET-02's dataset holds each group's open rules as this text whatever their ports (`world_open`), and its
suite's expectations (expectations/custom_expectations.py) read it back here to decide whether the watched ports
are admitted: the writer and the reader are one module, so they cannot drift.

    "tcp 22-22 from 0.0.0.0/0; all ports from ::/0"      two rules open
    ""                                                   none open
    "udp 3389-3389 from ::/0; other rules not shown"     one rule shown open; the rules in force before the
                                                         first change seen were never shown
    null                                                 no rule shown open, and not every rule shown
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

OPEN = ("0.0.0.0/0", "::/0")
ALL_TRAFFIC = "-1"
PORTED = ("tcp", "udp", "6", "17")  # RDP also listens on UDP 3389; other protocols (icmp, ...) reach no port
SEPARATOR = "; "
UNSHOWN = "other rules not shown"
EVERY_PORT = "all ports"
BOUNDS = re.compile(r"(-?\w+)-(-?\w+)")  # "22-22", "None-None", "-1--1", "8--1"


@dataclass(frozen=True)
class OpenRule:
    """One rule admitting the internet: its protocol as AWS names it ("-1": all traffic, whose bounds are
    dropped), its port bounds (a missing bound, or a lower bound of -1: every port of the protocol) and the CIDR."""

    protocol: str
    low: int | None
    high: int | None
    cidr: str

    @property
    def text(self) -> str:
        """As reports have always spelled it (bounds as given), so a value naming the rule reads unchanged."""
        span = EVERY_PORT if self.protocol == ALL_TRAFFIC else f"{self.protocol} {self.low}-{self.high}"
        return f"{span} from {self.cidr}"

    def reaches(self, port: int) -> bool:
        if self.protocol == ALL_TRAFFIC:
            return True
        every = self.low is None or self.low == -1 or self.high is None
        return self.protocol in PORTED and (every or self.low <= port <= self.high)

    def admits(self, ports: Collection[int]) -> bool:
        return any(self.reaches(port) for port in ports)


def open_rule(protocol: str, low, high, cidr: str) -> OpenRule:
    """A rule from the fields AWS gives (bounds may be numbers or numeric text)."""
    if protocol == ALL_TRAFFIC:
        return OpenRule(protocol, None, None, cidr)
    return OpenRule(protocol, _bound(low), _bound(high), cidr)


def _bound(value) -> int | None:
    return None if value is None or value == "None" else int(value)


def world_open(rules: Iterable[OpenRule], shown_in_full: bool) -> str | None:
    """The canonical text of the rules open to the internet; `shown_in_full` False where the rules in force
    before the first change seen were never shown."""
    texts = sorted({rule.text for rule in rules})
    if shown_in_full:
        return SEPARATOR.join(texts)
    return SEPARATOR.join([*texts, UNSHOWN]) if texts else None


def read(text: str) -> tuple[list[OpenRule], bool]:
    """The rules a canonical text lists, and whether they are every rule open to the internet."""
    entries = [entry for entry in text.split(SEPARATOR) if entry]
    return [_rule(entry) for entry in entries if entry != UNSHOWN], UNSHOWN not in entries


def _rule(entry: str) -> OpenRule:
    span, cidr = entry.rsplit(" from ", 1)
    if span == EVERY_PORT:
        return open_rule(ALL_TRAFFIC, None, None, cidr)
    protocol, _, bounds = span.partition(" ")
    low, high = BOUNDS.fullmatch(bounds).groups()
    return open_rule(protocol, low, high, cidr)


def admitting(text: str, ports: Collection[int]) -> list[OpenRule]:
    """The listed rules that admit the internet to one of `ports`."""
    return [rule for rule in read(text)[0] if rule.admits(ports)]


def undecided(text: str, ports: Collection[int]) -> bool:
    """Whether the text cannot tell if one of `ports` is admitted: no rule shown admits one, not all are shown."""
    rules, in_full = read(text)
    return not in_full and not any(rule.admits(ports) for rule in rules)
