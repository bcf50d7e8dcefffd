"""The XLSX workshop pack built from the sample estate: its sheets, styling, number formats and no formulas."""

from __future__ import annotations

import io

import openpyxl

from core.pack import SHEETS, snapshot_pack, workshop_pack
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


def test_a_locked_snapshot_gives_the_same_pack_from_its_stored_csvs(tmp_path) -> None:
    from core.snapshots import payload
    from core.store import Store

    r = expected()
    p = payload(r)
    store = Store(tmp_path / "h.sqlite")
    eid = store.create_engagement("Acme", r.settings.client, {}, "ada", "2026-05-01T09:00:00+00:00")
    sid = store.lock(
        eid,
        "ada",
        "2026-05-01T09:00:00+00:00",
        p["as_of"],
        "note",
        p["settings"],
        p["inputs"],
        p["fingerprint"],
        p["files"],
    )
    book = openpyxl.load_workbook(io.BytesIO(snapshot_pack(store.snapshot(sid, "ada"))))
    assert book.sheetnames == list(SHEETS)
    assert book["Baseline"].max_row == len(r.baseline) + 1 and book["Plan"].max_row == len(r.plan) + 1
    header = [c.value for c in book["Baseline"][1]]
    clean = header.index("clean_in_use") + 1
    assert sum(book["Baseline"].cell(row=i, column=clean).value for i in range(2, book["Baseline"].max_row + 1)) == int(
        r.baseline["clean_in_use"].sum()
    )
    rows = {row[0].value: row[1].value for row in book["Summary"].iter_rows(min_row=2)}
    assert rows["Fingerprint"] == p["fingerprint"] and rows["Locked by"] == "ada" and rows["Snapshot"] == sid
    assert not any(c.data_type == "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)
