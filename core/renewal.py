"""Renewal countdown, consumption reduction and the leverage estimate (DESIGN §4 "Renewal and leverage")."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from core.pools import license_key
from core.settings import Settings

ON_TRACK, LATE_START, PAST_LOCK, CLOSED = "on track", "late start", "past lock", "closed"


def months_before(day: dt.date, months: int) -> dt.date:
    """Calendar months back, the day clamped to the month's length (2027-08-31 − 6 months = 2027-02-28)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Milestones:
    """Hygiene start, baseline lock and renewal close, the status at as_of and days to each (negative when past).

    Status: on track (as_of < hygiene_start), late start (hygiene_start ≤ as_of < lock), past lock
    (lock ≤ as_of ≤ close: the close day itself is still open), closed (as_of > close). Checked from the
    latest milestone back, so lead months that put the lock before the hygiene start still give one answer.
    """

    as_of: dt.date
    hygiene_start: dt.date
    lock: dt.date
    close: dt.date
    status: str
    days_to_hygiene_start: int
    days_to_lock: int
    days_to_close: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "hygiene_start": self.hygiene_start.isoformat(),
            "lock": self.lock.isoformat(),
            "close": self.close.isoformat(),
            "status": self.status,
            "days_to_hygiene_start": self.days_to_hygiene_start,
            "days_to_lock": self.days_to_lock,
            "days_to_close": self.days_to_close,
        }


def milestones(settings: Settings) -> Milestones | None:
    """The renewal timeline at settings.as_of; None when no renewal_date is set."""
    close = settings.renewal_date
    if close is None:
        return None
    start = months_before(close, settings.hygiene_lead_months)
    lock = months_before(close, settings.lock_lead_months)
    as_of = settings.as_of
    if as_of > close:
        status = CLOSED
    elif as_of >= lock:
        status = PAST_LOCK
    elif as_of >= start:
        status = LATE_START
    else:
        status = ON_TRACK
    return Milestones(
        as_of=as_of,
        hygiene_start=start,
        lock=lock,
        close=close,
        status=status,
        days_to_hygiene_start=(start - as_of).days,
        days_to_lock=(lock - as_of).days,
        days_to_close=(close - as_of).days,
    )


@dataclass(frozen=True, eq=False)
class Consumption:
    """How much clean-up takes out of the consumption Cisco would read.

    units_removed = Σ (in_use − clean_in_use): removable + released, except where clean_in_use was clamped
    at 0 (more removed than the export showed in use) — a pool cannot give back more than it consumes.
    percent = 100 × units_removed / Σ in_use (a percentage, like the leverage pcts); clean_share =
    Σ clean_in_use / Σ in_use (a fraction 0–1). Both None when Σ in_use is 0. value = Σ units × unit_price
    over priced licences (None without prices, or when prices mix currencies); licences with units removed
    and no price are listed in unpriced_licenses instead of counting as zero.
    by_license: license, in_use, clean_in_use, units_removed, unit_price, value (NaN where unpriced).
    """

    in_use: int
    clean_in_use: int
    units_removed: int
    percent: float | None
    clean_share: float | None
    value: float | None
    currency: str | None
    unpriced_licenses: tuple[str, ...]
    by_license: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "in_use": self.in_use,
            "clean_in_use": self.clean_in_use,
            "units_removed": self.units_removed,
            "percent": self.percent,
            "clean_share": self.clean_share,
            "value": self.value,
            "currency": self.currency,
            "unpriced_licenses": list(self.unpriced_licenses),
        }


