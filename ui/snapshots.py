"""The Baseline page's locked-snapshot sections: lock, list and download, compare two, progress since a lock,
and verify a downloaded baseline.csv. Store calls go through ui.engagements (a failure is a message)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from core.pack import snapshot_pack
from core.reconcile import ReconcileResult
from core.snapshots import diff, payload, progress, verify_fingerprint
from core.store import Engagement, Snapshot, SnapshotInfo
from ui import charts, engagements, fmt, tables

_LOCKED = "sah_locked_message"  # said once, on the run after a lock
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Fetch = Callable[[int], Snapshot | None]
_POOL_COLUMNS = {
    "smart_account": "Smart Account",
    "virtual_account": "Virtual Account",
    "license": "Licence",
    **{
        f"{m}_{w}": f"{label}, {w}"
        for m, label in (
            ("clean_in_use", "Clean in use"),
            ("final_balance", "Final balance"),
            ("purchased", "Purchased"),
        )
        for w in ("before", "after", "delta")
    },
}
_PLAN_COLUMNS = ["step", "action", "smart_account", "virtual_account", "instance_name", "license", "quantity", "reason"]
_LABELS = {
    "step": "Step",
    "action": "Action",
    "finding": "Finding",
    "confidence": "Confidence",
    "smart_account": "Smart Account",
    "virtual_account": "Virtual Account",
    "instance_name": "Instance",
    "license": "Licence",
    "quantity": "Licences",
    "reason": "Why",
    "evidence": "Evidence",
}
_FINDING_COLUMNS = ["finding", "confidence", "smart_account", "virtual_account", "instance_name", "license", "evidence"]


def fetcher() -> Fetch:
    """Read each snapshot once per run, for the user signed in (membership is checked by the store)."""
    got: dict[int, Snapshot | None] = {}

    def fetch(sid: int) -> Snapshot | None:
        if sid not in got:
            got[sid] = engagements.call(lambda s: s.snapshot(sid, engagements.username()))
        return got[sid]

    return fetch


def when(info: SnapshotInfo) -> str:
    return info.locked_at[:16].replace("T", " ") + " UTC"


def _key(name: str, infos: list[SnapshotInfo]) -> str:
    """A picker's key names the newest snapshot: after a lock every picker starts again on the newest."""
    return f"{name}_{infos[0].engagement_id}_{infos[-1].id}"


def _pick(infos: list[SnapshotInfo], title: str, name: str) -> int:
    """A snapshot chosen from a list that starts on the newest (see _key)."""
    by_id = {i.id: i for i in infos}
    return st.selectbox(  # type: ignore[no-any-return]
        title, list(by_id), index=len(infos) - 1, format_func=lambda i: label(by_id[i]), key=_key(name, infos)
    )


def label(info: SnapshotInfo) -> str:
    note = f" · {info.note[:40]}" if info.note else ""
    return f"#{info.id} · {when(info)} · as of {info.as_of}{note}"


def lock_form(e: Engagement | None, r: ReconcileResult | None) -> None:
    """Advisors of the open engagement lock the current baseline with a note; nobody else sees the form."""
    if not engagements.can_lock():
        if engagements.can_change():  # an advisor with no engagement open
            st.caption("Locking a baseline needs an engagement: create one on the Engagement page.")
        return
    assert e is not None
    if r is None:
        return
    with st.form("sah_lock_form"):
        st.markdown(f"**Lock this baseline** as an immutable snapshot of *{fmt.md(e.name)}*")
        note = st.text_input("Note", max_chars=500, placeholder="e.g. Clean baseline for the renewal, 6 months out")
        if st.form_submit_button("Lock this baseline", type="primary", icon=":material/lock:"):
            p = payload(r)
            sid = engagements.call(
                lambda s: s.lock(
                    e.id,
                    engagements.username(),
                    engagements.now(),
                    p["as_of"],
                    note.strip(),
                    p["settings"],
                    p["inputs"],
                    p["fingerprint"],
                    p["files"],
                )
            )
            if sid:  # run again so the list, compare and verify tabs all see the new snapshot
                st.session_state[_LOCKED] = f"Locked snapshot #{sid}: fingerprint `{p['fingerprint']}`."
                st.rerun()
    if _LOCKED in st.session_state:
        st.success(st.session_state.pop(_LOCKED), icon=":material/lock:")


