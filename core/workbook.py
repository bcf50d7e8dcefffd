"""XLSX uploads: zip-bomb guard, size budgets, sheet choice, cell values as text, formulas without a value.

Before openpyxl sees a workbook, `_guard` checks the zip's declared sizes and `_scan` inflates every part once,
in chunks, to refuse DTDs (entity bombs, external entities) and count rows, cells and shared strings against
budgets: openpyxl reads about 50,000 cells a second and keeps every shared string in memory, so an
over-budget workbook is refused with advice to save it as CSV instead of taking minutes and gigabytes.
Reading goes through openpyxl in read-only, values-only mode; openpyxl must be using defusedxml.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any

from defusedxml.ElementTree import iterparse

from core import detect, sheetrows
from core.model import InputError, Problem, Reason

MAX_UNCOMPRESSED = 500 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, checked once the workbook inflates past RATIO_FLOOR
RATIO_FLOOR = 10 * 1024 * 1024
MAX_ENTRIES = 10_000
MAX_ROWS = 100_000  # rows over all worksheets (formatted empty rows count too)
MAX_CELLS = 2_000_000  # cells over all worksheets; shared strings are held to the same budget
HEAD_ROWS = 30
NOT_VALID = "not a valid CSV or XLSX file"
AS_CSV = "save the sheet as CSV (UTF-8) and upload that instead: CSV has no such limit"

_TAGS = re.compile(rb"<(?:\w{1,16}:)?(row|c|f|si)[\s>/]")
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
    """Inflate every XML part once, in chunks: refuse DTDs and over-budget workbooks before openpyxl opens it."""
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
        for m in _TAGS.finditer(data):
            if m.end() > len(tail):  # a tag wholly inside the carried tail was counted with the previous chunk
                tag = m.group(1)
                if tag == b"c":
                    scan.cells += 1
                elif tag == b"row":
                    scan.rows += 1
                elif tag == b"si":
                    scan.shared_strings += 1
                else:
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


def cell_text(value: Any) -> str:
    """A cell value as the text a user sees: ISO dates, 12 not 12.0, TRUE/FALSE."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d" if value.time() == dt.time(0) else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


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


def read_sheet(file: str, content: bytes, sheet: str | None, hint: tuple[str, ...] = ()) -> Sheet:
    """The named sheet, else the first visible sheet with a recognisable header."""
    zf = _guard(file, content)
    try:
        scan = _scan(file, zf)
        wb = _load(file, content)
    except InputError:
        zf.close()
        raise
    warnings: list[str] = []
    hidden: list[str] = []
    try:
        if sheet is not None:
            if sheet not in wb.sheetnames:
                names = ", ".join(f"'{n}'" for n in wb.sheetnames)
                raise refuse(file, Reason.NOT_READABLE, f"no sheet named '{sheet}' (sheets: {names})")
            candidates = [wb[sheet]]
        else:
            candidates = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
            hidden = [ws.title for ws in wb.worksheets if ws not in candidates]
            warnings += [f"hidden sheet '{name}' not read" for name in hidden]
        tried: list[str] = []
        for ws in candidates:
            try:
                it = _text_rows(ws)
                rows = list(islice(it, HEAD_ROWS))
                header = detect.find_header(rows, hint)
                if header is None:
                    tried.append(ws.title)
                    continue
                rows.extend(it)
            except Exception as exc:  # a truncated or corrupt part surfaces only while parsing
                raise _broken(file, f"sheet '{ws.title}': ", exc) from exc
            if tried:
                warnings.append(f"no recognisable header on sheet(s) {', '.join(tried)}; read '{ws.title}'")
            path = (getattr(ws, "_worksheet_path", None) or "").lstrip("/")
            try:
                formulas = _uncached_formulas(zf, path) if path in scan.formulas else []
            except Exception as exc:  # malformed XML, or XML that defusedxml refuses
                raise _broken(file, f"sheet '{ws.title}': ", exc) from exc
            last = max((r for r, _ in formulas), default=0)  # a formula row without a value is not empty
            while len(rows) > max(last, header + 1) and not any(c.strip() for c in rows[-1]):
                rows.pop()
            return Sheet(ws.title, rows, header, formulas, warnings)
    finally:
        wb.close()
        zf.close()
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
