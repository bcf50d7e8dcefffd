"""Reservations, the CSSM Licenses pools and the EA entitlement of the demo estate, with purchased quantities
chosen so the planted pool cases come out (phantom shortages, a transfer, real shortages, split pools)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from core.synth import catalog as c

ORPHAN_LICENSE = c.N9K_DCN

# Pools whose purchased quantity is chosen to plant a case (va, licence) -> scenario.
SCENARIOS = {
    (c.BRANCH, c.ISR_DNA): "apparent_shortage_cleanup",
    (c.CAMPUS, c.C9200_DNA): "apparent_shortage_transfer",
    (c.BRANCH, c.C9200_DNA): "transfer_source",
    (c.DATACENTER, c.FTD_TD): "va_shortage",
    (c.CT_DEFAULT, c.C9300_DNA): "split_pools_short",
    (c.CAMPUS, c.C9300_DNA): "split_pools_surplus",
    (c.DATACENTER, c.C9300_DNA): "idle_surplus",
    (c.CT_WIRELESS, c.WLC_DNA): "in_use_mismatch",
}


def reservations(rows: pd.DataFrame, rng: np.random.Generator, orphan_serial: str) -> pd.DataFrame:
    """SLR/PLR reservations: one row per licence of each reserved instance, plus one on a serial that exists
    nowhere. Columns: row (-1 for the orphan), va, lic, qty, type, reserved_on, serial, released."""
    parts = []
    for p, product in enumerate(c.PRODUCTS):
        idx = np.flatnonzero(rows["reserved"].to_numpy() & (rows["prod"].to_numpy() == p))
        for lic in product.licenses:
            parts.append(pd.DataFrame({"row": idx, "lic": lic}))
    res = pd.concat(parts, ignore_index=True).sort_values(["row", "lic"], ignore_index=True)
    row = res["row"].to_numpy()
    res["va"] = rows["va"].to_numpy()[row]
    res["qty"] = 1
    plr = (res["va"].to_numpy() == c.DATACENTER) & (rows["prod"].to_numpy()[row] == c.N9K)
    res["type"] = np.where(plr, "PLR", "SLR")
    back = rows["days"].to_numpy()[row] + rng.integers(0, 31, len(res))
    res["reserved_on"] = np.datetime64(c.AS_OF, "D") - back.astype("timedelta64[D]")
    res["serial"] = rows["serial"].to_numpy()[row]
    res["released"] = rows["cat"].to_numpy()[row] == c.RES_DECOM
    orphan = pd.DataFrame(
        {
            "row": [-1],
            "lic": [ORPHAN_LICENSE],
            "va": [c.DATACENTER],
            "qty": [1],
            "type": ["PLR"],
            "reserved_on": [np.datetime64("2023-02-14", "D")],
            "serial": [orphan_serial],
            "released": [True],
        }
    )
    return pd.concat([res, orphan], ignore_index=True)


def _round(x: float) -> int:
    return int(math.floor(x + 0.5))


def pools(usage: pd.DataFrame, res: pd.DataFrame, rng: np.random.Generator, instances: int) -> pd.DataFrame:
    """One row per (va, lic) as the Licenses export shows it, with the expected clean-up figures.

    Columns: va, lic, usage, reserved, in_use, removable, released, clean_in_use, purchased, scenario."""
    u = usage.assign(rem=usage["qty"] * usage["removable"]).groupby(["va", "lic"])[["qty", "rem"]].sum()
    u.columns = ["usage", "removable"]
    r = res.assign(rel=res["qty"] * res["released"]).groupby(["va", "lic"])[["qty", "rel"]].sum()
    r.columns = ["reserved", "released"]
    idle = pd.DataFrame(
        {"usage": [0], "removable": [0]},
        index=pd.MultiIndex.from_tuples([(c.DATACENTER, c.C9300_DNA)], names=["va", "lic"]),
    )
    u = pd.concat([u, idle])
    p = u.join(r, how="outer").fillna(0).astype(np.int64).sort_index()
    p = p.reset_index()
    keys = list(zip(p["va"], p["lic"], strict=True))
    p["scenario"] = [SCENARIOS.get(key, "") for key in keys]
    p["in_use"] = p["usage"] + p["reserved"] + np.where(p["scenario"] == "in_use_mismatch", c.MISMATCH_UNITS, 0)
    p["clean_in_use"] = (p["in_use"] - p["removable"] - p["released"]).clip(lower=0)
    margin = np.ceil(p["in_use"] * rng.uniform(0.03, 0.15, len(p))).astype(np.int64) + rng.integers(1, 4, len(p))
    p["purchased"] = p["in_use"] + margin
    at = {key: i for i, key in enumerate(keys)}

    def row(va: int, lic: int) -> int:
        return at[(va, lic)]

    i = row(c.BRANCH, c.ISR_DNA)
    cut = int(p.at[i, "in_use"] - p.at[i, "clean_in_use"])
    if cut < 2:
        raise ValueError("the clean-up shortage pool needs at least 2 removable units")
    p.at[i, "purchased"] = p.at[i, "in_use"] - math.ceil(cut / 2)
    i, j = row(c.CAMPUS, c.C9200_DNA), row(c.BRANCH, c.C9200_DNA)
    d = max(3, _round(0.05 * p.at[i, "clean_in_use"]))
    p.at[i, "purchased"] = max(0, p.at[i, "clean_in_use"] - d)
    p.at[j, "purchased"] = max(p.at[j, "purchased"], p.at[j, "clean_in_use"] + d)
    i = row(c.DATACENTER, c.FTD_TD)
    p.at[i, "purchased"] = max(0, p.at[i, "clean_in_use"] - max(2, _round(0.04 * p.at[i, "clean_in_use"])))
    i, j = row(c.CT_DEFAULT, c.C9300_DNA), row(c.CAMPUS, c.C9300_DNA)
    f = max(4, _round(0.08 * p.at[i, "clean_in_use"]))
    p.at[i, "purchased"] = max(0, p.at[i, "clean_in_use"] - f)
    p.at[j, "purchased"] = max(p.at[j, "purchased"], p.at[j, "clean_in_use"] + f)
    p.at[row(c.DATACENTER, c.C9300_DNA), "purchased"] = max(8, _round(0.01 * instances))
    return p[
        ["va", "lic", "usage", "reserved", "in_use", "removable", "released", "clean_in_use", "purchased", "scenario"]
    ]


def expected_baseline(p: pd.DataFrame) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """The DESIGN §4 pool arithmetic on the planted pools (balance, clean-up, transfers inside each Smart
    Account), so the planted dict states what the engine should find. Returns the pools and the transfers."""
    b = p.copy()
    b["smart_account"] = [c.VAS[v].smart_account for v in b["va"]]
    b["virtual_account"] = [c.VAS[v].name for v in b["va"]]
    b["license"] = [c.LICENSES[x].name for x in b["lic"]]
    b["balance"] = b["purchased"] - b["in_use"]
    b["clean_balance"] = b["purchased"] - b["clean_in_use"]
    b["transfer_in"] = 0
    b["transfer_out"] = 0
    transfers: list[dict[str, object]] = []
    for (sa, lic), g in b.groupby(["smart_account", "license"], sort=True):
        short = {i: -int(b.at[i, "clean_balance"]) for i in g.index if b.at[i, "clean_balance"] < 0}
        spare = {i: int(b.at[i, "clean_balance"]) for i in g.index if b.at[i, "clean_balance"] > 0}
        for i in sorted(short, key=lambda x: (-short[x], b.at[x, "virtual_account"])):
            for j in sorted(spare, key=lambda x: (-spare[x], b.at[x, "virtual_account"])):
                move = min(short[i], spare[j])
                if move <= 0:
                    continue
                short[i] -= move
                spare[j] -= move
                b.at[i, "transfer_in"] += move
                b.at[j, "transfer_out"] += move
                transfers.append(
                    {
                        "smart_account": sa,
                        "license": lic,
                        "from": b.at[j, "virtual_account"],
                        "to": b.at[i, "virtual_account"],
                        "quantity": move,
                    }
                )
    b["final_balance"] = b["clean_balance"] + b["transfer_in"] - b["transfer_out"]
    return b, transfers


def ea_entitlements(p: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """EA entitlement per licence: what was deposited across both Smart Accounts, except one licence with
    entitlement never claimed into any Smart Account. Returns the rows and {licence: unallocated}."""
    deposited = p.groupby("lic")["purchased"].sum()
    rows, unallocated = [], {}
    for lic, qty in deposited.items():
        spec = c.LICENSES[int(lic)]
        if spec.suite is None:
            continue
        extra = max(10, _round(0.1 * int(qty))) if lic == c.C9300_DNA else 0
        if extra:
            unallocated[spec.name] = extra
        rows.append({"License": spec.name, "Suite": spec.suite, "Entitled Quantity": int(qty) + extra})
    return pd.DataFrame(rows), unallocated


def expires(va: int, lic: int) -> dt.date | None:
    """Expiry shown in the Licenses export: EA co-term for Northwind, Contoso's own contract dates."""
    spec = c.LICENSES[lic]
    if spec.type == "Perpetual":
        return None
    if c.VAS[va].smart_account == c.CONTOSO:
        return dt.date(2027, 3, 15) if lic == c.WLC_DNA else dt.date(2027, 1, 31)
    return dt.date(2027, 3, 31) if spec.suite is None else c.RENEWAL_DATE
