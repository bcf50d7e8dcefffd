"""The one call the app and the CLI make: a parsed estate and settings in, a typed result out.

No clock, no file system: `settings.as_of` is the date everything is measured from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from core import keys
from core.findings_model import CODES, CONFIDENCE_ORDER, FINDING_COLUMNS, empty_findings, make_findings
from core.instances import USAGE_POOL, Link, assess_instances
from core.model import Estate, FileReport
from core.ownership import assess_ownership
from core.plan import build_plan
from core.pools import Pools, build_pools, ea_position, license_key
from core.renewal import Consumption, Leverage, Milestones, consumption, leverage, milestones
from core.reservations import assess_reservations
from core.settings import Settings

QTY = ["smart_account", "virtual_account", "license", "quantity"]


@dataclass(frozen=True, eq=False)
class ReconcileResult:
    """Everything the outputs and the pages show. Frames keep their documented columns."""

    settings: Settings
    findings: pd.DataFrame  # FINDING_COLUMNS + subject, counted
    plan: pd.DataFrame  # plan.PLAN_COLUMNS
    pools: Pools
    instances: pd.DataFrame  # one row per product instance with match, lifecycle, days, stale, removal
    reservations: pd.DataFrame  # with release and return_code flags
    ea: pd.DataFrame
    ownership: dict[str, dict[str, Any]]
    milestones: Milestones | None
    consumption: Consumption
    leverage: Leverage | None
    reports: tuple[FileReport, ...]
    rejects: pd.DataFrame
    orphan_usage: int  # usage rows that match no registered instance (still counted in pools)

    @property
    def baseline(self) -> pd.DataFrame:
        return self.pools.baseline_csv

    def finding_counts(self) -> dict[str, int]:
        counts = self.findings["finding"].value_counts()
        return {code: int(counts.get(code, 0)) for code in CODES}


def _pool_findings(pools: Pools, ea: pd.DataFrame) -> list[pd.DataFrame]:
    b = pools.baseline
    parts = []
    for code, flag in (("APPARENT_SHORTAGE", "apparent_shortage"), ("VA_SHORTAGE", "va_shortage")):
        hit = b[b[flag]]
        if code == "APPARENT_SHORTAGE":
            qty = -hit["balance"]
            ev = (
                "short by "
                + qty.astype(str)
                + " before clean-up; "
                + hit["removable"].astype(str)
                + " removable, "
                + hit["released"].astype(str)
                + " released, "
                + hit["transfer_in"].astype(str)
                + " transferred in: final balance "
                + hit["final_balance"].astype(str)
            )
        else:
            qty = -hit["final_balance"]
            ev = (
                "purchased "
                + hit["purchased"].astype(str)
                + ", clean in use "
                + hit["clean_in_use"].astype(str)
                + ", transferred in "
                + hit["transfer_in"].astype(str)
                + ": still short by "
                + qty.astype(str)
            )
        parts.append(
            make_findings(
                code,
                hit,
                smart_account=hit["smart_account"],
                virtual_account=hit["virtual_account"],
                license=hit["license"],
                quantity=qty,
                evidence=ev,
                subject="pool#"
                + hit["smart_account"].astype(str)
                + "/"
                + hit["virtual_account"].astype(str)
                + "/"
                + hit["license"].astype(str),
            )
        )
    s = pools.split
    parts.append(
        make_findings(
            "SPLIT_POOLS",
            s,
            license=s["license"],
            quantity=s["nettable"],
            smart_account=s["short_accounts"],
            evidence=s["short_accounts"].astype(str)
            + " is short of "
            + s["shortage"].astype(str)
            + " × '"
            + s["license"].astype(str)
            + "' while "
            + s["surplus_accounts"].astype(str)
            + " has "
            + s["surplus"].astype(str)
            + " spare: "
            + s["nettable"].astype(str)
            + " would net by consolidating",
            subject="license#" + s["license"].astype(str),
        )
    )
    gap = ea[ea["unallocated"].fillna(0) > 0]
    parts.append(
        make_findings(
            "EA_UNALLOCATED",
            gap,
            license=gap["license"],
            quantity=gap["unallocated"],
            smart_account=gap["smart_account"],
            evidence="EA entitles "
            + gap["entitled"].astype(str)
            + ", only "
            + gap["deposited"].astype(str)
            + " deposited in the Smart Account(s)",
            subject="ea#" + gap["license"].astype(str),
        )
    )
    return parts


def _values(
    usage: pd.DataFrame, link: Link, reservations: pd.DataFrame, prices: pd.DataFrame, subjects: pd.Series
) -> pd.Series:
    """Money per subject (instance or reservation) when prices exist: quantity × unit price. Instances are
    valued only when among `subjects` (the findings' subjects: the only ones the plan can show)."""
    if prices.empty:
        return pd.Series(dtype="float64")
    price = prices.dropna(subset=["unit_price"]).assign(k=license_key(prices["license"])).drop_duplicates("k")
    table = price.set_index("k")["unit_price"]
    used = link.among(subjects.dropna())
    names, distinct = pd.factorize(usage.loc[used, "license"], use_na_sentinel=False)
    unit = license_key(pd.Series(distinct)).map(table).to_numpy(dtype="float64")[names]
    amount = pd.Series(usage.loc[used, "quantity"].astype("float64").to_numpy() * unit)
    inst = amount.groupby(link.code[used]).sum(min_count=1)
    inst.index = pd.Index(link.ids.to_numpy(dtype=object)[inst.index.to_numpy()])
    res = reservations["quantity"].astype("float64") * license_key(reservations["license"]).map(table)
    res.index = "reservation#" + reservations["rid"].astype(str)
    return pd.concat([inst, res]).dropna()


def reconcile(estate: Estate, settings: Settings) -> ReconcileResult:
    """Steps 1–6 of the audit over a whole estate."""
    f = estate.frames
    groups = keys.Groups.of(f["usage"], USAGE_POOL)  # pools and licence classes both group usage this way
    inst, inst_findings, link = assess_instances(
        f["instances"], f["usage"], f["licenses"], f["inventory"], settings, groups
    )
    res, res_findings = assess_reservations(f["reservations"], inst, f["inventory"])

    removed = link.among(inst.loc[inst["removable"], "instance_id"])
    removable = f["usage"].loc[removed, QTY]
    released = res[res["release"]][QTY] if not res.empty else res.reindex(columns=QTY)
    pools = build_pools(
        f["licenses"] if estate.has("licenses") else None,
        f["usage"],
        f["reservations"],
        removable,
        released,
        usage_groups=groups,
        removable_groups=groups.subset(removed),
    )
    ea = ea_position(f["ea"], pools.baseline)

    sas = sorted(set(pd.concat([f[k]["smart_account"] for k in ("instances", "licenses", "users")]).dropna()))
    own_findings, ownership = assess_ownership(f["users"], f["roster"], sas, settings.as_of)
    parts = [inst_findings, res_findings, *_pool_findings(pools, ea), own_findings]
    findings = (
        pd.concat([p for p in parts if not p.empty], ignore_index=True)
        if any(not p.empty for p in parts)
        else empty_findings()
    )
    order = {c: i for i, c in enumerate(CODES)}
    findings = (
        findings.assign(
            _c=findings["finding"].map(order),
            _k=findings["confidence"].map({c: i for i, c in enumerate(CONFIDENCE_ORDER)}),
        )
        .sort_values(
            ["_k", "_c", "smart_account", "virtual_account", "instance_name", "license", "subject"],
            kind="stable",
            na_position="first",
        )
        .drop(columns=["_c", "_k"])
        .reset_index(drop=True)
    )

    values = _values(f["usage"], link, res, f["prices"], findings["subject"])
    return_code = (
        pd.Series(res["return_code"].to_numpy(), index="reservation#" + res["rid"].astype(str))
        if not res.empty
        else pd.Series(dtype=bool)
    )
    plan = build_plan(findings, pools.transfers, return_code, values)
    return ReconcileResult(
        settings=settings,
        findings=findings[FINDING_COLUMNS + ["subject", "counted"]],
        plan=plan,
        pools=pools,
        instances=inst,
        reservations=res,
        ea=ea,
        ownership=ownership,
        milestones=milestones(settings),
        consumption=consumption(pools.baseline, f["prices"] if estate.has("prices") else None),
        leverage=leverage(settings),
        reports=estate.reports,
        rejects=estate.rejects,
        orphan_usage=int((link.code < 0).sum()),
    )
