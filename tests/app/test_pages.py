"""Every page, for each role, on the sample estate; what a viewer can and cannot reach."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import goto, new_app, open_as, titles
from tests.ui_support import ROOT, USERS, expected
from ui import nav


def test_an_unauthenticated_session_sees_only_the_login_form() -> None:
    at = new_app().run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert titles(at) == ["Smart Account Hygiene"]
    assert not at.metric and not at.get("arrow_data_frame") and not at.sidebar.children
    assert not any(str(k).startswith("sah_") for k in at.session_state)


@pytest.mark.parametrize("user", ["ada", "vic"])  # one user per role
def test_every_page_of_the_role_renders_on_the_sample_estate(user: str, sample: dict[str, object]) -> None:
    at = open_as(user, sample)
    role = USERS[user][0]
    for spec in nav.pages_for(role):
        goto(at, spec.key)
        assert not at.exception, f"{spec.title}: {at.exception}"
        assert spec.title in titles(at), spec.title
        assert not at.error, f"{spec.title}: {[e.value for e in at.error]}"
    assert {p["page_name"] for p in at._registered_pages.values()} == {p.title for p in nav.pages_for(role)}


def test_the_overview_shows_the_sample_kpis(sample: dict[str, object]) -> None:
    at = goto(open_as("vic", sample), "overview")
    r = expected()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Registered instances"] == f"{len(r.instances):,}"
    assert metrics["Removable instances"] == f"{int(r.instances['removable'].sum()):,}"
    assert metrics["Days to renewal"] == f"{r.milestones.days_to_close:,}"
    assert len(at.get("vega_lite_chart")) == 2


@pytest.mark.parametrize("page_key", [p.key for p in nav.PAGES if nav.VIEWER not in p.roles])
def test_a_viewer_cannot_switch_to_an_advisor_page(page_key: str, sample: dict[str, object]) -> None:
    at = goto(open_as("vic", sample), page_key)
    assert not at.exception
    assert titles(at) == ["Overview"]  # the page is not registered: the default page runs instead
    assert not at.file_uploader and not at.get("download_button")


def test_each_page_module_run_as_a_script_renders_nothing() -> None:
    """The login bypass of a pages/ folder: a fresh server runs pages/<name>.py directly for /<name>."""
    for path in sorted((ROOT / "pages").glob("*.py")):
        at = AppTest.from_file(str(path), default_timeout=30).run()
        assert not at.exception, path.name
        assert not at.main.children and not at.sidebar.children, path.name


def test_no_url_path_is_the_name_of_a_pages_file() -> None:
    stems = {p.stem for p in Path(ROOT / "pages").glob("*.py")}
    assert not stems & {p.url for p in nav.PAGES}


def test_logging_out_returns_to_the_login_form_and_forgets_the_data(sample: dict[str, object]) -> None:
    at = open_as("ada", sample)
    at.button(key="sah_logout").click()
    at.run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert not any(str(k).startswith("sah_") for k in at.session_state)
    assert not at.metric


def test_the_findings_filter_by_confidence(sample: dict[str, object]) -> None:
    at = goto(open_as("ada", sample), "findings")
    at.multiselect(key="sah_filter_confidence").select("certain").run()
    certain = int((expected().findings["confidence"] == "certain").sum())
    assert any(c.value.startswith(f"{certain:,} of {len(expected().findings):,} findings") for c in at.caption)


def test_a_viewer_can_try_assumptions_without_changing_the_engagement(sample: dict[str, object]) -> None:
    at = goto(open_as("vic", sample), "renewal")
    at.number_input[0].set_value(1_000_000.0).run()
    assert any(m.value == "USD 50,000 – 120,000" for m in at.metric)
    assert at.session_state["sah_settings"].renewal_value == expected().settings.renewal_value
    assert not any(b.label == "Use these assumptions for the engagement" for b in at.button)


def test_an_advisor_can_keep_new_assumptions_for_the_engagement(sample: dict[str, object]) -> None:
    at = goto(open_as("ada", sample), "renewal")
    at.number_input[0].set_value(1_000_000.0).run()
    next(b for b in at.button if b.label == "Use these assumptions for the engagement").click().run()
    assert at.session_state["sah_settings"].renewal_value == 1_000_000.0
    assert not at.exception
