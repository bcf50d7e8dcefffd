"""Reservations, pools through the engine, EA, ownership and the plan's order, worked out by hand."""

from __future__ import annotations

from tests.builders import ago, by_code, codes, csv_file, run


def inst(name: str, serial: str, days: int = 5, licenses: str = "L (1)", status: str = "Active"):
    return {"Name": name, "Serial Number": serial, "Last Contact": ago(days), "Status": status, "Licenses": licenses}


def inventory(rows: list[tuple[str, str]]):
    return csv_file(
        "cmdb.csv",
        [{"Serial Number": s, "install_status": st, "Owner": "ops"} for s, st in rows],
        kind="inventory",
        sa=None,
        va=None,
    )


def reservations(rows: list[tuple[str, int]]):
    return csv_file(
        "res.csv",
        [{"Serial Number": s, "License": "L", "Quantity": q, "Reservation Type": "SLR"} for s, q in rows],
        kind="reservations",
    )


def licenses(rows: list[tuple[str, int, int]], sa: str = "SA1"):
    return csv_file(
        f"lic-{sa}.csv",
        [{"License": "L", "Type": "Term", "Virtual Account": va, "Purchased": p, "In Use": u} for va, p, u in rows],
        kind="licenses",
        sa=sa,
        va=None,
    )


def test_a_reservation_on_a_retired_device_is_released_by_tac_case():
    r = run(
        csv_file("i.csv", [inst("ok", "S1")]),
        inventory([("S1", "Installed"), ("GONE1", "Retired")]),
        reservations([("GONE1", 2), ("S1", 1)]),
        licenses([("V1", 10, 4)]),
    )
    rel = by_code(r, "RESERVATION_ON_RETIRED")
    assert list(rel["serial"]) == ["GONE1"] and rel.loc[0, "quantity"] == 2
    assert "retired per cmdb.csv" in rel.loc[0, "evidence"] and "Cisco TAC" in rel.loc[0, "evidence"]
    step = r.plan[r.plan["action"] == "RELEASE_RESERVATION"].iloc[0]
    assert step["step"] == 1 and "TAC" in step["how"]
    assert r.baseline.loc[0, "released"] == 2 and r.baseline.loc[0, "clean_in_use"] == 2  # 4 - 0 - 2


def test_a_reservation_on_a_device_being_deregistered_is_released_with_a_return_code_when_it_still_exists():
    # The older duplicate is deregistered, but the device lives on as the newer copy: it can give a return code.
    r = run(
        csv_file("i.csv", [inst("dup-old", "D1", 30, ""), inst("dup-new", "D1", 2, "")]),
        inventory([("D1", "Installed")]),
        reservations([("D1", 1)]),
        licenses([("V1", 5, 1)]),
    )
    assert by_code(r, "RESERVATION_ON_RETIRED").empty  # the newer copy is not removable
    r2 = run(
        csv_file("i.csv", [inst("stale", "Q1", 200, "")]),
        reservations([("Q1", 3), ("NOWHERE", 1)]),
        licenses([("V1", 5, 4)]),
    )
    rel = by_code(r2, "RESERVATION_ON_RETIRED").set_index("serial")
    assert set(rel.index) == {"Q1", "NOWHERE"}
    assert "being deregistered (STALE_NOT_IN_INVENTORY)" in rel.loc["Q1", "evidence"]
    assert "matches no registered product instance" in rel.loc["NOWHERE", "evidence"]


def test_rebalancing_moves_surplus_to_short_virtual_accounts_and_flags_phantom_and_real_shortages():
    # V1: purchased 2, in use 5, of which 1 instance (1 unit) is stale → clean 4, clean balance -2.
    # V2: purchased 1, in use 4 → clean balance -3. V3: purchased 10, in use 6 → +4.
    # Largest shortage first: V2 takes 3 from V3, then V1 takes the last 1 → V1 final -1 (VA_SHORTAGE).
    files = [
        csv_file("v1.csv", [inst(f"v1-{i}", f"A{i}") for i in range(4)] + [inst("v1-stale", "A9", 300)]),
        licenses([("V1", 2, 5), ("V2", 1, 4), ("V3", 10, 6)]),
    ]
    r = run(*files)
    b = r.baseline.set_index("virtual_account")
    assert list(b["clean_balance"]) == [-2, -3, 4]
    t = r.pools.transfers
    assert list(zip(t["from_virtual_account"], t["to_virtual_account"], t["quantity"], strict=True)) == [
        ("V3", "V2", 3),
        ("V3", "V1", 1),
    ]
    assert list(b["final_balance"]) == [-1, 0, 0]
    assert list(by_code(r, "VA_SHORTAGE")["virtual_account"]) == ["V1"]
    assert list(by_code(r, "APPARENT_SHORTAGE")["virtual_account"]) == ["V2"]
    transfer_steps = r.plan[r.plan["action"] == "TRANSFER"]
    assert set(transfer_steps["step"]) == {3}


