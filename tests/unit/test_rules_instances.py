"""Device rules (DESIGN §4) on small estates worked out by hand. AS_OF is 2026-11-01."""

from __future__ import annotations

import pytest

from tests.builders import ago, by_code, codes, csv_file, run


def inst(name: str, serial: str = "", days: int | None = 5, licenses: str = "L-TERM (1)", status: str = "Active"):
    return {
        "Name": name,
        "Serial Number": serial,
        "Last Contact": ago(days) if days is not None else "",
        "Status": status,
        "Licenses": licenses,
    }


LICENSES = csv_file(
    "lic.csv",
    [
        {"License": "L-TERM", "Type": "Term", "Purchased": 100, "In Use": 0},
        {"License": "L-PERP", "Type": "Perpetual", "Purchased": 100, "In Use": 0},
    ],
)


def cmdb(rows: list[tuple[str, str, str]], name: str = "cmdb.csv", owner: bool = True):
    cols = [
        {"Serial Number": s, "Hostname": h, "install_status": st, **({"Owner": "ops"} if owner else {})}
        for s, h, st in rows
    ]
    return csv_file(name, cols, kind="inventory", sa=None, va=None)


def test_a_term_device_is_stale_at_90_days_not_at_89():
    r = run(csv_file("i.csv", [inst("a", "S89", 89), inst("b", "S90", 90)]), LICENSES)
    assert codes(r, "a") == {"NOT_IN_INVENTORY"}
    assert codes(r, "b") == {"STALE_NOT_IN_INVENTORY"}
    row = by_code(r, "STALE_NOT_IN_INVENTORY").iloc[0]
    assert row["confidence"] == "likely" and row["action"] == "DEREGISTER" and row["quantity"] == 1
    assert "last contact 90 days ago (2026-08-03)" in row["evidence"]


def test_a_perpetual_only_device_is_stale_at_365_days_not_at_364():
    r = run(
        csv_file(
            "i.csv",
            [
                inst("p364", "P1", 364, "L-PERP (2)"),
                inst("p365", "P2", 365, "L-PERP (2)"),
                inst("mixed", "P3", 200, "L-PERP (1); L-TERM (1)"),
            ],
        ),
        LICENSES,
    )
    assert codes(r, "p364") == {"NOT_IN_INVENTORY"}
    assert codes(r, "p365") == {"STALE_NOT_IN_INVENTORY"}
    assert codes(r, "mixed") == {"STALE_NOT_IN_INVENTORY"}  # one term licence: the 90-day threshold


def test_a_device_whose_licence_types_are_unknown_uses_the_short_threshold():
    r = run(csv_file("i.csv", [inst("u", "U1", 100, "UNLISTED (1)")]), LICENSES)
    assert codes(r, "u") == {"STALE_NOT_IN_INVENTORY"}


def test_a_reserved_instance_is_never_stale():
    r = run(
        csv_file("i.csv", [inst("slr", "R1", 900, "", status="Reserved Licenses"), inst("gone", "R2", None)]), LICENSES
    )
    assert codes(r, "slr") == {"NOT_IN_INVENTORY"}
    assert codes(r, "gone") == {"STALE_NOT_IN_INVENTORY"}  # no last contact at all: stale


def test_a_stack_matches_the_inventory_by_its_second_member():
    r = run(csv_file("i.csv", [inst("stack", "FCW1, FCW2", 3)]), LICENSES, cmdb([("FCW2", "", "Retired")]))
    assert codes(r, "stack") == {"DECOMMISSIONED"}
    assert r.instances.loc[0, "match"] == "serial"
    assert "cmdb.csv says 'Retired'" in by_code(r, "DECOMMISSIONED").loc[0, "evidence"]


def test_a_device_without_serial_matches_by_hostname_but_a_reused_hostname_with_another_serial_does_not():
    r = run(
        csv_file("i.csv", [inst("SW-NYC-01.corp.example.com", "", 3), inst("sw-lon-02", "NEW1", 3)]),
        LICENSES,
        cmdb([("", "sw-nyc-01", "Retired"), ("OLD9", "SW-LON-02", "Retired")]),
    )
    assert codes(r, "SW-NYC-01.corp.example.com") == {"DECOMMISSIONED"}
    assert codes(r, "sw-lon-02") == {"NOT_IN_INVENTORY"}
    assert list(r.instances["match"]) == ["hostname", "none"]


def test_a_serial_registered_in_two_virtual_accounts_keeps_the_latest_contact():
    r = run(
        csv_file("v1.csv", [inst("old-copy", "DUP1", 10)]),
        csv_file("v2.csv", [inst("new-copy", "DUP1", 3)], va="V2"),
        LICENSES,
        cmdb([("DUP1", "", "Installed")]),
    )
    dup = by_code(r, "DUPLICATE_REGISTRATION")
    assert list(dup["instance_name"]) == ["old-copy"]
    assert dup.loc[0, "virtual_account"] == "V1"
    assert "also registered as 'new-copy' in SA1 / V2" in dup.loc[0, "evidence"]
    assert codes(r, "new-copy") == set()


