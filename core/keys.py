"""Text keys as integer codes, so matching and grouping a million rows runs in Arrow and numpy.

pandas compares Arrow-backed text row by row in Python for `isin`, `map` and multi-key merges; a hash join
on codes does the same work once per distinct value. Codes from one `encode` call share one code space:
equal text gets the same code in every column, missing text gets -1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def arrow_text(s: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """The column as one Arrow large_string array (missing stays null)."""
    if isinstance(s, pd.Series) and isinstance(s.dtype, pd.CategoricalDtype):  # the categories, then the codes
        code = s.cat.codes.to_numpy()
        return arrow_text(pd.Series(s.cat.categories, dtype="str")).take(pa.array(code, mask=code < 0))
    if isinstance(s, pd.Series):
        s = pa.array(s if s.dtype == "str" else s.astype("str"), type=pa.large_string(), from_pandas=True)
    if isinstance(s, pa.ChunkedArray):
        s = s.combine_chunks() if s.num_chunks != 1 else s.chunk(0)
    return s if s.type == pa.large_string() else s.cast(pa.large_string())


def codes(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Dictionary indices (or index_in results) as int64, -1 where null."""
    return np.asarray(pc.fill_null(values, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def encode(*columns: pd.Series | pa.Array) -> list[np.ndarray]:
    """int64 codes per column in one shared code space: equal text, equal code; missing is -1.

    The smallest column is hashed into a dictionary; the others are looked up in it, so a value present
    only outside the smallest column gets -1 too: it cannot match anything there.
    """
    arrays = [arrow_text(c) for c in columns]
    base = min(range(len(arrays)), key=lambda i: len(arrays[i]))
    encoded = pc.dictionary_encode(arrays[base])
    out = []
    for i, arr in enumerate(arrays):
        if i == base:
            out.append(codes(encoded.indices))
        else:
            out.append(codes(pc.index_in(arr, value_set=encoded.dictionary)))
    return out


def scope_codes(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """Codes of two categorical columns in one space (equal text, equal code; missing -1 in both), from
    their categories alone; None when either column is not categorical."""
    if not (isinstance(a.dtype, pd.CategoricalDtype) and isinstance(b.dtype, pd.CategoricalDtype)):
        return None
    space = a.cat.categories.union(b.cat.categories)
    return tuple(  # type: ignore[return-value]
        np.append(space.get_indexer(s.cat.categories), -1)[s.cat.codes.to_numpy()] for s in (a, b)
    )


def factorize(s: pd.Series) -> tuple[np.ndarray, int]:
    """Codes (missing -1) of one column and how many distinct values it holds."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), len(uniques)


def combine(*codes: np.ndarray) -> np.ndarray:
    """One code per distinct tuple of non-negative codes (a -1 anywhere gives -1)."""
    out = np.zeros(len(codes[0]), dtype=np.int64)
    missing = np.zeros(len(codes[0]), dtype=bool)
    for c in codes:
        width = int(c.max(initial=0)) + 1
        if (int(out.max(initial=0)) + 1) > np.iinfo(np.int64).max // width:
            out = pd.factorize(out)[0].astype(np.int64)
        out = out * width + np.maximum(c, 0)
        missing |= c < 0
    out[missing] = -1
    return out


def join(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inner equi-join of two code arrays (-1 never matches): (left, right) positions, in left order and,
    for one left position, in right order — the order `pandas.merge(how="inner")` gives."""
    n = int(max(left.max(initial=-1), right.max(initial=-1))) + 1
    rpos = np.flatnonzero(right >= 0)
    rcode = right[rpos]
    ordered = rpos[np.argsort(rcode, kind="stable")]
    counts = np.bincount(rcode, minlength=n)
    starts = np.cumsum(counts) - counts
    lpos = np.flatnonzero(left >= 0)
    lcode = left[lpos]
    hits = counts[lcode]
    lpos, lcode, hits = lpos[hits > 0], lcode[hits > 0], hits[hits > 0]
    li = np.repeat(lpos, hits)
    offset = np.arange(len(li)) - np.repeat(np.cumsum(hits) - hits, hits)
    ri = ordered[np.repeat(starts[lcode], hits) + offset]
    return li, ri


def first_of_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mask keeping the first occurrence of each (a, b) pair of non-negative ints."""
    key = a.astype(np.int64) * (int(b.max(initial=0)) + 1) + b
    return ~pd.Series(key).duplicated(keep="first").to_numpy()


def members(serial: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """(row position, member text) of every non-empty ","-separated member of every serial cell; missing
    cells have none. Cells holding one member come first, in row order, then the members of stacks."""
    arr = arrow_text(serial)
    stack = _mask(pc.match_substring(arr, ","))
    single = _mask(pc.greater(pc.binary_length(arr), 0)) & ~stack
    rows, text = np.flatnonzero(single), arr.filter(pa.array(single))
    if not stack.any():
        return rows, text
    lists = pc.split_pattern(arr.filter(pa.array(stack)), ",")
    flat = pc.list_flatten(lists)
    parent = np.flatnonzero(stack)[np.asarray(pc.list_parent_indices(lists).to_numpy(zero_copy_only=False))]
    keep = _mask(pc.greater(pc.binary_length(flat), 0))
    return np.concatenate([rows, parent[keep]]), pa.concat_arrays([text, flat.filter(pa.array(keep))])


def _mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def isin(s: pd.Series, values: pd.Series | pa.Array) -> np.ndarray:
    """Boolean array: the cell's text is among `values` (missing is never in)."""
    return _mask(pc.is_in(arrow_text(s), value_set=arrow_text(values), skip_nulls=True))


@dataclass(frozen=True, eq=False)
class Groups:
    """A frame's rows grouped by equal values in some columns (missing equals missing): `code` per row, the
    groups numbered in order of first appearance, and `first`, each group's first row."""

    code: np.ndarray
    first: np.ndarray

    @classmethod
    def of(cls, frame: pd.DataFrame, columns: list[str]) -> Groups:
        return cls.from_codes(combine(*(pd.factorize(frame[c], use_na_sentinel=False)[0] for c in columns)))

    @classmethod
    def from_codes(cls, codes: np.ndarray) -> Groups:
        code, distinct = pd.factorize(codes)
        first = np.empty(len(distinct), dtype=np.int64)
        first[code[::-1]] = np.arange(len(code))[::-1]
        return cls(np.asarray(code, dtype=np.int64), first)

    def subset(self, mask: np.ndarray) -> Groups:
        """The groups of the rows where `mask` holds, numbered again."""
        return Groups.from_codes(self.code[mask])
