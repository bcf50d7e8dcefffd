"""Who administers each Smart Account, and who of them has left (users status, else the HR roster)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from core.findings_model import make_findings


def is_sa_admin(role: pd.Series) -> pd.Series:
    """A Smart Account administrator: the role mentions "Smart Account Admin" (Administrator included)."""
    return (
        role.fillna("")
        .astype(str)
        .str.lower()
        .str.replace(r"[\s_-]+", " ", regex=True)
        .str.contains("smart account admin", regex=False)
    )


def departed_users(users: pd.DataFrame, roster: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """users with `departed` (True / False / NA = not assessable) and `why` in words."""
    u = users.reset_index(drop=True).copy()
    departed = u["departed"].astype("boolean")
    why = pd.Series(
        np.where(departed.fillna(False), "the users export says '" + u["status"].astype(str) + "'", ""),
        index=u.index,
        dtype=object,
    )
    todo = departed.isna().to_numpy()
    if todo.any() and not roster.empty:
        r = roster.reset_index(drop=True).copy()
        leave = r["leave_date"]
        r_departed = r["departed"].astype("boolean").fillna(leave.notna() & (leave <= pd.Timestamp(as_of)))
        r["left"] = r_departed.to_numpy()
        r["why"] = np.where(
            r["left"],
            "the HR roster says '"
            + r["status"].fillna("").astype(str)
            + "'"
            + np.where(leave.notna(), " (left " + leave.dt.strftime("%Y-%m-%d") + ")", ""),
            "",
        )
        found = pd.Series(pd.NA, index=u.index, dtype="boolean")
        found_why = pd.Series(None, index=u.index, dtype=object)
        keyed = np.zeros(len(u), dtype=bool)
        for key in ("email_key", "user_key"):  # email when both sides have one, else the username
            if key not in r or key not in u or r[key].isna().all():
                continue
            look = r.dropna(subset=[key]).drop_duplicates(key).set_index(key)
            use = u[key].notna().to_numpy() & ~keyed
            found = found.mask(use, u[key].map(look["left"]).astype("boolean"))
            found_why = found_why.mask(use, u[key].map(look["why"]))
            keyed |= use
        known = todo & found.notna().to_numpy()
        absent = todo & keyed & found.isna().to_numpy()
        departed = departed.mask(known, found).mask(absent, True)
        why = why.mask(known & found.fillna(False).to_numpy(), found_why)
        why = why.mask(absent, "absent from the HR roster")
    u["departed"] = departed
    u["why"] = why
    return u


def assess_ownership(
    users: pd.DataFrame, roster: pd.DataFrame, smart_accounts: list[str], as_of: dt.date
) -> tuple[pd.DataFrame, dict[str, dict[str, object]]]:
    """Ownership findings and, per Smart Account, admins / active admins / departed admins or not assessable."""
    summary: dict[str, dict[str, object]] = {}
    if users.empty:
        for sa in smart_accounts:
            summary[sa] = {"assessable": False, "note": "no Smart Account users export"}
        return make_findings("ADMIN_DEPARTED", users.iloc[0:0]), summary
    u = departed_users(users, roster, as_of)
    admins = u[is_sa_admin(u["role"])]
    parts = []
    gone = admins[admins["departed"].fillna(False).astype(bool)]
    name = gone["user"].fillna(gone["email"]).astype(str)
    parts.append(
        make_findings(
            "ADMIN_DEPARTED",
            gone,
            smart_account=gone["smart_account"],
            instance_name=name,
            evidence="'"
            + name
            + "' holds '"
            + gone["role"].astype(str)
            + "' in "
            + gone["smart_account"].astype(str)
            + ", but "
            + gone["why"].astype(str),
            source_file=gone["source_file"],
            source_row=gone["source_row"],
            subject="user#" + name,
        )
    )
    for sa in sorted(set(smart_accounts) | set(u["smart_account"].dropna())):
        a = admins[admins["smart_account"] == sa]
        if (u["smart_account"] == sa).sum() == 0:
            summary[sa] = {"assessable": False, "note": "no Smart Account users export"}
            continue
        unknown = int(a["departed"].isna().sum())
        active = int((a["departed"] == False).sum())  # noqa: E712 - nullable boolean
        names = a["user"].fillna(a["email"]).astype(str)
        summary[sa] = {
            "assessable": unknown == 0,
            "admins": sorted(names),
            "active_admins": active,
            "departed_admins": sorted(names[a["departed"].fillna(False).astype(bool)]),
            "note": "" if unknown == 0 else f"{unknown} administrators with no status and no roster entry",
        }
        if unknown:
            continue
        row = pd.DataFrame({"smart_account": [sa]})
        if active == 0:
            ev = f"{sa} has no active Smart Account administrator ({len(a)} listed, all departed)"
            parts.append(make_findings("SA_ORPHANED", row, smart_account=sa, evidence=ev, subject=f"sa#{sa}"))
        elif active == 1:
            only = names[a["departed"] == False].iloc[0]  # noqa: E712
            ev = f"'{only}' is the only active Smart Account administrator of {sa}"
            parts.append(make_findings("SINGLE_ADMIN", row, smart_account=sa, evidence=ev, subject=f"sa#{sa}"))
    return pd.concat(parts, ignore_index=True), summary
