"""SqlStore on SQLite and PostgreSQL: the conformance suite, the schema, tenancy, and faults.

The PostgreSQL tests need a server: set ``EDUKOPPEL_POSTGRES_URL`` to a database the tests may
create tables in (``postgresql+psycopg://user:password@127.0.0.1:5432/database``). Without it
they are skipped, except under CI (``CI=true``), where a missing server fails the run.
Every PostgreSQL store of a test session lives in tables with a prefix of that session, in a
tenant of its own; the session drops its tables at the end.

The fault tests run real processes: two applies at once (one is applied, the other refused as
stale), and a process killed with SIGKILL in the middle of a large apply (nothing of it stays).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import edukoppel as ek
from edukoppel.adapters import SqlStore, _sql_backend, _sql_schema
from edukoppel.model import ENTITY_KINDS, data_fields
from edukoppel.testing import StoreConformance, assert_store_holds, example_roster

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
POSTGRES_URL = "EDUKOPPEL_POSTGRES_URL"


# -- databases ---------------------------------------------------------------------------------


def postgres_url_or_skip(environ: dict[str, str] | os._Environ[str]) -> str:
    """The PostgreSQL URL; skip without one, or fail under CI (CI=true) without one."""
    url = environ.get(POSTGRES_URL, "").strip()
    if url:
        return url
    if environ.get("CI", "").lower() == "true":
        pytest.fail(
            f"CI=true but {POSTGRES_URL} is not set: under CI the PostgreSQL tests must run "
            "(.ci/run starts a server and sets it)"
        )
    pytest.skip(
        f"PostgreSQL tests need a server: set {POSTGRES_URL}="
        "postgresql+psycopg://user:password@127.0.0.1:5432/database"
    )


@attrs.define
class Postgres:
    """The session's PostgreSQL database: its URL and the prefix of this session's tables."""

    url: str
    prefix: str
    _count: int = 0

    def new_prefix(self) -> str:
        """A prefix of its own for a test that needs fresh tables (dropped with the session's)."""
        self._count += 1
        return f"{self.prefix}p{self._count}_"


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    url = postgres_url_or_skip(os.environ)
    database = Postgres(url=url, prefix=f"t{uuid.uuid4().hex[:8]}_")
    yield database
    engine = sa.create_engine(url)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine, only=lambda name, _: name.startswith(database.prefix))
        metadata.drop_all(engine)
    finally:
        engine.dispose()


@attrs.define
class Database:
    """One test's database: where its stores live, and a way to look at the raw rows."""

    kind: str
    url: str
    prefix: str
    tenant: str
    _new_prefix: Callable[[], str]
    _stores: list[SqlStore] = attrs.field(factory=list)
    _engine: sa.Engine | None = None

    def open(self, *, tenant: str | None = None, prefix: str | None = None) -> SqlStore:
        store = SqlStore(
            self.url,
            tenant=self.tenant if tenant is None else tenant,
            prefix=self.prefix if prefix is None else prefix,
        )
        self._stores.append(store)
        return store

    def fresh_prefix(self) -> str:
        return self._new_prefix()

    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            self._engine = sa.create_engine(self.url)
        return self._engine

    def execute(self, sql: str, **parameters: Any) -> list[tuple[Any, ...]]:
        with self.engine.begin() as connection:
            result = connection.execute(sa.text(sql), parameters)
            return [tuple(row) for row in result] if result.returns_rows else []

    def tenant_rows(self, tenant: str, prefix: str | None = None) -> dict[str, list[tuple]]:
        """Every row of ``tenant`` in every table of the store, sorted: a tenant's whole state."""
        prefix = self.prefix if prefix is None else prefix
        rows = {}
        for table in _sql_schema.Schema(prefix).metadata.tables.values():
            if "tenant" not in table.c:
                continue
            with self.engine.connect() as connection:
                found = connection.execute(sa.select(table).where(table.c.tenant == tenant))
                rows[table.name] = sorted((tuple(row) for row in found), key=repr)
        return rows

    def close(self) -> None:
        for store in self._stores:
            store.close()
        if self._engine is not None:
            self._engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database for the test, on SQLite (a new file) and on PostgreSQL (a new tenant)."""
    if request.param == "sqlite":
        count = iter(range(1, 1000))
        database = Database(
            kind="sqlite",
            url=f"sqlite:///{tmp_path / 'school.db'}",
            prefix="ek_",
            tenant="default",
            new_prefix=lambda: f"ek{next(count)}_",
        )
    else:
        server: Postgres = request.getfixturevalue("postgres")
        database = Database(
            kind="postgresql",
            url=server.url,
            prefix=server.prefix,
            tenant=f"school-{uuid.uuid4().hex[:12]}",
            new_prefix=server.new_prefix,
        )
    yield database
    database.close()


# -- the conformance suite ---------------------------------------------------------------------


class TestSqlStoreOnSqlite(StoreConformance):
    """Every check of the conformance suite, on SQLite, each store in a new file."""

    def make_store(self, tmp_path: Path, request: pytest.FixtureRequest) -> ek.Store:
        store = SqlStore(f"sqlite:///{tmp_path / f'store-{uuid.uuid4().hex}.db'}")
        request.addfinalizer(store.close)
        return store


class TestSqlStoreOnPostgres(StoreConformance):
    """Every check of the conformance suite, on PostgreSQL, each store in a new tenant."""

    def make_store(self, postgres: Postgres, request: pytest.FixtureRequest) -> ek.Store:
        tenant = f"conformance-{uuid.uuid4().hex}"
        store = SqlStore(postgres.url, tenant=tenant, prefix=postgres.prefix)
        request.addfinalizer(store.close)
        return store


# -- helpers -------------------------------------------------------------------------------------


def _records(roster: ek.Roster) -> dict[str, dict[str, ek.Record]]:
    return {kind: dict(roster.records(kind).by_key()) for kind in ENTITY_KINDS}


def _sync(store: ek.Store, incoming: ek.Roster, **kwargs: Any) -> ek.Outcome:
    changeset = ek.plan(store.snapshot(), incoming, **kwargs)
    return ek.apply(changeset, store, acknowledge=changeset.blocked)


def _like(roster: ek.Roster, **records: Any) -> ek.Roster:
    arguments = {
        "locations": list(roster.locations),
        "groups": list(roster.groups),
        "students": list(roster.students),
        "staff": list(roster.staff),
        "guardians": list(roster.guardians),
    } | records
    return ek.Roster(school=roster.school, source=roster.source, **arguments)


def _big_roster(students: int, *, start: int = 0, source: str = "las") -> ek.Roster:
    """The example roster and ``students`` more pupils, each in groups and with a guardian."""
    base = example_roster(source=source)
    pupils = [
        ek.Student(
            key=f"{start + n:07d}",
            first_name="Emma",
            infix="van der" if n % 3 else None,
            last_name=f"Berg{n % 17}",
            birth_date=dt.date(2012, 1 + n % 12, 1 + n % 28),
            location="99ZX10",
            homeroom="1HA",
            groups=("1HA", "1HA.wi"),
        )
        for n in range(students)
    ]
    parents = [
        ek.Guardian(
            key=f"V{start + n:07d}",
            initials="A.",
            last_name=f"Berg{n % 17}",
            students=[ek.GuardianLink(f"{start + n:07d}", relation="moeder", legal_authority=True)],
        )
        for n in range(students)
    ]
    return _like(
        base,
        students=[*base.students, *pupils],
        guardians=[*base.guardians, *parents],
    )


# -- a real sync, the SQLite file ----------------------------------------------------------------


def test_a_sync_persists_across_stores(db: Database) -> None:
    """What one store object wrote, another one (a later process, say) reads back equal."""
    roster = example_roster()
    first = db.open()
    outcome = _sync(first, roster, policy=None)
    second = db.open()
    assert_store_holds(second, roster)
    assert second.revision() == first.revision()
    assert second.runs() == [outcome.run]
    assert ek.plan(second.snapshot(), roster).is_empty


def test_the_changes_and_their_run_in_the_log_commit_together(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while logging the run leaves nothing applied (one transaction for both)."""
    store = db.open()
    changeset = ek.plan(store.snapshot(), example_roster())
    real = _sql_backend.Backend._insert_run
    calls: list[str] = []

    def fails_the_first_time(self: Any, connection: Any, run: ek.SyncRun) -> ek.SyncRun:
        calls.append(run.outcome)
        if len(calls) == 1:
            raise RuntimeError("the disk filled up while logging the run")
        return real(self, connection, run)

    monkeypatch.setattr(_sql_backend.Backend, "_insert_run", fails_the_first_time)
    with pytest.raises(ek.StoreError, match="RuntimeError"):
        ek.apply(changeset, store)
    assert calls == ["applied", "failed"]
    assert len(store.snapshot().students) == 0
    assert [run.outcome for run in store.runs()] == ["failed"]
    monkeypatch.undo()
    outcome = ek.apply(ek.plan(store.snapshot(), example_roster()), store)  # again: applied
    assert [run.outcome for run in store.runs()] == ["failed", "applied"]
    assert outcome.run.number == 2


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "school.db"
    store = SqlStore(f"sqlite:///{path}")
    try:
        with store._backend.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        store.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)  # kept in the file
    raw.close()


