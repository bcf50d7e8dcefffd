"""Steps 1–3 of the audit for product instances: link usage, staleness, duplicates, device findings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core import keys
from core.findings_model import finding_rows
from core.match import KeySpace, explode_serials, host_pairs, match_instances, take
from core.schema import normalise_header
from core.settings import Settings

REMOVAL_ORDER = ("DECOMMISSIONED", "DUPLICATE_REGISTRATION", "STALE_NOT_IN_INVENTORY")
_SCOPE = ["smart_account", "virtual_account"]
USAGE_POOL = [*_SCOPE, "license"]  # what a usage row's licence class and pool depend on
# The instance columns finding_rows reads.
_FINDING_SOURCE = [
    "instance_id", "smart_account", "virtual_account", "instance_name", "serial", "host", "units", "removal",
    "source_file", "source_row",
]  # fmt: skip


@dataclass(frozen=True, eq=False)
class Link:
    """Which product instance each usage row belongs to."""

    code: np.ndarray  # per usage row, a position in `ids`; -1 when the row matches no instance
    ids: pd.Series  # the distinct instance_ids

    def instance_ids(self) -> pd.Series:
        """instance_id per usage row (object; missing when none)."""
        return pd.Series(pd.api.extensions.take(self.ids.to_numpy(dtype=object), self.code, allow_fill=True))

    def among(self, instance_ids: pd.Series) -> np.ndarray:
        """Per usage row: it belongs to one of these instance_ids."""
        wanted = keys.isin(self.ids, instance_ids)
        return np.append(wanted, False)[self.code]


def license_classes(licenses: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Licence class per (SA, VA, licence key) and per licence key where all Virtual Accounts agree."""
    lic = licenses.assign(key=licenses["license"].map(normalise_header))
    pool = lic.groupby(["smart_account", "virtual_account", "key"])["license_class"].first()
    per_key = lic.groupby("key")["license_class"].agg(lambda c: c.iloc[0] if c.nunique() == 1 else "unknown")
    return pool, per_key


