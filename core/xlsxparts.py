"""A workbook's package parts as openpyxl 3.1 reads them in read-only mode, without openpyxl.

`read_book` follows openpyxl's ExcelReader step by step: the content types give the workbook and shared-strings
parts, workbook.xml and its relationships the sheets (name, state, part) and the 1904 flag, styles.xml which
cell styles show dates, and every worksheet's `<dimension>` is read as openpyxl does when it opens the book.
Each part is checked by expat first (well-formed, no DTD), then read with ElementTree. Whatever openpyxl would
treat in a way not copied here (chart sheets, external links, print titles, odd attributes) raises
`Unsupported`, and the caller reads the workbook with openpyxl instead. Markup the light reader does not need
(fonts and fills, page setup, merged ranges, property values) is not checked against openpyxl's object model:
a well-formed workbook that openpyxl refuses only for such markup is read, not refused.
"""

from __future__ import annotations

import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from typing import NoReturn
from xml.parsers import expat

from core.xlsxvalues import (
    BUILTIN_DATES,
    BUILTIN_TIMEDELTAS,
    Unsupported,
    is_date_format,
    is_timedelta_format,
    xml_text,
)

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml."
SHARED_STRINGS = _CT + "sharedStrings+xml"
WORKBOOK_TYPES = (  # openpyxl's order: XLTM, XLTX, XLSM, XLSX
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    _CT + "template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    _CT + "sheet.main+xml",
)
STATES = {"visible": "visible", "hidden": "hidden", "veryHidden": "veryHidden", "none": None}
_RELATIONSHIP = frozenset({"Id", "Type", "Target", "TargetMode"})
_SHEET = frozenset({"name", "sheetId", "state"})
_PHONETIC = frozenset({"sb", "eb"})
_STOP = 1 << 16  # a worksheet's `<dimension>` is looked for in its first 64 kB
_ANY_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension[\s/>]")
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]{1,3}[1-9][0-9]{0,6}(?::[A-Z]{1,3}[1-9][0-9]{0,6})?"\s*/>')
_ROOT = re.compile(r'\A\ufeff?(?:<\?xml [^>]*\?>)?\s*<worksheet\s[^>]*\bxmlns="([^"]*)"[^>]*>')
_SST = re.compile(r'\A\ufeff?(?:<\?xml [^>]*\?>)?\s*<sst\s[^>]*\bxmlns="([^"]*)"[^>]*>')
_SI = re.compile(
    r'<si><t(?: xml:space="preserve")?>([^<]*)</t></si>|<si><t(?: xml:space="preserve")?/></si>|(\s+)|([\s\S])'
)
ELSEWHERE = re.compile(r"<(?:[\w.-]+:)?(?:row|c)[\s/>]|<!--|<!\[CDATA\[|<\?|xmlns\s*=")


@dataclass
class Book:
    """What reading a sheet needs from the rest of the package."""

    sheets: list[tuple[str, str | None, str]] = field(default_factory=list)  # (name, state, part) in tab order
    date1904: bool = False
    date_styles: frozenset[int] = frozenset()
    timedelta_styles: frozenset[int] = frozenset()
    strings: list[str] = field(default_factory=list)


def _refuse_dtd(*_: object) -> NoReturn:
    raise Unsupported("a DTD: openpyxl (defusedxml) decides")


def _expat() -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator="}")  # namespace-aware, as ElementTree: unbound prefixes fail
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    return parser


def check_xml(data: bytes) -> None:
    """Refuse (Unsupported) a part that is not well-formed UTF-8 XML without a DTD."""
    declared: list[str | None] = []
    parser = _expat()
    parser.XmlDeclHandler = lambda _version, encoding, _standalone: declared.append(encoding)
    if not data.startswith((b"<", b"\xef\xbb\xbf<")):
        raise Unsupported("not UTF-8")
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise Unsupported(str(exc)) from exc
    if declared and (declared[0] or "utf-8").lower() not in ("utf-8", "utf8"):
        raise Unsupported("not UTF-8")


def _tree(zf: zipfile.ZipFile, name: str) -> ET.Element:
    data = zf.read(name)
    check_xml(data)
    return ET.fromstring(data)