def test_a_relative_sqlite_path_stays_where_it_was_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = SqlStore("sqlite:///school.db")
    try:
        (tmp_path / "elsewhere").mkdir()
        monkeypatch.chdir(tmp_path / "elsewhere")
        _sync(store, example_roster())
        assert (tmp_path / "school.db").exists()
        assert not (tmp_path / "elsewhere" / "school.db").exists()
        assert str(tmp_path / "school.db") in store.url
    finally:
        store.close()


def test_an_in_memory_store_is_a_database_of_its_own() -> None:
    one, two = SqlStore("sqlite://"), SqlStore("sqlite://")
    try:
        _sync(one, example_roster())
        assert two.snapshot().is_empty
        assert one.revision() != two.revision()
    finally:
        one.close()
        two.close()


def test_two_databases_never_share_a_revision(tmp_path: Path) -> None:
    one = SqlStore(f"sqlite:///{tmp_path / 'one.db'}")
    two = SqlStore(f"sqlite:///{tmp_path / 'two.db'}")
    try:
        assert one.revision() != two.revision()
        with pytest.raises(ek.StalePlanError):
            ek.apply(ek.plan(one.snapshot(), example_roster()), two)
        assert two.snapshot().is_empty
    finally:
        one.close()
        two.close()


def _raw_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a SQLite file, read with the standard library (not through the store)."""
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


# -- the schema ----------------------------------------------------------------------------------

TABLES = [
    "schema",
    "tenant",
    "school",
    "location",
    "group",
    "student",
    "student_group",
    "staff",
    "staff_role",
    "staff_group",
    "staff_mentee",
    "staff_location",
    "guardian",
    "guardian_student",
    "run",
    "run_count",
    "run_code",
    "run_problem",
    "run_issue",
]


def test_every_field_of_the_model_has_a_column_or_a_link_table() -> None:
    """A field added to the model needs a column here (and a schema upgrade)."""
    for kind in ENTITY_KINDS:
        columns = [name for name, _ in _sql_schema.SCALARS[kind]]
        links = [link.field for link in _sql_schema.LINKS[kind]]
        assert sorted(columns + links) == sorted(data_fields(kind)), kind
        assert len(set(columns + links)) == len(columns + links), kind


def test_the_schema_is_created_with_its_version(db: Database) -> None:
    prefix = db.fresh_prefix()
    store = db.open(prefix=prefix)
    assert store.tables == [f"{prefix}{name}" for name in TABLES]
    existing = set(sa.inspect(db.engine).get_table_names())
    assert set(store.tables) <= existing
    assert store.schema_version == _sql_schema.SCHEMA_VERSION == 2
    versions = db.execute(f"SELECT version, edukoppel FROM {prefix}schema")
    assert versions == [(2, ek.__version__)]
    # Every table but the version table carries the tenant, first in its primary key.
    inspector = sa.inspect(db.engine)
    for name in store.tables[1:]:
        assert inspector.get_pk_constraint(name)["constrained_columns"][0] == "tenant", name
    # Link tables follow their record: a key change cascades.
    (fk,) = inspector.get_foreign_keys(f"{prefix}student_group")
    assert fk["referred_table"] == f"{prefix}student"
    assert fk["constrained_columns"] == ["tenant", "student_key"]
    assert fk["options"].get("onupdate") == "CASCADE"


def test_opening_again_changes_nothing_in_the_schema(db: Database) -> None:
    prefix = db.fresh_prefix()
    db.open(prefix=prefix).close()
    db.open(prefix=prefix).close()
    assert db.execute(f"SELECT version FROM {prefix}schema") == [(2,)]


def test_a_newer_schema_version_is_refused(db: Database) -> None:
    """A database written by a newer edukoppel is refused, not misread or 'upgraded' back."""
    prefix = db.fresh_prefix()
    db.open(prefix=prefix).close()
    version = _sql_schema.Schema(prefix).version
    with db.engine.begin() as connection:
        at = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
        connection.execute(sa.insert(version).values(version=3, applied_at=at, edukoppel="9.0"))
    with pytest.raises(ek.StoreError, match=r"schema version 3.*newer edukoppel.*version 2"):
        db.open(prefix=prefix)


def test_an_older_schema_is_upgraded_forward(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Upgrades run in order, each recorded; the data stays; a missing step is refused."""
    prefix = db.fresh_prefix()
    store = db.open(prefix=prefix)
    _sync(store, example_roster())
    store.close()

    def add_name_index(connection: sa.Connection, schema: _sql_schema.Schema) -> None:
        table = schema.records["student"]
        sa.Index(f"{schema.prefix}student_name_ix", table.c.tenant, table.c.last_name).create(
            connection
        )

    monkeypatch.setattr(_sql_backend, "SCHEMA_VERSION", 3)
    monkeypatch.setitem(_sql_backend.UPGRADES, 3, add_name_index)
    upgraded = db.open(prefix=prefix)
    assert upgraded.schema_version == 3
    assert [v for (v,) in db.execute(f"SELECT version FROM {prefix}schema ORDER BY 1")] == [2, 3]
    indexes = {index["name"] for index in sa.inspect(db.engine).get_indexes(f"{prefix}student")}
    assert f"{prefix}student_name_ix" in indexes
    assert_store_holds(upgraded, example_roster())
    upgraded.close()

    monkeypatch.setattr(_sql_backend, "SCHEMA_VERSION", 4)
    with pytest.raises(ek.StoreError, match="cannot upgrade the schema from version 3"):
        db.open(prefix=prefix)


