"""XLSX uploads: zip-bomb guard, size budgets, sheet choice, cell values as text, formulas without a value.

Before any XML is parsed, `_guard` checks the zip's declared sizes and `_scan` inflates every part once, in
chunks, to refuse DTDs (entity bombs, external entities) and count rows, cells and shared strings against
budgets, so an over-budget workbook is refused with advice to save it as CSV instead of taking minutes and
gigabytes. Reading then goes through the light reader (core.xlsxparts, core.xlsxcells: expat and one regular
expression, no openpyxl), which gives exactly what openpyxl gives for the plain workbooks exports are; any
workbook it does not know how to read (rich text cells, unusual markup, a broken part) is read by openpyxl in
read-only, values-only mode instead, and openpyxl must be using defusedxml.
"""

from __future__ import annotations

import io
import os
import re
import sys
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any

from defusedxml.ElementTree import iterparse

from core import detect, sheetrows, xlsxcells, xlsxparts
from core.model import InputError, Problem, Reason
from core.xlsxvalues import Unsupported, cell_text

MAX_UNCOMPRESSED = 500 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, checked once the workbook inflates past RATIO_FLOOR
RATIO_FLOOR = 10 * 1024 * 1024
MAX_ENTRIES = 10_000
MAX_ROWS = 100_000  # rows over all worksheets (formatted empty rows count too)
MAX_CELLS = 2_000_000  # cells over all worksheets; shared strings are held to the same budget
HEAD_ROWS = 30
NOT_VALID = "not a valid CSV or XLSX file"
AS_CSV = "save the sheet as CSV (UTF-8) and upload that instead: CSV has no such limit"

# the possessive `?+` counts what `?` would (a prefix is followed by ":", a tag name by [\s>/]), without retrying
_TAGS = re.compile(rb"<(?:\w{1,16}+:)?+(row|c|f|si)[\s>/]")
_TAIL = 64  # bytes carried between chunks so a tag split across two chunks is still seen
_DTD = (b"<!DOCTYPE", b"<!ENTITY")
_MEDIA = ("xl/media/", "xl/embeddings/")  # pictures and embedded objects: never parsed as XML, not scanned
_REF = re.compile(r"([A-Z]+)(\d+)")


@dataclass
class Sheet:
    """One sheet as text rows (row 1 first; trailing empty rows, a sheet's formatting, dropped) and its header."""

    name: str
    rows: list[list[str]]
    header: int  # index into rows
    formulas: list[tuple[int, int]] = field(default_factory=list)  # (Excel row, column index), no cached value
    warnings: list[str] = field(default_factory=list)


def refuse(file: str, reason: Reason, detail: str) -> InputError:
    return InputError([Problem(file, 0, "", "", reason, detail)])


def xml_defused() -> bool:
    """True when openpyxl parses workbook XML with defusedxml (entity expansion and external entities refused)."""
    import openpyxl.xml
    from openpyxl.reader import strings
    from openpyxl.worksheet import _reader

    parsers = (strings.iterparse, _reader.iterparse)
    return bool(openpyxl.xml.DEFUSEDXML) and all(p.__module__.startswith("defusedxml") for p in parsers)


def assert_xml_defused() -> None:
    """For start-up: fail loudly when openpyxl would parse untrusted workbooks without defusedxml."""
    if not xml_defused():
        raise RuntimeError("openpyxl is not using defusedxml: install defusedxml and unset OPENPYXL_DEFUSEDXML")


