"""Arrow string kernels over pandas text Series: the building blocks of core.normalise and core.dates.

pandas sends any pattern with \\s (and more) to Python's `re`, row by row; these helpers call pyarrow's RE2
directly. RE2 syntax: no look-around or back-references in patterns; \\d, \\s and \\b are ASCII-only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

Strings: TypeAlias = pa.Array | pa.ChunkedArray


def as_text(s: pd.Series) -> pd.Series:
    """The Series as pandas text ("str" dtype); missing stays missing."""
    return s if s.dtype == "str" else s.astype("str")


def arrow(s: pd.Series) -> Strings:
    """The Series' text as Arrow large strings (no copy when it is already pandas text)."""
    return pa.array(as_text(s), type=pa.large_string(), from_pandas=True)


def text(values: Strings, like: pd.Series) -> pd.Series:
    """Arrow strings back to a pandas text Series with `like`'s index and name."""
    return pd.Series(pd.array(values, dtype="str"), index=like.index, name=like.name)


def bools(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Arrow booleans as a numpy bool array, missing as False."""
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def may_hold(arr: Strings, byte: str) -> bool:
    """False only when no cell can hold the (one-byte) character: its data buffers never contain it."""
    code = ord(byte)
    for chunk in _chunks(arr):
        data = chunk.buffers()[2] if len(chunk) else None
        if data is not None and data.size and bool((np.frombuffer(data, dtype=np.uint8) == code).any()):
            return True
    return False


def _spans(arr: Strings) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per chunk: each cell's byte offsets (n + 1 of them) and the chunk's data bytes."""
    out = []
    for chunk in _chunks(arr):
        if len(chunk) and chunk.buffers()[2] is not None:
            chunk = chunk.cast(pa.large_string())
            offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset : chunk.offset + len(chunk) + 1]
            out.append((offsets, np.frombuffer(chunk.buffers()[2], dtype=np.uint8)))
    return out


def needs_trim(arr: Strings) -> bool:
    """False only when trimming whitespace would change no cell: no cell starts or ends with a byte that could
    belong to whitespace (Arrow trims ASCII 9-13, 28-32 and some characters beyond ASCII, all multi-byte)."""
    for offsets, data in _spans(arr):
        filled = offsets[1:] > offsets[:-1]
        starts, ends = (offsets[:-1], offsets[1:]) if filled.all() else (offsets[:-1][filled], offsets[1:][filled])
        edges = np.concatenate([data[starts], data[ends - 1]])
        if ((edges <= 32) | (edges >= 128)).any():
            return True
    return False


def has_bytes(arr: Strings, low: str, high: str) -> bool:
    """False only when no cell holds a character from `low` to `high` (ASCII) nor any character beyond ASCII:
    so e.g. lower-casing ("A" to "Z") would change nothing."""
    lo, span = ord(low), ord(high) - ord(low)
    return any(bool((((data - lo) <= span) | (data >= 128)).any()) for _, data in _spans(arr))


def may_hold_folded(arr: Strings, needle: str) -> bool:
    """False only when no cell can hold the ASCII `needle` in any ASCII case: no data buffer contains it."""
    word = needle.lower().encode("ascii")
    return any(
        c.buffers()[2] is not None and word in c.buffers()[2].to_pybytes().lower() for c in _chunks(arr) if len(c)
    )


# `needle`: a literal that every match of the pattern contains. Only the cells holding it are given to the
# regex engine, so a pattern that almost never matches (UDI tags, "SN:" prefixes) costs one substring scan.
def holding(arr: Strings, needle: str) -> np.ndarray:
    """Boolean array: the cell contains `needle` (a plain substring); missing is False."""
    if len(needle.encode()) == 1 and not may_hold(arr, needle):
        return np.zeros(len(arr), dtype=bool)
    return bools(pc.match_substring(arr, needle))


