"""Cell normalisation (DESIGN §3 "Normalisation"), vectorised over whole Series.

Inputs are text Series ("" for empty cells). Text outputs use pandas' "str" dtype with NaN for missing;
Int64 outputs use pd.NA; booleans flag problems. Every function works on a whole column at once (string
accessor, pyarrow regex, or a mapping over the column's unique values), so a 1M-row estate stays fast.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.arrowtext import Strings, arrow, bools, found, has_bytes, holding, needs_trim, replace
from core.arrowtext import as_text as as_text  # re-exported, with the helpers below, for dates and the tests
from core.arrowtext import extract as extract
from core.arrowtext import factorize as factorize
from core.arrowtext import matches as matches
from core.arrowtext import on_unique as on_unique
from core.arrowtext import scatter as _scatter
from core.arrowtext import sub as sub
from core.arrowtext import text as _text
from core.arrowtext import to_ints as to_ints
from core.model import Reason
from core.schema import LICENSE_CLASS, LIFECYCLE, MISSING_MARKERS, USER_STATUS, normalise_header

LIFECYCLE_BUCKETS: tuple[str, ...] = ("retired", "not_in_service", "in_service", "unknown")

# ServiceNow cmdb_ci install_status codes, named by their label so a vocabulary change follows them.
SERVICENOW_INSTALL_STATUS: dict[str, str] = {
    "1": "installed", "2": "on order", "3": "in maintenance", "4": "pending install", "5": "pending repair",
    "6": "in stock", "7": "retired", "8": "stolen", "100": "absent",
}  # fmt: skip

_CURRENCY = (
    r"(?:[A-Za-z]{0,2}[$€£¥₹₩₣]|(?i:USD|EUR|GBP|JPY|CHF|CAD|AUD|NZD|INR|CNY|RMB|SEK|NOK|DKK|SGD|HKD|ZAR|BRL|MXN"
    r"|PLN|CZK|HUF|ILS|AED|SAR|KRW|TRY))"
)
_THOUSANDS = "[,'’ \u00a0\u202f]"
_NUMBER = rf"^[+-]?(?:(?:\d{{1,3}}(?:{_THOUSANDS}\d{{3}})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_EXACT_FLOAT = 2.0**53  # beyond this a float no longer holds every whole number

_UDI_PID = r"(?i)(?:^|[^a-z0-9])(?:UDI_)?PID\s*:\s*(?P<pid>[^;,\s]+)"
_UDI_SN = r"(?i)(?:^|[^a-z0-9_])(?:UDI_)?SN\s*:\s*(?P<serial>[^;,\s]+)"
_UDI_TAG = r"(?i)(?:^|[^a-z0-9_])(?:UDI_)?(?:PID|SN)\s*:"
_SERIAL_SEP = r"[,;/|\s]+"
_IP = r"^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]*:[0-9a-f:.]*:[0-9a-f:.]*)$"
_NULL = pa.scalar(None, pa.large_string())


def _key(t: pd.Series) -> pd.Series:
    """Vectorised schema.normalise_header: lower-case, everything but letters and digits dropped."""
    return sub(t.str.lower(), r"[^0-9a-z]+", "")


_MARKERS = pa.array(sorted(MISSING_MARKERS), type=pa.large_string())
_MARKER_CHARS = max(len(m) for m in MISSING_MARKERS)


def _missing(trimmed: Strings) -> np.ndarray:
    """The (already trimmed) cell is missing or a missing marker, whatever its case. Arrow lower-cases character
    for character, so only cells as short as the longest marker are lower-cased and looked up."""
    out = bools(pc.is_null(trimmed))
    short = bools(pc.less_equal(pc.utf8_length(trimmed), _MARKER_CHARS))
    if short.any():
        words = pc.utf8_lower(trimmed.filter(pa.array(short)))
        out[short] |= bools(pc.is_in(words, value_set=_MARKERS, skip_nulls=True))
    return out


def missing_mask(s: pd.Series) -> pd.Series:
    """True where the cell is empty, whitespace or a missing marker (NA, N/A, null, None, Never, -)."""
    return pd.Series(_missing(pc.utf8_trim_whitespace(arrow(s))), index=s.index, name=s.name)


def cleaned(arr: Strings) -> tuple[Strings, np.ndarray]:
    """Trimmed text with missing markers made missing, and the missing mask, on Arrow strings."""
    trimmed = pc.utf8_trim_whitespace(arr) if needs_trim(arr) else arr  # exports are mostly trimmed already
    missing = _missing(trimmed)
    if not missing.any():
        return trimmed, missing
    return pc.if_else(pa.array(missing), _NULL, trimmed), missing


def clean_text(s: pd.Series) -> pd.Series:
    """Trimmed text; missing markers become missing."""
    return _text(cleaned(arrow(s))[0], s)


def clean_and_missing(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """clean_text and missing_mask (as a numpy array) of a column, from one pass."""
    clean, missing = cleaned(arrow(s))
    return _text(clean, s), missing


def normalise_serial(s: pd.Series) -> pd.Series:
    """Upper-case serial, leading `SN:` dropped, leading zeros kept; a stack's members joined by ","."""
    return serial_and_missing(s)[0]