def _local(el: ET.Element) -> str:
    return el.tag.rsplit("}", 1)[-1]


def _plain(el: ET.Element, allowed: frozenset[str]) -> dict[str, str]:
    """An element's attributes without namespaced ones, as openpyxl keeps them; any other name is Unsupported."""
    attrs = {k: v for k, v in el.attrib.items() if not k.startswith("{")}
    if not attrs.keys() <= allowed:
        raise Unsupported(f"attributes of {el.tag}")
    return attrs


def _last(root: ET.Element, name: str) -> ET.Element | None:
    """The child openpyxl keeps when a tag repeats (the last), matched on its local name as openpyxl does."""
    found = [el for el in root if _local(el) == name]
    return found[-1] if found else None


def read_book(zf: zipfile.ZipFile) -> Book:
    """The package parts openpyxl reads when it opens a workbook, or Unsupported."""
    names = set(zf.namelist())
    overrides, defaults = [], set()
    for el in _tree(zf, "[Content_Types].xml"):
        if _local(el) == "Override":
            overrides.append((el.attrib["PartName"], el.attrib["ContentType"]))
        elif _local(el) == "Default":
            defaults.add(el.attrib["ContentType"])
    part = next((p for t in WORKBOOK_TYPES for p, ct in overrides if ct == t), None)
    if part is None:
        part = "/xl/workbook.xml" if defaults & set(WORKBOOK_TYPES) else None
    if part is None:
        raise Unsupported("no workbook part")
    book = Book()
    strings = next((p for p, ct in overrides if ct == SHARED_STRINGS), None)
    if strings is not None:
        book.strings = shared_strings(zf, strings[1:])
    _workbook(zf, part[1:], names, book)
    for name in ("docProps/core.xml", "docProps/custom.xml"):
        if name in names:
            _tree(zf, name)
    if "xl/styles.xml" in names:
        book.date_styles, book.timedelta_styles = _date_styles(_tree(zf, "xl/styles.xml"))
    for _, _, path in book.sheets:
        _dimension(zf, path)
    return book


def _workbook(zf: zipfile.ZipFile, part: str, names: set[str], book: Book) -> None:
    root = _tree(zf, part)
    props = _last(root, "workbookPr")
    flag = None if props is None else props.get("date1904")
    book.date1904 = bool(flag) and flag not in ("false", "f", "0")
    refs, defined = _last(root, "externalReferences"), _last(root, "definedNames")
    if refs is not None and len(refs):
        raise Unsupported("external links")
    for name in [] if defined is None else list(defined):
        local = name.get("localSheetId")
        if local is not None and (not local.isdigit() or name.get("name", "").startswith("_xlnm.Print")):
            raise Unsupported("print titles")
    listed = [el for el in root if _local(el) == "sheets"]
    if len(listed) != 1:
        raise Unsupported("sheets")
    folder = posixpath.dirname(part)
    rels = _relationships(zf, posixpath.join(folder, "_rels", posixpath.basename(part) + ".rels"))
    for el in listed[0]:
        attrs = _plain(el, _SHEET)
        int(attrs["sheetId"])
        state = STATES[attrs.get("state", "visible")]
        rel_id = el.get(REL_ID)
        if not rel_id:
            continue  # openpyxl warns and leaves it out
        kind, target = rels[rel_id]
        if "chartsheet" in kind:
            raise Unsupported("chart sheet")
        if target in names:
            book.sheets.append((attrs["name"], state, target))


def _relationships(zf: zipfile.ZipFile, path: str) -> dict[str, tuple[str, str]]:
    """{Id: (Type, part)} with targets made absolute as openpyxl's get_dependents makes them."""
    parent = posixpath.split(posixpath.dirname(path))[0]
    out = {}
    for el in _tree(zf, path):
        attrs = _plain(el, _RELATIONSHIP)
        target = attrs["Target"]
        if attrs.get("TargetMode") != "External":
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(parent, target))
        out[attrs["Id"]] = (attrs["Type"], target)
    return out


