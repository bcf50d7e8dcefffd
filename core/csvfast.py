"""The body of a CSV read by Arrow's multithreaded parser, where that gives exactly what pandas' C parser gives.

Both parsers read RFC 4180 quoting the same way, keep spaces, and (with empty lines kept) turn a blank line
into a row of empty cells. They differ on malformed input: Arrow refuses a row of the wrong width, where
pandas pads or widens, and Arrow silently ends an unclosed quote at the end of the file, where pandas stops.
So the fast path answers only when every record has exactly the expected number of cells and no quote can
have been left open; otherwise it answers None and the caller parses the body the careful way.
"""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv


def read_body(body: bytes, delimiter: str, width: int) -> pd.DataFrame | None:
    """Every record of `body` (UTF-8) as `width` text cells (columns 0..width-1, "" for empty), or None."""
    if width < 2 or not body:
        return None
    quoted = b'"' in body
    names = [str(i) for i in range(width)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=quoted, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if quoted and _may_end_in_quote(body, table):
        return None
    frame = table.to_pandas()
    frame.columns = pd.RangeIndex(width)
    return frame


def _may_end_in_quote(body: bytes, table: pa.Table) -> bool:
    """True when a quote may still be open at the end: Arrow would have put the rest of the file in the last cell
    (it then holds a line break), or the last line, which no line break closes, holds a quote."""
    last_break = max(body.rfind(b"\n"), body.rfind(b"\r"))
    if last_break < len(body) - 1 and b'"' in body[last_break + 1 :]:
        return True
    if not table.num_rows:
        return False
    last = table.column(table.num_columns - 1)[-1].as_py() or ""
    return "\n" in last or "\r" in last
