"""`python -m core inspect|synth|reconcile`: the shell around the core. Exit 2 with one line per problem."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from core.estate import parse_all
from core.ingest import FileInput
from core.manifest import Manifest, coerce_setting, load_manifest
from core.model import FileReport, InputError, ParsedFile, Problem, Reason
from core.readers import MAX_BYTES
from core.settings import Settings

EXIT_INPUT = 2


def gather_inputs(args: argparse.Namespace, today: dt.date) -> tuple[Settings, list[FileInput]]:
    """Read the manifest (or the file arguments) and check every input file's size; each file's bytes are read
    only when it is parsed (FileInput.load), so one file's bytes are in memory at a time, not every file's."""
    paths = [Path(p) for p in args.inputs]
    if len(paths) == 1 and paths[0].suffix.lower() == ".toml":
        manifest = load_manifest(paths[0], today)
    else:
        missing = [Problem(str(p), 0, "", "", Reason.NOT_READABLE, "file not found") for p in paths if not p.is_file()]
        if missing:
            raise InputError(missing)
        manifest = Manifest(settings=Settings(as_of=today), files=())
    too_big: list[Problem] = []
    items = [
        FileInput(
            name=_display(f.path, paths[0].parent),
            load=_loader(f.path, _display(f.path, paths[0].parent), too_big),
            kind=f.kind,
            smart_account=f.smart_account,
            virtual_account=f.virtual_account,
            sheet=f.sheet,
            mapping=f.mapping,
        )
        for f in manifest.files
    ]
    if not manifest.files:
        items = [
            FileInput(
                name=p.name,
                load=_loader(p, p.name, too_big),
                kind=args.kind,
                smart_account=args.smart_account,
                virtual_account=args.virtual_account,
                sheet=args.sheet,
            )
            for p in paths
        ]
    if too_big:
        raise InputError(too_big)
    return _overrides(manifest.settings, args), items


def _loader(path: Path, name: str, problems: list[Problem]) -> Callable[[], bytes]:
    """What reads the file's bytes; an over-size file is refused now, by its size on disk, and never read."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        limit = f"limit {MAX_BYTES / 2**20:,.0f} MB"
        problems.append(Problem(name, 0, "", "", Reason.TOO_LARGE, f"the file is {size / 2**20:,.1f} MB ({limit})"))
    return path.read_bytes


def _display(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base.resolve()))
    except ValueError:
        return path.name


def _overrides(settings: Settings, args: argparse.Namespace) -> Settings:
    problems: list[Problem] = []
    values = {}
    for key in ("as_of", "stale_days", "perpetual_stale_days", "date_order", "renewal_date", "renewal_value"):
        raw = getattr(args, key, None)
        if raw is not None:
            values[key] = coerce_setting(key, raw, "--" + key.replace("_", "-"), problems)
    if problems:
        raise InputError(problems)
    return settings.with_overrides(**values)


def format_report(r: FileReport) -> str:
    lines = [f"{r.file}" + (f" [sheet {r.sheet}]" if r.sheet else "")]
    lines.append(f"  kind: {r.kind} (confidence {r.confidence:.2f})")
    lines.append("  mapped: " + ", ".join(f"{f} <- '{h}'" for f, h in r.mapped.items()))
    lines.append("  unmapped: " + (", ".join(f"'{h}'" for h in r.unmapped) or "none"))
    lines.append(f"  rows read {r.rows_read} = used {r.used} + rejected {r.rejected} + skipped {r.skipped}")
    lines.extend(f"  warning: {w}" for w in r.warnings)
    return "\n".join(lines)


def _print_rejects(parsed: ParsedFile, limit: int = 5) -> None:
    for rec in parsed.rejects.head(limit).itertuples(index=False):
        print(f"  rejected row {rec.row}, column '{rec.column}': {rec.reason} (value '{rec.value}')")
    extra = len(parsed.rejects) - limit
    if extra > 0:
        print(f"  … and {extra} more problems (see rejects.csv from reconcile)")


def cmd_inspect(args: argparse.Namespace, today: dt.date) -> int:
    settings, items = gather_inputs(args, today)
    parsed, problems = parse_all(items, settings)
    for p in parsed:
        print(format_report(p.report))
        _print_rejects(p)
    for problem in problems:
        print(problem.line(), file=sys.stderr)
    return EXIT_INPUT if problems else 0


def cmd_synth(args: argparse.Namespace, today: dt.date) -> int:
    from core.synth import generate

    planted = generate(Path(args.out), instances=args.instances, seed=args.seed)
    print(f"wrote a synthetic estate to {args.out}: " + ", ".join(f"{k} {v}" for k, v in planted.items()))
    return 0


def _file_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="*", help="engagement.toml, or export files (kinds detected)")
    p.add_argument("--kind", help="kind of every file argument (default: detected)")
    p.add_argument("--smart-account", help="Smart Account of file arguments that have no such column")
    p.add_argument("--virtual-account", help="Virtual Account of file arguments that have no such column")
    p.add_argument("--sheet", help="XLSX sheet to read")
    p.add_argument("--as-of", help="engagement date, YYYY-MM-DD (default today)")
    p.add_argument("--date-order", help="DMY or MDY for files whose dates cannot decide")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="Smart Account Hygiene")
    sub = parser.add_subparsers(dest="command", required=True)
    inspect = sub.add_parser("inspect", help="detect and check input files")
    _file_options(inspect)
    inspect.set_defaults(func=cmd_inspect)
    synth = sub.add_parser("synth", help="write a synthetic demo estate")
    synth.add_argument("--out", required=True)
    synth.add_argument("--instances", type=int, default=2000)
    synth.add_argument("--seed", type=int, default=7)
    synth.set_defaults(func=cmd_synth)
    reconcile = sub.add_parser("reconcile", help="findings, plan and clean baseline")
    _file_options(reconcile)
    reconcile.add_argument("--manifest", help="engagement.toml (instead of file arguments)")
    reconcile.add_argument("--out", required=True, help="output folder")
    reconcile.add_argument("--stale-days")
    reconcile.add_argument("--perpetual-stale-days")
    reconcile.add_argument("--renewal-date")
    reconcile.add_argument("--renewal-value")
    reconcile.set_defaults(func=cmd_reconcile)
    from core.snapshot_cli import add_parser as add_snapshots

    add_snapshots(sub)
    docs = sub.add_parser("docs", help="print the README's generated table of accepted columns")
    docs.set_defaults(func=cmd_docs)
    return parser


def cmd_docs(args: argparse.Namespace, today: dt.date) -> int:
    from core.docs import readme_block

    print(readme_block())
    return 0


def cmd_reconcile(args: argparse.Namespace, today: dt.date) -> int:
    from core.outputs import run_reconcile

    return run_reconcile(args, today)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "manifest", None) and hasattr(args, "inputs"):
        args.inputs = [args.manifest, *[i for i in args.inputs if i != args.manifest]]
    if hasattr(args, "inputs") and not args.inputs:
        print("give an engagement.toml (--manifest) or the export files", file=sys.stderr)
        return EXIT_INPUT
    try:
        return int(args.func(args, dt.date.today()))
    except InputError as err:
        for problem in err.problems:
            print(problem.line(), file=sys.stderr)
        return EXIT_INPUT
    except OSError as err:
        print(f"{getattr(err, 'filename', '') or ''}: {err.strerror or err}", file=sys.stderr)
        return EXIT_INPUT
