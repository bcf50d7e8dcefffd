"""Virtual Accounts: purchased vs in use vs clean per VA and licence, shortages, surplus and the transfers."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import auth, charts, fmt, layout, tables

_POOL = {"where": "Smart Account / VA", "license": "Licence"}


def _where(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(where=frame["smart_account"] + " / " + frame["virtual_account"])


def render() -> None:
    auth.require("virtual_accounts")
    r = layout.need_result()
    layout.header(
        "Virtual Accounts",
        "Where licences sit, where they are short, and what moves between Virtual Accounts once the clean-up is done.",
    )
    b = r.pools.baseline
    if b.empty:
        st.info("No licence pools: the estate has no licence consumption to show.")
        return
    if not r.pools.available:
        st.info("No Licenses export was given: purchased quantities, shortages and transfers cannot be judged.")
    c1, c2 = st.columns(2)
    sas = sorted(b["smart_account"].unique())
    sa = c1.selectbox("Smart Account", sas, key="sah_va_sa")
    in_sa = b[b["smart_account"] == sa]
    vas = sorted(in_sa["virtual_account"].unique())
    short_first = in_sa.groupby("virtual_account")["final_balance"].min().sort_values().index[0]
    va = c2.selectbox("Virtual Account", vas, index=vas.index(short_first), key=f"sah_va_va_{sa}")
    pools = in_sa[in_sa["virtual_account"] == va]
    st.altair_chart(charts.va_pools(pools, f"{sa} / {va}"), width="stretch")

    count = tables.count_column
    st.subheader("Shortages")
    short = b[b["final_balance"].fillna(0) < 0]
    st.caption("Still short after clean-up and transfers: generate from the EA or buy.")
    if short.empty:
        st.success("No Virtual Account is short once the clean-up and transfers are done.")
    else:
        st.dataframe(
            _where(short)[[*_POOL, "balance", "clean_balance", "final_balance"]],
            hide_index=True,
            width="stretch",
            column_config={
                **_POOL,
                "balance": count("Balance today"),
                "clean_balance": count("After clean-up"),
                "final_balance": count("After transfers"),
            },
        )
    st.subheader("Surplus")
    surplus = b[b["final_balance"].fillna(0) > 0].sort_values("final_balance", ascending=False)
    st.caption("Spare after clean-up and transfers: room to grow, or to give up at the renewal.")
    st.dataframe(
        _where(surplus)[[*_POOL, "final_balance"]],
        hide_index=True,
        width="stretch",
        height=tables.height(len(surplus), 320),
        column_config={**_POOL, "final_balance": count("Spare licences")},
    )

    st.subheader("Transfers between Virtual Accounts")
    t = r.pools.transfers
    if t.empty:
        st.caption("No transfers needed inside any Smart Account.")
    else:
        st.dataframe(
            t,
            hide_index=True,
            width="stretch",
            column_config={
                "smart_account": "Smart Account",
                "license": "Licence",
                "from_virtual_account": "From",
                "to_virtual_account": "To",
                "quantity": count("Licences"),
            },
        )
    if not r.pools.split.empty:
        st.subheader("Across Smart Accounts")
        st.caption("Short in one Smart Account while another has surplus: consolidation would net these.")
        st.dataframe(tables.blank(r.pools.split), hide_index=True, width="stretch")
    if not r.ea.empty:
        with st.expander("EA entitlement vs deposited in the Smart Accounts"):
            st.dataframe(r.ea, hide_index=True, width="stretch")
    mismatch = r.pools.usage_mismatch
    if not mismatch.empty:
        st.caption(
            f"{fmt.number(len(mismatch))} pool(s) where the Licenses export's 'in use' differs from the "
            "per-instance usage: reported, not corrected."
        )
        with st.expander("In-use mismatches"):
            st.dataframe(mismatch, hide_index=True, width="stretch")
