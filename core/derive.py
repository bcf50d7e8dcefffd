"""Derived columns per kind: match keys, lifecycle, reservation flags, usage rows from licence lists."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core import arrowtext, normalise
from core.model import InputError, Problem, Reason
from core.readers import RawTable
from core.rejects import RowRejects
from core.settings import Settings

MAX_USAGE_ROWS = 4_000_000  # usage rows one instances file may derive from its licence lists (~200 bytes each)

USAGE_COLUMNS = [
    "smart_account",
    "virtual_account",
    "license",
    "quantity",
    "serial",
    "instance_name",
    "host",
    "source_file",
    "source_row",
]

Deriver = Callable[
    [pd.DataFrame, RawTable, dict[str, int], RowRejects, list[str], Settings], tuple[pd.DataFrame, pd.DataFrame | None]
]


def filled(n: int, value: str) -> np.ndarray:
    """An object array of `n` cells, each `value` (np.full is an order of magnitude slower at this)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def _fill_from_udi(frame: pd.DataFrame, name_col: str) -> None:
    """`UDI_PID:C9300-48P; UDI_SN:FOC2134X0AB;` names give serial and pid where those are missing."""
    if not arrowtext.holding(arrowtext.arrow(frame[name_col]), ":").any():  # a UDI tag has a colon: none here
        for col in ("serial", "pid"):
            if col in frame and frame[col].dtype == object:  # a field the file lacks: fillna makes its None NaN
                frame[col] = frame[col].fillna(pd.Series(np.nan, index=frame.index, dtype="str"))
        return
    udi = normalise.parse_udi(frame[name_col].fillna("").astype(str))
    frame["serial"] = frame["serial"].fillna(normalise.normalise_serial(udi["serial"].fillna("").astype(str)))
    if "pid" in frame:
        frame["pid"] = frame["pid"].fillna(udi["pid"])


def _host(frame: pd.DataFrame, col: str) -> pd.Series:
    """normalise_host of a column parse_file has already cleaned (so it is not cleaned twice)."""
    return normalise.host_key(frame[col])


def _instance_ids(frame: pd.DataFrame, file: str) -> pd.Series:
    """`source_file#source_row` (every row is from `file`), joined by Arrow, not row by row in Python."""
    rows = pc.cast(pa.array(frame["source_row"].to_numpy()), pa.large_string())
    ids = pc.binary_join_element_wise(pa.scalar(file, pa.large_string()), rows, pa.scalar("#", pa.large_string()))
    return pd.Series(pd.array(ids, dtype="str"), index=frame.index)


def _count_words(values: pd.Series, label: str) -> str:
    counts = values.value_counts()
    listed = ", ".join(f"'{v}' ×{n}" for v, n in counts.items())
    return f"{int(counts.sum())} {label}: {listed}"


