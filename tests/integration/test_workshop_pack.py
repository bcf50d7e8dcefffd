"""The XLSX workshop pack built from the sample estate: its sheets, styling, number formats and no formulas."""

from __future__ import annotations

import io

import openpyxl

from core.pack import SHEETS, workshop_pack
from tests.ui_support import expected


def test_the_workshop_pack_has_every_sheet_styled_and_no_formulas() -> None:
    r = expected()
    book = openpyxl.load_workbook(io.BytesIO(workshop_pack(r)))
    assert book.sheetnames == list(SHEETS)
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref
        assert ws["A1"].font.bold and ws["A1"].fill.fgColor.rgb.endswith("1F3A5F")
        assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    assert book["Findings"].max_row == len(r.findings) + 1
    assert book["Plan"].max_row == len(r.plan) + 1
    assert book["Baseline"].max_row == len(r.baseline) + 1


def test_the_summary_formats_each_number_by_its_kind() -> None:
    book = openpyxl.load_workbook(io.BytesIO(workshop_pack(expected())))
    rows = {ws_row[0].value: ws_row[1] for ws_row in book["Summary"].iter_rows(min_row=2)}
    assert rows["Registered instances"].number_format == "#,##0"
    assert rows["Clean share"].number_format == "#,##0.00"
    assert rows["Client"].value == expected().settings.client
    settings = {row[0].value: row[1].value for row in book["Assumptions"].iter_rows(min_row=2)}
    assert settings["stale_days"] == str(expected().settings.stale_days)
