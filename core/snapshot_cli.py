"""`python -m core snapshots list|show|diff|export|lock|verify`: the locked-baseline store from the shell."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
from pathlib import Path

from core.export import write_atomic
from core.snapshots import diff, payload, verify_fingerprint
from core.store import Store, StoreError

DEFAULT_DB = "data/hygiene.sqlite"


def db_path(explicit: str | None) -> Path:
    """--db, else $SAH_DB, else $SAH_DATA_DIR/hygiene.sqlite, else ./data/hygiene.sqlite."""
    if explicit:
        return Path(explicit)
    if os.environ.get("SAH_DB"):
        return Path(os.environ["SAH_DB"])
    return Path(os.environ.get("SAH_DATA_DIR", "data")) / "hygiene.sqlite"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("snapshots", help="locked baselines: list, show, diff, export, lock, verify")
    p.add_argument("--db", help="SQLite file (default $SAH_DB or data/hygiene.sqlite)")
    p.add_argument("--user", required=True, help="whose engagements to see (membership is enforced)")
    ops = p.add_subparsers(dest="op", required=True)
    ls = ops.add_parser("list", help="engagements, or the snapshots of one")
    ls.add_argument("--engagement")
    show = ops.add_parser("show")
    show.add_argument("id", type=int)
    d = ops.add_parser("diff")
    d.add_argument("a", type=int)
    d.add_argument("b", type=int)
    ex = ops.add_parser("export")
    ex.add_argument("id", type=int)
    ex.add_argument("--out", required=True)
    lock = ops.add_parser("lock", help="reconcile a manifest and lock its baseline")
    lock.add_argument("--manifest", required=True)
    lock.add_argument("--engagement", required=True)
    lock.add_argument("--note", default="")
    lock.add_argument("--as-of", help="engagement date, YYYY-MM-DD (default the manifest's)")
    ver = ops.add_parser("verify", help="check a baseline.csv against a snapshot's fingerprint")
    ver.add_argument("id", type=int)
    ver.add_argument("file")
    p.set_defaults(func=run)


def _engagement_id(store: Store, user: str, name: str) -> int | None:
    return next((e.id for e in store.engagements(user) if e.name == name), None)


def run(args: argparse.Namespace, today: dt.date) -> int:
    try:
        return _run(args, today)
    except StoreError as err:
        print(str(err), file=__import__("sys").stderr)
        return 2


def _run(args: argparse.Namespace, today: dt.date) -> int:
    store = Store(db_path(args.db))
    user = args.user
    if args.op == "list":
        if not args.engagement:
            for e in store.engagements(user):
                print(f"{e.id}\t{e.name}\t{e.client}\t{e.role}")
            return 0
        eid = _engagement_id(store, user, args.engagement)
        if eid is None:
            raise StoreError(f"no engagement '{args.engagement}' that {user} is a member of")
        for s in store.snapshots(eid, user):
            print(f"{s.id}\t{s.locked_at}\t{s.locked_by}\tas of {s.as_of}\t{s.fingerprint[:16]}\t{s.note}")
        return 0
    if args.op == "show":
        snap = store.snapshot(args.id, user)
        print(
            json.dumps(
                {
                    "snapshot": vars(snap.info),
                    "inputs": snap.inputs,
                    "totals": snap.summary.get("totals"),
                    "findings": snap.summary.get("findings"),
                },
                indent=2,
            )
        )
        return 0
    if args.op == "diff":
        a, b = store.snapshot(args.a, user), store.snapshot(args.b, user)
        d = diff(a.baseline_csv, a.findings_csv, b.baseline_csv, b.findings_csv)
        changed = d.pools[(d.pools.filter(like="_delta") != 0).any(axis=1)]
        print(changed.to_string(index=False) if len(changed) else "no pool changed")
        print(f"findings added {len(d.added)}, resolved {len(d.resolved)}")
        return 0
    if args.op == "export":
        snap = store.snapshot(args.id, user)
        out = Path(args.out)
        for name, data in (
            ("baseline.csv", snap.baseline_csv),
            ("findings.csv", snap.findings_csv),
            ("plan.csv", snap.plan_csv),
            ("summary.json", json.dumps(snap.summary, indent=2).encode()),
            (
                "snapshot.json",
                json.dumps({**vars(snap.info), "inputs": snap.inputs, "settings": snap.settings}, indent=2).encode(),
            ),
        ):
            write_atomic(out / name, data)
        print(f"wrote snapshot {snap.info.id} to {out}")
        return 0
    if args.op == "verify":
        snap = store.snapshot(args.id, user)
        ok = verify_fingerprint(Path(args.file).read_bytes(), snap.info.fingerprint)
        print(
            "fingerprint matches" if ok else f"fingerprint DIFFERS from snapshot {snap.info.id}: the file was changed"
        )
        return 0 if ok else 1
    return _lock(store, args, today)


def _lock(store: Store, args: argparse.Namespace, today: dt.date) -> int:
    from core.cli import gather_inputs
    from core.estate import load_estate
    from core.reconcile import reconcile

    args.inputs, args.kind, args.smart_account, args.virtual_account, args.sheet = (
        [args.manifest],
        None,
        None,
        None,
        None,
    )
    settings, items = gather_inputs(args, today)
    result = reconcile(load_estate(items, settings), settings)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    eid = _engagement_id(store, args.user, args.engagement)
    if eid is None:
        eid = store.create_engagement(args.engagement, settings.client, {}, args.user, now)
    p = payload(result)
    sid = store.lock(
        eid, args.user, now, p["as_of"], args.note, p["settings"], p["inputs"], p["fingerprint"], p["files"]
    )
    print(f"locked snapshot {sid} of '{args.engagement}': fingerprint {p['fingerprint']}")
    return 0
