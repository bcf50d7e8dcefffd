"""The finding codes of DESIGN §4, their confidence and action, and the findings.csv row shape."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Code:
    confidence: str  # certain, likely, verify, info
    action: str
    meaning: str


CODES: dict[str, Code] = {
    "DECOMMISSIONED": Code(
        "certain", "DEREGISTER", "The inventory says the device is retired, yet it is still registered."
    ),
    "DUPLICATE_REGISTRATION": Code(
        "certain", "DEREGISTER", "One serial is registered as more than one product instance."
    ),
    "STALE_NOT_IN_INVENTORY": Code(
        "likely",
        "DEREGISTER",
        "No contact for longer than policy allows and the inventory does not show it in service.",
    ),
    "STALE_IN_SERVICE": Code(
        "verify", "VERIFY_CONNECTIVITY", "The device runs, but licensing has not reported for too long."
    ),
    "NOT_IN_INVENTORY": Code(
        "verify", "VERIFY_INVENTORY", "Recently in contact but missing from every inventory: an inventory gap."
    ),
    "NOT_IN_SERVICE": Code(
        "verify", "VERIFY_INVENTORY", "Recently in contact but the inventory says it is not in service."
    ),
    "INVENTORY_CONFLICT": Code("verify", "VERIFY_INVENTORY", "One inventory says retired, another says in service."),
    "NO_OWNER": Code("verify", "ASSIGN_OWNER", "In service, but no owner in any inventory record."),
    "RESERVATION_ON_RETIRED": Code(
        "certain", "RELEASE_RESERVATION", "A licence reservation is pinned to a device that is gone or being removed."
    ),
    "APPARENT_SHORTAGE": Code(
        "info", "", "A Virtual Account looks short, but clean-up and transfers cover it: a phantom shortage."
    ),
    "VA_SHORTAGE": Code("certain", "BUY_OR_GENERATE", "A Virtual Account is still short after clean-up and transfers."),
    "EA_UNALLOCATED": Code("certain", "CLAIM_EA_ENTITLEMENT", "EA entitlement that never landed in the Smart Account."),
    "ADMIN_DEPARTED": Code("certain", "REMOVE_USER", "A Smart Account administrator has left the company."),
    "SA_ORPHANED": Code("certain", "ESCALATE_OWNERSHIP", "No active Smart Account administrator is left."),
    "SINGLE_ADMIN": Code("verify", "ADD_SECOND_ADMIN", "Only one active Smart Account administrator."),
    "SPLIT_POOLS": Code(
        "certain", "CONSOLIDATE_SMART_ACCOUNTS", "One Smart Account is short of a licence another has spare."
    ),
}

FINDING_COLUMNS = [
    "finding",
    "confidence",
    "action",
    "smart_account",
    "virtual_account",
    "instance_name",
    "serial",
    "hostname",
    "license",
    "quantity",
    "evidence",
    "source_file",
    "source_row",
]
# Kept beside the CSV columns for the app and the plan: the subject's id and whether its quantity is counted.
EXTRA_COLUMNS = ["subject", "counted"]

CONFIDENCE_ORDER = ["certain", "likely", "verify", "info"]


def empty_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in FINDING_COLUMNS + EXTRA_COLUMNS})


def finding_rows(inst: pd.DataFrame, rules: list[tuple[str, pd.Series, pd.Series]]) -> pd.DataFrame:
    """Instance findings: one row per (instance, code) whose mask holds. Units count on the removal only.

    Each rule gives row positions, counted flags and evidence; the columns are taken once for all rules."""
    picks, codes, counted_parts, evidence_parts, quantity_parts = [], [], [], [], []
    for code, mask, evidence in rules:
        m = pd.Series(mask, index=inst.index).fillna(False).astype(bool).to_numpy()
        if not m.any():
            continue
        removal = inst["removal"][m]
        ev = pd.Series(evidence, index=inst.index)[m]
        counted = (removal == code).fillna(False).to_numpy()
        primary = removal.fillna("").astype(str)
        note = " (counted under " + primary + ")"
        ev = ev.where(counted | (primary == "") | (CODES[code].action != "DEREGISTER"), ev + note)
        picks.append(np.flatnonzero(m))
        codes.append(code)
        counted_parts.append(counted)
        evidence_parts.append(ev.to_numpy())
        quantity_parts.append(inst["units"][m].where(counted, pd.NA).to_numpy())
    if not picks:
        return empty_findings()
    rows = np.concatenate(picks)
    sizes = [len(p) for p in picks]

    def per_code(values: list[str]) -> np.ndarray:
        return np.repeat(np.array(values, dtype=object), sizes)

    def taken(column: str) -> np.ndarray:
        return inst[column].to_numpy()[rows]

    return pd.DataFrame(
        {
            "finding": per_code(codes),
            "confidence": per_code([CODES[c].confidence for c in codes]),
            "action": per_code([CODES[c].action for c in codes]),
            "smart_account": taken("smart_account"),
            "virtual_account": taken("virtual_account"),
            "instance_name": taken("instance_name"),
            "serial": taken("serial"),
            "hostname": taken("host"),
            "license": None,
            "quantity": pd.array(np.concatenate(quantity_parts), dtype="Int64"),
            "evidence": np.concatenate(evidence_parts),
            "source_file": taken("source_file"),
            "source_row": taken("source_row"),
            "subject": taken("instance_id"),
            "counted": np.concatenate(counted_parts),
        }
    )


def make_findings(code: str, frame: pd.DataFrame, **columns: object) -> pd.DataFrame:
    """Findings for non-instance subjects (pools, licences, users, Smart Accounts, reservations)."""
    n = len(frame)
    data: dict[str, object] = {c: [None] * n for c in FINDING_COLUMNS + EXTRA_COLUMNS}
    data.update(finding=code, confidence=CODES[code].confidence, action=CODES[code].action, counted=True)
    for key, value in columns.items():
        data[key] = value.to_numpy() if isinstance(value, pd.Series) else value
    out = pd.DataFrame(data, index=range(n))
    out["quantity"] = pd.array(pd.to_numeric(out["quantity"]), dtype="Int64") if n else out["quantity"]
    return out
