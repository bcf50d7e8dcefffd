"""One worksheet's cells as text rows, read straight from the part's XML: the light reader's hot loop.

`<sheetData>` is cut into tokens by one regular expression that knows the plain shapes writers use:
`<row r=..>`, `<c r="B7" s=.. t=..>` holding an optional `<f>`, `<v>` and `<is><t>`. Anything else (rich text
runs, cells without a reference, pretty-printed cells, comments, prefixed tags, a `t="d"` date) is a token no
alternative knows, and the whole workbook goes to openpyxl (`Unsupported`). What expat would check there and
the tokens do not (characters, references, `]]>`, row attribute names) is checked on the whole text at once,
and expat parses the rest of the part. Rows come out as openpyxl's `iter_rows(values_only=True)` gives them.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Iterator
from itertools import chain

from core.xlsxparts import ELSEWHERE, Book, check_xml, plain_root
from core.xlsxvalues import MAC_EPOCH, WINDOWS_EPOCH, Unsupported, column_number, number_text, xml_text

_TOKEN = re.compile(
    # the cells nearly every writer writes, with a value or an inline string and nothing else
    r'<c r="([A-Z]{1,3}+)[1-9][0-9]{0,6}+"(?: s="([0-9]{1,9}+)")?+(?: t="([a-zA-Z]{1,9}+)")?+>'
    r'(?:<is><t(?: xml:space="preserve")?+>([^<]*+)</t></is>|<v>([^<]*+)</v>)</c>'
    r"|(<c [^>]*/>|<c [^>]*>[\s\S]*?</c>)"  # any other cell: CELL reads it, or it is Unsupported
    r'|<row r="([1-9][0-9]{0,6})"([^>]*)>'
    r"|(</row>)"
    r"|\s+"  # ignored between elements, as openpyxl ignores it
    r"|([\s\S])"  # anything else
)
_JUNK = 9
_CHUNK = 1 << 20
_S = "[ \t\r\n]"  # XML's white space, the only kind allowed inside a tag
CELL = re.compile(
    rf'<c r="([A-Z]{{1,3}})[1-9][0-9]{{0,6}}"(?: s="([0-9]{{1,9}})")?(?: t="([a-zA-Z]{{1,9}})")?'
    rf'(?: cm="[0-9]{{1,9}}")?(?: vm="[0-9]{{1,9}}")?(?: ph="[0-9]{{1,9}}")?{_S}*(?:/>|>'
    rf'(<f(?:{_S}+[A-Za-z][A-Za-z0-9]*="[^"<]*")*{_S}*(?:/>|>[^<]*</f>))?'  # whether there is one is what counts
    rf"(?:<v>([^<]*)</v>|<v{_S}*/>)?"
    rf'(?:<is{_S}*/>|<is>(?:<t(?: xml:space="preserve")?>([^<]*)</t>|<t(?: xml:space="preserve")?{_S}*/>)?</is>)?'
    r"</c>)"
)
_ATTR = re.compile(rf'{_S}+([A-Za-z_][A-Za-z0-9_.:-]*)="[^"<]*"')
_ROW_ATTRS = re.compile(rf'(?:{_S}+(?!xmlns)[A-Za-z_][A-Za-z0-9_.:-]*="[^"<]*")*{_S}*(/?)')
_NS_DECL = re.compile(rf'{_S}xmlns:([A-Za-z_][\w.-]*){_S}*={_S}*"([^"<&]*)"')
_CONTROL = bytes(i for i in range(32) if i not in (9, 10, 13))  # not XML characters, raw or as references
_AMP = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos)?(;)?")
_NAMES = tuple(chr(65 + i) for i in range(26)) + tuple(chr(65 + i) + chr(65 + j) for i in range(26) for j in range(26))


def _references(text: str) -> None:
    """Refuse a stray `&`, an unknown entity or a character reference to a character XML does not allow."""
    for m in _AMP.finditer(text):
        name, semicolon = m.groups()
        if not name or not semicolon:
            raise Unsupported("an & that is not a reference")
        if name[0] == "#":
            code = int(name[2:], 16) if name[1] == "x" else int(name[1:])
            if not (
                code in (9, 10, 13) or 32 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0xFFFF < code < 0x110000
            ):
                raise Unsupported("a reference to a character XML does not allow")


def _sheet_data(data: bytes) -> tuple[int, int, dict[str, str]]:
    """Where the inside of `<sheetData>` starts and ends, and the namespace prefixes of the root. The rest of the
    part is parsed by expat with an empty `<sheetData/>` in place, and must hold no other rows or cells."""
    start = data.find(b"<sheetData")
    if start < 0 or data.find(b"<sheetData", start + 1) >= 0:
        raise Unsupported("no sheetData, or more than one")
    if data.startswith(b"<sheetData>", start):
        first, end = start + 11, data.find(b"</sheetData>", start)
        if end < 0:
            raise Unsupported("sheetData not closed")
        after = end + 12
    elif data.startswith((b"<sheetData/>", b"<sheetData />"), start):
        first = end = start
        after = data.index(b">", start) + 1
    else:
        raise Unsupported("sheetData attributes")
    check_xml(data[:start] + b"<sheetData/>" + data[after:])
    head = data[:start].decode("utf-8")
    root = head[: plain_root(head, len(head))]
    if ELSEWHERE.search(data[after:].decode("utf-8")):
        raise Unsupported("rows or cells after sheetData")
    return first, end, {"xml": "http://www.w3.org/XML/1998/namespace", **dict(_NS_DECL.findall(root))}


def _chunks(data: bytes, pos: int, end: int) -> Iterator[list[tuple[str, ...]]]:
    """The tokens of `<sheetData>`, a megabyte of whole rows at a time (a whole sheet's would take much memory),
    each piece checked for what expat would refuse and the tokens do not cover: characters XML does not allow,
    `]]>`, stray `&` (no such thing spans the end of a row, where pieces are cut)."""
    while pos < end:
        cut = data.find(b"</row>", pos + _CHUNK, end)
        cut = end if cut < 0 else cut + 6
        piece = data[pos:cut]
        if len(piece.translate(None, _CONTROL)) != len(piece) or b"]]>" in piece:
            raise Unsupported("characters XML does not allow")
        text = piece.decode("utf-8")
        if not text.isascii() and ("\ufffe" in text or "\uffff" in text):
            raise Unsupported("characters XML does not allow")
        if "&" in text:
            _references(text)
        tokens = _TOKEN.findall(text)
        if any(tok[_JUNK] for tok in tokens):
            raise Unsupported("a token the light reader does not know")
        yield tokens
        pos = cut


def _row_closed(attrs: str, prefixes: dict[str, str]) -> bool:
    """Whether a row tag with these attributes after `r` closes itself; Unsupported when expat would refuse them
    (a repeated name, a prefix the root does not declare) or they are not plain `name="value"` pairs."""
    plain = _ROW_ATTRS.fullmatch(attrs)
    if plain is None:
        raise Unsupported("unusual row attributes")
    seen = {("", "r")}
    for name in _ATTR.findall(attrs):
        prefix, colon, local = name.rpartition(":")
        if not local or colon and (not prefix or ":" in prefix or prefix not in prefixes):
            raise Unsupported("a row attribute in an unknown namespace")
        key = (prefixes[prefix] if colon else "", local)
        if key in seen:
            raise Unsupported("a repeated row attribute")
        seen.add(key)
    return bool(plain.group(1))


def read_cells(zf: zipfile.ZipFile, path: str, book: Book) -> tuple[list[list[str]], list[tuple[int, int]]]:
    """(text rows from row 1, formula cells without a cached value as (row, column index)) of a worksheet part."""
    data = zf.read(path)
    first, end, prefixes = _sheet_data(data)
    try:
        return _rows(chain.from_iterable(_chunks(data, first, end)), book, prefixes)
    except Unsupported:
        raise
    except Exception as exc:  # a value openpyxl would reject or warn about: let it
        raise Unsupported(str(exc)) from exc


def _rows(
    tokens: Iterable[tuple[str, ...]], book: Book, prefixes: dict[str, str]
) -> tuple[list[list[str]], list[tuple[int, int]]]:
    epoch: dt.datetime = MAC_EPOCH if book.date1904 else WINDOWS_EPOCH
    strings, dates, deltas = book.strings, book.date_styles, book.timedelta_styles
    columns: dict[str, int] = {}
    kinds: dict[str, tuple[bool, bool]] = {}
    closes: dict[str, bool] = {"": False}
    rows: list[list[str]] = []
    formulas: list[tuple[int, int]] = []
    counter, number, in_row, dense = 1, 0, False, True
    texts: list[str] = []
    cols: list[int] = []
    for letters, style, kind, it, v, other, row_r, attrs, end, _ in tokens:
        formula = ""
        if not letters:
            if other:
                cell = CELL.fullmatch(other)
                if cell is None:
                    raise Unsupported(f"a cell the light reader does not know: {other[:80]}")
                letters, style, kind, formula, v, it = cell.groups("")
                if formula and len(names := _ATTR.findall(formula)) != len(set(names)):
                    raise Unsupported("a repeated formula attribute")
            elif row_r:
                closed = closes.get(attrs)
                if closed is None:
                    closed = closes[attrs] = _row_closed(attrs, prefixes)
                if in_row:
                    raise Unsupported("a row inside a row")
                number, texts, dense, in_row = int(row_r), [], True, not closed
                if in_row:
                    continue
            elif not end:
                continue  # whitespace between elements
            if not letters:  # the end of a row
                if not in_row and end:
                    raise Unsupported("a row end without a row")
                in_row = False
                if number >= counter:
                    rows.extend([] for _ in range(number - counter))
                    rows.append(texts if dense else _spread(cols, texts))
                    counter = number + 1
                continue
        if not in_row:
            raise Unsupported("a cell outside a row")
        if kind == "inlineStr":
            text = it if "&" not in it and "\r" not in it else xml_text(it)
        elif not v:
            text = ""
        else:
            if "&" in v or "\r" in v:
                v = xml_text(v)
            if kind == "s":
                text = strings[int(v)]
            elif not kind or kind == "n":
                flags = kinds.get(style) if style else (False, False)
                if flags is None:
                    flags = kinds[style] = (int(style) in dates, int(style) in deltas)
                text = number_text(v, flags[0], flags[1], epoch)
            elif kind == "str" or kind == "e":
                text = v
            elif kind == "b":
                text = "TRUE" if int(v) else "FALSE"
            else:
                raise Unsupported(f"cell type {kind}")
        if formula and not v and kind != "str":
            formulas.append((number, column_number(letters, columns) - 1))
        n = len(texts)
        if dense and n < len(_NAMES) and letters == _NAMES[n]:
            texts.append(text)
        else:
            if dense:
                cols, dense = list(range(1, n + 1)), False
            cols.append(column_number(letters, columns))
            texts.append(text)
    if in_row:
        raise Unsupported("a row without its end")
    return rows, formulas


def _spread(cols: list[int], texts: list[str]) -> list[str]:
    """A row with gaps or cells out of order: as wide as its last cell's column (openpyxl's `_get_row`)."""
    width = cols[-1]
    out = [""] * width
    for col, text in zip(cols, texts, strict=True):
        if col <= width:
            out[col - 1] = text
    return out
