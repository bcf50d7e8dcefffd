"""Engagements, members and locked baseline snapshots in an embedded SQLite file (stdlib sqlite3, WAL).

Snapshots are immutable: this module has no update or delete path for them, and triggers refuse UPDATE and
DELETE at the database level. A lock is one INSERT inside one transaction, so a crash leaves no half snapshot.
The caller passes the path (the app and CLI read it from SAH_DB); nothing here reads the environment.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

APPLICATION_ID = 0x53414831  # "SAH1": marks the file as ours
SCHEMA_VERSION = 1
ROLES = ("advisor", "viewer")

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE engagements (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        client TEXT NOT NULL DEFAULT '',
        settings_json TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL
    );
    CREATE TABLE members (
        engagement_id INTEGER NOT NULL REFERENCES engagements(id),
        username TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('advisor', 'viewer')),
        PRIMARY KEY (engagement_id, username)
    );
    CREATE TABLE snapshots (
        id INTEGER PRIMARY KEY,
        engagement_id INTEGER NOT NULL REFERENCES engagements(id),
        locked_at TEXT NOT NULL,
        locked_by TEXT NOT NULL,
        as_of TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        settings_json TEXT NOT NULL,
        inputs_json TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        baseline_csv BLOB NOT NULL,
        findings_csv BLOB NOT NULL,
        plan_csv BLOB NOT NULL,
        summary_json TEXT NOT NULL
    );
    CREATE INDEX snapshots_by_engagement ON snapshots(engagement_id, id);
    CREATE TRIGGER snapshots_no_update BEFORE UPDATE ON snapshots
        BEGIN SELECT RAISE(ABORT, 'locked snapshots are immutable'); END;
    CREATE TRIGGER snapshots_no_delete BEFORE DELETE ON snapshots
        BEGIN SELECT RAISE(ABORT, 'locked snapshots are immutable'); END;
    """,
}


class StoreError(Exception):
    """A store problem a user can act on (not ours, corrupt, no access): one clear sentence."""


@dataclass(frozen=True)
class Engagement:
    id: int
    name: str
    client: str
    settings: dict[str, Any]
    role: str  # the asking user's role in it


@dataclass(frozen=True)
class SnapshotInfo:
    id: int
    engagement_id: int
    locked_at: str
    locked_by: str
    as_of: str
    note: str
    fingerprint: str


@dataclass(frozen=True)
class Snapshot:
    info: SnapshotInfo
    settings: dict[str, Any]
    inputs: list[dict[str, Any]]
    baseline_csv: bytes
    findings_csv: bytes
    plan_csv: bytes
    summary: dict[str, Any]


