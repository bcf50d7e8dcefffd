"""One file's bytes → a canonical, normalised frame of its kind, with every rejected row and the accounting."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from core import dates, normalise
from core.derive import DERIVERS, filled
from core.detect import detect_kind, map_columns
from core.model import FileReport, InputError, ParsedFile, Problem, Reason, reject_problems
from core.readers import RawTable, read_table
from core.rejects import RowRejects
from core.repeats import repeats
from core.schema import KINDS, FieldType, Kind, normalise_header
from core.settings import Settings

_QUANTITY_FIELDS = {"purchased", "in_use", "reserved", "quantity", "entitled"}
MAX_LISTED = 1_000  # row problems listed with a refused file; the rest are counted in one line


@dataclass(frozen=True)
class FileInput:
    """One file: its bytes, or how to get them, and what the caller knows about it (the manifest or upload form).

    `load`, when given, is called for the bytes as the file is parsed (the CLI reads each file from disk then), so
    the bytes of one file at a time are held, not those of every input; `content` is then unused."""

    name: str
    content: bytes = b""
    kind: str | None = None
    smart_account: str | None = None
    virtual_account: str | None = None
    sheet: str | None = None
    mapping: dict[str, str] | None = None  # canonical field -> header text, overriding detection
    load: Callable[[], bytes] | None = None

    def read(self) -> bytes:
        return self.content if self.load is None else self.load()


def _fail(file: str, reason: Reason, detail: str, column: str = "", value: str = "") -> InputError:
    return InputError([Problem(file, 0, column, value, reason, detail)])


def _resolve_kind(raw: RawTable, given: str | None) -> tuple[str, float, tuple[tuple[str, float], ...]]:
    detection = detect_kind(raw.headers)
    if given is not None:
        if given not in KINDS:
            raise _fail(raw.file, Reason.UNKNOWN_KIND, f"unknown kind '{given}'; expected one of {', '.join(KINDS)}")
        score = dict(detection.candidates).get(given, 0.0)
        return given, score, detection.candidates
    if detection.kind is None:
        cands = ", ".join(f"{k} {s:.2f}" for k, s in detection.candidates[:3]) or "none"
        raise _fail(
            raw.file, Reason.UNDETECTED_KIND, f"cannot tell which export this is (candidates: {cands}); choose its kind"
        )
    return detection.kind, detection.confidence, detection.candidates


def _mapping(
    kind: Kind, raw: RawTable, manual: dict[str, str] | None, problems: list[Problem]
) -> tuple[dict[str, int], list[int]]:
    mapped, unmapped = map_columns(kind, raw.headers)
    if manual:
        keys = [normalise_header(h) for h in raw.headers]
        for fld, header in manual.items():
            if fld not in kind.field_names:
                raise _fail(raw.file, Reason.UNKNOWN_KIND, f"mapping names unknown field '{fld}' for kind {kind.name}")
            if normalise_header(header) not in keys:
                raise _fail(
                    raw.file, Reason.MISSING_COLUMN, f"mapping for '{fld}' names a column not in the file", header
                )
            idx = keys.index(normalise_header(header))
            mapped = {f: i for f, i in mapped.items() if i != idx}
            mapped[fld] = idx
        unmapped = [i for i in range(len(raw.headers)) if i not in mapped.values()]
    missing = [group for group in kind.required if not any(f in mapped for f in group)]
    if missing:
        need = "; ".join(" or ".join(f"'{f}' ({kind.field(f).aliases[0]})" for f in g) for g in missing)
        detail = f"missing required column {need} for kind {kind.name}; columns found: {', '.join(raw.headers)}"
        problems.append(Problem(raw.file, 0, "", "", Reason.MISSING_COLUMN, detail))
    return mapped, unmapped


def _date_order(
    raw: RawTable, text: dict[str, pd.Series], cells: dict[str, dates.Cells], mapped: dict[str, int], settings: Settings
) -> tuple[str | None, Problem | None]:
    """The file's day/month order, or a problem naming the date columns and a value that cannot decide it."""
    if not cells:
        return None, None
    detected = dates.order_proven([dates.day_month_evidence(c) for c in cells.values()])
    order, error = dates.decide_order(detected, settings.date_order)
    if not error:
        return order, None
    examples = {f: dates.numeric_day_month(text[f]) for f in cells}
    columns = [raw.headers[mapped[f]] for f, v in examples.items() if v is not None]
    value = next((v for v in examples.values() if v is not None), "")
    return None, Problem(raw.file, 0, ", ".join(columns), value, Reason.AMBIGUOUS_DATE, error)


