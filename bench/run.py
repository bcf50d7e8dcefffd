"""Enterprise-scale benchmark: the parse floor against the whole reconcile, on the same files, side by side.

    python -m bench.run [--sizes 10000,100000,1000000] [--keep DIR] [--repeat N] [--no-app] [--out FILE]

For each size a synthetic estate is generated once with the demo generator and kept (bench/estates/ by
default, gitignored). Two workloads then run on the same files, each in a fresh child process:

  (a) parse only: pyarrow.csv.read_csv of every CSV input (the floor for anything that reads them);
  (b) `python -m core reconcile --manifest ... --out ...`, end to end: read, normalise, rules, outputs.

Wall time is measured around the child (interpreter start included), CPU time (user + system, every thread)
and peak RSS come from the child's own rusage (os.wait4), so every figure belongs to one measurement. The
median of --repeat runs is reported. A benchmark, not a test: it prints figures and asserts nothing.
The table and a description of the machine go to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ESTATES = ROOT / "bench" / "estates"
RESULTS = ROOT / "bench" / "RESULTS.md"
SEED = 7

# The parse-only child: every CSV read by pyarrow, with only what it needs to succeed (banner rows skipped,
# the file's delimiter and encoding); column types inferred, as read_csv does by default.
_PARSE_ONLY = """
import json, sys
import pyarrow.csv as pacsv
rows = 0
for spec in json.loads(sys.argv[1]):
    table = pacsv.read_csv(
        spec["path"],
        read_options=pacsv.ReadOptions(skip_rows=spec["skip"], encoding=spec["encoding"]),
        parse_options=pacsv.ParseOptions(delimiter=spec["delimiter"], invalid_row_handler=lambda row: "skip"),
    )
    rows += table.num_rows
print(rows)
"""


@dataclass(frozen=True)
class Run:
    wall: float  # seconds, around the child process
    cpu: float  # user + system seconds of the child, all threads
    rss_mb: float  # the child's peak resident set size
    returncode: int
    stdout: str


def measure(cmd: list[str]) -> Run:
    """Run `cmd` in a fresh child; wait4 on its pid, so the rusage is this child's alone (not every child's total)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, problems = out.read(), err.read()
    if proc.returncode != 0:
        sys.stderr.write(problems[-2000:])
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, text.strip())


