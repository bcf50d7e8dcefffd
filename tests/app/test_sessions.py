"""Two people at once: sessions in one server process never see each other's uploads or results."""

from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

from core.settings import Settings
from tests.app.conftest import goto, open_as
from tests.ui_support import ROOT

CSSM = ROOT / "sample_exports" / "cssm"
EMPTY = {"sah_settings": Settings(as_of=dt.date(2026, 11, 1)), "sah_files": {}, "sah_source": "empty"}


def _upload(at: AppTest, client: str, export: str) -> AppTest:
    """Through the Engagement page's uploader: an engagement.toml naming the client, and one CSSM export."""
    va = export.split("_")[1].capitalize()
    toml = (
        f'[engagement]\nclient = "{client}"\nas_of = 2026-11-01\n\n[[file]]\npath = "{export}"\nkind = "instances"\n'
        f'smart_account = "Contoso Networks"\nvirtual_account = "{va}"\n'
    ).encode()
    goto(at, "engagement")
    at.file_uploader[0].set_value(
        [
            ("engagement.toml", toml, "application/toml"),
            (export, (CSSM / export).read_bytes(), "text/csv"),
        ]
    )
    return at.run()


def _seen(at: AppTest) -> tuple[str, list[str], str]:
    """What the person sees: the client in the sidebar, the Virtual Accounts on offer, the instance count."""
    goto(at, "virtual_accounts")
    client = next(m.value for m in at.sidebar.markdown if m.value.startswith("**")).split("**")[1]
    vas = list(at.selectbox(key="sah_va_va_Contoso Networks").options)
    goto(at, "overview")
    count = next(m.value for m in at.metric if m.label == "Registered instances")
    return client, vas, count


def test_two_sessions_with_different_uploads_see_only_their_own() -> None:
    a = _upload(open_as("ada", EMPTY), "Client Alpha", "contoso_default_instances.csv")
    b = _upload(open_as("bo", EMPTY), "Client Beta", "contoso_wireless_instances.csv")
    for at in (a, b):
        assert not at.exception and not at.error, [e.value for e in at.error]
    ra, rb = a.session_state["sah_analysis"].result, b.session_state["sah_analysis"].result
    assert set(ra.instances["virtual_account"]) == {"Default"}
    assert set(rb.instances["virtual_account"]) == {"Wireless"}

    seen_a, seen_b = _seen(a), _seen(b)  # A looks again after B uploaded, and the other way round
    assert seen_a == ("Client Alpha", ["Default"], f"{len(ra.instances):,}")
    assert seen_b == ("Client Beta", ["Wireless"], f"{len(rb.instances):,}")
    assert len(ra.instances) != len(rb.instances)
    assert list(a.session_state["sah_files"]) == ["contoso_default_instances.csv"]
    assert list(b.session_state["sah_files"]) == ["contoso_wireless_instances.csv"]
