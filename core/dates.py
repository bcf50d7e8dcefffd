"""Date cells to UTC calendar dates (DESIGN §3 "Dates"), vectorised over whole Series.

Each distinct value is classified by a format family (epoch, year-first, day-month-name, month-name-day,
numeric day/month) and parsed from that family's fields with integer arithmetic, so no format is guessed.
Numeric day/month values need the file's order: `detect_day_month_order` over the whole column, then
`decide_order` with the engagement's `date_order` setting. The result is a datetime64 at midnight
(tz-naive) holding the UTC date: an offset is applied before the date is taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.arrowtext import Strings, arrow, as_text, extract, factorize, found, matches, to_ints
from core.normalise import clean_text

ORDERS: tuple[str, ...] = ("DMY", "MDY")
DATE_DTYPE = "datetime64[us]"

_TIME = (
    r"(?:(?:T|\s+|\s*,\s*)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?\s*(?P<ampm>(?i:[ap])\.?(?i:m)\.?)?)?"
    r"\s*(?P<tz>Z|(?i:utc|gmt)|[+-]\d{2}(?::?\d{2})?)?$"
)
_MON = r"(?P<mon>[A-Za-z]{3,9})\.?"
_FAMILIES: tuple[str, ...] = (
    r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME,  # ISO, Excel text, 2026/10/30
    rf"^(?P<y>\d{{4}})[-/. ]{_MON}[-/. ](?P<d>\d{{1,2}})" + _TIME,  # 2026-Oct-30 14:03:22
    rf"^(?P<d>\d{{1,2}})(?i:st|nd|rd|th)?[-/. ]+{_MON}[-/., ]+(?P<y>\d{{4}})" + _TIME,  # 30-Oct-2026, 30 Oct 2026
    rf"^{_MON}\s+(?P<d>\d{{1,2}})(?i:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})" + _TIME,  # Oct 30, 2026
)
_NUMERIC = r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4}|\d{2})" + _TIME  # 30/10/2026, 10.30.26
_EPOCH = r"^(?:\d{9,10}|\d{12,13})$"

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_FULL_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december",
)  # fmt: skip
MONTH_NUMBERS: dict[str, int] = {
    **{m: i for i, m in enumerate(_MONTHS, 1)},
    **{m: i for i, m in enumerate(_FULL_MONTHS, 1)},
    "sept": 9,
}


_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _offset_minutes(tz: pd.Series) -> np.ndarray:
    """Minutes east of UTC from Z / UTC / GMT / +02:00 / +0200 / -05; 0 when absent."""
    parts = extract(tz, r"^(?P<sign>[+-])(?P<hh>\d{2}):?(?P<mm>\d{2})?$")
    minutes = to_ints(parts["hh"]) * 60 + to_ints(parts["mm"])
    return np.where(parts["sign"].to_numpy(dtype=object) == "-", -minutes, minutes)


def _days_since_epoch(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Proleptic Gregorian day number (1970-01-01 = 0); H. Hinnant's days_from_civil, in integers."""
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def _to_dates(
    y: np.ndarray,
    m: np.ndarray,
    d: np.ndarray,
    fields: pd.DataFrame | None,
    clock: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """UTC dates (datetime64[D]) and validity from calendar fields plus the time / AM-PM / offset groups, or
    from `clock` (hour, minute, second of a form with no AM/PM and no offset other than Z)."""
    if clock is None:
        assert fields is not None
        hour, minute, second = to_ints(fields["H"]), to_ints(fields["M"]), to_ints(fields["S"])
        has_ampm = fields["ampm"].notna().to_numpy()
        pm = fields["ampm"].str.lower().str.startswith("p").fillna(False).to_numpy(dtype=bool)
        offset = _offset_minutes(fields["tz"])
    else:
        hour, minute, second = clock
        has_ampm = pm = np.zeros(len(y), dtype=bool)
        offset = np.zeros(len(y), dtype=np.int64)
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(m, 1, 12) - 1] + ((m == 2) & leap)
    valid = (m >= 1) & (m <= 12) & (d >= 1) & (d <= month_days) & (hour <= 23) & (minute <= 59) & (second <= 60)
    valid &= ~has_ampm | ((hour >= 1) & (hour <= 12))
    hour = np.where(has_ampm, hour % 12 + 12 * pm, hour)
    minutes = _days_since_epoch(y, m, d) * 1440 + hour * 60 + minute - offset
    return (minutes // 1440).astype("datetime64[D]"), valid


_MONTH_NAMES = pa.array(list(MONTH_NUMBERS), type=pa.large_string())
_MONTH_VALUES = np.array([*MONTH_NUMBERS.values(), -1], dtype=np.int64)
_ABBREVIATIONS = sorted((int.from_bytes(k.encode(), "big"), v) for k, v in MONTH_NUMBERS.items() if len(k) == 3)
_MONTH_CODES = np.array([code for code, _ in _ABBREVIATIONS], dtype=np.int64)  # "oct" as 0x6f6374, sorted
_MONTH_CODE_NUMBERS = np.array([number for _, number in _ABBREVIATIONS], dtype=np.int64)


def _month_numbers(mon: pd.Series | Strings) -> np.ndarray:
    """Month number of each name (any case), -1 when not a month."""
    names = arrow(mon) if isinstance(mon, pd.Series) else mon
    found = pc.fill_null(pc.index_in(pc.utf8_lower(names), value_set=_MONTH_NAMES), -1)
    return _MONTH_VALUES[np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int64)]


