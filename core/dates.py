"""Date cells to UTC calendar dates (DESIGN §3 "Dates"), vectorised over whole Series.

Each distinct value is classified by a format family (epoch, year-first, day-month-name, month-name-day,
numeric day/month) and parsed from that family's fields with integer arithmetic, so no format is guessed.
Numeric day/month values need the file's order: `detect_day_month_order` over the whole column, then
`decide_order` with the engagement's `date_order` setting. The result is a datetime64 at midnight
(tz-naive) holding the UTC date: an offset is applied before the date is taken.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.normalise import as_text, clean_text, extract, matches, to_ints

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


def _month_numbers(mon: pd.Series | pa.Array) -> np.ndarray:
    """Month number of each name (any case), -1 when not a month."""
    names = mon if isinstance(mon, pa.Array) else pa.array(mon, type=pa.large_string(), from_pandas=True)
    found = pc.fill_null(pc.index_in(pc.utf8_lower(names), value_set=_MONTH_NAMES), -1)
    return _MONTH_VALUES[np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int64)]


@dataclass(frozen=True)
class _Layout:
    """A fixed-width form of one family: every value matching `pattern` has its fields at these offsets, and
    the family's regex would read exactly those fields from it (and no earlier family would match it)."""

    pattern: str
    cuts: tuple[tuple[str, int, int], ...]  # (field, start, stop); y, m or mon, d or a and b, H, M, S
    numeric: bool = False

    def fields(self, values: pd.Series) -> dict[str, pa.Array]:
        arr = pa.array(values, type=pa.large_string(), from_pandas=True)
        return {name: pc.utf8_slice_codeunits(arr, a, b) for name, a, b in self.cuts}


def _ints(field: pa.Array | None, n: int) -> np.ndarray:
    if field is None:
        return np.zeros(n, dtype=np.int64)
    return np.asarray(pc.cast(field, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)


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

    epoch = matches(values, _EPOCH)
    if epoch.any():
        digits = to_ints(values[epoch])
        per_day = np.where(values[epoch].str.len().to_numpy() >= 12, 86_400_000, 86_400)
        out[epoch] = (digits // per_day).astype("datetime64[D]")
        todo &= ~epoch

    for layout in _LAYOUTS:  # the usual fixed-width forms first: fields cut by position, no regex groups
        if not todo.any():
            break
        where = np.flatnonzero(todo)
        where = where[matches(values.iloc[where], layout.pattern)]
        if not len(where):
            continue
        todo[where] = False
        cut, n = layout.fields(values.iloc[where]), len(where)
        y = _ints(cut["y"], n)
        if layout.numeric:
            if order not in ORDERS:
                continue  # undecidable without the file's order: stays NaT, so reported bad
            a, b = _ints(cut["a"], n), _ints(cut["b"], n)
            d, m = (a, b) if order == "DMY" else (b, a)
        else:
            d, m = _ints(cut["d"], n), (_ints(cut["m"], n) if "m" in cut else _month_numbers(cut["mon"]))
        clock = (_ints(cut.get("H"), n), _ints(cut.get("M"), n), _ints(cut.get("S"), n))
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


def _distinct(text: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """`pd.factorize(text)`: codes (-1 for missing) and distinct values; but a long column whose values hardly
    repeat (timestamps) skips the hashing, each present row standing for itself (a repeat is parsed twice)."""
    if len(text) >= 100_000:
        head = text.iloc[:10_000].dropna()
        if len(head) and head.nunique() >= 0.9 * len(head):
            present = text.notna().to_numpy()
            codes = np.full(len(text), -1, dtype=np.int64)
            codes[present] = np.arange(int(present.sum()))
            return codes, text[present].reset_index(drop=True)
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), pd.Series(uniques, dtype="str")


def parse_dates(s: pd.Series, order: str | None) -> tuple[pd.Series, pd.Series]:
    """UTC dates (datetime64 at midnight, tz-naive) and a bad mask; missing markers are NaT and not bad.

    `order` ("DMY" / "MDY") reads numeric day/month values such as 03/04/2026; with None they are bad.
    """
    order = order.strip().upper() if order else None
    if order is not None and order not in ORDERS:
        raise ValueError(f"date order must be one of {', '.join(ORDERS)} or None, not {order!r}")
    codes, uniques = _distinct(clean_text(s))
    parsed = _parse_unique(uniques, order).to_numpy()
    dates = np.append(parsed, np.datetime64("NaT"))[codes]  # code -1 (a missing cell) picks the appended NaT
    bad = (codes >= 0) & np.isnat(dates)
    return pd.Series(dates.astype(DATE_DTYPE), index=s.index, name=s.name), pd.Series(bad, index=s.index)


def _day_month_parts(numeric: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The first and second number of values matching _NUMERIC (cut by position where the form is fixed)."""
    a, b = np.empty(len(numeric), dtype=np.int64), np.empty(len(numeric), dtype=np.int64)
    todo = np.ones(len(numeric), dtype=bool)
    for layout in _LAYOUTS:
        if layout.numeric:
            hit = todo & matches(numeric, layout.pattern)
            cut = layout.fields(numeric[hit])
            a[hit], b[hit] = _ints(cut["a"], int(hit.sum())), _ints(cut["b"], int(hit.sum()))
            todo &= ~hit
    if todo.any():
        parts = extract(numeric[todo], _NUMERIC)
        a[todo], b[todo] = to_ints(parts["a"]), to_ints(parts["b"])
    return a, b


def detect_day_month_order(s: pd.Series) -> str | None:
    """Day/month order proven by a column's numeric dates: "DMY", "MDY", "conflict", None (undecided) or "n/a".

    A first part > 12 proves DMY, a second part > 12 proves MDY; "n/a" means no numeric day/month values.
    """
    uniques = _distinct(clean_text(s))[1]
    numeric = uniques[matches(uniques, _NUMERIC)]
    if numeric.empty:
        return "n/a"
    a, b = _day_month_parts(numeric)
    dmy = bool(((a > 12) & (a <= 31) & (b >= 1) & (b <= 12)).any())
    mdy = bool(((b > 12) & (b <= 31) & (a >= 1) & (a <= 12)).any())
    if dmy and mdy:
        return "conflict"
    return "DMY" if dmy else "MDY" if mdy else None


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
