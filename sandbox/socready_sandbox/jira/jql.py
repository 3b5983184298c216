"""A small JQL tokenizer, parser and evaluator for the subset of JQL the Jira sandbox answers."""

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any, TypeVar


class JqlError(ValueError):
    """A query real Jira rejects with HTTP 400; the message follows Jira's wording."""


class Kind(StrEnum):
    EXACT = "exact"  # each value is a tuple of aliases (key, name, id, ...); a query may use any of them
    TEXT = "text"  # free text, searched with ~ and !~ only
    DATE = "date"
    NUMBER = "number"


@dataclass(frozen=True)
class FieldRef:
    id: str
    kind: Kind
    case_sensitive: bool = False


@dataclass(frozen=True)
class Env:
    """What evaluating a query needs from the server."""

    now: datetime
    tz: tzinfo  # the user's time zone: dates without an offset are read in it, as Jira does
    current_user: str
    resolve: Callable[[str], FieldRef]  # raises JqlError for an unknown field
    known_values: Callable[[str], set[str] | None]  # casefolded valid values of a field, None = anything


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "string", "op", "(", ")", ",", "eof"
    text: str
    pos: int


@dataclass(frozen=True)
class Func:
    name: str
    args: tuple[str, ...]


Operand = str | Func | None  # None stands for EMPTY / NULL


@dataclass(frozen=True)
class Clause:
    field: str
    op: str  # lower case: "=", "!=", "~", "!~", ">", ">=", "<", "<=", "in", "not in", "is", "is not"
    operands: tuple[Operand, ...]


@dataclass(frozen=True)
class Junction:
    op: str  # "and" | "or"
    items: tuple["Node", ...]


@dataclass(frozen=True)
class Negation:
    item: "Node"


Node = Clause | Junction | Negation


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool


@dataclass(frozen=True)
class Query:
    where: Node | None
    order_by: tuple[SortKey, ...]


_OPERATORS = ("!=", "!~", ">=", "<=", "=", "~", ">", "<", "!")  # longest first
_COMPARISONS = frozenset({"=", "!=", "~", "!~", ">", ">=", "<", "<="})
_KEYWORDS = frozenset({"and", "or", "not", "in", "is", "empty", "null", "order", "by", "asc", "desc"})
_WORD = re.compile(r"""[^\s=!~<>(),"']+""")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\", " ": " "}


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - text.rfind("\n", 0, pos)
    return f"(line {line}, character {column})"


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    quote, out, i = text[start], [], start + 1
    while i < len(text):
        char = text[i]
        if char == quote:
            return "".join(out), i + 1
        if char == "\\":
            escaped = text[i + 1 : i + 2]
            if escaped == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[i + 2 : i + 6]):
                out.append(chr(int(text[i + 2 : i + 6], 16)))
                i += 6
                continue
            if escaped not in _ESCAPES:
                raise JqlError(
                    f"Error in the JQL Query: The escape sequence '\\{escaped}' in the quoted string is not "
                    f"valid. {_where(text, i)}"
                )
            out.append(_ESCAPES[escaped])
            i += 2
            continue
        out.append(char)
        i += 1
    raise JqlError(
        f"Error in the JQL Query: The quoted string '{text[start + 1 :]}' has not been completed. {_where(text, start)}"
    )


