"""Item 9: text starting with = + - @ tab CR LF | % in any input field leaves every CSV and XLSX export
prefixed with ' and stored as text; numbers (negative balances too) stay numbers; commas, quotes and
semicolons survive a round trip. rejects.csv echoes raw input values, so it is escaped the same way.

The estate puts a payload in every text field a user controls — file name, Smart and Virtual Account,
instance name, serial, PID, licence names (Licenses tab, licence lists, reservations), inventory host and
owner, user names — and a rejected raw value for each leading character.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import openpyxl
import pandas as pd
import pytest

from core.export import FORMULA_LEADS, csv_bytes, xlsx_bytes
from core.findings_model import FINDING_COLUMNS
from core.ingest import FileInput
from core.outputs import output_files
from core.pack import workshop_pack
from core.reconcile import ReconcileResult
from tests.builders import ago, run
from tests.hostile.helpers import csv_bytes as table

PAYLOADS = ["=1+2", "+1+2", "-1+2", "@SUM(1+2)", "|calc", "%0A=1", '=HYPERLINK("http://x","y")']
RAW_LEADS = ["=1+1", "+1+1", "-1-1", "@A1", "\t=1", "\r=1", "\n=1", "|x", "%1", " =1"]
ROUND_TRIP = 'DNA, "Advantage"; term'
SA, VA = "@SA", "-VA+1"
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _file(name: str, rows: list[list[str]], kind: str, **kw: str | None) -> FileInput:
    return FileInput(name, table(rows), kind=kind, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def result() -> ReconcileResult:
    inst = [["Name", "Serial Number", "PID", "Last Contact", "Licenses", "Smart Account", "Virtual Account"]]
    for i, p in enumerate(PAYLOADS):
        inst.append([f"{p}#{i}", f"{p}S{i}", p, ago(400), f"{p}LIC{i} (1)", SA, VA])
    inst.append(["sw-neg", "NEG1", "C9300", ago(1), "NEG (5)", SA, VA])
    lic = [["License", "Purchased", "In Use", "Smart Account", "Virtual Account"]]
    lic += [[f"{p}LIC{i}", "0", "1", SA, VA] for i, p in enumerate(PAYLOADS)]  # distinct licence keys
    lic += [[ROUND_TRIP, "1", "0", SA, VA], ["NEG", "2", "5", SA, VA]]
    lic += [[f"BAD{i}", raw, "1", SA, VA] for i, raw in enumerate(RAW_LEADS)]  # rejected: echoed raw
    inv = [["Serial Number", "Hostname", "install_status", "Owner"]]
    inv += [[f"{p}S{i}", f"{p}host", "Retired", p] for i, p in enumerate(PAYLOADS)]
    res = [
        ["Serial Number", "License", "Quantity", "Smart Account", "Virtual Account"],
        ["=1+2S0", "+RES", "1", SA, VA],
    ]
    users = [["Username", "Email", "Role", "Status"], ["=admin", "+a@x.example", "Smart Account Administrator", "Left"]]
    return run(
        _file("=cmd|' /C calc'!A0.csv", inst, "instances"),
        _file("licenses.csv", lic, "licenses"),
        _file("cmdb.csv", inv, "inventory"),
        _file("reservations.csv", res, "reservations"),
        _file("users.csv", users, "users", smart_account=SA),
    )


def _csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _is_live(cell: str) -> bool:
    """Would a spreadsheet run this cell? (a number such as -3 is data, not a formula)"""
    return cell.startswith(FORMULA_LEADS) or cell.lstrip().startswith(FORMULA_LEADS) and not NUMBER.fullmatch(cell)


@pytest.mark.parametrize("name", ["findings.csv", "plan.csv", "baseline.csv", "rejects.csv"])
def test_no_csv_export_holds_a_cell_a_spreadsheet_would_run(result: ReconcileResult, name: str) -> None:
    rows = _csv_cells(output_files(result)[name])
    live = [c for row in rows for c in row if _is_live(c) and not NUMBER.fullmatch(c)]
    assert live == []


def test_every_payload_reaches_the_exports_escaped_not_dropped(result: ReconcileResult) -> None:
    files = output_files(result)
    cells = {c for name in ("findings.csv", "plan.csv", "baseline.csv") for row in _csv_cells(files[name]) for c in row}
    for i, p in enumerate(PAYLOADS):
        assert f"'{p}#{i}" in cells  # instance name
        if not re.search(r"[,;/|\s]", p):  # those separate the members of a stack's serial list
            assert f"'{p}S{i}".upper() in cells  # serial (upper-cased by normalisation)
        assert f"'{p}LIC{i}" in cells  # licence name
    assert {"'=cmd|' /C calc'!A0.csv", "'@SA", "'-VA+1", "'+RES", "'=admin"} <= cells


def test_rejects_csv_escapes_the_raw_values_it_echoes(result: ReconcileResult) -> None:
    rows = _csv_cells(output_files(result)["rejects.csv"])
    echoed = [r[3] for r in rows[1:] if r[0] == "licenses.csv"]
    assert len(echoed) == len(RAW_LEADS)
    assert all(v.startswith("'") and v[1:].strip() in {raw.strip() for raw in RAW_LEADS} for v in echoed)


def test_numbers_stay_numbers_and_a_negative_balance_is_the_number_minus_3(result: ReconcileResult) -> None:
    rows = _csv_cells(output_files(result)["baseline.csv"])
    header = rows[0]
    (neg,) = [r for r in rows if r[header.index("license")] == "NEG"]
    assert [neg[header.index(c)] for c in ("purchased", "in_use", "balance")] == ["2", "5", "-3"]


def test_commas_quotes_and_semicolons_survive_a_round_trip(result: ReconcileResult) -> None:
    files = output_files(result)
    baseline = _csv_cells(files["baseline.csv"])
    assert ROUND_TRIP in {r[baseline[0].index("license")] for r in baseline}
    assert files["baseline.csv"].count(b'"DNA, ""Advantage""; term"') == 1
    tricky = [ROUND_TRIP, "a;b", 'say "hi"', "line\nbreak", "cr\rinside", "tab\tinside", "€ ünïcode"]
    back = pd.read_csv(io.BytesIO(csv_bytes(pd.DataFrame({"text": tricky}))), dtype=str, keep_default_na=False)
    assert back["text"].tolist() == tricky


def _workbooks(result: ReconcileResult) -> dict[str, bytes]:
    frames = {
        "Findings": result.findings[FINDING_COLUMNS],
        "Plan": result.plan,
        "Baseline": result.baseline,
        "Rejects": result.rejects,
    }
    return {"export": xlsx_bytes(frames), "workshop pack": workshop_pack(result)}


@pytest.mark.parametrize("which", ["export", "workshop pack"])
def test_no_xlsx_cell_is_a_formula_and_escaped_text_is_stored_as_text(result: ReconcileResult, which: str) -> None:
    content = _workbooks(result)[which]
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        sheets = [zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and not any(re.search(rb"<(?:\w+:)?f[\s>/]", xml) for xml in sheets)
    wb = openpyxl.load_workbook(io.BytesIO(content))
    escaped = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not _is_live(cell.value), (ws.title, cell.coordinate, cell.value)
                    escaped += cell.value.startswith("'")
    assert escaped > len(PAYLOADS) * 3


def test_an_xlsx_export_keeps_negative_balances_as_numbers(result: ReconcileResult) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(_workbooks(result)["export"]))["Baseline"]
    header = [c.value for c in ws[1]]
    (neg,) = [r for r in ws.iter_rows(min_row=2) if r[header.index("license")].value == "NEG"]
    cell = neg[header.index("balance")]
    assert (cell.value, cell.data_type) == (-3, "n")


def test_an_xlsx_export_of_payload_text_reads_back_as_that_text_with_its_prefix(result: ReconcileResult) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(_workbooks(result)["export"]))["Findings"]
    names = {c.value for c in ws["F"][1:]}  # instance_name
    assert {f"'{p}#{i}" for i, p in enumerate(PAYLOADS)} <= names
    assert all(c.data_type == "s" for c in ws["F"][1:] if isinstance(c.value, str))


def test_control_characters_xml_cannot_hold_do_not_break_an_xlsx_export() -> None:
    frame = pd.DataFrame({"instance_name": ["sw\x07bell", "=\x01x"], "quantity": [1, -3]})
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"Findings": frame})))["Findings"]
    assert [c.value for c in ws["A"][1:]] == ["sw\ufffdbell", "'=\ufffdx"]
    assert [c.value for c in ws["B"][1:]] == [1, -3]
    assert "sw\x07bell" in csv_bytes(frame).decode()  # the CSV keeps the text as it came


def test_a_categorical_text_column_is_escaped_like_any_text() -> None:
    # The estate stores repeated text (account names, statuses) as categoricals; an export must not skip them.
    frame = pd.DataFrame({"smart_account": pd.Categorical(["=1+2", "@SA", "plain", None]), "quantity": [1, 2, 3, 4]})
    rows = _csv_cells(csv_bytes(frame))
    assert [r[0] for r in rows[1:]] == ["'=1+2", "'@SA", "plain", ""]
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"Findings": frame})))["Findings"]
    assert [c.value for c in ws["A"][1:]] == ["'=1+2", "'@SA", "plain", None]


def test_a_lead_behind_any_whitespace_is_escaped_in_text_and_in_mixed_columns() -> None:
    # Only cells starting with a lead or with whitespace are looked at closely: both kinds must still be caught.
    cells = ["\u3000=1+2", "\u00a0@SA", "  -3", "plain", "a=b", "", None]
    frame = pd.DataFrame({"text": cells, "mixed": [7, "\u3000=1", None, "x", 2.5, "+1", " ok"]})
    rows = _csv_cells(csv_bytes(frame))
    assert [r[0] for r in rows[1:]] == ["'\u3000=1+2", "'\u00a0@SA", "'  -3", "plain", "a=b", "", ""]
    assert [r[1] for r in rows[1:]] == ["7", "'\u3000=1", "", "x", "2.5", "'+1", " ok"]
