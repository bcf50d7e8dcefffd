"""Steps 1–3 of the audit for product instances: link usage, staleness, duplicates, device findings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.findings_model import finding_rows
from core.match import explode_serials, match_instances
from core.schema import normalise_header
from core.settings import Settings

REMOVAL_ORDER = ("DECOMMISSIONED", "DUPLICATE_REGISTRATION", "STALE_NOT_IN_INVENTORY")


def license_classes(licenses: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Licence class per (SA, VA, licence key) and per licence key where all Virtual Accounts agree."""
    lic = licenses.assign(key=licenses["license"].map(normalise_header))
    pool = lic.groupby(["smart_account", "virtual_account", "key"])["license_class"].first()
    per_key = lic.groupby("key")["license_class"].agg(lambda c: c.iloc[0] if c.nunique() == 1 else "unknown")
    return pool, per_key


def link_usage(usage: pd.DataFrame, instances: pd.DataFrame) -> pd.Series:
    """instance_id for every usage row: its own instances row, else serial then hostname in the same VA."""
    own = usage["source_file"].astype(str) + "#" + usage["source_row"].astype(str)
    linked = own.where(own.isin(set(instances["instance_id"])))
    todo = usage[linked.isna()].assign(uid=np.flatnonzero(linked.isna().to_numpy()))
    if todo.empty or instances.empty:
        return linked
    scope = ["smart_account", "virtual_account"]
    inst_members = explode_serials(instances, "instance_id").merge(instances[["instance_id", *scope]], on="instance_id")
    by_serial = (
        explode_serials(todo, "uid").merge(todo[["uid", *scope]], on="uid").merge(inst_members, on=["member", *scope])
    )
    first = by_serial.sort_values(["uid", "instance_id"]).drop_duplicates("uid").set_index("uid")["instance_id"]
    rest = todo[~todo["uid"].isin(first.index)].dropna(subset=["host"])
    by_host = rest[["uid", "host", *scope]].merge(
        instances[["instance_id", "host", *scope]].dropna(subset=["host"]), on=["host", *scope]
    )
    first_host = by_host.sort_values(["uid", "instance_id"]).drop_duplicates("uid").set_index("uid")["instance_id"]
    found = pd.concat([first, first_host])
    values = linked.to_numpy(dtype=object)
    values[found.index.to_numpy()] = found.to_numpy()
    return pd.Series(values, index=usage.index, dtype=object)


def _perpetual_only(usage: pd.DataFrame, licenses: pd.DataFrame) -> pd.Series:
    """True per instance_id when every licence it consumes is perpetual (unknown types count as not)."""
    used = usage.dropna(subset=["instance_id"])
    if used.empty:
        return pd.Series(dtype=bool)
    if licenses.empty:
        return pd.Series(False, index=used["instance_id"].unique())
    pool, per_key = license_classes(licenses)
    key = used["license"].map(normalise_header)
    idx = pd.MultiIndex.from_arrays([used["smart_account"], used["virtual_account"], key])
    cls = pd.Series(pool.reindex(idx).to_numpy(), index=used.index)
    cls = cls.fillna(key.map(per_key)).fillna("unknown")
    return cls.eq("perpetual").groupby(used["instance_id"]).all()


def _duplicates(inst: pd.DataFrame) -> pd.DataFrame:
    """Copies of a serial registered more than once: all but the latest contact (tie: SA, VA, name)."""
    members = explode_serials(inst, "instance_id")
    members = members[members.duplicated("member", keep=False)]
    if members.empty:
        return pd.DataFrame(columns=["instance_id", "member", "keeper"])
    cols = ["instance_id", "last_contact", "smart_account", "virtual_account", "instance_name"]
    m = members.merge(inst[cols], on="instance_id")
    m = m.sort_values(
        ["member", "last_contact", "smart_account", "virtual_account", "instance_name", "instance_id"],
        ascending=[True, False, True, True, True, True],
        na_position="last",
    )
    m["keeper"] = m.groupby("member")["instance_id"].transform("first")
    dup = m[m["instance_id"] != m["keeper"]].drop_duplicates("instance_id")
    return dup[["instance_id", "member", "keeper"]]


def _days_text(inst: pd.DataFrame) -> pd.Series:
    date = inst["last_contact"].dt.strftime("%Y-%m-%d")
    text = "last contact " + inst["days"].astype("Int64").astype(str) + " days ago (" + date + ")"
    return text.where(inst["last_contact"].notna(), "no last contact recorded")