@dataclass(frozen=True)
class _Layout:
    """A fixed-width form of one family: every value matching `pattern` has its fields at these offsets, and
    the family's regex would read exactly those fields from it (and no earlier family would match it)."""

    pattern: str
    cuts: tuple[tuple[str, int, int], ...]  # (field, start, stop); y, m or mon, d or a and b, H, M, S
    numeric: bool = False

    @property
    def classes(self) -> tuple[str, ...]:
        """Per byte of a value of the form: "\\d" (an ASCII digit), "[A-Za-z]" (an ASCII letter) or that character."""
        out: list[str] = []
        for m in re.finditer(r"(\\d|\[A-Za-z\])(?:\{(\d+)\})?|([^\\^$])", self.pattern):
            out += [m.group(1)] * int(m.group(2) or 1) if m.group(1) else [m.group(3)]
        return tuple(out)

    @property
    def width(self) -> int:
        """Every value of the form is this many bytes long (its pattern is anchored and fixed-width ASCII)."""
        return len(self.classes)

    def fits(self, grid: np.ndarray) -> np.ndarray:
        """Which rows of a `width`-byte grid the pattern matches: each byte checked against its class (what
        the anchored regex does, RE2's \\d being ASCII digits only)."""
        ok = np.ones(len(grid), dtype=bool)
        for i, cls in enumerate(self.classes):
            byte = grid[:, i]
            if cls == "\\d":
                ok &= (byte - 48) <= 9  # uint8: anything below "0" wraps round to a large number
            elif cls == "[A-Za-z]":
                ok &= ((byte | 32) - 97) <= 25  # setting bit 5 lower-cases A-Z and maps nothing else into a-z
            else:
                ok &= byte == ord(cls)
        return ok

    def numbers(self, grid: np.ndarray) -> dict[str, np.ndarray]:
        """The fields of values of this form (as a grid of their bytes) as integers, a month name as its number."""
        out = {}
        for name, a, b in self.cuts:
            number = np.zeros(len(grid), dtype=np.int64)
            if name == "mon":  # three ASCII letters: lower-cased by setting bit 5, looked up as one number
                for i in range(a, b):
                    number = (number << 8) | (grid[:, i] | 32)
                at = np.minimum(np.searchsorted(_MONTH_CODES, number), len(_MONTH_CODES) - 1)
                out["m"] = np.where(_MONTH_CODES[at] == number, _MONTH_CODE_NUMBERS[at], -1)
            else:
                for i in range(a, b):
                    number = number * 10 + (grid[:, i] - 48)
                out[name] = number
        return out


def _grid(values: Strings, width: int) -> np.ndarray:
    """Values all `width` bytes long, which lie end to end in their buffer, as an (n, width) matrix of bytes."""
    flat = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    flat = flat.cast(pa.large_string())
    if not len(flat):
        return np.zeros((0, width), dtype=np.uint8)
    start = int(np.frombuffer(flat.buffers()[1], dtype=np.int64)[flat.offset])
    data = np.frombuffer(flat.buffers()[2], dtype=np.uint8)
    return data[start : start + len(flat) * width].reshape(len(flat), width)


def _layout_rows(arr: Strings, rows: np.ndarray, layout: _Layout) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Of `rows` (positions of values `layout.width` bytes long), those of the layout's form, and their fields."""
    grid = _grid(arr if len(rows) == len(arr) else arr.take(pa.array(rows)), layout.width)
    fit = layout.fits(grid)
    return rows[fit], layout.numbers(grid[fit])


