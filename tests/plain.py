"""The plain path: the straightforward pandas implementations the fast paths replaced, kept only as an oracle.

Each function here is the code as first written (row-wise string operations, merges on text keys, pandas'
own CSV writer and openpyxl's own cell reader). tests/integration/test_fast_path.py checks that every fast
path gives exactly what its plain counterpart gives on tricky inputs. Nothing in core imports this module.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.dates import (
    _EPOCH,
    _FAMILIES,
    _MONTH_DAYS,
    _NUMERIC,
    DATE_DTYPE,
    MONTH_NUMBERS,
    ORDERS,
    _days_since_epoch,
    _offset_minutes,
)
from core.match import _PRIORITY, MATCH_COLUMNS
from core.normalise import (
    _SERIAL_SEP,
    _UDI_PID,
    _UDI_SN,
    _UDI_TAG,
    LIFECYCLE_BUCKETS,
    SERVICENOW_INSTALL_STATUS,
    TooManyItems,
    _key,
    _license_items,
    as_text,
    extract,
    matches,
    on_unique,
    sub,
    to_ints,
)
from core.plan import _TOKENS
from core.schema import LIFECYCLE, MISSING_MARKERS, normalise_header

# --- normalise ---------------------------------------------------------------------------------------------


def missing_mask(s: pd.Series) -> pd.Series:
    """True where the cell is empty, whitespace or a missing marker (NA, N/A, null, None, Never, -)."""
    t = as_text(s)
    return t.isna() | t.str.strip().str.lower().isin(MISSING_MARKERS)


def clean_text(s: pd.Series) -> pd.Series:
    """Trimmed text; missing markers become missing."""
    t = as_text(s).str.strip()
    return t.mask(missing_mask(t))


def _join_members(cells: pd.Series) -> pd.Series:
    """A stack's members, SN: prefixes and repeats dropped, joined by "," per cell (a Python join per cell)."""
    lists = pc.split_pattern_regex(pa.array(cells, type=pa.large_string(), from_pandas=True), _SERIAL_SEP)
    parts = pd.Series(pd.array(pc.list_flatten(lists), dtype="str"), index=np.asarray(pc.list_parent_indices(lists)))
    parts = sub(parts, r"^SN\s*:\s*", "")
    members = pd.DataFrame({"cell": parts.index, "member": parts.to_numpy()})
    members = members[members["member"] != ""].drop_duplicates()
    joined = members.groupby("cell", sort=False)["member"].agg(",".join)
    return joined.reindex(range(len(cells))).astype("str")


def normalise_serial(s: pd.Series) -> pd.Series:
    """Upper-case serial, leading `SN:` dropped, leading zeros kept; a stack's members joined by ","."""
    t = sub(clean_text(s).str.upper(), r"^(?:S/N|SN)\s*:\s*", "")
    stack = matches(t, _SERIAL_SEP)
    if stack.any():
        t = t.copy()
        t[stack] = on_unique(t[stack], _join_members)
    return t.mask(t == "")


def parse_udi(s: pd.Series) -> pd.DataFrame:
    """`pid` and `serial` from a UDI-style name ("UDI_PID:C9300-48P; UDI_SN:FOC2134X0AB;"), else missing."""
    pid = extract(s, _UDI_PID)["pid"]
    serial = normalise_serial(extract(s, _UDI_SN)["serial"])
    return pd.DataFrame({"pid": pid, "serial": serial}, index=s.index)


def is_udi(s: pd.Series) -> pd.Series:
    """True where the cell carries a UDI tag (PID: or SN:, optionally UDI_-prefixed)."""
    return pd.Series(matches(s, _UDI_TAG), index=s.index, name=s.name)