def test_a_duplicate_tie_on_contact_keeps_the_first_by_account_and_name():
    r = run(
        csv_file("v1.csv", [inst("b-name", "T1", 4), inst("a-name", "T1", 4)]),
        LICENSES,
        cmdb([("T1", "", "Installed")]),
    )
    assert list(by_code(r, "DUPLICATE_REGISTRATION")["instance_name"]) == ["b-name"]


@pytest.mark.parametrize("order", [0, 1])
def test_identical_copies_but_one_without_licences_keep_the_licensed_copy_in_any_row_order(order: int):
    # Same serial, name and last contact: the copy consuming a licence is kept, the bare one removed (0 units),
    # whichever row comes first (found by the shuffled-rows property).
    rows = [inst("sw-5", "T5", 0, "L-TERM (1)"), inst("sw-5", "T5", 0, "")]
    r = run(csv_file("i.csv", rows[order:] + rows[:order]), LICENSES, cmdb([("T5", "", "Installed")]))
    dup = by_code(r, "DUPLICATE_REGISTRATION")
    assert len(dup) == 1
    assert str(dup["quantity"].iloc[0]) in ("<NA>", "None", "0", "nan")
    assert r.consumption.units_removed == 0


def test_one_instance_is_removed_once_by_precedence_and_other_findings_stay_listed():
    # Retired in the CMDB and also an older duplicate: DECOMMISSIONED counts its 3 units, the duplicate row does not.
    r = run(
        csv_file("i.csv", [inst("x-old", "X1", 20, "L-TERM (3)"), inst("x-new", "X1", 2, "L-TERM (3)")]),
        LICENSES,
        cmdb([("X1", "", "Retired")]),
    )
    rows = r.findings[r.findings["instance_name"] == "x-old"].set_index("finding")
    assert set(rows.index) == {"DECOMMISSIONED", "DUPLICATE_REGISTRATION"}
    assert rows.loc["DECOMMISSIONED", "quantity"] == 3
    assert (
        rows.loc["DUPLICATE_REGISTRATION", "quantity"] is None
        or str(rows.loc["DUPLICATE_REGISTRATION", "quantity"]) == "<NA>"
    )
    pool = r.baseline.set_index("license").loc["L-TERM"]
    assert pool["removable"] == 6  # both copies are removable: x-new is retired too


def test_stale_in_service_and_not_in_service_and_inventory_gap():
    r = run(
        csv_file(
            "i.csv",
            [inst("runs", "A1", 120), inst("spare", "A2", 5), inst("gap", "A3", 5), inst("spare-old", "A4", 150)],
        ),
        LICENSES,
        cmdb([("A1", "", "Installed"), ("A2", "", "In Stock"), ("A4", "", "In Stock")]),
    )
    assert codes(r, "runs") == {"STALE_IN_SERVICE"}
    assert codes(r, "spare") == {"NOT_IN_SERVICE"}
    assert codes(r, "gap") == {"NOT_IN_INVENTORY"}
    assert codes(r, "spare-old") == {"STALE_NOT_IN_INVENTORY"}
    assert by_code(r, "STALE_IN_SERVICE").loc[0, "action"] == "VERIFY_CONNECTIVITY"


def test_two_inventories_that_disagree_give_a_conflict_and_no_removal():
    r = run(
        csv_file("i.csv", [inst("c", "C1", 5)]),
        LICENSES,
        cmdb([("C1", "", "Retired")], "snow.csv"),
        cmdb([("C1", "", "Reachable")], "dnac.csv", owner=False),
    )
    assert codes(r, "c") == {"INVENTORY_CONFLICT"}
    assert (
        "snow.csv says 'Retired' but dnac.csv says 'Reachable'" in by_code(r, "INVENTORY_CONFLICT").loc[0, "evidence"]
    )
    assert r.baseline["removable"].sum() == 0


def test_no_owner_is_judged_only_from_a_file_with_an_owner_column():
    with_owner = csv_file(
        "snow.csv",
        [
            {"Serial Number": "O1", "install_status": "Installed", "Owner": ""},
            {"Serial Number": "O2", "install_status": "Installed", "Owner": "net-team"},
        ],
        kind="inventory",
        sa=None,
        va=None,
    )
    no_owner_col = csv_file(
        "dnac.csv", [{"Serial Number": "O3", "Reachability": "Reachable"}], kind="inventory", sa=None, va=None
    )
    r = run(
        csv_file("i.csv", [inst("o1", "O1"), inst("o2", "O2"), inst("o3", "O3")]), LICENSES, with_owner, no_owner_col
    )
    assert codes(r, "o1") == {"NO_OWNER"}
    assert codes(r, "o2") == set() and codes(r, "o3") == set()