def _repeated_rows(raw: RawTable) -> list[str]:
    """A warning when rows repeat an earlier row cell for cell: each copy is still read (a device registered
    twice is a finding; a licence line pasted twice adds up), so the user should know."""
    if not len(raw.data) or not raw.data.shape[1]:
        return []
    rows = raw.source_row[repeats(raw.data)]
    if not len(rows):
        return []
    where = ", ".join(str(r) for r in rows[:5]) + (" …" if len(rows) > 5 else "")
    return [f"{len(rows)} row(s) repeat an earlier row exactly (row {where}): each copy is read as a row of its own"]


def _duplicate_headers(headers: list[str], mapped: dict[str, int]) -> list[str]:
    """A warning per repeated header (compared as aliases are) of which one column feeds a field."""
    groups: dict[str, list[int]] = {}
    for i, h in enumerate(headers):
        if normalise_header(h):
            groups.setdefault(normalise_header(h), []).append(i)
    used = set(mapped.values())
    out = []
    for cols in groups.values():
        read = [c for c in cols if c in used]
        if len(cols) > 1 and read:
            ignored = ", ".join(str(c + 1) for c in cols if c not in used)
            out.append(
                f"column '{headers[read[0]]}' appears {len(cols)} times: column {read[0] + 1} is read, "
                f"column(s) {ignored} ignored"
            )
    return out


def parse_file(item: FileInput, settings: Settings) -> ParsedFile:
    """Detect, map, normalise and validate one file; raise InputError for a file that cannot be used at all."""
    hint = tuple(item.mapping.values()) if item.mapping else ()
    content = item.read()
    raw = read_table(item.name, content, sheet=item.sheet, header_hint=hint)
    sha256 = hashlib.sha256(content).hexdigest()
    del content  # read once: from here on only the table is held
    kind_name, confidence, candidates = _resolve_kind(raw, item.kind)
    kind = KINDS[kind_name]
    problems: list[Problem] = []
    mapped, unmapped = _mapping(kind, raw, item.mapping, problems)

    rows = np.asarray(raw.source_row, dtype="int64")
    text = {f: raw.data[i].astype(str) for f, i in mapped.items()}
    rej = RowRejects(raw.file, rows)
    if raw.formula_cells:
        headers = {raw.headers[i]: f for f, i in mapped.items()}
        formulas = [(r, h) for r, h in raw.formula_cells if h in headers]
        for r, h in formulas:
            rej.add(rows == r, h, "", Reason.FORMULA_NO_VALUE.value)

    cells = {f.name: dates.cells(text[f.name]) for f in kind.fields if f.type is FieldType.DATE and f.name in text}
    order, undecided = _date_order(raw, text, cells, mapped, settings)
    if undecided is not None:
        problems.append(undecided)
    out, missing = _fields(kind, raw, text, cells, mapped, order, undecided is not None, rej)
    frame = pd.DataFrame(out)
    frame["source_file"] = pd.array(pa.repeat(pa.scalar(raw.file, pa.large_string()), len(rows)), dtype="str")
    frame["source_row"] = rows

    warnings = list(raw.warnings) + _duplicate_headers(raw.headers, mapped) + _repeated_rows(raw)
    if not len(rows):
        warnings.append(f"no data rows below the header (row {raw.header_row})")
    frame = _scope(kind, frame, item, raw, mapped, rej, problems)
    for group in kind.required:
        present = [f for f in group if f in mapped]
        if present:  # missing in the file, not merely unparseable (that row already has its reason)
            empty = missing.get(present[0])
            empty = normalise.missing_mask(text[present[0]]).to_numpy() if empty is None else empty
            for f in present[1:]:
                if empty.any():
                    empty = empty & (missing[f] if f in missing else normalise.missing_mask(text[f]).to_numpy())
            rej.add(empty, raw.headers[mapped[present[0]]], text[present[0]], Reason.MISSING_REQUIRED.value)
    if problems:  # the file cannot be used: list everything wrong with it at once
        notes = [Problem(raw.file, 0, "", "", Reason.WARNING, w) for w in warnings]
        raise InputError(problems + notes + reject_problems(rej.frame(), limit=MAX_LISTED))
    usage = None
    if kind.name in DERIVERS:
        frame, usage = DERIVERS[kind.name](frame, raw, mapped, rej, warnings, settings)

    rejects = rej.frame()
    bad = rejects["row"].to_numpy()
    bad_rows = np.isin(rows, bad)
    frame = frame[~np.isin(frame["source_row"].to_numpy(), bad)].reset_index(drop=True)
    if usage is not None:
        usage = usage[~np.isin(usage["source_row"].to_numpy(), bad)].reset_index(drop=True)
    skipped = sum(raw.skipped.values())
    report = FileReport(
        file=raw.file,
        kind=kind_name,
        confidence=round(float(confidence), 3),
        candidates=tuple(candidates),
        mapped={f: raw.headers[i] for f, i in sorted(mapped.items(), key=lambda kv: kv[1])},
        unmapped=tuple(raw.headers[i] for i in unmapped),
        rows_read=raw.rows_read,
        used=int(len(rows) - bad_rows.sum()),
        rejected=int(bad_rows.sum()),
        skipped=skipped,
        warnings=tuple(warnings),
        sheet=raw.sheet,
        sha256=sha256,
    )
    return ParsedFile(report=report, frame=frame, rejects=rejects, usage=usage)


