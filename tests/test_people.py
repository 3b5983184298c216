"""The roster directory: people found by id, e-mail, name, IAM or Jira user; ambiguity and duplicates reported."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from expectations.people import Directory, normal
from expectations.tables import Table, TableRow

COLUMNS = ("employee_id", "email", "full_name", "iam_user", "jira_user", "termination_date")
HEADERS = {"employee_id": "Staff ID", "termination_date": "Last Working Day"}


def directory(*rows: tuple[str, ...]) -> Directory:
    """Rows as (employee_id, email, full_name, iam_user, jira_user, termination_date), shorter rows padded."""
    table_rows = [
        TableRow(number, dict(zip(COLUMNS, (*row, *[""] * (len(COLUMNS) - len(row))), strict=True)))
        for number, row in enumerate(rows, 2)
    ]
    return Directory(Table("file.hr_roster", "hr_roster.csv", "0" * 64, table_rows, HEADERS), ZoneInfo("UTC"))


STAFF = directory(
    ("E1", "jane.doe@example.com", "Jane Doe", "", "acc-1"),
    ("E2", "jose.nunez@example.com", "José Núñez", "jnunez"),
    ("E9", "j.doe@example.com", "Jane Doe"),
    ("E11", "li@example.com", "Li Wei"),
)


def ids(match) -> list[str]:
    return [p.employee_id for p in match.people]


def test_normal_form_ignores_case_accents_and_spacing():
    assert normal("  José \t NÚÑEZ ") == "jose nunez"
    assert normal("Straße") == "strasse"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("E2", ["E2"]),
        ("e2", ["E2"]),
        ("JOSE.NUNEZ@example.com", ["E2"]),
        ("jose nunez", ["E2"]),
        ("jnunez", ["E2"]),
        ("acc-1", ["E1"]),
        ("Jane Doe", ["E1", "E9"]),
        ("E3", []),
        ("", []),
    ],
)
def test_find_by_any_key(text, expected):
    assert ids(STAFF.find(text)) == expected


def test_find_can_be_limited_to_some_keys():
    assert ids(STAFF.find("jnunez", ("employee_id", "email"))) == []
    assert ids(STAFF.find("li@example.com", ("employee_id", "email"))) == ["E11"]


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        ("Offboarding: Jose  Nunez", ["E2"]),
        ("Offboard E11 today", ["E11"]),
        ("Offboard E1", ["E1"]),
        ("Offboard E111", []),  # whole words only
        ("Offboard E1-temp", []),  # a joined word is another word
        ("Offboard jose.nunez@example.com.", ["E2"]),  # a sentence's full stop ends the address
        ("Offboard li@example.com.au", []),  # another domain
        ("Offboard e1@contractor.example", []),  # an id inside an address is not the id
        ("Laptop return for Jane Doe", ["E1", "E9"]),  # the same name twice in the roster
        ("Offboarding: Li Wei and José Núñez", ["E11", "E2"]),
        ("Offboarding checklist", []),
    ],
)
def test_named_in_a_summary(summary, expected):
    assert sorted(ids(STAFF.named_in(summary))) == sorted(expected)


def test_ambiguity_names_the_candidates():
    assert STAFF.find("Jane Doe").candidates() == "employee/E1 (Jane Doe) or employee/E9 (Jane Doe)"
    assert STAFF.find("Jane Doe").one is None and STAFF.find("E1").one.employee_id == "E1"


def test_identical_duplicate_rows_merge_and_conflicting_ones_are_flagged_naming_both():
    roster = directory(
        ("E1", "a@example.com", "Ann", "", "", "2026-07-10"),
        ("E1", "a@example.com", "Ann", "", "", "2026-07-10"),
        ("E2", "b@example.com", "Bo", "", "", "2026-07-10"),
        ("E2", "b@example.com", "Bo", "", "", "2026-07-20"),
    )
    assert [c.text("employee_id") for c in roster.items] == ["E1", "E2"]
    assert roster.people["E1"].cells.bad == []
    [flag] = map(str, roster.people["E2"].cells.bad)
    assert (
        flag
        == "hr_roster.csv row 4: Last Working Day '2026-07-10' differs from row 5 ('2026-07-20') with the same Staff ID"
    )


def test_rows_without_an_id_stay_items_but_are_nobody():
    roster = directory(("", "x@example.com", "Xavier"), ("E1",))
    assert len(roster.items) == 2
    assert ids(roster.find("Xavier")) == []


def test_login_by_iam_user_column_else_email_local_part_or_id():
    roster = directory(
        ("E1", "dana@example.com", "Dana", "dana-admin"),
        ("E2", "ed@example.com", "Ed"),
        ("E3", "fay@example.com", "Fay"),
        ("E4", "jdoe@example.com", "Jane Doe"),
        ("E5", "jdoe@sub.example", "John Doe"),
        ("E6", "gil@example.com", "Gil"),
    )
    users = ["dana", "dana-admin", "ED", "E3", "fay@example.com", "jdoe", "zed"]
    login = {i: roster.login(p, users) for i, p in roster.people.items()}
    assert login["E1"].user == "dana-admin"  # the roster's column wins, even with a look-alike user
    assert login["E2"].user == "ED"  # the e-mail's local part, regardless of case
    assert (login["E3"].user, login["E3"].doubt) == (
        None,
        "IAM users E3 and fay@example.com could each be employee/E3 (Fay)",
    )
    assert login["E4"].doubt == "IAM user jdoe could be employee/E4 (Jane Doe) or employee/E5 (John Doe)"
    assert (login["E6"].user, login["E6"].doubt) == (None, "")
