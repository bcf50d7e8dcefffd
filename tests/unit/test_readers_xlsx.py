"""XLSX quirks on the way to a raw text table: merged titles, hidden and named sheets, formulas without a
cached value, cell types shown as text, row numbers, and workbooks refused as unsafe."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from core.model import Reason, Skip
from core.readers import read_table
from tests.unit.test_readers import reason_of, rows, xlsx

# --- XLSX -----------------------------------------------------------------------------------------


def test_an_xlsx_with_a_merged_title_row_finds_the_header_below_it() -> None:
    def build(wb: openpyxl.Workbook) -> None:
        ws = wb.active
        ws["A1"] = "Product Instances — Example Corp"
        ws.merge_cells("A1:C1")
        ws.append(["Name", "Product Type", "Last Contact"])
        ws.append(["sw1", "C9300", "2026-01-01"])

    table = read_table("i.xlsx", xlsx(build))
    assert table.headers == ["Name", "Product Type", "Last Contact"]
    assert rows(table) == [["sw1", "C9300", "2026-01-01"]]
    assert table.source_row.tolist() == [3]
    assert table.skipped[Skip.BANNER] == 1
    assert table.rows_read == 2 and table.balanced


def test_an_xlsx_hidden_first_sheet_is_skipped_and_mentioned() -> None:
    def build(wb: openpyxl.Workbook) -> None:
        hidden = wb.active
        hidden.title = "Lookup"
        hidden.append(["Username", "Email", "Role"])
        hidden.append(["ghost", "g@x.com", "Admin"])
        hidden.sheet_state = "hidden"
        users = wb.create_sheet("Users")
        users.append(["Username", "Email", "Role"])
        users.append(["ann", "a@x.com", "Admin"])

    table = read_table("u.xlsx", xlsx(build))
    assert table.sheet == "Users"
    assert rows(table) == [["ann", "a@x.com", "Admin"]]
    assert any("hidden sheet 'Lookup'" in w for w in table.warnings)


def test_an_xlsx_first_sheet_without_a_header_is_passed_over() -> None:
    def build(wb: openpyxl.Workbook) -> None:
        wb.active.title = "Notes"
        wb.active.append(["Read me first"])
        wb.create_sheet("Data").append(["Username", "Email", "Role"])

    table = read_table("u.xlsx", xlsx(build))
    assert table.sheet == "Data"
    assert table.rows_read == 0


def test_a_named_sheet_is_read_and_a_missing_one_is_refused_naming_the_sheets() -> None:
    def build(wb: openpyxl.Workbook) -> None:
        wb.active.title = "A"
        wb.active.append(["Username", "Email", "Role"])
        b = wb.create_sheet("B")
        b.append(["License", "Entitled Quantity"])
        b.append(["DNA", 10])

    content = xlsx(build)
    assert read_table("x.xlsx", content, sheet="B").headers == ["License", "Entitled Quantity"]
    reason, detail = reason_of(content, sheet="C")
    assert reason is Reason.NOT_READABLE
    assert "'A', 'B'" in detail


def test_an_xlsx_formula_without_a_cached_value_is_reported_not_read_as_blank() -> None:
    def build(wb: openpyxl.Workbook) -> None:
        ws = wb.active
        ws.append(["License", "Purchased", "In Use"])
        ws.append(["DNA", 10, "=B2/2"])
        ws.append([None, None, "=B2*3"])  # only a formula: not a blank row
        ws.append(["NA", 4, 3])

    table = read_table("l.xlsx", xlsx(build))
    assert table.formula_cells == [(2, "In Use"), (3, "In Use")]
    assert rows(table) == [["DNA", "10", ""], ["", "", ""], ["NA", "4", "3"]]
    assert table.skipped[Skip.BLANK] == 0
    assert any("2 formula cells without a cached value" in w and "row 2" in w for w in table.warnings)


def test_xlsx_dates_numbers_and_booleans_read_as_the_text_a_user_sees() -> None:
    def build(wb: openpyxl.Workbook) -> None:
        ws = wb.active
        ws.append(["Name", "Product Type", "Last Contact", "Status"])
        ws.append(["sw1", 12.0, dt.datetime(2026, 3, 4), True])
        ws.append(["sw2", 2.5, dt.datetime(2026, 3, 4, 5, 6, 7), False])
        ws.append(["sw3", 7, dt.date(2026, 12, 31), None])

    table = read_table("i.xlsx", xlsx(build))
    assert rows(table) == [
        ["sw1", "12", "2026-03-04", "TRUE"],
        ["sw2", "2.5", "2026-03-04 05:06:07", "FALSE"],
        ["sw3", "7", "2026-12-31", ""],
    ]


def test_xlsx_blank_rows_and_trailing_formatting_are_accounted_by_excel_row_number() -> None:
    def build(wb: openpyxl.Workbook) -> None:
        ws = wb.active
        ws.append(["Smart Account: Example"])
        ws.append(["Username", "Email", "Role"])
        ws.append(["ann", "a@x.com", "Admin"])
        ws.append([])
        ws.append(["bob", "b@x.com", "User"])
        ws.append(["Total", 2])
        ws["A40"].number_format = "0.00"  # a formatted but empty cell far below

    table = read_table("u.xlsx", xlsx(build))
    assert table.source_row.tolist() == [3, 5]
    assert table.skipped == {Skip.BANNER: 1, Skip.BLANK: 1, Skip.TOTAL: 1}
    assert table.rows_read == 5 and table.balanced


def test_xlsx_is_refused_when_openpyxl_is_not_protected_by_defusedxml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("openpyxl.xml.DEFUSEDXML", False)
    reason, detail = reason_of(xlsx(lambda wb: wb.active.append(["Username", "Email", "Role"])))
    assert reason is Reason.NOT_READABLE
    assert "defusedxml" in detail


def test_a_workbook_whose_sheet_xml_declares_entities_is_refused() -> None:
    content = xlsx(lambda wb: wb.active.append(["Username", "Email", "Role"]))
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>'
    )
    src, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, bomb if info.filename.endswith("sheet1.xml") else src.read(info.filename))
    assert reason_of(out.getvalue())[0] is Reason.NOT_READABLE