def assess_instances(
    instances: pd.DataFrame, usage: pd.DataFrame, licenses: pd.DataFrame, inventory: pd.DataFrame, settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Return (instance table, instance findings, usage instance_id link)."""
    inst = instances.reset_index(drop=True).copy()
    link = link_usage(usage, inst)
    linked_usage = usage.assign(instance_id=link.to_numpy())
    inst = inst.merge(match_instances(inst, inventory), on="instance_id", how="left")

    perpetual = _perpetual_only(linked_usage, licenses)
    inst["perpetual_only"] = inst["instance_id"].map(perpetual).astype("boolean").fillna(False).astype(bool)
    units = linked_usage.groupby("instance_id")["quantity"].sum()
    inst["units"] = inst["instance_id"].map(units).fillna(0).astype("int64")
    as_of = pd.Timestamp(settings.as_of)
    inst["days"] = (as_of - inst["last_contact"]).dt.days.astype("Int64")
    inst["threshold"] = np.where(inst["perpetual_only"], settings.perpetual_stale_days, settings.stale_days)
    reached = (inst["days"] >= inst["threshold"]).fillna(True).astype(bool)
    inst["stale"] = ~inst["reserved"].astype(bool) & reached

    dups = _duplicates(inst)
    keeper = inst.set_index("instance_id")[["instance_name", "smart_account", "virtual_account", "last_contact"]]
    dups = dups.join(keeper, on="keeper")
    inst = inst.merge(
        dups.rename(
            columns={
                "instance_name": "keeper_name",
                "smart_account": "keeper_sa",
                "virtual_account": "keeper_va",
                "last_contact": "keeper_contact",
                "member": "dup_serial",
            }
        ),
        on="instance_id",
        how="left",
    )

    life, matched, stale = inst["lifecycle"], inst["match"] != "none", inst["stale"]
    contact = _days_text(inst)
    policy = np.where(inst["perpetual_only"], "perpetual-only threshold", "term/subscription threshold")
    over = (contact + ", at or over the " + inst["threshold"].astype(str) + "-day " + policy).where(
        inst["last_contact"].notna(), contact)
    says = inst["inv_source"].astype(str) + " says '" + inst["inv_status"].fillna("(no status)").astype(str) + "'"
    rules = [
        ("DECOMMISSIONED", life.eq("retired"), says + "; " + contact),
        (
            "DUPLICATE_REGISTRATION",
            inst["keeper"].notna(),
            "serial "
            + inst["dup_serial"].astype(str)
            + " is also registered as '"
            + inst["keeper_name"].astype(str)
            + "' in "
            + inst["keeper_sa"].astype(str)
            + " / "
            + inst["keeper_va"].astype(str)
            + " (last contact "
            + inst["keeper_contact"].dt.strftime("%Y-%m-%d").fillna("none")
            + "), which is kept; this copy: "
            + contact,
        ),
        (
            "STALE_NOT_IN_INVENTORY",
            stale & (~matched | life.eq("not_in_service")),
            over + np.where(matched, "; " + says + " (not in service)", "; in no inventory file"),
        ),
        (
            "STALE_IN_SERVICE",
            stale & life.isin(["in_service", "unknown"]),
            over + "; " + says + ": the device runs but licensing does not report",
        ),
        ("NOT_IN_INVENTORY", ~stale & ~matched, contact + "; matched no inventory record by serial or hostname"),
        ("NOT_IN_SERVICE", ~stale & matched & life.eq("not_in_service"), contact + "; " + says),
        (
            "INVENTORY_CONFLICT",
            life.eq("conflict"),
            says
            + " but "
            + inst["inv_in_service_source"].astype(str)
            + " says '"
            + inst["inv_in_service_status"].astype(str)
            + "'",
        ),
        (
            "NO_OWNER",
            matched & life.eq("in_service") & inst["owner"].isna() & inst["owner_judged"],
            "in service per " + inst["inv_source"].astype(str) + "; no owner in any of its inventory records",
        ),
    ]
    removal = pd.Series(pd.NA, index=inst.index, dtype="object")
    for code in reversed(REMOVAL_ORDER):
        removal = removal.mask(dict((c, m) for c, m, _ in rules)[code].to_numpy(), code)
    inst["removal"] = removal
    inst["removable"] = removal.notna()
    findings = finding_rows(inst, rules)
    return inst, findings, link
