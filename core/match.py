"""Step 2 of the audit: match registered product instances to the authoritative inventory.

Serial first (any stack member on either side), else the normalised hostname. A hostname match is only
trusted where one side has no serial: two boxes with different serials and a reused hostname are two devices.
All inventory records an instance matches are one device; their lifecycles combine into one verdict.

Matching runs on integer codes of the serial members and hosts (core.keys), never row by row on text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core import keys

MATCH_COLUMNS = [
    "instance_id",
    "match",
    "lifecycle",
    "owner",
    "owner_judged",
    "inv_source",
    "inv_status",
    "inv_in_service_source",
    "inv_in_service_status",
    "inv_records",
]

_PRIORITY = {"retired": 0, "in_service": 1, "not_in_service": 2, "unknown": 3}


def explode_serials(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """One row per (key, serial member) for the rows that have a serial."""
    pos, member = keys.members(frame["serial"])
    out = pd.DataFrame(
        {key: frame[key].to_numpy()[pos], "member": pd.array(member, dtype="str")}, index=frame.index[pos]
    )
    return out.drop_duplicates()


@dataclass(frozen=True, eq=False)
class Keys:
    """One frame's match keys as codes of a KeySpace: serial members (row, code) and a host code per row.
    A code is -1 where the text is missing or absent from the KeySpace (then it can match nothing there)."""

    member_row: np.ndarray
    member: np.ndarray
    host: np.ndarray
    no_serial: np.ndarray  # per row: the serial cell is missing


@dataclass(frozen=True, eq=False)
class KeySpace:
    """The serial members and hosts of one frame, hashed once; other frames are looked up in it."""

    members: pa.Array
    hosts: pa.Array
    base: Keys

    @classmethod
    def of(cls, frame: pd.DataFrame) -> KeySpace:
        row, text = keys.members(frame["serial"])
        member = pc.dictionary_encode(text)
        host = pc.dictionary_encode(keys.arrow_text(frame["host"]))
        base = Keys(row, keys.codes(member.indices), keys.codes(host.indices), frame["serial"].isna().to_numpy())
        return cls(member.dictionary, host.dictionary, base)

    def lookup(self, frame: pd.DataFrame) -> Keys:
        """`frame`'s keys in this space."""
        row, text = keys.members(frame["serial"])
        member = keys.codes(pc.index_in(text, value_set=self.members))
        host = keys.codes(pc.index_in(keys.arrow_text(frame["host"]), value_set=self.hosts))
        return Keys(row, member, host, frame["serial"].isna().to_numpy())


