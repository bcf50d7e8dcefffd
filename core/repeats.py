"""Rows equal cell for cell to an earlier row, found without hashing every cell of a large table as text.

Each column's cells are first reduced to a 64-bit fingerprint computed from their bytes with numpy (equal text,
equal fingerprint), one column at a time and only on the rows whose fingerprints so far are shared with
another row: a column of distinct names usually settles every row at once. The few rows still in question are
then compared exactly, cell for cell, so a fingerprint collision can cost time but never a wrong answer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd constants: multiplying by them spreads every input bit upwards
_STEP = np.uint64(0xBF58476D1CE4E5B9)
_WORD = 8  # bytes read at a time
_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(_WORD + 1)], dtype=np.uint64)  # keeps a word's first k bytes


def repeats(frame: pd.DataFrame) -> np.ndarray:
    """Positions of the rows equal cell for cell to an earlier row: `np.flatnonzero(frame.duplicated())`."""
    rows = np.arange(len(frame))
    key = np.zeros(len(frame), dtype=np.uint64)
    for col in frame.columns:
        if len(rows) < 2:
            return np.zeros(0, dtype=np.int64)
        values = frame[col] if len(rows) == len(frame) else frame[col].iloc[rows]
        key = (key ^ _fingerprint(values)) * _MIX + _STEP  # equal rows so far keep equal keys
        shared = pd.Series(key).duplicated(keep=False).to_numpy()
        rows, key = rows[shared], key[shared]
    if len(rows) < 2:
        return np.zeros(0, dtype=np.int64)
    return rows[frame.iloc[rows].duplicated(keep="first").to_numpy()]


def _fingerprint(values: pd.Series) -> np.ndarray:
    """A uint64 per cell that equal cells share (a missing cell has one of its own, as it has in `duplicated`)."""
    if not isinstance(values.array, pd.arrays.ArrowStringArray):
        return np.asarray(pd.factorize(values, use_na_sentinel=False)[0], dtype=np.uint64)
    arr = pa.array(values.array)
    parts = []
    for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        chunk = chunk.cast(pa.large_string())
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset : chunk.offset + len(chunk) + 1]
        data = chunk.buffers()[2]
        fp = _bytes_fingerprint(offsets, np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, "u1"))
        if chunk.null_count:  # whatever bytes a missing cell's slot spans, every missing cell gets the same value
            fp[np.asarray(chunk.is_null().to_numpy(zero_copy_only=False), dtype=bool)] = _STEP
        parts.append(fp)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def _bytes_fingerprint(offsets: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Each string's length and bytes (`data[offsets[i]:offsets[i + 1]]`) folded into a uint64, eight bytes a
    round, all strings at once; a round only reads the strings still longer than the bytes already folded."""
    starts, length = offsets[:-1], np.diff(offsets)
    # the bytes as overlapping little-endian words, one starting at each byte: no copy; the last few bytes,
    # where no whole word starts, are read from a copy padded with zeros (masked off below anyway)
    last = len(data) - _WORD  # the last byte a whole word starts at
    words = np.ndarray((max(last + 1, 0),), dtype="<u8", buffer=data, strides=(1,)) if last >= 0 else None
    tail_at = max(last, 0)
    tail = np.zeros(2 * _WORD, dtype=np.uint8)
    tail[: len(data) - tail_at] = data[tail_at:]
    tail_words = np.ndarray((_WORD + 1,), dtype="<u8", buffer=tail, strides=(1,))
    fp = length.astype(np.uint64) * _MIX
    live = None  # None: every string (no gathers needed); else the positions of those still being read
    for at in range(0, int(length.max(initial=0)), _WORD):
        if live is None and (length <= at).any():
            live = np.flatnonzero(length > at)
        elif live is not None:
            live = live[length[live] > at]
        take = slice(None) if live is None else live
        pos = starts[take] + at
        word = words[np.minimum(pos, last)] if words is not None else np.zeros(len(pos), dtype=np.uint64)
        late = np.flatnonzero(pos > last)
        word[late] = tail_words[pos[late] - tail_at]
        left = np.minimum(length[take] - at, _WORD)
        mixed = (fp[take] ^ (word & _MASKS[left])) * _MIX
        fp[take] = mixed ^ (mixed >> np.uint64(31))
    return fp
