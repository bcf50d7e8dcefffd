"""Items 1-2: random bytes, programs, PDFs, empty, header-only and truncated files; files over the size limit.

Each is refused with one clear problem naming the file (row 0: the file as a whole), or, for a header-only
file, read as zero rows with a warning — an empty Virtual Account exports exactly that.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from core import readers, workbook
from core.estate import load_estate
from core.ingest import FileInput
from core.model import InputError, Reason
from core.readers import MAX_BYTES
from tests.data.hostile import make_corpus
from tests.hostile.helpers import SETTINGS, balanced, csv_bytes, parse, refusal

ROOT = Path(__file__).resolve().parents[2]
NOT_TABLES = {
    "random.csv": make_corpus.random_bytes,
    "random.xlsx": lambda: b"PK\x03\x04" + make_corpus.random_bytes(),
    "program.exe.csv": make_corpus.executable,
    "program.exe.xlsx": make_corpus.executable,
    "report.pdf.csv": make_corpus.pdf,
    "report.pdf.xlsx": make_corpus.pdf,
    "empty.csv": lambda: b"",
    "empty.xlsx": lambda: b"",
    "blank_lines.csv": lambda: b"\r\n   \r\n\t\r\n",
    "truncated.xlsx": make_corpus.truncated_xlsx,
    "no_sheets.xlsx": make_corpus.xlsx_without_sheets,
    "old_excel.xls.xlsx": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
}


@pytest.mark.parametrize("name", sorted(NOT_TABLES))
def test_a_file_that_is_not_a_table_is_refused_as_not_a_valid_csv_or_xlsx(name: str) -> None:
    (problem,) = refusal(name, NOT_TABLES[name]())
    assert (problem.file, problem.row, problem.reason) == (name, 0, Reason.NOT_READABLE)
    assert problem.line().startswith(f"{name}: not a valid CSV or XLSX file (")


def test_the_extension_is_ignored_a_workbook_named_csv_is_read_as_a_workbook() -> None:
    parsed = parse("looks_like.csv", make_corpus.small_instances_xlsx())
    assert parsed.report.sheet == "Sheet1" and parsed.report.used == 50


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_header_only_file_reads_as_no_rows_with_a_warning(fmt: str) -> None:
    header = ["Name", "Serial Number", "Last Contact"]
    content = csv_bytes([header]) if fmt == "csv" else make_corpus.xlsx([header])
    parsed = parse(f"empty_va.{fmt}", content)
    assert (parsed.report.rows_read, parsed.report.used, parsed.report.rejected) == (0, 0, 0)
    assert parsed.report.warnings == ("no data rows below the header (row 1)",)
    assert balanced(parsed)


def test_unusable_files_are_all_listed_in_one_error_by_load_estate() -> None:
    items = [FileInput(n, NOT_TABLES[n](), smart_account="SA", virtual_account="VA") for n in sorted(NOT_TABLES)]
    with pytest.raises(InputError) as info:
        load_estate(items, SETTINGS)
    assert [p.file for p in info.value.problems] == sorted(NOT_TABLES)


def test_the_cli_reports_a_renamed_program_in_one_line_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "devices.csv"
    path.write_bytes(make_corpus.executable())
    run = subprocess.run(
        [sys.executable, "-m", "core", "inspect", str(path), "--smart-account", "SA", "--virtual-account", "VA"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert run.stderr.strip() == "devices.csv: not a valid CSV or XLSX file (binary content, not text)"
    assert "Traceback" not in run.stderr + run.stdout


# --- item 2: size ---------------------------------------------------------------------------------------


def _must_not_parse(*_: object, **__: object) -> None:
    raise AssertionError("an over-size file reached the parser")


def test_a_file_over_the_size_limit_is_refused_before_any_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pd, "read_csv", _must_not_parse)
    monkeypatch.setattr(readers, "_decode", _must_not_parse)
    monkeypatch.setattr(workbook, "read_sheet", _must_not_parse)
    content = bytes(MAX_BYTES + 1)  # zero pages: costs no real memory until touched
    for name in ("huge.csv", "huge.xlsx"):
        (problem,) = refusal(name, content)
        assert (problem.file, problem.row, problem.reason) == (name, 0, Reason.TOO_LARGE)
        assert "limit 200 MB" in problem.detail


def test_the_size_limit_is_inclusive() -> None:
    content = csv_bytes([["Name", "Serial Number"], ["sw1", "A1"]])
    assert readers.read_table("ok.csv", content, max_bytes=len(content)).data.shape == (1, 2)
    with pytest.raises(InputError) as info:
        readers.read_table("big.csv", content, max_bytes=len(content) - 1)
    assert info.value.problems[0].reason is Reason.TOO_LARGE


def test_the_cli_refuses_an_over_size_file_by_its_size_on_disk_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse: no disk space used
    code = (
        "import pathlib, sys\n"
        "def boom(self): raise SystemExit('read_bytes called')\n"
        "pathlib.Path.read_bytes = boom\n"
        "from core.cli import main\n"
        f"sys.exit(main(['inspect', {str(path)!r}, '--smart-account', 'SA', '--virtual-account', 'VA']))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip() == "huge.csv: the file is 200.0 MB (limit 200 MB)"
