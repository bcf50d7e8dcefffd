"""Typed results shared by ingestion and the rules: problems, per-file reports, the parsed estate."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd


class Reason(StrEnum):
    """Why a row was rejected or a file refused. The value is the code written to rejects.csv."""

    MISSING_REQUIRED = "missing_required"  # a required field is empty on this row
    BAD_DATE = "bad_date"
    AMBIGUOUS_DATE = "ambiguous_date"  # the whole file cannot tell day/month order
    NOT_A_NUMBER = "not_a_number"  # text in a numeric column
    NOT_AN_INTEGER = "not_an_integer"  # 1.5 where a whole quantity is expected
    NEGATIVE = "negative"  # a quantity below zero
    MISSING_SCOPE = "missing_scope"  # no smart_account / virtual_account from the row, column or manifest
    FORMULA_NO_VALUE = "formula_no_value"  # an XLSX formula cell with no cached value
    BAD_LICENSE_LIST = "bad_license_list"
    # File-level problems (row 0):
    NOT_READABLE = "not_readable"  # not a valid CSV/XLSX, cannot decode, empty
    NO_HEADER = "no_header"
    UNDETECTED_KIND = "undetected_kind"
    UNKNOWN_KIND = "unknown_kind"
    MISSING_COLUMN = "missing_column"
    TOO_LARGE = "too_large"
    WARNING = "warning"  # a note on the file (ragged rows, a repeated column) listed with its problems


class Skip(StrEnum):
    """Why a row was skipped (not data): counted, never silently dropped."""

    BANNER = "banner"
    BLANK = "blank"
    TOTAL = "total"


@dataclass(frozen=True)
class Problem:
    """One problem: file, row (0 = the file as a whole), column, the offending value and a reason code."""

    file: str
    row: int
    column: str
    value: str
    reason: Reason
    detail: str = ""

    def line(self) -> str:
        where = self.file if self.row == 0 else f"{self.file} row {self.row}"
        col = f", column '{self.column}'" if self.column else ""
        val = f" (value '{self.value}')" if self.value else ""
        text = self.detail or self.reason.value.replace("_", " ")
        return f"{where}{col}: {text}{val}"


class InputError(Exception):
    """Unusable input. Carries every problem found, so the caller can print one line per problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.line() for p in problems))


@dataclass(frozen=True)
class FileReport:
    """Row accounting and mapping of one input file: rows_read = used + rejected + skipped."""

    file: str
    kind: str | None
    confidence: float
    candidates: tuple[tuple[str, float], ...]
    mapped: dict[str, str]  # canonical field -> original header
    unmapped: tuple[str, ...]
    rows_read: int
    used: int
    rejected: int
    skipped: int
    warnings: tuple[str, ...]
    sheet: str | None = None
    sha256: str = ""

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.used + self.rejected + self.skipped


@dataclass(frozen=True)
class ParsedFile:
    """One file after detection and normalisation.

    `frame` has the kind's canonical columns (schema.KINDS) plus source_file, source_row and the derived
    columns. `usage` holds usage rows derived from an instances file's licence-list column (else None).
    """

    report: FileReport
    frame: pd.DataFrame
    rejects: pd.DataFrame  # REJECT_COLUMNS, one row per rejected input row and column
    usage: pd.DataFrame | None = None

    def problems(self, limit: int | None = None) -> list[Problem]:
        """Everything to tell the user about this file in one list: its warnings, then every rejected cell."""
        notes = [Problem(self.report.file, 0, "", "", Reason.WARNING, w) for w in self.report.warnings]
        return notes + reject_problems(self.rejects, limit)


REJECT_COLUMNS = ["file", "row", "column", "value", "reason"]


def empty_rejects() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else "object") for c in REJECT_COLUMNS})


def reject_problems(rejects: pd.DataFrame, limit: int | None = None) -> list[Problem]:
    """Rejects (REJECT_COLUMNS) as Problems, at most `limit` of them and then one line counting the rest."""
    shown = rejects if limit is None else rejects.head(limit)
    out = [
        Problem(str(f), int(r), str(c), str(v), _reason(str(code)))
        for f, r, c, v, code in zip(
            shown["file"], shown["row"], shown["column"], shown["value"], shown["reason"], strict=True
        )
    ]
    if len(rejects) > len(shown):
        more = f"… and {len(rejects) - len(shown):,} more problems in other rows"
        out.append(Problem(str(rejects["file"].iloc[0]), 0, "", "", Reason.WARNING, more))
    return out


def _reason(code: str) -> Reason:
    key = code.split(":", 1)[0]
    return Reason(key) if key in Reason._value2member_map_ else Reason.WARNING


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """rejects.csv shape: file, row, column, value, reason (the reason code, then the detail when given)."""
    if not problems:
        return empty_rejects()
    return pd.DataFrame(
        {
            "file": [p.file for p in problems],
            "row": [p.row for p in problems],
            "column": [p.column for p in problems],
            "value": [p.value for p in problems],
            "reason": [p.reason.value + (f": {p.detail}" if p.detail else "") for p in problems],
        },
        columns=REJECT_COLUMNS,
    )


@dataclass(frozen=True)
class Estate:
    """Every parsed input, combined per kind (an absent kind is an empty frame with its columns)."""

    frames: dict[str, pd.DataFrame]
    reports: tuple[FileReport, ...]
    rejects: pd.DataFrame = field(default_factory=empty_rejects)

    def has(self, kind: str) -> bool:
        return kind in self.frames and not self.frames[kind].empty
