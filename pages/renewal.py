"""Renewal & leverage: the countdown and milestones, and the leverage range with its assumptions editable."""

from __future__ import annotations

import streamlit as st

from core.renewal import leverage, milestones, sensitivity
from core.settings import SETTING_HELP, Settings
from ui import auth, charts, engagements, fmt, layout, state


def _assumptions(s: Settings) -> Settings:
    """The assumptions as widgets, started from the engagement's settings; returns the what-if settings."""
    st.subheader("Assumptions")
    c1, c2, c3 = st.columns(3)
    renewal_date = c1.date_input(
        "EA renewal close", s.renewal_date, format="YYYY-MM-DD", help=SETTING_HELP["renewal_date"]
    )
    value = c1.number_input(
        f"Annual renewal value ({s.currency})",
        min_value=0.0,
        step=50_000.0,
        format="%.0f",
        value=float(s.renewal_value) if s.renewal_value is not None else None,
        help=SETTING_HELP["renewal_value"],
    )
    low = c2.number_input(
        "Leverage, low (% of renewal value)",
        0.0,
        100.0,
        float(s.leverage_low_pct),
        0.5,
        help=SETTING_HELP["leverage_low_pct"],
    )
    high = c2.number_input(
        "Leverage, high (% of renewal value)",
        0.0,
        100.0,
        float(s.leverage_high_pct),
        0.5,
        help=SETTING_HELP["leverage_high_pct"],
    )
    start = c3.number_input(
        "Hygiene lead (months before renewal)",
        0,
        36,
        s.hygiene_lead_months,
        1,
        help=SETTING_HELP["hygiene_lead_months"],
    )
    lock = c3.number_input(
        "Baseline lock lead (months before renewal)",
        0,
        36,
        s.lock_lead_months,
        1,
        help=SETTING_HELP["lock_lead_months"],
    )
    if high < low:
        st.warning("The high point is below the low point: they are swapped for the estimate.")
        low, high = high, low
    return s.with_overrides(
        renewal_value=value,
        leverage_low_pct=low,
        leverage_high_pct=high,
        hygiene_lead_months=int(start),
        lock_lead_months=int(lock),
        renewal_date=renewal_date,
    )


def render() -> None:
    auth.require("renewal")
    layout.need_result()
    s = state.settings()
    layout.header(
        "Renewal & leverage",
        f"{fmt.md(s.client or 'Client')} · counted from the as-of date {fmt.date(s.as_of)}. "
        "Change an assumption below and every figure on this page follows.",
    )
    what = _assumptions(s)
    m, lev = milestones(what), leverage(what)
    if m is None:
        st.info("Set the EA renewal close date to see the countdown.")
    else:
        cols = st.columns(4)
        cols[0].metric(
            "Status",
            m.status.capitalize(),
            border=True,
            help="on track: before hygiene start · late start: hygiene should have started · past lock: "
            "the baseline should be locked · closed: after the renewal close",
        )
        for col, label, day, left in (
            (cols[1], "Hygiene start", m.hygiene_start, m.days_to_hygiene_start),
            (cols[2], "Baseline lock", m.lock, m.days_to_lock),
            (cols[3], "Renewal close", m.close, m.days_to_close),
        ):
            col.metric(label, fmt.date(day), delta=fmt.days(left), delta_color="off", delta_arrow="off", border=True)
        st.altair_chart(charts.timeline(m), width="stretch")
    if lev is None:
        st.info("Set the annual renewal value to estimate the leverage.")
        return
    st.metric(
        "Leverage range (estimate)",
        fmt.money_range(lev.low, lev.high, lev.currency, compact=False),
        help="What a clean, defended baseline may be worth off the renewal: renewal value × low–high %.",
    )
    st.caption(
        f"Estimate: {fmt.money(lev.renewal_value, lev.currency)} × {lev.low_pct:g}% to {lev.high_pct:g}%. "
        "Every assumption is shown above and can be changed."
    )
    st.altair_chart(charts.sensitivity(sensitivity(what), lev), width="stretch")
    if engagements.can_change() and what != s:
        if st.button("Use these assumptions for the engagement", icon=":material/save:"):
            engagements.save_settings(what)
            st.rerun()
    elif what != s:
        st.caption("A what-if: your changes are not saved to the engagement.")
