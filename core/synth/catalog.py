"""The fictional client's fixed facts: Smart Accounts, Virtual Accounts, products, licences, prices and the
plan of planted cases (what kind of dirt goes where, at what rate)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

CLIENT = "Northwind Holdings"
AS_OF = dt.date(2026, 11, 1)
RENEWAL_DATE = dt.date(2027, 7, 31)
RENEWAL_VALUE = 4_200_000
CURRENCY = "USD"
STALE_DAYS = 90
PERPETUAL_STALE_DAYS = 365
EXPORTED = dt.datetime(2026, 10, 31, 9, 12)

NORTHWIND = "Northwind Holdings"
CONTOSO = "Contoso Networks"

# The XLSX Virtual Account is capped so the demo stays openable and openpyxl stays fast at any size; the rest
# of its share goes to Campus.
XLSX_VA_CAP = 5000


@dataclass(frozen=True)
class VirtualAccount:
    smart_account: str
    name: str
    slug: str
    share: float
    sites: tuple[str, ...]
    support_group: str


VAS: tuple[VirtualAccount, ...] = (
    VirtualAccount(NORTHWIND, "Campus", "northwind_campus", 0.38, ("nyc", "chi"), "Campus Network Ops"),
    VirtualAccount(
        NORTHWIND, "Branch", "northwind_branch", 0.24, ("bos", "atl", "den", "sea", "mia", "phx"), "Branch IT"
    ),
    VirtualAccount(NORTHWIND, "DataCenter", "northwind_datacenter", 0.10, ("ash", "dfw"), "DC Infrastructure"),
    VirtualAccount(CONTOSO, "Default", "contoso_default", 0.16, ("zrh", "muc", "vie"), "Contoso NetOps"),
    VirtualAccount(CONTOSO, "Wireless", "contoso_wireless", 0.12, ("gva", "zrh"), "Contoso Wireless"),
)
CAMPUS, BRANCH, DATACENTER, CT_DEFAULT, CT_WIRELESS = range(5)
XLSX_VA = DATACENTER
CATALYST_VA = CAMPUS  # the VA whose usage comes from the Catalyst Center licence export

SITE_LABEL = {
    "nyc": "NYC-HQ",
    "chi": "CHI-Campus",
    "bos": "BOS-Branch",
    "atl": "ATL-Branch",
    "den": "DEN-Branch",
    "sea": "SEA-Branch",
    "mia": "MIA-Branch",
    "phx": "PHX-Branch",
    "ash": "ASH-DC1",
    "dfw": "DFW-DC2",
    "zrh": "ZRH-Campus",
    "muc": "MUC-Office",
    "vie": "VIE-Office",
    "gva": "GVA-Office",
}


@dataclass(frozen=True)
class License:
    name: str
    type: str  # Perpetual / Term / Subscription
    sku: str
    unit_price: float  # annual, USD
    suite: str | None  # EA suite; None: not in the EA


LICENSES: tuple[License, ...] = (
    License("C9300 DNA Advantage", "Term", "C9300-DNA-A-48", 1150.0, "Cisco DNA Switching"),
    License("C9300 Network Advantage", "Perpetual", "C9300-NW-A-48", 540.0, "Cisco DNA Switching"),
    License("C9200 DNA Essentials", "Term", "C9200-DNA-E-48", 310.0, "Cisco DNA Switching"),
    License("C9200 Network Essentials", "Perpetual", "C9200-NW-E-48", 120.0, "Cisco DNA Switching"),
    License("ISR 4000 DNA Advantage", "Subscription", "DNA-P-T1-A", 1420.0, "Cisco DNA Routing"),
    License("Nexus 9300 DCN Essentials", "Term", "DCN-N93-ESS", 2150.0, "Data Center Networking"),
    License("Firepower 2100 Threat Defense", "Subscription", "L-FPR2130T-T", 3200.0, None),
    License("Catalyst 9800 Wireless DNA Advantage", "Subscription", "AIR-DNA-A", 95.0, "Cisco DNA Wireless"),
)
C9300_DNA, C9300_NA, C9200_DNA, C9200_NE, ISR_DNA, N9K_DCN, FTD_TD, WLC_DNA = range(len(LICENSES))


@dataclass(frozen=True)
class Product:
    key: str
    product_type: str
    pids: tuple[str, ...]
    serial_prefixes: tuple[str, ...]
    role: str
    licenses: tuple[int, ...]  # term/subscription licence first, then the perpetual one if any


PRODUCTS: tuple[Product, ...] = (
    Product("C9300", "CAT9K", ("C9300-48P", "C9300-24T", "C9300-48U"), ("FOC", "FCW"), "sw", (C9300_DNA, C9300_NA)),
    Product("C9200", "CAT9K", ("C9200-48P", "C9200-24P"), ("JAE", "FOC"), "sw", (C9200_DNA, C9200_NE)),
    Product("ISR", "ISR4K", ("ISR4331/K9", "ISR4451-X/K9"), ("FDO", "FLM"), "rtr", (ISR_DNA,)),
    Product("N9K", "N9K", ("N9K-C93180YC-FX", "N9K-C9336C-FX2"), ("FDO", "SAL"), "nx", (N9K_DCN,)),
    Product("FTD", "FTD", ("FPR2130-NGFW-K9", "FPR2140-NGFW-K9"), ("JMX", "JAD"), "fw", (FTD_TD,)),
    Product("C9800", "C9800", ("C9800-40-K9", "C9800-L-F-K9"), ("FCL", "TTM"), "wlc", (WLC_DNA,)),
)
C9300, C9200, ISR, N9K, FTD, C9800 = range(len(PRODUCTS))

# Healthy product mix per VA.
MIX: dict[int, tuple[tuple[int, float], ...]] = {
    CAMPUS: ((C9300, 0.6), (C9200, 0.4)),
    BRANCH: ((ISR, 0.45), (C9200, 0.35), (C9300, 0.2)),
    DATACENTER: ((N9K, 0.7), (FTD, 0.3)),
    CT_DEFAULT: ((C9300, 0.7), (ISR, 0.3)),
    CT_WIRELESS: ((C9800, 1.0),),
}

# Instance categories: what the device looks like in CSSM and in the inventories.
(
    HEALTHY,
    PERP,
    DECOM,
    RES_OK,
    RES_DECOM,
    DUP_KEEP,
    DUP_COPY,
    STALE_NII,
    STALE_NIS,
    STALE_IS,
    NII,
    NIS,
    CONFLICT,
    NO_OWNER,
    STACK,
    STACK2,
    HOSTONLY,
    UDI,
    NMS_ONLY,
    UNKNOWN,
    NMS_UNREACH,
) = range(21)
N_CATEGORIES = 21

# Days since last contact at as_of, inclusive range per category (stale_days 90, perpetual_stale_days 365).
DAYS: dict[int, tuple[int, int]] = {
    HEALTHY: (2, 29),
    PERP: (180, 250),
    DECOM: (20, 420),
    RES_OK: (400, 1100),
    RES_DECOM: (400, 1100),
    DUP_KEEP: (2, 14),
    DUP_COPY: (35, 80),
    STALE_NII: (100, 700),
    STALE_NIS: (95, 400),
    STALE_IS: (95, 330),
    NII: (2, 60),
    NIS: (2, 60),
    CONFLICT: (2, 20),
    NO_OWNER: (2, 29),
    STACK: (2, 29),
    STACK2: (2, 29),
    HOSTONLY: (2, 29),
    UDI: (2, 29),
    NMS_ONLY: (2, 29),
    UNKNOWN: (2, 29),
    NMS_UNREACH: (2, 29),
}
REMOVABLE = frozenset({DECOM, RES_DECOM, DUP_COPY, STALE_NII, STALE_NIS})
RESERVED = frozenset({RES_OK, RES_DECOM})

# (category, va, product, rate of the VA's instance count, minimum count)
PLAN: tuple[tuple[int, int, int, float, int], ...] = (
    (DECOM, CAMPUS, C9300, 0.02, 2),
    (DECOM, CAMPUS, C9200, 0.01, 1),
    (DECOM, BRANCH, ISR, 0.025, 3),
    (DECOM, BRANCH, C9200, 0.01, 1),
    (DECOM, DATACENTER, N9K, 0.02, 1),
    (DECOM, DATACENTER, FTD, 0.01, 1),
    (DECOM, CT_DEFAULT, C9300, 0.03, 2),
    (DECOM, CT_WIRELESS, C9800, 0.02, 1),
    (RES_DECOM, DATACENTER, FTD, 0.005, 1),
    (RES_DECOM, DATACENTER, N9K, 0.005, 1),
    (RES_DECOM, CT_DEFAULT, C9300, 0.005, 1),
    (RES_OK, DATACENTER, N9K, 0.02, 2),
    (RES_OK, DATACENTER, FTD, 0.01, 1),
    (RES_OK, CT_DEFAULT, C9300, 0.01, 2),
    (STALE_NII, BRANCH, ISR, 0.02, 2),
    (STALE_NII, BRANCH, C9200, 0.015, 1),
    (STALE_NII, BRANCH, C9300, 0.01, 1),
    (STALE_NII, DATACENTER, N9K, 0.02, 1),
    (STALE_NII, CT_DEFAULT, C9300, 0.04, 2),
    (STALE_NII, CT_DEFAULT, ISR, 0.02, 1),
    (STALE_NII, CT_WIRELESS, C9800, 0.03, 2),
    (STALE_NIS, CAMPUS, C9300, 0.005, 1),
    (STALE_NIS, BRANCH, C9200, 0.005, 1),
    (STALE_NIS, CT_DEFAULT, C9300, 0.005, 1),
    (STALE_IS, CAMPUS, C9300, 0.015, 2),
    (STALE_IS, CAMPUS, C9200, 0.01, 1),
    (STALE_IS, BRANCH, ISR, 0.02, 1),
    (STALE_IS, DATACENTER, N9K, 0.02, 1),
    (STALE_IS, DATACENTER, FTD, 0.01, 1),
    (STALE_IS, CT_DEFAULT, C9300, 0.02, 1),
    (STALE_IS, CT_WIRELESS, C9800, 0.02, 1),
    (NII, BRANCH, ISR, 0.015, 1),
    (NII, BRANCH, C9200, 0.01, 1),
    (NII, DATACENTER, FTD, 0.02, 1),
    (NII, CT_DEFAULT, C9300, 0.02, 1),
    (NII, CT_WIRELESS, C9800, 0.02, 1),
    (NIS, CAMPUS, C9300, 0.005, 1),
    (NIS, CAMPUS, C9200, 0.005, 1),
    (NIS, BRANCH, C9200, 0.01, 1),
    (NIS, CT_DEFAULT, ISR, 0.01, 1),
    (CONFLICT, CAMPUS, C9300, 0.0015, 1),
    (CONFLICT, CAMPUS, C9200, 0.001, 1),
    (NO_OWNER, CAMPUS, C9300, 0.01, 1),
    (NO_OWNER, BRANCH, ISR, 0.01, 1),
    (NO_OWNER, DATACENTER, N9K, 0.01, 1),
    (NO_OWNER, CT_DEFAULT, C9300, 0.01, 1),
    (NO_OWNER, CT_WIRELESS, C9800, 0.01, 1),
    (PERP, CAMPUS, C9300, 0.015, 2),
    (PERP, BRANCH, C9300, 0.02, 1),
    (PERP, CT_DEFAULT, C9300, 0.02, 1),
    (STACK2, BRANCH, C9300, 0.01, 2),
    (STACK2, CT_DEFAULT, C9300, 0.01, 1),
    (STACK, BRANCH, C9300, 0.015, 1),
    (STACK, CT_DEFAULT, C9300, 0.02, 1),
    (HOSTONLY, BRANCH, ISR, 0.01, 1),
    (HOSTONLY, CT_DEFAULT, ISR, 0.01, 1),
    (HOSTONLY, CT_WIRELESS, C9800, 0.02, 1),
    (UDI, BRANCH, C9200, 0.01, 1),
    (UDI, CT_DEFAULT, C9300, 0.03, 2),
    (UDI, CT_DEFAULT, ISR, 0.01, 1),
    (NMS_ONLY, BRANCH, C9300, 0.01, 1),
    (NMS_ONLY, BRANCH, C9200, 0.01, 1),
    (UNKNOWN, BRANCH, ISR, 0.003, 1),
    (UNKNOWN, CT_DEFAULT, C9300, 0.003, 1),
    (UNKNOWN, CT_WIRELESS, C9800, 0.005, 1),
    (NMS_UNREACH, BRANCH, C9300, 0.004, 1),
)

# Duplicate registrations: (keeper VA, copy VA, product, rate of all instances, minimum pairs).
DUP_PLAN: tuple[tuple[int, int, int, float, int], ...] = (
    (CAMPUS, BRANCH, C9300, 0.002, 2),
    (BRANCH, CT_DEFAULT, C9300, 0.001, 1),  # across Smart Accounts
    (CT_DEFAULT, BRANCH, C9300, 0.0005, 1),  # across Smart Accounts, the other way
)

BRANCH_IN_CATALYST = 0.3  # share of healthy Branch devices Catalyst Center also manages
SN_EXTRA_RATE = 0.12  # unregistered CIs in ServiceNow (access points, old retired switches), per instance
NMS_EXTRA_RATE = 0.02  # unregistered devices only Catalyst Center knows, per instance
MISMATCH_UNITS = 4  # Licenses export In Use above usage + reserved, on one pool
