"""Item 5: blank and ragged rows, a repeated column, a missing required column, bad dates and text in numeric
columns in several rows → one list naming every problem by file, row and column, and rows that add up.

A file that can be used lists its warnings and rejected cells in `ParsedFile.problems()`; a file that cannot
(a required column missing) raises one InputError listing the file-level problems, the warnings and every
row problem found on the way (up to ingest.MAX_LISTED, then one line counting the rest).
"""

from __future__ import annotations

import pytest

from core.estate import load_estate
from core.ingest import MAX_LISTED, FileInput
from core.model import InputError, Reason
from tests.data.hostile import make_corpus
from tests.hostile.helpers import SETTINGS, csv_bytes, parse, refusal

HEADER = ["Name", "Serial Number", "Serial Number", "Last Contact", "Status", "Licenses"]
BODY = [
    ["sw1", "FOC1", "FOC1-copy", "2026-10-01", "Registered", "DNA Advantage (1)"],  # 2: fine
    ["sw2", "FOC2", "", "2026-13-45", "Registered", ""],  # 3: bad date
    [],  # 4: blank
    ["", "", "", "", "", ""],  # 5: blank
    ["sw3", "FOC3"],  # 6: short: padded, fine
    ["sw4", "FOC4", "", "2026-10-01", "Registered", "DNA (abc)", "stray", "cells"],  # 7: extra cells, bad list
    ["sw5", "FOC5", "", "last week", "Registered", "DNA Advantage (1.5)"],  # 8: bad date and bad list
    ["Total", "5"],  # 9: a total row
]
EXPECTED_ROWS = {
    (3, "Last Contact", "2026-13-45", Reason.BAD_DATE),
    (7, "Licenses", "DNA (abc)", Reason.BAD_LICENSE_LIST),
    (8, "Last Contact", "last week", Reason.BAD_DATE),
    (8, "Licenses", "DNA Advantage (1.5)", Reason.BAD_LICENSE_LIST),
}
LICENSES = [  # the Licenses tab without its In Use column
    ["License", "Purchased", "Expires"],
    ["DNA", "10", "2027-07-31"],
    ["NA", "1.5", "soon"],
    ["Net", "twelve", "2027-07-31"],
]


def _content(rows: list[list[str]], fmt: str) -> bytes:
    return csv_bytes(rows) if fmt == "csv" else make_corpus.xlsx(rows)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_usable_file_lists_every_warning_and_rejected_cell_in_one_list(fmt: str) -> None:
    p = parse(f"instances.{fmt}", _content([HEADER, *BODY], fmt))
    problems = p.problems()
    rows = {(x.row, x.column, x.value, x.reason) for x in problems if x.row}
    assert rows == EXPECTED_ROWS
    notes = [x.line() for x in problems if x.reason is Reason.WARNING]
    assert f"instances.{fmt}: column 'Serial Number' appears 2 times: column 2 is read, column(s) 3 ignored" in notes
    assert f"instances.{fmt}: 1 row(s) with more cells than the header (row 7): extra cells not read" in notes
    assert all(x.file == f"instances.{fmt}" for x in problems)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_rows_of_a_broken_file_still_add_up(fmt: str) -> None:
    r = parse(f"instances.{fmt}", _content([HEADER, *BODY], fmt)).report
    assert (r.rows_read, r.used, r.rejected, r.skipped) == (8, 2, 3, 3)  # used 2 and 6; skipped 4, 5 and 9
    assert r.rows_read == r.used + r.rejected + r.skipped


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_missing_a_required_column_lists_that_and_every_row_problem_in_one_error(fmt: str) -> None:
    problems = refusal(f"licenses.{fmt}", _content(LICENSES, fmt), kind="licenses")
    assert problems[0].reason is Reason.MISSING_COLUMN and "'in_use' (In Use)" in problems[0].detail
    rows = {(p.row, p.column, p.value, p.reason) for p in problems if p.row}
    assert rows == {
        (3, "Purchased", "1.5", Reason.NOT_AN_INTEGER),
        (3, "Expires", "soon", Reason.BAD_DATE),
        (3, "License", "NA", Reason.MISSING_REQUIRED),
        (4, "Purchased", "twelve", Reason.NOT_A_NUMBER),
    }


def test_every_unusable_file_of_an_estate_is_listed_in_one_error() -> None:
    items = [
        FileInput("licenses.csv", csv_bytes(LICENSES), kind="licenses", smart_account="SA"),
        FileInput("users.csv", csv_bytes([["Username", "Email", "Role"], ["ann", "a@x", "Admin"]]), kind="users"),
        FileInput("instances.csv", csv_bytes([HEADER, *BODY]), smart_account="SA", virtual_account="VA"),
    ]
    with pytest.raises(InputError) as info:
        load_estate(items, SETTINGS)
    files = {p.file for p in info.value.problems}
    assert files == {"licenses.csv", "users.csv"}
    reasons = {(p.file, p.reason) for p in info.value.problems if p.row == 0}
    assert ("licenses.csv", Reason.MISSING_COLUMN) in reasons and ("users.csv", Reason.MISSING_SCOPE) in reasons
    assert ("licenses.csv", Reason.MISSING_SCOPE) in reasons  # no virtual account either: both said at once


def test_a_refused_file_with_thousands_of_bad_rows_lists_a_thousand_and_counts_the_rest() -> None:
    rows = [["License", "Purchased"]] + [[f"L{i}", "x"] for i in range(MAX_LISTED + 500)]
    problems = refusal("licenses.csv", csv_bytes(rows), kind="licenses")
    row_problems = [p for p in problems if p.row]
    assert len(row_problems) == MAX_LISTED
    assert problems[-1].line() == "licenses.csv: … and 500 more problems in other rows"
