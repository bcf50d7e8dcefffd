"""Engagement: client and renewal settings, the input files and how each was read, and what to export."""

from __future__ import annotations

import streamlit as st

from ui import auth, engagement_panel, engagements, explain, files, fmt, forms, layout, state

_TYPES = ["csv", "tsv", "txt", "xlsx", "toml"]


def _sources() -> None:
    c1, c2, _ = st.columns([1, 1, 3])
    if c1.button(
        "Load the sample estate",
        icon=":material/dataset:",
        disabled=not state.sample_available(),
        help="A fictional client with every kind of finding planted, to show how the app works.",
    ):
        problems = state.load_sample()
        for line in problems:
            st.error(fmt.md(line))
        if not problems:
            st.rerun()
    if c2.button("Clear all files", icon=":material/delete_sweep:", disabled=not state.uploads()):
        state.start_empty()
        st.rerun()


def _uploader() -> None:
    n = st.session_state.get("sah_upload_n", 0)
    if state.source() == "sample":
        st.caption("The sample estate is loaded. Files dropped here replace it.")
    got = st.file_uploader(
        "Drop the exports here: CSV or XLSX, any number at once (and optionally an engagement.toml)",
        type=_TYPES,
        accept_multiple_files=True,
        key=f"sah_upload_{n}",
        help="Kinds are detected from the header row. An engagement.toml sets the client, the renewal and each "
        "file's Smart Account / Virtual Account.",
    )
    if got:
        st.session_state["sah_upload_problems"] = state.add_files([(f.name, f.getvalue()) for f in got])
        if any(f.name.lower().endswith(".toml") for f in got):
            engagements.save_settings(state.settings())  # an engagement.toml's settings are the engagement's
        st.session_state["sah_upload_n"] = n + 1  # a fresh, empty uploader: the files now live in the table
        st.rerun()
    for line in st.session_state.get("sah_upload_problems", []):
        st.error(fmt.md(line), icon=":material/error:")


def _summary(a: state.Analysis) -> None:
    reports = [p.report for p in a.parsed]
    read = sum(r.rows_read for r in reports)
    used = sum(r.used for r in reports)
    rejected = sum(r.rejected for r in reports)
    skipped = sum(r.skipped for r in reports)
    st.caption(
        f"{len(state.uploads())} files · {fmt.number(read)} rows read = {fmt.number(used)} used + "
        f"{fmt.number(rejected)} rejected + {fmt.number(skipped)} skipped (banners, blanks, totals)"
        + (f" · analysed in {a.seconds:.1f} s" if a.seconds else "")
    )


def render() -> None:
    auth.require("engagement")
    layout.header("Engagement", "Client and renewal, the client's exports, and how every file was read.")
    engagement_panel.panel()
    if engagements.can_change():
        with st.expander("Client and renewal settings", expanded=not state.settings().client):
            forms.settings_form()
    else:
        st.caption("You are a viewer of this engagement: its settings are read-only for you.")
    _sources()
    _uploader()
    a = state.analysis()
    if not state.uploads():
        st.info("No files yet. Drop the exports above, or load the sample estate.")
    else:
        st.subheader("Files")
        st.caption("Change a file's kind, Smart Account, Virtual Account or sheet in the table, then apply.")
        files.files_table(a)
        _summary(a)
        files.problems(a)
        if a.failure:
            st.error(f"The reconciliation failed on this estate: {fmt.md(a.failure)}")
        with st.expander("Map columns by hand (for headers the app does not recognise)", expanded=bool(a.problems)):
            files.mapping_editor(a)
    with st.expander("What to export, and where to click", expanded=not state.uploads()):
        st.markdown(explain.export_guide())
