"""`DataFrame.to_csv(index=False)` written column by column in Arrow, byte for byte what pandas writes.

pandas hands every row to Python's csv module; for a findings file of a million-device estate that is most
of the time spent writing outputs. Here each column becomes its text at once (numbers as pandas prints them,
missing as ""), a cell holding the delimiter, a quote or a line break is quoted with its quotes doubled (the
csv module's QUOTE_MINIMAL), and the rows are joined. Only the column types listed in `_text` are written
this way; for any other frame `to_csv` answers None and the caller uses pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.keys import arrow_text


def _quote(text: pa.Array, delimiter: str, lineterminator: str) -> pa.Array:
    special = "".join(sorted({delimiter, '"', *lineterminator}))
    pattern = "[" + "".join("\\" + c if c in "\\]^-[" else c for c in special) + "]"
    needs = pc.fill_null(pc.match_substring_regex(text, pattern), False)
    quote, empty = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
    quoted = pc.binary_join_element_wise(quote, pc.replace_substring(text, '"', '""'), quote, empty)
    return pc.if_else(needs, quoted, text)


def _text(s: pd.Series) -> pa.Array | None:
    """The cells of one column as pandas' to_csv prints them (missing: null), or None for a type not handled."""
    dtype = s.dtype
    if isinstance(dtype, pd.StringDtype):
        return arrow_text(s)
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        kind = pd.api.types.infer_dtype(s.to_numpy(), skipna=True)
        if kind == "integer":  # whole numbers held as objects (source_row with blanks): str() of each
            try:
                s = s.astype("Int64")
            except (TypeError, ValueError, OverflowError):
                return None
            return pc.cast(pa.array(s, from_pandas=True), pa.large_string())
        return arrow_text(s) if kind in ("string", "empty") else None
    if isinstance(dtype, pd.Int64Dtype | pd.Int32Dtype) or (isinstance(dtype, np.dtype) and dtype.kind in "iu"):
        return pc.cast(pa.array(s, from_pandas=True), pa.large_string())
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return pa.array(np.where(s.to_numpy(), "True", "False"), type=pa.large_string())
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = s.to_numpy()
        return pa.array(values.astype(str), type=pa.large_string(), mask=np.isnan(values))
    return None


def to_csv(df: pd.DataFrame, lineterminator: str = "\n", delimiter: str = ",") -> bytes | None:
    """What `df.to_csv(index=False, lineterminator=..., sep=...)` returns, UTF-8 encoded, or None when a column's
    type is not one written here (or the frame has fewer than two columns: the csv module has its own rules)."""
    if df.shape[1] < 2 or not all(isinstance(c, str) for c in df.columns):
        return None
    columns = []
    for name in df.columns:
        text = _text(df[name])
        if text is None:
            return None
        columns.append(pc.fill_null(_quote(text, delimiter, lineterminator), pa.scalar("", pa.large_string())))
    header = _quote(pa.array([str(c) for c in df.columns], type=pa.large_string()), delimiter, lineterminator)
    lines = (delimiter.join(header.to_pylist()) + lineterminator).encode("utf-8")
    if not len(df):
        return lines
    rows = pc.binary_join_element_wise(*columns, pa.scalar(delimiter, pa.large_string()))
    body = pc.binary_join_element_wise(
        rows, pa.scalar(lineterminator, pa.large_string()), pa.scalar("", pa.large_string())
    )
    offsets = np.frombuffer(body.buffers()[1], dtype=np.int64)[body.offset : body.offset + len(body) + 1]
    return lines + body.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]]
