"""The Engagement page's first section: the open engagement, creating one, and its members."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.store import Engagement
from ui import engagements, nav, state


def panel() -> None:
    e = engagements.current()
    title = f"Engagement: {e.name} (you are its {e.role})" if e else "Engagement: none yet"
    with st.expander(title, expanded=e is None, icon=":material/folder_shared:"):
        if e is None:
            st.info(
                "You are not a member of any engagement yet. Create one: it starts with what is loaded now "
                "(the sample estate, or the files you uploaded) and you become its advisor. Locking a baseline "
                "needs an engagement.",
                icon=":material/info:",
            )
        left, right = st.columns(2)
        with left:
            _create(e)
        if e is not None:
            with right:
                _members(e)


def _create(e: Engagement | None) -> None:
    s = state.settings()
    default = "" if e is not None else (f"{s.client} (sample)" if state.source() == "sample" else s.client)
    with st.form("sah_new_engagement"):
        name = st.text_input("New engagement", default, max_chars=120, placeholder="Client name")
        st.caption(
            "You become its advisor. "
            + ("It starts empty, with its own settings." if e else "It keeps the files and settings loaded now.")
        )
        if st.form_submit_button("Create engagement", icon=":material/add:"):
            if not name.strip():
                st.error("Give the engagement a name.")
            elif engagements.create(name.strip()) is not None:
                st.rerun()


def _members(e: Engagement) -> None:
    members = engagements.members(e)
    if members is None:
        return
    st.dataframe(
        pd.DataFrame({"User": list(members), "Role": list(members.values())}),
        hide_index=True,
        width="stretch",
    )
    if e.role != nav.ADVISOR:
        st.caption("Only an advisor of this engagement can add members.")
        return
    others = [u for u in engagements.known_users() if u != engagements.username()]
    if not others:
        st.caption("No other users yet: add them with `python -m ui.users add NAME --role viewer`.")
        return
    with st.form("sah_add_member"):
        c1, c2 = st.columns(2)
        user = c1.selectbox("User", others, format_func=lambda u: f"{u} ({members[u]} now)" if u in members else u)
        role = c2.selectbox("Role in this engagement", [nav.VIEWER, nav.ADVISOR])
        submitted = st.form_submit_button("Add or change member", icon=":material/person_add:")
        if submitted and engagements.add_member(e, str(user), role):
            st.rerun()
    st.caption("Users come from the auth file (`python -m ui.users`); each sees only the engagements they are in.")