def test_a_version_1_database_is_upgraded_to_version_2(tmp_path: Path) -> None:
    """A database written by the version 1 store (tests/adapters/data/sqlstore-v1.sql, dumped
    from it) opens at version 2: records and old runs stay, new runs keep policy and issues."""
    path = tmp_path / "school.db"
    with sqlite3.connect(path) as connection:
        connection.executescript((DATA / "sqlstore-v1.sql").read_text(encoding="utf-8"))
    connection.close()
    other_before = _raw_rows(path, "SELECT * FROM ek_run WHERE tenant = 'other-school'")
    # Listing the tenants looks, and upgrades nothing.
    assert SqlStore.tenants(f"sqlite:///{path}") == ["default", "other-school"]
    assert _raw_rows(path, "SELECT version FROM ek_schema") == [(1,)]

    store = SqlStore(f"sqlite:///{path}")
    try:
        assert store.schema_version == 2
        assert [v for (v,) in _raw_rows(path, "SELECT version FROM ek_schema ORDER BY 1")] == [1, 2]
        assert_store_holds(store, example_roster())
        old = store.runs()
        assert [run.outcome for run in old] == ["applied", "refused-blocked"]
        assert [run.policy for run in old] == [None, None]
        assert [run.issue_counts for run in old] == [{}, {}]
        assert old[0].counts["student"] == {"add": 3}
        report = ek.Report([ek.Issue(code="blank-row", message="x", severity="info", row=9)])
        roster = example_roster()
        changed = _like(roster, students=list(roster.students)[:2])
        ek.apply(ek.plan(store.snapshot(), changed), store, report=report)
        new = store.runs()[-1]
        assert new.policy == ek.SyncPolicy().to_dict(defaults=True)
        # The read's report and the plan's own issue (1 of 3 pupils archived, under the floor).
        assert new.issue_counts == {
            "warning": {"archive-share-under-floor": 1},
            "info": {"blank-row": 1},
        }
        frame = store.runs_frame()
        assert frame["policy"].is_null().to_list() == [True, True, False]
        assert frame["notes"].to_list() == [0, 0, 1]
    finally:
        store.close()
    # The other school's log is still as version 1 wrote it (with the new column, null).
    assert _raw_rows(path, "SELECT * FROM ek_run WHERE tenant = 'other-school'") == [
        (*row, None) for row in other_before
    ]


def test_the_upgrade_to_version_2_adds_the_policy_and_the_issue_counts(db: Database) -> None:
    """On both databases: a store taken back to version 1's tables is upgraded in place."""
    prefix = db.fresh_prefix()
    store = db.open(prefix=prefix)
    _sync(store, example_roster())
    store.close()
    with db.engine.begin() as connection:  # what version 1 had: no policy, no issue table
        connection.execute(sa.text(f"DROP TABLE {prefix}run_issue"))
        connection.execute(sa.text(f"ALTER TABLE {prefix}run DROP COLUMN policy"))
        connection.execute(sa.text(f"UPDATE {prefix}schema SET version = 1"))

    upgraded = db.open(prefix=prefix)
    assert upgraded.schema_version == 2
    assert [v for (v,) in db.execute(f"SELECT version FROM {prefix}schema ORDER BY 1")] == [1, 2]
    columns = [column["name"] for column in sa.inspect(db.engine).get_columns(f"{prefix}run")]
    assert columns[-1] == "policy"
    assert_store_holds(upgraded, example_roster())
    assert [run.policy for run in upgraded.runs()] == [None]
    report = ek.Report([ek.Issue(code="unknown-value", message="x", severity="warning")])
    roster = example_roster()
    changed = _like(roster, students=list(roster.students)[:2])
    ek.apply(ek.plan(upgraded.snapshot(), changed), upgraded, report=report)
    last = upgraded.runs()[-1]
    assert last.policy == ek.SyncPolicy().to_dict(defaults=True)
    assert last.issue_counts == {"warning": {"archive-share-under-floor": 1, "unknown-value": 1}}
    stored = db.execute(
        f"SELECT severity, code, count FROM {prefix}run_issue WHERE tenant = :t ORDER BY code",
        t=db.tenant,
    )
    assert stored == [("warning", "archive-share-under-floor", 1), ("warning", "unknown-value", 1)]


def test_tables_it_did_not_create_are_never_touched(tmp_path: Path) -> None:
    """The example store's ek_* tables are not this store's: it refuses them, keeps them."""
    spec = importlib.util.spec_from_file_location("example", ROOT / "examples" / "sqlite_store.py")
    assert spec is not None
    assert spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    path = tmp_path / "host.db"
    host = example.SqliteStore(path)
    _sync(host, example_roster())
    before = host.snapshot()
    host.close()
    with pytest.raises(ek.StoreError, match=r"did not create \(ek_group, ek_guardian.*prefix"):
        SqlStore(f"sqlite:///{path}")
    with sqlite3.connect(path) as raw:
        names = {name for (name,) in raw.execute("SELECT name FROM sqlite_master")}
    raw.close()
    assert "ek_schema" not in names
    assert "ek_tenant" not in names

    beside = SqlStore(f"sqlite:///{path}", prefix="edukoppel_")
    try:
        _sync(beside, example_roster(source="somtoday"))
        assert beside.snapshot().students["00123"].origin == "somtoday"
    finally:
        beside.close()
    again = example.SqliteStore(path)
    assert _records(again.snapshot()) == _records(before)
    again.close()


def test_two_prefixes_are_two_stores_in_one_database(db: Database) -> None:
    one, two = db.fresh_prefix(), db.fresh_prefix()
    first, second = db.open(prefix=one), db.open(prefix=two)
    _sync(first, example_roster())
    assert second.snapshot().is_empty
    assert db.execute(f"SELECT count(*) FROM {two}student") == [(0,)]
    assert db.execute(f"SELECT count(*) FROM {one}student WHERE tenant = :t", t=db.tenant) == [(3,)]


@pytest.mark.parametrize("prefix", ["", "Ek_", "ek-", "1ek_", "ek_; DROP TABLE x", "e" * 41])
def test_a_prefix_must_be_a_plain_name(prefix: str) -> None:
    with pytest.raises(ek.StoreError, match="prefix"):
        SqlStore("sqlite://", prefix=prefix)


@pytest.mark.parametrize("tenant", ["", " school", 12])
def test_a_tenant_must_be_a_plain_text(tenant: Any) -> None:
    with pytest.raises(ek.StoreError, match="tenant"):
        SqlStore("sqlite://", tenant=tenant)


def test_only_sqlite_and_postgresql_are_supported() -> None:
    with pytest.raises(ek.StoreError, match="not 'mysql'"):
        SqlStore("mysql://user@localhost/school")


def test_a_database_that_cannot_be_reached_is_a_store_error_without_the_password() -> None:
    with pytest.raises(ek.StoreError) as caught:
        SqlStore("postgresql+psycopg://ek:s3cret@127.0.0.1:1/school")
    assert "s3cret" not in str(caught.value)


