"""Many parsed files → one Estate: frames combined per kind, usage rows from licence lists, every report."""

from __future__ import annotations

import pandas as pd

from core.derive import USAGE_COLUMNS
from core.ingest import FileInput, parse_file
from core.model import Estate, InputError, ParsedFile, Problem, empty_rejects
from core.schema import KINDS, FieldType
from core.settings import Settings

_DERIVED_DTYPES = {
    "reserved": "bool",
    "owner_column": "bool",
    "status_column": "bool",
    "departed": "boolean",
    "source_row": "int64",
}


def empty_frame(kind: str) -> pd.DataFrame:
    """The canonical columns of a kind with no rows, typed as a parsed file's would be."""
    spec = KINDS[kind]
    cols: dict[str, pd.Series] = {}
    for f in spec.fields:
        dtype = {FieldType.DATE: "datetime64[us]", FieldType.INT: "Int64", FieldType.NUMBER: "float64"}.get(
            f.type, "object"
        )
        cols[f.name] = pd.Series(dtype=dtype)
    for name in ("source_file", "source_row", *spec.derived):
        cols[name] = pd.Series(dtype=_DERIVED_DTYPES.get(name, "object"))
    return pd.DataFrame(cols)


def parse_all(items: list[FileInput], settings: Settings) -> tuple[list[ParsedFile], list[Problem]]:
    """Parse every file; a file that cannot be used contributes its problems instead of a result."""
    parsed: list[ParsedFile] = []
    problems: list[Problem] = []
    for item in items:
        try:
            parsed.append(parse_file(item, settings))
        except InputError as err:
            problems.extend(err.problems)
    return parsed, problems


def combine(parsed: list[ParsedFile]) -> Estate:
    """Concatenate per kind; the instances' licence lists join the usage rows."""
    frames: dict[str, pd.DataFrame] = {}
    for kind in KINDS:
        parts = [p.frame for p in parsed if p.report.kind == kind and not p.frame.empty]
        if kind == "usage":
            parts += [p.usage[USAGE_COLUMNS] for p in parsed if p.usage is not None and not p.usage.empty]
        frames[kind] = pd.concat(parts, ignore_index=True) if parts else empty_frame(kind)
    rejects = [p.rejects for p in parsed if not p.rejects.empty]
    return Estate(
        frames=frames,
        reports=tuple(p.report for p in parsed),
        rejects=pd.concat(rejects, ignore_index=True) if rejects else empty_rejects(),
    )


def load_estate(items: list[FileInput], settings: Settings) -> Estate:
    """Parse and combine; raise InputError listing every file-level problem when any file is unusable."""
    parsed, problems = parse_all(items, settings)
    if problems:
        raise InputError(problems)
    return combine(parsed)
