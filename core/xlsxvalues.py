"""Cell values as text, and Excel's date serials, exactly as openpyxl 3.1 reads them (data_only, read-only).

`cell_text` renders what openpyxl returns; `from_excel`, `is_date_format` and `is_timedelta_format` are
faithful copies of openpyxl's (openpyxl/utils/datetime.py, openpyxl/styles/numbers.py), so the light reader
(core.xlsxparts, core.xlsxcells) gives the same values without importing openpyxl.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

WINDOWS_EPOCH = dt.datetime(1899, 12, 30)
MAC_EPOCH = dt.datetime(1904, 1, 1)
# numFmtIds of openpyxl's BUILTIN_FORMATS that is_date_format / is_timedelta_format accept (14-22 are dates and
# times, 45 'mm:ss', 46 '[h]:mm:ss', 47 'mmss.0'); tests/integration/test_xlsx_fast.py checks them against openpyxl
BUILTIN_DATES = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
BUILTIN_TIMEDELTAS = frozenset({46})

_STRIP = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')  # literals in quotes, [Red] and locales
_DATE_CHAR = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_TIMEDELTA = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


class Unsupported(Exception):
    """A workbook the light reader leaves to openpyxl: unusual markup, a broken part, anything not plain."""


def _entity(m: re.Match[str]) -> str:
    name = m.group(1)
    if name[0] != "#":
        return _NAMED[name]
    return chr(int(name[2:], 16) if name[1] == "x" else int(name[1:]))


def xml_text(raw: str) -> str:
    """Character data of well-formed XML as a parser reports it: line ends normalised, then references replaced."""
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    return _ENTITY.sub(_entity, raw) if "&" in raw else raw


def is_date_format(fmt: str | None) -> bool:
    """openpyxl's test: a number format whose first section shows a date or time part."""
    if fmt is None:
        return False
    return _DATE_CHAR.search(_STRIP.sub("", fmt.split(";")[0])) is not None


def is_timedelta_format(fmt: str | None) -> bool:
    """openpyxl's test: elapsed time ([h]:mm and the like) in the first section."""
    if fmt is None:
        return False
    return _TIMEDELTA.search(fmt.split(";")[0]) is not None


def from_excel(value: float, epoch: dt.datetime = WINDOWS_EPOCH, timedelta: bool = False) -> Any:
    """An Excel serial as openpyxl's from_excel gives it: a datetime, a time (under one day) or a timedelta."""
    if timedelta:
        td = dt.timedelta(days=value)
        if td.microseconds:  # round to millisecond precision
            td = dt.timedelta(seconds=td.total_seconds() // 1, microseconds=round(td.microseconds, -3))
        return td
    day, fraction = divmod(value, 1)
    ms = round(fraction * 86400 * 1000)  # openpyxl's timedelta(milliseconds=...), kept as an int
    if 0 <= value < 1 and ms < 86_400_000:
        seconds, millis = divmod(ms, 1000)
        mins, seconds = divmod(seconds, 60)
        hours, mins = divmod(mins, 60)
        return dt.time(hours, mins, seconds, millis * 1000)
    if 0 < value < 60 and epoch == WINDOWS_EPOCH:
        day += 1
    return epoch + dt.timedelta(day) + dt.timedelta(0, 0, 0, ms)


def cell_text(value: Any) -> str:
    """A cell value as the text a user sees: ISO dates, 12 not 12.0, TRUE/FALSE."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, dt.datetime):
        if value.year < 1000 or value.tzinfo is not None:  # isoformat pads the year and shows the offset
            return value.strftime("%Y-%m-%d" if value.time() == dt.time(0) else "%Y-%m-%d %H:%M:%S")
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(" ", "seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def number_text(raw: str, date: bool, timedelta: bool, epoch: dt.datetime) -> str:
    """A numeric cell's text: openpyxl's _cast_number, then from_excel when its style is a date format (a serial
    out of the range of dates is the error openpyxl makes it, without openpyxl's warning)."""
    value: float = float(raw) if "." in raw or "E" in raw or "e" in raw else int(raw)
    if date:
        try:
            return cell_text(from_excel(value, epoch, timedelta))
        except (OverflowError, ValueError):  # openpyxl warns and reads the cell as this error
            return "#VALUE!"
    if isinstance(value, int):
        return str(value)
    return cell_text(value)


def column_number(letters: str, cache: dict[str, int]) -> int:
    """A cell reference's column letters as openpyxl numbers them (A = 1), remembered in `cache`."""
    n = cache.get(letters)
    if n is None:
        n = 0
        for ch in letters:
            n = n * 26 + ord(ch) - 64
        cache[letters] = n
    return n
