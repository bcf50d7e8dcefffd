"""Date parsing to UTC dates and the per-file day/month order: expectations worked out by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.dates import decide_order, detect_day_month_order, parse_dates


def col(*values: str) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-30", "2026-10-30"),  # ISO date
        ("2026-10-30T14:03:22Z", "2026-10-30"),  # ISO UTC
        ("2026-10-30T14:03:22.123+02:00", "2026-10-30"),  # 12:03 UTC
        ("2026-10-30T14:03:22+0530", "2026-10-30"),  # 08:33 UTC
        ("2026-10-30 14:03:22", "2026-10-30"),
        ("2026-10-30 00:00:00", "2026-10-30"),  # an Excel date cell written as text
        ("2026/10/30", "2026-10-30"),
        ("2026-Oct-30 14:03:22", "2026-10-30"),
        ("2026-oct-30", "2026-10-30"),
        ("30-Oct-2026", "2026-10-30"),
        ("30 Oct 2026", "2026-10-30"),
        ("30 October 2026 09:15", "2026-10-30"),
        ("3-SEPT-2026", "2026-09-03"),
        ("Oct 30, 2026", "2026-10-30"),
        ("  2026-10-30  ", "2026-10-30"),
        ("2028-02-29", "2028-02-29"),  # a leap day
    ],
)
def test_each_unambiguous_date_format_parses_to_its_utc_date(text: str, expected: str) -> None:
    dates, bad = parse_dates(col(text), None)
    assert dates.tolist() == [day(expected)]
    assert bad.tolist() == [False]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30/10/2026", "2026-10-30"),
        ("30.10.2026", "2026-10-30"),
        ("30-10-2026", "2026-10-30"),
        ("03/04/2026", "2026-04-03"),  # 3 April
        ("3/4/26", "2026-04-03"),
        ("30/10/2026 14:03", "2026-10-30"),
        ("30/10/2026 14:03:22", "2026-10-30"),
        ("30/10/2026 2:03 PM", "2026-10-30"),
    ],
)
def test_numeric_dates_read_day_first_when_the_order_is_dmy(text: str, expected: str) -> None:
    dates, bad = parse_dates(col(text), "DMY")
    assert dates.tolist() == [day(expected)]
    assert not bad.any()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10/30/2026", "2026-10-30"),
        ("03/04/2026", "2026-03-04"),  # 4 March
        ("10/30/2026 11:59 PM", "2026-10-30"),
        ("10/30/2026 12:15 AM", "2026-10-30"),  # a quarter past midnight, still the 30th
        ("10.30.2026", "2026-10-30"),
    ],
)
def test_numeric_dates_read_month_first_when_the_order_is_mdy(text: str, expected: str) -> None:
    dates, bad = parse_dates(col(text), "MDY")
    assert dates.tolist() == [day(expected)]
    assert not bad.any()


def test_an_offset_that_crosses_midnight_moves_the_utc_date() -> None:
    s = col(
        "2026-10-30T23:30:00-05:00",  # 04:30 UTC on the 31st
        "2026-10-30T00:30:00+02:00",  # 22:30 UTC on the 29th
        "2026-12-31T23:59:59-01",  # 00:59 UTC on 1 January
        "2026-10-30 23:30 UTC",
    )
    dates, bad = parse_dates(s, None)
    assert dates.tolist() == [day("2026-10-31"), day("2026-10-29"), day("2027-01-01"), day("2026-10-30")]
    assert not bad.any()


def test_epoch_seconds_and_milliseconds_give_the_utc_date() -> None:
    # 1700000000 s is 2023-11-14 22:13:20 UTC; 1000000000 s is 2001-09-09 01:46:40 UTC.
    dates, bad = parse_dates(col("1700000000", "1700000000000", "1000000000", "999999999999"), None)
    assert dates.tolist() == [day("2023-11-14"), day("2023-11-14"), day("2001-09-09"), day("2001-09-09")]
    assert not bad.any()


def test_missing_markers_are_missing_dates_and_not_bad() -> None:
    dates, bad = parse_dates(col("", "Never", "N/A", "-", "  "), None)
    assert dates.isna().all()
    assert not bad.any()


def test_text_and_impossible_dates_are_bad() -> None:
    s = col("garbage", "2026-02-30", "2027-02-29", "2026-13-01", "2026-10-30 25:00", "12345", "2026-Foo-30", "nan")
    dates, bad = parse_dates(s, "DMY")
    assert dates.isna().all()
    assert bad.tolist() == [True] * 8


def test_an_impossible_numeric_date_is_bad() -> None:
    _, bad = parse_dates(col("31/02/2026", "13/13/2026", "10/30/2026 13:00 PM"), "MDY")
    assert bad.tolist() == [True, True, True]


def test_numeric_dates_without_an_order_are_bad_while_other_formats_still_parse() -> None:
    dates, bad = parse_dates(col("03/04/2026", "2026-04-03", ""), None)
    assert bad.tolist() == [True, False, False]
    assert dates.iloc[1] == day("2026-04-03")


def test_parsed_dates_are_tz_naive_midnights_keeping_the_index() -> None:
    s = pd.Series(["2026-10-30T14:03:22Z", "30-Oct-2026"], index=[3, 8], dtype="str")
    dates, bad = parse_dates(s, None)
    assert dates.dtype.kind == "M" and dates.dt.tz is None
    assert (dates == dates.dt.normalize()).all()
    assert dates.index.tolist() == [3, 8] and bad.index.tolist() == [3, 8]


def test_an_unknown_order_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="date order"):
        parse_dates(col("2026-10-30"), "YMD")


# Day/month order of a file


def test_a_first_part_over_twelve_proves_day_month_order() -> None:
    assert detect_day_month_order(col("03/04/2026", "30/10/2026", "")) == "DMY"


def test_a_second_part_over_twelve_proves_month_day_order() -> None:
    assert detect_day_month_order(col("03/04/2026", "10/30/2026 14:03")) == "MDY"


def test_a_file_of_only_small_day_and_month_parts_is_undecided() -> None:
    assert detect_day_month_order(col("03/04/2026", "12.11.2026", "2026-10-30")) is None


def test_a_file_proving_both_orders_is_a_conflict() -> None:
    assert detect_day_month_order(col("30/10/2026", "10/30/2026")) == "conflict"


def test_a_file_without_numeric_day_month_dates_needs_no_order() -> None:
    assert detect_day_month_order(col("2026-10-30", "30-Oct-2026", "1700000000", "")) == "n/a"


def test_an_impossible_date_proves_nothing() -> None:
    assert detect_day_month_order(col("13/13/2026", "03/04/2026")) is None


def test_what_the_file_proves_is_the_order_used() -> None:
    assert decide_order("DMY", None) == ("DMY", "")
    assert decide_order("MDY", "DMY") == ("MDY", "")


def test_an_undecided_file_uses_the_date_order_setting() -> None:
    assert decide_order(None, "dmy") == ("DMY", "")


def test_an_undecided_file_without_a_setting_is_an_error_that_says_what_to_set() -> None:
    order, error = decide_order(None, None)
    assert order is None
    assert error == "dates like 03/04/2026 could be day/month or month/day; set date_order to DMY or MDY"


def test_a_conflicting_file_is_an_error_naming_both_orders_even_with_a_setting() -> None:
    order, error = decide_order("conflict", "DMY")
    assert order is None
    assert "DMY" in error and "MDY" in error


def test_a_file_without_numeric_dates_needs_no_setting() -> None:
    assert decide_order("n/a", None) == (None, "")


def test_a_bad_date_order_setting_is_an_error() -> None:
    assert decide_order(None, "YMD") == (None, "date_order must be DMY or MDY, not 'YMD'")


# Properties


@settings(max_examples=60, deadline=None)
@given(
    moment=st.datetimes(min_value=dt.datetime(2002, 1, 1), max_value=dt.datetime(2200, 12, 31)),  # 10-digit epochs
    offset_minutes=st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_any_iso_timestamp_with_an_offset_parses_to_the_date_python_computes(
    moment: dt.datetime, offset_minutes: int
) -> None:
    local = moment.replace(microsecond=0, tzinfo=dt.timezone(dt.timedelta(minutes=offset_minutes)))
    expected = pd.Timestamp(local.astimezone(dt.UTC).date())
    texts = col(local.isoformat(), local.strftime("%d-%b-%Y %I:%M:%S %p %z"), str(int(local.timestamp())))
    dates, bad = parse_dates(texts, None)
    assert dates.tolist() == [expected] * 3
    assert not bad.any()


@settings(max_examples=60, deadline=None)
@given(date=st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2999, 12, 31)))
def test_any_date_written_day_first_or_month_first_reads_back_with_its_order(date: dt.date) -> None:
    expected = [pd.Timestamp(date)]
    assert parse_dates(col(date.strftime("%d/%m/%Y")), "DMY")[0].tolist() == expected
    assert parse_dates(col(date.strftime("%m.%d.%Y")), "MDY")[0].tolist() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-30T14:03:22Z", "2026-10-30"),
        ("2026-10-30 23:59:59", "2026-10-30"),
        ("2026-Oct-30 14:03:22", "2026-10-30"),
        ("2026-DEC-01 00:00:00", "2026-12-01"),
        ("2026-may-31 10:00:00", "2026-05-31"),
    ],
)
def test_a_fixed_width_form_is_read_from_its_bytes_whatever_the_month_names_case(text: str, expected: str) -> None:
    assert parse_dates(col(text), None)[0].iloc[0] == day(expected)


def test_a_month_name_that_is_no_month_in_a_fixed_width_form_is_a_bad_date() -> None:
    dates, bad = parse_dates(col("2026-Oxt-30 14:03:22", "2026-Sep-31 10:00:00"), None)
    assert bad.tolist() == [True, True] and dates.isna().all()
