"""Step 2 of the audit: match registered product instances to the authoritative inventory.

Serial first (any stack member on either side), else the normalised hostname. A hostname match is only
trusted where one side has no serial: two boxes with different serials and a reused hostname are two devices.
All inventory records an instance matches are one device; their lifecycles combine into one verdict.
"""

from __future__ import annotations

import pandas as pd

MATCH_COLUMNS = [
    "instance_id",
    "match",
    "lifecycle",
    "owner",
    "owner_judged",
    "inv_source",
    "inv_status",
    "inv_in_service_source",
    "inv_in_service_status",
    "inv_records",
]

_PRIORITY = {"retired": 0, "in_service": 1, "not_in_service": 2, "unknown": 3}


def explode_serials(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """One row per (key, serial member) for the rows that have a serial."""
    s = frame[[key, "serial"]].dropna(subset=["serial"])
    out = s.assign(member=s["serial"].astype(str).str.split(",")).explode("member")
    out = out[out["member"].astype(str).str.len() > 0]
    return out[[key, "member"]].drop_duplicates()


def match_pairs(left: pd.DataFrame, key: str, inventory: pd.DataFrame) -> pd.DataFrame:
    """(key, rec, how) pairs: `left` rows (with serial and host columns) to inventory record numbers."""
    inv = inventory.assign(rec=range(len(inventory)))
    by_serial = (
        explode_serials(left, key)
        .merge(explode_serials(inv, "rec"), on="member", how="inner")[[key, "rec"]]
        .drop_duplicates()
    )
    by_serial["how"] = "serial"
    lh = left[[key, "host", "serial"]].dropna(subset=["host"])
    ih = inv[["rec", "host", "serial"]].dropna(subset=["host"])
    by_host = lh.merge(ih, on="host", how="inner", suffixes=("_l", "_r"))
    by_host = by_host[by_host["serial_l"].isna() | by_host["serial_r"].isna()][[key, "rec"]].drop_duplicates()
    by_host["how"] = "hostname"
    pairs = pd.concat([by_serial, by_host], ignore_index=True)
    return pairs.drop_duplicates(subset=[key, "rec"], keep="first")


def match_instances(instances: pd.DataFrame, inventory: pd.DataFrame) -> pd.DataFrame:
    """Per instance: match type, combined device lifecycle, first owner and the records that say so."""
    base = pd.DataFrame({"instance_id": instances["instance_id"].to_numpy()})
    if inventory.empty or instances.empty:
        out = base.assign(
            match="none",
            lifecycle=None,
            owner=None,
            owner_judged=False,
            inv_source=None,
            inv_status=None,
            inv_in_service_source=None,
            inv_in_service_status=None,
            inv_records=0,
        )
        return out[MATCH_COLUMNS]
    pairs = match_pairs(instances, "instance_id", inventory)
    rec = inventory.reset_index(drop=True)
    p = pairs.join(rec[["lifecycle", "owner", "owner_column", "source", "status"]], on="rec")
    by_serial = pairs["how"].eq("serial").groupby(pairs["instance_id"]).any()
    how = by_serial.map({True: "serial", False: "hostname"})

    flags = (
        pd.DataFrame(
            {
                "instance_id": p["instance_id"],
                "retired": p["lifecycle"] == "retired",
                "in_service": p["lifecycle"] == "in_service",
                "not_in_service": p["lifecycle"] == "not_in_service",
            }
        )
        .groupby("instance_id")
        .any()
    )
    life = pd.Series("unknown", index=flags.index, dtype="object")
    life[flags["not_in_service"]] = "not_in_service"
    life[flags["in_service"]] = "in_service"
    life[flags["retired"]] = "retired"
    life[flags["retired"] & flags["in_service"]] = "conflict"

    ordered = p.assign(prio=p["lifecycle"].map(_PRIORITY).fillna(4)).sort_values(["instance_id", "prio", "rec"])
    first = ordered.groupby("instance_id").first()
    in_svc = ordered[ordered["lifecycle"] == "in_service"].groupby("instance_id").first()
    owners = p.dropna(subset=["owner"]).sort_values(["instance_id", "rec"]).groupby("instance_id")["owner"].first()
    judged = p.groupby("instance_id")["owner_column"].any()
    counts = p.groupby("instance_id").size()

    out = base.set_index("instance_id")
    out["match"] = how.reindex(out.index).fillna("none")
    out["lifecycle"] = life.reindex(out.index)
    out["owner"] = owners.reindex(out.index)
    out["owner_judged"] = judged.reindex(out.index).fillna(False).astype(bool)
    out["inv_source"] = first["source"].reindex(out.index)
    out["inv_status"] = first["status"].reindex(out.index)
    out["inv_in_service_source"] = in_svc["source"].reindex(out.index)
    out["inv_in_service_status"] = in_svc["status"].reindex(out.index)
    out["inv_records"] = counts.reindex(out.index).fillna(0).astype(int)
    return out.reset_index()[MATCH_COLUMNS]