class Store:
    """One SQLite file. Open with `Store(path)`; every method runs in its own short transaction."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._connect() as db:
                self._migrate(db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a usable Smart Account Hygiene database ({exc})") from None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout = 30000")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA foreign_keys = ON")
            yield db
        finally:
            db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def _migrate(self, db: sqlite3.Connection) -> None:
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        if app_id == APPLICATION_ID and db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return  # current: no write lock needed to open it
        db.execute("BEGIN IMMEDIATE")
        try:
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            if app_id != APPLICATION_ID and (tables or version):
                raise StoreError(f"{self.path} is a SQLite database of another application; choose another file")
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.path} was written by a newer version (schema {version}); upgrade the app")
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[step].split(";\n"):
                    if statement.strip():
                        db.execute(statement + (";" if "BEGIN" in statement else ""))
                db.execute(f"PRAGMA user_version = {step}")
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # Engagements and members -------------------------------------------------------------------------------

    def create_engagement(self, name: str, client: str, settings: dict[str, Any], owner: str, now: str) -> int:
        """A new engagement with `owner` as its advisor member."""
        with self._tx() as db:
            try:
                cur = db.execute(
                    "INSERT INTO engagements (name, client, settings_json, created_at) VALUES (?, ?, ?, ?)",
                    (name, client, json.dumps(settings, sort_keys=True, default=str), now),
                )
            except sqlite3.IntegrityError:
                raise StoreError(f"an engagement named '{name}' already exists") from None
            eid = int(cur.lastrowid or 0)
            db.execute("INSERT INTO members VALUES (?, ?, 'advisor')", (eid, owner))
        return eid

    def add_member(self, engagement_id: int, username: str, role: str, by: str) -> None:
        if role not in ROLES:
            raise StoreError(f"role must be one of {', '.join(ROLES)}")
        self._require(engagement_id, by, "advisor")
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO members VALUES (?, ?, ?)", (engagement_id, username, role))

    def members(self, engagement_id: int, by: str) -> list[tuple[str, str]]:
        """(username, role) of an engagement's members, for one of its members."""
        self._require(engagement_id, by)
        with self._connect() as db:
            rows = db.execute(
                "SELECT username, role FROM members WHERE engagement_id = ? ORDER BY username", (engagement_id,)
            ).fetchall()
        return [(str(u), str(r)) for u, r in rows]

    def engagements(self, username: str) -> list[Engagement]:
        """Only the engagements `username` is a member of."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT e.id, e.name, e.client, e.settings_json, m.role FROM engagements e "
                "JOIN members m ON m.engagement_id = e.id WHERE m.username = ? ORDER BY e.name",
                (username,),
            ).fetchall()
        return [Engagement(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]

    def update_settings(self, engagement_id: int, settings: dict[str, Any], by: str) -> None:
        self._require(engagement_id, by, "advisor")
        with self._tx() as db:
            db.execute(
                "UPDATE engagements SET settings_json = ? WHERE id = ?",
                (json.dumps(settings, sort_keys=True, default=str), engagement_id),
            )

    def _require(self, engagement_id: int, username: str, role: str | None = None) -> str:
        with self._connect() as db:
            row = db.execute(
                "SELECT role FROM members WHERE engagement_id = ? AND username = ?", (engagement_id, username)
            ).fetchone()
        if row is None:
            raise StoreError("no such engagement, or you are not a member of it")
        if role is not None and row[0] != role:
            raise StoreError(f"only an {role} of this engagement may do that")
        return str(row[0])

    # Snapshots ------------------------------------------------------------------------------------------------

    def lock(
        self,
        engagement_id: int,
        by: str,
        now: str,
        as_of: str,
        note: str,
        settings: dict[str, Any],
        inputs: list[dict[str, Any]],
        fingerprint: str,
        files: dict[str, bytes],
    ) -> int:
        """Write one immutable snapshot (advisors only); returns its id."""
        self._require(engagement_id, by, "advisor")
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO snapshots (engagement_id, locked_at, locked_by, as_of, note, settings_json, inputs_json,"
                " fingerprint, baseline_csv, findings_csv, plan_csv, summary_json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    engagement_id,
                    now,
                    by,
                    as_of,
                    note,
                    json.dumps(settings, sort_keys=True, default=str),
                    json.dumps(inputs, sort_keys=True),
                    fingerprint,
                    files["baseline.csv"],
                    files["findings.csv"],
                    files["plan.csv"],
                    files["summary.json"].decode("utf-8"),
                ),
            )
        return int(cur.lastrowid or 0)

    def snapshots(self, engagement_id: int, username: str) -> list[SnapshotInfo]:
        self._require(engagement_id, username)
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, engagement_id, locked_at, locked_by, as_of, note, fingerprint FROM snapshots"
                " WHERE engagement_id = ? ORDER BY id",
                (engagement_id,),
            ).fetchall()
        return [SnapshotInfo(*r) for r in rows]

    def snapshot(self, snapshot_id: int, username: str) -> Snapshot:
        with self._connect() as db:
            row = db.execute(
                "SELECT id, engagement_id, locked_at, locked_by, as_of, note, fingerprint, settings_json, inputs_json,"
                " baseline_csv, findings_csv, plan_csv, summary_json FROM snapshots WHERE id = ?",
                (snapshot_id,),
            ).fetchone()
        if row is None:
            raise StoreError(f"no snapshot {snapshot_id}")
        self._require(row[1], username)
        return Snapshot(
            SnapshotInfo(*row[:7]),
            json.loads(row[7]),
            json.loads(row[8]),
            bytes(row[9]),
            bytes(row[10]),
            bytes(row[11]),
            json.loads(row[12]),
        )