def is_xlsx(content: bytes) -> bool:
    """A zip archive (content sniffed, never the extension)."""
    return content[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def _guard(file: str, content: bytes) -> zipfile.ZipFile:
    """Open the zip and refuse bombs by declared sizes before any XML is inflated."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise refuse(file, Reason.NOT_READABLE, f"{NOT_VALID} (a damaged or truncated zip: {exc})") from exc
    if "[Content_Types].xml" not in zf.namelist():
        raise refuse(file, Reason.NOT_READABLE, f"{NOT_VALID} (a zip archive that is not an Excel workbook)")
    if len(infos) > MAX_ENTRIES:
        raise refuse(file, Reason.TOO_LARGE, f"the workbook holds {len(infos):,} parts (limit {MAX_ENTRIES:,})")
    size = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if size > MAX_UNCOMPRESSED:
        raise refuse(file, Reason.TOO_LARGE, f"the workbook inflates to {size / 2**20:,.0f} MB (limit 500 MB)")
    if size > RATIO_FLOOR and size / packed > MAX_RATIO:
        raise refuse(file, Reason.TOO_LARGE, f"the workbook compresses {size / packed:,.0f}:1, like a zip bomb")
    return zf


@dataclass
class _Scan:
    rows: int = 0
    cells: int = 0
    shared_strings: int = 0
    formulas: set[str] = field(default_factory=set)  # parts holding at least one formula


def _scan(file: str, zf: zipfile.ZipFile) -> _Scan:
    """Inflate every XML part once, in chunks: refuse DTDs and over-budget workbooks before any XML is parsed."""
    scan = _Scan()
    try:
        for info in zf.infolist():
            if info.is_dir() or info.filename.lower().startswith(_MEDIA):
                continue
            with zf.open(info) as fh:
                _scan_part(file, info.filename, fh, scan)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise refuse(file, Reason.NOT_READABLE, f"{NOT_VALID} (a damaged workbook part: {exc})") from exc
    return scan


def _scan_part(file: str, name: str, fh: IO[bytes], scan: _Scan) -> None:
    tail = b""
    while chunk := fh.read(1 << 20):
        data = tail + chunk
        if any(marker in data for marker in _DTD):
            raise refuse(
                file,
                Reason.NOT_READABLE,
                f"{NOT_VALID} (its part {name} declares a DTD or XML entities, which Excel never writes: "
                "refused as an XML entity bomb or external-entity attack)",
            )
        # a tag wholly inside the carried tail was counted with the previous chunk; from the first one past it
        # on, findall carries on exactly where finditer would
        first = next((m for m in _TAGS.finditer(data) if m.end() > len(tail)), None)
        if first is not None:
            tags = Counter(_TAGS.findall(data, first.end()))
            tags[first.group(1)] += 1
            scan.cells += tags[b"c"]
            scan.rows += tags[b"row"]
            scan.shared_strings += tags[b"si"]
            if tags[b"f"]:
                scan.formulas.add(name)
        _over_budget(file, scan)
        tail = data[-_TAIL:]


def _over_budget(file: str, scan: _Scan) -> None:
    if scan.rows > MAX_ROWS:
        raise refuse(file, Reason.TOO_LARGE, f"the workbook holds over {MAX_ROWS:,} rows (XLSX limit); {AS_CSV}")
    if scan.cells > MAX_CELLS:
        raise refuse(file, Reason.TOO_LARGE, f"the workbook holds over {MAX_CELLS:,} cells (XLSX limit); {AS_CSV}")
    if scan.shared_strings > MAX_CELLS:
        raise refuse(file, Reason.TOO_LARGE, f"the workbook holds over {MAX_CELLS:,} distinct texts; {AS_CSV}")


def _unsafe_xml(exc: BaseException) -> bool:
    """True when defusedxml refused the XML somewhere in the exception's chain."""
    from defusedxml import DefusedXmlException

    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        if isinstance(node, DefusedXmlException):
            return True
        seen.add(id(node))
        node = node.__cause__ or node.__context__
    return False


def _broken(file: str, where: str, exc: Exception) -> InputError:
    if _unsafe_xml(exc):
        detail = f"{where}XML with entity declarations, refused as unsafe"
    else:
        detail = f"{where}{exc}".replace("\n", " ")
    return refuse(file, Reason.NOT_READABLE, f"{NOT_VALID} ({detail})")


def _uncached_formulas(zf: zipfile.ZipFile, path: str) -> list[tuple[int, int]]:
    """(row, column index) of formula cells whose cached value is missing (a `str` result may be empty)."""
    found: list[tuple[int, int]] = []
    row = col = 0
    sheet_data = None
    with zf.open(path) as fh:
        for event, el in iterparse(fh, events=("start", "end")):
            tag = el.tag.rsplit("}", 1)[-1]
            if event == "start":
                if tag == "sheetData":
                    sheet_data = el
                elif tag == "row":
                    row, col = int(el.get("r") or row + 1), -1
                elif tag == "c":
                    ref = _REF.match(el.get("r") or "")
                    col = _column_index(ref.group(1)) if ref else col + 1
                continue
            if tag == "c":
                children = {child.tag.rsplit("}", 1)[-1]: child for child in el}
                value = children.get("v")
                if "f" in children and not (value is not None and value.text) and el.get("t") != "str":
                    found.append((row, col))
            elif tag == "row" and sheet_data is not None:
                sheet_data.clear()
    return found


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _openpyxl_defuses() -> bool:
    """`xml_defused()`, without importing openpyxl before it is needed: what openpyxl.xml will decide on import
    (defusedxml is importable, this module imports it) unless the switch that turns defusedxml off is set."""
    if "openpyxl.xml" in sys.modules:
        return xml_defused()
    return os.environ.get("OPENPYXL_DEFUSEDXML", "True") == "True"


def _load(file: str, content: bytes) -> Any:
    import openpyxl

    if not xml_defused():
        raise refuse(file, Reason.NOT_READABLE, "XLSX reading is disabled: install defusedxml, then retry")
    try:
        return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # untrusted bytes: openpyxl raises many types for a broken workbook
        raise _broken(file, "the workbook cannot be opened: ", exc) from exc


def _text_rows(ws: Any) -> Iterator[list[str]]:
    ws.reset_dimensions()  # declared dimensions are often wrong; read what is there
    return ([cell_text(v) for v in row] for row in sheetrows.values_by_row(ws))


@dataclass
class _Tab:
    """A sheet as the choice below sees it, whichever reader reads it."""

    title: str
    state: str | None
    rows: Callable[[], Iterator[list[str]]]
    formulas: Callable[[], list[tuple[int, int]]]


def read_sheet(file: str, content: bytes, sheet: str | None, hint: tuple[str, ...] = ()) -> Sheet:
    """The named sheet, else the first visible sheet with a recognisable header."""
    zf = _guard(file, content)
    try:
        scan = _scan(file, zf)
        if not _openpyxl_defuses():  # the light reader may hand any workbook to openpyxl
            raise refuse(file, Reason.NOT_READABLE, "XLSX reading is disabled: install defusedxml, then retry")
        try:
            return _read_light(file, zf, sheet, hint)
        except Unsupported:
            pass
        return _read_openpyxl(file, content, zf, scan, sheet, hint)
    finally:
        zf.close()


def _read_light(file: str, zf: zipfile.ZipFile, sheet: str | None, hint: tuple[str, ...]) -> Sheet:
    """read_sheet without openpyxl; Unsupported for a workbook it leaves to openpyxl."""
    try:
        book = xlsxparts.read_book(zf)
    except Exception as exc:  # a missing or broken part: openpyxl says what is wrong
        raise Unsupported(str(exc)) from exc

    def tab(name: str, state: str | None, path: str) -> _Tab:
        found: list[list[tuple[int, int]]] = []

        def rows() -> Iterator[list[str]]:
            try:
                cells, formulas = xlsxcells.read_cells(zf, path, book)
            except Exception as exc:
                raise Unsupported(str(exc)) from exc
            found.append(formulas)
            return iter(cells)

        return _Tab(name, state, rows, lambda: found[-1])

    _exists(file, [name for name, _, _ in book.sheets], sheet)
    return _choose(file, [tab(*s) for s in book.sheets], sheet, hint)


def _read_openpyxl(
    file: str, content: bytes, zf: zipfile.ZipFile, scan: _Scan, sheet: str | None, hint: tuple[str, ...]
) -> Sheet:
    """read_sheet through openpyxl (read-only, values only) and the cell parser in core.sheetrows."""
    wb = _load(file, content)

    def tab(ws: Any) -> _Tab:
        path = (getattr(ws, "_worksheet_path", None) or "").lstrip("/")
        formulas = (lambda: _uncached_formulas(zf, path)) if path in scan.formulas else list
        return _Tab(ws.title, ws.sheet_state, lambda: _text_rows(ws), formulas)

    try:
        _exists(file, wb.sheetnames, sheet)
        return _choose(file, [tab(wb[sheet])] if sheet is not None else [tab(ws) for ws in wb.worksheets], sheet, hint)
    finally:
        wb.close()


def _exists(file: str, names: list[str], sheet: str | None) -> None:
    if sheet is not None and sheet not in names:
        listed = ", ".join(f"'{n}'" for n in names)
        raise refuse(file, Reason.NOT_READABLE, f"no sheet named '{sheet}' (sheets: {listed})")


def _choose(file: str, tabs: list[_Tab], sheet: str | None, hint: tuple[str, ...]) -> Sheet:
    """The first candidate with a recognisable header, its rows trimmed of trailing empty ones."""
    warnings: list[str] = []
    hidden: list[str] = []
    if sheet is not None:
        candidates = [t for t in tabs if t.title == sheet][:1]
    else:
        candidates = [t for t in tabs if t.state == "visible"]
        hidden = [t.title for t in tabs if t.state != "visible"]
        warnings += [f"hidden sheet '{name}' not read" for name in hidden]
    tried: list[str] = []
    for ws in candidates:
        try:
            it = ws.rows()
            rows = list(islice(it, HEAD_ROWS))
            header = detect.find_header(rows, hint)
            if header is None:
                tried.append(ws.title)
                continue
            rows.extend(it)
        except Unsupported:
            raise
        except Exception as exc:  # a truncated or corrupt part surfaces only while parsing
            raise _broken(file, f"sheet '{ws.title}': ", exc) from exc
        if tried:
            warnings.append(f"no recognisable header on sheet(s) {', '.join(tried)}; read '{ws.title}'")
        try:
            formulas = ws.formulas()
        except Exception as exc:  # malformed XML, or XML that defusedxml refuses
            raise _broken(file, f"sheet '{ws.title}': ", exc) from exc
        last = max((r for r, _ in formulas), default=0)  # a formula row without a value is not empty
        while len(rows) > max(last, header + 1) and not any(c.strip() for c in rows[-1]):
            rows.pop()
        return Sheet(ws.title, rows, header, formulas, warnings)
    names = ", ".join(f"'{n}'" for n in tried) or "none visible"
    unhide = ""
    if hidden:
        listed = ", ".join(f"'{n}'" for n in hidden)
        unhide = f"; hidden sheet(s) {listed} not read: unhide the sheet in Excel or choose it by name"
    raise refuse(
        file,
        Reason.NO_HEADER,
        f"no recognisable header row on any visible sheet ({names}){unhide}; {detect.expected()}",
    )
