"""Pools, transfers between VAs, shortage across Smart Accounts, usage cross-check and EA position."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.pools import BASELINE_COLUMNS, MISMATCH_COLUMNS, build_pools, ea_position
from core.rebalance import SPLIT_COLUMNS, TRANSFER_COLUMNS

QTY = ["smart_account", "virtual_account", "license", "quantity"]


def licenses(*rows: tuple) -> pd.DataFrame:
    """rows: (sa, va, license, purchased, in_use[, license_class])."""
    frame = pd.DataFrame(
        [(*r[:5], r[5] if len(r) > 5 else "perpetual") for r in rows],
        columns=["smart_account", "virtual_account", "license", "purchased", "in_use", "license_class"],
    )
    for c in ("purchased", "in_use"):
        frame[c] = frame[c].astype("Int64")
    frame["reserved"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame["balance"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame["license_type"] = frame["license_class"]
    frame["source_file"] = "licenses.csv"
    frame["source_row"] = range(2, len(frame) + 2)
    return frame


def quantities(*rows: tuple) -> pd.DataFrame:
    """rows: (sa, va, license, quantity) — usage, reservations, removable or released."""
    frame = pd.DataFrame(list(rows), columns=QTY)
    frame["quantity"] = frame["quantity"].astype("Int64")
    return frame


NONE = quantities()


def pools_of(lic: pd.DataFrame | None, usage=NONE, reservations=NONE, removable=NONE, released=NONE):
    return build_pools(lic, usage, reservations, removable, released)


def row(result, sa: str, va: str, license: str) -> pd.Series:
    b = result.baseline
    hit = b[(b.smart_account == sa) & (b.virtual_account == va) & (b.license == license)]
    assert len(hit) == 1
    return hit.iloc[0]


def moves(result) -> list[tuple]:
    t = result.transfers
    return list(zip(t.smart_account, t.license, t.from_virtual_account, t.to_virtual_account, t.quantity, strict=True))


# ---- baseline ---------------------------------------------------------------------------------------------


def test_the_baseline_has_the_csv_columns_in_order_sorted_by_account_va_and_licence():
    result = pools_of(
        licenses(("B", "V1", "L", 1, 0), ("A", "V2", "M", 1, 0), ("A", "V1", "M", 1, 0), ("A", "V1", "K", 1, 0))
    )
    assert list(result.baseline_csv.columns) == BASELINE_COLUMNS
    assert list(result.baseline.columns[: len(BASELINE_COLUMNS)]) == BASELINE_COLUMNS
    keys = list(
        zip(result.baseline.smart_account, result.baseline.virtual_account, result.baseline.license, strict=True)
    )
    assert keys == [("A", "V1", "K"), ("A", "V1", "M"), ("A", "V2", "M"), ("B", "V1", "L")]


def test_several_export_rows_and_spellings_of_one_licence_are_one_pool_named_as_first_seen():
    # DNA Advantage 10+5 purchased, 4+3 in use, plus 2 units of usage spelled "dna-advantage".
    lic = licenses(("A", "V1", "DNA Advantage", 10, 4), ("A", "V1", "DNA ADVANTAGE", 5, 3))
    result = pools_of(lic, usage=quantities(("A", "V1", "dna-advantage", 2)))
    assert len(result.baseline) == 1
    pool = row(result, "A", "V1", "DNA Advantage")
    assert (pool.purchased, pool.in_use, pool.usage_total) == (15, 7, 2)


def test_removable_and_released_reduce_in_use_and_a_phantom_shortage_is_apparent():
    # purchased 10, in use 12 -> balance -2; removable 1+1, released 1 -> clean in use 9, clean balance +1.
    result = pools_of(
        licenses(("A", "V1", "L", 10, 12)),
        removable=quantities(("A", "V1", "L", 1), ("A", "V1", "l", 1)),
        released=quantities(("A", "V1", "L", 1)),
    )
    pool = row(result, "A", "V1", "L")
    assert (pool.removable, pool.released, pool.clean_in_use) == (2, 1, 9)
    assert (pool.balance, pool.clean_balance, pool.final_balance) == (-2, 1, 1)
    assert pool.apparent_shortage and not pool.va_shortage


def test_clean_in_use_never_drops_below_zero():
    # in use 2, removable 3, released 1: 2 - 4 clamps to 0, clean balance = purchased 5 - 0.
    result = pools_of(
        licenses(("A", "V1", "L", 5, 2)),
        removable=quantities(("A", "V1", "L", 3)),
        released=quantities(("A", "V1", "L", 1)),
    )
    pool = row(result, "A", "V1", "L")
    assert (pool.clean_in_use, pool.balance, pool.clean_balance) == (0, 3, 5)


def test_without_a_licences_export_a_pool_is_usage_plus_reservations_with_purchased_unknown():
    # No licences export at all: in use = 3 usage + 2 reserved; purchased and every balance NA, not zero.
    result = pools_of(
        None,
        usage=quantities(("A", "V1", "L", 1), ("A", "V1", "L", 2)),
        reservations=quantities(("A", "V1", "L", 2)),
        removable=quantities(("A", "V1", "L", 1)),
    )
    pool = row(result, "A", "V1", "L")
    assert (pool.in_use, pool.reserved, pool.usage_total, pool.clean_in_use) == (5, 2, 5, 4)
    for column in ("purchased", "balance", "clean_balance", "transfer_in", "transfer_out", "final_balance"):
        assert pd.isna(pool[column]), column
    assert not pool.available and not pool.va_shortage and not pool.apparent_shortage
    assert result.available is False
    assert result.transfers.empty and result.usage_mismatch.empty


def test_a_va_without_an_export_stays_out_of_rebalancing_while_its_neighbours_rebalance():
    # V1 export: purchased 0, in use 2 (short 2). V2 export: surplus 5. V3 has only usage (unknown).
    result = pools_of(
        licenses(("A", "V1", "L", 0, 2), ("A", "V2", "L", 5, 0)),
        usage=quantities(("A", "V3", "L", 4)),
    )
    assert moves(result) == [("A", "L", "V2", "V1", 2)]
    assert not row(result, "A", "V3", "L").available
    assert result.available is True


def test_a_licence_consumed_but_missing_from_the_vas_export_is_held_at_zero_and_short():
    # V1's export lists only M. Usage 3 + reservation 1 of L in V1: purchased 0, in use 4, a real shortage.
    result = pools_of(
        licenses(("A", "V1", "M", 5, 0)),
        usage=quantities(("A", "V1", "L", 3)),
        reservations=quantities(("A", "V1", "L", 1)),
    )
    pool = row(result, "A", "V1", "L")
    assert (pool.purchased, pool.in_use, pool.reserved, pool.final_balance) == (0, 4, 1, -4)
    assert pool.available and pool.va_shortage
    mismatch = result.usage_mismatch
    assert list(mismatch.columns) == MISMATCH_COLUMNS
    assert mismatch[mismatch.license == "L"][["in_use_export", "usage_total", "difference"]].values.tolist() == [
        [0, 4, 4]
    ]


def test_licence_class_is_the_first_known_class_of_the_pool():
    result = pools_of(
        licenses(("A", "V1", "L", 1, 0, "unknown"), ("A", "V1", "L", 1, 0, "term"), ("A", "V1", "L", 1, 0, "perpetual"))
    )
    assert row(result, "A", "V1", "L").license_class == "term"


# ---- rebalancing ------------------------------------------------------------------------------------------


def test_shortages_are_covered_largest_first_from_the_largest_surplus_first():
    # clean balances V1 -5, V2 -3, V3 +4, V4 +2. Laid end to end: shortages V1 [0,5) V2 [5,8);
    # surpluses V3 [0,4) V4 [4,6). Moved = min(8, 6) = 6. Overlaps: V3->V1 4, V4->V1 1, V4->V2 1.
    # Finals: V1 0, V2 -2 (VA_SHORTAGE of 2), V3 0, V4 0.
    result = pools_of(
        licenses(("A", "V1", "L", 0, 5), ("A", "V2", "L", 0, 3), ("A", "V3", "L", 4, 0), ("A", "V4", "L", 2, 0))
    )
    assert list(result.transfers.columns) == TRANSFER_COLUMNS
    assert moves(result) == [("A", "L", "V3", "V1", 4), ("A", "L", "V4", "V1", 1), ("A", "L", "V4", "V2", 1)]
    finals = result.baseline.set_index("virtual_account")["final_balance"].to_dict()
    assert finals == {"V1": 0, "V2": -2, "V3": 0, "V4": 0}
    v1, v2 = row(result, "A", "V1", "L"), row(result, "A", "V2", "L")
    assert (v1.transfer_in, v1.transfer_out, v2.transfer_in) == (5, 0, 1)
    assert v1.apparent_shortage and not v1.va_shortage
    assert v2.va_shortage and not v2.apparent_shortage
    assert row(result, "A", "V4", "L").transfer_out == 2


def test_equal_shortages_and_equal_surpluses_are_taken_in_va_name_order():
    # VB -3, VA -3, VD +2, VC +2. Ties by name: shortages VA [0,3) VB [3,6); surpluses VC [0,2) VD [2,4).
    # Moved 4: VC->VA 2, VD->VA 1, VD->VB 1; VB ends at -2.
    result = pools_of(
        licenses(("A", "VB", "L", 0, 3), ("A", "VA", "L", 0, 3), ("A", "VD", "L", 2, 0), ("A", "VC", "L", 2, 0))
    )
    assert moves(result) == [("A", "L", "VC", "VA", 2), ("A", "L", "VD", "VA", 1), ("A", "L", "VD", "VB", 1)]
    assert row(result, "A", "VB", "L").final_balance == -2


def test_surplus_left_over_after_every_shortage_is_covered_stays_where_it_is():
    # V1 -2; V2 +5, V3 +1: V2 covers V1 alone (2), leaving V2 +3 and V3 +1.
    result = pools_of(licenses(("A", "V1", "L", 0, 2), ("A", "V2", "L", 5, 0), ("A", "V3", "L", 1, 0)))
    assert moves(result) == [("A", "L", "V2", "V1", 2)]
    assert row(result, "A", "V2", "L").final_balance == 3


def test_licences_never_move_between_smart_accounts_or_between_licences():
    result = pools_of(licenses(("A", "V1", "L", 0, 2), ("B", "V1", "L", 5, 0), ("A", "V2", "M", 5, 0)))
    assert result.transfers.empty
    assert row(result, "A", "V1", "L").va_shortage


# ---- across Smart Accounts ---------------------------------------------------------------------------------


def test_a_licence_short_in_one_smart_account_and_spare_in_another_is_split_and_nettable():
    # L finals: A -5, B +3, C -1 -> shortage 6 (A; C), surplus 3 (B), nettable 3.
    # M is short in A only: nothing to net, not split. N spare in B and C only: not split.
    lic = licenses(
        ("A", "V1", "L", 0, 5),
        ("B", "V1", "L", 3, 0),
        ("C", "V1", "L", 0, 1),
        ("A", "V1", "M", 0, 2),
        ("B", "V1", "N", 1, 0),
        ("C", "V1", "N", 1, 0),
    )
    split = pools_of(lic).split
    assert list(split.columns) == SPLIT_COLUMNS
    assert split.values.tolist() == [["L", "A; C", "B", 6, 3, 3]]


def test_one_smart_account_alone_is_never_split():
    assert pools_of(licenses(("A", "V1", "L", 0, 5), ("A", "V2", "M", 4, 0))).split.empty


# ---- usage cross-check -------------------------------------------------------------------------------------


def test_an_export_in_use_that_disagrees_with_usage_is_reported_not_fixed():
    # V1: export in use 5; usage 3 + reservation 1 = 4 -> difference -1, baseline keeps 5.
    # V2: export in use 7, no usage source in V2 -> not compared.
    result = pools_of(
        licenses(("A", "V1", "L", 10, 5), ("A", "V2", "L", 10, 7)),
        usage=quantities(("A", "V1", "L", 3)),
        reservations=quantities(("A", "V1", "L", 1)),
    )
    assert result.usage_mismatch.values.tolist() == [["A", "V1", "L", 5, 4, -1]]
    assert row(result, "A", "V1", "L").in_use == 5


def test_no_inputs_give_an_empty_baseline_and_no_analysis():
    result = pools_of(None)
    assert result.baseline.empty and list(result.baseline_csv.columns) == BASELINE_COLUMNS
    assert result.transfers.empty and result.split.empty and result.usage_mismatch.empty
    assert result.available is False


# ---- EA ----------------------------------------------------------------------------------------------------


def ea(*rows: tuple) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=["license", "entitled", "suite", "smart_account"])
    frame["entitled"] = frame["entitled"].astype("Int64")
    return frame


def test_ea_entitlement_above_what_was_deposited_is_unallocated_per_named_account_or_across_all():
    # Purchased L: A 30+10 (two VAs), B 20. M purchased nowhere (but exports exist): deposited 0.
    baseline = pools_of(licenses(("A", "V1", "L", 30, 0), ("A", "V2", "L", 10, 0), ("B", "V1", "L", 20, 0))).baseline
    position = ea_position(
        ea(("L", 100, "DNA", None), ("l", 35, "DNA", "a"), ("L", 10, "DNA", "B"), ("M", 5, "Sec", None)),
        baseline,
    )
    assert list(position.columns) == ["license", "suite", "smart_account", "entitled", "deposited", "unallocated"]
    rows = [
        (r.license, r.smart_account if pd.notna(r.smart_account) else None, r.entitled, r.deposited, r.unallocated)
        for r in position.itertuples()
    ]
    # all SAs: 100 - 60 = 40; B: 10 - 20 -> 0; A (named "a"): 35 - 40 -> 0; M: 5 - 0 = 5 (nothing deposited).
    assert rows == [("L", None, 100, 60, 40), ("L", "B", 10, 20, 0), ("L", "a", 35, 40, 0), ("M", None, 5, 0, 5)]


def test_ea_deposit_is_unknown_when_no_licences_export_covers_its_scope():
    baseline = pools_of(licenses(("A", "V1", "L", 30, 0)), usage=quantities(("B", "V1", "L", 2))).baseline
    position = ea_position(ea(("L", 50, "DNA", "B"), ("L", 50, "DNA", None)), baseline).set_index(
        "smart_account", drop=False
    )
    named = position[position.smart_account.notna()].iloc[0]
    everyone = position[position.smart_account.isna()].iloc[0]
    assert pd.isna(named.deposited) and pd.isna(named.unallocated)
    assert (everyone.deposited, everyone.unallocated) == (30, 20)


# ---- properties --------------------------------------------------------------------------------------------

_balances = st.lists(
    st.tuples(
        st.sampled_from(["A", "B"]),
        st.sampled_from(["V1", "V2", "V3", "V4", "V5"]),
        st.sampled_from(["L", "M"]),
        st.integers(-20, 20),
    ),
    max_size=30,
    unique_by=lambda t: t[:3],
)


@settings(max_examples=40, deadline=None)
@given(_balances)
def test_transfers_move_the_smaller_of_total_shortage_and_surplus_and_conserve_clean_balance(rows):
    lic = licenses(*[(sa, va, lic, max(b, 0), max(-b, 0)) for sa, va, lic, b in rows])
    result = pools_of(lic)
    base = result.baseline
    assert (result.transfers.quantity > 0).all()
    moved = result.transfers.groupby(["smart_account", "license"])["quantity"].sum()
    for (sa, license), group in base.groupby(["smart_account", "license"]):
        clean = group.clean_balance.astype(int)
        expected = min(-clean[clean < 0].sum(), clean[clean > 0].sum())
        assert moved.get((sa, license), 0) == expected
        assert group.final_balance.sum() == clean.sum()
        final = group.final_balance.astype(int)
        assert not ((final < 0).any() and (final > 0).any())
        # nobody both gives and takes, and nobody is pushed past zero
        assert not ((group.transfer_in > 0) & (group.transfer_out > 0)).any()
        assert (final[clean < 0] <= 0).all() and (final[clean > 0] >= 0).all()


@settings(max_examples=20, deadline=None)
@given(_balances)
def test_the_order_of_input_rows_changes_nothing(rows):
    forward = pools_of(licenses(*[(sa, va, lic, max(b, 0), max(-b, 0)) for sa, va, lic, b in rows]))
    backward = pools_of(licenses(*[(sa, va, lic, max(b, 0), max(-b, 0)) for sa, va, lic, b in reversed(rows)]))
    pd.testing.assert_frame_equal(forward.baseline, backward.baseline)
    pd.testing.assert_frame_equal(forward.transfers, backward.transfers)


def test_a_row_without_a_smart_account_or_virtual_account_is_refused_not_dropped():
    with pytest.raises(ValueError, match="smart_account"):
        pools_of(licenses(("A", None, "L", 1, 0)))