def ensure_estate(folder: Path, instances: int) -> Path:
    """The estate of `instances` in `folder`, generated once (same size and seed: byte-identical files)."""
    manifest = folder / "engagement.toml"
    planted = folder / "planted.json"
    if manifest.is_file() and planted.is_file():
        done = json.loads(planted.read_text(encoding="utf-8"))
        if done.get("instances") == instances and done.get("seed") == SEED:
            return manifest
    print(f"generating {instances:,} instances into {folder} …", flush=True)
    cmd = [sys.executable, "-m", "core", "synth", "--out", str(folder), "--instances", str(instances)]
    subprocess.run([*cmd, "--seed", str(SEED)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return manifest


def csv_specs(manifest: Path) -> list[dict[str, object]]:
    """What pyarrow needs to read each CSV input of the manifest: banner rows, delimiter, encoding."""
    sys.path.insert(0, str(ROOT))
    from core.manifest import load_manifest
    from core.readers import read_table

    specs = []
    for f in load_manifest(manifest, dt.date.today()).files:
        content = f.path.read_bytes()
        if content[:2] == b"PK":  # XLSX: not a CSV input
            continue
        head = content[: 256 * 1024]
        head = head[: head.rfind(b"\n") + 1] or head
        raw = read_table(f.path.name, head)
        try:
            content.decode("utf-8")
            encoding = "utf8"
        except UnicodeDecodeError:
            encoding = raw.encoding if raw.encoding not in (None, "utf-8", "utf-8-sig") else "cp1252"
        specs.append(
            {"path": str(f.path), "skip": raw.header_row - 1, "delimiter": raw.delimiter, "encoding": encoding}
        )
    return specs


def cells_needed(specs: list[dict[str, object]]) -> int:
    """The most rows × columns of any CSV input, estimated as core.readers estimates it before parsing."""
    most = 0
    for spec in specs:
        content = Path(str(spec["path"])).read_bytes()
        lines = max(content.count(b"\n"), content.count(b"\r")) + 1
        first = content[: max(content.find(b"\n"), 0)]
        most = max(most, lines * (first.count(str(spec["delimiter"]).encode()) + 1))
    return most


def reconcile_cmd(manifest: Path, out: str, cells: int) -> tuple[list[str], str]:
    """`python -m core reconcile`, with the per-file cell budget raised when the estate's largest file is over it
    (the budget guards uploads; the note says so in the results)."""
    sys.path.insert(0, str(ROOT))
    from core import readers

    args = ["reconcile", "--manifest", str(manifest), "--out", out]
    if cells <= readers.MAX_CELLS:
        return [sys.executable, "-m", "core", *args], ""
    budget = -(-cells // 1_000_000) * 1_000_000
    code = (
        "import runpy, sys; import core.readers as r; "
        f"r.MAX_CELLS = {budget}; sys.argv = ['core', *{args!r}]; runpy.run_module('core', run_name='__main__')"
    )
    note = f"core.readers.MAX_CELLS raised from {readers.MAX_CELLS:,} to {budget:,} for this run"
    return [sys.executable, "-c", code], note


def inputs(manifest: Path) -> tuple[int, float]:
    """Files and megabytes of input in the manifest's folder."""
    files = [p for p in manifest.parent.rglob("*") if p.is_file() and p.name not in ("engagement.toml", "planted.json")]
    return len(files), sum(p.stat().st_size for p in files) / 2**20


def median_run(runs: list[Run]) -> Run:
    by_wall = sorted(runs, key=lambda r: r.wall)
    mid = by_wall[len(by_wall) // 2]
    return Run(
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        max(r.rss_mb for r in runs),
        max(r.returncode for r in runs),
        mid.stdout,
    )


def bench_size(instances: int, keep: Path, repeat: int) -> dict[str, object]:
    manifest = ensure_estate(keep / f"e{instances}", instances)
    specs = csv_specs(manifest)
    nfiles, mb = inputs(manifest)
    parse_cmd = [sys.executable, "-c", _PARSE_ONLY, json.dumps(specs)]
    with tempfile.TemporaryDirectory(prefix="sah-bench-") as out:
        run_cmd, budget_note = reconcile_cmd(manifest, out, cells_needed(specs))
        if budget_note:
            print(f"  note: {budget_note}", flush=True)
        parse_runs, run_runs = [], []
        for i in range(repeat):
            parse_runs.append(measure(parse_cmd))
            run_runs.append(measure(run_cmd))
            a, b = parse_runs[-1], run_runs[-1]
            status = "" if b.returncode == 0 else f"  (reconcile exit {b.returncode})"
            print(
                f"  {instances:>9,} run {i + 1}: parse {a.wall:6.2f} s · reconcile {b.wall:6.2f} s "
                f"cpu {b.cpu:6.2f} s rss {b.rss_mb:7.0f} MB{status}",
                flush=True,
            )
    a, b = median_run(parse_runs), median_run(run_runs)
    return {
        "instances": instances,
        "files": nfiles,
        "megabytes": mb,
        "csv_rows": int(a.stdout.splitlines()[-1]) if a.stdout else 0,
        "parse": a,
        "reconcile": b,
        "ratio": b.wall / a.wall if a.wall else float("nan"),
        "ok": b.returncode == 0,
        "note": budget_note,
    }


def machine() -> list[str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal"))
        mem = f"{kb / 2**20:.1f} GiB"
    except (OSError, StopIteration):
        pass
    import numpy
    import pandas
    import pyarrow

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"- CPU: {cpu}, {cores} cores available ({os.cpu_count()} online)",
        f"- Memory: {mem}",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}, pandas {pandas.__version__}, pyarrow {pyarrow.__version__}, "
        f"numpy {numpy.__version__}",
        f"- Date: {dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}; load average at the start "
        f"(1, 5, 15 min): {load} — the machine is shared, so wall times carry noise; CPU times less so",
    ]


def table(rows: list[dict[str, object]]) -> list[str]:
    head = [
        "| instances | input | (a) parse wall | (a) CPU | (a) peak RSS | (b) reconcile wall | (b) CPU | (b) peak RSS "
        "| (b)/(a) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines = []
    for r in rows:
        a, b = r["parse"], r["reconcile"]
        assert isinstance(a, Run) and isinstance(b, Run)
        flag = "" if r["ok"] else " (failed)"
        lines.append(
            f"| {r['instances']:,} | {r['megabytes']:.0f} MB, {r['csv_rows']:,} CSV rows | {a.wall:.2f} s | "
            f"{a.cpu:.2f} s | {a.rss_mb:,.0f} MB | {b.wall:.2f} s{flag} | {b.cpu:.2f} s | {b.rss_mb:,.0f} MB | "
            f"{r['ratio']:.1f} |"
        )
    notes = [f"- {r['instances']:,} instances: {r['note']}." for r in rows if r.get("note")]
    return head + lines + ([""] + notes if notes else [])


def growth(rows: list[dict[str, object]]) -> list[str]:
    """Cost per instance at each size, and how it grows from one size to the next (1.0× = linear)."""
    out = []
    for r in rows:
        b = r["reconcile"]
        assert isinstance(b, Run)
        out.append(
            f"- {r['instances']:,} instances: {b.wall / int(r['instances']) * 1e6:.1f} µs wall and "
            f"{b.cpu / int(r['instances']) * 1e6:.1f} µs CPU per instance"
        )
    for lo, hi in zip(rows, rows[1:], strict=False):
        a, b = lo["reconcile"], hi["reconcile"]
        assert isinstance(a, Run) and isinstance(b, Run)
        size = int(hi["instances"]) / int(lo["instances"])
        out.append(
            f"- {lo['instances']:,} → {hi['instances']:,} ({size:.0f}× the instances): wall ×{b.wall / a.wall:.1f}, "
            f"CPU ×{b.cpu / a.cpu:.1f} (linear would be ×{size:.0f}; less means fixed costs still weigh)"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="instances per estate, comma-separated")
    parser.add_argument("--keep", type=Path, default=ESTATES, help="folder the estates are kept in")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median reported)")
    parser.add_argument("--no-app", action="store_true", help="skip the app re-run timing")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the results are written")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    # Bytecode as an installed app has it: with PYTHONDONTWRITEBYTECODE set, every child would compile core again.
    compileall.compile_dir(ROOT / "core", quiet=1)
    about = machine()
    print("\n".join(about), flush=True)
    rows = [bench_size(n, args.keep, args.repeat) for n in sizes]
    lines = table(rows)
    print("\n" + "\n".join(lines))
    notes = growth(rows)
    print("\n".join(notes))
    app: list[str] = []
    if not args.no_app:
        from bench import app_timing

        app = app_timing.report(args.keep, min(100_000, max(sizes)))
        print("\n".join(app))
    goals = targets(rows)
    print("\n".join(goals))
    write_results(args.out, about, lines, notes, app, sizes, args.repeat, goals)
    print(f"\nwrote {args.out}")
    return 0


def targets(rows: list[dict[str, object]]) -> list[str]:
    """The issue's targets, met or missed, in numbers."""
    out = []
    for r in rows:
        b = r["reconcile"]
        assert isinstance(b, Run)
        if r["instances"] == 1_000_000:
            out.append(
                f"- 1M instances: (b)/(a) = {r['ratio']:.1f} (target ≤ 2.5: {'met' if r['ratio'] <= 2.5 else 'missed'}); "
                f"peak RSS {b.rss_mb:,.0f} MB (target ≤ 1,536 MB: {'met' if b.rss_mb <= 1536 else 'missed'})"
            )
        if r["instances"] == 100_000:
            out.append(
                f"- 100k instances: reconcile {b.wall:.2f} s (target < 2 s: {'met' if b.wall < 2 else 'missed'})"
            )
    return out


def _kept_notes(path: Path) -> list[str]:
    """A hand-written "## Notes" section of the previous results, kept across runs."""
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines[lines.index("## Notes") :] if "## Notes" in lines else []


def write_results(
    path: Path,
    about: list[str],
    lines: list[str],
    notes: list[str],
    app: list[str],
    sizes: list[int],
    repeat: int,
    goals: list[str],
) -> None:
    kept = _kept_notes(path)
    text = [
        "# Benchmark results",
        "",
        "Written by `python -m bench.run` (`make bench`). Figures, not assertions: the test suite never times.",
        "",
        "## Machine",
        "",
        *about,
        "",
        "## Parse floor against reconcile, same files",
        "",
        f"Synthetic estates from `python -m core synth` (seed {SEED}), sizes {', '.join(f'{s:,}' for s in sizes)}; "
        f"each figure the median of {repeat} runs, each run a fresh process. (a) is `pyarrow.csv.read_csv` of every "
        "CSV input (the one XLSX Virtual Account, capped at 5,000 rows by the generator, is not a CSV); (b) is "
        "`python -m core reconcile`, interpreter start to files written. Wall time is measured around the process, "
        "CPU time (user + system, all threads) and peak RSS from its own rusage.",
        "",
        *lines,
        "",
        "## Growth",
        "",
        *notes,
    ]
    if goals:
        text += ["", "## Targets", "", *goals]
    if app:
        text += ["", "## The app", "", *app]
    if kept:
        text += ["", *kept]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
