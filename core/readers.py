"""Bytes in, a raw text table out: every cell a str, nothing guessed by pandas.

The format is sniffed from the content (never the extension). CSV: UTF-8 (BOM or not), UTF-16, else
Windows-1252; delimiter `,` `;` or tab. XLSX: see core.workbook. Banner rows above the header, blank rows
and `Total` rows are skipped and counted, so rows_read == len(data) + sum(skipped.values()).

Memory is bounded before pandas parses anything: bytes (MAX_BYTES), columns (MAX_COLUMNS, Excel's own limit)
and rows × columns (MAX_CELLS, estimated from the line count): ingesting costs about 110 bytes per cell, so
the budget keeps one file near 2.2 GB whatever its shape (a 20 MB file of one-letter rows is 10M rows), while
a million-instance CSSM or CMDB export (1.1M rows × 8 columns) still passes.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings as pywarnings
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from core import arrowtext, csvfast, detect, workbook
from core.decode import SAMPLE_CHARS
from core.decode import decode as _decode
from core.model import Reason, Skip
from core.workbook import NOT_VALID, refuse

MAX_BYTES = 200 * 1024 * 1024
MAX_COLUMNS = 16_384  # Excel's own limit: a wider row is not a table anyone exported
MAX_CELLS = 20_000_000  # rows × columns: 2.5M rows of an 8-column export; a 1M-instance estate fits
HEAD_ROWS = 30  # the header is looked for in this many rows
SNIFF_LINES = 50  # non-empty records that decide the delimiter
DELIMITERS = (",", ";", "\t")

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_TOTAL = r"(?:grand\s*|sub\s*-?\s*)?totals?(?:$|\s*[:=(]|\s+\S)"


@dataclass(frozen=True)
class RawTable:
    """One file's table as text. `data` columns are 0..n-1 in header order; `source_row` is the row a user
    sees (CSV record number counting banner and header rows, or the Excel row number)."""

    file: str
    headers: list[str]
    data: pd.DataFrame
    source_row: np.ndarray
    rows_read: int  # every row after the header row, plus the banner rows above it
    skipped: dict[Skip, int]
    sheet: str | None = None
    warnings: list[str] = field(default_factory=list)
    formula_cells: list[tuple[int, str]] = field(default_factory=list)  # (source_row, header)
    header_row: int = 1
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def balanced(self) -> bool:
        return self.rows_read == len(self.data) + sum(self.skipped.values())


def read_table(
    file: str,
    content: bytes,
    *,
    sheet: str | None = None,
    max_bytes: int = MAX_BYTES,
    header_hint: tuple[str, ...] = (),
) -> RawTable:
    """Read a CSV or XLSX upload into a RawTable; InputError (row 0) when the file cannot be used at all.

    `header_hint`: header texts a manual mapping names, so a header no alias recognises is still found.
    """
    if not content:
        raise refuse(file, Reason.NOT_READABLE, f"{NOT_VALID} (the file is empty)")
    if len(content) > max_bytes:
        mb = len(content) / 2**20
        raise refuse(file, Reason.TOO_LARGE, f"the file is {mb:,.1f} MB (limit {max_bytes / 2**20:,.0f} MB)")
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        detail = "an old binary Excel .xls file or a password-protected workbook: save it as .xlsx or CSV"
        raise refuse(file, Reason.NOT_READABLE, f"{NOT_VALID} ({detail})")
    if content.startswith(b"%PDF"):
        raise refuse(file, Reason.NOT_READABLE, f"{NOT_VALID} (it is a PDF)")
    if workbook.is_xlsx(content):
        return _read_xlsx(file, content, sheet, header_hint)
    warnings = [f"sheet '{sheet}' ignored: a CSV file has no sheets"] if sheet else []
    return _read_csv(file, content, warnings, header_hint)


def _read_xlsx(file: str, content: bytes, sheet: str | None, hint: tuple[str, ...] = ()) -> RawTable:
    ws = workbook.read_sheet(file, content, sheet, hint)
    headers = [c.strip() for c in ws.rows[ws.header]]
    body, warnings = _frame_from_rows(ws.rows[ws.header + 1 :], len(headers), ws.header + 2)
    formulas = [(r, c) for r, c in ws.formulas if r > ws.header + 1]
    return _finish(file, headers, body, ws.header, ws.warnings + warnings, sheet=ws.name, formulas=formulas)


def _records(lines: list[str], delimiter: str) -> list[list[str]]:
    try:
        return list(csv.reader(lines, delimiter=delimiter))
    except csv.Error:  # a quoted cell running past the sample
        return []


def _delimiters(lines: list[str]) -> list[str]:
    """Candidate delimiters, best first: the one that splits the first non-empty records most consistently
    into the same number (2+) of cells."""
    keys = {}
    for delimiter in DELIMITERS:
        counts = [len(r) for r in _records(lines, delimiter) if any(c.strip() for c in r)][:SNIFF_LINES]
        multi = Counter(n for n in counts if n > 1)
        mode = max(multi, key=lambda n: (multi[n], n), default=0)
        keys[delimiter] = (multi[mode], mode)
    return sorted(DELIMITERS, key=lambda d: (-keys[d][0], -keys[d][1]))


def _head(lines: list[str], delimiter: str) -> tuple[list[list[str]], list[int]]:
    """The first HEAD_ROWS records and, for each, how many lines it ends after."""
    reader = csv.reader(lines, delimiter=delimiter)
    head: list[list[str]] = []
    ends: list[int] = []
    try:
        for record in reader:
            head.append(record)
            ends.append(reader.line_num)
            if len(head) == HEAD_ROWS:
                break
    except csv.Error:  # a quoted cell running past the sample
        pass
    return head, ends


def _read_csv(file: str, content: bytes, warnings: list[str], hint: tuple[str, ...] = ()) -> RawTable:
    text, encoding = _decode(file, content)
    nul = "\x00" in text
    if nul:
        warnings.append(f"{text.count(chr(0))} NUL characters removed")
        text = text.replace("\x00", "")
    sample = text[:SAMPLE_CHARS]
    if len(text) > SAMPLE_CHARS:
        sample = sample[: max(sample.rfind("\n"), sample.rfind("\r")) + 1] or sample
    lines = _LINE.findall(sample)
    if not any(line.strip() for line in lines):
        raise refuse(file, Reason.NOT_READABLE, f"{NOT_VALID} (the file has no text, only blank lines)")
    for delimiter in _delimiters(lines[: SNIFF_LINES * 4]):  # the sniffed one, else whichever shows a header
        head, ends = _head(lines, delimiter)
        header = detect.find_header(head, hint)
        if header is not None:
            break
    else:
        raise refuse(file, Reason.NO_HEADER, f"no header row in the first {HEAD_ROWS} rows; {detect.expected()}")
    headers = [c.strip() for c in head[header]]
    if len(headers) > MAX_COLUMNS:
        raise refuse(file, Reason.TOO_LARGE, f"the header row has {len(headers):,} cells (limit {MAX_COLUMNS:,})")
    offset = sum(len(line) for line in lines[: ends[header]])
    if encoding in ("utf-8", "utf-8-sig") and not nul:  # the bytes as they are: no re-encoding, no copy
        start = len(codecs.BOM_UTF8) * (encoding == "utf-8-sig") + len(text[:offset].encode("utf-8"))
        frame, more = _parse_body(file, content, delimiter, len(headers), header + 2, start)
    else:
        frame, more = _parse_body(file, text[offset:].encode("utf-8"), delimiter, len(headers), header + 2)
    return _finish(file, headers, frame, header, warnings + more, encoding=encoding, delimiter=delimiter)


def _budget(file: str, rows: int, columns: int, wide_row: int | None = None) -> None:
    """Refuse a table too wide or too big to hold in memory, before it is parsed."""
    if columns > MAX_COLUMNS:
        where = f"row {wide_row:,}" if wide_row is not None else "a row"
        raise refuse(
            file, Reason.TOO_LARGE, f"{where} has {columns:,} cells (limit {MAX_COLUMNS:,}): not a table we can read"
        )
    if rows * columns > MAX_CELLS:
        raise refuse(
            file,
            Reason.TOO_LARGE,
            f"about {rows:,} rows × {columns:,} columns is over the limit of {MAX_CELLS:,} cells per file: "
            "split the file, or drop columns and blank rows",
        )


def _parse_body(
    file: str, body: bytes, delimiter: str, width: int, first_row: int, start: int = 0
) -> tuple[pd.DataFrame, list[str]]:
    """`body[start:]` read by pandas' C parser, all text; a row wider than the header widens the parse (a few
    retries), a broken quote falls back to the csv module. Widths and sizes are checked against the budget before
    each parse. Arrow reads it instead, in place, when it reads exactly as pandas would (core.csvfast)."""
    breaks = [body.find(b, start) for b in (b"\n", b"\r")]  # the first of each, -1 when there is none
    counts = [csvfast.count_byte(body, b, start) if i >= 0 else 0 for b, i in zip(b"\n\r", breaks, strict=True)]
    lines = max(counts) + 1  # at least the number of records
    end = min((i for i in breaks if i >= 0), default=len(body))
    n = max(width, body.count(delimiter.encode(), start, end) + 1)  # pandas takes the first row's width as given
    _budget(file, lines, n, first_row)
    fast = csvfast.read_body(body, delimiter, n, start)
    if fast is not None:
        return _cut_extra(fast, width, first_row)
    body = body[start:]
    unclosed = False
    for _ in range(4):
        try:
            with pywarnings.catch_warnings(record=True) as caught:
                pywarnings.simplefilter("always", pd.errors.ParserWarning)
                frame = pd.read_csv(
                    io.BytesIO(body),
                    sep=delimiter,
                    header=None,
                    names=range(n),
                    index_col=False,
                    dtype=str,
                    keep_default_na=False,
                    na_filter=False,
                    skip_blank_lines=False,
                    engine="c",
                    encoding="utf-8",
                )
        except pd.errors.ParserError as exc:
            wider = re.search(r"line (\d+), saw (\d+)", str(exc))
            if wider is None:
                unclosed = "EOF inside string" in str(exc)
                break
            n = max(n + 1, int(wider.group(2)))
            _budget(file, lines, n, first_row + int(wider.group(1)) - 1)
            continue
        if not any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
            return _cut_extra(frame, width, first_row)
        break  # the first record spans lines and is wider than counted: pandas cut it, so read it exactly
    text = body.decode("utf-8")
    try:
        rows: list[list[str]] = []
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            _budget(file, lines, len(row), first_row + len(rows))
            rows.append(row)
    except csv.Error as exc:
        raise refuse(file, Reason.NOT_READABLE, f"{NOT_VALID} (CSV error: {exc})") from exc
    frame, warnings = _frame_from_rows(rows, width, first_row)
    if unclosed and rows:
        warnings.append(f"a quote opened on row {first_row + len(rows) - 1} is never closed: the rest is one cell")
    return frame, warnings


def _frame_from_rows(rows: list[list[str]], width: int, first_row: int) -> tuple[pd.DataFrame, list[str]]:
    """Ragged text rows -> a str frame of `width` columns: short rows padded with "", longer ones cut (warned)."""
    extra = [i for i, row in enumerate(rows) if len(row) > width and any(c.strip() for c in row[width:])]
    cut = [row[:width] if len(row) >= width else [*row, *[""] * (width - len(row))] for row in rows]
    frame = (
        pd.DataFrame(cut, columns=range(width), dtype=str) if rows else pd.DataFrame(columns=range(width), dtype=str)
    )
    return frame, _extra_warning(np.asarray(extra, dtype=np.int64), first_row)


def _cut_extra(frame: pd.DataFrame, width: int, first_row: int) -> tuple[pd.DataFrame, list[str]]:
    """Keep the header's columns; cells beyond them are dropped, with a warning when any holds text."""
    if frame.shape[1] <= width:
        return frame, []
    block = frame.iloc[:, width:].to_numpy(dtype=object)
    filled = block != ""
    row_of = np.nonzero(filled)[0]
    text = pd.Series(block[filled], dtype=str).str.strip().ne("").to_numpy(dtype=bool)
    return frame.iloc[:, :width], _extra_warning(np.unique(row_of[text]), first_row)


