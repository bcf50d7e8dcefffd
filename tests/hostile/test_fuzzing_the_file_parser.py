"""Item 11: whatever bytes arrive, parse_file returns a result or the project's own InputError — nothing else.

Short, fixed runs in CI (about 15 s in all); FUZZ_EXAMPLES=5000 makes a long, random run (see SECURITY.md).
"""

from __future__ import annotations

import io
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.ingest import FileInput, parse_file
from core.model import InputError
from core.schema import KINDS
from tests.data.hostile import make_corpus
from tests.hostile.helpers import SETTINGS

LONG = int(os.environ.get("FUZZ_EXAMPLES", "0"))
RUN = settings(
    max_examples=LONG or 400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=not LONG,  # CI: the same examples every run; a long run explores
    database=None,
)

ALIASES = sorted({alias for kind in KINDS.values() for f in kind.fields for alias in f.aliases})
NASTY = ["", " ", "NA", "N/A", "null", "None", "nan", "-", "Never", "Total", "00123", "1E5", "-3", "(3)", "1,234",
         "1.5", "=1+2", "@SUM(A1)", "+1", "|x", "%0A", "\t", "03/04/2026", "31/12/2026", "12/31/2026", "2026-13-45",
         "1700000000", "DNA Advantage (1); Network Advantage", "DNA (abc)", "SN:FOC123", "UDI_PID:C9300; UDI_SN:A1;",
         "Retired", "Reserved", "SLR", "\x00", "\ufeff", '"', '""', "a\nb", "a\rb", "é", "\u202e", "😀"]  # fmt: skip
cells = st.one_of(st.sampled_from(NASTY), st.text(max_size=12), st.sampled_from(ALIASES))
headers = st.lists(st.one_of(st.sampled_from(ALIASES), st.sampled_from(NASTY)), min_size=1, max_size=8)
kinds = st.one_of(st.none(), st.sampled_from(sorted(KINDS)))
scopes = st.one_of(st.none(), st.just("SA"))
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"]


def check(name: str, content: bytes, kind: str | None = None, scope: str | None = "SA", date_order=None) -> None:
    item = FileInput(name, content, kind=kind, smart_account=scope, virtual_account=scope)
    s = SETTINGS if date_order is None else SETTINGS.with_overrides(date_order=date_order)
    try:
        parsed = parse_file(item, s)
    except InputError as err:
        assert err.problems, "an InputError names at least one problem"
        assert all(p.file == name for p in err.problems)
        return
    r = parsed.report
    assert r.rows_read == r.used + r.rejected + r.skipped, "every row is used, rejected or skipped"
    assert len(parsed.frame) >= 0 and set(parsed.rejects.columns) >= {"file", "row", "column", "value", "reason"}


def _table(header: list[str], rows: list[list[str]], delimiter: str, eol: str) -> str:
    def cell(c: str) -> str:
        return '"' + c.replace('"', '""') + '"' if any(ch in c for ch in f'{delimiter}"\r\n') else c

    return eol.join(delimiter.join(cell(c) for c in r) for r in [header, *rows]) + eol


@RUN
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_give_a_result_or_an_input_error(content: bytes) -> None:
    check("fuzz.csv", content)


@RUN
@given(st.binary(max_size=2048), st.sampled_from([b"PK\x03\x04", b"PK\x05\x06", b"\xef\xbb\xbf", b"\xff\xfe", b"%PDF"]))
def test_bytes_behind_a_zip_bom_or_pdf_signature_give_a_result_or_an_input_error(content: bytes, magic: bytes) -> None:
    check("fuzz.xlsx", magic + content)


@settings(RUN, max_examples=LONG or 1000)
@given(
    header=headers,
    rows=st.lists(st.lists(cells, max_size=10), max_size=12),
    banner=st.lists(st.lists(cells, max_size=3), max_size=2),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    eol=st.sampled_from(["\r\n", "\n", "\r"]),
    encoding=st.sampled_from(ENCODINGS),
    kind=kinds,
    scope=scopes,
    date_order=st.sampled_from([None, "DMY", "MDY"]),
    cut=st.one_of(st.none(), st.integers(0, 400)),
)
def test_table_shaped_text_gives_a_result_or_an_input_error(
    header, rows, banner, delimiter, eol, encoding, kind, scope, date_order, cut
) -> None:
    text = _table(header, rows, delimiter, eol)
    if banner:
        text = _table(banner[0], banner[1:], delimiter, eol) + text
    content = text.encode(encoding, errors="replace")
    if cut is not None:
        content = content[:cut]  # a truncated upload
    check("fuzz.csv", content, kind, scope, date_order)


@settings(RUN, max_examples=LONG // 5 or 400)
@given(
    header=headers,
    rows=st.lists(
        st.lists(st.one_of(cells, st.integers(-(10**6), 10**6), st.floats(allow_nan=False), st.none()), max_size=8),
        max_size=8,
    ),
    kind=kinds,
    hidden=st.booleans(),
    cut=st.one_of(st.none(), st.integers(0, 3000)),
)
def test_workbook_shaped_bytes_give_a_result_or_an_input_error(header, rows, kind, hidden, cut) -> None:
    sheets = {"Data": [header, *rows]}
    states = {"Data": "hidden"} if hidden else {}
    content = make_corpus.xlsx(sheets["Data"], states=states) if not hidden else _two_sheets(sheets["Data"], states)
    if cut is not None:
        content = content[:cut]
    check("fuzz.xlsx", content, kind)


def _two_sheets(rows: list, states: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    make_corpus.write_xlsx(buf, {"Data": rows, "Notes": [["read me"]]}, states=states)
    return buf.getvalue()
