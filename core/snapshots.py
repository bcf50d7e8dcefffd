"""Locked baselines compared: two snapshots side by side, and plan progress of fresh exports against a lock."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.export import csv_bytes
from core.findings_model import FINDING_COLUMNS
from core.outputs import output_files
from core.reconcile import ReconcileResult
from core.settings import Settings

POOL_KEY = ["smart_account", "virtual_account", "license"]
FINDING_KEY = ["finding", "smart_account", "virtual_account", "instance_name", "serial", "license"]
PLAN_KEY = [
    "action",
    "smart_account",
    "virtual_account",
    "target_virtual_account",
    "instance_name",
    "serial",
    "license",
]


def settings_dict(settings: Settings) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in vars(settings).items()}


def payload(result: ReconcileResult) -> dict[str, Any]:
    """What a lock stores: settings, input files with their SHA-256, the fingerprint and the output files."""
    files = output_files(result)
    return {
        "as_of": result.settings.as_of.isoformat(),
        "settings": settings_dict(result.settings),
        "inputs": [
            {"file": r.file, "kind": r.kind, "sha256": r.sha256, "rows_read": r.rows_read} for r in result.reports
        ],
        "fingerprint": hashlib.sha256(files["baseline.csv"]).hexdigest(),
        "files": files,
    }


def verify_fingerprint(baseline_csv: bytes, fingerprint: str) -> bool:
    """True when a (downloaded) baseline.csv is byte for byte the one that was locked."""
    return hashlib.sha256(baseline_csv).hexdigest() == fingerprint.strip().lower()


def read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def _keys(frame: pd.DataFrame, cols: list[str]) -> pd.Series:
    return frame.reindex(columns=cols).fillna("").astype(str).agg("\x1f".join, axis=1)


@dataclass(frozen=True, eq=False)
class SnapshotDiff:
    pools: pd.DataFrame  # POOL_KEY + purchased/clean_in_use/final_balance before, after and delta
    added: pd.DataFrame  # findings in the later snapshot only
    resolved: pd.DataFrame  # findings in the earlier snapshot only


def diff(before_baseline: bytes, before_findings: bytes, after_baseline: bytes, after_findings: bytes) -> SnapshotDiff:
    """Per pool: purchased, clean_in_use and final_balance deltas; findings added and resolved."""
    cols = ["purchased", "clean_in_use", "final_balance"]
    a = read_csv(before_baseline).set_index(POOL_KEY)[cols].apply(pd.to_numeric, errors="coerce")
    b = read_csv(after_baseline).set_index(POOL_KEY)[cols].apply(pd.to_numeric, errors="coerce")
    pools = a.join(b, how="outer", suffixes=("_before", "_after"))
    for c in cols:
        pools[f"{c}_delta"] = pools[f"{c}_after"].fillna(0) - pools[f"{c}_before"].fillna(0)
    order = [f"{c}_{s}" for c in cols for s in ("before", "after", "delta")]
    pools = pools[order].reset_index()
    fa, fb = read_csv(before_findings), read_csv(after_findings)
    ka, kb = _keys(fa, FINDING_KEY), _keys(fb, FINDING_KEY)
    return SnapshotDiff(
        pools=pools,
        added=fb[~kb.isin(set(ka))].reset_index(drop=True),
        resolved=fa[~ka.isin(set(kb))].reset_index(drop=True),
    )


@dataclass(frozen=True, eq=False)
class Progress:
    done: pd.DataFrame  # plan actions of the lock that no longer appear in the current plan
    still_open: pd.DataFrame
    new_findings: pd.DataFrame  # findings now that the lock did not have
    clean_in_use_locked: int
    clean_in_use_now: int

    @property
    def clean_change(self) -> int:
        return self.clean_in_use_now - self.clean_in_use_locked


def progress(locked_plan: bytes, locked_findings: bytes, locked_baseline: bytes, current: ReconcileResult) -> Progress:
    """The verification loop: fresh exports reconciled, compared with the locked snapshot."""
    plan = read_csv(locked_plan)
    now_plan = read_csv(csv_bytes(current.plan))  # both sides through the same CSV form (escaping, numbers)
    open_keys = set(_keys(now_plan, PLAN_KEY))
    is_open = _keys(plan, PLAN_KEY).isin(open_keys)
    before = read_csv(locked_findings)
    now = read_csv(csv_bytes(current.findings[FINDING_COLUMNS]))
    new = now[~_keys(now, FINDING_KEY).isin(set(_keys(before, FINDING_KEY)))]
    locked_clean = pd.to_numeric(read_csv(locked_baseline)["clean_in_use"], errors="coerce").fillna(0).sum()
    return Progress(
        done=plan[~is_open].reset_index(drop=True),
        still_open=plan[is_open].reset_index(drop=True),
        new_findings=new.reset_index(drop=True),
        clean_in_use_locked=int(locked_clean),
        clean_in_use_now=int(current.baseline["clean_in_use"].fillna(0).sum()),
    )
