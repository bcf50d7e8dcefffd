"""Item 7: shuffled rows give identical results; repeated rows and serials are handled the same way whatever
their order, and the user is told about them.

What the engine does with a row that repeats an earlier one cell for cell (documented in SECURITY.md):
- every kind: each copy is read as a row of its own, and the file's report warns "N row(s) repeat an earlier
  row exactly (row …)";
- instances: the same device twice in CSSM is a DUPLICATE_REGISTRATION on every copy but one (the copy
  kept is decided by content — last contact, then the first seen — so the findings do not depend on order);
- inventory, roster, prices: copies change nothing (matching and lookups take the record once);
- licenses, ea, usage, reservations, users: quantities and rows add up, as two lines in an export would.
All through the whole engine: load_estate + reconcile over the demo estate in sample_exports/.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from core.estate import load_estate
from core.findings_model import FINDING_COLUMNS
from core.ingest import FileInput
from core.manifest import load_manifest
from core.readers import read_table
from core.reconcile import ReconcileResult, reconcile
from tests.builders import ago, csv_file, run

MANIFEST = load_manifest(Path(__file__).resolve().parents[2] / "sample_exports" / "engagement.toml", dt.date.today())
Rows = list[list[object]]
Transform = Callable[[str, str, Rows], Rows]


def _rewrite(name: str, kind: str, content: bytes, change: Transform) -> bytes:
    """The file with its data rows (everything under the header, banners and totals included) changed."""
    raw = read_table(name, content)
    if name.endswith(".xlsx"):
        wb = openpyxl.load_workbook(io.BytesIO(content))
        ws = wb[raw.sheet]
        rows = change(name, kind, [list(r) for r in ws.iter_rows(min_row=raw.header_row + 1, values_only=True)])
        ws.delete_rows(raw.header_row + 1, ws.max_row)
        for row in rows:
            ws.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    records = list(
        csv.reader(io.StringIO(content.decode(raw.encoding or "utf-8"), newline=""), delimiter=raw.delimiter)
    )
    records = records[: raw.header_row] + change(name, kind, records[raw.header_row :])  # type: ignore[operator]
    out = io.StringIO()
    csv.writer(out, delimiter=raw.delimiter or ",", lineterminator="\r\n").writerows(records)
    return out.getvalue().encode(raw.encoding or "utf-8")


def _estate(change: Transform | None = None) -> ReconcileResult:
    items = []
    for f in MANIFEST.files:
        content = f.path.read_bytes()
        if change is not None:
            content = _rewrite(f.path.name, f.kind or "", content, change)
        items.append(FileInput(f.path.name, content, f.kind, f.smart_account, f.virtual_account, f.sheet, f.mapping))
    return reconcile(load_estate(items, MANIFEST.settings), MANIFEST.settings)


def _shuffle(seed: int) -> Transform:
    return lambda name, kind, rows: random.Random(f"{seed}{name}").sample(rows, len(rows))


def _repeat(kinds: set[str]) -> Transform:
    return lambda name, kind, rows: rows + rows if kind in kinds else rows


def _canon(frame: pd.DataFrame) -> pd.DataFrame:
    text = frame.astype(str)
    return text.sort_values(list(text.columns)).reset_index(drop=True)


def _same(a: ReconcileResult, b: ReconcileResult) -> None:
    """Findings (but for the source row, which moves with the row), plan and baseline are identical."""
    pd.testing.assert_frame_equal(
        _canon(a.findings[FINDING_COLUMNS].drop(columns="source_row")),
        _canon(b.findings[FINDING_COLUMNS].drop(columns="source_row")),
    )
    pd.testing.assert_frame_equal(_canon(a.plan), _canon(b.plan))
    pd.testing.assert_frame_equal(_canon(a.baseline), _canon(b.baseline))


@pytest.fixture(scope="module")
def demo() -> ReconcileResult:
    return _estate()


@pytest.mark.parametrize("seed", [1, 2])
def test_shuffling_the_rows_of_every_file_gives_identical_findings_plan_and_baseline(demo, seed: int) -> None:
    _same(demo, _estate(_shuffle(seed)))


def test_an_estate_with_every_row_repeated_gives_the_same_results_in_any_order() -> None:
    every = {f.kind or "" for f in MANIFEST.files}
    repeated = _estate(_repeat(every))
    _same(repeated, _estate(lambda n, k, rows: _shuffle(3)(n, k, _repeat(every)(n, k, rows))))
    assert any("repeat an earlier row exactly" in w for r in repeated.reports for w in r.warnings)


def test_repeated_inventory_roster_and_price_rows_change_nothing(demo) -> None:
    _same(demo, _estate(_repeat({"inventory", "roster", "prices"})))


def test_the_same_instance_twice_is_one_duplicate_registration_whichever_copy_comes_first() -> None:
    row = {"Name": "sw1", "Serial Number": "FOC1", "Last Contact": ago(5), "Licenses": "DNA (1)"}
    other = {"Name": "sw2", "Serial Number": "FOC2", "Last Contact": ago(5), "Licenses": "DNA (1)"}
    lic = csv_file("l.csv", [{"License": "DNA", "Purchased": 5, "In Use": 3}], kind="licenses")
    for rows in ([row, row, other], [row, other, row], [other, row, row]):
        r = run(csv_file("i.csv", rows, kind="instances"), lic)
        dup = r.findings[r.findings["finding"] == "DUPLICATE_REGISTRATION"]
        assert dup[["instance_name", "serial", "quantity"]].values.tolist() == [["sw1", "FOC1", 1]]
        assert r.baseline[["in_use", "removable", "clean_in_use"]].values.tolist() == [[3, 1, 2]]
        (report,) = [p for p in r.reports if p.file == "i.csv"]
        assert any("1 row(s) repeat an earlier row exactly" in w for w in report.warnings)


def test_which_copy_of_a_serial_is_kept_depends_on_content_not_order() -> None:
    old = {"Name": "sw1-old", "Serial Number": "FOC1", "Last Contact": ago(200), "Licenses": "DNA (1)"}
    new = {"Name": "sw1", "Serial Number": "FOC1", "Last Contact": ago(2), "Licenses": "DNA (1)"}
    for rows in ([old, new], [new, old]):
        r = run(csv_file("i.csv", rows, kind="instances"))
        dup = r.findings[r.findings["finding"] == "DUPLICATE_REGISTRATION"]
        assert dup["instance_name"].tolist() == ["sw1-old"]
