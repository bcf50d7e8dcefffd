"""Row problems collected as small frames during one file's parse: every problem at once, each row once."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.model import REJECT_COLUMNS, empty_rejects


class RowRejects:
    """Collects (row, column, value, reason) for one file; a row with several problems is rejected once."""

    def __init__(self, file: str, rows: np.ndarray):
        self.file, self.rows = file, rows
        self.parts: list[pd.DataFrame] = []

    def add(self, mask: pd.Series | np.ndarray, column: str, values: pd.Series | str, reason: str) -> None:
        m = np.asarray(mask, dtype=bool)
        if not m.any():
            return
        vals = values[m].astype(str).to_numpy() if isinstance(values, pd.Series) else values
        self.parts.append(
            pd.DataFrame({"file": self.file, "row": self.rows[m], "column": column, "value": vals, "reason": reason})
        )

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return empty_rejects()
        out = pd.concat(self.parts, ignore_index=True)[REJECT_COLUMNS]
        return out.sort_values(["row", "column"], kind="stable").reset_index(drop=True)
