"""The five output files of `python -m core reconcile`, and summary.json's content."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from core.estate import load_estate
from core.export import csv_bytes, write_atomic
from core.findings_model import FINDING_COLUMNS
from core.reconcile import ReconcileResult, reconcile
from core.runtime import release_free_memory


def _int(value: Any) -> int | None:
    return None if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) else int(value)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def output_files(result: ReconcileResult) -> dict[str, bytes]:
    """findings.csv, plan.csv, baseline.csv, rejects.csv and summary.json, as bytes."""
    files = {
        "findings.csv": csv_bytes(result.findings[FINDING_COLUMNS]),
        "plan.csv": csv_bytes(result.plan),
        "baseline.csv": csv_bytes(result.baseline),
        "rejects.csv": csv_bytes(result.rejects),
    }
    fingerprint = hashlib.sha256(files["baseline.csv"]).hexdigest()
    files["summary.json"] = (json.dumps(summary(result, fingerprint), indent=2, ensure_ascii=False) + "\n").encode()
    return files


def summary(result: ReconcileResult, fingerprint: str) -> dict[str, Any]:
    """Row accounting per file, counts per finding, totals, transfers, EA, ownership, renewal, leverage."""
    s = result.settings
    b = result.baseline
    inst = result.instances
    known = b["purchased"].notna()
    return {
        "engagement": {"client": s.client, "as_of": s.as_of.isoformat(), "currency": s.currency},
        "settings": {
            "stale_days": s.stale_days,
            "perpetual_stale_days": s.perpetual_stale_days,
            "date_order": s.date_order,
            "leverage_low_pct": s.leverage_low_pct,
            "leverage_high_pct": s.leverage_high_pct,
            "hygiene_lead_months": s.hygiene_lead_months,
            "lock_lead_months": s.lock_lead_months,
        },
        "inputs": [
            {
                "file": r.file,
                "kind": r.kind,
                "confidence": r.confidence,
                "rows_read": r.rows_read,
                "used": r.used,
                "rejected": r.rejected,
                "skipped": r.skipped,
                "warnings": list(r.warnings),
                "sha256": r.sha256,
            }
            for r in result.reports
        ],
        "findings": result.finding_counts(),
        "totals": {
            "instances": len(inst),
            "removable_instances": int(inst["removable"].sum()) if len(inst) else 0,
            "released_reservations": int(result.reservations["release"].sum()) if len(result.reservations) else 0,
            "purchased": _int(b.loc[known, "purchased"].sum()) if known.any() else None,
            "in_use": _int(b["in_use"].sum()),
            "removable": _int(b["removable"].sum()),
            "released": _int(b["released"].sum()),
            "clean_in_use": _int(b["clean_in_use"].sum()),
            "rejected_rows": sum(r.rejected for r in result.reports),
            "orphan_usage_rows": result.orphan_usage,
            "pool_analysis_available": result.pools.available,
        },
        "consumption": result.consumption.to_dict(),
        "transfers": _records(result.pools.transfers),
        "split_pools": _records(result.pools.split),
        "usage_mismatch": _records(result.pools.usage_mismatch),
        "ea": _records(result.ea),
        "ownership": result.ownership,
        "renewal": result.milestones.to_dict() if result.milestones else None,
        "leverage": result.leverage.to_dict() if result.leverage else None,
        "baseline_sha256": fingerprint,
    }


def write_outputs(out: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        write_atomic(out / name, data)


def run_reconcile(args: argparse.Namespace, today: dt.date) -> int:
    from core.cli import gather_inputs

    settings, items = gather_inputs(args, today)
    result = reconcile(load_estate(items, settings), settings)
    release_free_memory()  # the parsed frames the result does not keep are gone: return their pages first
    files = output_files(result)
    write_outputs(Path(args.out), files)
    counts = {k: v for k, v in result.finding_counts().items() if v}
    total = result.consumption
    print(
        f"{len(result.instances)} instances, {total.units_removed} of {total.in_use} licences removable; "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
    )
    print(f"wrote {', '.join(files)} to {args.out}")
    return 0
