"""The XLSX workshop pack: summary, findings, plan, baseline and assumptions, styled, with no formulas.

Built from a live reconcile result (`workshop_pack`) or from a locked snapshot's stored CSVs (`snapshot_pack`).
"""

from __future__ import annotations

import io

import pandas as pd

from core.export import xlsx_bytes
from core.findings_model import FINDING_COLUMNS
from core.pools import BASELINE_COLUMNS
from core.reconcile import ReconcileResult
from core.settings import SETTING_HELP, SETTING_NAMES
from core.snapshots import read_csv
from core.store import Snapshot

SHEETS = ("Summary", "Findings", "Plan", "Baseline", "Assumptions")
NUMBER_FORMATS = {"value": "#,##0.00", "quantity": "#,##0", "source_row": "0"}


def _summary(r: ReconcileResult) -> pd.DataFrame:
    s, c, m, lev = r.settings, r.consumption, r.milestones, r.leverage
    inst = r.instances
    rows: list[tuple[str, object, str]] = [
        ("Client", s.client, ""),
        ("As of", s.as_of.isoformat(), "date"),
        ("Registered instances", len(inst), "instances"),
        ("Removable instances", int(inst["removable"].sum()) if len(inst) else 0, "instances"),
        ("Licences in use", c.in_use, "licences"),
        ("Licences in use after clean-up", c.clean_in_use, "licences"),
        ("Licences freed", c.units_removed, "licences"),
        ("Consumption reduction", round(c.percent, 2) if c.percent is not None else None, "percent"),
        ("Clean share", round(100 * c.clean_share, 2) if c.clean_share is not None else None, "percent"),
        ("Recoverable value (annual)", c.value, c.currency or s.currency),
    ]
    if m is not None:
        rows += [
            ("Renewal status", m.status, ""),
            ("Hygiene start", m.hygiene_start.isoformat(), "date"),
            ("Baseline lock", m.lock.isoformat(), "date"),
            ("Renewal close", m.close.isoformat(), "date"),
            ("Days to renewal close", m.days_to_close, "days"),
        ]
    if lev is not None:
        rows += [
            ("Leverage, low (estimate)", lev.low, lev.currency),
            ("Leverage, high (estimate)", lev.high, lev.currency),
        ]
    rows += [(f"Findings: {code}", n, "findings") for code, n in r.finding_counts().items() if n]
    rows += [
        (
            f"Input: {rep.file}",
            rep.rows_read,
            f"rows read ({rep.kind}: {rep.used} used, {rep.rejected} rejected, {rep.skipped} skipped)",
        )
        for rep in r.reports
    ]
    frame = pd.DataFrame(rows, columns=["item", "value", "unit"])
    frame["value"] = frame["value"].astype(object)
    return frame


def _assumptions(r: ReconcileResult) -> pd.DataFrame:
    s = r.settings
    values = [getattr(s, name) for name in SETTING_NAMES]
    return pd.DataFrame(
        {
            "setting": list(SETTING_NAMES),
            "value": [v.isoformat() if hasattr(v, "isoformat") else ("" if v is None else str(v)) for v in values],
            "meaning": [SETTING_HELP.get(name, "") for name in SETTING_NAMES],
        }
    )


def workshop_pack(r: ReconcileResult) -> bytes:
    """The workbook an advisor leaves with the client after the workshop."""
    sheets = {
        "Summary": _summary(r),
        "Findings": r.findings[FINDING_COLUMNS],
        "Plan": r.plan,
        "Baseline": r.baseline,
        "Assumptions": _assumptions(r),
    }
    return _summary_formats(xlsx_bytes(sheets, number_formats=NUMBER_FORMATS))


def _summary_formats(book: bytes) -> bytes:
    """The Summary's value column mixes counts, money and text: format each number cell by its own type."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(book))
    for (cell,) in wb["Summary"].iter_rows(min_row=2, min_col=2, max_col=2):
        if isinstance(cell.value, bool) or not isinstance(cell.value, int | float):
            continue
        cell.number_format = "#,##0" if float(cell.value).is_integer() else "#,##0.00"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# A locked snapshot's CSVs hold text; these columns go back to numbers so the pack's cells are numbers.
_NUMERIC = {
    "Findings": ("quantity", "source_row"),
    "Plan": ("step", "quantity", "value"),
    "Baseline": tuple(BASELINE_COLUMNS[3:]),
}


def _numbers(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    out = frame.copy()
    for c in columns:
        if c in out.columns:
            out[c] = pd.to_numeric(out[c].where(out[c] != ""), errors="coerce")
    return out


def _snapshot_summary(snap: Snapshot) -> pd.DataFrame:
    info, summary = snap.info, snap.summary
    totals = summary.get("totals") or {}
    rows: list[tuple[str, object, str]] = [
        ("Client", str(snap.settings.get("client") or ""), ""),
        ("As of", info.as_of, "date"),
        ("Snapshot", info.id, "id"),
        ("Locked at", info.locked_at, "UTC"),
        ("Locked by", info.locked_by, ""),
        ("Note", info.note, ""),
        ("Fingerprint", info.fingerprint, "SHA-256 of baseline.csv"),
    ]
    rows += [
        (f"Total: {k}", v, "") for k, v in totals.items() if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    rows += [(f"Findings: {code}", n, "findings") for code, n in (summary.get("findings") or {}).items() if n]
    rows += [
        (f"Input: {i.get('file')}", i.get("rows_read"), f"rows read; sha256 {i.get('sha256')}") for i in snap.inputs
    ]
    frame = pd.DataFrame(rows, columns=["item", "value", "unit"])
    frame["value"] = frame["value"].astype(object)
    return frame


def snapshot_pack(snap: Snapshot) -> bytes:
    """The workshop pack of a locked snapshot, built from its stored CSVs (same sheets as the live pack)."""
    sheets = {
        "Summary": _snapshot_summary(snap),
        "Findings": _numbers(read_csv(snap.findings_csv), _NUMERIC["Findings"]),
        "Plan": _numbers(read_csv(snap.plan_csv), _NUMERIC["Plan"]),
        "Baseline": _numbers(read_csv(snap.baseline_csv), _NUMERIC["Baseline"]),
        "Assumptions": pd.DataFrame(
            {
                "setting": list(SETTING_NAMES),
                "value": ["" if snap.settings.get(n) is None else str(snap.settings.get(n)) for n in SETTING_NAMES],
                "meaning": [SETTING_HELP.get(n, "") for n in SETTING_NAMES],
            }
        ),
    }
    return _summary_formats(xlsx_bytes(sheets, number_formats=NUMBER_FORMATS))
