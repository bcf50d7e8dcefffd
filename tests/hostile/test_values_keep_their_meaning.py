"""Item 4: cells are read as the text the client wrote, then given the meaning DESIGN §3 defines.

NA, N/A, NULL, None (and empty, Never, -) are missing markers: a missing required value rejects the row and
echoes the marker, a missing optional value is missing — never the text "NA", never zero. `nan` is not a
marker: it is the word nan (a host may be called that). Serials and other text keep leading zeros and
scientific-looking text (00123, 1E5); padded text is trimmed; in a numeric column 1E5 is 100000 and 00123
is 123, and text such as `nan` is a rejected row, never a zero.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.data.hostile import make_corpus
from tests.hostile.helpers import balanced, csv_bytes, parse

INSTANCES = [
    ["Name", "Serial Number", "PID", "Product Type", "Last Contact", "Status"],
    ["nan", "00123", " C9300 ", "NA", "2026-10-01", "N/A"],
    ["sw-1e5", "1E5", "1E5", "None", "2026-10-01", "null"],
    [" C9300 ", " 000FOC1 ", "N/A", "-", "Never", "Registered"],
    ["NULL", "X1", "C9300", "", "2026-10-01", ""],
    ["None", "X2", "C9300", "", "2026-10-01", ""],
    ["N/A", "X3", "C9300", "", "2026-10-01", ""],
]
LICENSES = [
    ["License", "Purchased", "In Use"],
    ["nan", "1E5", "00123"],
    [" C9300 DNA ", " 12 ", "0012"],
    ["L-NA", "NA", "1"],
    ["L-nan", "nan", "1"],
    ["L-1e5", "1e5", "-0"],
]


def _content(rows: list[list[str]], fmt: str) -> bytes:
    return csv_bytes(rows) if fmt == "csv" else make_corpus.xlsx(rows)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_text_fields_keep_leading_zeros_scientific_text_and_the_word_nan(fmt: str) -> None:
    p = parse(f"instances.{fmt}", _content(INSTANCES, fmt), kind="instances")
    f = p.frame.set_index("source_row")
    assert f.loc[2, "instance_name"] == "nan"
    assert (f.loc[2, "serial"], f.loc[3, "serial"], f.loc[4, "serial"]) == ("00123", "1E5", "000FOC1")
    assert (f.loc[2, "pid"], f.loc[3, "pid"]) == ("C9300", "1E5")
    assert f.loc[4, "instance_name"] == "C9300"  # trimmed, not changed


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_missing_markers_in_optional_fields_are_missing(fmt: str) -> None:
    f = parse(f"instances.{fmt}", _content(INSTANCES, fmt), kind="instances").frame.set_index("source_row")
    assert f.loc[[2, 3, 4], "product_type"].isna().all()
    assert f.loc[[2, 3], "status"].isna().all()
    assert pd.isna(f.loc[4, "pid"]) and pd.isna(f.loc[4, "last_contact"])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_missing_marker_in_a_required_field_rejects_the_row_and_echoes_the_marker(fmt: str) -> None:
    p = parse(f"instances.{fmt}", _content(INSTANCES, fmt), kind="instances")
    got = p.rejects[["row", "column", "value", "reason"]].values.tolist()
    assert got == [
        [5, "Name", "NULL", "missing_required"],
        [6, "Name", "None", "missing_required"],
        [7, "Name", "N/A", "missing_required"],
    ]
    assert (p.report.used, p.report.rejected) == (3, 3) and balanced(p)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_numeric_columns_read_scientific_notation_and_leading_zeros_as_numbers(fmt: str) -> None:
    p = parse(f"licenses.{fmt}", _content(LICENSES, fmt), kind="licenses")
    f = p.frame.set_index("license")
    assert (f.loc["nan", "purchased"], f.loc["nan", "in_use"]) == (100_000, 123)
    assert (f.loc["C9300 DNA", "purchased"], f.loc["C9300 DNA", "in_use"]) == (12, 12)
    assert (f.loc["L-1e5", "purchased"], f.loc["L-1e5", "in_use"]) == (100_000, 0)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_missing_marker_or_text_in_a_numeric_column_is_a_rejected_row_never_a_zero(fmt: str) -> None:
    p = parse(f"licenses.{fmt}", _content(LICENSES, fmt), kind="licenses")
    got = p.rejects[["row", "column", "value", "reason"]].values.tolist()
    assert got == [[4, "Purchased", "NA", "missing_required"], [5, "Purchased", "nan", "not_a_number"]]
    assert "L-NA" not in set(p.frame["license"]) and "L-nan" not in set(p.frame["license"])
    assert balanced(p)


def test_an_xlsx_serial_stored_as_a_number_reads_as_its_digits() -> None:
    """Excel already dropped the leading zeros of a number cell; what is left is read as text, not 123.0."""
    content = make_corpus.xlsx([["Name", "Serial Number", "Last Contact"], ["sw1", 123, "2026-10-01"]])
    assert parse("i.xlsx", content, kind="instances").frame.loc[0, "serial"] == "123"
