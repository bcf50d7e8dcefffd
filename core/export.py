"""Every CSV and XLSX the product writes: formula-injection safe, numbers kept numeric, written atomically."""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core import csvwrite

# A text cell starting with one of these is read by a spreadsheet as a formula (or a DDE payload).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")
# Characters XML 1.0 cannot hold: openpyxl refuses them, so an XLSX cell shows U+FFFD in their place.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What pandas' infer_dtype answers for object cells none of which is text (source_row with blanks: integer).
_NO_TEXT = frozenset({"integer", "floating", "mixed-integer-float", "boolean", "decimal", "complex", "bytes"})


def _leads(starts: list[str]) -> list[str]:
    """Of these first characters, those a risky cell can begin with: a formula lead, or one lstrip drops."""
    stripped = pd.Series(starts, dtype="str").str.lstrip().tolist()
    return [c for c, rest in zip(starts, stripped, strict=True) if c in FORMULA_LEADS or rest != c]


def _escape_text(values: pd.Series) -> pd.Series:
    text = values.astype("object")
    kind = pd.api.types.infer_dtype(text.to_numpy(), skipna=True)
    if kind in _NO_TEXT:
        return text
    if kind in ("string", "empty"):  # all text: no per-cell test
        # Only a cell whose first character is in _leads can be risky: test those alone, often none.
        first = pc.utf8_slice_codeunits(pa.array(text.to_numpy(), type=pa.large_string(), from_pandas=True), 0, 1)
        leads = _leads([c for c in pc.unique(first).to_pylist() if c is not None])
        if not leads:
            return text
        maybe = pc.fill_null(pc.is_in(first, value_set=pa.array(leads, pa.large_string())), False)
        s = text[maybe.to_numpy(zero_copy_only=False)].astype(str)
    else:
        is_str = text.map(lambda v: isinstance(v, str), na_action="ignore").fillna(False).astype(bool)
        if not is_str.any():
            return text
        s = text[is_str].astype(str)
    risky = s.str.startswith(FORMULA_LEADS) | s.str.lstrip().str.startswith(FORMULA_LEADS)  # " =1+2" too
    if risky.any():
        text.loc[risky[risky].index] = "'" + s[risky]
    return text


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell a spreadsheet would run as a formula is prefixed with `'`.

    Numeric columns are left alone, so a negative balance stays the number -3, not the text '-3.
    """
    out = df.copy()
    for col in out.columns:
        dtype = out[col].dtype
        if (
            pd.api.types.is_object_dtype(dtype)
            or pd.api.types.is_string_dtype(dtype)
            or isinstance(dtype, pd.CategoricalDtype)
        ):
            out[col] = _escape_text(out[col])
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV of a safe copy; whole numbers without a trailing .0, dates as ISO dates."""
    out = safe_frame(df)
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_float_dtype(s) and not s.isna().all():
            finite = s.dropna()
            if (finite == np.round(finite)).all():
                out[col] = s.astype("Int64")
        elif pd.api.types.is_datetime64_any_dtype(s):
            out[col] = s.dt.strftime("%Y-%m-%d")
    fast = csvwrite.to_csv(out, lineterminator="\r\n")  # the same bytes, written by Arrow; None: pandas writes
    if fast is not None:
        return fast
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8")  # CRLF: a lone CR in a cell is quoted


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def xlsx_bytes(sheets: dict[str, pd.DataFrame], number_formats: dict[str, str] | None = None) -> bytes:
    """A styled workbook: bold white header on a dark fill, frozen header, filters, widths, no formulas.

    Text is escaped as in CSV (a leading `'`) and stored as text; control characters XML cannot hold become
    U+FFFD (the CSV keeps them).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    formats = number_formats or {}
    wb = Workbook()
    wb.remove(wb.active)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F3A5F")
    for title, frame in sheets.items():
        ws = wb.create_sheet(title[:31])
        safe = safe_frame(frame)
        ws.append([_cell(str(c)) for c in safe.columns])
        for cell in ws[1]:
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(vertical="center")
        for row in safe.itertuples(index=False):
            ws.append([_cell(v) for v in row])
        for idx, col in enumerate(safe.columns, start=1):
            letter = get_column_letter(idx)
            width = max([len(str(col))] + [len(str(v)) for v in safe[col].head(200).tolist()])
            ws.column_dimensions[letter].width = min(60, max(10, width + 2))
            fmt = formats.get(str(col))
            if fmt is None and pd.api.types.is_numeric_dtype(frame[col]) and not pd.api.types.is_bool_dtype(frame[col]):
                fmt = "#,##0" if pd.api.types.is_integer_dtype(frame[col]) else "#,##0.00"
            for cell in ws[letter][1:]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text: never a live formula
                elif fmt and cell.value is not None:
                    cell.number_format = fmt
        ws.freeze_panes = "A2"
        if ws.max_row >= 1 and ws.max_column >= 1:
            ws.auto_filter.ref = ws.dimensions
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().date()
    if isinstance(value, str) and _XML_ILLEGAL.search(value):
        return _XML_ILLEGAL.sub("\ufffd", value)
    return value
