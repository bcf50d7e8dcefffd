"""Kind detection from a header row and the column-to-field mapping."""

from __future__ import annotations

import pytest

from core import schema
from core.detect import HEADER_MIN, detect_kind, find_header, map_columns, score_header


def cells(line: str) -> list[str]:
    return line.split(",")


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        # CSSM product instances, classic portal and License Central style
        ("Name,Product Type,Serial Number,PID,Last Contact,Status,Licenses", "instances"),
        ("Name,Product Type,Last Contact,Alerts", "instances"),
        ("Product Instance Name,UDI PID,UDI SN,Last Contact Date,Registration Status,Virtual Account", "instances"),
        # CSSM licences tab: "In Use" is also a usage quantity alias
        ("License,Billing,Purchased,In Use,Balance,Alerts", "licenses"),
        ("License,Quantity,In Use,Surplus/Shortage,Expires", "licenses"),
        ("License Name,Type,Available to Use,Consumed,Reserved,Balance,Virtual Account", "licenses"),
        # inventories
        ("name,serial_number,model_id,install_status,assigned_to,support_group,location", "inventory"),
        ("Device Name,IP Address,Reachability,Platform,Serial Number,Site,Software Version", "inventory"),
        ("Hostname,Serial Number,Platform,Reachability,Site", "inventory"),
        ("Name,Status,Tenant,Site,Location,Rack,Role,Manufacturer,Type,Platform,Serial number,Asset tag", "inventory"),
        ("Caption,IP Address,Status,Vendor,MachineType,Location,Serial Number", "inventory"),
        ("Serial Number,Hostname", "inventory"),
        # Catalyst Center licence export: device columns plus licence columns
        ("Hostname,Serial Number,Platform,Reachability,Site,Network License,DNA Level", "usage"),
        ("License,Serial Number,Product Instance,Quantity", "usage"),
        ("Product Instance Name,Serial Number,License,Count", "usage"),
        ("Serial Number,License,Quantity,Reservation Type,Reserved On", "reservations"),
        ("UDI,License,Reservation Type", "reservations"),
        ("Username,Email,Role,Status", "users"),
        ("Name,Email,Access,Account Status,Last Login", "users"),
        ("Email,Employment Status,Termination Date", "roster"),
        ("Employee ID,Work Email,Status,Last Day,Department", "roster"),
        ("Username,Email,Status", "roster"),
        ("License,Entitled Quantity,Suite", "ea"),
        ("Product Name,Entitlement Quantity,Portfolio", "ea"),
        ("SKU,Unit Price,Currency", "prices"),
        ("License,Price", "prices"),
    ],
)
def test_a_realistic_header_is_detected_as_its_kind(header: str, kind: str) -> None:
    found = detect_kind(cells(header))
    assert found.kind == kind, found.candidates
    assert found.confidence >= 0.5


def test_a_catalyst_center_device_list_without_licence_columns_is_an_inventory() -> None:
    assert detect_kind(cells("Hostname,Serial Number,Platform,Reachability,Site")).kind == "inventory"
    with_licences = detect_kind(cells("Hostname,Serial Number,Platform,Reachability,Site,Network License,DNA Level"))
    assert with_licences.kind == "usage"
    many_device_columns = "Hostname,Serial Number,Network License,Platform,Site,Reachability,Location,Owner,Region"
    assert detect_kind(cells(many_device_columns)).kind == "usage"


def test_headers_are_compared_ignoring_case_spaces_and_punctuation() -> None:
    assert detect_kind(["  SERIAL-NUMBER ", "host_name", "INSTALL STATUS"]).kind == "inventory"


def test_a_wide_cmdb_export_with_many_unknown_columns_is_still_an_inventory() -> None:
    extra = [f"u_field_{i}" for i in range(20)]
    header = ["sys_id", "name", "serial_number", "model_id", "install_status", "assigned_to", "location", *extra]
    assert detect_kind(header).kind == "inventory"


def test_an_unrecognised_header_is_undetected_with_every_kind_scored() -> None:
    found = detect_kind(["foo", "bar", "baz"])
    assert found.kind is None
    assert found.confidence == 0
    assert {name for name, _ in found.candidates} == set(schema.KINDS)


def test_a_header_close_to_two_kinds_is_undetected_rather_than_guessed() -> None:
    found = detect_kind(["Username", "Email", "Role", "Employment Status"])
    top_two = {name for name, _ in found.candidates[:2]}
    assert top_two == {"users", "roster"}
    assert found.kind is None


def test_a_kind_missing_a_required_field_scores_below_the_header_threshold() -> None:
    scores = dict(score_header(cells("License,Billing,Purchased,Balance")))  # no In Use
    assert scores["licenses"] < HEADER_MIN
    assert dict(score_header(cells("Username,Email,Status")))["users"] < HEADER_MIN  # no Role


def test_scores_are_between_zero_and_one_and_sorted_best_first() -> None:
    scores = score_header(cells("Name,Product Type,Serial Number,PID,Last Contact,Status,Licenses"))
    values = [s for _, s in scores]
    assert values == sorted(values, reverse=True)
    assert all(0 <= s <= 1 for s in values)
    assert scores[0] == ("instances", 1.0)


def test_the_earlier_alias_wins_when_two_columns_match_one_field() -> None:
    kind = schema.KINDS["inventory"]
    mapped, unmapped = map_columns(kind, ["support_group", "name", "assigned_to", "serial_number"])
    assert mapped["owner"] == 2  # assigned_to comes before support_group in the owner aliases
    assert mapped["hostname"] == 1
    assert mapped["serial"] == 3
    assert unmapped == [0]


def test_a_column_is_mapped_once_and_a_repeated_header_stays_unmapped() -> None:
    kind = schema.KINDS["instances"]
    mapped, unmapped = map_columns(kind, ["Name", "Serial Number", "name", "Hostname", "Comment"])
    assert mapped == {"instance_name": 0, "serial": 1}
    assert unmapped == [2, 3, 4]


def test_a_column_goes_to_the_field_where_its_alias_ranks_earliest() -> None:
    kind = schema.KINDS["licenses"]
    # "Quantity" is purchased's 2nd alias; "Purchased" its 1st, so Quantity is left unmapped.
    mapped, unmapped = map_columns(kind, ["License", "Quantity", "Purchased", "In Use"])
    assert mapped == {"license": 0, "purchased": 2, "in_use": 3}
    assert unmapped == [1]


def test_mapped_fields_come_in_declaration_order() -> None:
    kind = schema.KINDS["licenses"]
    mapped, _ = map_columns(kind, ["In Use", "Balance", "Purchased", "License"])
    assert list(mapped) == ["license", "purchased", "in_use", "balance"]


def test_the_header_row_is_found_below_banner_rows() -> None:
    rows = [
        ["Smart Account: Example Corp"],
        ["Virtual Account", "Campus"],
        ["Name", "Example Corp"],
        ["Name", "Product Type", "Last Contact"],
        ["sw1", "Catalyst 9300", "2026-01-01"],
    ]
    assert find_header(rows) == 3


def test_no_header_row_is_found_in_data_only_rows() -> None:
    assert find_header([["sw1", "FCW1"], ["sw2", "FCW2"], [], [""]]) is None
