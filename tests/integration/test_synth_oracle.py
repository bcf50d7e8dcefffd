"""An independent check of the demo estate: read the written files with plain pandas/openpyxl (not the
product's readers), apply DESIGN §4 literally, and compare with what core.synth says it planted."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from core.schema import LIFECYCLE
from core.synth import generate

AS_OF = dt.date(2026, 11, 1)


def _csv(path: Path, skip: int, sep: str = ",", encoding: str = "utf-8") -> pd.DataFrame:
    frame = pd.read_csv(path, skiprows=skip, sep=sep, encoding=encoding, dtype=str, keep_default_na=False)
    blank = (frame == "").all(axis=1)
    return frame[~blank & (frame.iloc[:, 0] != "Total")].reset_index(drop=True)


def _days(text: str, fmt: str) -> int | None:
    if text in ("", "Never"):
        return None
    return (AS_OF - dt.datetime.strptime(text, fmt).date()).days


def _lic_list(cell: str) -> list[tuple[str, int]]:
    out = []
    for part in filter(None, (p.strip() for p in cell.split(";"))):
        m = re.fullmatch(r"(.*?)\s*\((\d+)\)", part)
        out.append((m.group(1), int(m.group(2))) if m else (part, 1))
    return out


def _instances(out: Path) -> tuple[pd.DataFrame, list[dict]]:
    """Instance rows (sa, va, name, serials, host, days, reserved) and usage rows (instance index, licence, qty)."""
    usage: list[dict] = []
    specs = [
        (
            "Northwind Holdings",
            "Campus",
            "cssm/northwind_campus_instances.csv",
            3,
            ",",
            "utf-8-sig",
            "%Y-%b-%d %H:%M:%S",
        ),
        (
            "Northwind Holdings",
            "Branch",
            "cssm/northwind_branch_instances.csv",
            3,
            ",",
            "utf-8-sig",
            "%Y-%m-%dT%H:%M:%SZ",
        ),
        ("Contoso Networks", "Default", "cssm/contoso_default_instances.csv", 2, ";", "cp1252", "%d/%m/%Y %H:%M"),
        ("Contoso Networks", "Wireless", "cssm/contoso_wireless_instances.csv", 2, ";", "cp1252", "%d/%m/%Y %H:%M"),
    ]
    frames = []
    for sa, va, rel, skip, sep, enc, fmt in specs:
        f = _csv(out / rel, skip, sep, enc)
        f.columns = ["name", "ptype", "serial", "pid", "last", "status"] + (["licenses"] if f.shape[1] > 6 else [])
        f["days"] = [_days(x, fmt) for x in f["last"]]
        frames.append(f.assign(sa=sa, va=va))
    ws = openpyxl.load_workbook(out / "cssm/northwind_datacenter_instances.xlsx").active
    values = list(ws.iter_rows(min_row=3, values_only=True))
    days = [None if v[4] is None else (AS_OF - v[4].date()).days for v in values]
    text = [["" if x is None else x for x in v[:4]] + [""] + ["" if x is None else x for x in v[5:]] for v in values]
    dc = pd.DataFrame(text, columns=["name", "ptype", "serial", "pid", "last", "status", "licenses"], dtype=object)
    dc["days"] = pd.Series(days, dtype=object)
    frames.append(dc.assign(sa="Northwind Holdings", va="DataCenter"))
    inst = pd.concat(frames, ignore_index=True)
    inst["licenses"] = inst["licenses"].fillna("")
    serials, hosts = [], []
    for name, serial in zip(inst["name"], inst["serial"], strict=True):
        members = [s.strip().upper() for s in serial.split(",") if s.strip()]
        udi = re.search(r"UDI_SN:([^;]+);", name)
        if not members and udi:
            members = [udi.group(1)]
        serials.append(members)
        hosts.append("" if name.startswith("UDI_") else name.split(".")[0].lower())
    inst["serials"], inst["host"] = serials, hosts
    inst["reserved"] = inst["status"].str.contains("SLR|PLR|Reserv", regex=True)
    for i, cell in enumerate(inst["licenses"]):
        usage += [{"i": i, "license": lic, "qty": q} for lic, q in _lic_list(cell)]
    campus = {s[0]: i for i, (s, va) in enumerate(zip(inst["serials"], inst["va"], strict=True)) if va == "Campus"}
    cat = _csv(out / "catalyst/campus_licenses.csv", 0)
    for serial, net, dna in zip(cat["Serial Number"], cat["Network License"], cat["DNA Level"], strict=True):
        usage += [{"i": campus[serial], "license": lic, "qty": 1} for lic in (net, dna) if lic not in ("", "NA")]
    return inst, usage


def _bucket(word: str) -> str:
    w = word.strip().lower()
    return next((k for k, words in LIFECYCLE.items() if w in words), "unknown")


def _lifecycle(buckets: set[str]) -> str:
    if {"retired", "in_service"} <= buckets:
        return "conflict"
    for life in ("retired", "in_service", "not_in_service"):
        if life in buckets:
            return life
    return "unknown"


def oracle(out: Path) -> dict[str, int]:
    inst, usage = _instances(out)
    sn = _csv(out / "cmdb/servicenow_cmdb_ci_netgear.csv", 0)
    nms = _csv(out / "nms/catalyst_center_inventory.csv", 0)
    records = [
        (s.upper(), n.split(".")[0].lower(), _bucket(st), o, True)
        for s, n, st, o in zip(sn["serial_number"], sn["name"], sn["install_status"], sn["assigned_to"], strict=True)
    ]
    records += [
        (s.upper(), n.split(".")[0].lower(), _bucket(st), "", False)
        for s, n, st in zip(nms["Serial Number"], nms["Hostname"], nms["Reachability"], strict=True)
    ]
    by_serial: dict[str, list] = {}
    by_host: dict[str, list] = {}
    for r in records:
        by_serial.setdefault(r[0], []).append(r)
        by_host.setdefault(r[1], []).append(r)

    lic_type: dict[tuple[str, str, str], str] = {}
    pools = []
    for sa, rel, sep, enc, cols in (
        ("Northwind Holdings", "cssm/northwind_licenses.csv", ",", "utf-8", ("Purchased", "Balance")),
        ("Contoso Networks", "cssm/contoso_licenses.csv", ";", "cp1252", ("Quantity", "Surplus/Shortage")),
    ):
        f = _csv(out / rel, 0, sep, enc)
        for r in f.to_dict("records"):
            lic_type[(sa, r["Virtual Account"], r["License"])] = r["Type"]
            pools.append(
                {
                    "sa": sa,
                    "va": r["Virtual Account"],
                    "license": r["License"],
                    "purchased": int(r[cols[0]]),
                    "in_use": int(r["In Use"]),
                    "reserved": int(r["Reserved"]),
                }
            )

    findings = dict.fromkeys(
        [
            "DECOMMISSIONED",
            "DUPLICATE_REGISTRATION",
            "STALE_NOT_IN_INVENTORY",
            "STALE_IN_SERVICE",
            "NOT_IN_INVENTORY",
            "NOT_IN_SERVICE",
            "INVENTORY_CONFLICT",
            "NO_OWNER",
            "RESERVATION_ON_RETIRED",
            "APPARENT_SHORTAGE",
            "VA_SHORTAGE",
            "EA_UNALLOCATED",
            "ADMIN_DEPARTED",
            "SA_ORPHANED",
            "SINGLE_ADMIN",
            "SPLIT_POOLS",
        ],
        0,
    )
    lics_of: dict[int, list[str]] = {}
    for u in usage:
        lics_of.setdefault(u["i"], []).append(u["license"])
    removable, lifecycle = [], []
    for i, r in enumerate(inst.to_dict("records")):
        recs = [x for s in r["serials"] for x in by_serial.get(s, [])]
        if not recs and r["host"]:
            recs = by_host.get(r["host"], [])
        life = _lifecycle({x[2] for x in recs}) if recs else "none"
        lifecycle.append(life)
        types = {lic_type.get((r["sa"], r["va"], lic), "") for lic in lics_of.get(i, [])}
        limit = 365 if types == {"Perpetual"} else 90
        stale = not r["reserved"] and (pd.isna(r["days"]) or r["days"] >= limit)
        rem = False
        if life == "retired":
            findings["DECOMMISSIONED"] += 1
            rem = True
        if life == "conflict":
            findings["INVENTORY_CONFLICT"] += 1
        if stale and life in ("none", "not_in_service"):
            findings["STALE_NOT_IN_INVENTORY"] += 1
            rem = True
        if stale and life == "in_service":
            findings["STALE_IN_SERVICE"] += 1
        if not stale and life == "none":
            findings["NOT_IN_INVENTORY"] += 1
        if not stale and life == "not_in_service":
            findings["NOT_IN_SERVICE"] += 1
        if life == "in_service" and any(x[4] for x in recs) and not any(x[3] for x in recs):
            findings["NO_OWNER"] += 1
        removable.append(rem)
    seen: dict[str, list[int]] = {}
    for i, members in enumerate(inst["serials"]):
        for s in members:
            seen.setdefault(s, []).append(i)
    for copies in seen.values():
        if len(copies) > 1:
            keep = min(copies, key=lambda i: inst.at[i, "days"])  # latest contact (no copy lacks a date)
            for i in copies:
                if i != keep:
                    findings["DUPLICATE_REGISTRATION"] += 1
                    removable[i] = True

    res = _csv(out / "cssm/reservations.csv", 0)
    released: dict[tuple[str, str, str], int] = {}
    for r in res.to_dict("records"):
        owners = seen.get(r["Serial Number"], [])
        in_service = any(x[2] == "in_service" for x in by_serial.get(r["Serial Number"], []))
        if any(removable[i] or lifecycle[i] == "retired" for i in owners) or (not owners and not in_service):
            findings["RESERVATION_ON_RETIRED"] += 1
            key = (r["Smart Account"], r["Virtual Account"], r["License"])
            released[key] = released.get(key, 0) + int(r["Quantity"])

    use: dict[tuple[str, str, str], int] = {}
    rem_use: dict[tuple[str, str, str], int] = {}
    for u in usage:
        key = (inst.at[u["i"], "sa"], inst.at[u["i"], "va"], u["license"])
        use[key] = use.get(key, 0) + u["qty"]
        if removable[u["i"]]:
            rem_use[key] = rem_use.get(key, 0) + u["qty"]
    mismatches = 0
    for p in pools:
        key = (p["sa"], p["va"], p["license"])
        mismatches += use.get(key, 0) + p["reserved"] != p["in_use"]
        clean = max(0, p["in_use"] - rem_use.get(key, 0) - released.get(key, 0))
        p["balance"], p["clean_balance"] = p["purchased"] - p["in_use"], p["purchased"] - clean
    final: dict[tuple[str, str], list[int]] = {}
    for p in pools:
        final.setdefault((p["sa"], p["license"]), []).append(p["clean_balance"])
    for p in pools:
        group = final[(p["sa"], p["license"])]
        short, spare = -sum(b for b in group if b < 0), sum(b for b in group if b > 0)
        # with one short VA per Smart Account and licence (true here), the transfer covers min(short, spare)
        left = p["clean_balance"] + (min(short, spare) if p["clean_balance"] < 0 else 0)
        p["final"] = left
        findings["APPARENT_SHORTAGE"] += p["balance"] < 0 <= left
        findings["VA_SHORTAGE"] += left < 0
    for lic in {p["license"] for p in pools}:
        by_sa: dict[str, list[int]] = {}
        for p in pools:
            if p["license"] == lic:
                by_sa.setdefault(p["sa"], []).append(p["final"])
        short_sas = {sa for sa, v in by_sa.items() if any(x < 0 for x in v)}
        spare_sas = {sa for sa, v in by_sa.items() if any(x > 0 for x in v)}
        findings["SPLIT_POOLS"] += any(spare_sas - {sa} for sa in short_sas)
    ea = _csv(out / "ea/ea_entitlements.csv", 0)
    deposited: dict[str, int] = {}
    for p in pools:
        deposited[p["license"]] = deposited.get(p["license"], 0) + p["purchased"]
    findings["EA_UNALLOCATED"] = sum(
        int(q) > deposited.get(lic, 0) for lic, q in zip(ea["License"], ea["Entitled Quantity"], strict=True)
    )

    roster = _csv(out / "hr/roster.csv", 0)
    gone = {e.lower() for e, s in zip(roster["Email"], roster["Employment Status"], strict=True) if s == "Terminated"}
    present = {e.lower() for e in roster["Email"]}
    nw = _csv(out / "cssm/northwind_users.csv", 0)
    ct = _csv(out / "cssm/contoso_users.csv", 0, ";", "cp1252")
    for admins in (
        [
            (e.lower() in gone or e.lower() not in present)
            for e, r in zip(nw["Email"], nw["Role"], strict=True)
            if "Smart Account Admin" in r
        ],
        [
            s.lower() in ("inactive", "departed", "left", "terminated", "disabled")
            for s, r in zip(ct["Status"], ct["Role"], strict=True)
            if "Smart Account Admin" in r
        ],
    ):
        findings["ADMIN_DEPARTED"] += sum(admins)
        active = len(admins) - sum(admins)
        findings["SA_ORPHANED"] += active == 0
        findings["SINGLE_ADMIN"] += active == 1
    findings["_in_use_mismatches"] = int(mismatches)
    return findings


@pytest.mark.parametrize(("instances", "seed"), [(2000, 7), (700, 3)])
def test_the_planted_findings_are_what_design_rules_find_in_the_written_files(tmp_path, instances, seed):
    planted = generate(tmp_path, instances=instances, seed=seed)
    found = oracle(tmp_path)
    assert found.pop("_in_use_mismatches") == planted["cases"]["in_use_mismatch"]
    assert found == planted["expected_findings"]


def test_the_manifest_lists_every_written_export(tmp_path):
    generate(tmp_path, instances=500)
    manifest = tomllib.loads((tmp_path / "engagement.toml").read_text(encoding="utf-8"))
    listed = {f["path"] for f in manifest["file"]}
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert listed == written - {"engagement.toml", "planted.json"}
    assert manifest["engagement"]["as_of"] == AS_OF
