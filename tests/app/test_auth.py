"""The auth file: first start, refusals at startup, and the user command."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import bcrypt
import pytest
import yaml

from tests.app.conftest import new_app
from tests.ui_support import ROOT
from ui import authfile, users


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SAH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SAH_AUTH_FILE", raising=False)
    return tmp_path / "data" / "auth.yaml"


def test_a_first_start_creates_the_auth_file_and_prints_the_advisor_password_once(
    fresh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = authfile.load()
    printed = capsys.readouterr().out
    line = next(x for x in printed.splitlines() if x.startswith("First advisor login: advisor / "))
    password = line.rsplit(" ", 1)[1]
    stored = config["credentials"]["usernames"]["advisor"]
    assert bcrypt.checkpw(password.encode(), stored["password"].encode())
    assert stored["roles"] == ["advisor"]
    assert len(config["cookie"]["key"].encode()) >= 32
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    authfile.load()
    assert "First advisor login" not in capsys.readouterr().out


def _config(**cookie: object) -> dict[str, object]:
    config = authfile.new_config(bcrypt.hashpw(b"irrelevant", bcrypt.gensalt(4)).decode())
    config["cookie"].update(cookie)
    return config


@pytest.mark.parametrize(
    ("config", "words"),
    [
        (_config(key="short"), "shorter than 32 bytes"),
        (_config(key="some_signature_key_that_is_long_enough_for_32_bytes"), "sample or placeholder"),
        (_config(key="a" * 40), "sample or placeholder"),
    ],
)
def test_startup_refuses_a_short_or_sample_cookie_key(config: dict[str, object], words: str) -> None:
    with pytest.raises(authfile.AuthFileError, match=words):
        authfile.check_config(Path("auth.yaml"), config)


def test_startup_refuses_a_password_that_is_not_a_bcrypt_hash() -> None:
    config = _config()
    config["credentials"]["usernames"]["advisor"]["password"] = "advisor123"  # type: ignore[index]
    with pytest.raises(authfile.AuthFileError, match="not a bcrypt hash"):
        authfile.check_config(Path("auth.yaml"), config)


def test_the_app_refuses_to_start_on_an_unsafe_auth_file_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "auth.yaml"
    bad.write_text(yaml.safe_dump(_config(key="some_key")), encoding="utf-8")
    monkeypatch.setenv("SAH_AUTH_FILE", str(bad))
    at = new_app().run()
    assert not at.exception
    assert not at.text_input  # no login form
    assert "cannot start" in at.error[0].value and "cookie key" in at.error[0].value


def test_the_user_command_adds_resets_and_changes_roles(
    fresh: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert users.main(["init"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long passphrase\n"))
    assert users.main(["add", "Pat", "--role", "viewer", "--password-stdin"]) == 0
    stored = authfile.read_config(fresh)["credentials"]["usernames"]["pat"]
    assert bcrypt.checkpw(b"a long passphrase", stored["password"].encode()) and stored["roles"] == ["viewer"]
    assert users.main(["role", "pat", "advisor"]) == 0
    assert users.main(["reset", "pat"]) == 0
    assert "pat: password " in capsys.readouterr().out
    assert users.main(["list"]) == 0
    assert capsys.readouterr().out.splitlines() == ["advisor\tadvisor", "pat\tadvisor"]
    assert users.main(["remove", "advisor"]) == 0
    assert users.main(["remove", "pat"]) == 2  # never the last advisor
    assert users.main(["add", "pat", "--role", "viewer"]) == 2  # exists


def test_the_user_command_does_not_import_streamlit() -> None:
    code = "import sys, ui.users; print('streamlit' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert out.stdout.strip() == "False"
