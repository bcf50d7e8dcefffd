"""Overview: the headline numbers, the findings by type and the renewal timeline."""

from __future__ import annotations

import streamlit as st

from core.reconcile import ReconcileResult
from ui import auth, charts, explain, fmt, layout


def _kpis(r: ReconcileResult) -> None:
    inst, c, m, lev = r.instances, r.consumption, r.milestones, r.leverage
    removable = int(inst["removable"].sum()) if len(inst) else 0
    cols = [*st.columns(3), *st.columns(3)]
    cols[0].metric(
        "Registered instances",
        fmt.number(len(inst)),
        border=True,
        delta=f"in {inst.groupby(['smart_account', 'virtual_account']).ngroups} Virtual Accounts"
        if len(inst)
        else None,
        delta_color="off",
        delta_arrow="off",
        help="Product instances registered in CSSM, across every Smart Account and Virtual Account.",
    )
    cols[1].metric(
        "Removable instances",
        fmt.number(removable),
        border=True,
        delta=f"{fmt.number(c.units_removed)} licences freed",
        delta_color="off",
        delta_arrow="off",
        help="Certain or likely removal findings: they leave the clean baseline. 'Verify' items are "
        "upside and are never removed. Licences freed include released reservations.",
    )
    cols[2].metric(
        "Clean share",
        fmt.percent(c.clean_share * 100 if c.clean_share is not None else None),
        border=True,
        delta=f"{fmt.percent(c.percent)} less consumption" if c.percent is not None else None,
        delta_color="off",
        delta_arrow="off",
        help="Licences still in use after clean-up ÷ licences in use today.",
    )
    cols[3].metric(
        "Recoverable value",
        fmt.money(c.value, c.currency or r.settings.currency, compact=True),
        border=True,
        delta="a year, at the prices given" if c.value is not None else "no prices given",
        delta_color="off",
        delta_arrow="off",
        help="Licences freed × annual unit price, where prices were given."
        + (f" Unpriced: {', '.join(c.unpriced_licenses)}." if c.unpriced_licenses else ""),
    )
    cols[4].metric(
        "Days to renewal",
        fmt.number(m.days_to_close) if m else "—",
        border=True,
        delta=m.status if m else "no renewal date",
        delta_color="off",
        delta_arrow="off",
        help=f"EA renewal close {fmt.date(m.close)}, counted from the as-of date."
        if m
        else "Set the renewal date on the Engagement page.",
    )
    cols[5].metric(
        "Leverage range (estimate)",
        fmt.money_range(lev.low, lev.high, lev.currency) if lev else "—",
        border=True,
        delta=f"{lev.low_pct:g}–{lev.high_pct:g}% of the renewal value" if lev else None,
        delta_color="off",
        delta_arrow="off",
        help=(
            f"{lev.low_pct:g}–{lev.high_pct:g}% of the annual renewal value "
            f"{fmt.money(lev.renewal_value, lev.currency)}: an estimate; see Renewal & leverage."
        )
        if lev
        else "Set the renewal value on the Engagement page.",
    )


def render() -> None:
    auth.require("overview")
    r = layout.need_result()
    s = r.settings
    layout.header("Overview", f"{fmt.md(s.client or 'Client')} · Smart Account hygiene as of {fmt.date(s.as_of)}")
    _kpis(r)
    c = r.consumption
    if c.in_use:
        st.markdown(
            f"Clean-up takes **{fmt.number(c.units_removed)} of {fmt.number(c.in_use)}** licences in use "
            f"out of the baseline Cisco would read (**{fmt.percent(c.percent)}**), across "
            f"{fmt.number(len(r.findings))} findings."
        )
    left, right = st.columns([5, 4], gap="large")
    with left:
        if r.findings.empty:
            st.success("No findings: this estate is clean.")
        else:
            st.altair_chart(charts.findings_by_type(r.findings), width="stretch")
    with right:
        if r.milestones:
            st.altair_chart(charts.timeline(r.milestones), width="stretch")
            m = r.milestones
            st.markdown(
                f"**Status: {m.status}.** Hygiene start {fmt.date(m.hygiene_start)} "
                f"({fmt.days(m.days_to_hygiene_start)}) · baseline lock {fmt.date(m.lock)} "
                f"({fmt.days(m.days_to_lock)}) · renewal close {fmt.date(m.close)} "
                f"({fmt.days(m.days_to_close)})."
            )
        else:
            st.info("No renewal date set: the timeline appears once it is (Engagement page).")
        counts = r.findings["confidence"].value_counts()
        st.markdown(
            "  \n".join(
                f"<span style='color:{color}'>■</span> **{fmt.number(counts.get(level, 0))}** "
                f"{explain.CONFIDENCE_WORDS[level]}"
                for level, color in charts.CONFIDENCE_COLORS.items()
            ),
            unsafe_allow_html=True,
        )
