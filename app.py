"""Router: login, then only the pages the user's role may see (st.navigation), then the chosen page.

Pages live in pages/ as render functions only; they are reachable solely through the list built here.
"""

from __future__ import annotations

import streamlit as st

from core.runtime import use_system_allocator
from pages import baseline, engagement, findings, overview, plan, renewal, virtual_accounts
from ui import auth, authfile, layout, nav, startup

RENDER = {
    "engagement": engagement.render,
    "overview": overview.render,
    "virtual_accounts": virtual_accounts.render,
    "findings": findings.render,
    "plan": plan.render,
    "baseline": baseline.render,
    "renewal": renewal.render,
}


def _login_only() -> None:
    """Logged out, every URL resolves to this: the login form above is all there is to see."""


use_system_allocator()  # freed columns go back to the OS: one server holds every session's estate
st.set_page_config(page_title="Smart Account Hygiene", page_icon=":material/verified_user:", layout="wide")
startup.check()  # XSRF on, error details off…: else a refusal and no login form
try:
    config = authfile.load()
except authfile.AuthFileError as err:
    layout.refuse_start(err)
authenticator = auth.authenticator(config)
header = layout.login_header()
role = auth.login(authenticator, config)
if role is not None:
    header.empty()
if role is not None and layout.sidebar_user(role):
    auth.logout(authenticator)
    layout.login_header(header)
    role = auth.login(authenticator, config)

if role is None:
    # Deep links keep their URL while logged out (no "page not found"), and show only the login form.
    st.navigation(
        [st.Page(_login_only, title=p.title, url_path=p.url, default=p.key == nav.DEFAULT) for p in nav.PAGES],
        position="hidden",
    ).run()
else:
    page = st.navigation(
        [
            st.Page(RENDER[p.key], title=p.title, icon=p.icon, url_path=p.url, default=p.key == nav.DEFAULT)
            for p in nav.pages_for(role)
        ]
    )
    page.run()
