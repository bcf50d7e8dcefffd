"""Shared by the app and browser tests: a throwaway auth file with known users, and the sample estate's answer."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import bcrypt
import yaml

from core.estate import load_estate
from core.ingest import FileInput
from core.manifest import load_manifest
from core.reconcile import ReconcileResult, reconcile
from ui import authfile

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_exports" / "engagement.toml"
ARTIFACTS = ROOT / "test-artifacts"
# username: (role, password)
USERS = {
    "ada": ("advisor", "ada-advisor-pass"),
    "bo": ("advisor", "bo-advisor-pass"),
    "vic": ("viewer", "vic-viewer-pass"),
}


def write_auth(path: Path) -> Path:
    """An auth file like a real one, hashed at bcrypt's lowest cost so tests stay fast."""
    config = authfile.new_config(bcrypt.hashpw(b"unused-first-pass", bcrypt.gensalt(4)).decode())
    config["credentials"]["usernames"] = {
        name: authfile.user_entry(name, bcrypt.hashpw(pw.encode(), bcrypt.gensalt(4)).decode(), role)
        for name, (role, pw) in USERS.items()
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def sample_files() -> list[Path]:
    """The sample's export files and its engagement.toml, as a user would pick them in a file dialog."""
    manifest = load_manifest(SAMPLE, dt.date.today())
    return [f.path for f in manifest.files] + [SAMPLE]


@cache
def expected() -> ReconcileResult:
    """The sample estate reconciled straight through the core, as the CLI would."""
    manifest = load_manifest(SAMPLE, dt.date.today())
    items = [
        FileInput(f.path.name, f.path.read_bytes(), f.kind, f.smart_account, f.virtual_account, f.sheet, f.mapping)
        for f in manifest.files
    ]
    return reconcile(load_estate(items, manifest.settings), manifest.settings)
