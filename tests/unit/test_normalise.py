"""Cell normalisation: each expectation below was worked out by hand from DESIGN §3."""

from __future__ import annotations

import pandas as pd
import pytest

from core.normalise import (
    clean_text,
    departed_status,
    is_udi,
    license_class,
    lifecycle,
    missing_mask,
    normalise_host,
    normalise_serial,
    parse_int,
    parse_number,
    parse_udi,
    reserved_status,
    split_license_list,
)


def col(*values: str) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def listed(s: pd.Series) -> list[object]:
    """Values with every kind of missing shown as None, so expectations read plainly."""
    return [None if pd.isna(v) else v for v in s.tolist()]


# Missing markers and text


def test_every_missing_marker_is_missing_whatever_its_case_or_padding() -> None:
    s = col("", "   ", "NA", "n/a", " N/A ", "null", "NULL", "None", "never", "Never", "-", " - ")
    assert missing_mask(s).tolist() == [True] * 12


def test_nan_zero_and_other_words_are_text_not_missing() -> None:
    assert missing_mask(col("nan", "NaN", "0", "Unknown", "--", "n.a.")).tolist() == [False] * 6


def test_clean_text_trims_and_blanks_missing_markers_but_keeps_nan_as_text() -> None:
    assert listed(clean_text(col("  Core Switch ", "N/A", "nan", ""))) == ["Core Switch", None, "nan", None]


def test_clean_text_keeps_the_index() -> None:
    s = pd.Series(["a", "b"], index=[7, 9], dtype="str")
    assert clean_text(s).index.tolist() == [7, 9]


# Serials


def test_a_serial_is_upper_cased_and_trimmed_with_leading_zeros_kept() -> None:
    assert listed(normalise_serial(col(" fcw2146l0a3 ", "0012ab3", "000123"))) == ["FCW2146L0A3", "0012AB3", "000123"]


def test_a_leading_sn_prefix_is_dropped_in_any_case_and_spacing() -> None:
    s = col("SN:FOC123", "sn: foc123", "Sn :FOC123", "S/N: FOC123")
    assert listed(normalise_serial(s)) == ["FOC123"] * 4


def test_sn_inside_a_serial_is_not_a_prefix() -> None:
    assert listed(normalise_serial(col("SNX123", "FOCSN:1"))) == ["SNX123", "FOCSN:1"]


def test_a_stack_keeps_every_member_in_order_joined_without_spaces() -> None:
    s = col("FCW2146L0A3, FCW2146L02A", "a;b", "A/B", "A | B", "A B", "A\nB")
    assert listed(normalise_serial(s)) == ["FCW2146L0A3,FCW2146L02A", "A,B", "A,B", "A,B", "A,B", "A,B"]


def test_a_stack_drops_repeated_members_and_sn_prefixes_on_each_member() -> None:
    assert listed(normalise_serial(col("B, A, B", "SN: X1, SN: X2", "x1,,x2,"))) == ["B,A", "X1,X2", "X1,X2"]


def test_a_missing_serial_stays_missing() -> None:
    assert listed(normalise_serial(col("", "N/A", "  ", "SN:"))) == [None, None, None, None]


# UDI names


def test_a_udi_name_yields_pid_and_serial() -> None:
    udi = parse_udi(col("UDI_PID:C9300-48P; UDI_SN:FOC2134X0AB;"))
    assert listed(udi["pid"]) == ["C9300-48P"]
    assert listed(udi["serial"]) == ["FOC2134X0AB"]


def test_udi_names_without_the_udi_prefix_or_with_commas_also_parse() -> None:
    udi = parse_udi(col("PID:C9300-48P SN:foc2134x0ab", "UDI_PID:ISR4431/K9,UDI_SN:FDO21230ABC"))
    assert listed(udi["pid"]) == ["C9300-48P", "ISR4431/K9"]
    assert listed(udi["serial"]) == ["FOC2134X0AB", "FDO21230ABC"]


def test_a_name_that_is_not_a_udi_gives_no_pid_or_serial() -> None:
    udi = parse_udi(col("sw-nyc-01", "", "SNMP-core"))
    assert listed(udi["pid"]) == [None, None, None]
    assert listed(udi["serial"]) == [None, None, None]
    assert is_udi(col("sw-nyc-01", "UDI_PID:X; UDI_SN:Y", "SN:FOC1")).tolist() == [False, True, True]


# Hostnames


def test_a_host_is_the_lower_cased_first_label_of_the_name() -> None:
    s = col("SW-NYC-01.corp.example.com", " Router1 ", "rtr-02.", "edge")
    assert listed(normalise_host(s)) == ["sw-nyc-01", "router1", "rtr-02", "edge"]


def test_an_ip_address_stays_whole_as_a_host() -> None:
    assert listed(normalise_host(col("10.1.2.3", " 192.168.0.1 ", "FE80::1"))) == ["10.1.2.3", "192.168.0.1", "fe80::1"]


