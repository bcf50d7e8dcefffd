"""A read-only worksheet's values, as `ws.iter_rows(values_only=True)` gives them, about twice as fast.

openpyxl spends most of a sheet's read in `WorkSheetParser.parse_cell`, building a rich-text object for every
inline string and re-parsing every coordinate. `_Parser` answers the common cells (inline and shared strings,
numbers, dates, booleans, errors, with a plain `A1` reference) itself and hands every other cell to openpyxl,
so values, errors and warnings are openpyxl's own. The XML is still parsed by openpyxl's (defused) parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from core.xlsxvalues import column_number

_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")


def _parser_class() -> Any:
    from openpyxl.utils.datetime import from_excel
    from openpyxl.worksheet._reader import (
        INLINE_STRING,
        SHEET_MAIN_NS,
        VALUE_TAG,
        WorkSheetParser,
        _cast_number,
    )

    text_tag = f"{{{SHEET_MAIN_NS}}}t"

    class _Parser(WorkSheetParser):  # type: ignore[misc]
        columns: dict[str, int] = {}

        def parse_cell(self, element: Any) -> dict[str, Any]:
            try:
                cell = self._plain_cell(element)
            except Exception:  # openpyxl's own path raises (or warns) exactly as it always did
                cell = None
            return super().parse_cell(element) if cell is None else cell

        def _plain_cell(self, element: Any) -> dict[str, Any] | None:
            """The cell openpyxl would return, or None when the cell is not a plain one."""
            data_type = element.get("t", "n")
            ref = _REF.fullmatch(element.get("r") or "")
            if ref is None or not self.data_only or self.rich_text:
                return None
            style_id = element.get("s", 0)
            if style_id:
                style_id = int(style_id)
            value: Any = None
            if data_type == "inlineStr":
                child = element.find(INLINE_STRING)
                if child is not None:
                    parts = list(child)
                    if any(p.tag != text_tag for p in parts):
                        return None  # rich text runs, phonetics: openpyxl's Text
                    plain = parts[-1].text if parts else None
                    value, data_type = ("" if plain is None else plain), "s"
            else:
                value = element.findtext(VALUE_TAG, None) or None
                if value is not None:
                    if data_type == "n":
                        value = _cast_number(value)
                        if style_id in self.date_formats:
                            data_type = "d"
                            timedelta = style_id in self.timedelta_formats
                            value = from_excel(value, self.epoch, timedelta=timedelta)
                    elif data_type == "s":
                        value = self.shared_strings[int(value)]
                    elif data_type == "b":
                        value = bool(int(value))
                    elif data_type == "str":
                        data_type = "s"
                    elif data_type != "e":
                        return None
            column = column_number(ref.group(1), self.columns)
            self.col_counter = column
            return {
                "row": int(ref.group(2)),
                "column": column,
                "value": value,
                "data_type": data_type,
                "style_id": style_id,
            }

    return _Parser


def values_by_row(ws: Any) -> Iterator[Any]:
    """Rows of cell values of a read-only worksheet whose dimensions were reset (`ws.reset_dimensions()`)."""
    if ws.max_row is not None or ws.max_column is not None or not hasattr(ws, "_get_source"):
        yield from ws.iter_rows(values_only=True)
        return
    wb = ws.parent
    counter = 1
    with ws._get_source() as src:
        parser = _parser_class()(
            src,
            ws._shared_strings,
            data_only=wb.data_only,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        for idx, row in parser.parse():
            for _ in range(counter, idx):  # rows missing from the XML are empty rows
                counter += 1
                yield []
            if counter <= idx:
                counter += 1
                yield ws._get_row(row, 1, None, True)
