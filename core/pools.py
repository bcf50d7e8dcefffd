"""Licence pools per (smart_account, virtual_account, license): the clean baseline (DESIGN §4 "Pools").

Licence names are matched across files on `license_key` (schema.normalise_header of the name); the first
display name seen wins, looking at licences, usage, reservations, removable, released in that order.

Where in_use and purchased come from:
- a VA with a Licenses export and a row for the licence: purchased, in_use, reserved from the export
  (several rows for one pool are summed);
- a VA with a Licenses export but no row for a licence that usage or reservations consume there:
  purchased 0, in_use = usage + reservations. The export lists what the VA holds, so a licence missing
  from it is held at zero there and the consumption is a real shortage, not an unknown;
- a VA with no Licenses export at all: in_use = usage + reservations, purchased unknown (NA) and every
  balance, transfer and final balance NA: pool analysis unavailable (`available` False), never zero.
In both fallbacks `reserved` is the reservations' quantity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import keys
from core.rebalance import rebalance, split_pools

BASELINE_COLUMNS = [
    "smart_account",
    "virtual_account",
    "license",
    "purchased",
    "in_use",
    "reserved",
    "removable",
    "released",
    "clean_in_use",
    "balance",
    "clean_balance",
    "transfer_in",
    "transfer_out",
    "final_balance",
]
# Extra columns of Pools.baseline after BASELINE_COLUMNS (baseline.csv drops them).
EXTRA_COLUMNS = [
    "license_key",  # the matching key of `license`
    "license_class",  # perpetual / term / subscription / demo / unknown, from the Licenses export
    "usage_total",  # Σ usage + Σ reservations quantity (0 when none)
    "has_licenses_export",  # the VA has a Licenses export
    "has_usage_source",  # the VA has usage or reservation rows
    "available",  # pool analysis possible: purchased is known
    "apparent_shortage",  # balance < 0 and final_balance >= 0
    "va_shortage",  # final_balance < 0
]
MISMATCH_COLUMNS = ["smart_account", "virtual_account", "license", "in_use_export", "usage_total", "difference"]

SCOPE = ["smart_account", "virtual_account"]
POOL = [*SCOPE, "license_key"]
INT = "Int64"
_COUNTS = ("usage_qty", "reserved_qty", "removable", "released")  # per-pool sums of the quantity frames


@dataclass(frozen=True, eq=False)
class Pools:
    """The pool analysis.

    baseline: BASELINE_COLUMNS + EXTRA_COLUMNS, one row per pool, sorted by smart_account,
      virtual_account, license (`baseline_csv` is what baseline.csv holds).
    transfers: smart_account, license, from_virtual_account, to_virtual_account, quantity (> 0).
    split: licences short in one Smart Account while another has surplus (see rebalance.split_pools).
    usage_mismatch: MISMATCH_COLUMNS, where the Licenses export's in_use disagrees with usage + reservations.
    available: at least one pool has a known purchased quantity.
    """

    baseline: pd.DataFrame
    transfers: pd.DataFrame
    split: pd.DataFrame
    usage_mismatch: pd.DataFrame
    available: bool

    @property
    def baseline_csv(self) -> pd.DataFrame:
        return self.baseline[BASELINE_COLUMNS]


def license_key(names: pd.Series) -> pd.Series:
    """Vectorised schema.normalise_header: lower case, every run of non-alphanumerics dropped."""
    return names.astype(str).fillna("").str.lower().str.replace(r"[^0-9a-z]+", "", regex=True)


def _keyed(frame: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    """The frame's scope, licence, license_key and the given columns (an empty frame for None)."""
    wanted = [*SCOPE, "license", *columns]
    if frame is None or frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in [*wanted, "license_key"]})
    out = frame.reindex(columns=wanted)
    if out[SCOPE].isna().any(axis=None):
        raise ValueError("every row needs a smart_account and a virtual_account (ingestion fills them)")
    out["license_key"] = license_key(out["license"])
    return out


def _collapse(frame: pd.DataFrame | None, groups: keys.Groups | None = None) -> pd.DataFrame | None:
    """One row per (smart_account, virtual_account, license) with its quantity summed, in order of first
    appearance: every pool figure is a sum per pool and names are taken in first-seen order, so this changes
    no result, and a million usage rows become a few dozen. `groups`: the frame's groups by those columns."""
    if frame is None or len(frame) < 2:
        return frame
    columns = [*SCOPE, "license"]
    groups = groups or keys.Groups.of(frame, columns)
    if len(groups.first) == len(frame):
        return frame
    out = frame[columns].iloc[groups.first].reset_index(drop=True)
    out["quantity"] = frame["quantity"].groupby(groups.code, sort=False).sum().to_numpy()
    out["quantity"] = out["quantity"].astype(frame["quantity"].dtype)
    return out