def test_the_schema_page_documents_every_table_and_column() -> None:
    """docs/sql.md has a section per table with every column in it."""
    text = (ROOT / "docs" / "sql.md").read_text(encoding="utf-8")
    schema = _sql_schema.Schema("ek_")
    sections = dict(re.findall(r"^#### `(ek_\w+)`\n(.*?)(?=^#|\Z)", text, re.DOTALL | re.M))
    assert list(sections) == schema.names
    for table in schema.metadata.tables.values():
        documented = re.findall(r"^\| `(\w+)` \|", sections[table.name], re.M)
        assert documented == [column.name for column in table.c], table.name


# -- records, links, archives ------------------------------------------------------------------


def test_the_tables_hold_a_column_per_field_and_rows_per_link(db: Database) -> None:
    """What a host sees when it queries the tables."""
    store = db.open()
    _sync(store, example_roster())
    p, t = db.prefix, db.tenant
    rows = db.execute(
        f"SELECT key, first_name, infix, last_name, birth_date, origin, archived "
        f"FROM {p}student WHERE tenant = :t AND key = '00123'",
        t=t,
    )
    # SQLite has no date or boolean type: it keeps ISO text and 0 or 1 (docs/sql.md).
    birth, no, yes = (
        (dt.date(2012, 3, 4), False, True) if db.kind == "postgresql" else ("2012-03-04", 0, 1)
    )
    assert rows == [("00123", "Daan", "van der", "Berg", birth, "las", no)]
    groups = db.execute(
        f"SELECT group_key FROM {p}student_group WHERE tenant = :t AND student_key = '00123'", t=t
    )
    assert groups == [("1HA.wi",)]
    mentor = db.execute(
        f"SELECT group_key, role FROM {p}staff_group WHERE tenant = :t AND staff_key = 'm0042' "
        "ORDER BY group_key",
        t=t,
    )
    assert mentor == [("1HA", "mentor"), ("1HA.wi", "docent")]
    parents = db.execute(
        f"SELECT guardian_key, student_key, relation, legal_authority, receives_mail "
        f"FROM {p}guardian_student WHERE tenant = :t ORDER BY guardian_key, student_key",
        t=t,
    )
    assert parents == [
        ("v00001", "00123", "moeder", yes, yes),
        ("v00001", "00124", "moeder", yes, yes),
        ("v00002", "00123", "stiefvader", None, None),
        ("v00002", "00124", "vader", yes, no),
    ]
    # A host's join: the pupils of klas 1HA with their parents' relation.
    joined = db.execute(
        f"SELECT s.key, gs.relation FROM {p}student s "
        f"JOIN {p}guardian_student gs ON gs.tenant = s.tenant AND gs.student_key = s.key "
        "WHERE s.tenant = :t AND s.homeroom = '1HA' ORDER BY s.key, gs.relation",
        t=t,
    )
    assert joined == [
        ("00123", "moeder"),
        ("00123", "stiefvader"),
        ("00124", "moeder"),
        ("00124", "vader"),
    ]
    school = db.execute(f"SELECT brin, name, school_year FROM {p}school WHERE tenant = :t", t=t)
    assert school == [("99ZX", "Het Voorbeeld College", "2025-2026")]


def test_archives_never_delete_and_restores_bring_records_back(db: Database) -> None:
    store = db.open()
    roster = example_roster()
    _sync(store, roster)
    count = f"SELECT count(*) FROM {db.prefix}student WHERE tenant = :t"
    links = f"SELECT count(*) FROM {db.prefix}student_group WHERE tenant = :t"
    before = db.execute(count, t=db.tenant), db.execute(links, t=db.tenant)
    _sync(store, _like(roster, students=[], guardians=[]))
    assert (db.execute(count, t=db.tenant), db.execute(links, t=db.tenant)) == before
    archived = db.execute(
        f"SELECT key FROM {db.prefix}student WHERE tenant = :t AND archived ORDER BY key",
        t=db.tenant,
    )
    assert archived == [("00123",), ("00124",), ("00999",)]
    outcome = _sync(store, roster)
    assert outcome.counts["student"] == {"restore": 3}
    assert_store_holds(store, roster)


def test_links_read_back_in_the_order_the_model_sorts_them(db: Database) -> None:
    """The database orders the links (by code point, as Python): accents, case, digits."""
    keys = ["b", "A", "Ä", "a", "Z", "é", "1", "ß", "Ω"]
    groups = [ek.Group(key=key) for key in keys]
    student = ek.Student(key="s1", groups=keys)
    staff = ek.Staff(
        key="m1",
        roles=["teamleider", "docent", "Mentor"],
        groups=[(key, role) for key in keys[:4] for role in ("mentor", "docent")],
        mentees=["s1", "S1", "ß"],
        locations=["Ä", "a"],
    )
    guardian = ek.Guardian(
        key="g1",
        students=[
            ek.GuardianLink("s1", relation="vader", legal_authority=True),
            ek.GuardianLink("S1", relation="moeder"),
            ek.GuardianLink("ß"),
            ek.GuardianLink("s1"),  # the same student, with nothing said: sorts first
        ],
    )
    roster = ek.Roster(groups=groups, students=[student], staff=[staff], guardians=[guardian])
    store = db.open()
    _sync(store, roster, policy=ek.SyncPolicy(archive_floor=100))
    snapshot = store.snapshot()
    assert snapshot.students["s1"].groups == tuple(sorted(keys)) == student.groups
    assert snapshot.staff["m1"].groups == staff.groups
    assert snapshot.staff["m1"].roles == staff.roles
    assert snapshot.staff["m1"].mentees == staff.mentees
    assert snapshot.staff["m1"].locations == staff.locations
    assert snapshot.guardians["g1"].students == guardian.students
    assert [group.key for group in snapshot.groups] == sorted(keys)


def test_a_key_change_moves_the_record_and_its_links(db: Database) -> None:
    store = db.open()
    roster = example_roster()
    _sync(store, roster)
    renumbered = [
        attrs.evolve(s, key=f"S-{s.key}") if s.key == "00123" else s for s in roster.students
    ]
    policy = ek.SyncPolicy(identity={"student": "username"})
    outcome = _sync(store, _like(roster, students=renumbered), policy=policy)
    assert outcome.counts == {"student": {"update": 1}}
    moved = store.snapshot().students["S-00123"]
    assert moved.groups == ("1HA.wi",)
    assert db.execute(
        f"SELECT student_key FROM {db.prefix}student_group WHERE tenant = :t ORDER BY 1",
        t=db.tenant,
    ) == [("00124",), ("00999",), ("S-00123",)]


def test_an_update_changes_links_and_fields_only_where_planned(db: Database) -> None:
    store = db.open()
    roster = example_roster()
    _sync(store, roster)
    daan = attrs.evolve(roster.students["00123"], groups=("2V_lo", "1HA.wi"), email=None)
    mentor = attrs.evolve(roster.staff["m0042"], groups=(), roles=("zorg",), mentees=())
    incoming = _like(
        roster,
        students=[daan if s.key == "00123" else s for s in roster.students],
        staff=[mentor if s.key == "m0042" else s for s in roster.staff],
    )
    policy = ek.SyncPolicy(actions={"staff": frozenset({"add", "update"})})
    _sync(store, incoming, policy=policy)
    snapshot = store.snapshot()
    assert snapshot.students["00123"] == attrs.evolve(daan, origin="las")
    assert snapshot.staff["m0042"] == attrs.evolve(mentor, origin="las")
    assert snapshot.staff["m0043"] == attrs.evolve(roster.staff["m0043"], origin="las")


