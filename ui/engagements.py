"""The open engagement: which of the signed-in user's engagements this session works on, and store calls.

The store (SQLite, core.store) keeps engagements, their members and saved settings, and the locked snapshots;
the session keeps the input files. Opening another engagement puts this session's estate aside and brings that
one's back, or starts it on the engagement's saved settings with no files (the bundled sample's files for an
engagement created from the sample). A user with no engagement works on the sample estate, bound to none.
Every store call goes through `call`, which turns a store failure into one clear message on the page.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from core.manifest import coerce_setting
from core.model import Problem
from core.settings import SETTING_NAMES, Settings
from core.snapshot_cli import db_path
from core.snapshots import settings_dict
from core.store import Engagement, Store, StoreError
from ui import auth, authfile, fmt, nav, state

T = TypeVar("T")
SAMPLE_MARK = "sample_estate"  # in an engagement's saved settings: its files are the bundled sample's
_OPEN = "sah_engagement"  # the open Engagement as read from the store this run, or None
_LOADED = "sah_engagement_loaded"  # id of the engagement the session's estate belongs to (None: bound to none)
_PARKED = "sah_engagement_parked"  # {id or None: estate} put aside in this session
_PICK = "sah_engagement_pick"  # the sidebar selectbox
_NEXT = "sah_engagement_next"  # an id to select on the next run (set after creating one)


def store() -> Store:
    """Opened per call: cheap, and it holds no per-user state."""
    return Store(db_path(None))


def call(fn: Callable[[Store], T], where: Any = st) -> T | None:
    """fn(store), or None after showing why the store refused or failed (never a traceback)."""
    try:
        return fn(store())
    except StoreError as err:
        text = str(err)
        where.error(fmt.md(text[:1].upper() + text[1:]) + ".", icon=":material/database:")
    except (sqlite3.Error, OSError) as exc:
        where.error(
            f"The engagement store {fmt.code(db_path(None))} cannot be used: {fmt.md(exc)}.",
            icon=":material/database:",
        )
    return None


def username() -> str:
    return str(st.session_state.get("username") or "")


def now() -> str:
    """The moment of a lock or a creation, in UTC: read here in the shell, never in core."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def current() -> Engagement | None:
    return st.session_state.get(_OPEN)


def can_change() -> bool:
    """Settings and uploads that are saved with the engagement: an advisor, and an advisor member of it."""
    e = current()
    return auth.can_edit() and (e is None or e.role == nav.ADVISOR)


def can_lock() -> bool:
    e = current()
    return auth.can_edit() and e is not None and e.role == nav.ADVISOR


def none_message() -> str:
    if auth.can_edit():
        return "You are not a member of any engagement yet: create one on the Engagement page."
    return "You are not a member of any engagement yet: ask an advisor to add you to one."


def sidebar() -> Engagement | None:
    """The engagement picker (only the user's own engagements); the estate follows the engagement picked."""
    mine = call(lambda s: s.engagements(username()), st.sidebar) or []
    by_id = {e.id: e for e in mine}
    chosen = st.session_state.pop(_NEXT, None)
    if chosen in by_id:
        st.session_state[_PICK] = chosen
    if st.session_state.get(_PICK) not in by_id:
        st.session_state.pop(_PICK, None)
    if by_id:
        eid = st.sidebar.selectbox(
            "Engagement",
            list(by_id),
            key=_PICK,
            format_func=lambda i: by_id[i].name,
            help="Only the engagements you are a member of.",
        )
    else:
        eid = None
        st.sidebar.info(none_message(), icon=":material/info:")
    _open(by_id.get(eid) if eid is not None else None)
    return current()


def _open(e: Engagement | None) -> None:
    st.session_state[_OPEN] = e
    eid = e.id if e else None
    loaded = st.session_state.get(_LOADED)
    if eid == loaded:
        return
    parked = dict(st.session_state.get(_PARKED, {}))
    parked[loaded] = state.take_estate()
    if eid in parked:
        state.put_estate(parked.pop(eid))
    elif e is not None:
        if e.settings.get(SAMPLE_MARK) and state.sample_available():
            state.load_sample()
        else:
            state.start_empty()
        state.set_settings(settings_of(e))
    st.session_state[_PARKED] = parked
    st.session_state[_LOADED] = eid


def settings_of(e: Engagement) -> Settings:
    """The engagement's saved settings (a value that no longer checks falls back to its default)."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key in SETTING_NAMES:
        value = e.settings.get(key)
        if value is not None and value != "":
            checked = coerce_setting(key, value, e.name, problems)
            if checked is not None:
                values[key] = checked
    values.setdefault("client", e.client)
    values.setdefault("as_of", state.today())
    return Settings(**values)


def _saved(s: Settings, sample: bool) -> dict[str, Any]:
    return settings_dict(s) | ({SAMPLE_MARK: True} if sample else {})


def save_settings(new: Settings) -> None:
    """Apply settings to this session and, for an advisor of the open engagement, save them with it."""
    state.set_settings(new)
    e = current()
    if e is not None and can_change():
        call(lambda s: s.update_settings(e.id, _saved(new, bool(e.settings.get(SAMPLE_MARK))), username()))


def create(name: str) -> int | None:
    """A new engagement with this advisor as its advisor member; None (and a message) when refused.

    The first one takes what the session holds (the sample estate or the files uploaded so far); a further
    one starts empty, named as its client.
    """
    if current() is None:
        s, sample = state.settings(), state.source() == "sample"
    else:
        s, sample = Settings(as_of=state.today(), client=name), False
    eid = call(lambda db: db.create_engagement(name, s.client, _saved(s, sample), username(), now()))
    if eid is not None:
        if current() is None:
            st.session_state[_LOADED] = eid  # the estate in the session is this engagement's now
        st.session_state[_NEXT] = eid
    return eid


def known_users() -> list[str]:
    """Usernames of the auth file: the people an advisor can add to an engagement."""
    return sorted(authfile.read_config(authfile.auth_path())["credentials"]["usernames"])


def members(e: Engagement) -> dict[str, str] | None:
    """username → role in the engagement."""
    return call(lambda s: dict(s.members(e.id, username())))


def add_member(e: Engagement, user: str, role: str) -> bool:
    return bool(call(lambda s: s.add_member(e.id, user, role, username()) or True))
