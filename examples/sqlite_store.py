"""A store on SQLite, with the standard library's sqlite3 only: a start for a store of your own.

One table per entity kind holds each record's key, origin and archived flag as columns and its
data fields as JSON (from ``record.to_dict()``). A meta table holds the database's id, the
revision counter and the school; a run table holds the sync log (``run.to_dict()`` as JSON).
``PRAGMA user_version`` is the schema version. Every change happens inside one transaction:
all or nothing. docs/stores.md explains it, and tests/adapters/test_sqlite_example.py runs the
store conformance suite on it.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import edukoppel as ek

SCHEMA_VERSION = 1
SCHEMA = [
    *(
        f"CREATE TABLE ek_{kind} (key TEXT PRIMARY KEY, origin TEXT,"
        " archived INTEGER NOT NULL, data TEXT NOT NULL)"
        for kind in ek.ENTITY_KINDS
    ),
    "CREATE TABLE ek_meta (name TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE ek_run (number INTEGER PRIMARY KEY, source TEXT NOT NULL,"
    " started_at TEXT NOT NULL, outcome TEXT NOT NULL, data TEXT NOT NULL)",
]


class SqliteStore:
    """An edukoppel store in a SQLite file (or ``":memory:"``)."""

    def __init__(self, path: str | Path) -> None:
        self._db = sqlite3.connect(path, isolation_level=None)  # we say BEGIN and COMMIT
        self._db.row_factory = sqlite3.Row
        try:
            with self._transaction():
                (version,) = self._db.execute("PRAGMA user_version").fetchone()
                if version == 0:  # a new database: create the schema
                    for statement in SCHEMA:
                        self._db.execute(statement)
                    meta = [("id", uuid.uuid4().hex), ("counter", "0")]
                    self._db.executemany("INSERT INTO ek_meta VALUES (?, ?)", meta)
                    self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                elif version != SCHEMA_VERSION:  # migrate here when the schema changes
                    raise ek.StoreError(
                        f"schema version {version}, this store knows {SCHEMA_VERSION}"
                    )
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        self._db.close()

    @contextlib.contextmanager
    def _transaction(self, begin: str = "BEGIN IMMEDIATE") -> Iterator[None]:
        self._db.execute(begin)  # IMMEDIATE: take the write lock before reading the revision
        try:
            yield
        except BaseException:
            if self._db.in_transaction:  # SQLite may have rolled back already
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _meta(self, name: str) -> Any:
        row = self._db.execute("SELECT value FROM ek_meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else row["value"]

    def revision(self) -> str:
        return f"sqlite:{self._meta('id')}:{self._meta('counter')}"

    def snapshot(self) -> ek.Roster:
        with self._transaction("BEGIN"):  # one read transaction: a consistent snapshot
            records: dict[str, Any] = {
                f"{kind}s" if kind != "staff" else kind: [
                    _record(kind, row)
                    for row in self._db.execute(f"SELECT * FROM ek_{kind} ORDER BY key")
                ]
                for kind in ek.ENTITY_KINDS
            }
            school = self._meta("school")
            revision = self.revision()
        return ek.Roster(
            school=None if school is None else ek.School.from_dict(json.loads(school)),
            source="sqlite-store",
            revision=revision,
            **records,
        )

    def apply_changes(self, changeset: ek.Changeset) -> None:
        try:
            with self._transaction():
                if changeset.base != self.revision():
                    raise ek.StalePlanError(expected=changeset.base, actual=self.revision())
                for change in changeset:
                    self._apply(change, changeset.source)
                if changeset.school is not None:
                    school = json.dumps(changeset.school.to_dict())
                    self._db.execute("REPLACE INTO ek_meta VALUES ('school', ?)", (school,))
                counter = str(int(self._meta("counter")) + 1)
                self._db.execute("UPDATE ek_meta SET value = ? WHERE name = 'counter'", (counter,))
        except sqlite3.Error as error:
            raise ek.StoreError(f"SQLite refused the changeset, nothing changed: {error}") from None

    def _apply(self, change: ek.Change, source: str) -> None:
        kind, key = change.entity, change.key
        stored = self._get(kind, key)
        if isinstance(change, ek.Add):
            if stored is not None:
                raise ek.StoreError(f"cannot add {kind} {key!r}: the key exists")
            self._put(change.record.evolve(origin=source, archived=False))
            return
        if stored is None:
            raise ek.StoreError(f"cannot {change.action} {kind} {key!r}: no such record")
        if isinstance(change, ek.Archive):
            self._put(stored.evolve(archived=True), key)  # never deleted
            return
        updated = stored.evolve(**change.new_values, origin=source, archived=False)
        if updated.key != key and self._get(kind, updated.key) is not None:
            raise ek.StoreError(f"cannot change the key of {kind} {key!r}: {updated.key!r} exists")
        self._put(updated, key)  # moves the record when the key changed

    def _get(self, kind: ek.EntityKind, key: str) -> ek.Record | None:
        row = self._db.execute(f"SELECT * FROM ek_{kind} WHERE key = ?", (key,)).fetchone()
        return None if row is None else _record(kind, row)

    def _put(self, record: ek.Record, old_key: str | None = None) -> None:
        row = record.to_dict()
        values = (row.pop("key"), row.pop("origin"), row.pop("archived"), json.dumps(row))
        if old_key is None:
            self._db.execute(f"INSERT INTO ek_{record.entity} VALUES (?, ?, ?, ?)", values)
        else:
            self._db.execute(
                f"UPDATE ek_{record.entity} SET key = ?, origin = ?, archived = ?, data = ?"
                " WHERE key = ?",
                (*values, old_key),
            )

    def record_run(self, run: ek.SyncRun) -> ek.SyncRun:
        with self._transaction():
            number = self._db.execute("SELECT count(*) + 1 FROM ek_run").fetchone()[0]
            data = run.to_dict() | {"number": number}
            self._db.execute(
                "INSERT INTO ek_run VALUES (?, ?, ?, ?, ?)",
                (number, run.source, data["started_at"], run.outcome, json.dumps(data)),
            )
        return ek.SyncRun.from_dict(data)

    def runs(self) -> list[ek.SyncRun]:
        rows = self._db.execute("SELECT data FROM ek_run ORDER BY number")
        return [ek.SyncRun.from_dict(json.loads(data)) for (data,) in rows]


def _record(kind: ek.EntityKind, row: sqlite3.Row) -> ek.Record:
    data = json.loads(row["data"]) | {"origin": row["origin"], "archived": row["archived"]}
    return ek.record_class(kind).from_dict(data | {"key": row["key"]})