def instances(
    frame: pd.DataFrame, raw: RawTable, mapped: dict[str, int], rej: RowRejects, warnings: list[str], settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    _fill_from_udi(frame, "instance_name")
    frame["host"] = _host(frame, "instance_name")
    frame["reserved"] = normalise.reserved_status(frame["status"]).to_numpy()
    frame["instance_id"] = _instance_ids(frame, raw.file)
    if "licenses" not in mapped:
        return frame, None
    try:
        long, bad = normalise.split_license_list(frame["licenses"], max_rows=MAX_USAGE_ROWS)
    except normalise.TooManyItems as exc:
        header = raw.headers[mapped["licenses"]]
        detail = f"the licence lists yield {exc.count:,} usage rows (limit {MAX_USAGE_ROWS:,}): split the file"
        raise InputError([Problem(raw.file, 0, header, "", Reason.TOO_LARGE, detail)]) from exc
    rej.add(
        bad.to_numpy(), raw.headers[mapped["licenses"]], frame["licenses"].fillna(""), Reason.BAD_LICENSE_LIST.value
    )
    pos = long.iloc[:, 0].to_numpy()
    keep = ["smart_account", "virtual_account", "serial", "instance_name", "host", "source_file", "source_row"]
    usage = frame[keep].iloc[pos].reset_index(drop=True)  # columns first: never copy the long licence lists
    usage["license"] = long["license"].array
    usage["quantity"] = long["quantity"].to_numpy()
    return frame, usage[USAGE_COLUMNS]


def usage(
    frame: pd.DataFrame, raw: RawTable, mapped: dict[str, int], rej: RowRejects, warnings: list[str], settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    _fill_from_udi(frame, "instance_name")
    frame["host"] = _host(frame, "instance_name")
    frame["quantity"] = frame["quantity"].fillna(1).astype("Int64")
    catalyst = [c for c in ("network_license", "dna_level") if c in mapped]
    if catalyst:
        # Catalyst Center: one usage row per non-empty licence column; "Advantage" alone gets its family name.
        # Rows come out by source row, then licence column: a row-major walk of the (row, column) "has a licence"
        # grid, so the wide frame is copied once, by one take, and never sorted.
        present, texts = [], []
        if "license" in mapped:
            present.append(frame["license"].notna().to_numpy())
            texts.append(arrowtext.arrow(frame["license"]))
        for col, family in (("network_license", "Network"), ("dna_level", "DNA")):
            if col not in catalyst:
                continue
            value = arrowtext.arrow(frame[col])
            named = pc.binary_join_element_wise(
                pa.scalar(family, pa.large_string()), value, pa.scalar(" ", pa.large_string())
            )
            plain = pc.invert(pc.match_substring(value, family, ignore_case=True))
            present.append(frame[col].notna().to_numpy())
            texts.append(pc.if_else(plain, named, value))
        pos, part = np.divmod(np.flatnonzero(np.column_stack(present)), len(present))
        chunks = [c for t in texts for c in (t.chunks if isinstance(t, pa.ChunkedArray) else [t])]
        licence = pa.chunked_array(chunks, type=pa.large_string()).take(pa.array(part * len(frame) + pos))
        frame = frame.iloc[pos].reset_index(drop=True)
        frame["license"] = pd.array(licence, dtype="str")
    return frame, None


def reservations(
    frame: pd.DataFrame, raw: RawTable, mapped: dict[str, int], rej: RowRejects, warnings: list[str], settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    frame["serial"] = frame["serial"].fillna(
        normalise.normalise_serial(normalise.parse_udi(frame["udi"].fillna("").astype(str))["serial"].fillna(""))
    )
    _fill_from_udi(frame, "instance_name")
    frame["host"] = _host(frame, "instance_name")
    frame["quantity"] = frame["quantity"].fillna(1).astype("Int64")
    return frame, None


def inventory(
    frame: pd.DataFrame, raw: RawTable, mapped: dict[str, int], rej: RowRejects, warnings: list[str], settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    _fill_from_udi(frame, "hostname")
    frame["host"] = _host(frame, "hostname")
    bucket, unknown = normalise.lifecycle(frame["status"], settings.lifecycle_extra or None)
    cat = bucket.array  # a categorical: its words taken by code, not converted cell by cell
    words = pa.array(list(cat.categories), type=pa.large_string())
    frame["lifecycle"] = pd.array(words.take(pa.array(cat.codes, mask=cat.codes < 0)), dtype="str")
    if unknown.any():
        warnings.append(_count_words(frame.loc[unknown.to_numpy(), "status"], "records with an unknown status"))
    stem = raw.file.rsplit("/", 1)[-1]
    if "source" in mapped:
        frame["source"] = frame["source"].fillna(stem)
    else:  # no such column: every cell is the file's name (an object column, as fillna leaves a column of None)
        frame["source"] = pd.Series(filled(len(frame), stem), index=frame.index, dtype=object)
    frame["owner_column"] = "owner" in mapped
    return frame, None


def licenses(
    frame: pd.DataFrame, raw: RawTable, mapped: dict[str, int], rej: RowRejects, warnings: list[str], settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    frame["license_class"] = (
        normalise.license_class(frame["license_type"].fillna("").astype(str)).astype(str).to_numpy()
    )
    return frame, None


def _departed(frame: pd.DataFrame, mapped: dict[str, int], warnings: list[str]) -> pd.DataFrame:
    if "status" in mapped:
        departed, unknown = normalise.departed_status(frame["status"].fillna("").astype(str))
        frame["departed"] = departed.to_numpy()
        if unknown.any():
            warnings.append(_count_words(frame.loc[unknown.to_numpy(), "status"], "rows with an unknown status word"))
    else:
        frame["departed"] = pd.array([pd.NA] * len(frame), dtype="boolean")
    for col in ("email", "user"):
        if col in frame:
            frame[col + "_key"] = frame[col].str.strip().str.lower()
    return frame


def users(
    frame: pd.DataFrame, raw: RawTable, mapped: dict[str, int], rej: RowRejects, warnings: list[str], settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    frame = _departed(frame, mapped, warnings)
    frame["status_column"] = "status" in mapped
    return frame, None


def roster(
    frame: pd.DataFrame, raw: RawTable, mapped: dict[str, int], rej: RowRejects, warnings: list[str], settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    return _departed(frame, mapped, warnings), None


DERIVERS: dict[str, Deriver] = {
    "instances": instances,
    "usage": usage,
    "reservations": reservations,
    "inventory": inventory,
    "licenses": licenses,
    "users": users,
    "roster": roster,
}
