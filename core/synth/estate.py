"""The product instance table of the demo estate: one row per CSSM product instance, built with numpy and
Arrow-backed pandas columns from the plan in `catalog` (no per-instance Python loops), plus the usage rows
those instances consume."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from core.synth import catalog as c
from core.synth.text import base36, digits, lookup, pick, spread

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
    blocks = [(cat, va, prod, _count(rate, int(quota[va]), minimum)) for cat, va, prod, rate, minimum in c.PLAN]
    pairs = [(keep, copy, prod, _count(rate, instances, minimum)) for keep, copy, prod, rate, minimum in c.DUP_PLAN]
    blocks += [(c.DUP_KEEP, keep, prod, n) for keep, _, prod, n in pairs]
    blocks += [(c.DUP_COPY, copy, prod, n) for _, copy, prod, n in pairs]
    starts = np.concatenate([[0], np.cumsum([b[3] for b in blocks])])
    first_copy = len(c.PLAN) + len(pairs)
    links = [(int(starts[len(c.PLAN) + i]), int(starts[first_copy + i]), p[3]) for i, p in enumerate(pairs)]
    planted = np.zeros(len(c.VAS), dtype=np.int64)
    for _, va, _, n in blocks:
        planted[va] += n
    healthy = quota - planted
    if (healthy < 3).any():
        raise ValueError(f"instances={instances} is too small to hold every planted case; use at least 200")
    for va in range(len(c.VAS)):
        blocks += [(c.HEALTHY, va, prod, n) for prod, n in _split(int(healthy[va]), c.MIX[va]) if n]
    return blocks, links


def serials(rng: np.random.Generator, prefixes: pd.Series, suffix_ids: np.ndarray) -> pd.Series:
    """Cisco-style serials LLLYYWWSSSS: prefix, build year and week, and a suffix unique per suffix id."""
    n = len(suffix_ids)
    return prefixes + digits(rng.integers(18, 25, n)) + digits(rng.integers(1, 53, n), 2) + base36(suffix_ids, 4)


def build_rows(instances: int, rng: np.random.Generator, suffixes: np.ndarray) -> pd.DataFrame:
    """One row per product instance with its planted category and everything the writers need.

    `suffixes` holds unique serial suffix ids: one per row, then one per stack's second member."""
    blocks, links = plan_blocks(instances)
    counts = np.array([b[3] for b in blocks])
    cat = np.repeat([b[0] for b in blocks], counts)
    va = np.repeat([b[1] for b in blocks], counts)
    prod = np.repeat([b[2] for b in blocks], counts)
    k = np.arange(len(cat)) - np.repeat(np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    n = len(cat)

    lo = np.array([c.DAYS[i][0] for i in range(c.N_CATEGORIES)])
    hi = np.array([c.DAYS[i][1] for i in range(c.N_CATEGORIES)])
    days = rng.integers(lo[cat], hi[cat] + 1)
    secs = rng.integers(0, 86400, n)
    missing = (cat == c.STALE_NII) & (k % 7 == 0)
    first = np.array([np.flatnonzero((cat == c.HEALTHY) & (va == i))[0] for i in range(len(c.VAS))])
    days[first] = 5  # an unambiguous day (> 12) in every file with day-first dates

    npids = np.array([len(p.pids) for p in c.PRODUCTS])
    pid_offset = np.concatenate([[0], np.cumsum(npids)[:-1]])
    pid_code = pid_offset[prod] + (rng.random(n) * npids[prod]).astype(np.int64)
    nprefix = np.array([len(p.serial_prefixes) for p in c.PRODUCTS])
    prefix_code = np.concatenate([[0], np.cumsum(nprefix)[:-1]])[prod] + (rng.random(n) * nprefix[prod]).astype(
        np.int64
    )
    nsites = np.array([len(v.sites) for v in c.VAS])
    site_offset = np.concatenate([[0], np.cumsum(nsites)[:-1]])
    site_code = site_offset[va] + (rng.random(n) * nsites[va]).astype(np.int64)
    number = rng.permutation(n) + 1
    # A duplicate copy is the same device as its keeper: same serial, PID, site and name.
    keep_idx = np.concatenate([np.arange(a, a + m) for a, _, m in links])
    copy_idx = np.concatenate([np.arange(b, b + m) for _, b, m in links])
    device = np.arange(n)
    for arr in (pid_code, prefix_code, site_code, number, device):
        arr[copy_idx] = arr[keep_idx]

    pid = lookup([x for p in c.PRODUCTS for x in p.pids], pid_code)
    serial = serials(rng, lookup([x for p in c.PRODUCTS for x in p.serial_prefixes], prefix_code), suffixes[:n])
    serial = serial.iloc[device].reset_index(drop=True)
    stack = np.isin(cat, [c.STACK, c.STACK2])
    members = np.flatnonzero(stack)
    second = serial.iloc[members].str.slice(0, 7).reset_index(drop=True) + base36(suffixes[n : n + len(members)], 4)
    serial2 = spread(second, members, n)
    site = lookup([s for v in c.VAS for s in v.sites], site_code)
    role = lookup([p.role for p in c.PRODUCTS], prod)
    num5 = digits(number, 5)
    northwind = np.array([v.smart_account == c.NORTHWIND for v in c.VAS])[va]
    host = pick(northwind, role + "-" + site + "-" + num5, "CTS-" + site.str.upper() + "-" + role.str.upper() + num5)
    udi = cat == c.UDI
    name = pick(northwind, host + ".corp.northwind.example", host)
    name = pick(udi, "UDI_PID:" + pid + "; UDI_SN:" + serial + ";", name)
    name, host = name.iloc[device].reset_index(drop=True), host.iloc[device].reset_index(drop=True)
    special = {c.CT_DEFAULT: "SW-Zürich-Bahnhofstrasse-01", c.CT_WIRELESS: "WLC-Genève-Lac-01"}
    for va_i, text in special.items():
        name.iloc[first[va_i]] = text
        host.iloc[first[va_i]] = text.lower()

    serial_cell = pick(stack, serial + ", " + serial2, serial)
    serial_cell = pick(udi | (cat == c.HOSTONLY), "", serial_cell)
    reserved = np.isin(cat, list(c.RESERVED))
    threshold = np.where(cat == c.PERP, c.PERPETUAL_STALE_DAYS, c.STALE_DAYS)
    status_code = np.where((days >= threshold) | missing, 1, 0)
    status_code[reserved] = np.where(va[reserved] == c.DATACENTER, 2, 3)
    status = lookup(["Authorized", "Not Reporting", "Reserved Licenses", "SLR"], status_code)

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
            "serial2": serial2,
            "site": site,
            "number": number,
            "host": host,
            "name": name,
            "serial_cell": serial_cell,
            "pid_cell": pick(udi, "", pid),
            "status": status,
            "reserved": reserved,
            "removable": np.isin(cat, list(c.REMOVABLE)),
            "northwind": northwind,
        }
    )


def usage_rows(rows: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Licence consumption per instance: row, lic, slot, qty, va, removable. Reserved instances consume through
    their reservations, never through usage; perpetual-only instances consume only the perpetual licence."""
    prod = rows["prod"].to_numpy()
    cat = rows["cat"].to_numpy()
    qty = np.ones(len(rows), dtype=np.int64)
    qty[np.isin(cat, [c.STACK, c.STACK2])] = 2
    wlc = prod == c.C9800
    qty[wlc] = rng.integers(2, 21, int(wlc.sum()))  # access point licences on the controller
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