def test_a_large_changeset_is_written_in_batches(db: Database) -> None:
    """Thousands of changes of every action, interleaved, read back as a sync should leave them."""
    store = db.open()
    week_1 = _big_roster(3000)
    _sync(store, week_1)
    assert_store_holds(store, week_1)
    students = [s for s in week_1.students if int(s.key) % 7 != 0]  # leavers
    students = [attrs.evolve(s, last_name="Nieuw") if int(s.key) % 5 == 0 else s for s in students]
    newcomers = _big_roster(500, start=10_000)
    week_2 = _like(
        week_1,
        students=[*students, *newcomers.students],
        guardians=[*week_1.guardians, *newcomers.guardians],
    )
    outcome = _sync(store, week_2)
    counts = outcome.counts["student"]
    assert counts["add"] == 503 - 3  # the example's three pupils are in both weeks
    assert counts["archive"] > 400
    assert counts["update"] > 400
    assert_store_holds(store, week_2)
    assert ek.plan(store.snapshot(), week_2).is_empty


@pytest.mark.parametrize("scan", [1, 10**9], ids=["key-scan", "key-lists"])
def test_the_key_checks_agree_by_scan_and_by_lists(
    db: Database, monkeypatch: pytest.MonkeyPatch, scan: int
) -> None:
    """Which keys exist is read by one scan for many keys, else by short lists (or an array)."""
    monkeypatch.setattr(_sql_backend, "_KEY_SCAN", scan)
    monkeypatch.setattr(_sql_backend, "_CHUNK", 2)
    store = db.open()
    roster = example_roster()
    _sync(store, roster)
    _sync(store, _like(roster, students=list(roster.students)[:1]))
    assert [s.key for s in store.snapshot().students if s.archived] == ["00124", "00999"]
    taken = ek.Changeset(
        source="las",
        base=store.revision(),
        changes=(
            ek.Add(entity="student", key="01000", record=ek.Student(key="01000")),
            ek.Add(entity="student", key="00999", record=ek.Student(key="00999")),
        ),
    )
    with pytest.raises(ek.StoreError, match="cannot add student '00999'"):
        store.apply_changes(taken)
    assert "01000" not in store.snapshot().students


def test_an_invalid_value_in_a_hand_made_change_refuses_the_changeset(db: Database) -> None:
    store = db.open()
    _sync(store, example_roster())
    before = _records(store.snapshot())
    bad = ek.Changeset(
        source="las",
        base=store.revision(),
        changes=(
            ek.Add(entity="location", key="99ZX12", record=ek.Location(key="99ZX12")),
            ek.Update(
                entity="student",
                key="00123",
                changes=(ek.FieldChange("birth_date", None, "31-02-2010"),),
            ),
        ),
    )
    with pytest.raises(ek.StoreError, match="birth_date"):
        store.apply_changes(bad)
    nosuch = attrs.evolve(bad, changes=(ek.Update(entity="student", key="00123", changes=(
        ek.FieldChange("shoe_size", None, "42"),)),))  # fmt: skip
    with pytest.raises(ek.StoreError, match="shoe_size"):
        store.apply_changes(nosuch)
    assert _records(store.snapshot()) == before


def test_a_closed_store_says_so() -> None:
    store = SqlStore("sqlite://")
    store.close()
    store.close()  # twice is fine
    with pytest.raises(ek.StoreError, match="closed"):
        store.snapshot()


def test_a_store_is_a_context_manager(tmp_path: Path) -> None:
    with SqlStore(f"sqlite:///{tmp_path / 'school.db'}", tenant="99ZX") as store:
        _sync(store, example_roster())
        assert repr(store) == (
            f"<SqlStore sqlite:///{tmp_path / 'school.db'} tenant='99ZX' prefix='ek_'>"
        )
    with pytest.raises(ek.StoreError, match="closed"):
        store.revision()


# -- tenancy -------------------------------------------------------------------------------------


def test_tenants_share_a_database_without_seeing_each_other(db: Database) -> None:
    """Two schools with the same keys: each store sees, changes and logs only its own."""
    a_name, b_name = f"{db.tenant}-a", f"{db.tenant}-b"
    a, b = db.open(tenant=a_name), db.open(tenant=b_name)
    _sync(b, example_roster(source="somtoday"), policy=None)
    b_rows, b_revision = db.tenant_rows(b_name), b.revision()

    roster = example_roster()
    _sync(a, roster)
    _sync(a, _like(roster, students=list(roster.students)[:1]))  # archives
    renumbered = [attrs.evolve(s, key=f"S-{s.key}") for s in list(roster.students)[:1]]
    _sync(
        a,
        _like(roster, students=renumbered),
        policy=ek.SyncPolicy(identity={"student": "username"}),
    )
    assert a.snapshot().students["S-00123"].origin == "las"

    assert db.tenant_rows(b_name) == b_rows
    assert b.revision() == b_revision
    assert b.snapshot().students["00123"].origin == "somtoday"
    assert "S-00123" not in b.snapshot().students
    assert [run.number for run in a.runs()] == [1, 2, 3]
    assert [run.number for run in b.runs()] == [1]
    # A plan for one school is stale for the other.
    with pytest.raises(ek.StalePlanError):
        ek.apply(ek.plan(a.snapshot(), example_roster()), b)


def test_no_statement_of_one_tenant_reads_or_writes_another(db: Database) -> None:
    """Every statement a store sends names its own tenant (a bound value), never another's."""
    mine, other = f"{db.tenant}-mine", f"{db.tenant}-other"
    neighbour = db.open(tenant=other)
    _sync(neighbour, example_roster())
    store = db.open(tenant=mine)
    statements: list[tuple[str, list[Any]]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                executemany: bool) -> None:  # fmt: skip
        sets = parameters if executemany else [parameters]
        values = [list(p.values()) if isinstance(p, dict) else list(p) for p in sets]
        statements.append((statement, values))

    engine = store._backend.engine
    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        roster = example_roster()
        _sync(store, roster)
        _sync(store, _like(roster, students=list(roster.students)[1:]))
        store.snapshot()
        store.runs()
        store.runs_frame()
        store.revision()
        again = SqlStore(db.url, tenant=mine, prefix=db.prefix)
        again.close()
        neighbours_rows = db.tenant_rows(other)
        deleted = SqlStore.delete_tenant(db.url, mine, confirm=mine, prefix=db.prefix)
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)

    tables = [name for name in store.tables if name != f"{db.prefix}schema"]
    pattern = re.compile("|".join(rf"\b{re.escape(name)}\b" for name in tables))
    touching = [(sql, values) for sql, values in statements if pattern.search(sql)]
    assert len(touching) > 30
    reads = {table for sql, _ in touching if sql.startswith("SELECT") for table in tables
             if re.search(rf"\b{re.escape(table)}\b", sql)}  # fmt: skip
    assert {f"{db.prefix}student", f"{db.prefix}guardian_student", f"{db.prefix}run"} <= reads
    for sql, values in touching:
        assert values, sql
        for one in values:
            assert mine in one, sql
            assert other not in one, sql
    deletes = [sql for sql, _ in touching if sql.startswith("DELETE")]
    assert len(deletes) >= len(deleted) == len(tables)
    assert db.tenant_rows(other) == neighbours_rows
    assert_store_holds(neighbour, example_roster())


