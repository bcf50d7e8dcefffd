"""Item 10: a file whose dates cannot tell day from month is refused with a message asking for the date order
(naming the file, the column and a value), never guessed. One date with a part over 12 decides the whole
file; a file proving both orders is refused; the engagement's date_order decides a file that proves nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from core.model import Reason
from tests.data.hostile import make_corpus
from tests.hostile.helpers import SETTINGS, csv_bytes, parse, refusal

ROOT = Path(__file__).resolve().parents[2]
HEADER = ["Name", "Serial Number", "Last Contact"]
AMBIGUOUS = [HEADER, ["sw1", "A1", "03/04/2026"], ["sw2", "A2", "05/06/2026 14:00"], ["sw3", "A3", "2026-10-01"]]


def _content(rows: list[list[str]], fmt: str) -> bytes:
    return csv_bytes(rows) if fmt == "csv" else make_corpus.xlsx(rows)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_of_undecidable_day_month_dates_asks_for_the_date_order(fmt: str) -> None:
    (problem,) = refusal(f"campus.{fmt}", _content(AMBIGUOUS, fmt))
    assert (problem.row, problem.column, problem.value, problem.reason) == (
        0,
        "Last Contact",
        "03/04/2026",
        Reason.AMBIGUOUS_DATE,
    )
    assert problem.line() == (
        f"campus.{fmt}, column 'Last Contact': dates like 03/04/2026 could be day/month or month/day; "
        "set date_order to DMY or MDY (value '03/04/2026')"
    )


@pytest.mark.parametrize(
    ("order", "expected"), [("DMY", ["2026-04-03", "2026-06-05"]), ("MDY", ["2026-03-04", "2026-05-06"])]
)
def test_the_date_order_setting_reads_an_undecidable_file(order: str, expected: list[str]) -> None:
    p = parse("campus.csv", csv_bytes(AMBIGUOUS), SETTINGS.with_overrides(date_order=order))
    assert [str(d.date()) for d in p.frame["last_contact"][:2]] == expected


def test_one_date_with_a_day_over_12_decides_the_whole_file_and_beats_the_setting() -> None:
    rows = [*AMBIGUOUS, ["sw4", "A4", "25/12/2026"]]
    p = parse("campus.csv", csv_bytes(rows), SETTINGS.with_overrides(date_order="MDY"))
    assert [str(d.date()) for d in p.frame["last_contact"]] == ["2026-04-03", "2026-06-05", "2026-10-01", "2026-12-25"]


def test_a_file_proving_both_orders_is_refused_not_half_guessed() -> None:
    rows = [*AMBIGUOUS, ["sw4", "A4", "25/12/2026"], ["sw5", "A5", "12/25/2026"]]
    (problem,) = refusal("mixed.csv", csv_bytes(rows), SETTINGS.with_overrides(date_order="DMY"))
    assert problem.reason is Reason.AMBIGUOUS_DATE and "prove both" in problem.detail


def test_real_date_cells_in_a_workbook_are_never_ambiguous() -> None:
    wb = openpyxl.Workbook()
    for row in (HEADER, ["sw1", "A1", dt.datetime(2026, 3, 4)], ["sw2", "A2", dt.datetime(2026, 5, 6)]):
        wb.active.append(row)
    wb.active["C2"].number_format = "dd/mm/yyyy"  # shown day first in Excel, stored as a date
    buf = io.BytesIO()
    wb.save(buf)
    p = parse("campus.xlsx", buf.getvalue())
    assert [str(d.date()) for d in p.frame["last_contact"]] == ["2026-03-04", "2026-05-06"]


def test_an_ambiguous_file_lists_its_really_bad_dates_in_the_same_message() -> None:
    rows = [*AMBIGUOUS, ["sw4", "A4", "13/13/2026"], ["sw5", "A5", "soon"]]
    problems = refusal("campus.csv", csv_bytes(rows))
    assert problems[0].reason is Reason.AMBIGUOUS_DATE
    assert {(p.row, p.value) for p in problems if p.reason is Reason.BAD_DATE} == {(5, "13/13/2026"), (6, "soon")}


def test_the_cli_asks_for_the_date_order_and_reads_the_file_when_given(tmp_path: Path) -> None:
    path = tmp_path / "campus.csv"
    path.write_bytes(csv_bytes(AMBIGUOUS))
    base = [sys.executable, "-m", "core", "inspect", str(path), "--smart-account", "SA", "--virtual-account", "VA"]
    asked = subprocess.run(base, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert asked.returncode == 2 and "set date_order to DMY or MDY" in asked.stderr
    given = subprocess.run([*base, "--date-order", "DMY"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert given.returncode == 0 and "rows read 3 = used 3 + rejected 0 + skipped 0" in given.stdout
