"""Renewal milestones, consumption reduction, leverage estimate and its sensitivity."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from core.renewal import consumption, leverage, milestones, months_before, sensitivity
from core.settings import Settings

D = dt.date
RENEWAL = D(2027, 9, 30)  # hygiene start 2026-12-30 (9 months before), lock 2027-03-30 (6 months before)


def at(as_of: dt.date, **values) -> Settings:
    return Settings(as_of=as_of, **{"renewal_date": RENEWAL, **values})


# ---- milestones --------------------------------------------------------------------------------------------


def test_months_before_clamps_the_day_to_the_end_of_a_shorter_month():
    assert months_before(D(2027, 8, 31), 6) == D(2027, 2, 28)
    assert months_before(D(2028, 8, 31), 6) == D(2028, 2, 29)  # leap year
    assert months_before(D(2027, 3, 15), 9) == D(2026, 6, 15)
    assert months_before(D(2027, 1, 31), 1) == D(2026, 12, 31)


def test_milestones_sit_nine_and_six_months_before_the_renewal_close():
    m = milestones(at(D(2026, 11, 1)))
    assert m is not None
    assert (m.hygiene_start, m.lock, m.close) == (D(2026, 12, 30), D(2027, 3, 30), RENEWAL)
    # 2026-11-01 -> 2026-12-30 is 59 days; -> 2027-03-30 is 149; -> 2027-09-30 is 333.
    assert (m.days_to_hygiene_start, m.days_to_lock, m.days_to_close) == (59, 149, 333)


def test_a_month_end_renewal_clamps_its_milestones():
    m = milestones(Settings(as_of=D(2026, 1, 1), renewal_date=D(2027, 8, 31)))
    assert m is not None
    assert (m.hygiene_start, m.lock) == (D(2026, 11, 30), D(2027, 2, 28))


@pytest.mark.parametrize(
    ("as_of", "status"),
    [
        (D(2026, 12, 29), "on track"),  # the day before hygiene start
        (D(2026, 12, 30), "late start"),  # hygiene start day
        (D(2026, 12, 31), "late start"),
        (D(2027, 3, 29), "late start"),  # the day before the lock
        (D(2027, 3, 30), "past lock"),  # lock day
        (D(2027, 3, 31), "past lock"),
        (D(2027, 9, 29), "past lock"),  # the day before the close
        (D(2027, 9, 30), "past lock"),  # the close day itself is still open
        (D(2027, 10, 1), "closed"),  # the day after the close
    ],
)
def test_the_status_changes_on_each_milestone_day(as_of, status):
    m = milestones(at(as_of))
    assert m is not None and m.status == status


def test_days_to_a_milestone_are_negative_once_it_has_passed():
    m = milestones(at(D(2027, 10, 1)))
    assert m is not None
    assert (m.days_to_hygiene_start, m.days_to_lock, m.days_to_close) == (-275, -185, -1)


def test_no_renewal_date_means_no_milestones():
    assert milestones(Settings(as_of=D(2026, 11, 1))) is None


def test_milestones_serialise_dates_as_iso_strings():
    d = milestones(at(D(2026, 11, 1))).to_dict()  # type: ignore[union-attr]
    assert d["hygiene_start"] == "2026-12-30" and d["status"] == "on track"
    json.dumps(d)


# ---- consumption -------------------------------------------------------------------------------------------


def baseline(*rows: tuple) -> pd.DataFrame:
    """rows: (license, in_use, clean_in_use)."""
    frame = pd.DataFrame(list(rows), columns=["license", "in_use", "clean_in_use"])
    for c in ("in_use", "clean_in_use"):
        frame[c] = frame[c].astype("Int64")
    return frame


def prices(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=["license", "unit_price", "currency"])


def test_consumption_counts_units_taken_out_and_their_value_and_lists_unpriced_licences():
    # L: 60 in use -> 50 clean (10 removed) at 100 = 1000. M: 30 -> 25 (5) at 20 = 100 ("m" key-matches).
    # N: 10 -> 5, no price: listed, not valued. K: 0 removed and unpriced: not listed.
    # Units 10+5+5 = 20 of 100 in use = 20 %; clean share 80/100.
    base = baseline(("L", 40, 30), ("L", 20, 20), ("M", 30, 25), ("N", 10, 5), ("K", 0, 0))
    result = consumption(base, prices(("L", 100.0, "USD"), ("m", 20.0, "USD"), ("L", 999.0, "USD")))
    assert (result.in_use, result.clean_in_use, result.units_removed) == (100, 80, 20)
    assert result.percent == pytest.approx(20.0)
    assert result.clean_share == pytest.approx(0.8)
    assert result.value == pytest.approx(1100.0)
    assert result.currency == "USD"
    assert result.unpriced_licenses == ("N",)
    assert result.by_license.set_index("license").loc["L", "units_removed"] == 10
    json.dumps(result.to_dict())


def test_units_removed_follow_clean_in_use_so_a_clamped_pool_gives_back_only_what_it_used():
    # in use 2, removable 5 -> clean in use 0: 2 units removed, not 5.
    result = consumption(baseline(("L", 2, 0)), None)
    assert result.units_removed == 2 and result.percent == pytest.approx(100.0)
    assert result.value is None and result.unpriced_licenses == ("L",)


def test_consumption_of_nothing_in_use_has_no_percentages():
    result = consumption(baseline(("L", 0, 0)), prices(("L", 5.0, "USD")))
    assert result.percent is None and result.clean_share is None and result.value == 0.0


def test_prices_in_several_currencies_are_not_added_up():
    result = consumption(baseline(("L", 10, 5), ("M", 10, 5)), prices(("L", 1.0, "USD"), ("M", 1.0, "EUR")))
    assert result.value is None and result.currency == "EUR, USD"


# ---- leverage ----------------------------------------------------------------------------------------------


def test_leverage_is_the_renewal_value_times_the_low_and_high_percentages_labelled_an_estimate():
    lev = leverage(at(D(2026, 11, 1), renewal_value=4_200_000, currency="EUR"))
    assert lev is not None
    assert (lev.low, lev.high) == (pytest.approx(210_000), pytest.approx(504_000))
    assert lev.to_dict() == {
        "renewal_value": 4_200_000.0,
        "low_pct": 5.0,
        "high_pct": 12.0,
        "currency": "EUR",
        "low": pytest.approx(210_000),
        "high": pytest.approx(504_000),
        "label": "estimate",
    }


def test_no_renewal_value_means_no_leverage_and_an_empty_sensitivity():
    s = at(D(2026, 11, 1))
    assert leverage(s) is None
    assert sensitivity(s).empty and list(sensitivity(s).columns) == ["pct", "value", "in_range"]


def test_sensitivity_runs_from_zero_to_fifteen_percent_and_marks_the_assumed_range():
    frame = sensitivity(at(D(2026, 11, 1), renewal_value=1_000_000), steps=31)
    assert frame.pct.iloc[0] == 0 and frame.pct.iloc[-1] == 15 and len(frame) == 31
    assert frame.set_index("pct").loc[10.0, "value"] == pytest.approx(100_000)
    assert frame[frame.in_range].pct.tolist() == [5.0 + 0.5 * i for i in range(15)]


def test_sensitivity_reaches_a_high_percentage_above_fifteen():
    frame = sensitivity(at(D(2026, 11, 1), renewal_value=100, leverage_high_pct=20), steps=5)
    assert frame.pct.tolist() == [0, 5, 10, 15, 20]
