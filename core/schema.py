"""The input kinds, declared once.

This declaration drives detection (header aliases), parsing (field types), the README's table of accepted
columns, and the canonical frames the rules read. Each parsed frame carries the kind's field names as
columns (missing optional fields are present and empty), plus `source_file` and `source_row` (the row
number a user sees: the CSV line or the Excel row) and the derived columns listed per kind in `derived`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class FieldType(StrEnum):
    TEXT = "text"  # trimmed string; missing markers become missing
    SERIAL = "serial"  # upper-case serial list, members joined by ","
    HOSTNAME = "hostname"  # original text kept; the derived `host` column holds the match key
    DATE = "date"  # UTC calendar date (datetime64, midnight)
    INT = "int"  # whole number (nullable Int64); thousands separators allowed
    NUMBER = "number"  # decimal number (float64)
    LICENSE_LIST = "license_list"  # "DNA Advantage (1); Network Advantage" -> usage rows


@dataclass(frozen=True)
class Field:
    name: str
    aliases: tuple[str, ...]
    type: FieldType = FieldType.TEXT
    help: str = ""


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    fields: tuple[Field, ...]
    # Each inner tuple is a group of which at least one field must be mapped (so ("serial", "hostname")
    # means serial or hostname). A single-name group is a plain required field.
    required: tuple[tuple[str, ...], ...]
    # Scope columns that must end up filled on every row: from the file's column, else the manifest entry.
    scope: tuple[str, ...] = ()
    derived: tuple[str, ...] = ()
    help: str = ""
    # Columns whose few distinct values repeat on every row (account names, statuses, models): the estate
    # stores them as categoricals, a code per row instead of a string per row (see core.estate.compact).
    repeated: tuple[str, ...] = ()

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required_names(self) -> frozenset[str]:
        return frozenset(n for group in self.required for n in group)


def normalise_header(text: object) -> str:
    """Header comparison key: case, spaces, `_` and punctuation ignored."""
    return re.sub(r"[^0-9a-z]+", "", str(text).lower())


T = FieldType
_SA = Field("smart_account", ("Smart Account", "Smart Account Name", "SA", "Account", "Smart Account Domain"))
_VA = Field("virtual_account", ("Virtual Account", "VA", "Virtual Account Name", "Local Virtual Account"))
_LICENSE = Field(
    "license",
    ("License", "License Name", "Licence", "Licence Name", "License Type Name", "Entitlement Tag", "Feature"),
)
_QTY = Field("quantity", ("Quantity", "Qty", "Count", "Licenses Used", "In Use", "Consumed"), T.INT)
_SERIAL_ALIASES = (
    "Serial Number",
    "SN",
    "UDI_SN",
    "udiSerialNumber",
    "serial_number",
    "Serial",
    "serialNumber",
    "Serial No",
    "Device Serial",
    "Chassis Serial",
)
_HOST_ALIASES = ("Hostname", "Host Name", "Name", "Device Name", "Caption", "SysName", "DNS Name", "FQDN")

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "instances",
            "CSSM Product Instances",
            (
                Field(
                    "instance_name",
                    ("Name", "Product Instance", "Instance Name", "Product Instance Name", "Hostname", "Device Name"),
                    T.HOSTNAME,
                ),
                Field("serial", _SERIAL_ALIASES, T.SERIAL),
                Field("pid", ("PID", "UDI_PID", "Product ID", "Model", "udiPid", "Product Identifier")),
                Field("product_type", ("Product Type", "Product Tag", "Type", "Product Family")),
                Field(
                    "last_contact",
                    ("Last Contact", "Last Contact Date", "Last Seen", "Last Report", "Last Reported", "Last Sync"),
                    T.DATE,
                ),
                Field("status", ("Status", "Registration Status", "Authorization Status", "Alerts")),
                _SA,
                _VA,
                Field("licenses", ("Licenses", "Licenses in Use", "Licences", "License Usage"), T.LICENSE_LIST),
            ),
            required=(("instance_name",),),
            scope=("smart_account", "virtual_account"),
            derived=("host", "reserved", "instance_id"),
            repeated=("pid", "product_type", "status", "smart_account", "virtual_account", "licenses"),
            help="Export from CSSM → Inventory → Product Instances → Export to CSV.",
        ),
        Kind(
            "licenses",
            "CSSM Licenses tab",
            (
                _LICENSE,
                Field(
                    "purchased", ("Purchased", "Quantity", "Available to Use", "Assigned", "Purchased Quantity"), T.INT
                ),
                Field("in_use", ("In Use", "Consumed", "In-Use", "Used"), T.INT),
                Field("reserved", ("Reserved", "Reserved Quantity"), T.INT),
                Field("balance", ("Balance", "Surplus", "Available", "Surplus/Shortage", "Shortage"), T.INT),
                Field("license_type", ("Type", "License Type", "Licence Type", "Term")),
                Field("billing", ("Billing", "Billing Type", "Billing Model")),
                Field("expires", ("Expires", "Expiration", "Expiration Date", "Expiry", "End Date"), T.DATE),
                _SA,
                _VA,
            ),
            required=(("license",), ("purchased",), ("in_use",)),
            scope=("smart_account", "virtual_account"),
            derived=("license_class",),
            help="Export from CSSM → Inventory → Licenses → Export to CSV (one per Virtual Account or all).",
        ),
        Kind(
            "usage",
            "Per-instance licence consumption",
            (
                _LICENSE,
                Field("serial", _SERIAL_ALIASES, T.SERIAL),
                Field(
                    "instance_name",
                    ("Product Instance", "Instance Name", "Hostname", "Device Name", "Name"),
                    T.HOSTNAME,
                ),
                Field("quantity", ("Quantity", "Qty", "Count", "Licenses Used", "In Use", "Consumed", "Used"), T.INT),
                Field("network_license", ("Network License", "Network Licence", "networkLicense")),
                Field(
                    "dna_level", ("DNA Level", "DNA License", "Digital Network Architecture", "dnaLevel", "dnaLicense")
                ),
                _SA,
                _VA,
            ),
            required=(("license", "network_license", "dna_level"), ("serial", "instance_name")),
            scope=("smart_account", "virtual_account"),
            derived=("host",),
            repeated=("license", "network_license", "dna_level", "smart_account", "virtual_account"),
            help="CSSM → Licenses → a licence → Product Instances, or the Catalyst Center licence export.",
        ),
        Kind(
            "reservations",
            "Specific / Permanent License Reservations",
            (
                Field("serial", _SERIAL_ALIASES, T.SERIAL),
                Field(
                    "instance_name",
                    ("Product Instance", "Instance Name", "Hostname", "Device Name", "Name"),
                    T.HOSTNAME,
                ),
                Field("udi", ("UDI", "Device UDI", "Product Instance UDI")),
                _LICENSE,
                _QTY,
                Field(
                    "reservation_type",
                    ("Reservation Type", "Reservation", "Type", "Reservation Mode", "SLR/PLR"),
                ),
                Field("reserved_on", ("Reserved On", "Reservation Date", "Reserved Date", "Created", "Date"), T.DATE),
                _SA,
                _VA,
            ),
            required=(("serial", "instance_name", "udi"), ("license",)),
            scope=("smart_account", "virtual_account"),
            derived=("host",),
            repeated=("license", "reservation_type", "smart_account", "virtual_account"),
            help="CSSM → Inventory → Licenses → License Reservation export (SLR / PLR).",
        ),
        Kind(
            "inventory",
            "Authoritative inventory (CMDB / NMS)",
            (
                Field(
                    "serial",
                    (
                        "Serial Number",
                        "serial_number",
                        "Serial",
                        "SN",
                        "serialNumber",
                        "Serial No",
                        "Device Serial",
                        "Chassis Serial",
                        "Asset Serial",
                    ),
                    T.SERIAL,
                ),
                Field("hostname", _HOST_ALIASES, T.HOSTNAME),
                Field(
                    "status",
                    (
                        "install_status",
                        "Status",
                        "Lifecycle",
                        "Operational Status",
                        "Reachability",
                        "Install Status",
                        "Lifecycle Status",
                        "reachabilityStatus",
                        "State",
                    ),
                ),
                Field(
                    "owner",
                    (
                        "Owner",
                        "assigned_to",
                        "managed_by",
                        "owned_by",
                        "support_group",
                        "Tenant",
                        "Assigned To",
                        "Managed By",
                        "Support Group",
                    ),
                ),
                Field("pid", ("Model", "Platform", "platformId", "Device Type", "model_id", "Model ID", "PID")),
                Field("site", ("Site", "Location", "location", "Building")),
                Field("business_unit", ("Business Unit", "department", "Department", "company", "Cost Center")),
                Field("environment", ("Environment", "Env")),
                Field("region", ("Region", "Country")),
                Field(
                    "last_seen",
                    (
                        "Last Seen",
                        "Last Discovered",
                        "last_discovered",
                        "Last Updated",
                        "lastUpdateTime",
                        "Last Polled",
                    ),
                    T.DATE,
                ),
                Field("source", ("Source", "Discovery Source", "discovery_source")),
            ),
            required=(("serial", "hostname"),),
            derived=("host", "lifecycle"),
            repeated=(
                "status",
                "owner",
                "pid",
                "site",
                "business_unit",
                "environment",
                "region",
                "source",
                "lifecycle",
            ),
            help="ServiceNow cmdb_ci export, Catalyst Center device inventory, NetBox devices, SolarWinds nodes.",
        ),
        Kind(
            "ea",
            "EA entitlement (EA Workspace)",
            (
                Field("license", ("License", "License Name", "Entitlement", "Licence", "Product", "Product Name")),
                Field(
                    "entitled",
                    ("Entitled", "Entitled Quantity", "Quantity", "Purchased", "EA Quantity", "Entitlement Quantity"),
                    T.INT,
                ),
                Field("suite", ("Suite", "Portfolio", "Buying Program", "Architecture")),
                _SA,
            ),
            required=(("license",), ("entitled",)),
            help="EA Workspace → the agreement → Entitlements → Export.",
        ),
        Kind(
            "users",
            "Smart Account users",
            (
                Field("user", ("Username", "User", "Name", "User Name", "User ID", "CCO ID")),
                Field("email", ("Email", "E-mail", "Email Address", "Mail")),
                Field("role", ("Role", "Access", "Roles", "Access Level")),
                Field("status", ("Status", "Account Status", "User Status")),
                _SA,
                _VA,
            ),
            required=(("user", "email"), ("role",)),
            scope=("smart_account",),
            derived=("departed",),
            help="CSSM → Manage Smart Account → Users → Export.",
        ),
        Kind(
            "roster",
            "HR roster of current and departed staff",
            (
                Field("email", ("Email", "Work Email", "Email Address", "E-mail", "Mail")),
                Field("user", ("Username", "User ID", "User", "Login", "Employee ID")),
                Field("status", ("Status", "Employment Status", "Employee Status", "Worker Status")),
                Field("leave_date", ("Leave Date", "Termination Date", "End Date", "Last Day"), T.DATE),
            ),
            required=(("email", "user"),),
            derived=("departed",),
            help="HR system export: email or username, employment status, leave date.",
        ),
        Kind(
            "prices",
            "Unit prices (optional)",
            (
                Field("license", ("License", "License Name", "SKU", "Licence", "Product")),
                Field("unit_price", ("Unit Price", "Price", "List Price", "Net Price", "Annual Price"), T.NUMBER),
                Field("currency", ("Currency", "Curr")),
            ),
            required=(("license",), ("unit_price",)),
            help="Your price list or the EA quote: licence and annual unit price.",
        ),
    )
}

# Inventory lifecycle vocabulary (case-insensitive, compared on normalise_header); settings may extend it.
LIFECYCLE: dict[str, tuple[str, ...]] = {
    "retired": (
        "retired",
        "decommissioned",
        "decommissioning",
        "being decommissioned",
        "pending retire",
        "disposed",
        "absent",
        "stolen",
        "removed",
        "scrapped",
        "returned",
        "rma",
    ),
    "not_in_service": (
        "in stock",
        "inventory",
        "spare",
        "on order",
        "pending install",
        "planned",
        "staged",
        "offline",
        "failed",
        "unmanaged",
    ),
    "in_service": (
        "installed",
        "active",
        "operational",
        "in production",
        "in maintenance",
        "pending repair",
        "up",
        "reachable",
        "managed",
    ),
}

MISSING_MARKERS: frozenset[str] = frozenset({"", "na", "n/a", "null", "none", "never", "-"})

# Smart Account user status words (users kind) and HR roster status words.
USER_STATUS: dict[str, bool] = {
    "active": False,
    "enabled": False,
    "current": False,
    "employed": False,
    "departed": True,
    "disabled": True,
    "left": True,
    "terminated": True,
    "inactive": True,
    "deactivated": True,
    "suspended": True,
    "leaver": True,
    "former": True,
    "withdrawn": True,
}

LICENSE_CLASS = ("perpetual", "term", "subscription", "demo", "unknown")