def _date_styles(root: ET.Element) -> tuple[frozenset[int], frozenset[int]]:
    """Indexes of the cell styles (cellXfs) whose number format openpyxl reads as a date, and as a timedelta."""
    custom: dict[int, str] = {}
    formats = _last(root, "numFmts")
    for el in [] if formats is None else formats:
        if _local(el) == "numFmt":
            custom[int(el.attrib["numFmtId"])] = el.attrib["formatCode"]
    dates, deltas = set(), set()
    xfs = _last(root, "cellXfs")
    for idx, xf in enumerate(el for el in ([] if xfs is None else xfs) if _local(el) == "xf"):
        fmt_id = int(xf.get("numFmtId", 0))
        if fmt_id in custom:
            if is_date_format(custom[fmt_id]):
                dates.add(idx)
            if is_timedelta_format(custom[fmt_id]):
                deltas.add(idx)
        else:
            if fmt_id in BUILTIN_DATES:
                dates.add(idx)
            if fmt_id in BUILTIN_TIMEDELTAS:
                deltas.add(idx)
    return frozenset(dates), frozenset(deltas)


def shared_strings(zf: zipfile.ZipFile, path: str) -> list[str]:
    """The shared strings as openpyxl's read_string_table gives them: rich text runs joined, phonetics left out."""
    data = zf.read(path)
    check_xml(data)
    text = data.decode("utf-8")
    root, end = _SST.match(text), text.rfind("</sst>")
    if root is not None and root.group(1) == MAIN[1:-1] and end > root.end():
        tokens = _SI.findall(text, root.end(), end)
        if not any(junk for _, _, junk in tokens):  # every string a plain <t>: no need for a tree
            return [xml_text(t).replace("x005F_", "") for t, space, _ in tokens if not space]
    out: list[str] = []
    for _, el in ET.iterparse(io.BytesIO(data)):
        if el.tag == MAIN + "si":
            out.append(text_content(el).replace("x005F_", ""))
            el.clear()
    return out


def text_content(el: ET.Element) -> str:
    """openpyxl's `Text.from_tree(el).content`: the plain `<t>` (the last one) then each run's `<t>`."""
    _plain(el, frozenset())
    plain: str | None = None
    runs: list[str] = []
    for child in el:
        tag = _local(child)
        if tag == "t":
            plain = child.text
        elif tag == "r":
            _plain(child, frozenset())
            text = None
            for part in child:
                if _local(part) == "t":
                    text = part.text
                elif _local(part) != "rPr":
                    raise Unsupported("run markup")
            if text is not None:
                runs.append(text)
        elif tag == "rPh":
            for number in _plain(child, _PHONETIC).values():
                int(number)
        elif tag != "phoneticPr":
            raise Unsupported("string markup")
    return "".join(runs) if plain is None else plain + "".join(runs)


def plain_root(text: str, end: int) -> int:
    """Where the `<worksheet>` start tag ends, when the part is plain up to `end`: the root is an unprefixed
    `<worksheet>` in the main namespace, and no namespace, comment, PI, CDATA, row or cell comes before `end`."""
    root = _ROOT.match(text)
    if root is None or root.group(1) != MAIN[1:-1] or ELSEWHERE.search(text, root.end(), end):
        raise Unsupported("worksheet root")
    return root.end()


def _dimension(zf: zipfile.ZipFile, path: str) -> None:
    """What opening a read-only sheet costs openpyxl: parsing up to `<dimension>`, or to the end of the rows
    when it has none, and reading the dimension's range (openpyxl refuses the workbook when that fails)."""
    with zf.open(path) as fh:
        data = fh.read(_STOP)
    rows = data.find(b"<sheetData")
    if rows < 0 and len(data) == _STOP:
        data = zf.read(path)
        rows = data.find(b"<sheetData")
    found = _ANY_DIMENSION.search(data, 0, len(data) if rows < 0 else rows)
    if found is None:
        check_xml(zf.read(path))  # openpyxl reads the whole sheet: it must parse (stricter, never more lenient)
        return
    if _DIMENSION.match(data, found.start()) is None:
        raise Unsupported("dimension")
    plain_root(data[: found.start()].decode("utf-8"), found.start())
    try:
        _expat().Parse(data[: found.start()], False)
    except expat.ExpatError as exc:
        raise Unsupported(str(exc)) from exc
