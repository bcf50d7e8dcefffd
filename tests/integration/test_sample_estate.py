"""The committed demo estate in sample_exports/ is exactly what core.synth.generate() writes by default."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from core.synth import generate

SAMPLE = Path(__file__).resolve().parents[2] / "sample_exports"


def _cells(path: Path) -> list[tuple[object, ...]]:
    return [row for ws in openpyxl.load_workbook(path).worksheets for row in ws.iter_rows(values_only=True)]


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_committed_sample_estate_equals_a_fresh_generation(tmp_path):
    generate(tmp_path)
    fresh, committed = _files(tmp_path), _files(SAMPLE)
    assert committed.keys() == fresh.keys()
    for rel, path in fresh.items():
        if path.suffix == ".xlsx":
            assert _cells(committed[rel]) == _cells(path), rel
        else:
            assert committed[rel].read_bytes() == path.read_bytes(), f"{rel}: regenerate with python -m core synth"


def test_the_committed_sample_estate_stays_small():
    assert sum(p.stat().st_size for p in _files(SAMPLE).values()) < 2_000_000
