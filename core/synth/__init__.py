"""Deterministic generator of the demo estate "Northwind Holdings": CSSM, inventory, EA, users and price
exports with every DESIGN §4 finding planted, plus the engagement manifest and what was planted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.pools import BASELINE_COLUMNS
from core.synth import catalog as c
from core.synth import estate, exports, inventory, licensing, people
from core.synth.write import write_manifest

__all__ = ["generate"]


def generate(out_dir: Path, instances: int = 2000, seed: int = 7) -> dict[str, Any]:
    """Write the demo estate into `out_dir` (exports, engagement.toml, planted.json) and return what was
    planted: case counts, the findings the engine should report, and the expected pool figures.

    Same `instances` and `seed` give byte-identical files. Raises ValueError below about 200 instances."""
    out = Path(out_dir)
    rng = np.random.default_rng(seed)
    blocks, _ = estate.plan_blocks(instances)
    n_stack = sum(n for cat, _, _, n in blocks if cat in (c.STACK, c.STACK2))
    n_sn_extra = int(round(c.SN_EXTRA_RATE * instances))
    n_nms_extra = max(3, int(round(c.NMS_EXTRA_RATE * instances)))
    need = instances + n_stack + n_sn_extra + n_nms_extra + 1
    if need > estate.SUFFIX_SPACE:
        raise ValueError(f"instances={instances} is too large for unique serials")
    suffixes = rng.choice(estate.SUFFIX_SPACE, size=need, replace=False)

    rows = estate.build_rows(instances, rng, suffixes[: instances + n_stack])
    usage = estate.usage_rows(rows, rng)
    at = instances + n_stack
    orphan = estate.serials(rng, np.array(["FDO"], dtype=object), suffixes[at : at + 1]).iloc[0]
    res = licensing.reservations(rows, rng, orphan)
    pools = licensing.pools(usage, res, rng, instances)
    baseline, transfers = licensing.expected_baseline(pools)
    ea, unallocated = licensing.ea_entitlements(pools)
    sn = inventory.servicenow(rows, rng, suffixes[at + 1 : at + 1 + n_sn_extra])
    nms = inventory.catalyst(rows, rng, suffixes[at + 1 + n_sn_extra :])
    roster = people.roster(rng)

    out.mkdir(parents=True, exist_ok=True)
    entries, counts = exports.instances(out, rows, exports.license_text(rows, usage))
    entry, counts["catalyst/campus_licenses.csv"] = exports.catalyst_usage(out, rows)
    entries.append(entry)
    more, n = exports.licenses(out, pools)
    entries += more
    counts.update(n)
    entry, counts["cssm/reservations.csv"] = exports.reservations(out, res)
    entries.append(entry)
    more, n = exports.simple(out, sn, nms, ea, roster)
    entries += more
    counts.update(n)
    write_manifest(out / "engagement.toml", entries, instances, seed)

    planted = _planted(rows, res, baseline, transfers, unallocated, counts, instances, seed)
    (out / "planted.json").write_text(json.dumps(planted, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return planted


def _planted(
    rows: pd.DataFrame,
    res: pd.DataFrame,
    baseline: pd.DataFrame,
    transfers: list[dict[str, object]],
    unallocated: dict[str, int],
    counts: dict[str, int],
    instances: int,
    seed: int,
) -> dict[str, Any]:
    cat = rows["cat"].to_numpy()

    def n(*cats: int) -> int:
        return int(np.isin(cat, cats).sum())

    va_sa = np.array([v.smart_account for v in c.VAS], dtype=object)
    copies = rows[cat == c.DUP_COPY]
    keeper_va = rows["va"].to_numpy()[copies["device"].to_numpy()]
    cross = int((va_sa[copies["va"].to_numpy()] != va_sa[keeper_va]).sum())
    apparent = baseline[(baseline["balance"] < 0) & (baseline["final_balance"] >= 0)]
    short = baseline[baseline["final_balance"] < 0]
    by_sa = baseline.groupby(["license", "smart_account"])["final_balance"]
    remaining_short = by_sa.apply(lambda s: int(-s[s < 0].sum())).unstack(fill_value=0)
    remaining_spare = by_sa.apply(lambda s: int(s[s > 0].sum())).unstack(fill_value=0)
    split = {
        lic: int(min(remaining_short.loc[lic].sum(), remaining_spare.loc[lic].sum()))
        for lic in remaining_short.index
        if any(
            remaining_short.loc[lic, a] > 0 and remaining_spare.loc[lic].drop(a).sum() > 0
            for a in remaining_short.columns
        )
    }
    released = int(res["released"].sum())
    findings = {
        "DECOMMISSIONED": n(c.DECOM, c.RES_DECOM),
        "DUPLICATE_REGISTRATION": n(c.DUP_COPY),
        "STALE_NOT_IN_INVENTORY": n(c.STALE_NII, c.STALE_NIS),
        "STALE_IN_SERVICE": n(c.STALE_IS),
        "NOT_IN_INVENTORY": n(c.NII),
        "NOT_IN_SERVICE": n(c.NIS),
        "INVENTORY_CONFLICT": n(c.CONFLICT),
        "NO_OWNER": n(c.NO_OWNER),
        "RESERVATION_ON_RETIRED": released,
        "APPARENT_SHORTAGE": len(apparent),
        "VA_SHORTAGE": len(short),
        "EA_UNALLOCATED": len(unallocated),
        "ADMIN_DEPARTED": 2,
        "SA_ORPHANED": 1,
        "SINGLE_ADMIN": 1,
        "SPLIT_POOLS": len(split),
    }
    cases = {
        **findings,
        "duplicate_across_smart_accounts": cross,
        "stale_in_stock": n(c.STALE_NIS),
        "missing_last_contact": int(rows["missing"].sum()),
        "decommissioned_reserved": n(c.RES_DECOM),
        "reservation_tac_case": int((res["row"] == -1).sum()),
        "reservations_on_healthy_devices": int((~res["released"]).sum()),
        "reserved_old_contact": n(c.RES_OK, c.RES_DECOM),
        "perpetual_not_stale": n(c.PERP),
        "stacks": n(c.STACK, c.STACK2),
        "stack_second_member_only": n(c.STACK2),
        "hostname_only_match": n(c.HOSTONLY),
        "udi_named": n(c.UDI),
        "matched_only_in_catalyst": n(c.NMS_ONLY),
        "unknown_inventory_status": n(c.UNKNOWN, c.NMS_UNREACH),
        "apparent_shortage_cleanup": int((apparent["scenario"] == "apparent_shortage_cleanup").sum()),
        "apparent_shortage_transfer": int((apparent["scenario"] == "apparent_shortage_transfer").sum()),
        "transfers": len(transfers),
        "in_use_mismatch": 1,
        "departed_non_admin": 1,
        "total_rows": 1,
        "blank_rows": 2,
    }
    pool_cols = [*BASELINE_COLUMNS, "usage", "scenario"]
    pools = [
        {k: (v if isinstance(v, str) else int(v)) for k, v in r.items()} for r in baseline[pool_cols].to_dict("records")
    ]
    return {
        "seed": seed,
        "instances": instances,
        "instances_per_va": {
            f"{v.smart_account} / {v.name}": int((rows["va"] == i).sum()) for i, v in enumerate(c.VAS)
        },
        "cases": cases,
        "expected_findings": findings,
        "expected_transfers": transfers,
        "expected_split_pools_nettable": split,
        "expected_ea_unallocated": unallocated,
        "expected_released_units": int(res.loc[res["released"], "qty"].sum()),
        "pools": pools,
        "files": dict(sorted(counts.items())),
    }
