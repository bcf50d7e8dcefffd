"""Login, logout and role checks around streamlit-authenticator (roles are ours: the library does not enforce them)."""

from __future__ import annotations

import copy
import os
from typing import Any

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities import LoginError

from ui import authfile, nav, state


def _sleep() -> dict[str, float]:
    """The library's pause on every logged-out run, 0 unless SAH_LOGIN_SLEEP says otherwise.

    Its default (0.7 s) loses the login: Chromium submitted the form, the cookie component's rerun arrived
    during the pause and the submit was dropped (reproduced with the real browser). 0.4.2 reads the cookie
    from the request headers, so nothing needs the pause.
    """
    return {"login_sleep_time": float(os.environ.get("SAH_LOGIN_SLEEP") or 0)}


def authenticator(config: dict[str, Any]) -> stauth.Authenticate:
    cookie = config["cookie"]
    return stauth.Authenticate(
        copy.deepcopy(config["credentials"]),  # the library mutates what it is given
        cookie["name"],
        cookie["key"],
        float(cookie["expiry_days"]),
        auto_hash=False,
        **_sleep(),
    )


def login(a: stauth.Authenticate, config: dict[str, Any]) -> str | None:
    """Render the login form when logged out; return the user's role when logged in (read fresh from the file)."""
    try:
        a.login(location="main")
    except LoginError:  # a valid cookie for a user the file no longer has: drop it and ask again
        st.session_state["logout"] = True
        a.cookie_controller.delete_cookie()
        a.login(location="main", key="Login again")
    if st.session_state.get("authentication_status") is False:
        st.error("Username or password is incorrect.")
    if not st.session_state.get("authentication_status"):
        return None
    entry = config["credentials"]["usernames"].get(str(st.session_state.get("username")))
    roles = (entry or {}).get("roles") or []
    role = next((r for r in authfile.ROLES if r in roles), None)
    if role is None:
        logout(a)
        return None
    st.session_state["sah_role"] = role
    return role


def logout(a: stauth.Authenticate) -> None:
    """Log out and forget the user's data. No st.rerun here: the cookie component must get to run."""
    a.logout(location="unrendered")
    state.clear_session()


def role() -> str | None:
    return st.session_state.get("sah_role") if st.session_state.get("authentication_status") else None


def require(page_key: str) -> str:
    """Each page checks its role again: never rely on the page list alone."""
    current = role()
    if current not in nav.BY_KEY[page_key].roles:
        st.error("You do not have access to this page.")
        st.stop()
    return str(current)


def can_edit() -> bool:
    return role() == nav.ADVISOR