def serial_and_missing(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """normalise_serial and missing_mask (as a numpy array) of a column, from one pass."""
    clean, missing = cleaned(arrow(s))
    return _text(_serial(clean), s), missing


def _serial(clean: Strings) -> Strings:
    """normalise_serial on cleaned Arrow text. A cell of letters and digits only holds no separator, so the
    separator regex only reads the other cells."""
    upper = pc.utf8_upper(clean) if has_bytes(clean, "a", "z") else clean  # serials are mostly upper-case
    t = replace(upper, r"^(?:S/N|SN)\s*:\s*", "", needle=":")
    maybe = ~bools(pc.ascii_is_alnum(t))
    stack = np.zeros(len(t), dtype=bool)
    if maybe.any():
        stack[maybe] = found(t.filter(pa.array(maybe)), _SERIAL_SEP)
    if stack.any():
        cells = pd.Series(pd.array(t.filter(pa.array(stack)), dtype="str"))
        t = _scatter(t, stack, arrow(on_unique(cells, _join_members)))
    empty = bools(pc.equal(t, ""))
    return pc.if_else(pa.array(empty), _NULL, t) if empty.any() else t


def _join_members(cells: pd.Series) -> pd.Series:
    """Each stacked cell's members, `SN:` prefixes and repeats dropped, joined by "," (missing when none)."""
    lists = pc.split_pattern_regex(arrow(cells), _SERIAL_SEP)
    parts = pd.Series(pd.array(pc.list_flatten(lists), dtype="str"), index=np.asarray(pc.list_parent_indices(lists)))
    parts = sub(parts, r"^SN\s*:\s*", "")
    members = pd.DataFrame({"cell": parts.index, "member": parts.array})
    members = members[members["member"] != ""].drop_duplicates()  # still in cell order, each cell's in its order
    counts = np.bincount(members["cell"].to_numpy(), minlength=len(cells))
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]), type=pa.int64())
    values = arrow(members["member"])
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    lists = pa.LargeListArray.from_arrays(offsets, values)
    joined = pc.binary_join(lists, pa.scalar(",", pa.large_string()))
    return pd.Series(pd.array(pc.if_else(pa.array(counts == 0), _NULL, joined), dtype="str"))


def parse_udi(s: pd.Series) -> pd.DataFrame:
    """`pid` and `serial` from a UDI-style name ("UDI_PID:C9300-48P; UDI_SN:FOC2134X0AB;"), else missing."""
    pid = extract(s, _UDI_PID, needle=":")["pid"]
    serial = normalise_serial(extract(s, _UDI_SN, needle=":")["serial"])
    return pd.DataFrame({"pid": pid, "serial": serial}, index=s.index)


def is_udi(s: pd.Series) -> pd.Series:
    """True where the cell carries a UDI tag (PID: or SN:, optionally UDI_-prefixed)."""
    return pd.Series(matches(s, _UDI_TAG, needle=":"), index=s.index, name=s.name)


