"""Derived columns per kind: match keys, lifecycle, reservation flags, usage rows from licence lists."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core import normalise
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


def _fill_from_udi(frame: pd.DataFrame, name_col: str) -> None:
    """`UDI_PID:C9300-48P; UDI_SN:FOC2134X0AB;` names give serial and pid where those are missing."""
    udi = normalise.parse_udi(frame[name_col].fillna("").astype(str))
    frame["serial"] = frame["serial"].fillna(normalise.normalise_serial(udi["serial"].fillna("").astype(str)))
    if "pid" in frame:
        frame["pid"] = frame["pid"].fillna(udi["pid"])


def _host(frame: pd.DataFrame, col: str) -> pd.Series:
    return normalise.normalise_host(frame[col].fillna("").astype(str))


def _instance_ids(frame: pd.DataFrame) -> pd.Series:
    """`source_file#source_row`, joined by Arrow (pandas would print every row number in Python)."""
    rows = pc.cast(pa.array(frame["source_row"].to_numpy()), pa.large_string())
    files = pa.array(frame["source_file"].astype("str"), type=pa.large_string(), from_pandas=True)
    ids = pc.binary_join_element_wise(files, rows, pa.scalar("#", pa.large_string()))
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
    frame["reserved"] = normalise.reserved_status(frame["status"].fillna("").astype(str)).to_numpy()
    frame["instance_id"] = _instance_ids(frame)
    if "licenses" not in mapped:
        return frame, None
    try:
        long, bad = normalise.split_license_list(frame["licenses"].fillna("").astype(str), max_rows=MAX_USAGE_ROWS)
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
    usage["license"] = long["license"].to_numpy()
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
        # The rows are picked by position and ordered once (by source row, then licence column), so the wide
        # frame is copied once, not once per licence column and again to sort.
        rows, licences = [], []
        if "license" in mapped:
            rows.append(np.flatnonzero(frame["license"].notna().to_numpy()))
            licences.append(frame["license"].iloc[rows[-1]])
        for col, family in (("network_license", "Network"), ("dna_level", "DNA")):
            if col not in catalyst:
                continue
            rows.append(np.flatnonzero(frame[col].notna().to_numpy()))
            value = frame[col].iloc[rows[-1]].astype(str)
            plain = ~value.str.contains(family, case=False, regex=False)
            licences.append(value.where(~plain, family + " " + value))
        pos = np.concatenate(rows)
        part = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
        order = np.lexsort((part, frame["source_row"].to_numpy()[pos]))  # stable: a row's columns keep their order
        licence = pd.concat(licences, ignore_index=True).iloc[order].reset_index(drop=True)
        frame = frame.iloc[pos[order]].reset_index(drop=True)
        frame["license"] = licence
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
    bucket, unknown = normalise.lifecycle(frame["status"].fillna("").astype(str), settings.lifecycle_extra or None)
    frame["lifecycle"] = bucket.astype(str).array
    if unknown.any():
        warnings.append(_count_words(frame.loc[unknown.to_numpy(), "status"], "records with an unknown status"))
    stem = raw.file.rsplit("/", 1)[-1]
    frame["source"] = frame["source"].fillna(stem)
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
