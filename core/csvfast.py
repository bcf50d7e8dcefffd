"""The body of a CSV read by Arrow's multithreaded parser, where that gives exactly what pandas' C parser gives.

Both parsers read RFC 4180 quoting the same way, keep spaces, and (with empty lines kept) turn a blank line
into a row of empty cells. They differ on malformed input: Arrow refuses a row of the wrong width, where
pandas pads or widens, and Arrow silently ends an unclosed quote at the end of the file, where pandas stops.
So the fast path answers only when every record has exactly the expected number of cells and no quote can
have been left open; otherwise it answers None and the caller parses the body the careful way.

The body is read where it lies in the file's bytes (from `start`), never copied out first; cells come back as
Arrow large strings, the storage of pandas' "str" dtype, so no cast follows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

BLOCK_BYTES = 16 * 2**20  # Arrow parses blocks of this size in parallel; fewer, larger chunks are cheaper to use
_COUNT_STEP = 8 * 2**20  # bytes compared at once when counting line breaks (bounds the temporary)


def valid_utf8(content: bytes, start: int = 0) -> bool:
    """True when `content[start:]` is valid UTF-8, as `bytes.decode("utf-8")` would judge it, checked in place."""
    size = len(content) - start
    offsets = pa.py_buffer(np.array([0, max(size, 0)], dtype=np.int64))
    data = pa.py_buffer(content).slice(start) if size > 0 else pa.py_buffer(b"")
    blob = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, data])
    try:
        blob.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def count_byte(content: bytes, byte: int, start: int = 0) -> int:
    """How many times `byte` occurs in `content[start:]`."""
    view = np.frombuffer(content, dtype=np.uint8)
    return sum(int(np.count_nonzero(view[i : i + _COUNT_STEP] == byte)) for i in range(start, len(view), _COUNT_STEP))


def read_body(body: bytes, delimiter: str, width: int, start: int = 0) -> pd.DataFrame | None:
    """Every record of `body[start:]` (UTF-8) as `width` text cells (columns 0..width-1, "" for empty), or None."""
    if width < 2 or len(body) <= start:
        return None
    quoted = body.find(b'"', start) >= 0
    names = [str(i) for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(body).slice(start)),
            read_options=pacsv.ReadOptions(column_names=names, block_size=BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=quoted, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if quoted and _may_end_in_quote(body, start, table):
        return None
    frame = table.to_pandas()
    frame.columns = pd.RangeIndex(width)
    return frame


def _may_end_in_quote(body: bytes, start: int, table: pa.Table) -> bool:
    """True when a quote may still be open at the end: Arrow would have put the rest of the file in the last cell
    (it then holds a line break), or the last line, which no line break closes, holds a quote."""
    tail = max(body.rfind(b"\n", start), body.rfind(b"\r", start), start - 1) + 1
    if tail < len(body) and body.find(b'"', tail) >= 0:
        return True
    if not table.num_rows:
        return False
    last = table.column(table.num_columns - 1)[-1].as_py() or ""
    return "\n" in last or "\r" in last