_YMD = (("y", 0, 4), ("m", 5, 7), ("d", 8, 10))
_HMS = (("H", 11, 13), ("M", 14, 16), ("S", 17, 19))
_LAYOUTS = (
    _Layout(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", _YMD + _HMS),  # 2026-10-30T14:03:22Z (Z: UTC)
    _Layout(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", _YMD + _HMS),  # 2026-10-30 14:03:22
    _Layout(r"^\d{4}-\d{2}-\d{2}$", _YMD),  # 2026-10-30
    _Layout(
        r"^\d{4}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2}$",
        (("y", 0, 4), ("mon", 5, 8), ("d", 9, 11), ("H", 12, 14), ("M", 15, 17), ("S", 18, 20)),
    ),  # 2026-Oct-30 14:03:22
    _Layout(
        r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$",
        (("a", 0, 2), ("b", 3, 5), ("y", 6, 10), ("H", 11, 13), ("M", 14, 16)),
        numeric=True,
    ),  # 30/10/2026 14:03
    _Layout(r"^\d{2}/\d{2}/\d{4}$", (("a", 0, 2), ("b", 3, 5), ("y", 6, 10)), numeric=True),  # 30/10/2026
)


def _parse_unique(values: pd.Series, order: str | None) -> pd.Series:
    """UTC dates for distinct, trimmed, non-missing values; NaT where no family parses the value."""
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[D]")
    todo = np.ones(len(values), dtype=bool)
    arr = arrow(values)
    size = np.asarray(pc.fill_null(pc.binary_length(arr), -1).to_numpy(zero_copy_only=False), dtype=np.int64)

    epoch = _full_matches(arr, np.isin(size, (9, 10, 12, 13)), _EPOCH)  # all digits: as many bytes as characters
    if epoch.any():
        digits = to_ints(values[epoch])
        per_day = np.where(size[epoch] >= 12, 86_400_000, 86_400)
        out[epoch] = (digits // per_day).astype("datetime64[D]")
        todo &= ~epoch

    for layout in _LAYOUTS:  # the usual fixed-width forms first: bytes checked and read by position, no regex
        rows = np.flatnonzero(todo & (size == layout.width))
        if not len(rows):
            continue
        where, cut = _layout_rows(arr, rows, layout)
        todo[where] = False
        if not len(where) or (layout.numeric and order not in ORDERS):
            continue  # numeric day/month, undecidable without the file's order: stays NaT, so reported bad
        y, zero = cut["y"], np.zeros(len(where), dtype=np.int64)
        if layout.numeric:
            d, m = (cut["a"], cut["b"]) if order == "DMY" else (cut["b"], cut["a"])
        else:
            d, m = cut["d"], cut["m"]
        clock = (cut.get("H", zero), cut.get("M", zero), cut.get("S", zero))
        dates, valid = _to_dates(y, m, d, None, clock)
        out[where[valid]] = dates[valid]

    for pattern in (*_FAMILIES, _NUMERIC):
        if not todo.any():
            break
        where = np.flatnonzero(todo)
        where = where[matches(values.iloc[where], pattern)]
        if not len(where):
            continue
        todo[where] = False
        fields = extract(values.iloc[where], pattern)
        y = to_ints(fields["y"])
        if pattern == _NUMERIC:
            if order not in ORDERS:
                continue  # undecidable without the file's order: stays NaT, so reported bad
            y = np.where(y < 100, np.where(y < 69, 2000 + y, 1900 + y), y)
            a, b = to_ints(fields["a"]), to_ints(fields["b"])
            d, m = (a, b) if order == "DMY" else (b, a)
        else:
            d, m = to_ints(fields["d"]), (to_ints(fields["m"]) if "m" in fields else _month_numbers(fields["mon"]))
        dates, valid = _to_dates(y, m, d, fields)
        out[where[valid]] = dates[valid]
    return pd.Series(out.astype(DATE_DTYPE))


def _full_matches(arr: Strings, rows: np.ndarray, pattern: str) -> np.ndarray:
    """Boolean array: `rows` (a mask) whose value the anchored pattern matches; the rest False, never searched."""
    out = np.zeros(len(arr), dtype=bool)
    if rows.all():
        out[:] = found(arr, pattern)
    elif rows.any():
        out[rows] = found(arr.filter(pa.array(rows)), pattern)
    return out


def _distinct(text: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """`pd.factorize(text)`: codes (-1 for missing) and distinct values; but a long column whose values hardly
    repeat (timestamps) skips the hashing, each present row standing for itself (a repeat is parsed twice)."""
    if len(text) >= 100_000:
        head = text.iloc[:10_000].dropna()
        if len(head) and head.nunique() >= 0.9 * len(head):
            present = text.notna().to_numpy()
            codes = np.full(len(text), -1, dtype=np.int64)
            codes[present] = np.arange(int(present.sum()))
            return codes, (text if present.all() else text[present]).reset_index(drop=True)
    return factorize(text)


@dataclass(frozen=True)
class Cells:
    """A date column's cells, cleaned, as codes (-1 for missing) into its distinct values: detecting the file's
    day/month order and parsing both read this, so the column is cleaned and hashed once."""

    codes: np.ndarray
    values: pd.Series


def cells(s: pd.Series) -> Cells:
    return Cells(*_distinct(clean_text(s)))


def parse_dates(s: pd.Series, order: str | None) -> tuple[pd.Series, pd.Series]:
    """UTC dates (datetime64 at midnight, tz-naive) and a bad mask; missing markers are NaT and not bad.

    `order` ("DMY" / "MDY") reads numeric day/month values such as 03/04/2026; with None they are bad.
    """
    return parse_cells(cells(s), order, s)


def parse_cells(c: Cells, order: str | None, like: pd.Series) -> tuple[pd.Series, pd.Series]:
    """parse_dates of the column `c` was made from (`like` gives the index and name)."""
    order = order.strip().upper() if order else None
    if order is not None and order not in ORDERS:
        raise ValueError(f"date order must be one of {', '.join(ORDERS)} or None, not {order!r}")
    parsed = _parse_unique(c.values, order).to_numpy()
    dates = np.append(parsed, np.datetime64("NaT"))[c.codes]  # code -1 (a missing cell) picks the appended NaT
    bad = (c.codes >= 0) & np.isnat(dates)
    return pd.Series(dates.astype(DATE_DTYPE), index=like.index, name=like.name), pd.Series(bad, index=like.index)


def _day_month_parts(numeric: Strings) -> tuple[np.ndarray, np.ndarray]:
    """The first and second number of values matching _NUMERIC (cut by position where the form is fixed)."""
    a, b = np.empty(len(numeric), dtype=np.int64), np.empty(len(numeric), dtype=np.int64)
    todo = np.ones(len(numeric), dtype=bool)
    size = np.asarray(pc.binary_length(numeric).to_numpy(zero_copy_only=False), dtype=np.int64)
    for layout in _LAYOUTS:
        rows = np.flatnonzero(todo & (size == layout.width))
        if layout.numeric and len(rows):
            hit, cut = _layout_rows(numeric, rows, layout)
            a[hit], b[hit] = cut["a"], cut["b"]
            todo[hit] = False
    if todo.any():
        parts = extract(pd.Series(pd.array(numeric.filter(pa.array(todo)), dtype="str")), _NUMERIC)
        a[todo], b[todo] = to_ints(parts["a"]), to_ints(parts["b"])
    return a, b


def day_month_evidence(c: Cells) -> tuple[bool, bool, bool]:
    """Whether the column holds numeric day/month values, and whether one proves DMY (first part > 12) or MDY."""
    values = arrow(c.values)
    numeric = values.filter(pa.array(found(values, _NUMERIC)))
    if not len(numeric):
        return False, False, False
    a, b = _day_month_parts(numeric)
    dmy = bool(((a > 12) & (a <= 31) & (b >= 1) & (b <= 12)).any())
    mdy = bool(((b > 12) & (b <= 31) & (a >= 1) & (a <= 12)).any())
    return True, dmy, mdy


def order_proven(evidence: list[tuple[bool, bool, bool]]) -> str | None:
    """What the evidence of a file's date columns proves: "DMY", "MDY", "conflict", None (undecided) or "n/a"."""
    if not any(numeric for numeric, _, _ in evidence):
        return "n/a"
    dmy, mdy = any(e[1] for e in evidence), any(e[2] for e in evidence)
    if dmy and mdy:
        return "conflict"
    return "DMY" if dmy else "MDY" if mdy else None


def detect_day_month_order(s: pd.Series) -> str | None:
    """Day/month order proven by a column's numeric dates: "DMY", "MDY", "conflict", None (undecided) or "n/a".

    A first part > 12 proves DMY, a second part > 12 proves MDY; "n/a" means no numeric day/month values.
    """
    return order_proven([day_month_evidence(cells(s))])


def numeric_day_month(s: pd.Series) -> str | None:
    """The first value written as numeric day and month (03/04/2026), else None: for messages."""
    text = as_text(s).str.strip()
    hits = matches(text, _NUMERIC)
    return str(text[hits].iloc[0]) if hits.any() else None


def decide_order(detected: str | None, setting: str | None) -> tuple[str | None, str]:
    """The order to parse a file with, and "" or the error text for a file whose order cannot be decided.

    What the file proves wins over the setting; the setting only decides a file that proves nothing.
    """
    wanted = setting.strip().upper() if setting and setting.strip() else None
    if wanted is not None and wanted not in ORDERS:
        return None, f"date_order must be DMY or MDY, not '{setting}'"
    if detected in ORDERS:
        return detected, ""
    if detected == "conflict":
        return None, (
            "dates in this file prove both day/month (DMY, like 30/10/2026) and month/day (MDY, like 10/30/2026) "
            "order; the file mixes formats and cannot be read reliably"
        )
    if detected is None and wanted is None:
        return None, "dates like 03/04/2026 could be day/month or month/day; set date_order to DMY or MDY"
    return wanted, ""