def normalise_host(s: pd.Series) -> pd.Series:
    """Host match key: lower-case first DNS label; an IP address stays whole; a UDI-style name is missing."""
    t = clean_text(s).str.lower()
    ip = matches(t, r"^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]*:[0-9a-f:.]*:[0-9a-f:.]*)$")
    host = t.where(ip, sub(t, r"\..*$", "").str.strip())
    return host.mask(matches(t, _UDI_TAG) | (host == ""))


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
    t = clean_text(status)
    bucket = on_unique(t, lambda u: _key(sub(u, r"^(\d+)\.0+$", r"\1")).map(vocab).astype("str"))
    missing = t.isna().to_numpy()
    unknown = ~missing & bucket.isna().to_numpy()
    labels = np.where(missing, "in_service", np.where(unknown, "unknown", bucket.to_numpy(dtype=object)))
    cat = pd.Categorical(labels, categories=list(LIFECYCLE_BUCKETS))
    return pd.Series(cat, index=status.index, name=status.name), pd.Series(unknown, index=status.index)


def reserved_status(status: pd.Series) -> pd.Series:
    """True where an instance status mentions a licence reservation (SLR, PLR, Reserved, Reservation)."""
    t = clean_text(status).str.lower()
    says = matches(t, r"(?:^|[^a-z])(?:slr|plr|reserved|reservation)(?:[^a-z]|$)")
    negated = matches(t, r"(?:^|[^a-z])(?:not|non)[\s_-]*reserv")
    return pd.Series(says & ~negated, index=status.index, name=status.name)