def test_a_licence_short_in_one_smart_account_and_spare_in_another_is_a_split_pool():
    r = run(licenses([("V1", 5, 8)], sa="Acme"), licenses([("V9", 10, 4)], sa="Contoso"))
    split = by_code(r, "SPLIT_POOLS")
    assert len(split) == 1 and split.loc[0, "quantity"] == 3  # min(3 short, 6 spare)


def test_ea_entitlement_above_the_deposits_is_unallocated():
    ea = csv_file(
        "ea.csv",
        [{"License": "L", "Entitled Quantity": 40}, {"License": "M", "Entitled Quantity": 5}],
        kind="ea",
        sa=None,
        va=None,
    )
    r = run(licenses([("V1", 10, 1), ("V2", 15, 1)]), ea)
    gap = by_code(r, "EA_UNALLOCATED")
    assert list(gap["license"]) == ["L", "M"] and list(gap["quantity"]) == [15, 5]


def users(rows: list[dict[str, str]], sa: str = "SA1"):
    return csv_file(f"users-{sa}.csv", rows, kind="users", sa=sa, va=None)


def test_a_departed_admin_from_the_roster_leaves_a_single_admin():
    u = users(
        [
            {"Username": "ann", "Email": "Ann@x.com", "Role": "Smart Account Administrator"},
            {"Username": "bob", "Email": "bob@x.com", "Role": "Smart Account Administrator"},
            {"Username": "cy", "Email": "cy@x.com", "Role": "Virtual Account User"},
        ]
    )
    roster = csv_file(
        "hr.csv",
        [{"Email": "ann@x.com", "Employment Status": "Active"}, {"Email": "cy@x.com", "Employment Status": "Active"}],
        kind="roster",
        sa=None,
        va=None,
    )
    r = run(u, roster)
    assert codes(r, "bob") == {"ADMIN_DEPARTED"}
    assert "absent from the HR roster" in by_code(r, "ADMIN_DEPARTED").loc[0, "evidence"]
    assert list(by_code(r, "SINGLE_ADMIN")["smart_account"]) == ["SA1"]
    assert r.ownership["SA1"]["active_admins"] == 1


def test_a_status_column_wins_over_the_roster_and_an_account_with_no_active_admin_is_orphaned():
    u = users([{"Username": "zed", "Email": "zed@x.com", "Role": "Smart Account Admin", "Status": "Disabled"}])
    roster = csv_file(
        "hr.csv", [{"Email": "zed@x.com", "Employment Status": "Active"}], kind="roster", sa=None, va=None
    )
    r = run(u, roster)
    assert codes(r, "zed") == {"ADMIN_DEPARTED"}
    assert list(by_code(r, "SA_ORPHANED")["smart_account"]) == ["SA1"]


def test_ownership_without_status_or_roster_is_not_assessable_not_guessed():
    r = run(users([{"Username": "amy", "Role": "Smart Account Administrator"}]))
    assert r.ownership["SA1"]["assessable"] is False
    assert by_code(r, "ADMIN_DEPARTED").empty and by_code(r, "SINGLE_ADMIN").empty


def test_the_plan_follows_the_cssm_order_and_adds_admins_before_removing_departed_ones():
    u = users(
        [
            {"Username": "ann", "Role": "Smart Account Administrator", "Status": "Active"},
            {"Username": "bob", "Role": "Smart Account Administrator", "Status": "Terminated"},
        ]
    )
    # In use 3 = stale (1) + gap (1) + reservation (1); purchased 0 → clean in use 1 → short 1 → buy or generate.
    r = run(
        csv_file("i.csv", [inst("stale", "Q1", 200), inst("gap", "Q2", 1)]),
        reservations([("NOWHERE", 1)]),
        licenses([("V1", 0, 3)]),
        u,
    )
    actions = list(r.plan["action"])
    assert actions == [
        "RELEASE_RESERVATION",
        "DEREGISTER",
        "BUY_OR_GENERATE",
        "ADD_SECOND_ADMIN",
        "REMOVE_USER",
        "VERIFY_INVENTORY",
    ]
    assert list(r.plan["step"]) == [1, 2, 4, 5, 5, 7]
