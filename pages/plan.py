"""Remediation plan: the sequenced actions, in the order an operator must follow in CSSM, and the downloads."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.outputs import output_files
from core.pack import workshop_pack
from core.reconcile import ReconcileResult
from ui import auth, explain, fmt, layout, tables

_ORDER = [
    "step",
    "action",
    "smart_account",
    "virtual_account",
    "instance_name",
    "license",
    "quantity",
    "target_virtual_account",
    "reason",
    "how",
    "serial",
    "confidence",
    "value",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _steps(plan: pd.DataFrame, currency: str) -> pd.DataFrame:
    g = plan.groupby("step")
    return pd.DataFrame(
        {
            "Stage": [explain.STEP_NAMES[k] for k in g.groups],
            "Actions": [fmt.number(n) for n in g.size()],
            "Licences": [fmt.number(n) for n in g["quantity"].sum(min_count=1)],
            f"Value ({currency})": [fmt.money(v, None) for v in g["value"].sum(min_count=1)],
        }
    )


def _downloads(r: ReconcileResult) -> None:
    slug = fmt.slug(r.settings.client)
    c1, c2, _ = st.columns([1, 1, 2])
    c1.download_button(
        "Download plan (CSV)",
        output_files(r)["plan.csv"],
        f"{slug}_plan.csv",
        "text/csv",
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
    )
    c2.download_button(
        "Download workshop pack (XLSX)",
        lambda: workshop_pack(r),
        f"{slug}_workshop_pack.xlsx",
        XLSX,
        icon=":material/table_view:",
        on_click="ignore",
        type="primary",
        width="stretch",
        help="Summary, findings, plan, baseline and assumptions, one sheet each.",
    )


def render() -> None:
    auth.require("plan")
    r = layout.need_result()
    layout.header(
        "Remediation plan",
        "Release reservations → deregister → transfer → claim EA entitlement → fix "
        "ownership → consolidate → verify: the order CSSM needs.",
    )
    plan = r.plan
    cur = r.consumption.currency or r.settings.currency
    _downloads(r)
    if plan.empty:
        st.success("Nothing to do: no finding calls for an action.")
        return
    st.dataframe(_steps(plan, cur), hide_index=True, width="stretch")
    stages = st.multiselect(
        "Stages",
        sorted(plan["step"].unique()),
        format_func=explain.STEP_NAMES.get,
        placeholder="All stages",
        key="sah_plan_steps",
    )
    shown = plan[plan["step"].isin(stages)] if stages else plan
    st.caption(f"{fmt.number(len(shown))} of {fmt.number(len(plan))} actions · 'how' says where to click in CSSM")
    st.dataframe(
        tables.blank(shown),
        column_order=_ORDER,
        hide_index=True,
        width="stretch",
        height=tables.height(len(shown)),
        column_config={
            "step": st.column_config.NumberColumn("Step", format="%d", pinned=True),
            "action": "Action",
            "smart_account": "Smart Account",
            "virtual_account": "Virtual Account",
            "target_virtual_account": "To Virtual Account",
            "instance_name": st.column_config.TextColumn("Instance", width="medium"),
            "serial": "Serial",
            "license": "Licence",
            "quantity": tables.count_column("Licences"),
            "reason": st.column_config.TextColumn("Why", width="large"),
            "confidence": "Confidence",
            "how": st.column_config.TextColumn("How (in CSSM)", width="large"),
            "value": tables.money_column("Value", cur),
        },
    )
