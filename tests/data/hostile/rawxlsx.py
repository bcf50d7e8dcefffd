"""A raw XLSX writer for the hostile corpus: XML written by hand into a zip, each worksheet streamed row by row.

openpyxl cannot write 500k rows quickly, and hostile workbooks (entity bombs, lying zip headers, formulas
without cached values) cannot be written with it at all. Standard library only.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

Cell = str | int | float | tuple[str, str | int | float] | None
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
Row = Sequence[Cell]


def _col(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def _cell_xml(ref: str, value: Cell) -> str:
    """A cell: text inline, a number as a number, `=...` as a formula with no cached value (as a generator
    that never recalculates writes it), `("=...", cached)` as a formula with its value."""
    if value is None or value == "":
        return ""
    if isinstance(value, tuple):
        formula, cached = value
        kind = "" if isinstance(cached, int | float) else ' t="str"'
        return f'<c r="{ref}"{kind}><f>{escape(formula[1:])}</f><v>{escape(str(cached))}</v></c>'
    if isinstance(value, bool) or not isinstance(value, int | float):
        text = _XML_ILLEGAL.sub("", str(value))  # XML 1.0 cannot hold them: Excel never writes them raw
        if text.startswith("="):
            return f'<c r="{ref}"><f>{escape(text[1:])}</f></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'
    return f'<c r="{ref}"><v>{value!r}</v></c>'


def sheet_xml_chunks(rows: Iterable[Row], chunk: int = 5_000, prolog: str = "") -> Iterator[str]:
    """A worksheet's XML, in pieces of `chunk` rows."""
    yield f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN_NS}"><sheetData>'
    parts: list[str] = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell_xml(f"{_col(c)}{r}", v) for c, v in enumerate(row))
        parts.append(f'<row r="{r}">{cells}</row>')
        if len(parts) >= chunk:
            yield "".join(parts)
            parts = []
    yield "".join(parts) + "</sheetData></worksheet>"


def package_parts(names: Sequence[str], states: Sequence[str], shared_strings: bool) -> dict[str, str]:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
        for i in range(1, len(names) + 1)
    )
    if shared_strings:
        overrides += f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
    sheets = "".join(
        f'<sheet name="{escape(n)}" sheetId="{i}"{"" if s == "visible" else f" state={chr(34)}{s}{chr(34)}"}'
        f' r:id="rId{i}"/>'
        for i, (n, s) in enumerate(zip(names, states, strict=True), start=1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(names) + 1)
    )
    if shared_strings:
        rels += f'<Relationship Id="rId{len(names) + 1}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    return {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>{overrides}</Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{_REL}">'
        f"<sheets>{sheets}</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_REL}">'
        f"{rels}</Relationships>",
    }


def write_xlsx(
    target: Path | io.BytesIO,
    sheets: dict[str, Iterable[Row]],
    *,
    states: dict[str, str] | None = None,
    shared_strings: str | None = None,
    prolog: str = "",
) -> None:
    """A minimal, valid workbook: one worksheet part per sheet (streamed row by row), inline strings.

    `states` marks sheets hidden / veryHidden; `shared_strings` adds a raw sharedStrings.xml part (the cells
    written here never refer to it: see shared_strings_xlsx); `prolog` goes between the XML declaration and
    the root element of every worksheet (a DOCTYPE, for the entity tests).
    """
    names = list(sheets)
    state = [(states or {}).get(n, "visible") for n in names]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in package_parts(names, state, shared_strings is not None).items():
            zf.writestr(name, text)
        if shared_strings is not None:
            zf.writestr("xl/sharedStrings.xml", shared_strings)
        for i, name in enumerate(names, start=1):
            with zf.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as fh:
                for piece in sheet_xml_chunks(sheets[name], prolog=prolog):
                    fh.write(piece.encode("utf-8"))


def xlsx(rows: Iterable[Row], **kw: object) -> bytes:
    """A one-sheet workbook (sheet "Sheet1") as bytes."""
    buf = io.BytesIO()
    write_xlsx(buf, {"Sheet1": rows}, **kw)  # type: ignore[arg-type]
    return buf.getvalue()