def pairs(left: Keys, right: Keys, left_key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(left key, right row, by serial) for every pair of rows that match: a shared serial member, else (one
    side without a serial) the same host. One pair per (key, right row), serial first.

    `left_key` (int codes, one per left row) says which left rows are one subject."""
    li, ri = keys.join(left.member, right.member)
    serial_key, serial_rec = left_key[left.member_row[li]], right.member_row[ri]
    hi, hj = keys.join(left.host, right.host)
    no_serial = left.no_serial[hi] | right.no_serial[hj]
    host_key, host_rec = left_key[hi[no_serial]], hj[no_serial]
    key = np.concatenate([serial_key, host_key])
    rec = np.concatenate([serial_rec, host_rec])
    by_serial = np.arange(len(key)) < len(serial_key)
    first = keys.first_of_pairs(key, rec)
    return key[first], rec[first], by_serial[first]


def match_pairs(left: pd.DataFrame, key: str, inventory: pd.DataFrame) -> pd.DataFrame:
    """(key, rec, how) pairs: `left` rows (with serial and host columns) to inventory record numbers."""
    codes, uniques = pd.factorize(left[key], use_na_sentinel=False)
    space = KeySpace.of(left)
    k, rec, by_serial = pairs(space.base, space.lookup(inventory), np.asarray(codes, dtype=np.int64))
    return pd.DataFrame(
        {
            key: pd.Index(uniques).take(k).to_numpy(),
            "rec": rec,
            "how": np.where(by_serial, "serial", "hostname").astype(object),
        }
    )


def _first_rows(group: np.ndarray, rows: np.ndarray, valid: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group, the first of `rows` (already in the wanted order) where `valid` holds; -1 when none."""
    g, r = group[valid], rows[valid]
    start = np.ones(len(g), dtype=bool)
    start[1:] = g[1:] != g[:-1]
    out = np.full(n_groups, -1, dtype=np.int64)
    out[g[start]] = r[start]
    return out


def take(column: pd.Series, rows: np.ndarray) -> pd.Series:
    """The column's values at `rows` (-1 gives missing) on a fresh RangeIndex, keeping the column's dtype."""
    return pd.Series(pd.api.extensions.take(column.array, rows, allow_fill=True), dtype=column.dtype)


def match_instances(
    instances: pd.DataFrame, inventory: pd.DataFrame, space: KeySpace | None = None, code: np.ndarray | None = None
) -> pd.DataFrame:
    """Per instance: match type, combined device lifecycle, first owner and the records that say so.

    `space`, `code`: the instances' KeySpace and instance_id codes (0.., first appearances in order), when the
    caller already has them."""
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
    icode = keys.factorize(instances["instance_id"])[0] if code is None else code
    n = int(icode.max(initial=-1)) + 1
    rec_frame = inventory.reset_index(drop=True)
    space = space or KeySpace.of(instances)
    g, rec, by_serial = pairs(space.base, space.lookup(rec_frame), icode)

    life_code, lives = pd.factorize(rec_frame["lifecycle"])  # a handful of buckets: compare those, not rows
    life_code = life_code[rec]
    lives = pd.Series(lives)

    def is_life(value: str) -> np.ndarray:
        return np.append(lives.eq(value).to_numpy(dtype=bool), False)[life_code]

    retired, in_service, not_in_service = is_life("retired"), is_life("in_service"), is_life("not_in_service")

    def any_of(flag: np.ndarray) -> np.ndarray:
        return np.bincount(g[flag], minlength=n) > 0

    counts = np.bincount(g, minlength=n)
    verdict = np.full(n, np.nan, dtype=object)
    verdict[counts > 0] = "unknown"
    verdict[any_of(not_in_service)] = "not_in_service"
    verdict[any_of(in_service)] = "in_service"
    verdict[any_of(retired)] = "retired"
    verdict[any_of(retired) & any_of(in_service)] = "conflict"
    how = np.where(any_of(by_serial), "serial", np.where(counts > 0, "hostname", "none"))

    prio = np.append(lives.map(_PRIORITY).fillna(4).to_numpy(dtype=float), 4)[life_code]
    order = np.lexsort((rec, prio, g))
    gs, rs = g[order], rec[order]
    source, status, owner = rec_frame["source"], rec_frame["status"], rec_frame["owner"]

    def first(column: pd.Series, among: np.ndarray | None = None) -> np.ndarray:
        valid = column.notna().to_numpy()[rs]
        return _first_rows(gs, rs, valid if among is None else valid & among[order], n)

    by_rec = np.lexsort((rec, g))
    owner_row = _first_rows(g[by_rec], rec[by_rec], owner.notna().to_numpy()[rec[by_rec]], n)
    judged = any_of(rec_frame["owner_column"].fillna(False).to_numpy(dtype=bool)[rec])

    out = {
        "instance_id": base["instance_id"],
        "match": pd.Series(how[icode], dtype="str"),
        "lifecycle": pd.Series(verdict[icode], dtype=object),
        "owner": take(owner, owner_row[icode]),
        "owner_judged": pd.Series(judged[icode]),
        "inv_source": take(source, first(source)[icode]),
        "inv_status": take(status, first(status)[icode]),
        "inv_in_service_source": take(source, first(source, in_service)[icode]),
        "inv_in_service_status": take(status, first(status, in_service)[icode]),
        "inv_records": pd.Series(counts[icode].astype(int)),
    }
    return pd.DataFrame(out)[MATCH_COLUMNS]
