"""Date cells to UTC calendar dates (DESIGN §3 "Dates"), vectorised over whole Series.

Each distinct value is classified by a format family (epoch, year-first, day-month-name, month-name-day,
numeric day/month) and parsed from that family's fields with integer arithmetic, so no format is guessed.
Numeric day/month values need the file's order: `detect_day_month_order` over the whole column, then
`decide_order` with the engagement's `date_order` setting. The result is a datetime64 at midnight
(tz-naive) holding the UTC date: an offset is applied before the date is taken.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.normalise import as_text, extract, matches, missing_mask, to_ints

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


def _to_dates(y: np.ndarray, m: np.ndarray, d: np.ndarray, fields: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """UTC dates (datetime64[D]) and validity from calendar fields plus the time / AM-PM / offset groups."""
    hour, minute, second = to_ints(fields["H"]), to_ints(fields["M"]), to_ints(fields["S"])
    has_ampm = fields["ampm"].notna().to_numpy()
    pm = fields["ampm"].str.lower().str.startswith("p").fillna(False).to_numpy(dtype=bool)
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(m, 1, 12) - 1] + ((m == 2) & leap)
    valid = (m >= 1) & (m <= 12) & (d >= 1) & (d <= month_days) & (hour <= 23) & (minute <= 59) & (second <= 60)
    valid &= ~has_ampm | ((hour >= 1) & (hour <= 12))
    hour = np.where(has_ampm, hour % 12 + 12 * pm, hour)
    minutes = _days_since_epoch(y, m, d) * 1440 + hour * 60 + minute - _offset_minutes(fields["tz"])
    return (minutes // 1440).astype("datetime64[D]"), valid


def _month_numbers(mon: pd.Series) -> np.ndarray:
    return np.asarray(mon.str.lower().map(MONTH_NUMBERS).fillna(-1), dtype="int64")


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


def parse_dates(s: pd.Series, order: str | None) -> tuple[pd.Series, pd.Series]:
    """UTC dates (datetime64 at midnight, tz-naive) and a bad mask; missing markers are NaT and not bad.

    `order` ("DMY" / "MDY") reads numeric day/month values such as 03/04/2026; with None they are bad.
    """
    order = order.strip().upper() if order else None
    if order is not None and order not in ORDERS:
        raise ValueError(f"date order must be one of {', '.join(ORDERS)} or None, not {order!r}")
    text = as_text(s).str.strip()
    text = text.mask(missing_mask(text))
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    parsed = _parse_unique(pd.Series(uniques, dtype="str"), order).to_numpy()
    dates = np.append(parsed, np.datetime64("NaT"))[codes]  # code -1 (a missing cell) picks the appended NaT
    bad = (codes >= 0) & np.isnat(dates)
    return pd.Series(dates.astype(DATE_DTYPE), index=s.index, name=s.name), pd.Series(bad, index=s.index)


def detect_day_month_order(s: pd.Series) -> str | None:
    """Day/month order proven by a column's numeric dates: "DMY", "MDY", "conflict", None (undecided) or "n/a".

    A first part > 12 proves DMY, a second part > 12 proves MDY; "n/a" means no numeric day/month values.
    """
    text = as_text(s).str.strip()
    uniques = pd.Series(text[~missing_mask(text)].unique(), dtype="str")
    parts = extract(uniques[matches(uniques, _NUMERIC)], _NUMERIC)
    if parts.empty:
        return "n/a"
    a, b = to_ints(parts["a"]), to_ints(parts["b"])
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
