"""Findings: every finding with its evidence, filterable, and the five hygiene issues in a sentence each."""

from __future__ import annotations

import streamlit as st

from core.export import csv_bytes
from core.findings_model import CODES, FINDING_COLUMNS
from core.reconcile import ReconcileResult
from ui import auth, explain, fmt, layout, tables

_ORDER = [
    "finding",
    "confidence",
    "instance_name",
    "evidence",
    "license",
    "quantity",
    "action",
    "smart_account",
    "virtual_account",
    "serial",
    "hostname",
    "source_file",
    "source_row",
]
_FILTERS = {
    "finding": "Finding",
    "confidence": "Confidence",
    "smart_account": "Smart Account",
    "virtual_account": "Virtual Account",
}


def _issues(r: ReconcileResult) -> None:
    counts = r.finding_counts()
    cols = st.columns(len(explain.HYGIENE_ISSUES))
    for col, issue in zip(cols, explain.HYGIENE_ISSUES, strict=True):
        found = sum(counts.get(c, 0) for c in issue.codes)
        with col.container(border=True, height="stretch"):
            st.markdown(f"**{issue.title}**")
            st.metric(issue.title, fmt.number(found), label_visibility="collapsed")
            st.caption(issue.sentence)


def render() -> None:
    auth.require("findings")
    r = layout.need_result()
    layout.header("Findings", "What is wrong in the Smart Accounts, how sure we are, and the evidence for each.")
    _issues(r)
    f = r.findings
    cols = st.columns(4)
    picks = {
        c: cols[i].multiselect(label, tables.options(f, c), key=f"sah_filter_{c}", placeholder="All")
        for i, (c, label) in enumerate(_FILTERS.items())
    }
    text = st.text_input(
        "Search", placeholder="instance, serial, hostname, licence or evidence text", key="sah_filter_text"
    )
    shown = tables.filter_findings(f, picks, text)
    st.caption(
        f"{fmt.number(len(shown))} of {fmt.number(len(f))} findings · " + " · ".join(explain.CONFIDENCE_WORDS.values())
    )
    st.dataframe(
        tables.blank(shown[FINDING_COLUMNS]),
        column_order=_ORDER,
        hide_index=True,
        width="stretch",
        height=tables.height(len(shown)),
        column_config={
            "finding": st.column_config.TextColumn("Finding", help="Finding code", pinned=True),
            "confidence": "Confidence",
            "action": "Action",
            "smart_account": "Smart Account",
            "virtual_account": "Virtual Account",
            "instance_name": "Instance",
            "serial": "Serial",
            "hostname": "Hostname",
            "license": "Licence",
            "quantity": tables.count_column("Licences"),
            "evidence": st.column_config.TextColumn("Evidence", width="large"),
            "source_file": "Source file",
            "source_row": st.column_config.NumberColumn("Row", format="%d"),
        },
    )
    st.download_button(
        "Download these findings (CSV)",
        csv_bytes(shown[FINDING_COLUMNS]),
        "findings.csv",
        "text/csv",
        icon=":material/download:",
        on_click="ignore",
    )
    with st.expander("What each finding code means"):
        st.markdown(
            "\n".join(
                f"- **{code}** ({c.confidence}, {c.action or 'no action'}): {c.meaning}" for code, c in CODES.items()
            )
        )
