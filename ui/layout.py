"""Pieces every page shares: the login header, the sidebar user box, page titles and the 'no estate' guard."""

from __future__ import annotations

from typing import NoReturn

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.reconcile import ReconcileResult
from ui import authfile, engagements, fmt, nav, state


def refuse_start(err: authfile.AuthFileError) -> NoReturn:
    print(f"Refusing to start: {err}", flush=True)
    st.error(
        f"**The app cannot start: the auth file `{err.path}` is not safe to use.**\n\n"
        + "\n".join(f"- {p}" for p in err.problems)
        + "\n\nFix the file, or move it away and restart the app to create a fresh one "
        "(users are managed with `python -m ui.users`)."
    )
    st.stop()


def login_header(slot: DeltaGenerator | None = None) -> DeltaGenerator:
    """Title above the login form, in a slot the router empties once the user is in."""
    slot = slot or st.empty()
    if not st.session_state.get("authentication_status"):
        with slot.container():
            st.title("Smart Account Hygiene")
            st.caption(
                "Cisco Smart Account clean-up before an EA renewal: findings, a remediation plan and a "
                "clean licence baseline. Log in to continue."
            )
    return slot


def sidebar_user(role: str) -> bool:
    """Who is logged in, on which engagement; True when the logout button was pressed."""
    engagements.sidebar()
    with st.sidebar:
        s = state.settings()
        st.markdown(f"**{fmt.md(s.client or 'No client set')}**  \nas of {fmt.date(s.as_of)}")
        if state.source() == "sample":
            st.caption("Sample estate (demo data)")
        st.divider()
        st.caption(f"Signed in as **{fmt.md(st.session_state.get('name'))}** · {role}")
        slot = st.empty()
        if slot.button("Log out", key="sah_logout", icon=":material/logout:"):
            slot.empty()
            return True
    return False


def header(title: str, intro: str) -> None:
    st.title(title)
    st.caption(intro)


def need_result() -> ReconcileResult:
    """The reconcile result, or a message saying what to do and the page stops there."""
    r = result_or_none()
    if r is None:
        st.stop()
    return r


def result_or_none() -> ReconcileResult | None:
    """The reconcile result, with the estate's problems said above it; None (and what to do) when there is none."""
    a = state.analysis()
    if a.failure:
        st.error(f"The reconciliation failed on this estate ({fmt.md(a.failure)}). Check the Engagement page.")
    if a.problems:
        st.warning(
            f"{len(a.problems)} problem(s) with the input files: the figures leave those files out. "
            + ("See the Engagement page." if st.session_state.get("sah_role") == nav.ADVISOR else "")
        )
    if a.result is None:
        where = (
            "Open the Engagement page to upload exports or load the sample estate."
            if (st.session_state.get("sah_role") == nav.ADVISOR)
            else "The engagement's locked baselines are on the Baseline page."
        )
        st.info(f"No estate is loaded yet. {where}")
    return a.result
