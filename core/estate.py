"""Many parsed files → one Estate: frames combined per kind, usage rows from licence lists, every report."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from core.derive import USAGE_COLUMNS
from core.ingest import FileInput, parse_file
from core.model import Estate, InputError, ParsedFile, Problem, empty_rejects
from core.runtime import release_free_memory
from core.schema import KINDS, FieldType
from core.settings import Settings

_DERIVED_DTYPES = {
    "reserved": "bool",
    "owner_column": "bool",
    "status_column": "bool",
    "departed": "boolean",
    "source_row": "int64",
}


def repeated_columns(kind: str) -> tuple[str, ...]:
    """The columns of a kind stored as categoricals: its declared repeated fields and the source file."""
    return (*KINDS[kind].repeated, "source_file")


def compact(frame: pd.DataFrame, kind: str | None) -> pd.DataFrame:
    """The frame with its repeated-text columns as categoricals (categories: the distinct texts, sorted).

    At a million rows a text column costs tens of MB; as a categorical it is a small code per row. Values,
    missing cells, comparisons and sorting are unchanged (sorted categories sort as the texts do).
    """
    if kind not in KINDS:
        return frame
    out = frame.copy(deep=False)
    for col in repeated_columns(kind):
        if col in out.columns and not isinstance(out[col].dtype, pd.CategoricalDtype):
            codes, texts = pd.factorize(out[col], sort=True)  # missing cells: code -1
            out[col] = pd.Categorical.from_codes(codes, categories=pd.Index(texts, dtype="str"))
    return out


def _same_categories(parts: list[pd.DataFrame], kind: str) -> list[pd.DataFrame]:
    """Parts whose categorical columns share one sorted category list, so concatenation keeps them categorical."""
    out = [compact(p, kind) for p in parts]
    for col in repeated_columns(kind):
        cats = [p[col].cat.categories for p in out if col in p and isinstance(p[col].dtype, pd.CategoricalDtype)]
        if len(cats) != len(out):
            continue
        union = sorted(set().union(*cats))
        for p in out:
            p[col] = p[col].cat.set_categories(pd.Index(union, dtype="str"))
    return out


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
    return compact(pd.DataFrame(cols), kind)


def parse_all(items: list[FileInput], settings: Settings) -> tuple[list[ParsedFile], list[Problem]]:
    """Parse every file; a file that cannot be used contributes its problems instead of a result."""
    parsed: list[ParsedFile] = []
    problems: list[Problem] = []
    for item in items:
        try:
            result = parse_file(item, settings)
        except InputError as err:
            problems.extend(err.problems)
            continue
        usage = None if result.usage is None else compact(result.usage, "usage")
        parsed.append(replace(result, frame=compact(result.frame, result.report.kind), usage=usage))
        del result
        release_free_memory()  # the file's temporaries are gone: give their pages back before the next file
    return parsed, problems


def combine(parsed: list[ParsedFile]) -> Estate:
    """Concatenate per kind; the instances' licence lists join the usage rows."""
    frames: dict[str, pd.DataFrame] = {}
    for kind in KINDS:
        parts = [p.frame for p in parsed if p.report.kind == kind and not p.frame.empty]
        if kind == "usage":
            parts += [p.usage[USAGE_COLUMNS] for p in parsed if p.usage is not None and not p.usage.empty]
        frames[kind] = pd.concat(_same_categories(parts, kind), ignore_index=True) if parts else empty_frame(kind)
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