def _quantity_by_pool(frame: pd.DataFrame, pool: np.ndarray, pools: int) -> pd.api.extensions.ExtensionArray:
    """Σ quantity per pool (0 where none), given each row's pool number."""
    quantity = pd.to_numeric(frame["quantity"]).fillna(0).to_numpy(dtype="float64") if len(frame) else []
    return pd.array(np.bincount(pool, weights=quantity, minlength=pools).round().astype("int64"), dtype=INT)


def _export_by_pool(lic: pd.DataFrame) -> pd.DataFrame:
    """Licenses export rows summed per pool; the pool's class is its first class other than unknown."""
    lic = lic.assign(license_class=lic["license_class"].where(lic["license_class"].ne("unknown")))
    g = lic.groupby(POOL)
    out = pd.DataFrame(
        {
            "purchased_export": g["purchased"].sum(min_count=1).astype(INT),
            "in_use_export": g["in_use"].sum(min_count=1).astype(INT),
            "reserved_export": g["reserved"].sum(min_count=1).astype(INT),
            "license_class": g["license_class"].first(),
        }
    )
    out["has_row"] = True
    return out


def _flag(condition: pd.Series) -> pd.Series:
    return condition.fillna(False).astype(bool)


def build_pools(
    licenses: pd.DataFrame | None,
    usage: pd.DataFrame,
    reservations: pd.DataFrame,
    removable: pd.DataFrame,
    released: pd.DataFrame,
    *,
    usage_groups: keys.Groups | None = None,
    removable_groups: keys.Groups | None = None,
) -> Pools:
    """Every pool's purchased, in_use, clean-up, transfers and final balance; see the module docstring.

    removable / released: rows smart_account, virtual_account, license, quantity (summed per pool) — usage of
    the instances the rules remove and reservations being released. usage_groups / removable_groups: those
    frames' rows grouped by smart_account, virtual_account and license, when the caller has them.
    """
    lic = _keyed(licenses, ["purchased", "in_use", "reserved", "license_class"])
    use = _keyed(_collapse(usage, usage_groups), ["quantity"])
    res = _keyed(reservations, ["quantity"])
    rem = _keyed(_collapse(removable, removable_groups), ["quantity"])
    rel = _keyed(released, ["quantity"])
    frames = [lic, use, res, rem, rel]

    seen = pd.concat([f[[*POOL, "license"]] for f in frames], ignore_index=True)
    names = seen.drop_duplicates("license_key").set_index("license_key")["license"]
    groups = keys.Groups.of(seen, POOL)  # the pools, numbered in order of first appearance
    pools = seen[POOL].iloc[groups.first].set_index(POOL).join(_export_by_pool(lic)).reset_index()
    for c in ("purchased_export", "in_use_export", "reserved_export"):
        pools[c] = pools[c].astype(INT)
    starts = np.cumsum([0, *(len(f) for f in frames)])
    for i, name in enumerate(_COUNTS, start=1):  # frames[1:]: use, res, rem, rel
        pools[name] = _quantity_by_pool(frames[i], groups.code[starts[i] : starts[i + 1]], len(pools))

    def va_has(frame: pd.DataFrame) -> pd.Series:
        vas = set(frame[SCOPE].drop_duplicates().itertuples(index=False, name=None))  # a few dozen VAs
        pairs = zip(pools["smart_account"].tolist(), pools["virtual_account"].tolist(), strict=True)
        return pd.Series([pair in vas for pair in pairs], index=pools.index, dtype=bool)

    pools["license"] = pools["license_key"].map(names)
    pools["license_class"] = pools["license_class"].fillna("unknown").astype("str")
    pools["has_licenses_export"] = va_has(lic)
    pools["has_usage_source"] = va_has(pd.concat([use[SCOPE], res[SCOPE]]))
    has_row = _flag(pools["has_row"])
    pools["usage_total"] = pools["usage_qty"] + pools["reserved_qty"]
    zero_or_na = pd.Series(0, index=pools.index, dtype=INT).where(pools["has_licenses_export"])
    pools["purchased"] = pools["purchased_export"].where(has_row, zero_or_na)
    pools["in_use"] = pools["in_use_export"].where(has_row, pools["usage_total"])
    pools["reserved"] = pools["reserved_export"].where(has_row, pools["reserved_qty"])
    pools["clean_in_use"] = (pools["in_use"] - pools["removable"] - pools["released"]).clip(lower=0)
    pools["balance"] = pools["purchased"] - pools["in_use"]
    pools["clean_balance"] = pools["purchased"] - pools["clean_in_use"]
    pools["available"] = pools["purchased"].notna()

    transfers = rebalance(pools)
    for side, va in (("transfer_in", "to_virtual_account"), ("transfer_out", "from_virtual_account")):
        moved = transfers.groupby(["smart_account", va, "license"])["quantity"].sum()
        moved.index = moved.index.set_names(["smart_account", "virtual_account", "license"])
        pools = pools.join(moved.rename(side), on=["smart_account", "virtual_account", "license"])
        pools[side] = pools[side].astype(INT).fillna(0).where(pools["available"])
    pools["final_balance"] = pools["clean_balance"] + pools["transfer_in"] - pools["transfer_out"]
    pools["apparent_shortage"] = _flag((pools["balance"] < 0) & (pools["final_balance"] >= 0))
    pools["va_shortage"] = _flag(pools["final_balance"] < 0)

    baseline = pools.sort_values(["smart_account", "virtual_account", "license"], kind="stable")
    baseline = baseline[BASELINE_COLUMNS + EXTRA_COLUMNS].reset_index(drop=True)
    return Pools(
        baseline=baseline,
        transfers=transfers,
        split=split_pools(baseline),
        usage_mismatch=_usage_mismatch(pools, has_row),
        available=bool(baseline["available"].any()),
    )


