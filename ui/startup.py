"""Refuse to serve on an unsafe configuration: checked on every run, before the auth file and the login form.

Reads Streamlit's effective configuration (config.toml of the working directory, then environment variables and
command-line flags), so `streamlit run` from another folder, which silently drops .streamlit/config.toml, or a
`--server.enableXsrfProtection false` on the command line is caught. The auth file is checked by ui.authfile.
"""

from __future__ import annotations

from typing import NoReturn

import streamlit as st

from core import readers, workbook

_MB = 1024 * 1024


def problems() -> list[str]:
    """What is unsafe in the effective configuration, one line each (empty when it is safe to serve)."""
    found: list[str] = []
    if st.get_option("server.enableXsrfProtection") is not True:
        found.append("XSRF protection is off: set `server.enableXsrfProtection = true`")
    if st.get_option("server.enableCORS") is not True:
        # Off, Streamlit accepts the WebSocket from any origin: another site's page could open a session
        # in the user's browser, the login cookie sent along wherever the browser still sends it.
        found.append(
            "cross-origin protection is off: set `server.enableCORS = true` (list origins you trust in "
            "`server.corsAllowedOrigins`)"
        )
    details = st.get_option("client.showErrorDetails")
    if details not in ("none", False, "false", "False"):
        found.append(f'error details are shown to users (`client.showErrorDetails = "{details}"`): set it to "none"')
    upload_mb = st.get_option("server.maxUploadSize")
    if not isinstance(upload_mb, int) or upload_mb * _MB > readers.MAX_BYTES:
        found.append(
            f"`server.maxUploadSize = {upload_mb}` (MB) is above the {readers.MAX_BYTES // _MB} MB the file reader "
            "accepts: lower it"
        )
    if not workbook.xml_defused():
        found.append("openpyxl is not parsing workbooks with defusedxml: install defusedxml, unset OPENPYXL_DEFUSEDXML")
    return found


def check() -> None:
    """Stop the run with a clear message, and no login form, when the configuration is unsafe."""
    found = problems()
    if found:
        refuse(found)


def refuse(found: list[str]) -> NoReturn:
    print("Refusing to serve: " + "; ".join(found), flush=True)
    st.error(
        "**The app will not serve: its configuration is not safe.**\n\n"
        + "\n".join(f"- {p}" for p in found)
        + "\n\nFix `.streamlit/config.toml` (start the app from the project folder, with `make run`) or the "
        "`--server…`/`STREAMLIT_…` settings given to `streamlit run`, then restart."
    )
    st.stop()
