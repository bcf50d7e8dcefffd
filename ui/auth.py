"""Login, logout and role checks around streamlit-authenticator (roles are ours: the library does not enforce them).

The login form is ours, not the library's: the throttle must see the username before any password is checked,
and every refusal must read the same. The library still checks the password, sets the session and the cookie.
"""

from __future__ import annotations

import contextlib
import copy
import os
from typing import Any

import bcrypt
import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities import LoginError

from ui import authfile, nav, state
from ui.throttle import LOGINS

# One message for an unknown user, a wrong password and a paused username: none of them says which it was.
REFUSED = "Username or password is incorrect. After repeated failures a username is paused for a few minutes."


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
        a.login(location="unrendered")  # a valid cookie lets the user in; renders nothing
    except LoginError:  # a valid cookie for a user the file no longer has: drop it and ask again
        st.session_state["logout"] = True
        a.cookie_controller.delete_cookie()
    if not st.session_state.get("authentication_status"):
        _form(a, config)
    if st.session_state.get("authentication_status") is False:
        st.error(REFUSED)
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


def _form(a: stauth.Authenticate, config: dict[str, Any]) -> None:
    """The login form (the library's labels). A paused username is refused before its password is checked; an
    unknown one costs the same bcrypt time as a known one. Sets authentication_status like the library does."""
    slot = st.empty()
    with slot.container(), st.form("Login"):
        st.subheader("Login")
        typed = st.text_input("Username", autocomplete="off")
        password = st.text_input("Password", type="password", autocomplete="off")
        submitted = st.form_submit_button("Login")
    username = typed.lower().strip()
    if not submitted or not username or not password:
        return
    if not LOGINS.begin(username):
        st.session_state["authentication_status"] = False
        return
    users = config["credentials"]["usernames"]
    if username in users and a.authentication_controller.login(username, password) is True:
        LOGINS.succeeded(username)
        slot.empty()
        a.cookie_controller.set_cookie()  # outside the emptied slot: its component must get to run
        return
    if username not in users:
        _spend_bcrypt_time(password, users)
    st.session_state["authentication_status"] = False


def _spend_bcrypt_time(password: str, users: dict[str, Any]) -> None:
    """Check the password against some user's hash and ignore the answer, so an unknown name takes as long."""
    some_hash = str(next(iter(users.values()))["password"])
    with contextlib.suppress(ValueError):  # over bcrypt's 72 bytes: refused as fast for a known user
        bcrypt.checkpw(password.strip().encode(), some_hash.encode())


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
