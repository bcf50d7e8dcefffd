"""The real thing: a Streamlit server on 127.0.0.1 driven by Debian's Chromium through Playwright.

Screenshots of every page land in test-artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from core.pack import SHEETS
from core.plan import PLAN_COLUMNS
from core.pools import BASELINE_COLUMNS
from tests.ui_support import ARTIFACTS, ROOT, USERS, expected, sample_files, write_auth
from ui import nav

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IDLE = '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make browser)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _serve(data: Path, log_name: str, *flags: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """`streamlit run app.py` from the repo root on a free port; its log kept in test-artifacts/<log_name>."""
    port = _free_port()
    env = {
        **os.environ,
        "SAH_DATA_DIR": str(data),
        "SAH_AUTH_FILE": str(write_auth(data / "auth.yaml")),
        **(env or {}),
    }
    log = (data / log_name).open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            *flags,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError((data / log_name).read_text()) from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
        text = (data / log_name).read_text()
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / log_name).write_text(text)
        assert "Traceback" not in text, text[-3000:]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _serve(tmp_path_factory.mktemp("data"), "server.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1600, "height": 1300}, accept_downloads=True)  # type: ignore[attr-defined]
    yield context.new_page()
    context.close()


def _idle(page: object) -> None:
    page.wait_for_selector(IDLE, timeout=60_000)  # type: ignore[attr-defined]


def _shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    _idle(page)
    time.sleep(0.8)  # charts draw after the script is done
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))  # type: ignore[attr-defined]


def _login(page: object, user: str) -> None:
    page.get_by_label("Username", exact=True).wait_for()  # type: ignore[attr-defined]
    _idle(page)
    time.sleep(0.5)  # the cookie component reruns once after mounting: type after it
    _idle(page)
    page.get_by_label("Username", exact=True).fill(user)  # type: ignore[attr-defined]
    page.get_by_label("Password", exact=True).fill(USERS[user][1])  # type: ignore[attr-defined]
    page.get_by_role("button", name="Login").click()  # type: ignore[attr-defined]
    page.locator('[data-testid="stSidebarNav"]').wait_for(timeout=60_000)  # type: ignore[attr-defined]
    _idle(page)


def _open(page: object, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()  # type: ignore[attr-defined]
    page.get_by_role("heading", name=title, exact=True).wait_for(timeout=60_000)  # type: ignore[attr-defined]
    _idle(page)


def _nav_titles(page: object) -> list[str]:
    links = page.locator('[data-testid="stSidebarNav"] a')  # type: ignore[attr-defined]
    return [t.strip().splitlines()[-1] for t in links.all_inner_texts()]  # after the icon's ligature text


def test_a_first_request_to_a_page_on_a_fresh_server_shows_only_the_login_form(server: str, page: object) -> None:
    """Runs first, while no session has called st.navigation yet (legacy pages/ mode).

    The server stays in that mode until some run of app.py calls st.navigation, so the pages/ file names go first
    (each runs its pages/ file alone: it must render nothing), then the registered URL paths (the first of them
    still on the fresh server; the others then resolve through app.py's list, as every later request does).
    test_no_url_path_is_the_name_of_a_pages_file makes sure that no registered path names a pages/ file.
    """
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    for stem in sorted(p.stem for p in (ROOT / "pages").glob("*.py") if p.stem != "__init__"):
        page.goto(f"{server}/{stem}")  # type: ignore[attr-defined]
        page.locator('[data-testid="stSidebar"], [data-testid="stMain"] h1').first.wait_for(timeout=60_000)  # type: ignore[attr-defined]
        _idle(page)
        text = main.inner_text().strip()  # nothing of the page itself: blank, or the login form
        assert text == "" or page.get_by_label("Password", exact=True).count() == 1, (stem, text)  # type: ignore[attr-defined]
        _nothing_but_the_login_form(page, stem, login=None)
    _shot(page, "00_first_request_to_a_pages_file")
    for spec in nav.PAGES:
        page.goto(f"{server}/{spec.url}")  # type: ignore[attr-defined]
        page.get_by_label("Username", exact=True).wait_for(timeout=60_000)  # type: ignore[attr-defined]
        _idle(page)
        if spec is nav.PAGES[0]:
            _shot(page, "00_first_request_to_a_page")
        _nothing_but_the_login_form(page, spec.url, login=True)


def _nothing_but_the_login_form(page: object, where: str, login: bool | None) -> None:
    """No page content or data on screen; the login form when `login` (None: either way)."""
    for test_id in ("stMetric", "stDataFrame", "stFileUploader", "stVegaLiteChart", "stDownloadButton", "stTable"):
        assert page.locator(f'[data-testid="{test_id}"]').count() == 0, (where, test_id)  # type: ignore[attr-defined]
    if login:
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0, where  # type: ignore[attr-defined]
        assert page.get_by_label("Password", exact=True).count() == 1, where  # type: ignore[attr-defined]


def test_an_advisor_uploads_the_exports_and_takes_the_plan_and_the_pack_away(server: str, page: object) -> None:
    r = expected()
    page.goto(server)  # type: ignore[attr-defined]
    _shot(page, "01_login")
    _login(page, "ada")
    _open(page, "Engagement")
    page.get_by_role("button", name="Clear all files").click()  # type: ignore[attr-defined]
    page.get_by_text("No files yet").wait_for()  # type: ignore[attr-defined]
    upload = page.locator('[data-testid="stFileUploaderDropzoneInput"]')  # type: ignore[attr-defined]
    upload.set_input_files([str(p) for p in sample_files()])
    page.get_by_text(f"{len(sample_files()) - 1} files ·").wait_for(timeout=60_000)  # type: ignore[attr-defined]
    _idle(page)
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0  # type: ignore[attr-defined]
    _shot(page, "02_engagement")

    _open(page, "Findings")
    n = len(r.findings)
    page.get_by_text(f"{n:,} of {n:,} findings").wait_for()  # type: ignore[attr-defined]
    _shot(page, "04_findings")
    for i, title in ((3, "Overview"), (5, "Virtual Accounts"), (7, "Baseline"), (8, "Renewal & leverage")):
        _open(page, title)
        _shot(page, f"{i:02d}_{title.split()[0].lower()}")

    _open(page, "Remediation plan")
    _shot(page, "06_plan")
    with page.expect_download() as got:  # type: ignore[attr-defined]
        page.get_by_role("button", name="Download plan (CSV)").click()  # type: ignore[attr-defined]
    plan = pd.read_csv(got.value.path())
    assert list(plan.columns) == PLAN_COLUMNS and len(plan) == len(r.plan)
    assert plan["step"].is_monotonic_increasing
    with page.expect_download() as got:  # type: ignore[attr-defined]
        page.get_by_role("button", name="Download workshop pack (XLSX)").click()  # type: ignore[attr-defined]
    book = openpyxl.load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))
    assert book.sheetnames == list(SHEETS)
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref, ws.title
        assert ws["A1"].font.bold and ws["A1"].fill.fgColor.rgb.endswith("1F3A5F"), ws.title
        assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row), ws.title
    assert book["Findings"].max_row == n + 1 and book["Plan"].max_row == len(r.plan) + 1

    page.reload()  # type: ignore[attr-defined]
    page.locator('[data-testid="stSidebarNav"]').wait_for(timeout=60_000)  # type: ignore[attr-defined]
    _idle(page)
    assert page.get_by_label("Password", exact=True).count() == 0  # type: ignore[attr-defined]
    page.get_by_role("button", name="Log out").click()  # type: ignore[attr-defined]
    # While the run that logs out is drawing, the old page's form can still be in the DOM beside the new one.
    page.get_by_label("Password", exact=True).first.wait_for()  # type: ignore[attr-defined]
    _idle(page)
    assert page.get_by_label("Password", exact=True).count() == 1  # type: ignore[attr-defined]
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # type: ignore[attr-defined]


def test_a_viewer_sees_only_the_viewer_pages(server: str, page: object) -> None:
    page.goto(server)  # type: ignore[attr-defined]
    _login(page, "vic")
    assert _nav_titles(page) == [p.title for p in nav.pages_for(nav.VIEWER)]
    for title in ("Overview", "Baseline", "Renewal & leverage"):
        _open(page, title)
        _shot(page, f"10_viewer_{title.split()[0].lower()}")
    page.goto(f"{server}/{nav.BY_KEY['engagement'].url}")  # type: ignore[attr-defined]
    page.get_by_role("heading", name="Overview", exact=True).wait_for(timeout=60_000)  # type: ignore[attr-defined]
    _idle(page)
    assert page.locator('[data-testid="stFileUploader"]').count() == 0  # type: ignore[attr-defined]


def test_an_advisor_locks_the_baseline_compares_two_locks_and_takes_a_snapshot_away(server: str, page: object) -> None:
    page.goto(server)  # type: ignore[attr-defined]
    _login(page, "ada")  # a member of no engagement yet: the sample estate, and an engagement made from it
    _open(page, "Engagement")
    page.get_by_role("button", name="Create engagement").click()  # type: ignore[attr-defined]
    page.get_by_text("Engagement: Northwind Holdings (sample) (you are its advisor)").wait_for(timeout=60_000)  # type: ignore[attr-defined]
    _idle(page)

    def lock(note: str, n: int) -> None:
        _open(page, "Baseline")
        page.get_by_label("Note", exact=True).fill(note)  # type: ignore[attr-defined]
        page.get_by_role("button", name="Lock this baseline").click()  # type: ignore[attr-defined]
        page.get_by_text(f"Locked snapshot #{n}").wait_for(timeout=60_000)  # type: ignore[attr-defined]
        _idle(page)

    lock("Workshop baseline", 1)
    _shot(page, "20_baseline_locked")
    _open(page, "Engagement")  # a stricter staleness threshold: the second lock has a different baseline
    page.get_by_text("Client and renewal settings").click()  # type: ignore[attr-defined]
    page.get_by_role("spinbutton", name="Stale after (days): term / subscription").fill("45")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Apply settings").click()  # type: ignore[attr-defined]
    _idle(page)
    lock("Stale after 45 days", 2)

    page.get_by_role("tab", name="Locked snapshots (2)").click()  # type: ignore[attr-defined]
    page.get_by_text("Input files of snapshot #2").wait_for()  # type: ignore[attr-defined]
    _shot(page, "21_baseline_snapshots")
    with page.expect_download() as got:  # type: ignore[attr-defined]
        page.get_by_role("button", name="Download snapshot baseline (CSV)").click()  # type: ignore[attr-defined]
    assert got.value.suggested_filename == "northwind_holdings_sample_snapshot_2_baseline.csv"
    assert list(pd.read_csv(got.value.path()).columns) == BASELINE_COLUMNS

    page.get_by_role("tab", name="Compare").click()  # type: ignore[attr-defined]
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=60_000)  # type: ignore[attr-defined]
    page.get_by_text("Pools changed").wait_for()  # type: ignore[attr-defined]
    _shot(page, "22_baseline_compare")
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0  # type: ignore[attr-defined]


def test_a_server_started_with_unsafe_settings_refuses_to_serve(
    browser: object, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The settings as a deployment would give them: an environment variable and a command-line flag."""
    flags = ("--client.showErrorDetails", "full")
    env = {"STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION": "false"}
    with _serve(tmp_path_factory.mktemp("unsafe"), "server-unsafe.log", *flags, env=env) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto(url)
        refusal = page.get_by_text("The app will not serve: its configuration is not safe.")
        refusal.wait_for(timeout=60_000)
        _idle(page)
        text = page.locator('[data-testid="stAlert"]').inner_text()
        assert "server.enableXsrfProtection = true" in text and "client.showErrorDetails" in text
        assert page.get_by_label("Username", exact=True).count() == 0
        _shot(page, "20_unsafe_settings_refused")
        context.close()
