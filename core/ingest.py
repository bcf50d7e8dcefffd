"""One file's bytes → a canonical, normalised frame of its kind, with every rejected row and the accounting."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import dates, normalise
from core.derive import DERIVERS
from core.detect import detect_kind, map_columns
from core.model import FileReport, InputError, ParsedFile, Problem, Reason, reject_problems
from core.readers import RawTable, read_table
from core.rejects import RowRejects
from core.schema import KINDS, FieldType, Kind, normalise_header
from core.settings import Settings

_QUANTITY_FIELDS = {"purchased", "in_use", "reserved", "quantity", "entitled"}
MAX_LISTED = 1_000  # row problems listed with a refused file; the rest are counted in one line


@dataclass(frozen=True)
class FileInput:
    """What the caller knows about one file besides its bytes (from the manifest or the upload form)."""

    name: str
    content: bytes
    kind: str | None = None
    smart_account: str | None = None
    virtual_account: str | None = None
    sheet: str | None = None
    mapping: dict[str, str] | None = None  # canonical field -> header text, overriding detection


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
    raw: RawTable, text: dict[str, pd.Series], mapped: dict[str, int], kind: Kind, settings: Settings
) -> tuple[str | None, Problem | None]:
    """The file's day/month order, or a problem naming the date columns and a value that cannot decide it."""
    date_fields = [f.name for f in kind.fields if f.type is FieldType.DATE and f.name in text]
    if not date_fields:
        return None, None
    values = pd.concat([text[f] for f in date_fields], ignore_index=True)
    order, error = dates.decide_order(dates.detect_day_month_order(values), settings.date_order)
    if not error:
        return order, None
    examples = {f: dates.numeric_day_month(text[f]) for f in date_fields}
    columns = [raw.headers[mapped[f]] for f, v in examples.items() if v is not None]
    value = next((v for v in examples.values() if v is not None), "")
    return None, Problem(raw.file, 0, ", ".join(columns), value, Reason.AMBIGUOUS_DATE, error)


def _repeated_rows(raw: RawTable) -> list[str]:
    """A warning when rows repeat an earlier row cell for cell: each copy is still read (a device registered
    twice is a finding; a licence line pasted twice adds up), so the user should know."""
    if not len(raw.data) or not raw.data.shape[1]:
        return []
    maybe = np.flatnonzero(raw.data[0].duplicated(keep=False).to_numpy())  # cheap first: one column
    if not len(maybe):
        return []
    repeat = raw.data.iloc[maybe].duplicated(keep="first").to_numpy()
    if not repeat.any():
        return []
    rows = raw.source_row[maybe[repeat]]
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
    raw = read_table(item.name, item.content, sheet=item.sheet, header_hint=hint)
    kind_name, confidence, candidates = _resolve_kind(raw, item.kind)
    kind = KINDS[kind_name]
    problems: list[Problem] = []
    mapped, unmapped = _mapping(kind, raw, item.mapping, problems)

    rows = np.asarray(raw.source_row, dtype="int64")
    text = {f: raw.data[i].astype(str) for f, i in mapped.items()}
    rej = RowRejects(raw.file, rows)
    if raw.formula_cells:
        headers = {raw.headers[i]: f for f, i in mapped.items()}
        cells = [(r, h) for r, h in raw.formula_cells if h in headers]
        for r, h in cells:
            rej.add(rows == r, h, "", Reason.FORMULA_NO_VALUE.value)

    order, undecided = _date_order(raw, text, mapped, kind, settings)
    if undecided is not None:
        problems.append(undecided)
    out: dict[str, pd.Series] = {}
    n = len(rows)
    for fld in kind.fields:
        if fld.name not in text:
            out[fld.name] = pd.Series(
                [None] * n, dtype="object" if fld.type is not FieldType.DATE else "datetime64[us]"
            )
            continue
        s = text[fld.name].reset_index(drop=True)
        header = raw.headers[mapped[fld.name]]
        if fld.type is FieldType.SERIAL:
            out[fld.name] = normalise.normalise_serial(s)
        elif fld.type is FieldType.DATE:
            parsed, bad = dates.parse_dates(s, order)
            if undecided is not None:  # only what neither day/month order can read is a bad date
                bad = dates.parse_dates(s, "DMY")[1] & dates.parse_dates(s, "MDY")[1]
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
            out[fld.name] = normalise.clean_text(s)
    frame = pd.DataFrame(out)
    frame["source_file"] = raw.file
    frame["source_row"] = rows

    warnings = list(raw.warnings) + _duplicate_headers(raw.headers, mapped) + _repeated_rows(raw)
    if not len(rows):
        warnings.append(f"no data rows below the header (row {raw.header_row})")
    frame = _scope(kind, frame, item, raw, mapped, rej, problems)
    for group in kind.required:
        present = [f for f in group if f in mapped]
        if present:  # missing in the file, not merely unparseable (that row already has its reason)
            empty = np.logical_and.reduce([normalise.missing_mask(text[f]).to_numpy() for f in present])
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
        sha256=hashlib.sha256(item.content).hexdigest(),
    )
    return ParsedFile(report=report, frame=frame, rejects=rejects, usage=usage)


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
        if defaults[col]:
            frame[col] = frame[col].fillna(str(defaults[col]).strip())
        if col not in kind.scope:
            continue
        if col not in mapped and not defaults[col]:
            label = col.replace("_", " ")
            detail = f"no {label} column and none given for this file; set its {label} in the manifest or form"
            problems.append(Problem(raw.file, 0, "", "", Reason.MISSING_SCOPE, detail))
            continue
        header = raw.headers[mapped[col]] if col in mapped else col
        rej.add(frame[col].isna().to_numpy(), header, "", Reason.MISSING_SCOPE.value)
    return frame
