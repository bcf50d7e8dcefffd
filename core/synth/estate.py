"""The product instance table of the demo estate: one row per CSSM product instance, built with numpy arrays
from the plan in `catalog` (no per-instance Python loops), plus the usage rows those instances consume."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from core.synth import catalog as c

_ALNUM = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
SUFFIX_SPACE = 36**4  # unique serial suffixes available (1.68 million)


def va_quotas(instances: int) -> np.ndarray:
    """Instances per VA by share (largest remainder), the XLSX VA capped with its overflow going to Campus."""
    shares = np.array([v.share for v in c.VAS])
    raw = shares * instances
    quota = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - quota), kind="stable")
    quota[order[: instances - int(quota.sum())]] += 1
    if quota[c.XLSX_VA] > c.XLSX_VA_CAP:
        quota[c.CAMPUS] += quota[c.XLSX_VA] - c.XLSX_VA_CAP
        quota[c.XLSX_VA] = c.XLSX_VA_CAP
    return quota


def _count(rate: float, base: int, minimum: int) -> int:
    return max(minimum, int(math.floor(rate * base + 0.5)))


def _split(total: int, weights: tuple[tuple[int, float], ...]) -> list[tuple[int, int]]:
    raw = np.array([w for _, w in weights]) * total
    counts = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: total - int(counts.sum())]] += 1
    return [(key, int(n)) for (key, _), n in zip(weights, counts, strict=True)]


def plan_blocks(instances: int) -> tuple[list[tuple[int, int, int, int]], list[tuple[int, int, int]]]:
    """Blocks of (category, va, product, count) in row order, and the duplicate links (keeper_start,
    copy_start, pairs) between blocks. Raises ValueError when `instances` cannot hold every planted case."""
    quota = va_quotas(instances)
    blocks: list[tuple[int, int, int, int]] = []
    for cat, va, prod, rate, minimum in c.PLAN:
        blocks.append((cat, va, prod, _count(rate, int(quota[va]), minimum)))
    pairs = [(keep, copy, prod, _count(rate, instances, minimum)) for keep, copy, prod, rate, minimum in c.DUP_PLAN]
    for keep, _, prod, n in pairs:
        blocks.append((c.DUP_KEEP, keep, prod, n))
    for _, copy, prod, n in pairs:
        blocks.append((c.DUP_COPY, copy, prod, n))
    starts = np.concatenate([[0], np.cumsum([b[3] for b in blocks])])
    first_copy = len(c.PLAN) + len(pairs)
    links = [(int(starts[len(c.PLAN) + i]), int(starts[first_copy + i]), n) for i, (_, _, _, n) in enumerate(pairs)]
    planted = np.zeros(len(c.VAS), dtype=np.int64)
    for _, va, _, n in blocks:
        planted[va] += n
    healthy = quota - planted
    if (healthy < 3).any():
        raise ValueError(f"instances={instances} is too small to hold every planted case; use at least 400")
    for va in range(len(c.VAS)):
        for prod, n in _split(int(healthy[va]), c.MIX[va]):
            if n:
                blocks.append((c.HEALTHY, va, prod, n))
    return blocks, links


def _base36(numbers: np.ndarray, width: int) -> np.ndarray:
    digits = (numbers[:, None] // (36 ** np.arange(width - 1, -1, -1))) % 36
    return np.ascontiguousarray(_ALNUM[digits]).view(f"<U{width}").ravel()


def serials(rng: np.random.Generator, prefixes: np.ndarray, suffix_ids: np.ndarray) -> pd.Series:
    """Cisco-style serials LLLYYWWSSSS: prefix, build year and week, and a suffix unique per suffix id."""
    n = len(suffix_ids)
    year = pd.Series(rng.integers(18, 25, n)).astype(str)
    week = pd.Series(rng.integers(1, 53, n)).astype(str).str.zfill(2)
    return pd.Series(prefixes) + year + week + pd.Series(_base36(suffix_ids, 4))


def build_rows(instances: int, rng: np.random.Generator, suffixes: np.ndarray) -> pd.DataFrame:
    """One row per product instance with its planted category and everything the writers need.

    `suffixes` is a pool of unique serial suffix ids; the first len(rows) * 2 are used here."""
    blocks, links = plan_blocks(instances)
    counts = np.array([b[3] for b in blocks])
    cat = np.repeat([b[0] for b in blocks], counts)
    va = np.repeat([b[1] for b in blocks], counts)
    prod = np.repeat([b[2] for b in blocks], counts)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    k = np.arange(len(cat)) - np.repeat(starts, counts)  # index inside the block
    n = len(cat)

    lo = np.array([c.DAYS[i][0] for i in range(c.N_CATEGORIES)])
    hi = np.array([c.DAYS[i][1] for i in range(c.N_CATEGORIES)])
    days = rng.integers(lo[cat], hi[cat] + 1)
    secs = rng.integers(0, 86400, n)
    missing = (cat == c.STALE_NII) & (k % 7 == 0)
    healthy_first = np.zeros(n, dtype=bool)
    for va_i in range(len(c.VAS)):
        first = np.flatnonzero((cat == c.HEALTHY) & (va == va_i))[0]
        healthy_first[first] = True
    days[healthy_first] = 5  # an unambiguous day (> 12) in every file with day-first dates

    npids = np.array([len(p.pids) for p in c.PRODUCTS])
    pid_idx = (rng.random(n) * npids[prod]).astype(np.int64)
    pid_table = np.array([pid for p in c.PRODUCTS for pid in p.pids] + [""], dtype=object)
    pid_offset = np.concatenate([[0], np.cumsum(npids)[:-1]])
    pid = pid_table[pid_offset[prod] + pid_idx]
    pref_idx = rng.integers(0, 2, n)
    prefixes = np.array([p.serial_prefixes for p in c.PRODUCTS], dtype=object)[prod, pref_idx]
    serial = serials(rng, prefixes, suffixes[:n])
    stack = (cat == c.STACK) | (cat == c.STACK2)
    serial2 = serial.str.slice(0, 7) + pd.Series(_base36(suffixes[n : 2 * n], 4))
    nsites = np.array([len(v.sites) for v in c.VAS])
    site_idx = (rng.random(n) * nsites[va]).astype(np.int64)
    site = np.array([list(v.sites) + [""] * (max(nsites) - len(v.sites)) for v in c.VAS], dtype=object)[va, site_idx]
    number = rng.permutation(n) + 1

    # A duplicate copy is the same device as its keeper: same serial, PID, site and host number.
    keep_idx = np.concatenate([np.arange(a, a + m) for a, _, m in links])
    copy_idx = np.concatenate([np.arange(b, b + m) for _, b, m in links])
    serial = serial.to_numpy(dtype=object)
    for arr in (pid, site, number, serial):
        arr[copy_idx] = arr[keep_idx]
    device = np.arange(n)
    device[copy_idx] = keep_idx

    roles = np.array([p.role for p in c.PRODUCTS], dtype=object)[prod]
    northwind = np.array([v.smart_account == c.NORTHWIND for v in c.VAS])[va]
    num5 = pd.Series(number).astype(str).str.zfill(5)
    role_s, site_s = pd.Series(roles), pd.Series(site)
    nw_host = role_s + "-" + site_s + "-" + num5
    ct_host = "CTS-" + site_s.str.upper() + "-" + role_s.str.upper() + num5
    host = pd.Series(np.where(northwind, nw_host, ct_host))
    udi = cat == c.UDI
    name = pd.Series(np.where(northwind, nw_host + ".corp.northwind.example", ct_host))
    name = name.where(~udi, "UDI_PID:" + pd.Series(pid) + "; UDI_SN:" + pd.Series(serial) + ";")
    ct_first = healthy_first & (va == c.CT_DEFAULT)
    wl_first = healthy_first & (va == c.CT_WIRELESS)
    name[ct_first] = "SW-Zürich-Bahnhofstrasse-01"
    name[wl_first] = "WLC-Genève-Lac-01"
    host[ct_first] = "sw-zürich-bahnhofstrasse-01"
    host[wl_first] = "wlc-genève-lac-01"

    serial_s = pd.Series(serial)
    serial_cell = serial_s.where(~stack, serial_s + ", " + serial2)
    serial_cell = serial_cell.where(~(udi | (cat == c.HOSTONLY)), "")
    reserved = np.isin(cat, list(c.RESERVED))
    status = np.where(days < c.STALE_DAYS, "Authorized", "Not Reporting").astype(object)
    status[missing] = "Not Reporting"
    status[reserved & (va == c.DATACENTER)] = "Reserved Licenses"
    status[reserved & (va != c.DATACENTER)] = "SLR"

    return pd.DataFrame(
        {
            "cat": cat,
            "va": va,
            "prod": prod,
            "k": k,
            "device": device,
            "days": days,
            "secs": secs,
            "missing": missing,
            "pid": pid,
            "serial": serial,
            "serial2": serial2.where(pd.Series(stack), ""),
            "site": site,
            "number": number,
            "host": host,
            "name": name,
            "serial_cell": serial_cell,
            "pid_cell": np.where(udi, "", pid),
            "status": status,
            "reserved": reserved,
            "removable": np.isin(cat, list(c.REMOVABLE)),
            "northwind": northwind,
        }
    )


def usage_rows(rows: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Licence consumption per instance: row, va, lic, qty, removable. Reserved instances consume through
    their reservations, never through usage; perpetual-only instances consume only the perpetual licence."""
    n = len(rows)
    prod = rows["prod"].to_numpy()
    cat = rows["cat"].to_numpy()
    qty = np.ones(n, dtype=np.int64)
    qty[np.isin(cat, [c.STACK, c.STACK2])] = 2
    wlc = prod == c.C9800
    qty[wlc] = rng.integers(8, 65, int(wlc.sum()))
    consuming = ~rows["reserved"].to_numpy()
    parts = []
    for p, product in enumerate(c.PRODUCTS):
        for j, lic in enumerate(product.licenses):
            take = consuming & (prod == p)
            if j == 0 and len(product.licenses) > 1:
                take &= cat != c.PERP
            idx = np.flatnonzero(take)
            parts.append(pd.DataFrame({"row": idx, "lic": lic, "slot": j, "qty": qty[idx]}))
    usage = pd.concat(parts, ignore_index=True).sort_values(["row", "slot"], kind="stable", ignore_index=True)
    usage["va"] = rows["va"].to_numpy()[usage["row"]]
    usage["removable"] = rows["removable"].to_numpy()[usage["row"]]
    return usage