def matches(s: pd.Series, pattern: str, needle: str | None = None) -> np.ndarray:
    """Boolean array: the regex is found in the cell (anchor it with ^ / $ for a full match); missing is False."""
    return found(arrow(s), pattern, needle)


def found(arr: Strings, pattern: str, needle: str | None = None) -> np.ndarray:
    """`matches` on Arrow strings."""
    if needle is None:
        return bools(pc.match_substring_regex(arr, pattern))
    has = holding(arr, needle)
    out = np.zeros(len(arr), dtype=bool)
    if has.any():
        out[has] = found(arr.filter(pa.array(has)), pattern)
    return out


def sub(s: pd.Series, pattern: str, repl: str, needle: str | None = None) -> pd.Series:
    """`s.str.replace(pattern, repl, regex=True)`; `\\1` in `repl` refers to a group."""
    return text(replace(arrow(s), pattern, repl, needle), s)


def replace(arr: Strings, pattern: str, repl: str, needle: str | None = None) -> Strings:
    """`sub` on Arrow strings."""
    if needle is None:
        return pc.replace_substring_regex(arr, pattern, repl)
    has = holding(arr, needle)
    if not has.any():
        return arr
    return scatter(arr, has, pc.replace_substring_regex(arr.filter(pa.array(has)), pattern, repl))


def scatter(arr: Strings, where: np.ndarray, values: Strings) -> pa.ChunkedArray:
    """`arr` with the rows where `where` holds replaced, in order, by `values`."""
    index = np.arange(len(arr))
    index[where] = len(arr) + np.arange(int(where.sum()))
    both = pa.chunked_array([*_chunks(arr), *_chunks(values)], type=pa.large_string())
    return both.take(pa.array(index))


def _chunks(arr: Strings) -> list[pa.Array]:
    return list(arr.chunks) if isinstance(arr, pa.ChunkedArray) else [arr]


def extract(s: pd.Series, pattern: str, needle: str | None = None) -> pd.DataFrame:
    """`s.str.extract(pattern)` for named groups: missing where the row does not match or the group is empty."""
    arr = arrow(s)
    rows = None
    if needle is not None:
        has = holding(arr, needle)
        rows = np.where(has, np.cumsum(has) - 1, -1)  # each row's place among the rows searched
        arr = arr.filter(pa.array(has))
    res = pc.extract_regex(arr, pattern)
    cols = {}
    for i, field in enumerate(res.type):
        col = pc.struct_field(res, [i])
        col = pc.if_else(pc.equal(col, ""), None, col)
        if rows is not None:
            col = col.take(pa.array(rows, mask=rows < 0))
        cols[field.name] = pd.array(col, dtype="str")
    return pd.DataFrame(cols, index=s.index)


def to_ints(s: pd.Series, fill: int = 0) -> np.ndarray:
    """int64 array from a text column of plain digits (e.g. extract groups); missing becomes `fill`."""
    return np.asarray(pc.fill_null(pc.cast(arrow(s), pa.int64()), fill).to_numpy(zero_copy_only=False))


def factorize(s: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """`pd.factorize(s)` of a text column: codes (-1 for missing) and the distinct values in order of first
    appearance. Arrow text is encoded in one piece (pandas encodes it chunk by chunk, then merges the chunks'
    ever-growing dictionaries)."""
    if not isinstance(s.array, pd.arrays.ArrowStringArray):
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        return np.asarray(codes, dtype=np.int64), pd.Series(uniques, dtype=s.dtype)
    arr = pa.array(s.array)
    encoded = (arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr).dictionary_encode()
    codes = np.asarray(pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    return codes, pd.Series(pd.array(encoded.dictionary, dtype=s.dtype))


def on_unique(s: pd.Series, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`func` applied to the distinct non-missing values of `s` only, mapped back; missing stays missing."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    res = func(pd.Series(uniques, dtype=s.dtype))
    out = pd.api.extensions.take(res.array, codes, allow_fill=True)
    return pd.Series(out, index=s.index, name=s.name)