def _lookup(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Position of each value's first occurrence in `table` (int64 keys), -1 when absent."""
    first = ~pd.Series(table).duplicated().to_numpy()
    hit = pd.Index(table[first]).get_indexer(values)
    return np.where(hit >= 0, np.flatnonzero(first)[hit], -1)


@dataclass(frozen=True, eq=False)
class _Ids:
    """The instances' ids as codes, one per row (first appearances in order), the distinct ids, and, when every
    id is `source_file#source_row`, that pair as one int per row (`key`, with `files` and `width`)."""

    code: np.ndarray
    distinct: pd.Series
    key: np.ndarray | None = None
    files: dict[str, int] | None = None
    width: int = 0


def _made_of_file_and_row(inst: pd.DataFrame) -> bool:
    """True when every instance_id is `source_file#source_row` (as ingestion makes it)."""
    rows = pc.cast(pa.array(inst["source_row"].to_numpy()), pa.large_string())
    made = pc.binary_join_element_wise(keys.arrow_text(inst["source_file"]), rows, pa.scalar("#", pa.large_string()))
    same = pc.equal(made, keys.arrow_text(inst["instance_id"]))
    return bool(pc.all(pc.fill_null(same, False)).as_py())


def _ids(inst: pd.DataFrame) -> _Ids:
    ids = inst["instance_id"]
    rows = inst["source_row"].to_numpy()
    if not len(inst) or rows.dtype.kind not in "iu" or rows.min() < 0 or not _made_of_file_and_row(inst):
        code, distinct = pd.factorize(ids)
        return _Ids(np.asarray(code, dtype=np.int64), pd.Series(distinct, dtype=ids.dtype))
    file_code, files = pd.factorize(inst["source_file"])
    width = int(rows.max()) + 1
    key = file_code.astype(np.int64) * width + rows
    code, distinct_keys = pd.factorize(key)
    first = np.empty(len(distinct_keys), dtype=np.int64)
    first[code[::-1]] = np.arange(len(code))[::-1]
    distinct = ids.iloc[first].reset_index(drop=True)
    return _Ids(np.asarray(code, dtype=np.int64), distinct, key, {f: i for i, f in enumerate(files)}, width)


def _own_rows(usage: pd.DataFrame, inst: pd.DataFrame, ids: _Ids) -> np.ndarray:
    """Per usage row, the instances row whose instance_id is the usage row's own `source_file#source_row`
    (a licence list's rows belong to the instance they came from); -1 when none."""
    if ids.key is None or ids.files is None:  # ids not built from file and row: compare the text
        own = usage["source_file"].astype(str) + "#" + usage["source_row"].astype(str)
        own_code, id_code = keys.encode(own, inst["instance_id"])
        first = np.full(int(max(id_code.max(initial=-1), own_code.max(initial=-1))) + 2, -1, dtype=np.int64)
        first[id_code[::-1]] = np.arange(len(id_code))[::-1]  # -1 codes land in the spare last slot
        first[-1] = -1
        return first[own_code]
    file_code, files = pd.factorize(usage["source_file"])
    file_code = np.array([ids.files.get(f, -1) for f in files] + [-1], dtype=np.int64)[file_code]
    rows = usage["source_row"].to_numpy()
    known = (file_code >= 0) & (rows >= 0) & (rows < ids.width)
    return _lookup(np.where(known, file_code * ids.width + rows, -1), ids.key)


def _smallest_id(cand_u: np.ndarray, cand_i: np.ndarray, ids: pd.Series, n: int) -> np.ndarray:
    """Per usage position (0..n-1), the candidate instances row with the smallest instance_id; -1 when none."""
    out = np.full(n, -1, dtype=np.int64)
    count = np.bincount(cand_u, minlength=n)
    one = count[cand_u] == 1
    out[cand_u[one]] = cand_i[one]
    many = pd.DataFrame({"u": cand_u[~one], "i": cand_i[~one], "id": ids.to_numpy()[cand_i[~one]]})
    best = many.sort_values(["u", "id"]).drop_duplicates("u")
    out[best["u"].to_numpy()] = best["i"].to_numpy()
    return out


def link_rows(
    usage: pd.DataFrame, instances: pd.DataFrame, space: KeySpace | None = None, ids: _Ids | None = None
) -> np.ndarray:
    """Per usage row, the instances row it belongs to (-1 when none): its own row, else the instance in the
    same VA sharing a serial member, else one with the same host (the smallest instance_id on ties).

    `space`, `ids`: the instances' KeySpace and ids, when the caller already has them."""
    linked = _own_rows(usage, instances, ids or _ids(instances))
    todo = np.flatnonzero(linked < 0)
    if not len(todo) or instances.empty:
        return linked
    t = usage[["serial", "host", *_SCOPE]].iloc[todo]
    space = space or KeySpace.of(instances)
    tk, ik = space.lookup(t), space.base

    a, b = keys.join(tk.member, ik.member)
    u, i = tk.member_row[a], ik.member_row[b]
    same = _same_scope(t, instances, u, i)
    found = _smallest_id(u[same], i[same], instances["instance_id"], len(t))

    rest = (found < 0) & t["host"].notna().to_numpy()
    u, i = host_pairs(tk.host, ik.host, np.flatnonzero(rest), np.arange(len(instances)))
    same = _same_scope(t, instances, u, i)
    by_host = _smallest_id(u[same], i[same], instances["instance_id"], len(t))
    linked[todo] = np.where(found >= 0, found, by_host)
    return linked


def _same_scope(left: pd.DataFrame, right: pd.DataFrame, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Per pair (left row i, right row j): same Smart Account and Virtual Account (missing equals missing,
    as a merge on those columns has it)."""
    same = np.ones(len(i), dtype=bool)
    for c in _SCOPE:
        coded = keys.scope_codes(left[c], right[c])
        if coded is not None:
            same &= coded[0][i] == coded[1][j]
            continue
        a, b = left[c].to_numpy(dtype=object)[i], right[c].to_numpy(dtype=object)[j]
        same &= (a == b) | (pd.isna(a) & pd.isna(b))
    return same


def link_usage(usage: pd.DataFrame, instances: pd.DataFrame) -> pd.Series:
    """instance_id for every usage row: its own instances row, else serial then hostname in the same VA."""
    rows = link_rows(usage, instances)
    ids = pd.api.extensions.take(instances["instance_id"].to_numpy(dtype=object), rows, allow_fill=True)
    return pd.Series(ids, index=usage.index, dtype=object)


def _perpetual_only(
    usage: pd.DataFrame, code: np.ndarray, licenses: pd.DataFrame, n: int, groups: keys.Groups | None
) -> np.ndarray:
    """Per instance code (0..n-1): True when every licence it consumes is perpetual (unknown types count
    as not). `code` is the instance code of each usage row, -1 for a row linked to none; `groups` groups the
    usage rows by smart_account, virtual_account and license."""
    used = code >= 0
    if not used.any() or licenses.empty:
        return np.zeros(n, dtype=bool)
    pool, per_key = license_classes(licenses)
    groups = groups or keys.Groups.of(usage, USAGE_POOL)
    distinct = usage[USAGE_POOL].iloc[groups.first]  # one row per distinct (SA, VA, licence): looked up once each
    key = distinct["license"].map(normalise_header)
    idx = pd.MultiIndex.from_arrays([distinct["smart_account"], distinct["virtual_account"], key])
    cls = pd.Series(pool.reindex(idx).to_numpy(), index=distinct.index)
    cls = cls.fillna(key.map(per_key)).fillna("unknown")
    not_perpetual = ~cls.eq("perpetual").to_numpy()[groups.code[used]]
    has = np.bincount(code[used], minlength=n) > 0
    return has & ~(np.bincount(code[used][not_perpetual], minlength=n) > 0)


_DUP_COLUMNS = ["instance_id", "member", "keeper"]


# Which copy of a shared serial is kept: the latest contact, then SA, VA and name, then the row's own content
# (a copy with a licence list before one without), so the choice never depends on the order of the rows.
_KEEP_BY = ["last_contact", "smart_account", "virtual_account", "instance_name", "licenses", "serial", "pid", "status"]


def _keeper_sort(m: pd.DataFrame) -> pd.DataFrame:
    """Every copy of a shared serial member with the copy kept first (see _KEEP_BY)."""
    by = [c for c in _KEEP_BY if c in m]
    m = m.sort_values(
        ["member", *by, "instance_id"],
        ascending=[True, *(c != "last_contact" for c in by), True],
        na_position="last",
    )
    m["keeper"] = m.groupby("member")["instance_id"].transform("first")
    return m


def _duplicates(inst: pd.DataFrame, code: np.ndarray, space: KeySpace) -> pd.DataFrame:
    """Copies of a serial registered more than once: all but the latest contact (tie: SA, VA, name).

    Columns instance_id, member, keeper, then row and keeper_row: the copy's and the kept copy's rows in
    `inst` (whose ids are unique). `space` is the KeySpace of `inst`.
    """
    row, mcode = space.base.member_row, space.base.member
    first = keys.first_of_pairs(code[row], mcode)
    row, mcode = row[first], mcode[first]
    shared = np.bincount(mcode)[mcode] > 1
    if not shared.any():
        return pd.DataFrame(columns=[*_DUP_COLUMNS, "row", "keeper_row"])
    row = row[shared]
    cols = ["instance_id", *(c for c in _KEEP_BY if c in inst)]
    m = inst[cols].iloc[row].reset_index(drop=True)
    m.insert(1, "member", pd.array(space.members.take(pa.array(mcode[shared])), dtype="str"))
    m["row"] = row
    m = _keeper_sort(m)
    m["keeper_row"] = m.groupby("member")["row"].transform("first")
    dup = m[m["instance_id"] != m["keeper"]].drop_duplicates("instance_id")
    return dup[[*_DUP_COLUMNS, "row", "keeper_row"]]


def _duplicates_plain(inst: pd.DataFrame) -> pd.DataFrame:
    """_duplicates for an instances table whose ids repeat (one file read twice): merges on the id."""
    members = explode_serials(inst, "instance_id")
    members = members[members.duplicated("member", keep=False)]
    if members.empty:
        return pd.DataFrame(columns=_DUP_COLUMNS)
    cols = ["instance_id", *(c for c in _KEEP_BY if c in inst)]
    m = _keeper_sort(members.merge(inst[cols], on="instance_id"))
    dup = m[m["instance_id"] != m["keeper"]].drop_duplicates("instance_id")
    return dup[_DUP_COLUMNS]


_KEEPER = {
    "instance_name": "keeper_name",
    "smart_account": "keeper_sa",
    "virtual_account": "keeper_va",
    "last_contact": "keeper_contact",
    "member": "dup_serial",
}


def _with_duplicates(inst: pd.DataFrame, code: np.ndarray, space: KeySpace | None) -> pd.DataFrame:
    """inst with dup_serial, keeper, keeper_name, keeper_sa, keeper_va, keeper_contact (missing when kept)."""
    keeper_cols = ["instance_name", "smart_account", "virtual_account", "last_contact"]
    if space is None:  # ids repeat: see _duplicates_plain
        dups = _duplicates_plain(inst).join(inst.set_index("instance_id")[keeper_cols], on="keeper")
        return inst.merge(dups.rename(columns=_KEEPER), on="instance_id", how="left")
    dups = _duplicates(inst, code, space)
    at = np.full(int(code.max(initial=-1)) + 1, -1, dtype=np.int64)
    if dups.empty:
        dups = dups[_DUP_COLUMNS].join(inst.iloc[:0].set_index("instance_id")[keeper_cols], on="keeper")
    else:
        at[code[dups["row"].to_numpy(dtype=np.int64)]] = np.arange(len(dups))
        kept = inst[keeper_cols].iloc[dups["keeper_row"].to_numpy(dtype=np.int64)].reset_index(drop=True)
        dups = pd.concat([dups[_DUP_COLUMNS].reset_index(drop=True), kept], axis=1)
    rows = at[code]
    for c in dups.columns[1:]:
        inst[_KEEPER.get(c, c)] = take(dups[c], rows)
    return inst


def _days_text(inst: pd.DataFrame) -> pd.Series:
    date = inst["last_contact"].dt.strftime("%Y-%m-%d")
    text = "last contact " + inst["days"].astype("Int64").astype(str) + " days ago (" + date + ")"
    return text.where(inst["last_contact"].notna(), "no last contact recorded")


def _masks(inst: pd.DataFrame) -> dict[str, np.ndarray]:
    """Which instances each instance finding holds for."""
    life, matched, stale = inst["lifecycle"], (inst["match"] != "none").to_numpy(), inst["stale"].to_numpy()
    owner = (inst["owner"].isna() & inst["owner_judged"]).to_numpy()
    return {
        "DECOMMISSIONED": life.eq("retired").to_numpy(),
        "DUPLICATE_REGISTRATION": inst["keeper"].notna().to_numpy(),
        "STALE_NOT_IN_INVENTORY": stale & (~matched | life.eq("not_in_service").to_numpy()),
        "STALE_IN_SERVICE": stale & life.isin(["in_service", "unknown"]).to_numpy(),
        "NOT_IN_INVENTORY": ~stale & ~matched,
        "NOT_IN_SERVICE": ~stale & matched & life.eq("not_in_service").to_numpy(),
        "INVENTORY_CONFLICT": life.eq("conflict").to_numpy(),
        "NO_OWNER": matched & life.eq("in_service").to_numpy() & owner,
    }


def _evidence(inst: pd.DataFrame) -> dict[str, pd.Series]:
    """The evidence text of each instance finding, for every row of `inst`."""
    matched = inst["match"] != "none"
    contact = _days_text(inst)
    policy = np.where(inst["perpetual_only"], "perpetual-only threshold", "term/subscription threshold")
    over = (contact + ", at or over the " + inst["threshold"].astype(str) + "-day " + policy).where(
        inst["last_contact"].notna(), contact
    )
    says = inst["inv_source"].astype(str) + " says '" + inst["inv_status"].astype(str).fillna("(no status)") + "'"
    return {
        "DECOMMISSIONED": says + "; " + contact,
        "DUPLICATE_REGISTRATION": "serial "
        + inst["dup_serial"].astype(str)
        + " is also registered as '"
        + inst["keeper_name"].astype(str)
        + "' in "
        + inst["keeper_sa"].astype(str)
        + " / "
        + inst["keeper_va"].astype(str)
        + " (last contact "
        + inst["keeper_contact"].dt.strftime("%Y-%m-%d").fillna("none")
        + "), which is kept; this copy: "
        + contact,
        "STALE_NOT_IN_INVENTORY": over + np.where(matched, "; " + says + " (not in service)", "; in no inventory file"),
        "STALE_IN_SERVICE": over + "; " + says + ": the device runs but licensing does not report",
        "NOT_IN_INVENTORY": contact + "; matched no inventory record by serial or hostname",
        "NOT_IN_SERVICE": contact + "; " + says,
        "INVENTORY_CONFLICT": says
        + " but "
        + inst["inv_in_service_source"].astype(str)
        + " says '"
        + inst["inv_in_service_status"].astype(str)
        + "'",
        "NO_OWNER": "in service per " + inst["inv_source"].astype(str) + "; no owner in any of its inventory records",
    }


def assess_instances(
    instances: pd.DataFrame,
    usage: pd.DataFrame,
    licenses: pd.DataFrame,
    inventory: pd.DataFrame,
    settings: Settings,
    usage_groups: keys.Groups | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, Link]:
    """Return (instance table, instance findings, which instance each usage row belongs to).

    usage_groups: the usage rows grouped by USAGE_POOL, when the caller has them."""
    inst = instances.reset_index(drop=True)  # a new frame (copy-on-write): columns added here stay here
    ids = _ids(inst)
    code, n = ids.code, len(ids.distinct)
    space = KeySpace.of(inst)
    rows = link_rows(usage, inst, space, ids)
    usage_code = np.where(rows >= 0, code[rows], -1)
    link = Link(usage_code, ids.distinct)

    matched = match_instances(inst, inventory, space, code)
    unique = n == len(inst)
    if unique:
        inst = pd.concat([inst, matched.drop(columns="instance_id")], axis=1)
    else:  # one file read twice: keep the merge on the id, rows and all
        inst = inst.merge(matched, on="instance_id", how="left")
        code = pd.factorize(inst["instance_id"])[0]  # first appearances keep their order: same codes

    used = usage_code >= 0
    inst["perpetual_only"] = _perpetual_only(usage, usage_code, licenses, n, usage_groups)[code]
    quantity = usage["quantity"].to_numpy(dtype="float64", na_value=0.0)
    units = np.bincount(usage_code[used], weights=quantity[used], minlength=n)
    inst["units"] = np.rint(units[code]).astype("int64")
    as_of = pd.Timestamp(settings.as_of)
    inst["days"] = (as_of - inst["last_contact"]).dt.days.astype("Int64")
    inst["threshold"] = np.where(inst["perpetual_only"], settings.perpetual_stale_days, settings.stale_days)
    reached = (inst["days"] >= inst["threshold"]).fillna(True).astype(bool)
    inst["stale"] = ~inst["reserved"].astype(bool) & reached
    inst = _with_duplicates(inst, code, space if unique else None)

    masks = _masks(inst)
    removal = pd.Series(pd.NA, index=inst.index, dtype="object")
    for rule in reversed(REMOVAL_ORDER):
        removal = removal.mask(masks[rule], rule)
    inst["removal"] = removal
    inst["removable"] = removal.notna()
    hit = np.logical_or.reduce(list(masks.values()))
    sub = inst[hit]  # evidence is written only for the instances that have a finding
    evidence = _evidence(sub)
    rules = [(rule, pd.Series(m[hit], index=sub.index), evidence[rule]) for rule, m in masks.items()]
    findings = finding_rows(sub[_FINDING_SOURCE], rules)
    return inst, findings, link
