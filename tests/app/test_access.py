"""Who can reach what: by URL logged out, by URL as a viewer, and each page's own role check behind the page list."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from core.settings import Settings
from tests.app.conftest import goto, new_app, titles
from ui import nav

EMPTY = {"sah_settings": Settings(as_of=dt.date(2026, 11, 1)), "sah_files": {}, "sah_source": "empty"}
ADVISOR_ONLY = [p.key for p in nav.PAGES if nav.VIEWER not in p.roles]


def test_every_page_url_shows_only_the_login_form_when_logged_out() -> None:
    at = new_app()
    for spec in nav.PAGES:
        goto(at, spec.key)
        assert not at.exception, spec.url
        assert [t.label for t in at.text_input] == ["Username", "Password"], spec.url
        assert titles(at) == ["Smart Account Hygiene"], spec.url
        assert not at.sidebar.children and not at.metric and not at.get("arrow_data_frame"), spec.url
        assert not any(str(k).startswith("sah_") for k in at.session_state), spec.url


def _page_script(page_key: str) -> None:
    """A page's render function run on its own, as if registered by mistake or reached by st.switch_page."""
    import importlib

    importlib.import_module(f"pages.{page_key}").render()


def _render_as(role: str | None, page_key: str) -> AppTest:
    at = AppTest.from_function(_page_script, args=(page_key,), default_timeout=30)
    for key, value in EMPTY.items():
        at.session_state[key] = value
    if role is not None:
        at.session_state["authentication_status"] = True
        at.session_state["sah_role"] = role
    return at.run()


def test_a_page_run_this_way_does_render_for_a_role_it_allows() -> None:
    """The control for the two tests below: the same harness shows the page when the role may see it."""
    at = _render_as(nav.VIEWER, "overview")
    assert not at.exception and not at.error
    assert any(i.value.startswith("No estate is loaded yet.") for i in at.info)


@pytest.mark.parametrize("page_key", ADVISOR_ONLY)
def test_an_advisor_page_refuses_a_viewer_even_when_it_is_reached(page_key: str) -> None:
    at = _render_as(nav.VIEWER, page_key)
    assert not at.exception
    assert [e.value for e in at.error] == ["You do not have access to this page."]
    assert not at.title and not at.file_uploader and not at.metric and not at.get("download_button")


def test_every_page_refuses_a_session_that_is_not_logged_in() -> None:
    for spec in nav.PAGES:
        at = _render_as(None, spec.key)
        assert [e.value for e in at.error] == ["You do not have access to this page."], spec.key
        assert not at.title and not at.metric, spec.key
