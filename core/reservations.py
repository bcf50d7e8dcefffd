"""Reservations (SLR / PLR) pinned to devices that are gone or being removed, and how to release each."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.findings_model import make_findings
from core.instances import REMOVAL_ORDER
from core.match import match_pairs


def _with_rows(pairs: pd.DataFrame, frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`pairs` with `frame`'s columns at each pair's `rec` (a join on rec, without copying all of `frame`)."""
    picked = frame[columns].iloc[pairs["rec"].to_numpy()].reset_index(drop=True)
    return pd.concat([pairs.reset_index(drop=True), picked], axis=1)


def assess_reservations(
    reservations: pd.DataFrame, inst: pd.DataFrame, inventory: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (reservations with release flags, RESERVATION_ON_RETIRED findings)."""
    res = reservations.reset_index(drop=True).copy()
    res["rid"] = np.arange(len(res))
    n = len(res)
    if n == 0:
        res["release"] = pd.Series(dtype=bool)
        return res, make_findings("RESERVATION_ON_RETIRED", res)

    to_inst = match_pairs(res, "rid", inst[["serial", "host"]])
    ip = _with_rows(to_inst, inst, ["instance_name", "removable", "removal", "lifecycle", "stale"])
    inst_any = ip.groupby("rid").size().reindex(res["rid"], fill_value=0).to_numpy() > 0
    all_removable = ip.groupby("rid")["removable"].all().reindex(res["rid"], fill_value=False).to_numpy()
    live_inst = (~ip["removable"] | ip["removal"].eq("DUPLICATE_REGISTRATION")) & ~ip["stale"]
    inst_live = live_inst.groupby(ip["rid"]).any().reindex(res["rid"], fill_value=False).to_numpy()
    # The instance named in the evidence: the strongest removal reason, then the name, so the text does not
    # depend on the order of the rows in the instances file.
    rank = ip["removal"].map({code: i for i, code in enumerate(REMOVAL_ORDER)}).fillna(len(REMOVAL_ORDER))
    first_inst = (
        ip.assign(_rank=rank)
        .sort_values(["rid", "_rank", "instance_name", "rec"])
        .groupby("rid")
        .first()
        .reindex(res["rid"])
    )

    if inventory.empty:
        retired = in_service_rec = present_rec = np.zeros(n, dtype=bool)
        inv_first = pd.DataFrame(index=res["rid"], columns=["source", "status"])
    else:
        vp = _with_rows(match_pairs(res, "rid", inventory), inventory, ["lifecycle", "source", "status"])

        def any_of(value: str) -> np.ndarray:
            hit = vp["lifecycle"].eq(value).groupby(vp["rid"]).any()
            return hit.reindex(res["rid"], fill_value=False).to_numpy()

        any_ret, any_svc = any_of("retired"), any_of("in_service")
        retired = any_ret & ~any_svc
        in_service_rec = any_svc
        present_rec = (
            (vp["lifecycle"] != "retired").groupby(vp["rid"]).any().reindex(res["rid"], fill_value=False).to_numpy()
        )
        inv_first = (
            vp.assign(p=vp["lifecycle"].ne("retired"))
            .sort_values(["rid", "p", "rec"])
            .groupby("rid")
            .first()
            .reindex(res["rid"])
        )

    on_removable = inst_any & all_removable
    unknown = ~inst_any & ~in_service_rec
    res["release"] = on_removable | retired | unknown
    res["return_code"] = present_rec | inst_live
    what = (
        res["reservation_type"].astype(str).fillna("Reservation")
        + " of "
        + res["quantity"].astype(str)
        + " × '"
        + res["license"].astype(str)
        + "' on "
        + res["serial"].fillna(res["host"]).fillna(res["udi"]).fillna("an unnamed device").astype(str)
    )
    inst_name = pd.Series(first_inst["instance_name"].to_numpy(), index=res.index).astype(str)
    inst_why = pd.Series(first_inst["removal"].to_numpy(), index=res.index).astype(str)
    inv_src = pd.Series(inv_first["source"].to_numpy(), index=res.index).astype(str)
    inv_st = pd.Series(inv_first["status"].to_numpy(), index=res.index).astype(str)
    why = np.select(
        [retired, on_removable],
        [
            ": the device is retired per " + inv_src + " ('" + inv_st + "')",
            ": its product instance '" + inst_name + "' is being deregistered (" + inst_why + ")",
        ],
        ": it matches no registered product instance and no in-service inventory record",
    )
    how = np.where(
        res["return_code"],
        "; release it with the device's return code",
        "; the device is gone: release it through a Cisco TAC licensing case",
    )
    res["evidence"] = what + why + how
    hit = res[res["release"]]
    findings = make_findings(
        "RESERVATION_ON_RETIRED",
        hit,
        smart_account=hit["smart_account"],
        virtual_account=hit["virtual_account"],
        instance_name=hit["instance_name"],
        serial=hit["serial"],
        hostname=hit["host"],
        license=hit["license"],
        quantity=hit["quantity"],
        evidence=hit["evidence"],
        source_file=hit["source_file"],
        source_row=hit["source_row"],
        subject="reservation#" + hit["rid"].astype(str),
    )
    return res, findings
