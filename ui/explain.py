"""Words on the pages: the five hygiene issues, the plan's steps and the export guide."""

from __future__ import annotations

from dataclasses import dataclass

from core.schema import KINDS


@dataclass(frozen=True)
class Issue:
    title: str
    sentence: str
    codes: tuple[str, ...]


HYGIENE_ISSUES: tuple[Issue, ...] = (
    Issue(
        "Ghost registrations",
        "Devices retired, duplicated or silent for months still count as consumption Cisco reads as your baseline.",
        (
            "DECOMMISSIONED",
            "DUPLICATE_REGISTRATION",
            "STALE_NOT_IN_INVENTORY",
            "STALE_IN_SERVICE",
            "NOT_IN_INVENTORY",
            "NOT_IN_SERVICE",
            "INVENTORY_CONFLICT",
        ),
    ),
    Issue(
        "Reservations on retired boxes",
        "SLR/PLR licences pinned to devices that are gone stay consumed until released by return code or TAC case.",
        ("RESERVATION_ON_RETIRED",),
    ),
    Issue(
        "EA entitlement never deposited",
        "Licences the EA already pays for never landed in a Smart Account, so they cannot cover anything.",
        ("EA_UNALLOCATED",),
    ),
    Issue(
        "Short in one place, spare in another",
        "One Virtual Account (or acquired Smart Account) looks short while another has surplus that could cover it.",
        ("APPARENT_SHORTAGE", "VA_SHORTAGE", "SPLIT_POOLS"),
    ),
    Issue(
        "Nobody in charge",
        "A Smart Account whose administrators left, or hang on one person, cannot be cleaned or defended.",
        ("ADMIN_DEPARTED", "SA_ORPHANED", "SINGLE_ADMIN"),
    ),
)

STEP_NAMES = {
    1: "1 · Release reservations",
    2: "2 · Deregister instances",
    3: "3 · Transfer between Virtual Accounts",
    4: "4 · Claim EA entitlement / cover shortages",
    5: "5 · Fix ownership",
    6: "6 · Consolidate Smart Accounts",
    7: "7 · Verify",
}

CONFIDENCE_WORDS = {
    "certain": "certain: the evidence settles it",
    "likely": "likely: removable, shown with its evidence",
    "verify": "verify: upside, never removed without a check",
    "info": "info: context, no action",
}

_GUIDE = (
    (
        "Cisco Smart Software Manager (CSSM) / License Central",
        "instances",
        "software.cisco.com → Smart Software Licensing → Inventory → choose the Virtual Account → **Product Instances** "
        "→ Export (CSV). One file per Virtual Account: set its Smart Account and VA in the files table.",
    ),
    (
        "CSSM / License Central",
        "licenses",
        "Inventory → Virtual Account → **Licenses** → Export to CSV (per VA, or all VAs with a Virtual Account column).",
    ),
    (
        "CSSM / License Central",
        "reservations",
        "Inventory → **Licenses → License Reservation** (or Product Instances filtered to reserved) → Export.",
    ),
    (
        "CSSM / License Central",
        "users",
        "**Manage Smart Account → Users** → Export: who administers which Smart Account.",
    ),
    ("EA Workspace", "ea", "software.cisco.com → EA Workspace → the agreement → **Entitlements** → Export."),
    (
        "Catalyst Center",
        "usage",
        "Tools → **License Manager → Devices** → Export: hostname, serial, Network and DNA licence per device.",
    ),
    (
        "Catalyst Center",
        "inventory",
        "Provision → **Inventory** → select all → Export (CSV): hostname, serial, platform, reachability, site.",
    ),
    (
        "ServiceNow CMDB",
        "inventory",
        "Configuration → **Network Gear** (cmdb_ci_netgear) list → right-click a column header → Export → CSV; "
        "keep name, serial_number, install_status, assigned_to, support_group, location.",
    ),
    (
        "NetBox",
        "inventory",
        "Devices → **Devices** → Export → Current view (CSV): name, serial, status, tenant, site, device type.",
    ),
    ("HR system", "roster", "Current and departed staff: work email or username, employment status, leave date."),
    ("Your price list / the EA quote", "prices", "Optional: licence name or SKU, annual unit price, currency."),
)


def export_guide() -> str:
    rows = ["| From | File kind | Where to click |", "|---|---|---|"]
    rows += [f"| {src} | {KINDS[kind].title} | {how} |" for src, kind, how in _GUIDE]
    return "\n".join(rows) + (
        "\n\nMenu names differ slightly between classic CSSM and License Central; the app finds columns by their "
        "meaning, not their exact header. Drop an `engagement.toml` beside the exports to set the client, renewal "
        "and each file's Smart Account / Virtual Account in one go."
    )