def _usage_mismatch(pools: pd.DataFrame, has_row: pd.Series) -> pd.DataFrame:
    """Pools whose Licenses-export in_use differs from usage + reservations, in VAs that have both sources.

    A licence consumed in such a VA but missing from its export counts as in_use_export 0 (the export's
    own statement). difference = usage_total − in_use_export. Reported only; the baseline keeps the export.
    """
    export = pools["in_use_export"].where(has_row, pd.Series(0, index=pools.index, dtype=INT))
    both = pools["has_licenses_export"] & pools["has_usage_source"]
    differs = _flag(both & export.notna() & export.ne(pools["usage_total"]))
    out = pools.loc[differs, [*SCOPE, "license", "usage_total"]].assign(in_use_export=export[differs])
    out["difference"] = out["usage_total"] - out["in_use_export"]
    out = out.sort_values([*SCOPE, "license"], kind="stable").reset_index(drop=True)
    return out[MISMATCH_COLUMNS]


def ea_position(ea: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """EA entitlement against what was deposited into the Smart Account(s), per licence (key-matched).

    deposited = Σ known purchased over every Smart Account, or over the one the EA row names (Smart Account
    names compared on normalise_header). VAs without a Licenses export add nothing; when no pool in scope
    has a known purchased at all, deposited and unallocated are NA (cannot tell). EA rows for the same
    licence and Smart Account are summed. unallocated = max(0, entitled − deposited).
    Columns: license, suite, smart_account, entitled, deposited, unallocated.
    """
    columns = ["license", "suite", "smart_account", "entitled", "deposited", "unallocated"]
    if ea is None or ea.empty:
        return pd.DataFrame({c: pd.Series(dtype=INT if c in columns[3:] else "str") for c in columns})
    rows = ea.reindex(columns=["license", "suite", "smart_account", "entitled"]).copy()
    rows["license_key"] = license_key(rows["license"])
    rows["license"] = rows["license_key"].map(rows.drop_duplicates("license_key").set_index("license_key")["license"])
    rows["sa_key"] = license_key(rows["smart_account"]).where(rows["smart_account"].notna())
    rows = (
        rows.groupby(["license_key", "sa_key"], dropna=False, sort=False)
        .agg(
            license=("license", "first"),
            suite=("suite", "first"),
            smart_account=("smart_account", "first"),
            entitled=("entitled", lambda s: s.sum(min_count=1)),
        )
        .reset_index()
    )
    pools = pd.DataFrame(
        {
            "license_key": license_key(baseline["license"]),
            "sa_key": license_key(baseline["smart_account"]),
            "purchased": baseline["purchased"].astype(INT),
        }
    )
    known = pools["purchased"].notna()
    per_sa = pools[known].groupby(["license_key", "sa_key"])["purchased"].sum()
    all_sa = pools[known].groupby("license_key")["purchased"].sum()
    sa_known = set(pools.loc[known, "sa_key"])
    named = rows["sa_key"].notna()
    pairs = pd.MultiIndex.from_frame(rows[["license_key", "sa_key"]].fillna(""))
    dep_named = pd.Series(per_sa.reindex(pairs).to_numpy(), index=rows.index).fillna(0)
    dep_all = rows["license_key"].map(all_sa).fillna(0)
    deposited = dep_all.where(~named, dep_named).astype(INT)
    in_scope = rows["sa_key"].isin(sa_known).where(named, bool(known.any()))
    rows["deposited"] = deposited.where(in_scope.astype(bool))
    rows["entitled"] = rows["entitled"].astype(INT)
    rows["unallocated"] = (rows["entitled"] - rows["deposited"]).clip(lower=0)
    rows = rows.sort_values(["license", "smart_account"], kind="stable", na_position="first")
    return rows[columns].reset_index(drop=True)