def _extra_warning(rows: np.ndarray, first_row: int) -> list[str]:
    if not len(rows):
        return []
    where = ", ".join(str(first_row + i) for i in rows[:5]) + (" …" if len(rows) > 5 else "")
    return [f"{len(rows)} row(s) with more cells than the header (row {where}): extra cells not read"]


def _finish(
    file: str,
    headers: list[str],
    body: pd.DataFrame,
    banner: int,
    warnings: list[str],
    *,
    sheet: str | None = None,
    formulas: list[tuple[int, int]] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> RawTable:
    """Drop empty trailing columns, skip blank and Total rows, number the rest."""
    first_row = banner + 2
    formulas = formulas or []
    formula_cols = {c for _, c in formulas}
    width = len(headers)
    while width and not headers[width - 1] and width - 1 not in formula_cols and not _any_text(body[width - 1]):
        width -= 1
    headers, body = headers[:width], body.iloc[:, :width]
    first, blank = _first_cells(body)
    blank[[r - first_row for r, _ in formulas]] = False  # a formula with no value is not an empty cell
    maybe = _mentions_total(first)
    total = np.zeros(len(body), dtype=bool)
    total[maybe] = first[maybe].str.match(_TOTAL, case=False).to_numpy(dtype=bool)
    total &= ~blank
    keep = ~(blank | total)
    source_row = np.arange(first_row, first_row + len(body), dtype=np.int64)
    kept = np.flatnonzero(keep)
    if len(kept) and kept[-1] - kept[0] + 1 == len(kept):  # one run of rows (what is skipped lies at the ends):
        data = body.iloc[kept[0] : kept[-1] + 1].reset_index(drop=True)  # a slice, not a copy
    else:
        data = body.loc[keep].reset_index(drop=True)
    data.columns = range(width)
    kept_rows = set(source_row[keep].tolist()) if formulas else set()
    formula_cells = [(r, headers[c] if c < width else "") for r, c in formulas if r in kept_rows]
    if formula_cells:
        where = "; ".join(f"row {r}, column '{h}'" for r, h in formula_cells[:5])
        more = " …" if len(formula_cells) > 5 else ""
        warnings.append(
            f"{len(formula_cells)} formula cells without a cached value ({where}{more}): "
            "open the workbook in Excel and save it so the values are stored"
        )
    return RawTable(
        file=file,
        headers=headers,
        data=data,
        source_row=source_row[keep],
        rows_read=banner + len(body),
        skipped={Skip.BANNER: banner, Skip.BLANK: int(blank.sum()), Skip.TOTAL: int(total.sum())},
        sheet=sheet,
        warnings=warnings,
        formula_cells=formula_cells,
        header_row=banner + 1,
        encoding=encoding,
        delimiter=delimiter,
    )


def _mentions_total(first: pd.Series) -> np.ndarray:
    """`first.str.contains("total", case=False)`: no letter of "total" has a case form beyond ASCII's, so lower-
    casing ASCII and a plain substring search answer the same, and a column whose bytes never spell it is skipped."""
    text = arrowtext.arrow(first)
    if not arrowtext.may_hold_folded(text, "total"):
        return np.zeros(len(first), dtype=bool)
    return arrowtext.holding(pc.ascii_lower(text), "total")


def _first_cells(body: pd.DataFrame) -> tuple[pd.Series, np.ndarray]:
    """Each row's first non-empty cell (stripped) and whether the row is blank. Columns after the first
    are looked at only for rows still empty so far, so a 1M-row file costs about one pass."""
    if body.shape[1] == 0:
        return pd.Series("", index=body.index, dtype=str), np.ones(len(body), dtype=bool)
    first = body[0]
    if not isinstance(first.array, pd.arrays.ArrowStringArray) or arrowtext.needs_trim(arrowtext.arrow(first)):
        first = first.str.strip()
    pending = np.flatnonzero(first.eq("").to_numpy(dtype=bool))
    for c in body.columns[1:]:
        if not len(pending):
            break
        cells = body[c].iloc[pending].str.strip()
        found = cells.ne("").to_numpy(dtype=bool)
        if found.any():
            first.iloc[pending[found]] = cells[found].to_numpy()
        pending = pending[~found]
    blank = np.zeros(len(body), dtype=bool)
    blank[pending] = True
    return first, blank


def _any_text(col: pd.Series) -> bool:
    return bool(col.str.strip().ne("").any())
