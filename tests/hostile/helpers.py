"""Small builders shared by the hostile-input tests: bytes in, the project's own result or InputError out."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from core.ingest import FileInput, parse_file
from core.model import InputError, ParsedFile, Problem
from core.settings import Settings

AS_OF = dt.date(2026, 11, 1)
SETTINGS = Settings(as_of=AS_OF)


def csv_bytes(rows: list[list[str]], delimiter: str = ",") -> bytes:
    """Rows written the way Excel and the csv module quote them (a cell holding CR, LF, quotes or `,` quoted)."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def parse(name: str, content: bytes, settings: Settings = SETTINGS, **kw: object) -> ParsedFile:
    kw.setdefault("smart_account", "SA")
    kw.setdefault("virtual_account", "VA")
    return parse_file(FileInput(name, content, **kw), settings)  # type: ignore[arg-type]


def refusal(name: str, content: bytes, settings: Settings = SETTINGS, **kw: object) -> list[Problem]:
    """The problems of a file the parser refuses (failing the test when it does not)."""
    with pytest.raises(InputError) as info:
        parse(name, content, settings, **kw)
    return info.value.problems


def balanced(parsed: ParsedFile) -> bool:
    r = parsed.report
    return r.rows_read == r.used + r.rejected + r.skipped
