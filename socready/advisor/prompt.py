"""The advisor's questions: one table drives both the `socready advise` flags and the interactive prompt."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal, get_args

from pydantic import ValidationError

from socready.advisor.profile import Buyer, Completed, Profile, Request
from socready.errors import SocreadyError
from socready.scope.loader import describe_validation_error

YES = {"y", "yes", "true"}
NO = {"n", "no", "false"}


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date; write it as YYYY-MM-DD") from None


@dataclass(frozen=True)
class Question:
    field: str
    text: str  # asked interactively and shown by --help
    kind: Literal["text", "yes_no", "one_of", "list_of", "date"]
    choices: tuple[str, ...] = ()
    depends_on: tuple[str, str] | None = None  # (field, value): asked only when that answer was given

    @property
    def flag(self) -> str:
        return "--" + self.field.replace("_", "-")

    def applies(self, answers: Mapping[str, object]) -> bool:
        return self.depends_on is None or answers.get(self.depends_on[0]) == self.depends_on[1]

    def parse(self, text: str) -> object:
        """The answer as the profile wants it; ValueError names what is allowed."""
        text = text.strip()
        if self.kind == "yes_no":
            if text.lower() in YES | NO:
                return text.lower() in YES
            raise ValueError("answer yes or no")
        if self.kind == "date":
            return _parse_date(text)
        if self.kind == "text":
            if not text:
                raise ValueError("an answer is required")
            return text
        items = text.replace(",", " ").split()
        unknown = [item for item in items if item not in self.choices]
        if not items or unknown or (self.kind == "one_of" and len(items) > 1):
            many = "one or more of" if self.kind == "list_of" else "one of"
            raise ValueError(f"{', '.join(unknown) or text or 'nothing'}: answer {many} {', '.join(self.choices)}")
        if self.kind == "one_of":
            return items[0]
        if "none" in items and len(items) > 1:
            raise ValueError("'none' cannot be combined with other answers")
        return [] if items == ["none"] else items

    @property
    def hint(self) -> str:
        if self.kind == "yes_no":
            return "y/n"
        if self.kind == "date":
            return "YYYY-MM-DD"
        separator = ", " if self.kind == "list_of" else " | "
        return separator.join(self.choices)


QUESTIONS: tuple[Question, ...] = (
    Question("organization", "What is the company's name, as the report will show it?", "text"),
    Question(
        "financial_reporting",
        "Does the product affect customers' financial statements (payroll, billing, payments, revenue, ledgers)?",
        "yes_no",
    ),
    Question("buyers", "Who buys the product?", "list_of", get_args(Buyer)),
    Question(
        "customer_asked",
        "What have customers asked for (none if nobody asked)?",
        "list_of",
        ("none", *get_args(Request)),
    ),
    Question("urgent", "Does a customer need a report within about 3 months?", "yes_no"),
    Question("public_trust_page", "Do you want a public trust page with a report anyone may read?", "yes_no"),
    Question("soc2_completed", "Which SOC 2 report have you completed?", "one_of", get_args(Completed)),
    Question(
        "previous_period_end",
        "On what date did the last SOC 2 Type II period end?",
        "date",
        depends_on=("soc2_completed", "type2"),
    ),
    Question("handles_customer_data", "Does the product store or process customer data?", "yes_no"),
    Question("uptime_commitments", "Do you commit to uptime in contracts (an SLA)?", "yes_no"),
    Question(
        "confidential_data", "Does the product hold customers' confidential information (IP, contracts)?", "yes_no"
    ),
    Question(
        "processes_transactions",
        "Do customers rely on the accuracy of the product's transactions or calculations?",
        "yes_no",
    ),
    Question(
        "personal_data",
        "Does the product collect or process personal data of end users (more than B2B contact data)?",
        "yes_no",
    ),
)


def _argparse_type(parse: Callable[[str], object]) -> Callable[[str], object]:
    """argparse shows the message of an ArgumentTypeError, but only a generic one for a ValueError."""

    def checked(text: str) -> object:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return checked


def add_answer_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per question; a yes/no question gets --x / --no-x, a list question takes comma-separated values."""
    metavars = {"text": "TEXT", "date": "YYYY-MM-DD", "list_of": "A,B"}
    for q in QUESTIONS:
        help_text = q.text
        if q.kind == "list_of":
            help_text += f" Comma-separated: {', '.join(q.choices)}."
        if q.depends_on:
            field, value = q.depends_on
            help_text += f" Needed with --{field.replace('_', '-')} {value}."
        if q.kind == "yes_no":
            parser.add_argument(q.flag, action=argparse.BooleanOptionalAction, help=help_text)
        elif q.kind == "one_of":
            parser.add_argument(q.flag, choices=q.choices, help=help_text)
        else:
            parser.add_argument(q.flag, type=_argparse_type(q.parse), metavar=metavars[q.kind], help=help_text)
    parser.add_argument(
        "--today",
        type=_argparse_type(_parse_date),
        metavar="YYYY-MM-DD",
        help="the date the timeline starts from (default: today, UTC)",
    )


def ask_on_terminal(prompt: str) -> str:
    print(prompt, end="", file=sys.stderr, flush=True)  # stderr, so `socready advise --json > file` stays clean
    return input()


def _ask(question: Question, ask: Callable[[str], str]) -> object:
    while True:
        try:
            text = ask(f"{question.text} [{question.hint}] ")
        except EOFError:
            raise SocreadyError(f"input ended before {question.flag} was answered") from None
        try:
            return question.parse(text)
        except ValueError as exc:
            print(f"  {exc}", file=sys.stderr)


def collect_profile(
    answers: Mapping[str, object], *, interactive: bool, ask: Callable[[str], str] = ask_on_terminal
) -> Profile:
    """Answers given as flags, the rest asked on the terminal; without a terminal, missing answers are an error."""
    values = {q.field: answers.get(q.field) for q in QUESTIONS}
    missing = [
        q.flag.replace("--", "--[no-]") if q.kind == "yes_no" else q.flag
        for q in QUESTIONS
        if values[q.field] is None and q.applies(values)
    ]
    if missing and not interactive:
        raise SocreadyError(
            f"missing answers and no terminal to ask them on: pass {' '.join(missing)} (see `socready advise --help`)"
        )
    if missing:
        print("Answer each question (or pass it as a flag; see `socready advise --help`):", file=sys.stderr)
    for q in QUESTIONS:  # in table order, so a dependent question sees the answer it depends on
        if values[q.field] is None and q.applies(values):
            values[q.field] = _ask(q, ask)
    values["today"] = answers.get("today") or datetime.now(UTC).date()
    try:
        return Profile.model_validate(values)
    except ValidationError as exc:
        raise SocreadyError(describe_validation_error("socready advise", exc, what="answers")) from exc
