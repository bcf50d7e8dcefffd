"""Table helpers: filtering the findings, and column settings shared by the pages' tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.findings_model import CONFIDENCE_ORDER


def options(frame: pd.DataFrame, column: str) -> list[str]:
    values = frame[column].dropna().astype(str)
    if column == "confidence":
        return [c for c in CONFIDENCE_ORDER if c in set(values)]
    return sorted(set(values))


def filter_findings(f: pd.DataFrame, picks: dict[str, list[str]], text: str) -> pd.DataFrame:
    """Rows whose column values are among the picks (an empty pick keeps all) and that contain the text."""
    keep = pd.Series(True, index=f.index)
    for column, chosen in picks.items():
        if chosen:
            keep &= f[column].astype(str).isin(chosen)
    if text.strip():
        hay = f[["instance_name", "serial", "hostname", "license", "evidence", "smart_account", "virtual_account"]]
        keep &= hay.astype(str).apply(lambda c: c.str.contains(text.strip(), case=False, regex=False)).any(axis=1)
    return f[keep]


def blank(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing text shown as empty cells rather than 'None' (numbers keep their missing marker)."""
    text = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    text = [c for c in text if _all_text(frame[c])]
    return frame.assign(**{c: _plain(frame[c]).fillna("") for c in text})


def _plain(values: pd.Series) -> pd.Series:
    """A categorical column (the estate stores repeated text so) as plain values: "" is not one of its categories."""
    return values.astype(object) if isinstance(values.dtype, pd.CategoricalDtype) else values


def _all_text(values: pd.Series) -> bool:
    return bool(_plain(values).dropna().map(lambda v: isinstance(v, str)).all())


def money_column(label: str, currency: str) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(f"{label} ({currency})", format="localized")


def count_column(label: str, help: str | None = None) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(label, format="localized", help=help)


def height(rows: int, cap: int = 640) -> int:
    """A table tall enough for its rows, up to a cap (35 px a row plus the header)."""
    return min(cap, 38 + 35 * max(rows, 1))