def listing(infos: list[SnapshotInfo], fetch: Fetch, client: str) -> None:
    table = pd.DataFrame(
        {
            "Snapshot": [f"#{i.id}" for i in infos],
            "Locked at": [when(i) for i in infos],
            "By": [i.locked_by for i in infos],
            "As of": [i.as_of for i in infos],
            "Note": [i.note for i in infos],
            "Fingerprint": [i.fingerprint[:12] + "…" for i in infos],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", height=tables.height(len(table), 320))
    sid = _pick(infos, "Snapshot", "sah_snap")
    snap = fetch(sid)
    if snap is None:
        return
    name = f"{fmt.slug(client)}_snapshot_{sid}"
    c1, c2, _ = st.columns([1, 1, 2])
    c1.download_button(
        "Download snapshot baseline (CSV)",
        snap.baseline_csv,
        f"{name}_baseline.csv",
        "text/csv",
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
    )
    c2.download_button(
        "Download snapshot pack (XLSX)",
        lambda: snapshot_pack(snap),
        f"{name}_pack.xlsx",
        XLSX,
        icon=":material/table_view:",
        on_click="ignore",
        width="stretch",
    )
    st.caption(f"Fingerprint (SHA-256 of its baseline.csv): `{snap.info.fingerprint}`")
    with st.expander(f"Input files of snapshot #{sid} and their SHA-256"):
        st.dataframe(pd.DataFrame(snap.inputs), hide_index=True, width="stretch")


def compare(infos: list[SnapshotInfo], fetch: Fetch) -> None:
    if len(infos) < 2:
        st.info("Lock at least two snapshots to compare them.", icon=":material/info:")
        return
    by_id = {i.id: i for i in infos}
    ids = list(by_id)
    c1, c2 = st.columns(2)
    a = c1.selectbox(
        "Earlier", ids, index=len(ids) - 2, format_func=lambda i: label(by_id[i]), key=_key("sah_cmp_a", infos)
    )
    b = c2.selectbox(
        "Later", ids, index=len(ids) - 1, format_func=lambda i: label(by_id[i]), key=_key("sah_cmp_b", infos)
    )
    before, after = fetch(a), fetch(b)
    if before is None or after is None:
        return
    d = diff(before.baseline_csv, before.findings_csv, after.baseline_csv, after.findings_csv)
    changed = d.pools[(d.pools.filter(like="_delta").fillna(0) != 0).any(axis=1)]
    cols = st.columns(4)
    delta = d.pools["clean_in_use_delta"].sum()
    cols[0].metric("Clean in use, change", f"{delta:+,.0f}", border=True, help="Σ over every pool: later − earlier.")
    cols[1].metric("Pools changed", fmt.number(len(changed)), border=True)
    cols[2].metric("Findings added", fmt.number(len(d.added)), border=True)
    cols[3].metric("Findings resolved", fmt.number(len(d.resolved)), border=True)
    only = st.toggle("Only the pools that changed", value=True, key="sah_cmp_only")
    shown = changed if only else d.pools
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=tables.height(len(shown), 420),
        column_order=list(_POOL_COLUMNS),
        column_config={
            c: (t if c in ("smart_account", "virtual_account", "license") else tables.count_column(t))
            for c, t in _POOL_COLUMNS.items()
        },
    )
    if len(changed):
        st.altair_chart(charts.pool_deltas(changed, f"Snapshot #{a} → #{b}"), width="stretch")
    left, right = st.columns(2)
    _findings(left, f"Added in #{b} ({len(d.added):,})", d.added)
    _findings(right, f"Resolved since #{a} ({len(d.resolved):,})", d.resolved)


def _findings(where: object, title: str, frame: pd.DataFrame) -> None:
    with where:  # type: ignore[attr-defined]
        st.markdown(f"**{title}**")
        _rows(frame, _FINDING_COLUMNS, 260)


def _rows(frame: pd.DataFrame, columns: list[str], height: int) -> None:
    shown = tables.blank(frame.reindex(columns=columns))
    st.dataframe(shown, hide_index=True, width="stretch", height=height, column_config=_LABELS)


def progress_view(infos: list[SnapshotInfo], fetch: Fetch, r: ReconcileResult | None) -> None:
    """The verification loop: the estate loaded now against a locked snapshot's plan, findings and baseline."""
    if r is None:
        st.info("Load the fresh exports on the Engagement page to check progress against a lock.")
        return
    sid = _pick(infos, "Against snapshot", "sah_prog")
    snap = fetch(sid)
    if snap is None:
        return
    p = progress(snap.plan_csv, snap.findings_csv, snap.baseline_csv, r)
    if {i.get("sha256") for i in snap.inputs} == {rep.sha256 for rep in r.reports}:
        st.info(
            "The files loaded now are the ones this snapshot was locked from: upload fresh exports after the "
            "remediation to see what was done.",
            icon=":material/info:",
        )
    total = len(p.done) + len(p.still_open)
    cols = st.columns(4)
    cols[0].metric(
        "Actions done",
        f"{len(p.done):,} of {total:,}",
        border=True,
        help="Plan actions of the lock that the fresh exports no longer call for.",
    )
    cols[1].metric("Still open", fmt.number(len(p.still_open)), border=True)
    cols[2].metric("New findings since the lock", fmt.number(len(p.new_findings)), border=True)
    cols[3].metric(
        "Clean in use now",
        fmt.number(p.clean_in_use_now),
        delta=f"{p.clean_change:+,} since the lock ({fmt.number(p.clean_in_use_locked)})"
        if p.clean_change
        else f"as at the lock ({fmt.number(p.clean_in_use_locked)})",
        delta_color="inverse" if p.clean_change else "off",
        delta_arrow="auto" if p.clean_change else "off",
        border=True,
    )
    for title, frame, columns in (
        (f"Done ({len(p.done):,})", p.done, _PLAN_COLUMNS),
        (f"Still open ({len(p.still_open):,})", p.still_open, _PLAN_COLUMNS),
        (f"New findings since the lock ({len(p.new_findings):,})", p.new_findings, _FINDING_COLUMNS),
    ):
        with st.expander(title, expanded=title.startswith("Done")):
            _rows(frame, columns, tables.height(len(frame), 360))


def verify(infos: list[SnapshotInfo]) -> None:
    """Is this baseline.csv byte for byte a locked one? Against the chosen snapshot, and which one if any."""
    sid = _pick(infos, "Snapshot to check against", "sah_verify_pick")
    got = st.file_uploader("A downloaded baseline.csv", type=["csv"], key="sah_verify_file")
    if got is None:
        st.caption("Drop a baseline.csv to check that it was not changed since it was locked.")
        return
    data = got.getvalue()
    matches = [i for i in infos if verify_fingerprint(data, i.fingerprint)]
    chosen = next(i for i in infos if i.id == sid)
    if chosen in matches:
        st.success(
            f"{fmt.md(got.name)} matches snapshot #{sid}: byte for byte the baseline locked on {when(chosen)} by "
            f"{fmt.md(chosen.locked_by)}.",
            icon=":material/verified:",
        )
        return
    also = (
        f"It matches snapshot {', '.join(f'#{i.id}' for i in matches)} instead."
        if matches
        else "It matches no snapshot of this engagement: it was changed, or comes from elsewhere."
    )
    st.error(f"{fmt.md(got.name)} differs from snapshot #{sid}. {also}", icon=":material/gpp_bad:")
