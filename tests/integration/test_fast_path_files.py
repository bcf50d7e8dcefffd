"""Fast paths for files: Arrow's CSV reader and writer and the light XLSX cell reader give what the plain
paths give (pandas' reader and writer, openpyxl), on bodies built to hit the edge cases."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from unittest import mock

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import csvfast, csvwrite, readers, sheetrows
from core.export import csv_bytes
from core.model import InputError
from core.plan import HOW, _fill
from tests import plain

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


FIELDS = [
    "a",
    "",
    " b ",
    '"q"',
    '"a,b"',
    '"a;b"',
    '"x""y"',
    '"multi\nline"',
    '"cr\r\nlf"',
    'ab"c',
    '"open',
    '"a"b',
    "é",
]


@st.composite
def bodies(draw: st.DrawFn) -> tuple[bytes, str, int]:
    width, delimiter = draw(st.integers(2, 4)), draw(st.sampled_from([",", ";", "\t"]))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.integers(0, 9)) == 0:
            rows.append("")  # a blank line
        else:
            k = width if draw(st.integers(0, 6)) else draw(st.integers(1, width + 1))  # some rows ragged
            rows.append(delimiter.join(draw(st.sampled_from(FIELDS)) for _ in range(k)))
    body = end.join(rows) + (end if draw(st.booleans()) else "")
    return body.encode(), delimiter, width


def _parse(body: bytes, delimiter: str, width: int) -> object:
    try:
        frame, warnings = readers._parse_body("f.csv", body, delimiter, width, 2)
    except InputError as err:
        return [p.line() for p in err.problems]
    return frame.values.tolist(), list(frame.columns), [str(t) for t in frame.dtypes], warnings


@settings(max_examples=300, deadline=None)
@given(bodies())
def test_the_arrow_csv_reader_reads_every_body_as_pandas_does(case: tuple[bytes, str, int]) -> None:
    fast = _parse(*case)
    with mock.patch.object(csvfast, "read_body", return_value=None):
        assert fast == _parse(*case)


TEXT = st.lists(st.sampled_from(["a", ",", '"', "\r", "\n", " ", "é", "=1+2", "-3", "@x", ";", "x y", ""]), max_size=4)


@FAST
@given(st.lists(st.tuples(TEXT.map("".join), st.one_of(st.none(), st.integers(-5, 10**12)), st.booleans()), max_size=8))
def test_the_arrow_csv_writer_writes_the_bytes_pandas_writes(rows: list[tuple[str, int | None, bool]]) -> None:
    frame = pd.DataFrame(
        {
            "text": pd.Series([r[0] for r in rows], dtype="str"),
            "object, quoted": pd.Series([r[0] or None for r in rows], dtype=object),
            "count": pd.array([r[1] for r in rows], dtype="Int64"),
            "row": pd.Series([r[1] for r in rows], dtype=object),
            "flag": np.array([r[2] for r in rows], dtype=bool),
            "value": np.array([(r[1] or 0) / 3 for r in rows], dtype="float64"),
            "when": pd.Series([pd.Timestamp("2026-10-30")] * len(rows), dtype="datetime64[us]"),
        }
    )
    fast = csv_bytes(frame)
    with mock.patch.object(csvwrite, "to_csv", return_value=None):
        assert fast == csv_bytes(frame)


# --- XLSX cells -------------------------------------------------------------------------------------------


def _workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "Product Instances – banner"
    ws.merge_cells("A1:D1")
    ws.append(["Name", "Serial", "Last Contact", "Count", "Flag", "Ratio", "Note"])
    ws.append(["sw-1", "FOC1", dt.datetime(2026, 10, 30, 14, 3, 22), 12, True, 0.25, "=1+2"])
    ws.append(["sw-2", "0042", dt.date(2026, 10, 30), 1.0, False, 1e16, "#N/A"])
    ws.append([None, None, dt.time(9, 30), -3, None, None, "x"])
    ws["B7"] = "after a gap"
    ws["J7"] = "far right"
    ws["C8"] = "=SUM(D3:D5)"  # no cached value
    ws["A9"] = openpyxl.cell.rich_text.CellRichText(["plain ", openpyxl.cell.rich_text.TextBlock(
        openpyxl.cell.text.InlineFont(b=True), "bold")])  # fmt: skip
    ws["A10"] = "Total"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _with_sheet_xml(content: bytes, sheet_xml: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            dst.writestr(item, data)
    return out.getvalue()


NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
ODD_SHEET = (
    f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c>'
    '<c r="B1" t="inlineStr"><is><r><t>Se</t></r><r><rPr><b/></rPr><t>rial</t></r></is></c>'
    '<c t="inlineStr"><is><t xml:space="preserve"> no ref </t></is></c><c r="d1" t="str"><v>lower</v></c></row>'
    '<row r="3"><c r="A3" t="inlineStr"><is/></c><c r="B3" t="b"><v>1</v></c><c r="C3" t="e"><v>#DIV/0!</v></c>'
    '<c r="D3"><v></v></c><c r="E3" t="d"><v>2026-10-30T00:00:00</v></c><c r="F3"><v>1E3</v></c></row>'
    '<row><c r="C4" t="inlineStr"><is><t>a &amp; b &lt;c&gt;</t></is></c><c r="A4"><v>5</v></c></row>'
    "</sheetData></worksheet>"
)


@pytest.mark.parametrize("content", [_workbook(), _with_sheet_xml(_workbook(), ODD_SHEET)], ids=["made", "odd"])
def test_the_light_xlsx_cell_reader_gives_openpyxls_values(content: bytes) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    ws = wb.worksheets[0]
    ws.reset_dimensions()
    slow = list(ws.iter_rows(values_only=True))
    ws.reset_dimensions()
    assert list(sheetrows.values_by_row(ws)) == slow
    wb.close()


# --- plan text, and the whole sample with the fast paths off ----------------------------------------------


def test_filling_the_how_to_templates_in_arrow_gives_the_plain_text() -> None:
    frame = pd.DataFrame(
        {
            "smart_account": ["SA", None, "S,A"],
            "virtual_account": ["VA", "V2", None],
            "target_virtual_account": [None, "V3", None],
            "instance_name": ["sw-1", None, "x"],
            "serial": [None, "FOC1", "FOC2"],
            "license": ["DNA", None, "NW"],
            "quantity": pd.array([3, None, 1], dtype="Int64"),
        }
    )
    template = pd.Series([HOW["DEREGISTER"], HOW["TRANSFER"], HOW["TAC"]])
    pd.testing.assert_series_equal(_fill(template, frame), plain._fill(template, frame))


def test_the_sample_estate_reconciles_the_same_with_every_switchable_fast_path_off() -> None:
    from tests.ui_support import expected

    fast = expected()
    with (
        mock.patch.object(csvfast, "read_body", return_value=None),
        mock.patch.object(csvwrite, "to_csv", return_value=None),
        mock.patch.object(sheetrows, "values_by_row", lambda ws: ws.iter_rows(values_only=True)),
    ):
        slow = expected()
    for name in ("findings", "plan", "instances", "reservations", "ea", "rejects"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(slow, name), obj=name)
    pd.testing.assert_frame_equal(fast.pools.baseline, slow.pools.baseline)
    assert csv_bytes(fast.findings) == csv_bytes(slow.findings)
