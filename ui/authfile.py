"""The auth file: users with bcrypt hashes and roles, and the cookie key. Plain Python, no Streamlit import.

The file lives outside the tracked files: `$SAH_AUTH_FILE`, default `$SAH_DATA_DIR/auth.yaml` (`./data`).
It is the streamlit-authenticator config shape (cookie + credentials.usernames), read with `auto_hash`
off, so every password in it must already be a bcrypt hash.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bcrypt
import yaml

ROLES = ("advisor", "viewer")
FIRST_USER = "advisor"
COOKIE_NAME = "sah_auth"
COOKIE_EXPIRY_DAYS = 1.0  # the JWT stays valid after logout until it expires: keep it short
MIN_KEY_BYTES = 32
_BCRYPT = re.compile(r"^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$")
# Keys seen in tutorials and sample configs, and placeholder words nobody should ship.
_SAMPLE_WORDS = (
    "some_key",
    "some_signature_key",
    "signature_key",
    "random_signature_key",
    "changeme",
    "change_me",
    "change-me",
    "example",
    "sample",
    "secret_key",
    "your_key",
    "xxxxxxxx",
    "abcdefgh",
)
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")


class AuthFileError(Exception):
    """The auth file cannot be used; `problems` says why, one line each."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


def data_dir() -> Path:
    return Path(os.environ.get("SAH_DATA_DIR") or "data")


def auth_path() -> Path:
    return Path(os.environ.get("SAH_AUTH_FILE") or data_dir() / "auth.yaml")


def hash_password(password: str) -> str:
    if len(password.encode()) > 72:
        raise ValueError("a password may be at most 72 bytes (bcrypt's limit)")
    if len(password) < 8:
        raise ValueError("a password needs at least 8 characters")
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def new_password() -> str:
    return secrets.token_urlsafe(12)


def new_config(first_password_hash: str) -> dict[str, Any]:
    """A fresh config: a random cookie key and one advisor."""
    return {
        "cookie": {"name": COOKIE_NAME, "key": secrets.token_urlsafe(48), "expiry_days": COOKIE_EXPIRY_DAYS},
        "credentials": {"usernames": {FIRST_USER: user_entry(FIRST_USER, first_password_hash, "advisor")}},
    }


def user_entry(name: str, password_hash: str, role: str) -> dict[str, Any]:
    return {"name": name, "email": "", "password": password_hash, "roles": [role]}


def check_config(path: Path, config: Any) -> dict[str, Any]:
    """The config if usable; else AuthFileError listing every problem (short or sample key, plain passwords…)."""
    problems: list[str] = []
    if not isinstance(config, dict):
        raise AuthFileError(path, ["not a YAML mapping with 'cookie' and 'credentials'"])
    cookie = config.get("cookie")
    if not isinstance(cookie, dict):
        problems.append("missing the 'cookie' section (name, key, expiry_days)")
    else:
        key = str(cookie.get("key") or "")
        if len(key.encode()) < MIN_KEY_BYTES:
            problems.append(f"cookie key is shorter than {MIN_KEY_BYTES} bytes: use a long random key")
        elif any(word in key.lower() for word in _SAMPLE_WORDS) or len(set(key)) < 12:
            problems.append("cookie key looks like a sample or placeholder: use a long random key")
        if not str(cookie.get("name") or "").strip():
            problems.append("cookie name is empty")
        days = cookie.get("expiry_days")
        if not isinstance(days, int | float) or isinstance(days, bool) or not 0 < days <= 30:
            problems.append("cookie expiry_days must be a number of days between 0 and 30")
    users = (config.get("credentials") or {}).get("usernames") if isinstance(config.get("credentials"), dict) else None
    if not isinstance(users, dict) or not users:
        problems.append("no users under credentials.usernames")
        users = {}
    for name, entry in users.items():
        if not isinstance(entry, dict):
            problems.append(f"user '{name}': not a mapping")
            continue
        if not _USERNAME.match(str(name)):
            problems.append(f"user '{name}': usernames are lower-case letters, digits and . _ @ -")
        if not _BCRYPT.match(str(entry.get("password") or "")):
            problems.append(
                f"user '{name}': password is not a bcrypt hash (set it with `python -m ui.users reset {name}`)"
            )
        roles = entry.get("roles")
        if not isinstance(roles, list) or not set(roles) & set(ROLES) or not set(roles) <= set(ROLES):
            problems.append(f"user '{name}': roles must be [advisor] or [viewer]")
    if problems:
        raise AuthFileError(path, problems)
    return config


def read_config(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise AuthFileError(path, [f"not valid YAML: {exc}"]) from None
    return check_config(path, raw)


def write_config(path: Path, config: dict[str, Any], *, create: bool = False) -> None:
    """Write with owner-only permissions; `create` refuses to overwrite (two first starts cannot race)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    if create:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        return
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


@dataclass(frozen=True)
class FirstStart:
    path: Path
    username: str
    password: str


def ensure_auth_file(path: Path) -> FirstStart | None:
    """Create the auth file on a first start; return the one-time advisor password (None when it existed)."""
    if path.exists():
        return None
    password = new_password()
    try:
        write_config(path, new_config(hash_password(password)), create=True)
    except FileExistsError:
        return None
    return FirstStart(path, FIRST_USER, password)


def load() -> dict[str, Any]:
    """The checked config at auth_path(), created on a first start (its password printed once to stdout)."""
    path = auth_path()
    first = ensure_auth_file(path)
    if first is not None:
        print(
            f"Created {first.path} with a random cookie key.\n"
            f"First advisor login: {first.username} / {first.password}\n"
            "(shown once; add users and reset passwords with `python -m ui.users`)",
            flush=True,
        )
    return read_config(path)