def test_a_vendor_lists_its_tenants_and_deletes_one(db: Database) -> None:
    """Listing names every tenant; deleting one takes all its rows and only its rows."""
    prefix = db.fresh_prefix()
    assert SqlStore.tenants(db.url, prefix=prefix) == []
    assert prefix + "tenant" not in sa.inspect(db.engine).get_table_names()  # none created
    a_name, b_name, c_name = (f"{db.tenant}-{school}" for school in ("a", "b", "c"))
    b, a, _ = (db.open(tenant=name, prefix=prefix) for name in (b_name, a_name, c_name))
    assert SqlStore.tenants(db.url, prefix=prefix) == [a_name, b_name, c_name]
    roster = example_roster()
    _sync(a, roster)
    _sync(a, _like(roster, students=list(roster.students)[:1]))
    _sync(b, roster)
    stale = ek.plan(a.snapshot(), example_roster())
    b_rows = db.tenant_rows(b_name, prefix)

    with pytest.raises(ek.StoreError, match=rf"pass confirm='{a_name}'.*nothing was deleted"):
        SqlStore.delete_tenant(db.url, a_name, confirm=b_name, prefix=prefix)
    with pytest.raises(ek.StoreError, match="has no tenant 'nobody': nothing was deleted"):
        SqlStore.delete_tenant(db.url, "nobody", confirm="nobody", prefix=prefix)
    assert a.snapshot().counts["student"] == 3

    deleted = SqlStore.delete_tenant(db.url, a_name, confirm=a_name, prefix=prefix)
    assert deleted[f"{prefix}student"] == 3
    assert deleted[f"{prefix}guardian_student"] == 4
    assert deleted[f"{prefix}run"] == 2
    assert deleted[f"{prefix}tenant"] == 1
    assert all(rows == [] for rows in db.tenant_rows(a_name, prefix).values())
    assert db.tenant_rows(b_name, prefix) == b_rows
    assert SqlStore.tenants(db.url, prefix=prefix) == [b_name, c_name]
    with pytest.raises(ek.StoreError):  # the store still open finds its tenant gone
        a.snapshot()
    # Opened again, the tenant starts empty, as a new store: a plan from before is stale.
    again = db.open(tenant=a_name, prefix=prefix)
    assert again.snapshot().counts["student"] == 0
    assert again.runs() == []
    with pytest.raises(ek.StalePlanError):
        ek.apply(stale, again)
    assert_store_holds(b, roster)


def test_deleting_a_tenant_waits_for_its_apply(db: Database) -> None:
    """The delete takes the tenant's lock: it runs after an apply holding it, not halfway."""
    prefix = db.fresh_prefix()
    store = db.open(prefix=prefix)
    _sync(store, example_roster())
    tenant = store.tenant
    with _tenant_locked(db, prefix=prefix, tenant=tenant):
        done = threading.Event()
        errors: list[BaseException] = []

        def delete() -> None:
            try:
                SqlStore.delete_tenant(db.url, tenant, confirm=tenant, prefix=prefix)
            except BaseException as error:  # reported below
                errors.append(error)
            finally:
                done.set()

        thread = threading.Thread(target=delete)
        thread.start()
        time.sleep(0.5)
        assert not done.is_set()
        assert store.snapshot().counts["student"] == 3
    thread.join(60)
    assert done.is_set()
    assert errors == []
    assert SqlStore.tenants(db.url, prefix=prefix) == []


# -- the run log ---------------------------------------------------------------------------------


def test_the_run_log_is_rows_and_a_dataframe(db: Database) -> None:
    store = db.open()
    roster = example_roster()
    at = iter(dt.datetime(2025, 9, 1, 7, n, tzinfo=dt.UTC) for n in range(10))
    ek.apply(ek.plan(store.snapshot(), roster), store, description="week 1", clock=lambda: next(at))
    blocked = ek.plan(store.snapshot(), _like(roster, students=[]))
    with pytest.raises(ek.BlockedPlanError):
        ek.apply(blocked, store, clock=lambda: next(at))
    ek.apply(blocked, store, acknowledge=blocked.blocked, clock=lambda: next(at))
    runs = store.runs()
    assert [run.outcome for run in runs] == ["applied", "refused-blocked", "applied"]
    reasons = tuple(reason.code for reason in blocked.blocked)
    assert reasons == ("empty-source",)
    assert runs[1].blocked == runs[2].blocked == runs[2].acknowledged == reasons
    assert runs[0].started_at == dt.datetime(2025, 9, 1, 7, 0, tzinfo=dt.UTC)

    p, t = db.prefix, db.tenant
    log = db.execute(
        f"SELECT number, source, description, outcome, changes, problems FROM {p}run "
        "WHERE tenant = :t ORDER BY number",
        t=t,
    )
    assert log == [
        (1, "las", "week 1", "applied", 12, 0),
        (2, "las", None, "refused-blocked", 0, 0),
        (3, "las", None, "applied", runs[2].total, len(runs[2].problems)),
    ]
    counts = db.execute(
        f"SELECT entity, action, count FROM {p}run_count WHERE tenant = :t AND run_number = 1 "
        "ORDER BY entity",
        t=t,
    )
    assert counts == [
        ("group", "add", 3),
        ("guardian", "add", 2),
        ("location", "add", 2),
        ("staff", "add", 2),
        ("student", "add", 3),
    ]
    codes = db.execute(
        f"SELECT run_number, field, code FROM {p}run_code WHERE tenant = :t "
        "ORDER BY run_number, field, position",
        t=t,
    )
    assert codes == [
        (2, "blocked", "empty-source"),
        (3, "acknowledged", "empty-source"),
        (3, "blocked", "empty-source"),
    ]

    frame = store.runs_frame()
    assert frame["number"].to_list() == [1, 2, 3]
    assert frame["outcome"].to_list() == ["applied", "refused-blocked", "applied"]
    assert frame["student_add"].to_list() == [3, 0, 0]
    assert frame["student_archive"].to_list() == [0, 0, 3]
    assert frame["changes"].to_list() == [12, 0, runs[2].total]
    assert frame["blocked"].to_list() == [[], ["empty-source"], ["empty-source"]]
    assert frame["started_at"].to_list()[0] == dt.datetime(2025, 9, 1, 7, 0, tzinfo=dt.UTC)
    assert str(frame.schema["started_at"]) == "Datetime(time_unit='us', time_zone='UTC')"
    described = json.dumps(ek.SyncPolicy().to_dict(defaults=True), sort_keys=True)
    assert frame["policy"].to_list() == [described] * 3
    assert json.loads(frame["policy"][0])["archive_floor"] == 5
    assert frame["warnings"].to_list() == [run.issues_by_severity.get("warning", 0) for run in runs]
    assert frame["issues"].to_list()[2] == [
        {"severity": severity, "code": code, "count": count}
        for severity, codes in runs[2].issue_counts.items()
        for code, count in codes.items()
    ]
    # No personal data: nothing in the log is a name.
    everything = json.dumps([run.to_dict() for run in runs], ensure_ascii=False)
    for name in ("Daan", "Berg", "Zoë", "Jürgen", "daan.vandenberg"):
        assert name not in everything


