"""Locked baselines in SQLite: immutability, access, concurrency, crash safety, tampering, diff and progress."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from core.snapshots import diff, payload, progress, verify_fingerprint
from core.store import Store, StoreError
from tests.builders import ago, csv_file, run

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-01T10:00:00+00:00"


def estate(drop_stale: bool = False):
    rows = [{"Name": "keep", "Serial Number": "K1", "Last Contact": ago(3), "Licenses": "L (2)"}]
    if not drop_stale:
        rows.append({"Name": "stale", "Serial Number": "S1", "Last Contact": ago(200), "Licenses": "L (1)"})
    lic = csv_file("lic.csv", [{"License": "L", "Type": "Term", "Purchased": 5, "In Use": 3 - drop_stale}])
    return run(csv_file("i.csv", rows), lic)


def lock(store: Store, eid: int, result, user: str = "ann", note: str = "") -> int:
    p = payload(result)
    return store.lock(eid, user, NOW, p["as_of"], note, p["settings"], p["inputs"], p["fingerprint"], p["files"])


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "db.sqlite")


def test_a_locked_snapshot_refuses_update_and_delete_at_the_database_level(store):
    eid = store.create_engagement("E1", "Acme", {}, "ann", NOW)
    lock(store, eid, estate())
    db = sqlite3.connect(store.path)
    for sql in ("UPDATE snapshots SET note = 'x'", "DELETE FROM snapshots"):
        with pytest.raises(sqlite3.IntegrityError, match="immutable"):
            db.execute(sql)
    assert db.execute("SELECT count(*) FROM snapshots").fetchone()[0] == 1


def test_the_code_has_no_update_or_delete_path_for_snapshots():
    text = (ROOT / "core" / "store.py").read_text().upper()
    assert "UPDATE SNAPSHOTS SET" not in text and "DELETE FROM SNAPSHOTS" not in text


def test_a_user_sees_only_engagements_they_belong_to_and_a_viewer_cannot_lock(store):
    e1 = store.create_engagement("E1", "Acme", {}, "ann", NOW)
    e2 = store.create_engagement("E2", "Globex", {}, "bob", NOW)
    store.add_member(e1, "vic", "viewer", by="ann")
    sid = lock(store, e1, estate())
    assert [e.name for e in store.engagements("ann")] == ["E1"]
    assert [e.name for e in store.engagements("bob")] == ["E2"]
    assert [(e.name, e.role) for e in store.engagements("vic")] == [("E1", "viewer")]
    with pytest.raises(StoreError, match="not a member"):
        store.snapshot(sid, "bob")
    with pytest.raises(StoreError, match="advisor"):
        lock(store, e1, estate(), user="vic")
    with pytest.raises(StoreError, match="advisor"):
        store.update_settings(e1, {"stale_days": 30}, by="vic")
    assert store.snapshot(sid, "vic").info.locked_by == "ann"
    assert store.snapshots(e2, "bob") == []
    assert store.members(e1, "vic") == [("ann", "advisor"), ("vic", "viewer")]
    with pytest.raises(StoreError, match="not a member"):
        store.members(e1, "bob")


def test_a_changed_baseline_file_fails_the_fingerprint_check(store):
    eid = store.create_engagement("E1", "Acme", {}, "ann", NOW)
    snap = store.snapshot(lock(store, eid, estate()), "ann")
    assert verify_fingerprint(snap.baseline_csv, snap.info.fingerprint)
    tampered = snap.baseline_csv.replace(b",3,", b",2,", 1)
    assert tampered != snap.baseline_csv and not verify_fingerprint(tampered, snap.info.fingerprint)


def test_two_snapshots_compare_per_pool_and_by_findings(store):
    eid = store.create_engagement("E1", "Acme", {}, "ann", NOW)
    a = store.snapshot(lock(store, eid, estate()), "ann")
    b = store.snapshot(lock(store, eid, estate(drop_stale=True)), "ann")
    d = diff(a.baseline_csv, a.findings_csv, b.baseline_csv, b.findings_csv)
    pool = d.pools.iloc[0]
    # Before: in use 3, stale 1 removable → clean 2, final 3. After the deregistration: in use 2 → clean 2, final 3.
    assert (pool["clean_in_use_before"], pool["clean_in_use_after"], pool["clean_in_use_delta"]) == (2, 2, 0)
    assert list(d.resolved["finding"]) == ["STALE_NOT_IN_INVENTORY"] and d.added.empty


def test_fresh_exports_show_plan_progress_against_the_lock(store):
    eid = store.create_engagement("E1", "Acme", {}, "ann", NOW)
    snap = store.snapshot(lock(store, eid, estate()), "ann")
    p = progress(snap.plan_csv, snap.findings_csv, snap.baseline_csv, estate(drop_stale=True))
    assert list(p.done["action"]) == ["DEREGISTER"] and list(p.done["instance_name"]) == ["stale"]
    assert list(p.still_open["action"]) == ["VERIFY_INVENTORY"]  # "keep" is still in no inventory
    assert p.new_findings.empty and (p.clean_in_use_locked, p.clean_in_use_now) == (2, 2)


LOCKER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from core.store import Store
    from core.snapshots import payload
    from tests.store_helpers import result
    store = Store({db!r})
    eid = [e.id for e in store.engagements("ann")][0]
    p = payload(result())
    for i in range(6):
        store.lock(eid, "ann", "now", p["as_of"], f"{{sys.argv[1]}}-{{i}}", p["settings"], p["inputs"],
                   p["fingerprint"], p["files"])
""")


def test_two_processes_locking_at_the_same_moment_both_succeed_and_the_file_stays_sound(store, tmp_path):
    store.create_engagement("E1", "Acme", {}, "ann", NOW)
    script = tmp_path / "locker.py"
    script.write_text(LOCKER.format(root=str(ROOT), db=str(store.path)))
    procs = [subprocess.Popen([sys.executable, str(script), name], cwd=ROOT) for name in ("p1", "p2")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    notes = sorted(r[0] for r in db.execute("SELECT note FROM snapshots"))
    assert notes == sorted(f"{p}-{i}" for p in ("p1", "p2") for i in range(6))


def test_a_crash_in_the_middle_of_a_lock_leaves_no_half_snapshot(store, tmp_path):
    eid = store.create_engagement("E1", "Acme", {}, "ann", NOW)
    crash = textwrap.dedent(f"""
        import os, sqlite3
        db = sqlite3.connect({str(store.path)!r}, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO snapshots (engagement_id, locked_at, locked_by, as_of, settings_json, inputs_json,"
                   " fingerprint, baseline_csv, findings_csv, plan_csv, summary_json)"
                   " VALUES ({eid}, 'now', 'ann', '2026-11-01', '{{}}', '[]', 'f', x'00', x'00', x'00', '{{}}')")
        os._exit(9)  # killed before COMMIT
    """)
    assert subprocess.run([sys.executable, "-c", crash]).returncode == 9
    assert Store(store.path).snapshots(eid, "ann") == []
    assert sqlite3.connect(store.path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_corrupt_or_foreign_database_file_gives_a_clear_error(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="not a usable"):
        Store(junk)
    foreign = tmp_path / "foreign.sqlite"
    sqlite3.connect(foreign).execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(StoreError, match="another application"):
        Store(foreign)
