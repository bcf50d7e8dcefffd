"""Step 5: the remediation plan, in the order an operator must follow in CSSM, with how-to text."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core import keys

PLAN_COLUMNS = [
    "step",
    "action",
    "smart_account",
    "virtual_account",
    "target_virtual_account",
    "instance_name",
    "serial",
    "license",
    "quantity",
    "reason",
    "confidence",
    "how",
    "value",
]

STEPS = {
    "RELEASE_RESERVATION": 1,
    "DEREGISTER": 2,
    "TRANSFER": 3,
    "CLAIM_EA_ENTITLEMENT": 4,
    "BUY_OR_GENERATE": 4,
    "ESCALATE_OWNERSHIP": 5,
    "ADD_SECOND_ADMIN": 5,
    "REMOVE_USER": 5,
    "CONSOLIDATE_SMART_ACCOUNTS": 6,
    "VERIFY_CONNECTIVITY": 7,
    "VERIFY_INVENTORY": 7,
    "ASSIGN_OWNER": 7,
}
# Inside step 5, admins are added (or ownership recovered) before departed ones are removed.
_ORDER_IN_STEP = {
    "ESCALATE_OWNERSHIP": 0,
    "ADD_SECOND_ADMIN": 1,
    "REMOVE_USER": 2,
    "CLAIM_EA_ENTITLEMENT": 0,
    "BUY_OR_GENERATE": 1,
}

HOW = {
    "RETURN_CODE": "On the device run `license smart reservation return` to get the return code; then CSSM → "
    "Inventory → {va} → Product Instances → '{name}' → Actions → Remove → enter the return code.",
    "TAC": "The device is gone and cannot produce a return code: open a Cisco TAC licensing case (Support Case "
    "Manager → Software Licensing) citing Smart Account {sa}, Virtual Account {va}, serial {serial}.",
    "DEREGISTER": "CSSM → Inventory → {va} → Product Instances → search '{name}' → Actions → Remove. If the device "
    "still runs, first run `license smart deregister` on it.",
    "TRANSFER": "CSSM → Inventory → {va} → Licenses → '{license}' → Actions → Transfer → Virtual Account {target}, "
    "quantity {qty}.",
    "CLAIM_EA_ENTITLEMENT": "EA Workspace → Entitlements → '{license}' → Generate Licenses → Smart Account {sa}: "
    "deposit {qty} more.",
    "BUY_OR_GENERATE": "Generate {qty} × '{license}' from the EA into {sa} / {va} (EA Workspace → Generate "
    "Licenses), or buy them.",
    "ESCALATE_OWNERSHIP": "Open a Cisco licensing case to recover administration of {sa} (proof of company "
    "ownership and a purchase record), then add two administrators.",
    "ADD_SECOND_ADMIN": "CSSM → Manage Smart Account → Users → Add Users → role Smart Account Administrator "
    "(a second, named, current employee) in {sa}.",
    "REMOVE_USER": "CSSM → Manage Smart Account → Users → '{name}' → Remove User (after a second admin exists).",
    "CONSOLIDATE_SMART_ACCOUNTS": "Ask your Cisco account team to transfer '{license}' licences between Smart "
    "Accounts or merge them ({qty} nettable).",
    "VERIFY_CONNECTIVITY": "Check why '{name}' has stopped reporting (`show license status` on the device; CSLU "
    "or proxy reachability), then sync it with CSSM.",
    "VERIFY_INVENTORY": "Confirm with the inventory owner whether '{name}' ({serial}) is in service; fix the CMDB "
    "record or deregister the instance.",
    "ASSIGN_OWNER": "Assign an owner to '{name}' ({serial}) in the CMDB.",
}


_TOKENS = {
    "{sa}": "smart_account",
    "{va}": "virtual_account",
    "{target}": "target_virtual_account",
    "{name}": "instance_name",
    "{serial}": "serial",
    "{license}": "license",
    "{qty}": "quantity",
}


def _fill(template: pd.Series, frame: pd.DataFrame) -> pd.Series:
    """Vectorised template filling: one Arrow join per distinct template; each column made text once."""
    out = np.full(len(frame), "", dtype=object)
    text: dict[str, pa.Array] = {}
    for tmpl in template.unique():
        rows = (template == tmpl).to_numpy()
        parts: list[pa.Array | str] = []
        for part in re.split(r"(\{[a-z]+\})", str(tmpl)):
            col = _TOKENS.get(part)
            if col and col not in text:
                text[col] = keys.arrow_text(frame[col].astype(object).fillna("").astype(str))
            parts.append(text[col].filter(pa.array(rows)) if col else part)
        if all(isinstance(p, str) for p in parts):
            out[rows] = "".join(str(p) for p in parts)
        else:
            cells = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else p for p in parts]
            joined = pc.binary_join_element_wise(*cells, pa.scalar("", pa.large_string()))
            out[rows] = joined.to_numpy(zero_copy_only=False)
    return pd.Series(out, index=frame.index, dtype=object)


def build_plan(
    findings: pd.DataFrame, transfers: pd.DataFrame, return_code: pd.Series, values: pd.Series
) -> pd.DataFrame:
    """Findings that call for an action, plus the transfers, as a sequenced action list.

    `return_code` maps a reservation subject to whether the device can produce a return code; `values` maps a
    finding subject to its money value (deregistered instances and released reservations, when priced).
    """
    act = findings[findings["action"].astype(str).ne("")]
    act = act[~((act["action"] == "DEREGISTER") & ~act["counted"].astype(bool))]
    is_verify = act["action"].isin(["VERIFY_CONNECTIVITY", "VERIFY_INVENTORY", "ASSIGN_OWNER"]).to_numpy()
    removed = act.loc[act["action"] == "DEREGISTER", "subject"].dropna()
    act = act[~(is_verify & keys.isin(act["subject"], removed))]
    plan = pd.DataFrame(
        {
            "action": act["action"].to_numpy(),
            "smart_account": act["smart_account"].to_numpy(),
            "virtual_account": act["virtual_account"].to_numpy(),
            "target_virtual_account": None,
            "instance_name": act["instance_name"].to_numpy(),
            "serial": act["serial"].to_numpy(),
            "license": act["license"].to_numpy(),
            "quantity": act["quantity"].to_numpy(),
            "reason": (act["finding"] + ": " + act["evidence"].astype(str)).to_numpy(),
            "confidence": act["confidence"].to_numpy(),
            "subject": act["subject"].to_numpy(),
        }
    )
    if not transfers.empty:
        t = transfers
        plan = pd.concat(
            [
                plan,
                pd.DataFrame(
                    {
                        "action": "TRANSFER",
                        "smart_account": t["smart_account"].to_numpy(),
                        "virtual_account": t["from_virtual_account"].to_numpy(),
                        "target_virtual_account": t["to_virtual_account"].to_numpy(),
                        "license": t["license"].to_numpy(),
                        "quantity": t["quantity"].to_numpy(),
                        "confidence": "certain",
                        "reason": (
                            "rebalance: "
                            + t["to_virtual_account"].astype(str)
                            + " is short and "
                            + t["from_virtual_account"].astype(str)
                            + " has surplus"
                        ).to_numpy(),
                        "subject": None,
                    }
                ),
            ],
            ignore_index=True,
        )
    template = plan["action"].map(HOW)
    release = plan["action"].eq("RELEASE_RESERVATION")
    by_code = plan["subject"].map(return_code).astype("boolean").fillna(False).astype(bool)
    how_release = np.full(len(plan), HOW["TAC"], dtype=object)  # two texts, shared: no copy per row
    how_release[by_code.to_numpy()] = HOW["RETURN_CODE"]
    template = template.mask(release, how_release)
    plan["quantity"] = pd.array(pd.to_numeric(plan["quantity"]), dtype="Int64")
    plan["how"] = _fill(template.fillna(""), plan)
    plan["value"] = plan["subject"].map(values)
    plan["step"] = plan["action"].map(STEPS).astype(int)
    plan["_o"] = plan["action"].map(_ORDER_IN_STEP).fillna(0)
    plan = plan.sort_values(
        ["step", "_o", "smart_account", "virtual_account", "license", "instance_name"],
        kind="stable",
        na_position="first",
    )
    return plan[PLAN_COLUMNS].reset_index(drop=True)
