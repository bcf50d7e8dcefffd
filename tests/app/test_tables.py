"""The pages' table helpers on the column types the estate uses."""

from __future__ import annotations

import pandas as pd

from ui import tables


def test_blank_shows_missing_text_as_empty_cells_in_a_categorical_column_too() -> None:
    frame = pd.DataFrame(
        {
            "smart_account": pd.Categorical(["Northwind", None]),
            "serial": pd.Series(["FOC1", None], dtype="str"),
            "quantity": pd.array([1, None], dtype="Int64"),
        }
    )
    shown = tables.blank(frame)
    assert shown["smart_account"].tolist() == ["Northwind", ""]
    assert shown["serial"].tolist() == ["FOC1", ""]
    assert shown["quantity"].isna().tolist() == [False, True]  # numbers keep their missing marker
