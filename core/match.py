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
_HOW = pa.array(["serial", "hostname", "none"], type=pa.large_string())


def explode_serials(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """One row per (key, serial member) for the rows that have a serial, in row order."""
    pos, member = keys.members(frame["serial"])
    order = np.argsort(pos, kind="stable")
    pos, member = pos[order], member.take(pa.array(order))
    out = pd.DataFrame(
        {
            key: frame[key].array.take(pos),
            # as pandas' explode gives it: text, unless no cell had a serial to split at all
            "member": pd.array(member, dtype="str" if frame["serial"].notna().any() else object),
        },
        index=frame.index[pos],
    )
    return out.drop_duplicates()


@dataclass(frozen=True, eq=False)
class Keys:
    """One frame's match keys: its serial members as codes of a KeySpace (member_row, member; a code is -1
    where the member is absent from the KeySpace, so it can match nothing there) and its host texts."""

    member_row: np.ndarray
    member: np.ndarray
    host: pa.Array
    no_serial: np.ndarray  # per row: the serial cell is missing


@dataclass(frozen=True, eq=False)
class KeySpace:
    """The serial members of one frame, hashed once; other frames are looked up in it."""

    members: pa.Array
    base: Keys

    @classmethod
    def of(cls, frame: pd.DataFrame) -> KeySpace:
        row, text = keys.members(frame["serial"])
        member = pc.dictionary_encode(text)
        host = keys.arrow_text(frame["host"])
        return cls(member.dictionary, Keys(row, keys.codes(member.indices), host, frame["serial"].isna().to_numpy()))

    def lookup(self, frame: pd.DataFrame) -> Keys:
        """`frame`'s keys in this space."""
        row, text = keys.members(frame["serial"])
        member = keys.codes(pc.index_in(text, value_set=self.members))
        return Keys(row, member, keys.arrow_text(frame["host"]), frame["serial"].isna().to_numpy())


def host_pairs(
    left: pa.Array, right: pa.Array, left_rows: np.ndarray, right_rows: np.ndarray
) -> tuple[np.ndarray, ...]:
    """(left row, right row) pairs with the same host among the given rows of each side."""
    lcode, rcode = keys.encode(left.take(pa.array(left_rows)), right.take(pa.array(right_rows)))
    i, j = keys.join(lcode, rcode)
    return left_rows[i], right_rows[j]


def pairs(left: Keys, right: Keys, left_key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(left key, right row, by serial) for every pair of rows that match: a shared serial member, else (one
    side without a serial) the same host. One pair per (key, right row), serial first.

    `left_key` (int codes, one per left row) says which left rows are one subject."""
    li, ri = keys.join(left.member, right.member)
    serial_key, serial_rec = left_key[left.member_row[li]], right.member_row[ri]
    # A hostname counts only where one side has no serial: match those rows against every row of the other.
    every_left, every_right = np.arange(len(left.no_serial)), np.arange(len(right.no_serial))
    a = host_pairs(left.host, right.host, np.flatnonzero(left.no_serial), every_right)
    b = host_pairs(left.host, right.host, every_left, np.flatnonzero(right.no_serial))
    hi, hj = np.concatenate([a[0], b[0]]), np.concatenate([a[1], b[1]])
    order = np.lexsort((hj, hi))  # left row, then right row: the order a merge on host gives
    host_key, host_rec = left_key[hi[order]], hj[order]
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


def _rank(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Per row, the rank of its value in `column`: source_file in order of first appearance (the order the files
    were given in), any other in text order with missing last; all equal when the frame lacks the column."""
    if column not in frame:
        return np.zeros(len(frame), dtype=np.int64)
    codes = pd.factorize(frame[column], use_na_sentinel=False, sort=column != "source_file")[0]
    return np.asarray(codes, dtype=np.int64)


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
    ids = instances["instance_id"]
    base = pd.DataFrame({"instance_id": ids.reset_index(drop=True) if ids.dtype == "str" else ids.to_numpy()})
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
    lives = pd.Series(np.asarray(lives, dtype=object))  # plain values, even from a categorical column

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
    how = np.where(any_of(by_serial), 0, np.where(counts > 0, 1, 2)).astype(np.int8)  # codes into _HOW

    prio = np.append(lives.map(_PRIORITY).fillna(4).to_numpy(dtype=float), 4)[life_code]
    # Which record speaks for the device: the strongest lifecycle, then the inventory file listed first, then
    # (inside one file) the status and source text, so the evidence never depends on the order of a file's rows.
    file_rank, status_rank, source_rank = (_rank(rec_frame, c)[rec] for c in ("source_file", "status", "source"))
    order = np.lexsort((rec, source_rank, status_rank, file_rank, prio, g))
    gs, rs = g[order], rec[order]
    source, status, owner = rec_frame["source"], rec_frame["status"], rec_frame["owner"]

    has_source, has_status = source.notna().to_numpy()[rs], status.notna().to_numpy()[rs]
    in_service_rs = in_service[order]

    def first(valid: np.ndarray, among: np.ndarray | None = None) -> np.ndarray:
        return _first_rows(gs, rs, valid if among is None else valid & among, n)

    by_rec = np.lexsort((rec, g))
    owner_row = _first_rows(g[by_rec], rec[by_rec], owner.notna().to_numpy()[rec[by_rec]], n)
    judged = any_of(rec_frame["owner_column"].fillna(False).to_numpy(dtype=bool)[rec])

    out = {
        "instance_id": base["instance_id"],
        "match": pd.Series(
            pd.array(pa.DictionaryArray.from_arrays(how[icode], _HOW).cast(pa.large_string()), dtype="str")
        ),
        "lifecycle": pd.Series(verdict[icode], dtype=object),
        "owner": take(owner, owner_row[icode]),
        "owner_judged": pd.Series(judged[icode]),
        "inv_source": take(source, first(has_source)[icode]),
        "inv_status": take(status, first(has_status)[icode]),
        "inv_in_service_source": take(source, first(has_source, in_service_rs)[icode]),
        "inv_in_service_status": take(status, first(has_status, in_service_rs)[icode]),
        "inv_records": pd.Series(counts[icode].astype(int)),
    }
    return pd.DataFrame(out)[MATCH_COLUMNS]