def test_the_problems_of_a_failed_run_are_logged(db: Database) -> None:
    store = db.open()
    _sync(store, example_roster())
    impossible = ek.Changeset(
        source="las",
        base=store.revision(),
        changes=(ek.Add(entity="student", key="00123", record=ek.Student(key="00123")),),
    )
    with pytest.raises(ek.StoreError):
        ek.apply(impossible, store)
    (problem,) = store.runs()[-1].problems
    assert problem.code == "store-error"
    assert "00123" in problem.message
    assert store.runs_frame()["problems"].to_list() == [0, 1]


def test_a_run_with_a_naive_time_is_kept_as_utc(tmp_path: Path) -> None:
    with SqlStore(f"sqlite:///{tmp_path / 'school.db'}") as store:
        naive = dt.datetime(2025, 9, 1, 7, 0)
        run = ek.SyncRun(number=0, source="las", description=None, started_at=naive,
                         finished_at=naive, outcome="nothing-to-do")  # fmt: skip
        store.record_run(run)
        assert store.runs()[0].started_at == naive.replace(tzinfo=dt.UTC)


# -- light import, missing extra -----------------------------------------------------------------


def test_import_edukoppel_does_not_import_sqlalchemy() -> None:
    code = (
        "import sys, edukoppel, edukoppel.adapters; from edukoppel.adapters._sql import SqlStore; "
        "print([m for m in ('sqlalchemy', 'psycopg') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_without_sqlalchemy_the_store_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "sqlalchemy", None)
    with pytest.raises(ek.MissingDependencyError, match=r"pip install 'edukoppel\[sql\]'"):
        SqlStore("sqlite://")


def test_postgres_tests_skip_locally_and_fail_under_ci() -> None:
    with pytest.raises(pytest.skip.Exception, match=POSTGRES_URL):
        postgres_url_or_skip({})
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        postgres_url_or_skip({"CI": "true"})
    assert postgres_url_or_skip({POSTGRES_URL: "postgresql://x", "CI": "true"}) == "postgresql://x"


# -- faults, with real processes -----------------------------------------------------------------

CHILD = r"""
import json, sys, time
from pathlib import Path

import sqlalchemy as sa

import edukoppel as ek
from edukoppel.adapters import SqlStore

url, tenant, prefix, plan, signal_file, mode = sys.argv[1:7]
store = SqlStore(url, tenant=tenant, prefix=prefix)
changeset = ek.Changeset.from_json(Path(plan).read_text(encoding="utf-8"))
if mode == "hang":
    # Test code, not the store's: once every record and link is written (on PostgreSQL by
    # COPY, which the cursor events do not see), as the tenant's revision moves, inside the
    # apply's transaction, before its commit: say so and wait to be killed.
    last = f"UPDATE {prefix}tenant"

    @sa.event.listens_for(store._backend.engine, "before_cursor_execute")
    def hang(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith(last):
            Path(signal_file).write_text("inside", encoding="utf-8")
            time.sleep(600)

else:
    Path(signal_file).write_text("ready", encoding="utf-8")
try:
    outcome = ek.apply(changeset, store)
    print(json.dumps({"outcome": outcome.run.outcome}))
except ek.StalePlanError as error:
    print(json.dumps({"outcome": "refused-stale", "actual": error.actual}))
"""


def _child(db: Database, tenant: str, changeset: ek.Changeset, folder: Path, name: str,
           mode: str) -> tuple[subprocess.Popen[str], Path]:  # fmt: skip
    plan = folder / f"{name}.json"
    plan.write_text(changeset.to_json(), encoding="utf-8")
    signal_file = folder / f"{name}.signal"
    args = [db.url, tenant, db.prefix, str(plan), str(signal_file), mode]
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, signal_file


def _wait_for(condition: Callable[[], bool], what: str, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


@contextlib.contextmanager
def _tenant_locked(
    db: Database, *, prefix: str | None = None, tenant: str | None = None
) -> Iterator[None]:
    """Hold what an apply must take first: SQLite's write lock, or the tenant's row lock."""
    if db.kind == "sqlite":
        path = sa.make_url(db.url).database
        assert path is not None
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    table = _sql_schema.Schema(db.prefix if prefix is None else prefix).tenant
    name = db.tenant if tenant is None else tenant
    with db.engine.connect() as connection, connection.begin() as transaction:
        query = sa.select(table.c.revision).where(table.c.tenant == name)
        connection.execute(query.with_for_update())
        try:
            yield
        finally:
            transaction.rollback()


def _expected(before: ek.Roster, incoming: ek.Roster) -> dict[str, dict[str, ek.Record]]:
    """The records a store holding ``before`` holds after a sync of ``incoming``."""
    memory = ek.MemoryStore(before)
    changeset = ek.plan(memory.snapshot(), incoming)
    memory.apply_changes(changeset)
    return _records(memory.snapshot())


@pytest.mark.slow
def test_two_processes_apply_at_once_one_wins_the_other_is_stale(
    db: Database, tmp_path: Path
) -> None:
    """Both plans are made against the same snapshot; both processes start applying while
    the tenant is locked, so both are inside apply when the lock goes: one applies, the other
    is refused as stale, and the store holds exactly the winner's outcome."""
    store = db.open()
    _sync(store, example_roster())
    before = store.snapshot()
    first = _big_roster(2000, start=100_000)  # newcomers
    second = _like(
        example_roster(),
        students=[attrs.evolve(s, last_name="Anders") for s in example_roster().students],
    )
    plans = {"first": ek.plan(before, first), "second": ek.plan(before, second)}
    assert plans["first"].base == plans["second"].base == store.revision()

    with _tenant_locked(db):  # hold the tenant's lock while both processes start applying
        children = {
            name: _child(db, db.tenant, changeset, tmp_path, name, "apply")
            for name, changeset in plans.items()
        }
        _wait_for(lambda: all(f.exists() for _, f in children.values()), "both processes")
        if db.kind == "postgresql":
            waiting = (
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
            _wait_for(lambda: db.execute(waiting)[0][0] >= 2, "both applies to wait for the lock")
        else:
            time.sleep(1.0)  # both are now waiting for SQLite's write lock
        for process, _ in children.values():
            assert process.poll() is None, "an apply finished while the tenant was locked"

    outcomes = {}
    for name, (process, _) in children.items():
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outcomes[name] = json.loads(out)["outcome"]
    assert sorted(outcomes.values()) == ["applied", "refused-stale"], outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "applied")
    incoming = first if winner == "first" else second
    assert _records(store.snapshot()) == _expected(before, incoming)
    assert [run.outcome for run in store.runs()][-2:] in (
        ["applied", "refused-stale"],
        ["refused-stale", "applied"],
    )


@pytest.mark.slow
def test_a_process_killed_in_the_middle_of_a_large_apply_leaves_the_store_as_it_was(
    db: Database, tmp_path: Path
) -> None:
    store = db.open()
    _sync(store, example_roster())
    before, revision, runs = store.snapshot(), store.revision(), store.runs()
    big = _big_roster(6000, start=200_000)
    changeset = ek.plan(before, big)
    assert len(changeset) > 10_000

    process, signal_file = _child(db, db.tenant, changeset, tmp_path, "big", "hang")
    try:
        _wait_for(signal_file.exists, "the apply to be in the middle of its writes", seconds=120)
        process.send_signal(signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)  # and close its pipes
    assert process.returncode == -signal.SIGKILL

    again = db.open()
    assert _records(again.snapshot()) == _records(before)
    assert again.snapshot().school == before.school
    assert again.revision() == revision
    assert again.runs() == runs
    if db.kind == "sqlite":
        assert db.execute("PRAGMA integrity_check") == [("ok",)]
    # The lock went with the process: the same plan still applies, and completely.
    outcome = ek.apply(changeset, again)
    assert outcome.run.outcome == "applied"
    assert_store_holds(again, big)


def test_sqlite_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
    """A writer that finds the database locked waits (the busy timeout), then goes on."""
    path = tmp_path / "school.db"
    with SqlStore(f"sqlite:///{path}") as store:
        holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        timer = threading.Timer(1.0, lambda: holder.execute("ROLLBACK"))
        timer.start()
        started = time.monotonic()
        try:
            outcome = _sync(store, example_roster())
        finally:
            timer.join()
            holder.close()
        assert outcome.run.outcome == "applied"
        assert time.monotonic() - started >= 0.9


# -- values that need quoting (PostgreSQL writes new rows with COPY) -----------------------------

#: Text that COPY's text format must escape, or that looks like its markers: a tab (the column
#: separator), newlines, a backslash, ``\N`` (NULL) and ``\.`` (end of data), and more.
AWKWARD = (
    "tab\there",
    "two\nlines",
    "cr\rand crlf\r\n.",
    "back\\slash",
    "\\N",
    "\\.",
    "\\",
    "quotes ' and \"",
    "é, € en 😀",
    "\x01\x1f\x7f",
)


def _awkward_roster(values: tuple[str, ...], *, week: int = 0) -> ek.Roster:
    groups = [ek.Group(key=f"g{n}{value}", name=value, kind="teaching") for n, value in
              enumerate(values)]  # fmt: skip
    students = [
        ek.Student(
            key=f"s{n}{value}",
            last_name=f"{value}{'-bis' if week else ''}",
            infix=value,
            birth_date=dt.date(2012, 1, 1 + n % 28),
            groups=[group.key for group in groups[: n + 1]],
        )
        for n, value in enumerate(values)
    ]
    guardians = [
        ek.Guardian(
            key=f"o{n}{value}",
            last_name=value,
            students=[ek.GuardianLink(students[n].key, relation=value, legal_authority=n % 2 == 0)],
        )
        for n, value in enumerate(values)
    ]
    staff = [ek.Staff(key=f"t{value}", roles=[value], groups=[ek.GroupRole(groups[0].key, value)])
             for value in values]  # fmt: skip
    return ek.Roster(
        school=ek.School(brin="99ZX", name=values[0], school_year="2025-2026"),
        groups=groups,
        students=students,
        staff=staff,
        guardians=guardians,
        source="las",
    )


def test_values_that_need_quoting_are_written_and_read_back_unchanged(db: Database) -> None:
    """Adds (COPY on PostgreSQL) and updates keep tabs, newlines, backslashes and markers."""
    store = db.open()
    first = _awkward_roster(AWKWARD)
    assert _sync(store, first).run.outcome == "applied"
    assert_store_holds(store, first)
    assert ek.plan(store.snapshot(), first).is_empty
    weekly = _awkward_roster(AWKWARD, week=1)
    assert _sync(store, weekly).run.outcome == "applied"
    assert_store_holds(db.open(), weekly)


_TEXT_WITHOUT_NUL = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), min_size=1, max_size=12
)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(_TEXT_WITHOUT_NUL, min_size=1, max_size=4, unique=True))
def test_any_text_without_nul_round_trips(db: Database, values: list[str]) -> None:
    roster = _awkward_roster(tuple(values))
    store = db.open(tenant=f"{db.tenant}-{uuid.uuid4().hex[:8]}")
    _sync(store, roster)
    assert_store_holds(store, roster)
    assert ek.plan(store.snapshot(), roster).is_empty


