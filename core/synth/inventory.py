"""The authoritative sources of the demo estate: a ServiceNow CMDB export (with owners) and a Catalyst Center
inventory (no owner column), derived from the instance table with array operations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.synth import catalog as c
from core.synth.estate import serials
from core.synth.text import const, digits, lookup, order, pick

OWNERS = [
    "Dana Whitfield",
    "Marcus Lee",
    "Priya Raman",
    "Tom Becker",
    "Elena Rossi",
    "Sam Carter",
    "Aisha Khan",
    "Luca Moretti",
    "Grace Osei",
    "Hiro Tanaka",
]
SN_CLASS = [
    "cmdb_ci_ip_switch",
    "cmdb_ci_ip_switch",
    "cmdb_ci_ip_router",
    "cmdb_ci_ip_switch",
    "cmdb_ci_ip_firewall",
    "cmdb_ci_netgear",
]
SN_STATUS = [
    "Installed",
    "In Maintenance",
    "Retired",
    "Absent",
    "Stolen",
    "In Stock",
    "Pending Install",
    "Pending Audit",
]
NOT_IN_SN = [c.STALE_NII, c.NII, c.NMS_ONLY]
NORTHWIND_SITES = list(c.VAS[c.CAMPUS].sites + c.VAS[c.BRANCH].sites)


def _labels(site: pd.Series, prefix: str = "") -> pd.Series:
    return prefix + site.map(c.SITE_LABEL).astype("str")


def servicenow(rows: pd.DataFrame, rng: np.random.Generator, suffixes: np.ndarray) -> pd.DataFrame:
    """cmdb_ci_netgear export: one CI per registered device ServiceNow knows, plus unregistered CIs.

    `suffixes` are unique serial suffix ids for the unregistered CIs (their count sets how many)."""
    d = rows[(rows["cat"] != c.DUP_COPY) & ~rows["cat"].isin(NOT_IN_SN)].reset_index(drop=True)
    cat = d["cat"].to_numpy()
    n = len(d)
    code = np.zeros(n, dtype=np.int64)  # Installed
    code[cat == c.HEALTHY] = rng.choice([0, 1], size=int((cat == c.HEALTHY).sum()), p=[0.96, 0.04])
    code[cat == c.DECOM] = rng.choice([2, 3, 4], size=int((cat == c.DECOM).sum()), p=[0.85, 0.10, 0.05])
    code[np.isin(cat, [c.RES_DECOM, c.CONFLICT])] = 2
    code[cat == c.NIS] = rng.choice([5, 6], size=int((cat == c.NIS).sum()), p=[0.8, 0.2])
    code[cat == c.STALE_NIS] = 5
    code[cat == c.UNKNOWN] = 7
    no_owner = cat == c.NO_OWNER
    northwind = d["northwind"].to_numpy()
    host = d["host"]
    name = pick(northwind, host, host.str.lower() + ".contoso.example")
    name = pick(northwind & (cat == c.HOSTONLY), host.str.upper(), name)
    registered = pd.DataFrame(
        {
            "name": name,
            "serial_number": pick(cat == c.STACK2, d["serial2"], d["serial"]),
            "model_id": "Cisco " + d["pid"],
            "install_status": lookup(SN_STATUS, code),
            "assigned_to": pick(no_owner, "", lookup(OWNERS, rng.integers(0, len(OWNERS), n))),
            "support_group": pick(no_owner, "", lookup([v.support_group for v in c.VAS], d["va"].to_numpy())),
            "location": _labels(d["site"]),
            "sys_class_name": lookup(SN_CLASS, d["prod"].to_numpy()),
        }
    )
    m = len(suffixes)
    ap = (np.arange(m) % 2 == 0).astype(np.int64)  # 1: access point, 0: old retired switch
    site = lookup(NORTHWIND_SITES, rng.integers(0, len(NORTHWIND_SITES), m))
    extra = pd.DataFrame(
        {
            "name": lookup(["sw-", "ap-"], ap) + site + "-" + digits(len(rows) + 1 + np.arange(m), 5),
            "serial_number": serials(rng, lookup(["FOC", "FJC"], ap), suffixes),
            "model_id": lookup(["Cisco WS-C3850-48P", "Cisco C9120AXI-B"], ap),
            "install_status": lookup(["Retired", "Installed"], ap),
            "assigned_to": lookup(OWNERS, rng.integers(0, len(OWNERS), m)),
            "support_group": lookup(["Campus Network Ops", "Wireless Engineering"], ap),
            "location": _labels(site),
            "sys_class_name": lookup(["cmdb_ci_ip_switch", "cmdb_ci_wap_network"], ap),
        }
    )
    out = pd.concat([registered, extra], ignore_index=True)
    return out.iloc[order(out["name"])].reset_index(drop=True)


def catalyst(rows: pd.DataFrame, rng: np.random.Generator, suffixes: np.ndarray) -> pd.DataFrame:
    """Catalyst Center device inventory: every Campus device, part of Branch, and unregistered devices."""
    cat = rows["cat"].to_numpy()
    va = rows["va"].to_numpy()
    branch_pick = (va == c.BRANCH) & (cat == c.HEALTHY) & (rng.random(len(rows)) < c.BRANCH_IN_CATALYST)
    keep = (va == c.CAMPUS) | np.isin(cat, [c.NMS_ONLY, c.NMS_UNREACH]) | branch_pick
    d = rows[keep & (cat != c.DUP_COPY)].reset_index(drop=True)
    dcat = d["cat"].to_numpy()
    code = np.zeros(len(d), dtype=np.int64)
    code[(d["va"].to_numpy() == c.CAMPUS) & np.isin(dcat, [c.DECOM, c.NIS, c.STALE_NIS])] = 1
    code[dcat == c.NMS_UNREACH] = 2
    registered = pd.DataFrame(
        {
            "Hostname": d["host"] + ".corp.northwind.example",
            "Serial Number": d["serial"],
            "Platform": d["pid"],
            "Reachability": lookup(["Reachable", "Unmanaged", "Unreachable"], code),
            "Site": _labels(d["site"], "Global/US/"),
            "Management IP Address": _ips(d["va"].to_numpy(), d["number"].to_numpy()),
        }
    )
    m = len(suffixes)
    site = lookup(NORTHWIND_SITES, rng.integers(0, len(NORTHWIND_SITES), m))
    number = len(rows) + 500_001 + np.arange(m)
    extra = pd.DataFrame(
        {
            "Hostname": "sw-" + site + "-" + digits(number) + ".corp.northwind.example",
            "Serial Number": serials(rng, const("FCW", m), suffixes),
            "Platform": const("C9300-48P", m),
            "Reachability": const("Reachable", m),
            "Site": _labels(site, "Global/US/"),
            "Management IP Address": _ips(np.full(m, 9), number),
        }
    )
    out = pd.concat([registered, extra], ignore_index=True)
    return out.iloc[order(out["Hostname"])].reset_index(drop=True)


def _ips(va: np.ndarray, number: np.ndarray) -> pd.Series:
    return "10." + digits(10 + va) + "." + digits((number // 250) % 250) + "." + digits(number % 250 + 1)
