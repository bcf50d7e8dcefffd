"""Baseline: the clean licence baseline and its CSV; lock it, list, compare and verify the locked snapshots,
and check remediation progress against a lock."""

from __future__ import annotations

import hashlib

import streamlit as st

from core.outputs import output_files
from core.reconcile import ReconcileResult
from ui import auth, engagements, fmt, layout, snapshots, tables

# The figures a renewal conversation needs first; the rest of baseline.csv follows.
_COLUMNS = {
    "smart_account": "Smart Account",
    "virtual_account": "Virtual Account",
    "license": "Licence",
    "purchased": "Purchased",
    "in_use": "In use",
    "clean_in_use": "Clean in use",
    "final_balance": "Final balance",
    "removable": "Removable",
    "released": "Released",
    "reserved": "Reserved",
    "balance": "Balance",
    "clean_balance": "Clean balance",
    "transfer_in": "Transfer in",
    "transfer_out": "Transfer out",
}


def _current(r: ReconcileResult) -> None:
    b = r.baseline
    data = output_files(r)["baseline.csv"]
    known = b["purchased"].notna()
    cols = st.columns(4)
    cols[0].metric(
        "Purchased",
        fmt.number(b.loc[known, "purchased"].sum()) if known.any() else "—",
        border=True,
        help="From the Licenses exports.",
    )
    cols[1].metric("In use today", fmt.number(b["in_use"].sum()), border=True)
    cols[2].metric(
        "Clean in use",
        fmt.number(b["clean_in_use"].sum()),
        border=True,
        help="In use minus removable instances and released reservations.",
    )
    short = int((b["final_balance"].fillna(0) < 0).sum())
    cols[3].metric(
        "Pools still short",
        fmt.number(short),
        border=True,
        help="Pools with a negative final balance after clean-up and transfers.",
    )
    if not r.pools.available:
        st.info(
            "No Licenses export was given, so purchased quantities and balances are unknown (shown empty, never zero)."
        )
    st.dataframe(
        b,
        column_order=list(_COLUMNS),
        hide_index=True,
        width="stretch",
        height=tables.height(len(b), 420),
        column_config={
            c: (label if c in ("smart_account", "virtual_account", "license") else tables.count_column(label))
            for c, label in _COLUMNS.items()
        },
    )
    st.download_button(
        "Download baseline (CSV)",
        data,
        "baseline.csv",
        "text/csv",
        icon=":material/download:",
        on_click="ignore",
    )
    st.caption(f"SHA-256 of baseline.csv: `{hashlib.sha256(data).hexdigest()}` (the fingerprint in summary.json).")


def render() -> None:
    auth.require("baseline")
    layout.header(
        "Baseline",
        "The clean baseline: what each Virtual Account consumes once the clean-up is done. Lock it as the "
        "audit-ready record about 6 months before the renewal, and check the remediation against it later.",
    )
    e = engagements.current()
    r = layout.result_or_none()
    infos = (engagements.call(lambda s: s.snapshots(e.id, engagements.username())) or []) if e else []
    names = ["Current baseline", f"Locked snapshots ({len(infos)})", "Compare", "Progress since a lock", "Verify"]
    current, listed, compared, progressed, verified = st.tabs(names)
    with current:
        if r is not None:
            snapshots.lock_form(e, r)
            _current(r)
    fetch = snapshots.fetcher()
    for tab in (listed, compared, progressed, verified):
        with tab:
            if e is None:
                st.info(engagements.none_message(), icon=":material/info:")
            elif not infos:
                st.info(f"No baseline of {fmt.md(e.name)} is locked yet.", icon=":material/info:")
            elif tab is listed:
                snapshots.listing(infos, fetch, e.name)
            elif tab is compared:
                snapshots.compare(infos, fetch)
            elif tab is progressed:
                snapshots.progress_view(infos, fetch, r)
            else:
                snapshots.verify(infos)
