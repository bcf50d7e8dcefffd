"""core.synth: the demo estate generator is deterministic, plants every case and writes headers the schema
recognises."""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path

import openpyxl
import pytest

from core.schema import KINDS, normalise_header
from core.synth import catalog, estate, generate

# Columns a real export carries that no field needs (or that lose to an earlier alias of the same field).
INTENDED_UNMAPPED = {
    "sys_class_name",
    "support_group",
    "Management IP Address",
    "Platform",
    "First Name",
    "Last Name",
    "Display Name",
    "Full Name",
    "Department",
    "SKU",
}


def xlsx_cells(path: Path) -> list[tuple[object, ...]]:
    wb = openpyxl.load_workbook(path)
    return [row for ws in wb.worksheets for row in ws.iter_rows(values_only=True)]


def written(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def header_of(path: Path) -> list[str]:
    if path.suffix == ".xlsx":
        rows = xlsx_cells(path)
    else:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig") if raw[:3] == b"\xef\xbb\xbf" or raw.isascii() else raw.decode("cp1252")
        head = text.splitlines()[:5]
        sep = ";" if max(x.count(";") for x in head) > max(x.count(",") for x in head) else ","
        rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    return [str(c) for c in next(r for r in rows if sum(1 for c in r if c not in (None, "")) > 1)]


def test_the_same_seed_writes_byte_identical_csvs_and_the_same_xlsx_cells(tmp_path):
    a, b = generate(tmp_path / "a", instances=500), generate(tmp_path / "b", instances=500)
    assert a == b
    files_a, files_b = written(tmp_path / "a"), written(tmp_path / "b")
    assert files_a.keys() == files_b.keys()
    for rel, path in files_a.items():
        if path.suffix == ".xlsx":
            assert xlsx_cells(path) == xlsx_cells(files_b[rel]), rel
        else:
            assert path.read_bytes() == files_b[rel].read_bytes(), rel


def test_another_seed_writes_another_estate(tmp_path):
    generate(tmp_path / "a", instances=500, seed=1)
    generate(tmp_path / "b", instances=500, seed=2)
    rel = "cssm/northwind_campus_instances.csv"
    assert (tmp_path / "a" / rel).read_bytes() != (tmp_path / "b" / rel).read_bytes()


@pytest.mark.parametrize("instances", [200, 2000])
def test_every_planted_case_is_written_at_least_once(tmp_path, instances):
    planted = generate(tmp_path, instances=instances)
    assert planted["cases"], planted
    assert {k: v for k, v in planted["cases"].items() if v < 1} == {}
    assert set(planted["expected_findings"]) <= set(planted["cases"])
    assert sum(planted["instances_per_va"].values()) == instances


def test_the_xlsx_virtual_account_is_capped_and_its_overflow_goes_to_campus():
    quota = estate.va_quotas(1_000_000)
    assert quota[catalog.XLSX_VA] == catalog.XLSX_VA_CAP
    assert quota.sum() == 1_000_000
    assert quota[catalog.CAMPUS] == 380_000 + 100_000 - catalog.XLSX_VA_CAP


def test_too_few_instances_to_hold_the_planted_cases_is_refused(tmp_path):
    with pytest.raises(ValueError, match="too small"):
        generate(tmp_path, instances=100)


def test_every_written_header_is_recognised_by_the_schema_aliases(tmp_path):
    generate(tmp_path, instances=300)
    manifest = tomllib.loads((tmp_path / "engagement.toml").read_text(encoding="utf-8"))
    for entry in manifest["file"]:
        kind = KINDS[entry["kind"]]
        aliases = {normalise_header(a): f.name for f in kind.fields for a in f.aliases}
        header = header_of(tmp_path / entry["path"])
        mapped = {aliases[normalise_header(h)] for h in header if normalise_header(h) in aliases}
        unknown = {h for h in header if normalise_header(h) not in aliases}
        assert unknown <= INTENDED_UNMAPPED, (entry["path"], unknown)
        for group in kind.required:
            assert mapped & set(group), (entry["path"], group)
        for scope in kind.scope:
            assert scope in mapped or scope in entry, (entry["path"], scope)
