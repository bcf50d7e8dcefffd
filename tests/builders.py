"""Small estate builders for rule tests: rows as dicts → real CSV bytes → the real parse → reconcile."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from core.estate import load_estate
from core.ingest import FileInput
from core.reconcile import ReconcileResult, reconcile
from core.settings import Settings

AS_OF = dt.date(2026, 11, 1)


def ago(days: int) -> str:
    """An ISO date `days` before AS_OF."""
    return (AS_OF - dt.timedelta(days=days)).isoformat()


def csv_file(
    name: str, rows: list[dict[str, object]], kind: str | None = None, sa: str | None = "SA1", va: str | None = "V1"
) -> FileInput:
    buf = io.StringIO()
    pd.DataFrame(rows).to_csv(buf, index=False)
    return FileInput(name=name, content=buf.getvalue().encode(), kind=kind, smart_account=sa, virtual_account=va)


def run(*files: FileInput, **settings: object) -> ReconcileResult:
    s = Settings(as_of=AS_OF, **settings)  # type: ignore[arg-type]
    return reconcile(load_estate(list(files), s), s)


def codes(result: ReconcileResult, name: str) -> set[str]:
    """Finding codes on the instance (or user) named `name`."""
    f = result.findings
    return set(f.loc[f["instance_name"] == name, "finding"])


def by_code(result: ReconcileResult, code: str) -> pd.DataFrame:
    return result.findings[result.findings["finding"] == code].reset_index(drop=True)
