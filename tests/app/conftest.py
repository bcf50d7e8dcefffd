"""AppTest helpers: a session logged in through the real form, the sample estate injected once, page switching."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from tests.ui_support import ROOT, USERS, write_auth
from ui import state
from ui.nav import BY_KEY
from ui.throttle import LOGINS


@pytest.fixture(scope="session", autouse=True)
def auth_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    folder = tmp_path_factory.mktemp("data")
    mp = pytest.MonkeyPatch()
    mp.setenv("SAH_DATA_DIR", str(folder))
    mp.setenv("SAH_AUTH_FILE", str(write_auth(folder / "auth.yaml")))
    yield
    mp.undo()


@pytest.fixture(autouse=True)
def no_login_failures() -> Iterator[None]:
    """The login throttle is shared by every session in the process: no test inherits another's failures."""
    LOGINS.clear()
    yield
    LOGINS.clear()


@pytest.fixture(scope="session")
def sample() -> dict[str, object]:
    """The session state a new session builds from the sample estate, computed once for the whole run."""
    settings, files = state.sample_engagement()
    return {
        "sah_settings": settings,
        "sah_files": files,
        "sah_source": "sample",
        "sah_analysis": state.analyse(files, settings),
    }


def new_app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def login(at: AppTest, user: str) -> AppTest:
    """Through the login form, as a person would; the second run stands for the cookie component's rerun."""
    at.run()
    username = next(t for t in at.text_input if t.label == "Username")
    password = next(t for t in at.text_input if t.label == "Password")
    username.input(user)
    password.input(USERS[user][1])
    next(b for b in at.button if b.label == "Login").click()
    return at.run().run()


def open_as(user: str, sample: dict[str, object] | None = None) -> AppTest:
    at = new_app()
    for key, value in (sample or {}).items():
        at.session_state[key] = value
    return login(at, user)


def goto(at: AppTest, page_key: str) -> AppTest:
    """Request /<url> as a browser would. AppTest.switch_page only finds file-based pages, and ours are callables."""
    at._page_hash = calc_hash(BY_KEY[page_key].url)
    return at.run()


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]
