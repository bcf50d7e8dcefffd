"""Fast text columns: everything stays in pandas' Arrow-backed `str` dtype (numpy object arrays and np.where
on strings cost seconds per million rows; these helpers cost milliseconds)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def lookup(values: Sequence[str], idx: np.ndarray) -> pd.Series:
    """values[idx] as a str Series."""
    return pd.Series(list(values), dtype="str").iloc[np.asarray(idx)].reset_index(drop=True)


def const(value: str, n: int) -> pd.Series:
    return lookup([value], np.zeros(n, dtype=np.int64))


def digits(numbers: np.ndarray, width: int = 1) -> pd.Series:
    """Whole numbers as text, zero-padded to `width` (Arrow cast: no Python objects)."""
    arr = pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string())
    if width > 1:
        arr = pc.utf8_lpad(arr, width, "0")
    return pd.Series(arr, dtype="str")


def spread(values: pd.Series, positions: np.ndarray, n: int) -> pd.Series:
    """A str Series of length n holding values[i] at positions[i] and "" elsewhere."""
    padded = pd.concat([values.reset_index(drop=True), const("", 1)], ignore_index=True)
    idx = np.full(n, len(values), dtype=np.int64)
    idx[positions] = np.arange(len(values))
    return padded.iloc[idx].reset_index(drop=True)


def pick(cond: np.ndarray, yes: pd.Series | str, no: pd.Series | str) -> pd.Series:
    """yes where cond else no, elementwise, for str Series or scalars."""
    n = len(cond)
    base = yes if isinstance(yes, pd.Series) else const(yes, n)
    return base.where(pd.Series(np.asarray(cond, dtype=bool)), no)


_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def base36(numbers: np.ndarray, width: int) -> pd.Series:
    """Fixed-width base-36 text of non-negative integers (distinct numbers give distinct text)."""
    numbers = np.asarray(numbers, dtype=np.int64)
    out = lookup(_ALNUM, numbers % 36)
    for power in range(1, width):
        out = lookup(_ALNUM, (numbers // 36**power) % 36) + out
    return out


def order(keys: pd.Series) -> np.ndarray:
    """Case-insensitive stable sort order of a str Series."""
    return keys.str.lower().argsort(kind="stable").to_numpy()
