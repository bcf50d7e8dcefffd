"""The engagement manifest (`engagement.toml`): client, renewal, settings and the list of input files."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.model import InputError, Problem, Reason
from core.schema import KINDS, LIFECYCLE
from core.settings import SETTING_NAMES, Settings

_ENGAGEMENT_KEYS = {"client", "as_of", "renewal_date", "renewal_value", "currency"}
_FILE_KEYS = {"path", "kind", "smart_account", "virtual_account", "sheet", "mapping"}
_INT_SETTINGS = {"stale_days", "perpetual_stale_days", "hygiene_lead_months", "lock_lead_months"}
_FLOAT_SETTINGS = {"renewal_value", "leverage_low_pct", "leverage_high_pct"}
_DATE_SETTINGS = {"as_of", "renewal_date"}


@dataclass(frozen=True)
class FileEntry:
    """One input file: its path and what the manifest says about it (kind, scope, sheet, column mapping)."""

    path: Path
    kind: str | None = None
    smart_account: str | None = None
    virtual_account: str | None = None
    sheet: str | None = None
    mapping: dict[str, str] | None = None  # canonical field -> header text, for headers not recognised


@dataclass(frozen=True)
class Manifest:
    settings: Settings
    files: tuple[FileEntry, ...]


def _as_date(value: Any, where: str, key: str, problems: list[Problem]) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.append(Problem(where, 0, key, str(value), Reason.BAD_DATE, f"'{key}' must be a date like 2026-11-01"))
    return None


def coerce_setting(key: str, value: Any, where: str, problems: list[Problem]) -> Any:
    """Type-check one setting value (manifest or CLI); append a problem and return None when wrong."""
    if key in _DATE_SETTINGS:
        return _as_date(value, where, key, problems)
    if key in _INT_SETTINGS | _FLOAT_SETTINGS:
        try:
            number = float(str(value).replace(",", "").replace("_", "")) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if number != number or number < 0 or isinstance(value, bool):
            problems.append(Problem(where, 0, key, str(value), Reason.NOT_A_NUMBER, f"'{key}' must be a number ≥ 0"))
            return None
        if key in _INT_SETTINGS:
            if number != int(number):
                problems.append(Problem(where, 0, key, str(value), Reason.NOT_AN_INTEGER, f"'{key}' must be whole"))
                return None
            return int(number)
        return number
    if key == "date_order":
        order = str(value).strip().upper()
        if order not in {"DMY", "MDY"}:
            problems.append(Problem(where, 0, key, str(value), Reason.BAD_DATE, "'date_order' must be DMY or MDY"))
            return None
        return order
    if key == "lifecycle_extra":
        if not isinstance(value, dict) or not set(value) <= set(LIFECYCLE):
            problems.append(
                Problem(
                    where,
                    0,
                    key,
                    str(value),
                    Reason.UNKNOWN_KIND,
                    f"'lifecycle_extra' keys must be among {', '.join(LIFECYCLE)}",
                )
            )
            return None
        return {k: tuple(str(w) for w in v) for k, v in value.items()}
    return str(value)


def load_manifest(path: Path, today: dt.date) -> Manifest:
    """Read and check an engagement.toml on disk: file paths resolve against its folder and must exist."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError([Problem(str(path), 0, "", "", Reason.NOT_READABLE, "manifest not found")]) from None
    except UnicodeDecodeError as exc:
        raise InputError([Problem(str(path), 0, "", "", Reason.NOT_READABLE, f"not UTF-8 text: {exc}")]) from None
    return parse_manifest(text, str(path), today, base=path.parent)


def parse_manifest(text: str, where: str, today: dt.date, base: Path | None = None) -> Manifest:
    """Check an engagement.toml's text; raise InputError listing every problem at once.

    With `base`, entry paths resolve against it and must exist; without (an uploaded manifest), they stay as
    written: the manifest only says what it knows about files uploaded beside it.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem(where, 0, "", "", Reason.NOT_READABLE, f"not valid TOML: {exc}")]) from None

    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for section, allowed in (("engagement", _ENGAGEMENT_KEYS), ("settings", set(SETTING_NAMES) - {"client"})):
        table = raw.get(section, {})
        if not isinstance(table, dict):
            problems.append(Problem(where, 0, section, "", Reason.NOT_READABLE, f"[{section}] must be a table"))
            continue
        for key, value in table.items():
            if key not in allowed:
                problems.append(Problem(where, 0, key, "", Reason.UNKNOWN_KIND, f"unknown {section} key '{key}'"))
                continue
            coerced = coerce_setting(key, value, where, problems)
            if coerced is not None:
                values[key] = coerced
    values.setdefault("as_of", today)
    files = [f for i, e in enumerate(raw.get("file", []), start=1) if (f := _entry(e, i, where, base, problems))]
    if problems:
        raise InputError(problems)
    return Manifest(settings=Settings(**values), files=tuple(files))


def _entry(entry: Any, i: int, where: str, base: Path | None, problems: list[Problem]) -> FileEntry | None:
    label = f"[[file]] #{i}"
    if not isinstance(entry, dict) or "path" not in entry:
        problems.append(Problem(where, 0, label, "", Reason.MISSING_REQUIRED, f"{label} has no path"))
        return None
    unknown = set(entry) - _FILE_KEYS
    if unknown:
        problems.append(Problem(where, 0, label, "", Reason.UNKNOWN_KIND, f"{label}: unknown keys {sorted(unknown)}"))
    path = Path(str(entry["path"]))
    if base is not None:
        path = (base / path).resolve()
        if not path.is_file():
            problems.append(Problem(where, 0, "path", str(entry["path"]), Reason.NOT_READABLE, "file not found"))
    kind = entry.get("kind")
    if kind is not None and kind not in KINDS:
        problems.append(
            Problem(
                where,
                0,
                "kind",
                str(kind),
                Reason.UNKNOWN_KIND,
                f"unknown kind for {entry['path']}; expected one of {', '.join(KINDS)}",
            )
        )
    mapping = entry.get("mapping")
    if mapping is not None and not isinstance(mapping, dict):
        problems.append(
            Problem(
                where,
                0,
                "mapping",
                str(mapping),
                Reason.NOT_READABLE,
                f'{label}: mapping must be a table of field = "header"',
            )
        )
        mapping = None
    return FileEntry(
        path=path,
        kind=kind,
        smart_account=entry.get("smart_account"),
        virtual_account=entry.get("virtual_account"),
        sheet=entry.get("sheet"),
        mapping={str(k): str(v) for k, v in mapping.items()} if mapping else None,
    )
