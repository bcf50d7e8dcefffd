"""Writers for the demo estate: CSV with banners / totals / blank rows in a chosen encoding and delimiter,
a byte-reproducible XLSX, date formatting without locale, and the engagement manifest."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

from core.synth import catalog as c
from core.synth.text import digits, lookup, pick

_MONTHS = ["", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_ZIP_TIME = (2026, 10, 31, 9, 12, 0)


def timestamps(days: np.ndarray, secs: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    """as_of minus `days` days, plus `secs` seconds into that day; NaT where missing."""
    base = np.datetime64(c.AS_OF, "s")
    ts = base - days.astype("timedelta64[D]").astype("timedelta64[s]") + secs.astype("timedelta64[s]")
    out = pd.Series(ts)
    if missing is not None:
        out = out.mask(pd.Series(missing))
    return out


def fmt(ts: pd.Series, style: str, missing: str = "") -> pd.Series:
    """Vectorised, locale-free date text. Styles: mon (2026-Oct-30 14:03:22), isoz (2026-10-30T14:03:22Z),
    dmy (30/10/2026 14:03), dmy_date (30/10/2026), date (2026-10-30), mdy (10/30/2026)."""
    ok = ts.notna().to_numpy()
    t = ts.fillna(pd.Timestamp("2000-01-01")).reset_index(drop=True)
    y, m, d = digits(t.dt.year), digits(t.dt.month, 2), digits(t.dt.day, 2)
    hh, mm, ss = digits(t.dt.hour, 2), digits(t.dt.minute, 2), digits(t.dt.second, 2)
    if style == "mon":
        text = (
            y + "-" + lookup(_MONTHS, np.asarray(t.dt.month, dtype=np.int64)) + "-" + d + " " + hh + ":" + mm + ":" + ss
        )
    elif style == "isoz":
        text = y + "-" + m + "-" + d + "T" + hh + ":" + mm + ":" + ss + "Z"
    elif style == "dmy":
        text = d + "/" + m + "/" + y + " " + hh + ":" + mm
    elif style == "dmy_date":
        text = d + "/" + m + "/" + y
    elif style == "date":
        text = y + "-" + m + "-" + d
    elif style == "mdy":
        text = m + "/" + d + "/" + y
    else:
        raise ValueError(style)
    return pick(ok, text, missing)


@dataclass(frozen=True)
class CsvStyle:
    """How a source system writes its CSV."""

    encoding: str = "utf-8"
    sep: str = ","
    eol: str = "\n"


UTF8 = CsvStyle()
UTF8_BOM = CsvStyle(encoding="utf-8-sig")
WINDOWS = CsvStyle(encoding="cp1252", sep=";", eol="\r\n")  # a European Excel "CSV (semicolon)"


def write_csv(
    path: Path,
    frame: pd.DataFrame,
    style: CsvStyle = UTF8,
    *,
    banners: Sequence[str] = (),
    blank_at: int | None = None,
    total: dict[str, object] | None = None,
    trailing_blank: bool = False,
) -> int:
    """Write one export as a client would send it. Returns the number of data rows (banner, blank and total
    rows excluded)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = len(frame)
    if blank_at is not None:
        blank = pd.DataFrame([[""] * frame.shape[1]], columns=frame.columns)
        frame = pd.concat([frame.iloc[:blank_at], blank, frame.iloc[blank_at:]], ignore_index=True)
    if total is not None:
        frame = pd.concat([frame, pd.DataFrame([total], columns=frame.columns)], ignore_index=True)
    with open(path, "w", encoding=style.encoding, newline="") as fh:
        for line in banners:
            fh.write(f'"{line}"{style.eol}')
        frame.to_csv(fh, index=False, sep=style.sep, lineterminator=style.eol)
        if trailing_blank:
            fh.write(style.eol)
    return rows


def write_xlsx(path: Path, title: str, frame: pd.DataFrame, sheet: str) -> int:
    """An XLSX with a merged title row above the header and real date cells, byte-reproducible: fixed document
    properties and fixed zip entry timestamps. Rows are appended one by one (openpyxl has no bulk API), which
    is why the XLSX Virtual Account is capped."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ncol = frame.shape[1]
    ws.append([title] + [None] * (ncol - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.append(list(frame.columns))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    values = frame.astype(object).where(frame.notna(), None)
    for row in values.itertuples(index=False):
        ws.append([None if v is None or (isinstance(v, str) and not v) else v for v in row])
    for i, width in enumerate((42, 12, 26, 20, 20, 18, 48)[:ncol]):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    ws.freeze_panes = "A3"
    wb.properties.creator = "Cisco Smart Software Manager"
    wb.properties.created = c.EXPORTED
    wb.properties.modified = c.EXPORTED
    buf = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)).save()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            out.writestr(entry, src.read(info.filename))
    return len(frame)


def _toml(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_manifest(path: Path, files: list[dict[str, str]], instances: int, seed: int) -> None:
    """engagement.toml (DESIGN §5): engagement, settings and one [[file]] table per export."""
    lines = [
        f"# Demo estate written by core.synth (instances={instances}, seed={seed}). Northwind Holdings is fictional;",
        "# every finding in it was planted on purpose (see planted.json).",
        "",
        "[engagement]",
        f"client = {_toml(c.CLIENT)}",
        f"as_of = {c.AS_OF.isoformat()}",
        f"renewal_date = {c.RENEWAL_DATE.isoformat()}",
        f"renewal_value = {c.RENEWAL_VALUE}",
        f"currency = {_toml(c.CURRENCY)}",
        "",
        "[settings]",
        f"stale_days = {c.STALE_DAYS}",
        f"perpetual_stale_days = {c.PERPETUAL_STALE_DAYS}",
    ]
    for entry in files:
        lines += ["", "[[file]]"] + [f"{k} = {_toml(v)}" for k, v in entry.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
