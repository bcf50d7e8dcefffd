"""Item 6: formula cells without a cached value and hidden sheets are reported, never read as blank.

A workbook written by a script (or saved by a tool that never recalculates) holds formulas with no value:
openpyxl reads those as empty. Core finds them in the sheet XML: each is a rejected cell (formula_no_value)
when its column feeds a field, and a warning naming row and column in any case. A formula with a cached
value is read as that value. Hidden and very hidden sheets are never read unless chosen by name, and say so.
"""

from __future__ import annotations

import io

import pytest

from core.model import Reason
from tests.data.hostile import make_corpus
from tests.hostile.helpers import balanced, parse, refusal

LICENSES = [
    ["License", "Purchased", "In Use", "Notes"],
    ["DNA Advantage", 10, "=B2/2", ""],  # row 2: no cached value in a mapped column
    ["Network Advantage", ("=5+5", 10), 4, ""],  # row 3: a formula with its cached value
    ["DNA Essentials", 7, 3, "=A4&B4"],  # row 4: no value, in a column that feeds nothing
    [None, None, "=B2*3", None],  # row 5: only a formula: not a blank row
]


def _book(sheets: dict[str, list], states: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    make_corpus.write_xlsx(buf, sheets, states=states)
    return buf.getvalue()


def test_a_formula_without_a_cached_value_rejects_its_row_naming_row_and_column() -> None:
    p = parse("licenses.xlsx", make_corpus.xlsx(LICENSES), kind="licenses")
    got = {(r.row, r.column, r.reason) for r in p.rejects.itertuples()}
    assert (2, "In Use", "formula_no_value") in got
    assert (5, "In Use", "formula_no_value") in got
    assert {r for r, _, _ in got} == {2, 5}
    assert balanced(p) and p.report.skipped == 0  # row 5 is a row with a formula, not a blank row


def test_formulas_without_values_are_listed_in_a_warning_even_in_a_column_that_feeds_nothing() -> None:
    p = parse("licenses.xlsx", make_corpus.xlsx(LICENSES), kind="licenses")
    (warning,) = [w for w in p.report.warnings if "formula" in w]
    assert warning.startswith("3 formula cells without a cached value (row 2, column 'In Use'; ")
    assert "row 4, column 'Notes'" in warning and "open the workbook in Excel and save it" in warning


def test_a_formula_with_a_cached_value_is_read_as_its_value() -> None:
    p = parse("licenses.xlsx", make_corpus.xlsx(LICENSES), kind="licenses")
    assert p.frame.set_index("license").loc["Network Advantage", "purchased"] == 10


def test_a_hidden_sheet_next_to_the_data_is_mentioned_not_read() -> None:
    content = _book(
        {
            "Lookup": [["Username", "Email", "Role"], ["ghost", "g@x", "Admin"]],
            "Users": [["Username", "Email", "Role"]],
        },
        {"Lookup": "hidden"},
    )
    p = parse("users.xlsx", content, kind="users")
    assert p.report.sheet == "Users" and p.report.rows_read == 0
    assert "hidden sheet 'Lookup' not read" in p.report.warnings


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_workbook_whose_only_table_is_on_a_hidden_sheet_is_refused_naming_that_sheet(state: str) -> None:
    content = _book(
        {"Data": [["Username", "Email", "Role"], ["ann", "a@x", "Admin"]], "Notes": [["hi"]]}, {"Data": state}
    )
    (problem,) = refusal("users.xlsx", content)
    assert problem.reason is Reason.NO_HEADER
    assert "on any visible sheet ('Notes')" in problem.detail
    assert "hidden sheet(s) 'Data' not read: unhide the sheet in Excel or choose it by name" in problem.detail


def test_a_hidden_sheet_chosen_by_name_is_read() -> None:
    content = _book(
        {"Data": [["Username", "Email", "Role"], ["ann", "a@x", "Admin"]], "Notes": [["hi"]]}, {"Data": "hidden"}
    )
    p = parse("users.xlsx", content, sheet="Data")
    assert p.report.sheet == "Data" and p.report.used == 1