def normalise_host(s: pd.Series) -> pd.Series:
    """Host match key: lower-case first DNS label; an IP address stays whole; a UDI-style name is missing."""
    return host_key(clean_text(s))


def host_key(clean: pd.Series) -> pd.Series:
    """normalise_host of text already cleaned (clean_text's output): the cleaning is not done again."""
    t = arrow(clean)
    t = pc.utf8_lower(t) if has_bytes(t, "A", "Z") else t
    ip = found(t, _IP)
    label = _first_label(t)
    host = pc.utf8_trim_whitespace(label) if needs_trim(label) else label
    if ip.any():
        host = pc.if_else(pa.array(ip), t, host)
    drop = found(t, _UDI_TAG, needle=":") | bools(pc.equal(host, ""))
    return _text(pc.if_else(pa.array(drop), _NULL, host) if drop.any() else host, clean)


def _first_label(arr: Strings) -> Strings:
    """`replace(arr, r"\\..*$", "")`: the text before the first dot. A split does it, except in a cell holding a
    line break, where the regex's `.` stops (it is kept for those)."""
    label = pc.list_element(pc.split_pattern(arr, ".", max_splits=1), 0)
    broken = holding(arr, "\n")
    if broken.any():
        label = _scatter(label, broken, pc.replace_substring_regex(arr.filter(pa.array(broken)), r"\..*$", ""))
    return label


