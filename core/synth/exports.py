"""Compose every export of the demo estate from the generated tables and write it the way the client's
systems would: each file with its own delimiter, encoding, date style, banners and quirks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from core.synth import catalog as c
from core.synth import licensing, people
from core.synth.text import const, digits, lookup, order, pick, spread
from core.synth.write import UTF8, UTF8_BOM, WINDOWS, CsvStyle, fmt, timestamps, write_csv, write_xlsx

LIC_NAMES = [x.name for x in c.LICENSES]
PRODUCT_TYPES = [p.product_type for p in c.PRODUCTS]


def license_text(rows: pd.DataFrame, usage: pd.DataFrame) -> pd.Series:
    """The Licenses cell per instance: `C9300 DNA Advantage (1); C9300 Network Advantage (1)`. Contoso's
    portal leaves out the count when it is 1."""
    n = len(rows)
    row = usage["row"].to_numpy()
    qty = usage["qty"].to_numpy()
    name = lookup(LIC_NAMES, usage["lic"].to_numpy())
    bare = ~rows["northwind"].to_numpy()[row] & (qty == 1)
    text = pick(bare, name, name + " (" + digits(qty) + ")")
    slot = usage["slot"].to_numpy()
    slots = [spread(text[slot == j], row[slot == j], n) for j in (0, 1)]
    both = ((slots[0] != "") & (slots[1] != "")).to_numpy()
    return pick(both, slots[0] + "; " + slots[1], slots[0] + slots[1])


def _banners(va: c.VirtualAccount, exported: bool = True) -> list[str]:
    lines = [f"Smart Account: {va.smart_account}", f"Virtual Account: {va.name}"]
    return lines + ([f"Exported: {c.EXPORTED:%Y-%m-%d %H:%M}"] if exported else [])


def _sorted(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame.iloc[order(frame[column])].reset_index(drop=True)


def instances(out: Path, rows: pd.DataFrame, lic_text: pd.Series) -> tuple[list[dict[str, str]], dict[str, int]]:
    """One Product Instances export per VA. Returns manifest entries and data rows per file."""
    entries, counts = [], {}
    ts = timestamps(rows["days"].to_numpy(), rows["secs"].to_numpy(), rows["missing"].to_numpy())
    for i, va in enumerate(c.VAS):
        sel = (rows["va"] == i).to_numpy()
        r = rows[sel].reset_index(drop=True)
        base = {
            "Name": r["name"],
            "Product Type": lookup(PRODUCT_TYPES, r["prod"].to_numpy()),
            "Serial Number": r["serial_cell"],
            "PID": r["pid_cell"],
        }
        stamp = ts[sel].reset_index(drop=True)
        status, lic = r["status"], lic_text[sel].reset_index(drop=True)
        if i == c.CAMPUS:  # no Licenses column: usage comes from the Catalyst Center licence export
            frame = pd.DataFrame({**base, "Last Contact": fmt(stamp, "mon"), "Status": status})
            rel = f"cssm/{va.slug}_instances.csv"
            counts[rel] = write_csv(out / rel, _sorted(frame, "Name"), UTF8_BOM, banners=_banners(va))
        elif i == c.BRANCH:
            frame = pd.DataFrame(
                {**base, "Last Contact": fmt(stamp, "isoz", "Never"), "Status": status, "Licenses": lic}
            )
            rel = f"cssm/{va.slug}_instances.csv"
            counts[rel] = write_csv(
                out / rel, _sorted(frame, "Name"), UTF8_BOM, banners=_banners(va), blank_at=len(frame) // 2
            )
        elif i == c.XLSX_VA:
            frame = pd.DataFrame({**base, "Last Contact": stamp, "Status": status, "Licenses": lic})
            rel = f"cssm/{va.slug}_instances.xlsx"
            title = f"Product Instances - {va.smart_account} / {va.name} - exported {c.EXPORTED:%Y-%m-%d %H:%M}"
            counts[rel] = write_xlsx(out / rel, title, _sorted(frame, "Name"), "Product Instances")
        else:
            frame = pd.DataFrame(
                {
                    "Product Instance Name": base["Name"],
                    "Product Type": base["Product Type"],
                    "Serial Number": base["Serial Number"],
                    "PID": base["PID"],
                    "Last Contact Date": fmt(stamp, "dmy"),
                    "Status": status,
                    "Licenses in Use": lic,
                }
            )
            rel = f"cssm/{va.slug}_instances.csv"
            counts[rel] = write_csv(
                out / rel,
                _sorted(frame, "Product Instance Name"),
                WINDOWS,
                banners=_banners(va, exported=False),
                trailing_blank=i == c.CT_WIRELESS,
            )
        entries.append(
            {"path": rel, "kind": "instances", "smart_account": va.smart_account, "virtual_account": va.name}
        )
    return entries, counts


def catalyst_usage(out: Path, rows: pd.DataFrame) -> tuple[dict[str, str], int]:
    """Catalyst Center licence export for the VA whose instances file has no Licenses column."""
    r = rows[rows["va"] == c.CATALYST_VA].reset_index(drop=True)
    prod = r["prod"].to_numpy()
    lics = np.array([p.licenses + (-1,) * (2 - len(p.licenses)) for p in c.PRODUCTS])
    term, perp = lics[prod, 0], lics[prod, 1]
    frame = pd.DataFrame(
        {
            "Hostname": r["name"],
            "Serial Number": r["serial"],
            "Platform": r["pid"],
            "Network License": lookup(LIC_NAMES, perp),
            "DNA Level": pick(r["cat"].to_numpy() == c.PERP, "NA", lookup(LIC_NAMES, term)),
            "Virtual Account": const(c.VAS[c.CATALYST_VA].name, len(r)),
        }
    )
    rel = "catalyst/campus_licenses.csv"
    n = write_csv(out / rel, _sorted(frame, "Hostname"))
    return {"path": rel, "kind": "usage", "smart_account": c.VAS[c.CATALYST_VA].smart_account}, n


def licenses(out: Path, pools: pd.DataFrame) -> tuple[list[dict[str, str]], dict[str, int]]:
    """CSSM Licenses export per Smart Account (one row per VA and licence); Northwind's ends with a Total row."""
    entries, counts = [], {}
    for sa, slug in ((c.NORTHWIND, "northwind"), (c.CONTOSO, "contoso")):
        p = pools[[c.VAS[v].smart_account == sa for v in pools["va"]]].reset_index(drop=True)
        exp = pd.Series([licensing.expires(v, x) for v, x in zip(p["va"], p["lic"], strict=True)])
        stamp = pd.to_datetime(exp)
        northwind = sa == c.NORTHWIND
        frame = pd.DataFrame(
            {
                "License": lookup(LIC_NAMES, p["lic"].to_numpy()),
                "Type": [c.LICENSES[x].type for x in p["lic"]],
                "Billing": "Prepaid",
                "Purchased" if northwind else "Quantity": p["purchased"],
                "In Use": p["in_use"],
                "Balance" if northwind else "Surplus/Shortage": p["purchased"] - p["in_use"],
                "Reserved": p["reserved"],
                "Virtual Account": [c.VAS[v].name for v in p["va"]],
                "Expires": fmt(stamp, "date" if northwind else "dmy_date", "Never"),
            }
        )
        rel = f"cssm/{slug}_licenses.csv"
        if northwind:
            total: dict[str, object] = dict.fromkeys(frame.columns, "")
            total.update(
                {
                    "License": "Total",
                    "Purchased": int(p["purchased"].sum()),
                    "In Use": int(p["in_use"].sum()),
                    "Balance": int((p["purchased"] - p["in_use"]).sum()),
                    "Reserved": int(p["reserved"].sum()),
                }
            )
            counts[rel] = write_csv(out / rel, frame, total=total)
        else:
            counts[rel] = write_csv(out / rel, frame, WINDOWS)
        entries.append({"path": rel, "kind": "licenses", "smart_account": sa})
    return entries, counts


