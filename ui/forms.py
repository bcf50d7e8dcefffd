"""Forms that edit the engagement's settings."""

from __future__ import annotations

import dataclasses

import streamlit as st

from core.settings import SETTING_HELP
from ui import engagements, state


def settings_form() -> None:
    """Client, as-of, renewal and staleness settings; applied together so the estate is analysed once, and
    saved with the open engagement."""
    s = state.settings()
    orders = ["auto", "DMY", "MDY"]
    with st.form("sah_settings_form"):
        c1, c2, c3 = st.columns(3)
        client = c1.text_input("Client", s.client, help=SETTING_HELP["client"])
        as_of = c2.date_input("As of", s.as_of, help=SETTING_HELP["as_of"], format="YYYY-MM-DD")
        renewal_date = c3.date_input(
            "EA renewal close", s.renewal_date, help=SETTING_HELP["renewal_date"], format="YYYY-MM-DD"
        )
        value = c1.number_input(
            "Annual renewal value",
            min_value=0.0,
            step=50_000.0,
            format="%.0f",
            value=float(s.renewal_value) if s.renewal_value is not None else None,
            help=SETTING_HELP["renewal_value"],
        )
        currency = c2.text_input("Currency", s.currency, max_chars=8, help=SETTING_HELP["currency"])
        order = c3.selectbox(
            "Day/month order for undecidable files",
            orders,
            index=orders.index(s.date_order or "auto"),
            help=SETTING_HELP["date_order"],
        )
        stale = c1.number_input(
            "Stale after (days): term / subscription",
            min_value=1,
            step=1,
            value=s.stale_days,
            help=SETTING_HELP["stale_days"],
        )
        perpetual = c2.number_input(
            "Stale after (days): perpetual only",
            min_value=1,
            step=1,
            value=s.perpetual_stale_days,
            help=SETTING_HELP["perpetual_stale_days"],
        )
        if st.form_submit_button("Apply settings", icon=":material/check:"):
            engagements.save_settings(
                dataclasses.replace(
                    s,
                    client=client.strip(),
                    as_of=as_of or s.as_of,
                    renewal_date=renewal_date,
                    renewal_value=value,
                    currency=(currency.strip() or "USD").upper(),
                    date_order=None if order == "auto" else order,
                    stale_days=int(stale),
                    perpetual_stale_days=int(perpetual),
                )
            )
            st.rerun()