def _parse_numeric(s: pd.Series, currency: bool) -> tuple[np.ndarray, np.ndarray]:
    """Float values (NaN unless a valid number) and the not-a-number mask (missing cells are not bad)."""
    t = as_text(s).str.strip()
    missing = missing_mask(t).to_numpy()
    t = sub(t, r"^\(\s*(.*?)\s*\)$", r"-\1")
    if currency:
        t = sub(sub(t, rf"^([+-]?)\s*{_CURRENCY}\s*", r"\1"), rf"\s*{_CURRENCY}$", "")
    valid = matches(t, _NUMBER) & ~missing
    digits = pc.replace_substring_regex(arrow(t.where(valid)), _THOUSANDS, "")
    values = np.array(pc.cast(digits, pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(values)
    values[~finite] = np.nan
    return values, ~missing & ~(valid & finite)


def _reasons(index: pd.Index, conditions: list[np.ndarray], reasons: list[Reason]) -> pd.Series:
    codes = np.select(conditions, [r.value for r in reasons], default="")
    return pd.Series(codes, index=index, dtype="str")


def parse_int(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Whole numbers (Int64) with bad mask and reason code ("" when fine); missing cells are NA, not bad.

    Thousands separators (`1,234`, `1 234`, `1'234`), `12.0`, `1E5`, `-3` and accounting `(3)` are accepted;
    `1.5` is not_an_integer; text (`abc`, `12 licenses`, `1,5`) is not_a_number.
    """
    values, not_number = _parse_numeric(s, currency=False)
    with np.errstate(invalid="ignore"):
        too_big = np.abs(values) > _EXACT_FLOAT
        fraction = ~np.isnan(values) & ~too_big & (values != np.round(values))
    not_number |= too_big
    ok = ~np.isnan(values) & ~too_big & ~fraction
    ints = pd.arrays.IntegerArray(np.where(ok, values, 0).astype("int64"), ~ok)
    reason = _reasons(s.index, [not_number, fraction], [Reason.NOT_A_NUMBER, Reason.NOT_AN_INTEGER])
    return pd.Series(ints, index=s.index, name=s.name), pd.Series(not_number | fraction, index=s.index), reason


def parse_number(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Decimal numbers (float64, NaN when missing or bad) with bad mask and reason code.

    As parse_int, plus decimals and a currency symbol or code before or after (`$1,200.50`, `1200 USD`).
    """
    values, bad = _parse_numeric(s, currency=True)
    reason = _reasons(s.index, [bad], [Reason.NOT_A_NUMBER])
    return pd.Series(values, index=s.index, name=s.name), pd.Series(bad, index=s.index), reason


def lifecycle(status: pd.Series, extra: dict[str, tuple[str, ...]] | None = None) -> tuple[pd.Series, pd.Series]:
    """Inventory lifecycle bucket per row (categorical) and the mask of unrecognised status words.

    Words from schema.LIFECYCLE plus `extra` (which wins on a clash), compared on schema.normalise_header;
    ServiceNow numeric install_status codes too. A missing status is in_service (being in the authoritative
    inventory is the claim); any other unrecognised word is `unknown`, never silently bucketed.
    """
    vocab = {normalise_header(w): bucket for bucket, words in LIFECYCLE.items() for w in words}
    vocab |= {code: vocab[normalise_header(word)] for code, word in SERVICENOW_INSTALL_STATUS.items()}
    for bucket, words in (extra or {}).items():
        if bucket not in LIFECYCLE:
            raise ValueError(f"unknown lifecycle bucket {bucket!r}; expected one of {', '.join(LIFECYCLE)}")
        vocab |= {normalise_header(w): bucket for w in words}
    codes, words = factorize(clean_text(status))  # a few distinct words: bucket those, not rows
    bucket = _key(sub(words, r"^(\d+)\.0+$", r"\1")).map(vocab)
    known = bucket.notna().to_numpy()
    code = [LIFECYCLE_BUCKETS.index("unknown")] * len(words)
    for i in np.flatnonzero(known):
        code[i] = LIFECYCLE_BUCKETS.index(str(bucket.iloc[i]))
    missing = LIFECYCLE_BUCKETS.index("in_service")
    cat = pd.Categorical.from_codes(np.array([*code, missing], dtype=np.int8)[codes], list(LIFECYCLE_BUCKETS))
    unknown = np.append(~known, False)[codes]
    return pd.Series(cat, index=status.index, name=status.name), pd.Series(unknown, index=status.index)


def reserved_status(status: pd.Series) -> pd.Series:
    """True where an instance status mentions a licence reservation (SLR, PLR, Reserved, Reservation)."""
    codes, t = factorize(clean_text(status).str.lower())  # a few distinct statuses: test those
    says = matches(t, r"(?:^|[^a-z])(?:slr|plr|reserved|reservation)(?:[^a-z]|$)")
    negated = matches(t, r"(?:^|[^a-z])(?:not|non)[\s_-]*reserv")
    return pd.Series(np.append(says & ~negated, False)[codes], index=status.index, name=status.name)


def _classify_license(t: pd.Series) -> pd.Series:
    words = sub(t.str.lower(), r"[_\-/]+", " ")
    conditions = [
        matches(words, r"\b(?:demo|eval|evaluation|trial)\b"),
        matches(words, r"\b(?:perpetual|permanent)\b"),
        matches(words, r"\bsubscriptions?\b"),
        matches(words, r"\bterm\b|\b\d+\s*(?:y|yr|yrs|year|years|m|mo|mos|month|months)\b"),
    ]
    return pd.Series(np.select(conditions, ["demo", "perpetual", "subscription", "term"], "unknown"), dtype="str")


def license_class(s: pd.Series) -> pd.Series:
    """Licence class from the Licenses tab Type: perpetual / term / subscription / demo / unknown."""
    cls = on_unique(clean_text(s), _classify_license).fillna("unknown")
    cat = pd.Categorical(cls.to_numpy(dtype=object), categories=list(LICENSE_CLASS))
    return pd.Series(cat, index=s.index, name=s.name)


def departed_status(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Departed flag from a user / roster status (schema.USER_STATUS), NA where missing or not understood.

    The second Series flags status words that are present but not in the vocabulary.
    """
    t = clean_text(s)
    vocab = {normalise_header(k): v for k, v in USER_STATUS.items()}
    flag = on_unique(t, lambda u: pd.Series(_key(u).map(vocab).astype("boolean").array))
    known = flag.notna().to_numpy()
    values = pd.arrays.BooleanArray(flag.fillna(False).to_numpy(dtype=bool), ~known)
    unknown = t.notna().to_numpy() & ~known
    return pd.Series(values, index=s.index, name=s.name), pd.Series(unknown, index=s.index)


_LICENSE_ITEM = r"^(?P<license>.*?)(?:\s*\((?P<paren>[^()]*)\)|\s+[xX×]\s*(?P<times>\d+)|\s+-\s*(?P<dash>\d+))?\s*$"


def _license_items(cells: pd.Series) -> tuple[pd.DataFrame, np.ndarray]:
    """Items (cell, license, quantity) of distinct licence-list cells (RangeIndex) and each cell's bad flag."""
    lists = pc.split_pattern_regex(arrow(sub(cells, r"\)\s*,", ");")), r"[;|\r\n]+")
    items = pd.Series(pd.array(pc.list_flatten(lists), dtype="str")).str.strip()
    cell = np.asarray(pc.list_parent_indices(lists))
    keep = ~missing_mask(items).to_numpy()
    items, cell = items[keep].reset_index(drop=True), cell[keep]
    parts = extract(items, _LICENSE_ITEM)
    qty_text = parts["paren"].fillna(parts["times"]).fillna(parts["dash"])
    qty, qty_bad, _ = parse_int(qty_text.fillna("1"))
    has_paren = matches(items, r"\)$")
    item_bad = (has_paren & (qty_text.isna() | qty_bad)).to_numpy() | (qty.fillna(0) < 0).to_numpy(dtype=bool)
    item_bad |= parts["license"].isna().to_numpy()
    cell_bad = np.bincount(cell[item_bad], minlength=len(cells)) > 0
    good = ~cell_bad[cell]
    frame = pd.DataFrame(
        {"cell": cell[good], "license": parts["license"][good].to_numpy(), "quantity": qty[good].array}
    )
    return frame, cell_bad


class TooManyItems(ValueError):
    """A column's licence lists would yield more rows than the caller's budget."""

    def __init__(self, count: int):
        self.count = count
        super().__init__(f"{count:,} licence items")


def split_license_list(
    s: pd.Series, index_name: str = "row", max_rows: int | None = None
) -> tuple[pd.DataFrame, pd.Series]:
    """Usage rows from a licence-list cell ("DNA Advantage (1); Network Advantage") and a bad-cell mask.

    Items are separated by `;`, `|`, a newline, or a comma right after a `(N)`; a trailing `(N)`, `x N` or
    `- N` is the quantity (default 1). A cell with a malformed quantity (`DNA (abc)`, `(1.5)`, `(-1)`) or a
    quantity with no name is bad and yields no rows. Columns: `index_name` (the label in `s`), license
    (str), quantity (Int64), in the order of `s` and of the items within a cell. Raises TooManyItems, before
    building them, when the rows would number more than `max_rows` (a cell can list thousands of items).
    """
    codes, uniques = factorize(clean_text(s))
    items, cell_bad = _license_items(uniques)
    per_cell = np.bincount(items["cell"].to_numpy(dtype=np.int64), minlength=len(uniques))
    rows = np.flatnonzero(codes >= 0)
    count = per_cell[codes[rows]]  # items of each row's cell
    if max_rows is not None and int(count.sum()) > max_rows:
        raise TooManyItems(int(count.sum()))
    # the rows in order, each followed by its cell's items in order (what an inner merge on the cell gives):
    # a cell's items are a run of `items`, from `first`, so each output row's item is an offset into that run
    first = np.cumsum(per_cell) - per_cell
    start = np.cumsum(count) - count
    item = np.repeat(first[codes[rows]] - start, count) + np.arange(int(count.sum()))
    frame = pd.DataFrame(
        {
            index_name: s.index.take(np.repeat(rows, count)),
            "license": items["license"].to_numpy()[item],
            "quantity": items["quantity"].array.take(item),
        }
    )
    bad = np.append(cell_bad, False)[codes]  # code -1 (a missing cell) picks the appended False
    return frame, pd.Series(bad, index=s.index, name=s.name)
