"""Moving licences between pools: transfers between Virtual Accounts inside a Smart Account, and what
consolidating Smart Accounts would net (DESIGN §4 "Pools").

Both work on a pools frame keyed by smart_account, virtual_account and license_key (core.pools builds it).
"""

from __future__ import annotations

import pandas as pd

TRANSFER_COLUMNS = ["smart_account", "license", "from_virtual_account", "to_virtual_account", "quantity"]
SPLIT_COLUMNS = ["license", "short_accounts", "surplus_accounts", "shortage", "surplus", "nettable"]
ACCOUNT_SEPARATOR = "; "  # Smart Account names may contain commas ("Example Corp, Inc.")

_GROUP = ["smart_account", "license_key"]


def _intervals(side: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Lay each group's amounts end to end, largest first (ties by VA name): one [end - amount, end) each."""
    side = side.merge(groups, on=_GROUP).sort_values(
        ["g", "amount", "virtual_account"], ascending=[True, False, True], kind="stable"
    )
    return side.assign(end=side.groupby("g")["amount"].cumsum())


def rebalance(pools: pd.DataFrame) -> pd.DataFrame:
    """Transfers inside each Smart Account, per licence, that cover VAs with clean_balance < 0 from VAs with
    clean_balance > 0: largest shortage first, from the largest surplus first, ties by VA name.

    This is the greedy two-pointer walk done at once: shortages and surpluses are laid end to end on one
    line per (Smart Account, licence); where a shortage interval overlaps a surplus interval, the overlap
    is a transfer. The line is cut at every interval end up to min(Σ shortage, Σ surplus) and each piece
    is attributed with merge_asof (the first interval whose end reaches the cut). Rows come sorted by
    smart_account and license, then in the order the walk makes the moves.
    Needs columns smart_account, virtual_account, license_key, license, clean_balance (NA = not analysed).
    """
    known = pools[pools["clean_balance"].notna()]
    cols = ["smart_account", "virtual_account", "license_key", "license"]
    balance = known["clean_balance"].astype("int64")
    short = known.loc[balance < 0, cols].assign(amount=-balance[balance < 0])
    surplus = known.loc[balance > 0, cols].assign(amount=balance[balance > 0])
    totals = (
        short.groupby(_GROUP)["amount"]
        .sum()
        .rename("short_total")
        .to_frame()
        .join(surplus.groupby(_GROUP)["amount"].sum().rename("surplus_total"), how="inner")
        .reset_index()
    )
    if totals.empty:
        return _empty_transfers()
    totals = totals.sort_values(_GROUP, kind="stable").reset_index(drop=True)
    totals["g"] = range(len(totals))
    totals["moved"] = totals[["short_total", "surplus_total"]].min(axis=1)
    short = _intervals(short, totals[[*_GROUP, "g"]])
    surplus = _intervals(surplus, totals[[*_GROUP, "g"]])

    cuts = pd.concat(
        [short[["g", "end"]], surplus[["g", "end"]], totals[["g", "moved"]].rename(columns={"moved": "end"})]
    )
    cuts = cuts.merge(totals[["g", "moved"]], on="g")
    cuts = cuts[cuts["end"] <= cuts["moved"]].drop_duplicates(["g", "end"]).sort_values(["g", "end"])
    cuts["quantity"] = cuts["end"] - cuts.groupby("g")["end"].shift(1, fill_value=0)
    cuts = cuts.sort_values("end", kind="stable")

    def owner(side: pd.DataFrame, name: str) -> pd.DataFrame:
        right = side[["g", "end", "virtual_account"]].rename(columns={"virtual_account": name, "end": f"{name}_end"})
        return right.sort_values(f"{name}_end", kind="stable")

    pieces = pd.merge_asof(
        cuts,
        owner(short, "to_virtual_account"),
        left_on="end",
        right_on="to_virtual_account_end",
        by="g",
        direction="forward",
    )
    pieces = pd.merge_asof(
        pieces,
        owner(surplus, "from_virtual_account"),
        left_on="end",
        right_on="from_virtual_account_end",
        by="g",
        direction="forward",
    )
    names = short.drop_duplicates("g").set_index("g")["license"]
    out = (
        pieces.sort_values(["g", "end"])
        .groupby(["g", "from_virtual_account", "to_virtual_account"], sort=False)["quantity"]
        .sum()
        .reset_index()
        .merge(totals[[*_GROUP, "g"]], on="g")
    )
    out["license"] = out["g"].map(names)
    out["quantity"] = out["quantity"].astype("Int64")
    return (
        out[TRANSFER_COLUMNS]
        .sort_values(["smart_account", "license"], kind="stable")  # then in the order the walk makes them
        .reset_index(drop=True)
    )


def _empty_transfers() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "quantity" else "str") for c in TRANSFER_COLUMNS})


def split_pools(pools: pd.DataFrame) -> pd.DataFrame:
    """Licences short in one Smart Account while another has surplus, after the transfers inside each.

    shortage / surplus are Σ remaining shortage / surplus over the Smart Accounts; nettable = min of the two
    is what consolidating the accounts would net. Pools without a final_balance (no licences export) are
    left out. After rebalancing no Smart Account is both short and in surplus for one licence, so
    nettable > 0 already means two different accounts.
    """
    known = pools[pools["final_balance"].notna()]
    final = known["final_balance"].astype("int64")
    per_sa = (
        known.assign(short=(-final).clip(lower=0), surp=final.clip(lower=0))
        .groupby(["license_key", "smart_account"])[["short", "surp"]]
        .sum()
        .reset_index()
        .sort_values(["license_key", "smart_account"], kind="stable")
    )
    by_key = per_sa.groupby("license_key")
    out = pd.DataFrame({"shortage": by_key["short"].sum(), "surplus": by_key["surp"].sum()})
    out["nettable"] = out[["shortage", "surplus"]].min(axis=1)
    out = out[out["nettable"] > 0]
    if out.empty:
        text = ("license", "short_accounts", "surplus_accounts")
        return pd.DataFrame({c: pd.Series(dtype="str" if c in text else "Int64") for c in SPLIT_COLUMNS})

    def accounts(mask: pd.Series) -> pd.Series:
        return per_sa[mask].groupby("license_key")["smart_account"].agg(ACCOUNT_SEPARATOR.join)

    out["short_accounts"] = accounts(per_sa["short"] > 0)
    out["surplus_accounts"] = accounts(per_sa["surp"] > 0)
    out["license"] = known.drop_duplicates("license_key").set_index("license_key")["license"]
    for c in ("shortage", "surplus", "nettable"):
        out[c] = out[c].astype("Int64")
    return out[SPLIT_COLUMNS].sort_values("license", kind="stable").reset_index(drop=True)
