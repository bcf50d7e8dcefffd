"""The CLI on real files: exit codes, one line per problem, the five outputs and their agreement."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def write_estate(tmp: Path) -> Path:
    (tmp / "inst.csv").write_text(
        "Smart Account: Acme\nName,Serial Number,Last Contact,Licenses\n"
        "sw1,S1,2026-10-30,L (2)\nsw2,S2,2026-01-01,L (1)\nsw3,S3,2026-10-30,L (1)\n=cmd|' /C calc'!A0,S4,2026-10-30,\n"
    )
    (tmp / "lic.csv").write_text("License,Type,Purchased,In Use\nL,Term,3,4\n")
    (tmp / "cmdb.csv").write_text("Serial Number,install_status,Owner\nS1,Installed,ops\nS3,Retired,ops\n")
    (tmp / "engagement.toml").write_text(
        '[engagement]\nclient = "Acme"\nas_of = 2026-11-01\nrenewal_date = 2027-09-30\nrenewal_value = 1000000\n'
        '[[file]]\npath = "inst.csv"\nsmart_account = "Acme"\nvirtual_account = "Campus"\n'
        '[[file]]\npath = "lic.csv"\nkind = "licenses"\nsmart_account = "Acme"\nvirtual_account = "Campus"\n'
        '[[file]]\npath = "cmdb.csv"\n'
    )
    return tmp / "engagement.toml"


def test_reconcile_writes_five_outputs_whose_totals_agree(tmp_path):
    manifest = write_estate(tmp_path)
    out = tmp_path / "out"
    run = cli("reconcile", "--manifest", str(manifest), "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "baseline.csv",
        "findings.csv",
        "plan.csv",
        "rejects.csv",
        "summary.json",
    ]
    baseline = pd.read_csv(out / "baseline.csv")
    summary = json.loads((out / "summary.json").read_text())
    # sw2 stale (304 days, term) → 1 unit; sw3 retired → 1 unit; in use 4 → clean 2 → balance +1.
    assert baseline.loc[0, ["in_use", "removable", "clean_in_use", "final_balance"]].tolist() == [4, 2, 2, 1]
    assert summary["totals"]["clean_in_use"] == baseline["clean_in_use"].sum() == 2
    assert summary["findings"]["DECOMMISSIONED"] == 1 and summary["findings"]["STALE_NOT_IN_INVENTORY"] == 1
    assert [i["rows_read"] for i in summary["inputs"]] == [5, 1, 2]
    import hashlib

    assert summary["baseline_sha256"] == hashlib.sha256((out / "baseline.csv").read_bytes()).hexdigest()
    findings = (out / "findings.csv").read_text()
    assert "'=cmd|' /C calc'!A0" in findings  # formula injection neutralised
    assert summary["renewal"]["status"] == "on track"


def test_options_override_the_manifest(tmp_path):
    manifest = write_estate(tmp_path)
    out = tmp_path / "out"
    run = cli("reconcile", "--manifest", str(manifest), "--out", str(out), "--stale-days", "400")
    assert run.returncode == 0, run.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["findings"]["STALE_NOT_IN_INVENTORY"] == 0 and summary["settings"]["stale_days"] == 400


def test_bad_input_exits_2_with_one_line_per_problem_and_no_traceback(tmp_path):
    (tmp_path / "engagement.toml").write_text(
        '[engagement]\nas_of = "yesterday"\n[[file]]\npath = "missing.csv"\n[[file]]\npath = "x.csv"\nkind = "nope"\n'
    )
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    run = cli("reconcile", "--manifest", str(tmp_path / "engagement.toml"), "--out", str(tmp_path / "o"))
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 3 and "Traceback" not in run.stderr
    assert any("as_of" in line for line in lines) and any("missing.csv" in line for line in lines)
    assert any("unknown kind" in line for line in lines)


def test_inspect_prints_the_row_accounting_and_fails_on_an_unusable_file(tmp_path):
    write_estate(tmp_path)
    (tmp_path / "junk.csv").write_bytes(bytes(range(256)) * 4)
    run = cli(
        "inspect",
        str(tmp_path / "inst.csv"),
        str(tmp_path / "junk.csv"),
        "--virtual-account",
        "Campus",
        "--smart-account",
        "Acme",
    )
    assert run.returncode == 2
    assert "rows read 5 = used 4 + rejected 0 + skipped 1" in run.stdout
    assert "junk.csv" in run.stderr and "Traceback" not in run.stderr


def test_reconcile_on_the_sample_estate_finds_exactly_what_the_generator_planted(tmp_path):
    out = tmp_path / "out"
    run = cli("reconcile", "--manifest", "sample_exports/engagement.toml", "--out", str(out))
    assert run.returncode == 0, run.stderr
    summary = json.loads((out / "summary.json").read_text())
    planted = json.loads((ROOT / "sample_exports" / "planted.json").read_text())
    assert summary["findings"] == planted["expected_findings"]
    baseline = pd.read_csv(out / "baseline.csv")
    for column in ("in_use", "removable", "released", "clean_in_use"):
        assert summary["totals"][column] == baseline[column].sum()
    assert all(i["rows_read"] == i["used"] + i["rejected"] + i["skipped"] for i in summary["inputs"])
    findings = pd.read_csv(out / "findings.csv")
    assert len(findings) == sum(planted["expected_findings"].values())
    assert summary["renewal"]["status"] == "late start"


def test_each_input_file_is_read_only_when_it_is_parsed(tmp_path: Path) -> None:
    import datetime as dt

    from core.cli import build_parser, gather_inputs
    from core.ingest import parse_file

    manifest = write_estate(tmp_path)
    settings, items = gather_inputs(build_parser().parse_args(["inspect", str(manifest)]), dt.date(2026, 11, 1))
    assert [i.name for i in items] == ["inst.csv", "lic.csv", "cmdb.csv"]
    assert all(i.content == b"" and i.load is not None for i in items)
    (tmp_path / "lic.csv").write_text("License,Type,Purchased,In Use\nL,Term,5,4\n")  # changed after gathering
    assert parse_file(items[1], settings).frame["purchased"].tolist() == [5]