def test_a_udi_name_or_missing_name_has_no_host() -> None:
    s = col("UDI_PID:C9300-48P; UDI_SN:FOC2134X0AB;", "", "None", ".corp.example.com")
    assert listed(normalise_host(s)) == [None, None, None, None]


# Integers


def test_integers_accept_thousands_separators() -> None:
    values, bad, reason = parse_int(col("1,234", "1 234", "1'234", "12,345,678", "7"))
    assert listed(values) == [1234, 1234, 1234, 12345678, 7]
    assert bad.tolist() == [False] * 5
    assert reason.tolist() == [""] * 5
    assert values.dtype == "Int64"


def test_a_whole_number_written_with_a_decimal_point_or_exponent_is_accepted() -> None:
    values, bad, _ = parse_int(col("12.0", "1E5", "+7"))
    assert listed(values) == [12, 100000, 7]
    assert not bad.any()


def test_a_fraction_is_not_an_integer() -> None:
    values, bad, reason = parse_int(col("1.5"))
    assert listed(values) == [None]
    assert bad.tolist() == [True]
    assert reason.tolist() == ["not_an_integer"]


def test_text_in_an_integer_column_is_rejected_never_a_zero() -> None:
    values, bad, reason = parse_int(col("abc", "12 licenses", "1,5", "1,23", "nan", "12-"))
    assert listed(values) == [None] * 6
    assert bad.tolist() == [True] * 6
    assert reason.tolist() == ["not_a_number"] * 6


def test_negative_integers_parse_including_accounting_brackets() -> None:
    values, bad, _ = parse_int(col("-3", "(3)", "(1,200)"))
    assert listed(values) == [-3, -3, -1200]
    assert not bad.any()


def test_a_missing_integer_is_na_and_not_bad() -> None:
    values, bad, reason = parse_int(col("", "N/A", " "))
    assert listed(values) == [None, None, None]
    assert bad.tolist() == [False, False, False]
    assert reason.tolist() == ["", "", ""]


# Decimal numbers


def test_numbers_accept_decimals_thousands_and_currency_before_or_after() -> None:
    values, bad, _ = parse_number(col("$1,200.50", "1200 USD", "€ 99", "USD 5", "1.5", "(£2.25)", "-$5"))
    assert values.tolist() == [1200.5, 1200.0, 99.0, 5.0, 1.5, -2.25, -5.0]
    assert not bad.any()


def test_text_in_a_number_column_is_rejected() -> None:
    values, bad, reason = parse_number(col("abc", "12 pcs", ""))
    assert values.isna().tolist() == [True, True, True]
    assert bad.tolist() == [True, True, False]
    assert reason.tolist() == ["not_a_number", "not_a_number", ""]


# Inventory lifecycle


@pytest.mark.parametrize(
    ("status", "bucket"),
    [
        ("Retired", "retired"),
        ("decommissioned", "retired"),
        ("Being Decommissioned", "retired"),
        ("RMA", "retired"),
        ("In Stock", "not_in_service"),
        ("spare", "not_in_service"),
        ("On Order", "not_in_service"),
        ("unmanaged", "not_in_service"),
        ("Installed", "in_service"),
        ("In Production", "in_service"),
        ("in_production", "in_service"),
        ("IN-PRODUCTION", "in_service"),
        ("Reachable", "in_service"),
    ],
)
def test_each_lifecycle_word_lands_in_its_bucket_whatever_its_spelling(status: str, bucket: str) -> None:
    buckets, unknown = lifecycle(col(status))
    assert buckets.tolist() == [bucket]
    assert unknown.tolist() == [False]


def test_servicenow_install_status_codes_map_to_buckets() -> None:
    codes = col("1", "2", "3", "4", "5", "6", "7", "8", "100", "7.0")
    buckets, unknown = lifecycle(codes)
    assert buckets.tolist() == [
        "in_service",  # 1 Installed
        "not_in_service",  # 2 On Order
        "in_service",  # 3 In Maintenance
        "not_in_service",  # 4 Pending Install
        "in_service",  # 5 Pending Repair
        "not_in_service",  # 6 In Stock
        "retired",  # 7 Retired
        "retired",  # 8 Stolen
        "retired",  # 100 Absent
        "retired",  # 7 as Excel writes it
    ]
    assert not unknown.any()


def test_a_missing_status_is_in_service_and_not_unknown() -> None:
    buckets, unknown = lifecycle(col("", "N/A"))
    assert buckets.tolist() == ["in_service", "in_service"]
    assert unknown.tolist() == [False, False]


def test_an_unrecognised_status_is_unknown_and_flagged() -> None:
    buckets, unknown = lifecycle(col("End of Life", "9", "Installed"))
    assert buckets.tolist() == ["unknown", "unknown", "in_service"]
    assert unknown.tolist() == [True, True, False]
    assert list(buckets.cat.categories) == ["retired", "not_in_service", "in_service", "unknown"]


