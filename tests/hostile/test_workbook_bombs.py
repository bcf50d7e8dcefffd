"""Item 3: XML entity bombs, external entities and zip bombs in XLSX uploads.

Two layers: core's own scan refuses a DTD and oversized zips before openpyxl opens the workbook, and openpyxl
itself parses through defusedxml (checked here and by `workbook.assert_xml_defused()` at start-up), so an
entity the scan cannot see (a UTF-16 part) is still refused.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import openpyxl.xml
import pytest

from core import workbook
from core.model import Reason
from tests.data.hostile import make_corpus
from tests.hostile.helpers import parse, refusal

ROOT = Path(__file__).resolve().parents[2]
ENTITY_BOMBS = {
    "billion_laughs.xlsx": make_corpus.billion_laughs_xlsx,
    "external_entity.xlsx": make_corpus.external_entity_xlsx,
    "sheet_entity_bomb.xlsx": make_corpus.sheet_entity_bomb_xlsx,
}
ZIP_BOMBS = {
    "declared_size_bomb.xlsx": (make_corpus.declared_size_bomb_xlsx, Reason.TOO_LARGE, "inflates to 4,096 MB"),
    "ratio_bomb.xlsx": (make_corpus.ratio_bomb_xlsx, Reason.TOO_LARGE, "like a zip bomb"),
    "lying_size.xlsx": (make_corpus.lying_size_xlsx, Reason.NOT_READABLE, "Bad CRC-32"),
    "many_entries.xlsx": (make_corpus.many_entries_xlsx, Reason.TOO_LARGE, "parts (limit 10,000)"),
}


def _openpyxl_must_not_open(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object, **__: object) -> None:
        raise AssertionError("openpyxl was given a workbook core should have refused")

    monkeypatch.setattr(openpyxl, "load_workbook", boom)


def test_openpyxl_parses_workbooks_through_defusedxml() -> None:
    assert openpyxl.xml.DEFUSEDXML is True
    assert workbook.xml_defused()
    workbook.assert_xml_defused()  # what the app and the CLI call at start-up


@pytest.mark.parametrize("name", sorted(ENTITY_BOMBS))
def test_an_xml_entity_bomb_is_refused_before_openpyxl_opens_it(name: str, monkeypatch) -> None:
    _openpyxl_must_not_open(monkeypatch)
    (problem,) = refusal(name, ENTITY_BOMBS[name]())
    assert (problem.file, problem.row, problem.reason) == (name, 0, Reason.NOT_READABLE)
    assert "declares a DTD or XML entities" in problem.detail


@pytest.mark.parametrize("name", sorted(ENTITY_BOMBS))
def test_openpyxl_on_its_own_also_refuses_each_entity_bomb(name: str) -> None:
    with pytest.raises(Exception) as info:  # noqa: B017 - openpyxl wraps the refusal in its own error
        wb = openpyxl.load_workbook(io.BytesIO(ENTITY_BOMBS[name]()), read_only=True)
        for ws in wb.worksheets:
            list(ws.iter_rows(values_only=True))
    assert workbook._unsafe_xml(info.value)  # a defusedxml refusal somewhere in the exception chain


def test_an_entity_bomb_the_scan_cannot_see_is_still_refused_by_defusedxml() -> None:
    sst = make_corpus.billion_laughs_xlsx()
    src, out = zipfile.ZipFile(io.BytesIO(sst)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/sharedStrings.xml":  # UTF-16: the byte scan for "<!DOCTYPE" misses it
                data = data.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16")
            zf.writestr(info.filename, data)
    (problem,) = refusal("utf16_laughs.xlsx", out.getvalue())
    assert problem.reason is Reason.NOT_READABLE
    assert "entity declarations, refused as unsafe" in problem.detail


def test_xlsx_is_refused_when_openpyxl_has_no_defusedxml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    assert not workbook.xml_defused()
    (problem,) = refusal("users.xlsx", make_corpus.xlsx([["Username", "Email", "Role"], ["ann", "a@x", "Admin"]]))
    assert problem.reason is Reason.NOT_READABLE and "install defusedxml" in problem.detail
    with pytest.raises(RuntimeError, match="defusedxml"):
        workbook.assert_xml_defused()


def test_the_openpyxl_switch_that_turns_defusedxml_off_makes_core_refuse_xlsx() -> None:
    code = (
        "from core import workbook\n"
        "from core.readers import read_table\n"
        "from core.model import InputError\n"
        "from tests.data.hostile import make_corpus\n"
        "assert not workbook.xml_defused()\n"
        "try:\n"
        "    read_table('u.xlsx', make_corpus.xlsx([['Username', 'Email', 'Role']]))\n"
        "except InputError as e:\n"
        "    print(e)\n"
    )
    env = {**os.environ, "OPENPYXL_DEFUSEDXML": "False"}
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "XLSX reading is disabled: install defusedxml" in run.stdout


@pytest.mark.parametrize("name", sorted(ZIP_BOMBS))
def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    build, reason, says = ZIP_BOMBS[name]
    _openpyxl_must_not_open(monkeypatch)
    (problem,) = refusal(name, build())
    assert (problem.file, problem.row, problem.reason) == (name, 0, reason)
    assert says in problem.detail


def test_the_ratio_bomb_is_small_on_the_wire_and_huge_inflated() -> None:
    content = make_corpus.ratio_bomb_xlsx()
    inflated = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(content)).infolist())
    assert len(content) < 100_000 and inflated > 64 * 2**20


def test_a_well_compressed_but_honest_workbook_is_still_read() -> None:
    rows = [["Name", "Serial Number", "Last Contact"]] + [["sw", "FOC1", "2026-10-01"]] * 5_000
    content = make_corpus.xlsx(rows)  # repetitive: compresses about 50:1, under the 10 MB floor of the ratio check
    assert parse("repetitive.xlsx", content).report.used == 5_000
