"""The Engagement page's file widgets: the files table (with kind / Smart Account / VA assignment), the
column-mapping editor and the problems list."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.detect import map_columns
from core.schema import KINDS
from ui import fmt, state, tables

DETECT = "(detect)"
NOT_MAPPED = ""


def _row(u: state.Upload, a: state.Analysis) -> dict[str, object]:
    p = a.by_file.get(u.name)
    problems = state.file_problems(a, u.name)
    r = p.report if p else None
    if problems:
        status = "Not used: " + (problems[0].detail or problems[0].reason.value.replace("_", " "))
    elif r and r.rejected:
        status = f"Used, {r.rejected:,} row(s) rejected"
    else:
        status = "Used"
    return {
        "file": u.name,
        "status": status,
        "kind": u.kind or (r.kind if r else None) or DETECT,
        "confidence": r.confidence if r else None,
        "rows_read": r.rows_read if r else None,
        "used": r.used if r else None,
        "rejected": r.rejected if r else None,
        "skipped": r.skipped if r else None,
        "smart_account": u.smart_account or "",
        "virtual_account": u.virtual_account or "",
        "sheet": u.sheet or "",
        "warnings": "; ".join(r.warnings) if r else "",
        "remove": False,
    }


def files_table(a: state.Analysis) -> None:
    """One row per file: what was detected and how its rows were used; kind, SA, VA and sheet editable."""
    files = state.uploads()
    table = pd.DataFrame([_row(u, a) for u in files.values()])
    num = st.column_config.NumberColumn
    with st.form("sah_files_form", border=False):
        edited = st.data_editor(
            table,
            key="sah_files_editor",
            hide_index=True,
            width="stretch",
            height=tables.height(len(table)),
            num_rows="fixed",
            disabled=[
                "file",
                "status",
                "confidence",
                "rows_read",
                "used",
                "rejected",
                "skipped",
                "warnings",
            ],
            column_config={
                "file": st.column_config.TextColumn("File", pinned=True, width="large"),
                "status": st.column_config.TextColumn("Status"),
                "kind": st.column_config.SelectboxColumn(
                    "Kind", options=[DETECT, *KINDS], required=True, help="Detected from the header; change it here"
                ),
                "confidence": num("Confidence", format="%.2f", help="How clearly the header row says the kind"),
                "rows_read": num("Rows read", format="localized"),
                "used": num("Used", format="localized"),
                "rejected": num("Rejected", format="localized"),
                "skipped": num("Skipped", format="localized"),
                "smart_account": st.column_config.TextColumn("Smart Account", help="For files without that column"),
                "virtual_account": st.column_config.TextColumn("Virtual Account", help="For files without that column"),
                "sheet": st.column_config.TextColumn(
                    "Sheet", help="XLSX: the sheet to read (default: first with a header)"
                ),
                "warnings": st.column_config.TextColumn("Warnings", width="large"),
                "remove": st.column_config.CheckboxColumn("Remove"),
            },
        )
        if st.form_submit_button("Apply changes to the files", icon=":material/check:"):
            _apply(table, edited)
            st.rerun()


def _text(value: object) -> str | None:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()
    return text or None


def _apply(before: pd.DataFrame, after: pd.DataFrame) -> None:
    state.remove_files(after.loc[after["remove"].fillna(False).astype(bool), "file"].tolist())
    for old, new in zip(before.to_dict("records"), after.to_dict("records"), strict=True):
        if new["remove"]:
            continue
        changes = {c: _text(new[c]) for c in ("smart_account", "virtual_account", "sheet") if new[c] != old[c]}
        if new["kind"] != old["kind"]:
            changes.update(kind=None if new["kind"] == DETECT else new["kind"], mapping=())
        if changes:
            state.update_file(new["file"], **changes)


def mapping_editor(a: state.Analysis) -> None:
    """Map the file's own headers to the fields of its kind, for headers the detection does not recognise."""
    files = state.uploads()
    if not files:
        return
    names = list(files)
    first = next((i for i, n in enumerate(names) if a.by_file.get(n) is None), 0)
    name = st.selectbox("File", names, index=first, key="sah_map_file")
    u = files[name]
    headers = state.headers(u.content, u.name, u.sheet)
    if not headers:
        st.error(f"{fmt.md(name)}: no header row could be read, so there is nothing to map.")
        return
    p = a.by_file.get(name)
    kinds = list(KINDS)
    current = u.kind or (p.report.kind if p else None) or kinds[0]
    kind = st.selectbox(
        "Kind",
        kinds,
        index=kinds.index(current),
        key=f"sah_map_kind_{name}",
        format_func=lambda k: f"{k} — {KINDS[k].title}",
    )
    spec = KINDS[kind]
    auto, _ = map_columns(spec, list(headers))
    chosen = {f: headers[i] for f, i in auto.items()} | dict(u.mapping)
    rows = pd.DataFrame(
        {
            "field": list(spec.field_names),
            "required": [f in spec.required_names for f in spec.field_names],
            "column": [chosen.get(f, NOT_MAPPED) for f in spec.field_names],
            "accepted headers": [", ".join(spec.field(f).aliases[:4]) for f in spec.field_names],
        }
    )
    unmapped = [h for h in headers if h not in chosen.values()]
    st.caption("Columns of this file not used yet: " + (", ".join(fmt.code(h) for h in unmapped) or "none"))
    with st.form(f"sah_map_form_{name}", border=False):
        edited = st.data_editor(
            rows,
            key=f"sah_map_editor_{name}_{kind}",
            hide_index=True,
            width="stretch",
            num_rows="fixed",
            disabled=["field", "required", "accepted headers"],
            column_config={
                "column": st.column_config.SelectboxColumn("Column in your file", options=[NOT_MAPPED, *headers])
            },
        )
        if st.form_submit_button("Use this mapping", icon=":material/link:"):
            manual = {}
            for r in edited.to_dict("records"):
                col, fld = r["column"], r["field"]
                if col and (fld not in auto or headers[auto[fld]] != col):
                    manual[fld] = col
            state.update_file(name, kind=kind, mapping=tuple(sorted(manual.items())))
            st.rerun()


def problems(a: state.Analysis) -> None:
    """Every file-level problem as one line (file, row, column, reason) and the rejected rows as a table."""
    for p in a.problems:
        st.error(fmt.md(p.line()), icon=":material/error:")
    rejects = pd.concat([p.rejects for p in a.parsed], ignore_index=True) if a.parsed else pd.DataFrame()
    if len(rejects):
        with st.expander(f"Rejected rows ({len(rejects):,}): each with its file, row, column and reason"):
            st.dataframe(rejects, hide_index=True, width="stretch")
