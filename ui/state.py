"""Per-user engagement state (st.session_state only) and the one place the app calls parse and reconcile.

A session holds its settings and its input files; the analysis (parsed files, problems, the reconcile result)
is recomputed when either changes and kept with the key it was computed for. Parsing is cached across
sessions on the file's bytes and everything that changes its parse; never user data in cache_resource.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import streamlit as st

from core.estate import combine
from core.ingest import FileInput, parse_file
from core.manifest import FileEntry, load_manifest, parse_manifest
from core.model import InputError, ParsedFile, Problem
from core.readers import read_table
from core.reconcile import ReconcileResult, reconcile
from core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_MANIFEST = ROOT / "sample_exports" / "engagement.toml"  # the demo estate a new session starts on

_SETTINGS, _FILES, _ANALYSIS, _SOURCE = "sah_settings", "sah_files", "sah_analysis", "sah_source"
_ENTRIES = "sah_manifest_entries"  # what an uploaded engagement.toml says per file base name
_LOG = logging.getLogger("sah")


@dataclass(frozen=True)
class Upload:
    """One input file as the user gave it, and what the user said about it (overrides of detection)."""

    name: str
    content: bytes
    sha256: str
    kind: str | None = None
    smart_account: str | None = None
    virtual_account: str | None = None
    sheet: str | None = None
    mapping: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, name: str, content: bytes, **given: object) -> Upload:
        return cls(name=name, content=content, sha256=hashlib.sha256(content).hexdigest(), **given)  # type: ignore[arg-type]

    def signature(self) -> tuple[object, ...]:
        return (self.name, self.sha256, self.kind, self.smart_account, self.virtual_account, self.sheet, self.mapping)

    def as_input(self) -> FileInput:
        return FileInput(
            name=self.name,
            content=self.content,
            kind=self.kind,
            smart_account=self.smart_account,
            virtual_account=self.virtual_account,
            sheet=self.sheet,
            mapping=dict(self.mapping) or None,
        )


@dataclass(frozen=True, eq=False)
class Analysis:
    key: str
    parsed: tuple[ParsedFile, ...] = ()
    problems: tuple[Problem, ...] = ()
    result: ReconcileResult | None = None
    failure: str | None = None  # a reconcile that failed on this estate, said in one line
    seconds: float = 0.0

    @property
    def by_file(self) -> dict[str, ParsedFile]:
        return {p.report.file: p for p in self.parsed}


def today() -> dt.date:
    return dt.date.today()


def settings() -> Settings:
    ensure_loaded()
    return st.session_state[_SETTINGS]


def set_settings(new: Settings) -> None:
    st.session_state[_SETTINGS] = new


def uploads() -> dict[str, Upload]:
    ensure_loaded()
    return st.session_state[_FILES]


def source() -> str:
    return st.session_state.get(_SOURCE, "")


def sample_available() -> bool:
    return SAMPLE_MANIFEST.is_file()


def ensure_loaded() -> None:
    """A new session starts on the bundled sample estate, so every page has something to show."""
    if _SETTINGS not in st.session_state:
        if sample_available():
            load_sample()
        else:
            start_empty()


def start_empty() -> None:
    st.session_state[_SETTINGS] = Settings(as_of=today())
    st.session_state[_FILES] = {}
    st.session_state[_SOURCE] = "empty"
    st.session_state.pop(_ANALYSIS, None)
    st.session_state.pop(_ENTRIES, None)


def _entry_fields(entry: FileEntry) -> dict[str, object]:
    return {
        "kind": entry.kind,
        "smart_account": entry.smart_account,
        "virtual_account": entry.virtual_account,
        "sheet": entry.sheet,
        "mapping": tuple(sorted((entry.mapping or {}).items())),
    }


def sample_engagement() -> tuple[Settings, dict[str, Upload]]:
    """The bundled sample's settings and files (names relative to its folder); InputError when broken."""
    manifest = load_manifest(SAMPLE_MANIFEST, today())
    base = SAMPLE_MANIFEST.parent.resolve()
    files = {}
    for f in manifest.files:
        name = str(f.path.relative_to(base)) if f.path.is_relative_to(base) else f.path.name
        files[name] = Upload.of(name, f.path.read_bytes(), **_entry_fields(f))
    return manifest.settings, files


def load_sample() -> list[str]:
    """Start this session on the sample estate; return problems, one line each."""
    try:
        st.session_state[_SETTINGS], st.session_state[_FILES] = sample_engagement()
    except InputError as err:
        start_empty()
        return [p.line() for p in err.problems]
    st.session_state[_SOURCE] = "sample"
    st.session_state.pop(_ANALYSIS, None)
    st.session_state.pop(_ENTRIES, None)
    return []