def _fields(
    kind: Kind,
    raw: RawTable,
    text: dict[str, pd.Series],
    cells: dict[str, dates.Cells],
    mapped: dict[str, int],
    order: str | None,
    undecided: bool,
    rej: RowRejects,
) -> tuple[dict[str, pd.Series], dict[str, np.ndarray]]:
    """Each field of the kind normalised by its type (rejected cells added to `rej`), and for the text fields
    the mask of missing cells (what the required-field check reads)."""
    out: dict[str, pd.Series] = {}
    missing: dict[str, np.ndarray] = {}
    n = len(raw.data)
    for fld in kind.fields:
        if fld.name not in text:
            # a field the file lacks: NaT, or None (what an object array starts as) in every cell
            none = (
                np.full(n, np.datetime64("NaT"), "datetime64[us]")
                if fld.type is FieldType.DATE
                else np.empty(n, object)
            )
            out[fld.name] = pd.Series(none, dtype=none.dtype)
            continue
        s = text[fld.name].reset_index(drop=True)
        header = raw.headers[mapped[fld.name]]
        if fld.type is FieldType.SERIAL:
            out[fld.name], missing[fld.name] = normalise.serial_and_missing(s)
        elif fld.type is FieldType.DATE:
            parsed, bad = dates.parse_cells(cells[fld.name], order, s)
            if undecided:  # only what neither day/month order can read is a bad date
                bad = dates.parse_cells(cells[fld.name], "DMY", s)[1] & dates.parse_cells(cells[fld.name], "MDY", s)[1]
            rej.add(bad, header, s, Reason.BAD_DATE.value)
            out[fld.name] = parsed
        elif fld.type in (FieldType.INT, FieldType.NUMBER):
            fn = normalise.parse_int if fld.type is FieldType.INT else normalise.parse_number
            parsed, bad, reason = fn(s)
            for code in pd.unique(reason[bad]):
                rej.add(bad & (reason == code), header, s, str(code))
            if fld.name in _QUANTITY_FIELDS:
                rej.add((parsed < 0).fillna(False), header, s, Reason.NEGATIVE.value)
            out[fld.name] = parsed
        else:
            out[fld.name], missing[fld.name] = normalise.clean_and_missing(s)
    return out, missing


def _scope(
    kind: Kind,
    frame: pd.DataFrame,
    item: FileInput,
    raw: RawTable,
    mapped: dict[str, int],
    rej: RowRejects,
    problems: list[Problem],
) -> pd.DataFrame:
    defaults = {"smart_account": item.smart_account, "virtual_account": item.virtual_account}
    for col in ("smart_account", "virtual_account"):
        if col not in frame:
            continue
        if defaults[col] and col in mapped:
            frame[col] = frame[col].fillna(str(defaults[col]).strip())
        elif defaults[col]:  # no such column: every cell is the default (an object column, as fillna leaves it)
            frame[col] = pd.Series(filled(len(frame), str(defaults[col]).strip()), index=frame.index, dtype=object)
        if col not in kind.scope:
            continue
        if col not in mapped and not defaults[col]:
            label = col.replace("_", " ")
            detail = f"no {label} column and none given for this file; set its {label} in the manifest or form"
            problems.append(Problem(raw.file, 0, "", "", Reason.MISSING_SCOPE, detail))
            continue
        header = raw.headers[mapped[col]] if col in mapped else col
        if not defaults[col]:  # (a default has just filled every gap)
            rej.add(frame[col].isna().to_numpy(), header, "", Reason.MISSING_SCOPE.value)
    return frame