def test_extra_lifecycle_words_extend_and_override_the_vocabulary() -> None:
    extra = {"retired": ("End of Life",), "not_in_service": ("installed",)}
    buckets, unknown = lifecycle(col("end-of-life", "Installed", "1"), extra)
    assert buckets.tolist() == ["retired", "not_in_service", "in_service"]
    assert not unknown.any()


def test_an_extra_word_for_an_unknown_bucket_is_refused() -> None:
    with pytest.raises(ValueError, match="lifecycle bucket"):
        lifecycle(col("x"), {"gone": ("x",)})


# Reservations


def test_a_status_mentioning_a_reservation_is_reserved() -> None:
    s = col(
        "SLR",
        "PLR Authorized",
        "Specific License Reservation",
        "Universal License Reservation",
        "Reserved",
        "RESERVATION",
        "Authorized - SLR",
    )
    assert reserved_status(s).tolist() == [True] * 7


def test_unreserved_or_ordinary_statuses_are_not_reserved() -> None:
    s = col("Unreserved", "Not Reserved", "non-reserved", "Registered", "In Compliance", "", "SLRX")
    assert reserved_status(s).tolist() == [False] * 7


# Licence class


def test_licence_types_fall_into_their_class() -> None:
    s = col(
        "Perpetual",
        "Perpetual License",
        "Permanent",
        "Term",
        "Term License",
        "Term-based",
        "3 Years",
        "Subscription",
        "Subscription-based",
        "Smart Subscription",
        "Demo",
        "Evaluation",
        "Trial",
    )
    assert license_class(s).tolist() == ["perpetual"] * 3 + ["term"] * 4 + ["subscription"] * 3 + ["demo"] * 3


def test_a_missing_or_unfamiliar_licence_type_is_unknown() -> None:
    assert license_class(col("", "N/A", "Enforced", "Terminated")).tolist() == ["unknown"] * 4


# Departed users


def test_user_status_words_say_whether_a_user_has_departed() -> None:
    departed, unknown = departed_status(col("Active", "Terminated", " left ", "INACTIVE", "Enabled", "Disabled"))
    assert listed(departed) == [False, True, True, True, False, True]
    assert not unknown.any()
    assert departed.dtype == "boolean"


def test_a_missing_status_is_na_and_an_unknown_word_is_na_and_flagged() -> None:
    departed, unknown = departed_status(col("", "on sabbatical"))
    assert listed(departed) == [None, None]
    assert unknown.tolist() == [False, True]


# Licence lists


def test_a_licence_list_cell_yields_one_row_per_licence_with_quantity_default_one() -> None:
    s = pd.Series(["DNA Advantage (1); Network Advantage", "", "DNA Essentials (3)"], index=[4, 5, 6], dtype="str")
    rows, bad = split_license_list(s)
    assert rows.to_dict("list") == {
        "row": [4, 4, 6],
        "license": ["DNA Advantage", "Network Advantage", "DNA Essentials"],
        "quantity": [1, 1, 3],
    }
    assert bad.tolist() == [False, False, False]
    assert str(rows["quantity"].dtype) == "Int64"


def test_commas_inside_licence_names_do_not_split_items() -> None:
    rows, _ = split_license_list(col("C9300 DNA Advantage, 3Y (2); C9300 Network Advantage"))
    assert rows["license"].tolist() == ["C9300 DNA Advantage, 3Y", "C9300 Network Advantage"]
    assert rows["quantity"].tolist() == [2, 1]


def test_other_separators_and_quantity_spellings_are_understood() -> None:
    rows, bad = split_license_list(col("A x 3 | B - 2\nC (1,000)", "D (1), E (2)", "F;"), index_name="line")
    assert rows.to_dict("list") == {
        "line": [0, 0, 0, 1, 1, 2],
        "license": ["A", "B", "C", "D", "E", "F"],
        "quantity": [3, 2, 1000, 1, 2, 1],
    }
    assert not bad.any()


def test_a_malformed_quantity_makes_the_whole_cell_bad_and_yields_no_rows() -> None:
    rows, bad = split_license_list(col("DNA (abc); Network Advantage", "X (1.5)", "Y (-1)", "(2)", "Z ()", "ok"))
    assert rows["license"].tolist() == ["ok"]
    assert bad.tolist() == [True, True, True, True, True, False]


def test_repeated_cells_keep_their_own_rows_in_order() -> None:
    rows, _ = split_license_list(pd.Series(["A;B", "C", "A;B"], index=["x", "y", "z"], dtype="str"))
    assert rows["row"].tolist() == ["x", "x", "y", "z", "z"]
    assert rows["license"].tolist() == ["A", "B", "C", "A", "B"]
