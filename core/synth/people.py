"""Smart Account users and the HR roster of the demo estate: Northwind has two Smart Account administrators,
one of whom has left (per the roster); Contoso's only administrator is marked inactive in CSSM."""

from __future__ import annotations

import numpy as np
import pandas as pd

NORTHWIND_USERS = pd.DataFrame(
    [
        ("jsmith", "John", "Smith", "j.smith@northwind.example", "Smart Account Administrator", ""),
        ("mpatel", "Meera", "Patel", "m.patel@northwind.example", "Smart Account Administrator", ""),
        ("aokafor", "Ada", "Okafor", "a.okafor@northwind.example", "Smart Account User", ""),
        ("lchen", "Li", "Chen", "l.chen@northwind.example", "Virtual Account Administrator", "Campus"),
        ("rgarcia", "Rosa", "Garcia", "r.garcia@northwind.example", "Virtual Account Administrator", "Branch"),
        ("tnguyen", "Tam", "Nguyen", "t.nguyen@northwind.example", "Virtual Account Administrator", "DataCenter"),
        ("bwilliams", "Ben", "Williams", "b.williams@northwind.example", "Virtual Account User", "Campus"),
        ("kjohnson", "Kim", "Johnson", "k.johnson@northwind.example", "Virtual Account User", "Branch"),
        ("dbrown", "Dev", "Brown", "d.brown@northwind.example", "Virtual Account User", "DataCenter"),
    ],
    columns=["Username", "First Name", "Last Name", "Email", "Role", "Virtual Account"],
)

CONTOSO_USERS = pd.DataFrame(
    [
        ("kweber", "Klaus Weber", "k.weber@contoso.example", "Smart Account Administrator", "", "Inactive"),
        (
            "jmueller",
            "Jürgen Müller",
            "j.mueller@contoso.example",
            "Virtual Account Administrator",
            "Default",
            "Active",
        ),
        (
            "hbeaulieu",
            "Hélène Beaulieu",
            "h.beaulieu@contoso.example",
            "Virtual Account Administrator",
            "Wireless",
            "Active",
        ),
        ("pkeller", "Petra Keller", "p.keller@contoso.example", "Virtual Account User", "Default", "Active"),
        ("netpartner", "Integrator NOC", "noc@integrator.example", "Virtual Account User", "Wireless", "Active"),
    ],
    columns=["User", "Display Name", "Email", "Role", "Virtual Account", "Status"],
)

# (email as HR writes it, full name, department, status, termination date MM/DD/YYYY)
_KNOWN = [
    ("J.Smith@Northwind.example", "John Smith", "Network Engineering", "Active", ""),
    ("M.Patel@northwind.example", "Meera Patel", "Network Engineering", "Terminated", "08/14/2026"),
    ("a.okafor@northwind.example", "Ada Okafor", "Procurement", "Active", ""),
    ("l.chen@northwind.example", "Li Chen", "Network Engineering", "Active", ""),
    ("r.garcia@northwind.example", "Rosa Garcia", "Branch IT", "Active", ""),
    ("t.nguyen@northwind.example", "Tam Nguyen", "DC Infrastructure", "Active", ""),
    ("b.williams@northwind.example", "Ben Williams", "Network Engineering", "Active", ""),
    ("k.johnson@northwind.example", "Kim Johnson", "Branch IT", "Terminated", "05/22/2026"),
    ("d.brown@northwind.example", "Dev Brown", "DC Infrastructure", "Active", ""),
    ("k.weber@contoso.example", "Klaus Weber", "Contoso IT", "Terminated", "03/27/2026"),
    ("j.mueller@contoso.example", "Jürgen Müller", "Contoso IT", "Active", ""),
    ("h.beaulieu@contoso.example", "Hélène Beaulieu", "Contoso IT", "Active", ""),
    ("p.keller@contoso.example", "Petra Keller", "Contoso IT", "Active", ""),
]
_FIRST = ["Alex", "Jordan", "Morgan", "Casey", "Riley", "Taylor", "Jamie", "Avery", "Quinn", "Drew", "Robin", "Sky"]
_LAST = ["Harper", "Ellis", "Foster", "Hayes", "Kim", "Lopez", "Novak", "Ortiz", "Reid", "Sato", "Varga", "Young"]
_DEPTS = ["Finance", "Procurement", "Network Engineering", "Service Desk", "Security", "Facilities"]


def roster(rng: np.random.Generator, extra: int = 36) -> pd.DataFrame:
    """HR roster: every CSSM user of both Smart Accounts (the integrator's NOC is not staff) plus other staff."""
    first = np.array(_FIRST, dtype=object)[rng.integers(0, len(_FIRST), extra)]
    last = np.array(_LAST, dtype=object)[rng.integers(0, len(_LAST), extra)]
    tag = pd.Series(np.arange(extra) + 100).astype(str)
    email = (
        pd.Series(first).str.lower().str.slice(0, 1) + "." + pd.Series(last).str.lower() + tag + "@northwind.example"
    )
    left = rng.random(extra) < 0.15
    month = pd.Series(rng.integers(1, 10, extra)).astype(str).str.zfill(2)
    day = pd.Series(rng.integers(1, 29, extra)).astype(str).str.zfill(2)
    others = pd.DataFrame(
        {
            "Email": email,
            "Full Name": pd.Series(first) + " " + pd.Series(last),
            "Department": np.array(_DEPTS, dtype=object)[rng.integers(0, len(_DEPTS), extra)],
            "Employment Status": np.where(left, "Terminated", "Active"),
            "Termination Date": np.where(left, month + "/" + day + "/2026", ""),
        }
    )
    known = pd.DataFrame(_KNOWN, columns=list(others.columns))
    return pd.concat([known, others], ignore_index=True)