def split_license_list(s: pd.Series, name: str = "row", max_rows: int | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """Usage rows from licence-list cells: each row joined to its cell's items by a merge."""
    codes, uniques = pd.factorize(clean_text(s), use_na_sentinel=True)
    items, cell_bad = _license_items(pd.Series(uniques, dtype="str"))
    per_cell = np.bincount(items["cell"].to_numpy(dtype=np.int64), minlength=len(uniques) + 1)
    if max_rows is not None and int(per_cell[codes[codes >= 0]].sum()) > max_rows:
        raise TooManyItems(int(per_cell[codes[codes >= 0]].sum()))
    merged = pd.DataFrame({"pos": np.arange(len(s)), "cell": codes})[codes >= 0].merge(items, on="cell", sort=False)
    license, quantity = merged["license"].astype("str").to_numpy(), merged["quantity"].astype("Int64").array
    frame = pd.DataFrame({name: s.index.take(merged["pos"].to_numpy()), "license": license, "quantity": quantity})
    return frame, pd.Series(np.append(cell_bad, False)[codes], index=s.index, name=s.name)


# --- reading ------------------------------------------------------------------------------------------------


def repeats(frame: pd.DataFrame) -> np.ndarray:
    """Positions of the rows equal cell for cell to an earlier row."""
    return np.flatnonzero(frame.duplicated(keep="first").to_numpy())


def mentions_total(first: pd.Series) -> np.ndarray:  # whether a row's first cell says "total"
    return first.str.contains("total", case=False, regex=False).to_numpy(dtype=bool)


# --- dates -------------------------------------------------------------------------------------------------


def _to_dates(y: np.ndarray, m: np.ndarray, d: np.ndarray, fields: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """UTC dates (datetime64[D]) and validity from calendar fields plus the time / AM-PM / offset groups."""
    hour, minute, second = to_ints(fields["H"]), to_ints(fields["M"]), to_ints(fields["S"])
    has_ampm = fields["ampm"].notna().to_numpy()
    pm = fields["ampm"].str.lower().str.startswith("p").fillna(False).to_numpy(dtype=bool)
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(m, 1, 12) - 1] + ((m == 2) & leap)
    valid = (m >= 1) & (m <= 12) & (d >= 1) & (d <= month_days) & (hour <= 23) & (minute <= 59) & (second <= 60)
    valid &= ~has_ampm | ((hour >= 1) & (hour <= 12))
    hour = np.where(has_ampm, hour % 12 + 12 * pm, hour)
    minutes = _days_since_epoch(y, m, d) * 1440 + hour * 60 + minute - _offset_minutes(fields["tz"])
    return (minutes // 1440).astype("datetime64[D]"), valid


def _month_numbers(mon: pd.Series) -> np.ndarray:
    return np.asarray(mon.str.lower().map(MONTH_NUMBERS).fillna(-1), dtype="int64")


def _parse_unique(values: pd.Series, order: str | None) -> pd.Series:
    """UTC dates for distinct, trimmed, non-missing values; NaT where no family parses the value."""
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[D]")
    todo = np.ones(len(values), dtype=bool)

    epoch = matches(values, _EPOCH)
    if epoch.any():
        digits = to_ints(values[epoch])
        per_day = np.where(values[epoch].str.len().to_numpy() >= 12, 86_400_000, 86_400)
        out[epoch] = (digits // per_day).astype("datetime64[D]")
        todo &= ~epoch

    for pattern in (*_FAMILIES, _NUMERIC):
        if not todo.any():
            break
        where = np.flatnonzero(todo)
        where = where[matches(values.iloc[where], pattern)]
        if not len(where):
            continue
        todo[where] = False
        fields = extract(values.iloc[where], pattern)
        y = to_ints(fields["y"])
        if pattern == _NUMERIC:
            if order not in ORDERS:
                continue  # undecidable without the file's order: stays NaT, so reported bad
            y = np.where(y < 100, np.where(y < 69, 2000 + y, 1900 + y), y)
            a, b = to_ints(fields["a"]), to_ints(fields["b"])
            d, m = (a, b) if order == "DMY" else (b, a)
        else:
            d, m = to_ints(fields["d"]), (to_ints(fields["m"]) if "m" in fields else _month_numbers(fields["mon"]))
        dates, valid = _to_dates(y, m, d, fields)
        out[where[valid]] = dates[valid]
    return pd.Series(out.astype(DATE_DTYPE))


def parse_dates(s: pd.Series, order: str | None) -> tuple[pd.Series, pd.Series]:
    """UTC dates (datetime64 at midnight, tz-naive) and a bad mask; missing markers are NaT and not bad.

    `order` ("DMY" / "MDY") reads numeric day/month values such as 03/04/2026; with None they are bad.
    """
    order = order.strip().upper() if order else None
    if order is not None and order not in ORDERS:
        raise ValueError(f"date order must be one of {', '.join(ORDERS)} or None, not {order!r}")
    text = as_text(s).str.strip()
    text = text.mask(missing_mask(text))
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    parsed = _parse_unique(pd.Series(uniques, dtype="str"), order).to_numpy()
    dates = np.append(parsed, np.datetime64("NaT"))[codes]  # code -1 (a missing cell) picks the appended NaT
    bad = (codes >= 0) & np.isnat(dates)
    return pd.Series(dates.astype(DATE_DTYPE), index=s.index, name=s.name), pd.Series(bad, index=s.index)


def detect_day_month_order(s: pd.Series) -> str | None:
    """Day/month order proven by a column's numeric dates: "DMY", "MDY", "conflict", None (undecided) or "n/a".

    A first part > 12 proves DMY, a second part > 12 proves MDY; "n/a" means no numeric day/month values.
    """
    text = as_text(s).str.strip()
    uniques = pd.Series(text[~missing_mask(text)].unique(), dtype="str")
    parts = extract(uniques[matches(uniques, _NUMERIC)], _NUMERIC)
    if parts.empty:
        return "n/a"
    a, b = to_ints(parts["a"]), to_ints(parts["b"])
    dmy = bool(((a > 12) & (a <= 31) & (b >= 1) & (b <= 12)).any())
    mdy = bool(((b > 12) & (b <= 31) & (a >= 1) & (a <= 12)).any())
    if dmy and mdy:
        return "conflict"
    return "DMY" if dmy else "MDY" if mdy else None


# --- matching ----------------------------------------------------------------------------------------------


def explode_serials(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """One row per (key, serial member) for the rows that have a serial."""
    s = frame[[key, "serial"]].dropna(subset=["serial"])
    out = s.assign(member=s["serial"].astype(str).str.split(",")).explode("member")
    out = out[out["member"].astype(str).str.len() > 0]
    return out[[key, "member"]].drop_duplicates()


def match_pairs(left: pd.DataFrame, key: str, inventory: pd.DataFrame) -> pd.DataFrame:
    """(key, rec, how) pairs: `left` rows (with serial and host columns) to inventory record numbers."""
    inv = inventory.assign(rec=range(len(inventory)))
    by_serial = (
        explode_serials(left, key)
        .merge(explode_serials(inv, "rec"), on="member", how="inner")[[key, "rec"]]
        .drop_duplicates()
    )
    by_serial["how"] = "serial"
    lh = left[[key, "host", "serial"]].dropna(subset=["host"])
    ih = inv[["rec", "host", "serial"]].dropna(subset=["host"])
    by_host = lh.merge(ih, on="host", how="inner", suffixes=("_l", "_r"))
    by_host = by_host[by_host["serial_l"].isna() | by_host["serial_r"].isna()][[key, "rec"]].drop_duplicates()
    by_host["how"] = "hostname"
    pairs = pd.concat([by_serial, by_host], ignore_index=True)
    return pairs.drop_duplicates(subset=[key, "rec"], keep="first")


def match_instances(instances: pd.DataFrame, inventory: pd.DataFrame) -> pd.DataFrame:
    """Per instance: match type, combined device lifecycle, first owner and the records that say so."""
    base = pd.DataFrame({"instance_id": instances["instance_id"].to_numpy()})
    if inventory.empty or instances.empty:
        out = base.assign(
            match="none",
            lifecycle=None,
            owner=None,
            owner_judged=False,
            inv_source=None,
            inv_status=None,
            inv_in_service_source=None,
            inv_in_service_status=None,
            inv_records=0,
        )
        return out[MATCH_COLUMNS]
    pairs = match_pairs(instances, "instance_id", inventory)
    rec = inventory.reset_index(drop=True)
    p = pairs.join(rec[["lifecycle", "owner", "owner_column", "source", "status"]], on="rec")
    by_serial = pairs["how"].eq("serial").groupby(pairs["instance_id"]).any()
    how = by_serial.map({True: "serial", False: "hostname"})

    flags = (
        pd.DataFrame(
            {
                "instance_id": p["instance_id"],
                "retired": p["lifecycle"] == "retired",
                "in_service": p["lifecycle"] == "in_service",
                "not_in_service": p["lifecycle"] == "not_in_service",
            }
        )
        .groupby("instance_id")
        .any()
    )
    life = pd.Series("unknown", index=flags.index, dtype="object")
    life[flags["not_in_service"]] = "not_in_service"
    life[flags["in_service"]] = "in_service"
    life[flags["retired"]] = "retired"
    life[flags["retired"] & flags["in_service"]] = "conflict"

    files = rec["source_file"] if "source_file" in rec else pd.Series("", index=rec.index)
    file_rank = pd.factorize(files, use_na_sentinel=False)[0]  # files in the order they were given
    ordered = p.assign(prio=p["lifecycle"].map(_PRIORITY).fillna(4), file=file_rank[p["rec"].to_numpy()]).sort_values(
        ["instance_id", "prio", "file", "status", "source", "rec"], na_position="last"
    )
    first = ordered.groupby("instance_id").first()
    in_svc = ordered[ordered["lifecycle"] == "in_service"].groupby("instance_id").first()
    owners = p.dropna(subset=["owner"]).sort_values(["instance_id", "rec"]).groupby("instance_id")["owner"].first()
    judged = p.groupby("instance_id")["owner_column"].any()
    counts = p.groupby("instance_id").size()

    out = base.set_index("instance_id")
    out["match"] = how.reindex(out.index).fillna("none")
    out["lifecycle"] = life.reindex(out.index)
    out["owner"] = owners.reindex(out.index)
    out["owner_judged"] = judged.reindex(out.index).fillna(False).astype(bool)
    out["inv_source"] = first["source"].reindex(out.index)
    out["inv_status"] = first["status"].reindex(out.index)
    out["inv_in_service_source"] = in_svc["source"].reindex(out.index)
    out["inv_in_service_status"] = in_svc["status"].reindex(out.index)
    out["inv_records"] = counts.reindex(out.index).fillna(0).astype(int)
    return out.reset_index()[MATCH_COLUMNS]


def link_usage(usage: pd.DataFrame, instances: pd.DataFrame) -> pd.Series:
    """instance_id for every usage row: its own instances row, else serial then hostname in the same VA."""
    own = usage["source_file"].astype(str) + "#" + usage["source_row"].astype(str)
    linked = own.where(own.isin(set(instances["instance_id"])))
    todo = usage[linked.isna()].assign(uid=np.flatnonzero(linked.isna().to_numpy()))
    if todo.empty or instances.empty:
        return linked
    scope = ["smart_account", "virtual_account"]
    inst_members = explode_serials(instances, "instance_id").merge(instances[["instance_id", *scope]], on="instance_id")
    by_serial = (
        explode_serials(todo, "uid").merge(todo[["uid", *scope]], on="uid").merge(inst_members, on=["member", *scope])
    )
    first = by_serial.sort_values(["uid", "instance_id"]).drop_duplicates("uid").set_index("uid")["instance_id"]
    rest = todo[~todo["uid"].isin(first.index)].dropna(subset=["host"])
    by_host = rest[["uid", "host", *scope]].merge(
        instances[["instance_id", "host", *scope]].dropna(subset=["host"]), on=["host", *scope]
    )
    first_host = by_host.sort_values(["uid", "instance_id"]).drop_duplicates("uid").set_index("uid")["instance_id"]
    found = pd.concat([first, first_host])
    values = linked.to_numpy(dtype=object)
    values[found.index.to_numpy()] = found.to_numpy()
    return pd.Series(values, index=usage.index, dtype=object)


def _duplicates(inst: pd.DataFrame) -> pd.DataFrame:
    """Copies of a serial registered more than once: all but the latest contact (tie: SA, VA, name, content)."""
    members = explode_serials(inst, "instance_id")
    members = members[members.duplicated("member", keep=False)]
    if members.empty:
        return pd.DataFrame(columns=["instance_id", "member", "keeper"])
    tie = [c for c in ("licenses", "serial", "pid", "status") if c in inst]
    cols = ["instance_id", "last_contact", "smart_account", "virtual_account", "instance_name", *tie]
    m = members.merge(inst[cols], on="instance_id")
    m = m.sort_values(
        ["member", "last_contact", "smart_account", "virtual_account", "instance_name", *tie, "instance_id"],
        ascending=[True, False, True, True, True, *[True] * len(tie), True],
        na_position="last",
    )
    m["keeper"] = m.groupby("member")["instance_id"].transform("first")
    dup = m[m["instance_id"] != m["keeper"]].drop_duplicates("instance_id")
    return dup[["instance_id", "member", "keeper"]]


# --- plan ---------------------------------------------------------------------------------------------------


def _fill(template: pd.Series, frame: pd.DataFrame) -> pd.Series:
    """Vectorised template filling: one pass per distinct template, column by column."""
    out = pd.Series("", index=frame.index, dtype=object)
    for tmpl in template.unique():
        rows = (template == tmpl).to_numpy()
        acc = pd.Series("", index=frame.index[rows], dtype=object)
        for part in re.split(r"(\{[a-z]+\})", str(tmpl)):
            col = _TOKENS.get(part)
            acc = acc + (frame.loc[rows, col].astype(object).fillna("").astype(str) if col else part)
        out[rows] = acc
    return out