def add_files(files: list[tuple[str, bytes]]) -> list[str]:
    """Add uploaded files (a same-named file is replaced). An engagement.toml among them sets the settings and
    each named file's kind, Smart Account, VA, sheet and mapping. Uploading over the sample starts afresh.
    Returns problems, one line each."""
    if source() == "sample":
        start_empty()
    problems: list[str] = []
    entries: dict[str, FileEntry] = dict(st.session_state.get(_ENTRIES, {}))
    tomls = [(n, c) for n, c in files if n.lower().endswith(".toml")]
    exports = [(n, c) for n, c in files if not n.lower().endswith(".toml")]
    for name, content in tomls:
        try:
            manifest = parse_manifest(content.decode("utf-8-sig", errors="replace"), name, today())
        except InputError as err:
            problems.extend(p.line() for p in err.problems)
            continue
        set_settings(manifest.settings)
        entries.update({f.path.name: f for f in manifest.files})
    current = dict(uploads())
    current.update({name: Upload.of(name, content) for name, content in exports})
    # A new manifest speaks about every file; otherwise it only fills in the files just added.
    touched = set(current) if tomls else {n for n, _ in exports}
    for name in touched & set(entries):
        current[name] = replace(current[name], **_entry_fields(entries[name]))  # type: ignore[arg-type]
    st.session_state[_ENTRIES] = entries
    st.session_state[_FILES] = current
    st.session_state[_SOURCE] = "uploads"
    return problems


def update_file(name: str, **changes: object) -> None:
    current = dict(uploads())
    current[name] = replace(current[name], **changes)  # type: ignore[arg-type]
    st.session_state[_FILES] = current


def remove_files(names: list[str]) -> None:
    st.session_state[_FILES] = {k: v for k, v in uploads().items() if k not in names}


_ESTATE_KEYS = (_SETTINGS, _FILES, _ANALYSIS, _SOURCE, _ENTRIES, "sah_upload_problems")


def take_estate() -> dict[str, object]:
    """This session's estate (settings, files, analysis…) lifted out, to put aside while another engagement is open."""
    return {k: st.session_state.pop(k) for k in _ESTATE_KEYS if k in st.session_state}


def put_estate(estate: dict[str, object]) -> None:
    for k in _ESTATE_KEYS:
        st.session_state.pop(k, None)
    st.session_state.update(estate)


def clear_session() -> None:
    """Forget every piece of this user's data (on logout)."""
    for key in [k for k in st.session_state if str(k).startswith("sah_")]:
        del st.session_state[key]


def _parse_settings(s: Settings) -> tuple[object, ...]:
    extra = tuple(sorted((k, tuple(v)) for k, v in (s.lifecycle_extra or {}).items()))
    return (s.as_of, s.date_order, extra)


@st.cache_data(max_entries=32, ttl=6 * 3600, show_spinner=False)
def _parse(
    content: bytes,
    name: str,
    kind: str | None,
    smart_account: str | None,
    virtual_account: str | None,
    sheet: str | None,
    mapping: tuple[tuple[str, str], ...],
    parse_key: tuple[object, ...],
) -> ParsedFile | tuple[Problem, ...]:
    """Parse one file. Only the settings in parse_key reach the parser, so the cache key is complete."""
    as_of, date_order, extra = parse_key
    s = Settings(as_of=as_of, date_order=date_order, lifecycle_extra={k: v for k, v in extra})  # type: ignore[arg-type]
    item = Upload(name, content, "", kind, smart_account, virtual_account, sheet, mapping).as_input()
    try:
        return parse_file(item, s)
    except InputError as err:
        return tuple(err.problems)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def headers(content: bytes, name: str, sheet: str | None) -> tuple[str, ...]:
    """The header row of a file as read (for the column-mapping editor); empty when unreadable."""
    try:
        return tuple(read_table(name, content, sheet=sheet).headers)
    except InputError:
        return ()


def analysis_key(files: dict[str, Upload], s: Settings) -> str:
    text = repr((sorted(u.signature() for u in files.values()), s))
    return hashlib.sha256(text.encode()).hexdigest()


def analysis() -> Analysis:
    """The current analysis; recomputed (with a progress bar) when the files or the settings changed."""
    files, s = uploads(), settings()
    key = analysis_key(files, s)
    done = st.session_state.get(_ANALYSIS)
    if done is not None and done.key == key:
        return done
    slot = st.empty()
    bar = slot.progress(0.0, text="Reading the exports…")
    done = analyse(files, s, lambda share, text: bar.progress(share, text=text))
    slot.empty()
    st.session_state[_ANALYSIS] = done
    return done


def analyse(
    files: dict[str, Upload], s: Settings, progress: Callable[[float, str], object] = lambda *_: None
) -> Analysis:
    """Parse every file (cached) and reconcile what parsed; a file that cannot be used adds its problems."""
    started = time.perf_counter()
    parsed: list[ParsedFile] = []
    problems: list[Problem] = []
    steps = len(files) + 1
    for i, u in enumerate(files.values()):
        progress(i / steps, f"Reading {u.name} ({i + 1} of {len(files)})…")
        out = _parse(
            u.content, u.name, u.kind, u.smart_account, u.virtual_account, u.sheet, u.mapping, _parse_settings(s)
        )
        if isinstance(out, ParsedFile):
            parsed.append(out)
        else:
            problems.extend(out)
    result, failure = None, None
    if parsed:
        progress(len(files) / steps, "Reconciling the estate…")
        try:
            result = reconcile(combine(parsed), s)
        except InputError as err:
            problems.extend(err.problems)
        except Exception as exc:  # the shell boundary: a message in the page, the traceback in the terminal
            _LOG.exception("reconcile failed")
            failure = f"{type(exc).__name__}: {exc}"
    return Analysis(
        analysis_key(files, s), tuple(parsed), tuple(problems), result, failure, time.perf_counter() - started
    )


def file_problems(a: Analysis, name: str) -> list[Problem]:
    return [p for p in a.problems if p.file == name]
