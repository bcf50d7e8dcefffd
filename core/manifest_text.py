"""An engagement.toml given as text (an upload), not a path: settings and per-file entries keyed by base name.

Same checks as manifest.load_manifest, except that file paths are neither resolved nor required to exist:
an uploaded manifest only says what it knows about files that are uploaded beside it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from core.manifest import _ENGAGEMENT_KEYS, _FILE_KEYS, FileEntry, Manifest, coerce_setting
from core.model import InputError, Problem, Reason
from core.schema import KINDS
from core.settings import SETTING_NAMES, Settings


def manifest_from_text(text: str, where: str, today: dt.date) -> Manifest:
    """Read an engagement.toml's text; raise InputError listing every problem. Entry paths stay as written."""
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
    files = []
    for i, entry in enumerate(raw.get("file", []), start=1):
        label = f"[[file]] #{i}"
        if not isinstance(entry, dict) or "path" not in entry:
            problems.append(Problem(where, 0, label, "", Reason.MISSING_REQUIRED, f"{label} has no path"))
            continue
        if set(entry) - _FILE_KEYS:
            problems.append(
                Problem(
                    where, 0, label, "", Reason.UNKNOWN_KIND, f"{label}: unknown keys {sorted(set(entry) - _FILE_KEYS)}"
                )
            )
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
        files.append(
            FileEntry(
                path=Path(str(entry["path"])),
                kind=kind,
                smart_account=entry.get("smart_account"),
                virtual_account=entry.get("virtual_account"),
                sheet=entry.get("sheet"),
                mapping={str(k): str(v) for k, v in mapping.items()} if mapping else None,
            )
        )
    if problems:
        raise InputError(problems)
    return Manifest(settings=Settings(**values), files=tuple(files))