def consumption(baseline: pd.DataFrame, prices: pd.DataFrame | None) -> Consumption:
    """Consumption reduction in units, percent and (with prices) money, over every pool with a known in_use.

    Prices are matched on the licence key; the first price given for a licence wins.
    """
    pools = pd.DataFrame(
        {
            "license_key": license_key(baseline["license"]),
            "license": baseline["license"],
            "in_use": baseline["in_use"].astype("Int64"),
            "clean_in_use": baseline["clean_in_use"].astype("Int64"),
        }
    ).dropna(subset=["in_use", "clean_in_use"])
    by = (
        pools.groupby("license_key", sort=False)
        .agg(license=("license", "first"), in_use=("in_use", "sum"), clean_in_use=("clean_in_use", "sum"))
        .reset_index()
    )
    by["units_removed"] = by["in_use"] - by["clean_in_use"]
    priced = prices is not None and not prices.empty
    currency: str | None = None
    by["unit_price"] = float("nan")
    if priced and prices is not None:
        table = prices.assign(license_key=license_key(prices["license"])).dropna(subset=["unit_price"])
        table = table.drop_duplicates("license_key").set_index("license_key")
        by["unit_price"] = by["license_key"].map(table["unit_price"]).astype("float64")
        found = table["currency"].dropna().astype(str).str.strip() if "currency" in table else pd.Series(dtype=str)
        currencies = sorted(set(found[found != ""]))
        currency = ", ".join(currencies) if currencies else None
        priced = len(currencies) <= 1
    by["value"] = by["units_removed"].astype("float64") * by["unit_price"]
    unpriced = by.loc[(by["units_removed"] > 0) & by["unit_price"].isna(), "license"]

    total_in_use = int(by["in_use"].sum())
    total_clean = int(by["clean_in_use"].sum())
    units = total_in_use - total_clean
    by = by.sort_values("license", kind="stable").reset_index(drop=True)
    return Consumption(
        in_use=total_in_use,
        clean_in_use=total_clean,
        units_removed=units,
        percent=100.0 * units / total_in_use if total_in_use else None,
        clean_share=total_clean / total_in_use if total_in_use else None,
        value=float(by["value"].sum()) if priced else None,
        currency=currency,
        unpriced_licenses=tuple(sorted(unpriced)),
        by_license=by[["license", "in_use", "clean_in_use", "units_removed", "unit_price", "value"]],
    )


@dataclass(frozen=True)
class Leverage:
    """The leverage range: renewal_value × [low_pct, high_pct] %, with its assumptions. An estimate."""

    renewal_value: float
    low_pct: float
    high_pct: float
    currency: str
    low: float
    high: float
    label: str = "estimate"

    def to_dict(self) -> dict[str, Any]:
        return {
            "renewal_value": float(self.renewal_value),
            "low_pct": float(self.low_pct),
            "high_pct": float(self.high_pct),
            "currency": self.currency,
            "low": float(self.low),
            "high": float(self.high),
            "label": self.label,
        }


def leverage(settings: Settings) -> Leverage | None:
    """What a clean account may be worth off the renewal; None when no renewal_value is set."""
    value = settings.renewal_value
    if value is None:
        return None
    low, high = settings.leverage_low_pct, settings.leverage_high_pct
    return Leverage(
        renewal_value=float(value),
        low_pct=float(low),
        high_pct=float(high),
        currency=settings.currency,
        low=value * low / 100.0,
        high=value * high / 100.0,
    )


def sensitivity(settings: Settings, steps: int = 31, max_pct: float = 15.0) -> pd.DataFrame:
    """Leverage value at `steps` evenly spaced percentages from 0 to max(max_pct, leverage_high_pct).

    Columns pct, value, in_range (low ≤ pct ≤ high); empty when no renewal_value is set.
    """
    if steps < 2:
        raise ValueError("sensitivity needs at least 2 steps")
    columns = {"pct": "float64", "value": "float64", "in_range": "bool"}
    value = settings.renewal_value
    if value is None:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    top = max(float(max_pct), float(settings.leverage_high_pct))
    pct = pd.Series([top * i / (steps - 1) for i in range(steps)], dtype="float64")
    in_range = pct.between(settings.leverage_low_pct, settings.leverage_high_pct)
    return pd.DataFrame({"pct": pct, "value": float(value) * pct / 100.0, "in_range": in_range})