@pytest.mark.parametrize("where", ["add", "update"])
def test_a_nul_character_is_kept_by_sqlite_and_refused_by_postgresql(
    db: Database, where: str
) -> None:
    """PostgreSQL text cannot hold NUL: the apply is refused whole, as it always was."""
    store = db.open()
    roster = example_roster()
    if where == "update":
        _sync(store, roster)
    pupil = next(iter(roster.students))
    damaged = _like(roster, students=[attrs.evolve(pupil, last_name="nul\x00here"),
                                      *list(roster.students)[1:]])  # fmt: skip
    before, revision = _records(store.snapshot()), store.revision()
    changeset = ek.plan(store.snapshot(), damaged)
    if db.kind == "sqlite":
        ek.apply(changeset, store)
        assert store.snapshot().students[pupil.key].last_name == "nul\x00here"
        return
    with pytest.raises(ek.StoreError, match=r"nothing was changed: .*NUL"):
        ek.apply(changeset, store)
    assert _records(store.snapshot()) == before
    assert store.revision() == revision
    assert store.runs()[-1].outcome == "failed"
    # The connection is fine afterwards: the next apply goes through.
    assert _sync(store, roster).run.outcome == ("nothing-to-do" if where == "update" else "applied")


def test_a_snapshot_reads_only_the_tables_of_kinds_the_tenant_holds(db: Database) -> None:
    """A new tenant's snapshot (every first sync's) is the revision and the school, no more."""
    store = db.open(tenant=f"{db.tenant}-new")
    statements: list[str] = []

    def capture(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    engine = store._backend.engine
    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        empty = store.snapshot()
        assert all(not list(empty.records(kind)) for kind in ENTITY_KINDS)
        reads = [sql for sql in statements if sql.startswith("SELECT") and db.prefix in sql]
        assert len(reads) == 2, reads
        statements.clear()
        _sync(store, ek.Roster(students=[ek.Student(key="1", groups=["1HA"])], source="las"))
        statements.clear()
        held = store.snapshot()
        read = " ".join(sql for sql in statements if sql.startswith("SELECT"))
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    assert held.students["1"].groups == ("1HA",)
    assert f"{db.prefix}student_group" in read
    assert f"{db.prefix}guardian_student" not in read


def test_a_process_holds_the_pools_of_a_few_server_databases_and_no_sqlite_file() -> None:
    """Held from one store to the next (a fleet's worker), at most four, the oldest let go."""
    pytest.importorskip("psycopg")
    engines = _sql_backend._Engines()
    urls = [sa.make_url(f"postgresql+psycopg://u@db{n}.invalid/x") for n in range(5)]
    for url in urls[:4]:
        engines.hold(url)
        engines.hold(url)  # once is enough
    first = engines.take(urls[0])
    engines.give_back(first)
    assert engines.take(urls[0]) is first  # the store closed, the pool stayed
    engines.give_back(first)
    engines.hold(urls[4])  # a fifth: the least recently held goes
    assert engines.take(urls[0]) is not first
    held = {key[1] for key in engines._held}
    assert held == {url.render_as_string(hide_password=False) for url in urls[1:]}
    engines.hold(sa.make_url("sqlite:///held.db"))
    assert len(engines._held) == 4