def tokenize(text: str) -> list[Token]:
    tokens, i = [], 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "(),":
            tokens.append(Token(char, char, i))
            i += 1
        elif char in "\"'":
            value, end = _read_quoted(text, i)
            tokens.append(Token("string", value, i))
            i = end
        elif op := next((op for op in _OPERATORS if text.startswith(op, i)), None):
            tokens.append(Token("op", op, i))
            i += len(op)
        else:
            word = _WORD.match(text, i)
            assert word is not None  # every character the branches above skip starts a word
            tokens.append(Token("word", word.group(), i))
            i = word.end()
    tokens.append(Token("eof", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    def parse(self) -> Query:
        where = None if self._peek().kind == "eof" or self._keyword(self._peek()) == "order" else self._or()
        order_by: tuple[SortKey, ...] = ()
        if self._accept("order"):
            if not self._accept("by"):
                raise self._error("Expecting 'by' after 'order'", self._peek())
            order_by = self._sort_keys()
        if self._peek().kind != "eof":
            raise self._error("Expecting either 'OR' or 'AND'", self._peek())
        return Query(where, order_by)

    def _peek(self) -> Token:
        return self.tokens[self.i]

    def _next(self) -> Token:
        token = self.tokens[self.i]
        self.i = min(self.i + 1, len(self.tokens) - 1)
        return token

    @staticmethod
    def _keyword(token: Token) -> str | None:
        word = token.text.lower()
        return word if token.kind == "word" and word in _KEYWORDS else None

    def _accept(self, keyword: str) -> bool:
        if self._keyword(self._peek()) == keyword:
            self._next()
            return True
        return False

    def _error(self, expectation: str, token: Token) -> JqlError:
        got = token.text if token.kind != "eof" else "EOF"
        return JqlError(f"Error in the JQL Query: {expectation} but got '{got}'. {_where(self.text, token.pos)}")

    def _expect(self, kind: str) -> None:
        if self._peek().kind != kind:
            raise self._error(f"Expecting '{kind}'", self._peek())
        self._next()

    def _or(self) -> Node:
        items = [self._and()]
        while self._accept("or"):
            items.append(self._and())
        return items[0] if len(items) == 1 else Junction("or", tuple(items))

    def _and(self) -> Node:
        items = [self._unary()]
        while self._accept("and"):
            items.append(self._unary())
        return items[0] if len(items) == 1 else Junction("and", tuple(items))

    def _unary(self) -> Node:
        token = self._peek()
        if self._keyword(token) == "not" or (token.kind == "op" and token.text == "!"):
            self._next()
            return Negation(self._unary())
        if token.kind == "(":
            self._next()
            node = self._or()
            self._expect(")")
            return node
        return self._clause()

    def _field(self) -> str:
        token = self._next()
        if token.kind not in ("word", "string") or self._keyword(token):
            raise self._error("Expecting a field name", token)
        return token.text

    def _clause(self) -> Clause:
        field = self._field()
        op = self._operator()
        if op in ("in", "not in"):
            return Clause(field, op, self._operand_list())
        if op in ("is", "is not"):
            token = self._next()
            if self._keyword(token) not in ("empty", "null"):
                raise self._error("Expecting 'EMPTY' or 'NULL'", token)
            return Clause(field, op, (None,))
        return Clause(field, op, (self._operand(),))

    def _operator(self) -> str:
        token = self._next()
        keyword = self._keyword(token)
        if token.kind == "op" and token.text in _COMPARISONS:
            return token.text
        if keyword == "in":
            return "in"
        if keyword == "is":
            return "is not" if self._accept("not") else "is"
        if keyword == "not" and self._accept("in"):
            return "not in"
        raise self._error(
            "Expecting operator (one of '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS', 'IS NOT')",
            token,
        )

    def _operand(self) -> Operand:
        token = self._next()
        keyword = self._keyword(token)
        if token.kind == "string":
            return token.text
        if keyword in ("empty", "null"):
            return None
        if token.kind == "word" and keyword is None:
            return self._function(token.text) if self._peek().kind == "(" else token.text
        raise self._error("Expecting either a value, list or function", token)

    def _function(self, name: str) -> Func:
        self._expect("(")
        args: list[str] = []
        while self._peek().kind != ")":
            if args:
                self._expect(",")
            token = self._next()
            if token.kind not in ("word", "string"):
                raise self._error("Expecting a function argument", token)
            args.append(token.text)
        self._next()
        return Func(name, tuple(args))

    def _operand_list(self) -> tuple[Operand, ...]:
        self._expect("(")
        items = [self._operand()]
        while self._peek().kind == ",":
            self._next()
            items.append(self._operand())
        self._expect(")")
        return tuple(items)

    def _sort_keys(self) -> tuple[SortKey, ...]:
        keys = []
        while True:
            field = self._field()
            descending = self._accept("desc")
            if not descending:
                self._accept("asc")
            keys.append(SortKey(field, descending))
            if self._peek().kind != ",":
                return tuple(keys)
            self._next()


def parse(text: str) -> Query:
    return _Parser(text).parse()


# --- evaluation -------------------------------------------------------------------------------------

Doc = Mapping[str, Sequence[Any]]  # field id -> values, shaped per Kind (alias tuples, str, datetime, float)
Predicate = Callable[[Doc], bool]
T = TypeVar("T")

_EQUALITY = frozenset({"=", "!=", "in", "not in", "is", "is not"})
_ALLOWED = {
    Kind.EXACT: _EQUALITY,
    Kind.TEXT: frozenset({"~", "!~", "is", "is not"}),
    Kind.DATE: _EQUALITY | {">", ">=", "<", "<="},
    Kind.NUMBER: _EQUALITY | {">", ">=", "<", "<="},
}
_NEGATIVE = frozenset({"!=", "not in", "!~"})  # like Jira, these never match an empty field
_ORDERING = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
_FUNCTIONS = {Kind.EXACT: {"currentuser"}, Kind.DATE: {"now", "startofday", "endofday"}}
_ABSOLUTE_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?: (\d{1,2}):(\d{2}))?")
_PERIOD = re.compile(r"[+-]?\s*(?:\d+[wdhm]\s*)+")
_PERIOD_PART = re.compile(r"(\d+)([wdhm])")
_UNITS = {"w": timedelta(weeks=1), "d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}


def _period(text: str) -> timedelta | None:
    text = text.strip()
    if not _PERIOD.fullmatch(text):
        return None
    delta = sum((int(count) * _UNITS[unit] for count, unit in _PERIOD_PART.findall(text)), timedelta())
    return -delta if text.startswith("-") else delta


def parse_date(text: str, env: Env) -> datetime | None:
    """Jira's absolute ('2026-05-01', '2026/05/01 13:45', user time zone) or relative ('-5d', '4w 2d') dates."""
    if absolute := _ABSOLUTE_DATE.fullmatch(text.strip()):
        year, month, day, hour, minute = (int(part or 0) for part in absolute.groups())
        try:
            return datetime(year, month, day, hour, minute, tzinfo=env.tz)
        except ValueError:
            return None
    delta = _period(text)
    return None if delta is None else env.now + delta


def _text_patterns(field: str, value: str) -> list[re.Pattern[str]]:
    stripped = value.strip()
    # `summary ~ "\"two words\""` searches a phrase; otherwise every word must occur somewhere
    terms = [stripped[1:-1]] if len(stripped) > 1 and stripped[0] == stripped[-1] == '"' else stripped.split()
    if not any(terms):
        raise JqlError(f"The field '{field}' does not support searching for an empty string.")
    wildcards = {"*": r"\w*", "?": r"\w"}
    return [
        re.compile("".join(wildcards.get(char) or re.escape(char) for char in term), re.IGNORECASE) for term in terms
    ]


class _Compiler:
    def __init__(self, env: Env) -> None:
        self.env = env

    def node(self, node: Node) -> Predicate:
        match node:
            case Junction(op="and", items=items):
                preds = [self.node(item) for item in items]
                return lambda doc: all(pred(doc) for pred in preds)
            case Junction(items=items):
                preds = [self.node(item) for item in items]
                return lambda doc: any(pred(doc) for pred in preds)
            case Negation(item=item):
                pred = self.node(item)
                return lambda doc: not pred(doc)
            case Clause():
                return self.clause(node)
        raise AssertionError(f"unknown JQL node {node!r}")

    def clause(self, clause: Clause) -> Predicate:
        ref = self.env.resolve(clause.field)
        op = clause.op
        if op not in _ALLOWED[ref.kind]:
            raise JqlError(f"The operator '{op.upper()}' is not supported by the '{clause.field}' field.")
        if op == "is":
            return lambda doc: not doc.get(ref.id)
        if op == "is not":
            return lambda doc: bool(doc.get(ref.id))
        literals = [self.literal(ref, clause.field, operand) for operand in clause.operands if operand is not None]
        wants_empty = len(literals) < len(clause.operands)
        if wants_empty and op not in _EQUALITY:
            raise JqlError(f"The operator '{op}' cannot be used with EMPTY on the '{clause.field}' field.")
        match = self.matcher(ref, op, literals)
        if op in _NEGATIVE:
            return lambda doc: bool(values := doc.get(ref.id)) and not any(match(value) for value in values)
        return lambda doc: (wants_empty and not doc.get(ref.id)) or any(match(v) for v in doc.get(ref.id, ()))

    def matcher(self, ref: FieldRef, op: str, literals: list[Any]) -> Callable[[Any], bool]:
        if ref.kind is Kind.EXACT:
            fold = (lambda s: s) if ref.case_sensitive else str.casefold
            wanted = {fold(literal) for literal in literals}
            return lambda aliases: any(fold(alias) in wanted for alias in aliases)
        if ref.kind is Kind.TEXT:
            patterns = literals[0]
            return lambda text: all(pattern.search(text) for pattern in patterns)
        if op in _ORDERING:
            compare, bound = _ORDERING[op], literals[0]
            return lambda value: compare(value, bound)
        return lambda value: value in literals

    def literal(self, ref: FieldRef, field: str, operand: str | Func) -> Any:
        if isinstance(operand, Func):
            return self.function(ref, field, operand)
        if ref.kind is Kind.EXACT:
            known = self.env.known_values(ref.id)
            if known is not None and operand.casefold() not in known:
                raise JqlError(f"The value '{operand}' does not exist for the field '{field}'.")
            return operand
        if ref.kind is Kind.TEXT:
            return _text_patterns(field, operand)
        if ref.kind is Kind.DATE:
            when = parse_date(operand, self.env)
            if when is None:
                raise JqlError(
                    f"Date value '{operand}' for field '{field}' is invalid. Valid formats include: "
                    "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format "
                    "e.g. '-5d', '4w 2d'."
                )
            return when
        try:
            return float(operand)
        except ValueError:
            raise JqlError(f"The value '{operand}' for field '{field}' is not a number.") from None

    def function(self, ref: FieldRef, field: str, func: Func) -> Any:
        name = func.name.lower()
        if not any(name in names for names in _FUNCTIONS.values()):
            raise JqlError(f"Unable to find JQL function '{func.name}()'.")
        if name not in _FUNCTIONS.get(ref.kind, ()):
            raise JqlError(f"The function '{func.name}' is not supported by the field '{field}'.")
        if name == "currentuser":
            return self.env.current_user
        if name == "now":
            return self.env.now
        offset = _period(func.args[0]) if func.args else timedelta()
        if offset is None or len(func.args) > 1:
            raise JqlError(f"The function '{func.name}' accepts one optional period argument such as '-1d'.")
        now = self.env.now.astimezone(self.env.tz)
        start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        day_edge = start if name == "startofday" else start + timedelta(days=1, milliseconds=-1)
        return day_edge + offset


def _natural(text: str) -> tuple[Any, ...]:
    # "SEC-2" sorts before "SEC-10"; digits sit at odd positions so compared parts always share a type
    return tuple(int(part) if i % 2 else part.casefold() for i, part in enumerate(re.split(r"(\d+)", text)))


def _sort_value(ref: FieldRef, values: Sequence[Any]) -> tuple[Any, ...]:
    if not values:
        return (1,)  # empty values last when ascending, first when descending, as in Jira
    if ref.kind is Kind.EXACT:
        return (0, sorted(_natural(aliases[0]) for aliases in values))
    if ref.kind is Kind.TEXT:
        return (0, _natural(values[0]))
    return (0, min(values))


class CompiledQuery:
    def __init__(self, query: Query, env: Env) -> None:
        self.bounded = query.where is not None
        self._predicate: Predicate = _Compiler(env).node(query.where) if query.where else (lambda doc: True)
        self._order = [(env.resolve(key.field), key.descending) for key in query.order_by]

    def matches(self, doc: Doc) -> bool:
        return self._predicate(doc)

    def sort(self, items: Sequence[T], doc: Callable[[T], Doc]) -> list[T]:
        result = list(items)
        for ref, descending in reversed(self._order):  # stable sorts, last key first
            result.sort(key=lambda item, ref=ref: _sort_value(ref, doc(item).get(ref.id, ())), reverse=descending)
        return result


def compile_jql(text: str, env: Env) -> CompiledQuery:
    return CompiledQuery(parse(text), env)
