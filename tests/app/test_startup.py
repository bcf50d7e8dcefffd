"""The app refuses to serve on an unsafe Streamlit configuration: a clear message and no login form."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from core import workbook
from tests.app.conftest import new_app
from ui import startup

SetOption = Callable[[str, object], None]


@pytest.fixture
def set_option() -> Iterator[SetOption]:
    """Change Streamlit's effective configuration for this process (what `streamlit run --x.y` would), then undo."""
    saved: dict[str, tuple[object, str]] = {}

    def change(key: str, value: object) -> None:
        option = config._config_options[key]  # type: ignore[index]
        saved.setdefault(key, (option.value, option.where_defined))
        config.set_option(key, value, where_defined="test")

    yield change
    for key, (value, where) in saved.items():
        config.set_option(key, value, where_defined=where)


def refusal(at: AppTest) -> str:
    assert not at.exception
    assert not at.text_input and not any(b.label == "Login" for b in at.button)  # no login form
    assert len(at.error) == 1
    text = at.error[0].value
    assert text.startswith("**The app will not serve: its configuration is not safe.**")
    return text


def test_the_shipped_configuration_is_safe_to_serve() -> None:
    assert startup.problems() == []  # pytest runs from the repo root, as `make run` does: .streamlit/config.toml


def test_the_app_refuses_to_serve_with_xsrf_protection_off(set_option: SetOption) -> None:
    set_option("server.enableXsrfProtection", False)
    assert "server.enableXsrfProtection = true" in refusal(new_app().run())


def test_the_app_refuses_to_serve_with_cross_origin_protection_off(set_option: SetOption) -> None:
    set_option("server.enableCORS", False)
    assert "server.enableCORS = true" in refusal(new_app().run())


@pytest.mark.parametrize("details", ["full", "stacktrace", "type", True])
def test_the_app_refuses_to_serve_when_error_details_are_shown(set_option: SetOption, details: object) -> None:
    set_option("client.showErrorDetails", details)
    assert f'`client.showErrorDetails = "{details}"`' in refusal(new_app().run())


def test_the_app_refuses_an_upload_limit_above_what_the_reader_accepts(set_option: SetOption) -> None:
    set_option("server.maxUploadSize", 1000)
    assert "`server.maxUploadSize = 1000` (MB) is above the 200 MB" in refusal(new_app().run())


def test_the_app_refuses_to_serve_when_openpyxl_is_not_defused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook, "xml_defused", lambda: False)
    assert "defusedxml" in refusal(new_app().run())


def test_every_unsafe_setting_is_named_at_once(set_option: SetOption) -> None:
    set_option("server.enableXsrfProtection", False)
    set_option("client.showErrorDetails", "full")
    text = refusal(new_app().run())
    assert "enableXsrfProtection" in text and "showErrorDetails" in text
    assert startup.problems()[0].startswith("XSRF protection is off")
