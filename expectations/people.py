"""The HR roster as a directory of people, found by any key the company uses: id, e-mail, name, IAM or Jira user."""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # tables joins exports to the roster through this module
    from expectations.tables import Cells, Table

# The roster's optional person columns (files.hr_roster.columns); `employee_id` is always required.
KEY_COLUMNS = ("email", "full_name", "iam_user", "jira_user")
# What a ticket summary may name a person by, as a whole word or phrase.
SUMMARY_KEYS = ("employee_id", "email", "full_name")
JOINERS = ".+-@"  # inside a word when between two word characters: jane.doe, e1@example.com, E-100


def normal(text: str) -> str:
    """Casefolded, accents removed (NFKD without combining marks), trimmed, inner whitespace collapsed."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _glued(text: str, at: int, outward: int) -> bool:
    """The character at `at` continues the word: a word character, or a joiner followed by one."""
    if not 0 <= at < len(text):
        return False
    if _word(text[at]):
        return True
    beyond = at + outward
    return text[at] in JOINERS and 0 <= beyond < len(text) and _word(text[beyond])


@dataclass(frozen=True)
class Person:
    employee_id: str
    cells: Cells  # the roster row; facts a duplicate row contradicts are flagged on it
    keys: dict[str, str]  # roster column -> normalised value, for the key columns the row fills

    @property
    def resource(self) -> str:
        return f"employee/{self.employee_id}"

    def describe(self) -> str:
        name = self.cells.text("full_name") or self.cells.text("email")
        return f"{self.resource} ({name})" if name else self.resource


@dataclass(frozen=True)
class Match:
    people: tuple[Person, ...] = ()

    @property
    def one(self) -> Person | None:
        return self.people[0] if len(self.people) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.people) > 1

    def candidates(self) -> str:
        return " or ".join(p.describe() for p in self.people)

    @classmethod
    def of(cls, people: Iterable[Person]) -> Match:
        """Each person once, in employee-id order."""
        unique = {p.employee_id: p for p in people}
        return cls(tuple(unique[key] for key in sorted(unique)))


@dataclass(frozen=True)
class Login:
    """A person's IAM user: the roster's `iam_user`, else one user named after them; `doubt` when not one."""

    user: str | None
    doubt: str = ""


def login_names(person: Person) -> set[str]:
    """The IAM user names that identify a person without an `iam_user` in the roster: e-mail, its local part, id."""
    email = person.keys.get("email", "")
    return {name for name in (email, email.partition("@")[0], person.keys["employee_id"]) if name}


class Directory:
    """Everyone in the roster once: rows repeating an employee id are merged when they agree; where they differ,
    the first row carries a flag naming the other row, so the person is reported instead of evaluated."""

    def __init__(self, roster: Table, tz: ZoneInfo) -> None:
        self.roster = roster
        self.items: list[Cells] = []  # one per person, then each row without an employee id, in roster order
        self.people: dict[str, Person] = {}
        self._index: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # column -> key -> ids
        for cells in roster.cells(tz):
            employee_id = cells.text("employee_id")
            if not employee_id:
                self.items.append(cells)
            elif employee_id in self.people:
                self._merge(self.people[employee_id], cells)
            else:
                self.people[employee_id] = self._add(employee_id, cells)
        self._logins: dict[str, set[str]] = defaultdict(set)  # IAM user name -> people it could be
        for person in self.people.values():
            for name in {person.keys.get("iam_user", ""), *login_names(person)} - {""}:
                self._logins[name].add(person.employee_id)
        self._phrases: dict[str, set[str]] = defaultdict(set)  # what a summary may name -> people
        for column in SUMMARY_KEYS:
            for key, ids in self._index[column].items():
                self._phrases[key] |= ids
        self._longest = max(map(len, self._phrases), default=0)

    def _add(self, employee_id: str, cells: Cells) -> Person:
        columns = ("employee_id", *KEY_COLUMNS)
        keys = {column: key for column in columns if (key := normal(cells.text(column)))}
        for column, key in keys.items():
            self._index[column][key].add(employee_id)
        self.items.append(cells)
        return Person(employee_id, cells, keys)

    def _merge(self, person: Person, duplicate: Cells) -> None:
        header = self.roster.headers.get("employee_id", "employee_id")
        for column, value in duplicate.row.values.items():
            if value != person.cells.text(column):
                why = f"differs from row {duplicate.row.number} ({value!r}) with the same {header}"
                person.cells.flag(column, why)

    def find(self, text: str, columns: Iterable[str] = ("employee_id", *KEY_COLUMNS)) -> Match:
        """Whoever one of `columns` holds `text` for, compared normalised: none, one, or several people."""
        key = normal(text)
        return Match.of(self.people[i] for column in columns for i in self._index[column].get(key, ()))

    def named_in(self, text: str) -> Match:
        """Everyone whose employee id, e-mail or full name appears in `text` as a whole word or phrase; a name
        inside a longer one that matched (E1 inside e1@example.com) does not count on its own."""
        text = normal(text)
        starts = [i for i in range(len(text)) if _word(text[i]) and not _glued(text, i - 1, -1)]
        ends = [j for j in range(1, len(text) + 1) if _word(text[j - 1]) and not _glued(text, j, 1)]
        found = []
        for start in starts:
            for end in ends[bisect_right(ends, start) : bisect_right(ends, start + self._longest)]:
                if ids := self._phrases.get(text[start:end]):
                    found.append((start, end, ids))
        kept = [
            ids
            for start, end, ids in found
            if not any(s <= start and end <= e and e - s > end - start for s, e, _ in found)
        ]
        return Match.of(self.people[i] for ids in kept for i in ids)

    def login(self, person: Person, users: Iterable[str]) -> Login:
        """The person's IAM user among `users` (every user name the evidence shows): the roster's `iam_user` as
        written, else the one user whose name equals their e-mail, its local part or their employee id (compared
        normalised) and identifies nobody else. Two such users, or a user another person could be, is a doubt."""
        if explicit := person.cells.text("iam_user"):
            return Login(explicit)
        named = sorted({user for user in users if normal(user) in login_names(person)})
        others = {i for user in named for i in self._logins[normal(user)]} - {person.employee_id}
        if len(named) > 1:
            return Login(None, f"IAM users {' and '.join(named)} could each be {person.describe()}")
        if others:
            return Login(
                None, f"IAM user {named[0]} could be {Match.of([person, *map(self.people.get, others)]).candidates()}"
            )
        return Login(named[0] if named else None)
