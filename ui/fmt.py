"""Numbers and money as a client reads them: thousands separators, the currency named, compact on KPIs."""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def number(value: object) -> str:
    if _missing(value):
        return "—"
    v = float(value)  # type: ignore[arg-type]
    return f"{v:,.0f}" if v == round(v) else f"{v:,.1f}"


def money(value: object, currency: str | None, compact: bool = False) -> str:
    if _missing(value):
        return "—"
    v = float(value)  # type: ignore[arg-type]
    cur = f"{currency} " if currency else ""
    if compact and abs(v) >= 1_000_000:
        return f"{cur}{v / 1_000_000:,.2f}M"
    if compact and abs(v) >= 10_000:
        return f"{cur}{v / 1_000:,.0f}k"
    return f"{cur}{v:,.0f}"


def money_range(low: float, high: float, currency: str, compact: bool = True) -> str:
    return f"{money(low, currency, compact)} – {money(high, None, compact)}"


def percent(value: object, digits: int = 1) -> str:
    return "—" if _missing(value) else f"{float(value):.{digits}f}%"  # type: ignore[arg-type]


def date(value: dt.date | None) -> str:
    return value.strftime("%d %b %Y") if value else "—"


def days(value: int) -> str:
    n = abs(value)
    unit = "day" if n == 1 else "days"
    if value < 0:
        return f"{n:,} {unit} ago"
    return "today" if value == 0 else f"in {n:,} {unit}"


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+!|~$:-])")


def md(text: object) -> str:
    """Text from a client's files or form, escaped so Streamlit's markdown shows it literally (no links, images)."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def code(text: object) -> str:
    """Text from a file shown as inline code (a backtick inside it would end the span)."""
    return "`" + str(text).replace("`", "'") + "`"


def slug(text: str) -> str:
    """A file-name-safe version of a client name."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "engagement"