def reservations(out: Path, res: pd.DataFrame) -> tuple[dict[str, str], int]:
    frame = pd.DataFrame(
        {
            "Serial Number": res["serial"],
            "License": lookup(LIC_NAMES, res["lic"].to_numpy()),
            "Quantity": res["qty"],
            "Reservation Type": res["type"],
            "Reserved On": fmt(pd.Series(res["reserved_on"].to_numpy().astype("datetime64[s]")), "date"),
            "Smart Account": [c.VAS[v].smart_account for v in res["va"]],
            "Virtual Account": [c.VAS[v].name for v in res["va"]],
        }
    )
    frame = frame.sort_values(["Smart Account", "Virtual Account", "Reserved On", "Serial Number"], ignore_index=True)
    rel = "cssm/reservations.csv"
    return {"path": rel, "kind": "reservations"}, write_csv(out / rel, frame)


def simple(
    out: Path, sn: pd.DataFrame, nms: pd.DataFrame, ea: pd.DataFrame, roster: pd.DataFrame
) -> tuple[list[dict[str, str]], dict[str, int]]:
    """Inventories, EA, users, roster and prices."""
    prices = pd.DataFrame(
        {
            "License": [x.name for x in c.LICENSES],
            "SKU": [x.sku for x in c.LICENSES],
            "Unit Price": [f"{x.unit_price:,.2f}" for x in c.LICENSES],
            "Currency": c.CURRENCY,
        }
    )
    specs: list[tuple[str, str, pd.DataFrame, dict[str, str], CsvStyle]] = [
        ("cmdb/servicenow_cmdb_ci_netgear.csv", "inventory", sn, {}, UTF8),
        ("nms/catalyst_center_inventory.csv", "inventory", nms, {}, UTF8),
        ("ea/ea_entitlements.csv", "ea", ea, {}, UTF8),
        ("cssm/northwind_users.csv", "users", people.NORTHWIND_USERS, {"smart_account": c.NORTHWIND}, UTF8),
        ("cssm/contoso_users.csv", "users", people.CONTOSO_USERS, {"smart_account": c.CONTOSO}, WINDOWS),
        ("hr/roster.csv", "roster", roster, {}, UTF8),
        ("prices/prices.csv", "prices", prices, {}, UTF8),
    ]
    entries, counts = [], {}
    for rel, kind, frame, scope, style in specs:
        counts[rel] = write_csv(out / rel, frame, style)
        entries.append({"path": rel, "kind": kind, **scope})
    return entries, counts
