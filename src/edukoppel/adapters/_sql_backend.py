"""What SqlStore does in the database, on SQLAlchemy Core. Imported when a store is opened.

Transactions:

* **SQLite** runs with the ``sqlite3`` driver's own transaction handling switched off
  (``isolation_level = None``); SQLAlchemy's ``begin`` event says ``BEGIN`` itself, so reads
  are repeatable and DDL is transactional, and ``BEGIN IMMEDIATE`` where a transaction
  writes: it takes the database's write lock before the revision is read, so two applies
  cannot both pass the stale check. Every connection turns foreign keys on; a file database
  is put in WAL mode (readers never wait for a writer).
* **PostgreSQL** reads a snapshot in one ``REPEATABLE READ`` read-only transaction, and
  writes in ``READ COMMITTED`` after locking the tenant's row (``SELECT ... FOR NO KEY
  UPDATE``): a second apply for the same tenant waits for the first, then reads the revision
  the first one wrote, and is refused as stale. Other tenants do not wait.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import functools
import hashlib
import itertools
import json
import operator
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import attrs
import sqlalchemy as sa

from edukoppel._i18n import msg
from edukoppel.adapters._sql_schema import (
    LINKS,
    SCALARS,
    SCHEMA_VERSION,
    UPGRADES,
    Link,
    Schema,
)
from edukoppel.exceptions import EdukoppelError, InvalidValueError, StalePlanError, StoreError
from edukoppel.model import (
    ENTITY_KINDS,
    EntityKind,
    GroupRole,
    GuardianLink,
    Record,
    Roster,
    School,
    record_class,
)
from edukoppel.model._records import paused_gc, trusted_maker
from edukoppel.report import Severity
from edukoppel.sync import (
    Add,
    Archive,
    Change,
    ChangeAction,
    Changeset,
    Restore,
    RunProblem,
    SyncRun,
    Update,
)
from edukoppel.sync._store import ordered_issue_counts

__all__ = ["Backend", "hold_engine"]

_BEGIN = "edukoppel_sqlite_begin"  # execution option: how the begin event starts a transaction
_CHUNK = 2_000  # keys per IN (...) list (SQLite allows 32,766 parameters, PostgreSQL 65,535)
_SQLITE_TIMEOUT = 60.0  # seconds a writer waits for another writer's lock

# snapshot() makes records with the model's trusted constructor, without running the
# converters again: every column holds what a converter returned, written from a validated
# record (sets of links are sorted here, in Python, so no database collation decides their
# order). Validating them again was most of what a snapshot cost (benchmarks/bench_sql.py).
# A host that writes these tables by hand must write such values too (docs/sql.md).
_LINK_CLASSES: dict[str, Any] = {"staff_group": GroupRole, "guardian_student": GuardianLink}
_FIELDS = {kind: frozenset(attrs.fields_dict(record_class(kind))) for kind in ENTITY_KINDS}
_CONVERTERS: dict[EntityKind, dict[str, Any]] = {
    kind: {a.name: a.converter for a in attrs.fields(record_class(kind))} for kind in ENTITY_KINDS
}


_FIRST = operator.itemgetter(0)
_SECOND = operator.itemgetter(1)
_REST = operator.itemgetter(slice(1, None))
_AFTER_POSITION = operator.itemgetter(slice(2, None))


def _iso_date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _flag(value: int | None) -> bool | None:
    return None if value is None else bool(value)


@functools.cache
def _makers(sqlite: bool) -> tuple[dict[EntityKind, Any], dict[str, Any]]:
    """Trusted makers of records per kind and of links per link table, for driver rows.

    SQLite's ISO dates and 0/1 flags are adapted; no converter runs.
    """
    records = {}
    for kind in ENTITY_KINDS:
        fields = (
            *(name for name, _ in SCALARS[kind]),
            "origin",
            "archived",
            *(link.field for link in LINKS[kind]),
        )
        adapters: dict[str, Any] = {}
        if sqlite:
            adapters = {name: _iso_date for name, type_ in SCALARS[kind] if type_ is sa.Date}
            adapters["archived"] = bool
        records[kind] = trusted_maker(record_class(kind), fields, adapters)
    links = {}
    for link in (link for kind in ENTITY_KINDS for link in LINKS[kind]):
        cls = _LINK_CLASSES.get(link.table)
        if cls is not None:
            names = [name.removesuffix("_key") for name, _ in link.columns]
            flags = [name for name, type_ in link.columns if type_ is sa.Boolean]
            adapt = dict.fromkeys(flags, _flag) if sqlite else None
            links[link.table] = trusted_maker(cls, names, adapt)
    return records, links


@functools.lru_cache(maxsize=64)
def _schema(prefix: str) -> Schema:
    """The tables of ``prefix``, made once per process.

    A fleet's worker opens a store per school: building the ``Table`` objects again each
    time cost more than checking the schema in the database.
    """
    return Schema(prefix)


# -- engines -------------------------------------------------------------------------------------


class _Engines:
    """One engine per database and process, shared by the stores (tenants) that use it.

    A vendor with hundreds of schools opens a store per school; they share one connection
    pool. An engine is disposed when its last store closes. After a fork the child starts
    afresh (the parent's connections are not the child's to use).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._engines: dict[tuple[int, str], tuple[sa.Engine, int]] = {}
        self._held: collections.OrderedDict[tuple[int, str], sa.Engine] = collections.OrderedDict()

    def take(self, url: sa.URL) -> sa.Engine:
        name = url.render_as_string(hide_password=False)
        memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
        if memory:  # every in-memory store is a database of its own
            return _create_engine(url)
        key = (os.getpid(), name)
        with self._lock:
            engine, users = self._engines.get(key) or (None, 0)
            if engine is None:
                engine = _create_engine(url)
            self._engines[key] = (engine, users + 1)
            return engine

    def give_back(self, engine: sa.Engine) -> None:
        with self._lock:
            for key, (held, users) in list(self._engines.items()):
                if held is engine:
                    if users > 1:
                        self._engines[key] = (held, users - 1)
                        return
                    del self._engines[key]
                    break
        engine.dispose()

    def hold(self, url: sa.URL) -> None:
        """Keep the engine of a server database open for this process's life (a worker's).

        A fleet's worker opens and closes a store per school; without a hold, each school's
        store made a new engine and a new connection (a new server process on PostgreSQL,
        and SQLAlchemy's first-connect queries). At most :data:`_HELD` databases are held,
        the least recently used let go. SQLite is not held: opening its file costs nothing.
        """
        if url.get_backend_name() == "sqlite":
            return
        key = (os.getpid(), url.render_as_string(hide_password=False))
        with self._lock:
            if key in self._held:
                self._held.move_to_end(key)
                return
            engine, users = self._engines.get(key) or (None, 0)
            if engine is None:
                engine = _create_engine(url)
            self._engines[key] = (engine, users + 1)  # the hold is one more user
            self._held[key] = engine
            stale = list(self._held)[:-_HELD]
            let_go = [self._held.pop(name) for name in stale]
        for old in let_go:
            self.give_back(old)

    def forget(self) -> None:
        """In a forked child: drop the parent's engines without closing their connections."""
        for engine, _ in self._engines.values():
            engine.dispose(close=False)
        self._engines.clear()
        self._held.clear()
        self._lock = threading.Lock()


_HELD = 4  # server databases whose engine a process holds open (hold_engine)
_ENGINES = _Engines()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_ENGINES.forget)


def _create_engine(url: sa.URL) -> sa.Engine:
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    arguments: dict[str, Any] = {}
    if "timeout" not in url.query:
        arguments["timeout"] = _SQLITE_TIMEOUT
    engine = sa.create_engine(url, connect_args=arguments)
    in_memory = url.database in (None, "", ":memory:")

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we say BEGIN (the begin event below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        mode = connection.get_execution_options().get(_BEGIN, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def hold_engine(url: str | sa.URL) -> None:
    """Keep ``url``'s connection pool open in this process after its stores close.

    For a worker that syncs school after school (:func:`edukoppel.fleet.run_job`): one
    connection per worker and database, kept, instead of one made and closed per school.
    """
    _ENGINES.hold(normalise_url(url))


def normalise_url(url: str | sa.URL) -> sa.URL:
    """The URL with a relative SQLite path made absolute (a later chdir must not move it)."""
    parsed = sa.make_url(url)
    if parsed.drivername == "postgresql":  # SQLAlchemy's default driver is psycopg2; ours is 3
        parsed = parsed.set(drivername="postgresql+psycopg")
    database = parsed.database
    if (
        parsed.get_backend_name() == "sqlite"
        and database not in (None, "", ":memory:")
        and not str(database).startswith("file:")
    ):
        parsed = parsed.set(database=str(Path(str(database)).expanduser().resolve()))
    return parsed


def _first_line(error: BaseException) -> str:
    """A driver error's first line: what went wrong, without the values PostgreSQL adds."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()
    return text[0] if text else type(original).__name__


# -- the backend ---------------------------------------------------------------------------------


class Backend:
    """One tenant's records in one database, behind :class:`edukoppel.SqlStore`."""

    def __init__(self, url: str | sa.URL, *, tenant: str, prefix: str, create: bool = True) -> None:
        """Open ``tenant``'s records, creating or upgrading the schema and the tenant.

        With ``create=False``, nothing is created or upgraded: for :meth:`tenants` and
        :meth:`delete_tenant`, which look at the database as it is.
        """
        self.url = normalise_url(url)
        self.tenant = tenant
        self.schema = _schema(prefix)
        self.postgres = self.url.get_backend_name() == "postgresql"
        if self.url.get_backend_name() not in ("sqlite", "postgresql"):
            raise StoreError(msg("sql.unsupported-database", name=self.url.get_backend_name()))
        self.where = self.url.render_as_string(hide_password=True)
        self.engine = _ENGINES.take(self.url)
        try:
            if create:
                self._open()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        engine, self.engine = self.engine, None  # type: ignore[assignment]
        if engine is not None:
            _ENGINES.give_back(engine)

    # -- transactions ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        """One consistent read: records and revision belong together."""
        with self._guard(), self.engine.connect() as connection:
            if self.postgres:
                connection.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            with connection.begin():
                yield connection

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """A write transaction holding this tenant's lock: writers of a tenant take turns."""
        with self._guard(), self.engine.connect() as connection:
            connection.execution_options(**{_BEGIN: "IMMEDIATE"})
            with connection.begin():
                yield connection

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        if self.engine is None:
            raise StoreError(msg("sql.closed"))
        try:
            yield
        except EdukoppelError:
            raise
        except sa.exc.SQLAlchemyError as error:
            raise StoreError(msg("sql.database-error", error=_first_line(error))) from None

    def _lock(self, connection: sa.Connection) -> str:
        """Lock the tenant's row (PostgreSQL; SQLite holds its write lock) and read its revision."""
        tenant = self.schema.tenant
        query = sa.select(tenant.c.store_id, tenant.c.revision).where(
            tenant.c.tenant == self.tenant
        )
        row = connection.execute(query.with_for_update(key_share=True)).one()
        return f"sql:{row.store_id}:{row.revision}"

    # -- schema ----------------------------------------------------------------------------------

    def _open(self) -> None:
        """Check the schema; create or upgrade it, and the tenant, when needed."""
        with self._guard():
            with self.engine.connect() as connection, connection.begin():
                state = self._schema_state(connection)
                if state == SCHEMA_VERSION and self._has_tenant(connection):
                    return
            with self._writing() as connection:
                if self.postgres:  # one creator or upgrader at a time, per prefix
                    digest = hashlib.sha256(f"edukoppel:{self.schema.prefix}".encode()).digest()
                    key = int.from_bytes(digest[:8], "big", signed=True)
                    connection.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))
                state = self._schema_state(connection)
                if state is None:
                    self.schema.metadata.create_all(connection, checkfirst=False)
                    self._record_version(connection, SCHEMA_VERSION)
                elif state < SCHEMA_VERSION:
                    for version in range(state + 1, SCHEMA_VERSION + 1):
                        step = UPGRADES.get(version)
                        if step is None:
                            raise StoreError(
                                msg("sql.no-upgrade", version=version - 1, known=SCHEMA_VERSION)
                            )
                        step(connection, self.schema)
                        self._record_version(connection, version)
                if not self._has_tenant(connection):
                    connection.execute(
                        sa.insert(self.schema.tenant).values(
                            tenant=self.tenant,
                            store_id=uuid.uuid4().hex[:16],
                            revision=0,
                            created_at=dt.datetime.now(dt.UTC),
                        )
                    )

    def _schema_state(self, connection: sa.Connection) -> int | None:
        """The schema version in the database; None when this store has no tables there.

        Refuses a newer version, and names that this store would use but did not create.
        """
        existing = set(sa.inspect(connection).get_table_names())
        version_table = self.schema.version
        if version_table.name not in existing:
            taken = sorted(set(self.schema.names) & existing)
            if taken:
                raise StoreError(msg("sql.tables-taken", tables=tuple(taken), where=self.where))
            return None
        version = connection.execute(sa.select(sa.func.max(version_table.c.version))).scalar()
        if version is None:
            raise StoreError(msg("sql.damaged", table=version_table.name, where=self.where))
        if version > SCHEMA_VERSION:
            raise StoreError(
                msg("sql.newer-schema", version=version, known=SCHEMA_VERSION, where=self.where)
            )
        if version == SCHEMA_VERSION:
            missing = sorted(set(self.schema.names) - existing)
            if missing:
                raise StoreError(msg("sql.damaged", table=missing[0], where=self.where))
        return int(version)

    def _record_version(self, connection: sa.Connection, version: int) -> None:
        from edukoppel import __version__

        connection.execute(
            sa.insert(self.schema.version).values(
                version=version, applied_at=dt.datetime.now(dt.UTC), edukoppel=__version__
            )
        )

    def _has_tenant(self, connection: sa.Connection) -> bool:
        tenant = self.schema.tenant
        query = sa.select(tenant.c.tenant).where(tenant.c.tenant == self.tenant)
        return connection.execute(query).first() is not None

    @property
    def schema_version(self) -> int:
        with self._reading() as connection:
            version = self.schema.version.c.version
            return int(connection.execute(sa.select(sa.func.max(version))).scalar_one())

    # -- tenants ---------------------------------------------------------------------------------

    def tenants(self) -> list[str]:
        """Every tenant in this prefix's tables, sorted; none when there are no tables."""
        with self._reading() as connection:
            if self._schema_state(connection) is None:
                return []
            table = self.schema.tenant
            return sorted(connection.execute(sa.select(table.c.tenant)).scalars())

    def delete_tenant(self, tenant: str) -> dict[str, int]:
        """Delete every row of ``tenant``, in one transaction; the rows deleted per table.

        It takes the tenant's row lock first (PostgreSQL; SQLite's write lock), so an
        apply for that tenant finishes before, or finds no tenant after. Other tenants'
        rows are never read or written: every statement names ``tenant``.
        """
        with self._writing() as connection:
            state = self._schema_state(connection)
            table = self.schema.tenant
            query = sa.select(table.c.tenant).where(table.c.tenant == tenant)
            if state is None or connection.execute(query.with_for_update()).first() is None:
                raise StoreError(msg("sql.no-tenant", tenant=tenant, where=self.where))
            existing = set(sa.inspect(connection).get_table_names())  # an older version's
            deleted: dict[str, int] = {}
            # Children before parents: run details, links, records, school, the tenant.
            for each in reversed(self.schema.metadata.sorted_tables):
                if "tenant" in each.c and each.name in existing:
                    result = connection.execute(sa.delete(each).where(each.c.tenant == tenant))
                    deleted[each.name] = result.rowcount
            return {name: deleted[name] for name in self.schema.names if name in deleted}

    # -- reading ---------------------------------------------------------------------------------

    def revision(self) -> str:
        with self._reading() as connection:
            return self._revision(connection)

    def _revision(self, connection: sa.Connection) -> str:
        tenant = self.schema.tenant
        row = connection.execute(
            sa.select(tenant.c.store_id, tenant.c.revision).where(tenant.c.tenant == self.tenant)
        ).one()
        return f"sql:{row.store_id}:{row.revision}"

    def snapshot(self) -> Roster:
        # The collector paused: the rows, link tuples and records are hundreds of thousands
        # of new objects in no cycle, and collections set off by them walked the whole heap.
        with self._reading() as connection, paused_gc():
            revision, held = self._revision_and_kinds(connection)
            school = self._school(connection)
            records = {
                kind: self._records(connection, kind) if kind in held else []
                for kind in ENTITY_KINDS
            }
            return Roster(
                school=school,
                locations=records["location"],
                groups=records["group"],
                students=records["student"],
                staff=records["staff"],
                guardians=records["guardian"],
                source="sql-store",
                revision=revision,
            )

    def _revision_and_kinds(self, connection: sa.Connection) -> tuple[str, set[EntityKind]]:
        """The revision, and the kinds of which the tenant holds any record, in one query.

        A kind without records has no links either (they reference a record), so its
        tables need no reading: a new tenant's snapshot (a first sync) is this one query
        and the school's instead of thirteen.
        """
        tenant, records = self.schema.tenant, self.schema.records
        held = [
            sa.exists().where(records[kind].c.tenant == tenant.c.tenant).label(f"has_{kind}")
            for kind in ENTITY_KINDS
        ]
        query = sa.select(tenant.c.store_id, tenant.c.revision, *held).where(
            tenant.c.tenant == self.tenant
        )
        row = connection.execute(query).one()
        kinds = {kind for kind, has in zip(ENTITY_KINDS, row[2:], strict=True) if has}
        return f"sql:{row.store_id}:{row.revision}", kinds

    def _school(self, connection: sa.Connection) -> School | None:
        table = self.schema.school
        columns = [table.c.brin, table.c.name, table.c.school_year, table.c.reference_date]
        row = connection.execute(sa.select(*columns).where(table.c.tenant == self.tenant)).first()
        return None if row is None else School.from_dict(row._asdict())

    def _records(self, connection: sa.Connection, kind: EntityKind) -> list[Any]:
        names = [name for name, _ in SCALARS[kind]] + ["origin", "archived"]
        rows: Iterable[Any] = self._fetch(connection, self.schema.records[kind], names)
        links = [self._links(connection, link) for link in LINKS[kind]]
        if links:
            # Each row gets its links appended, all in C: (*row, links of its key, ...).
            keys = list(map(_FIRST, rows))
            found = zip(
                *(map(by_owner.get, keys, itertools.repeat(())) for by_owner in links),
                strict=True,
            )
            rows = map(operator.add, rows, found)
        records: list[Any] = _makers(not self.postgres)[0][kind](rows)
        return records

    def _fetch(
        self, connection: sa.Connection, table: sa.Table, columns: Sequence[str]
    ) -> list[Any]:
        """The tenant's rows of ``table`` as the driver's tuples, sorted, in this transaction.

        Bulk reads go to the driver's cursor, as bulk writes go to its executemany:
        SQLAlchemy's Row objects cost twice the driver's own fetch (benchmarks/bench_sql.py).
        The rows are sorted here, as Python sorts tuples (records by key, links by owner,
        then position or values): no database collation decides the order, and the rows
        mostly come in the order they were written, which Python's sort takes in one pass.
        """
        sql = _Sql(connection.dialect)
        names = ", ".join(sql.quote(name) for name in columns)
        statement = f"SELECT {names} FROM {sql.quote(table.name)} WHERE tenant = {sql.mark}"
        # exec_driver_sql, so that the connection's events see the statement; the rows are
        # fetched from the driver's cursor as plain tuples.
        result = connection.exec_driver_sql(statement, (self.tenant,))
        try:
            rows = list(result.cursor.fetchall())
        finally:
            result.close()
        rows.sort()
        return rows

    def _links(self, connection: sa.Connection, link: Link) -> dict[str, tuple[Any, ...]]:
        """Each owner's links, as the record holds them: a sorted tuple without duplicates.

        A numbered link table holds a record's links in the record's order (``position``);
        the others hold text, which the record sorts as Python sorts the rows. A record's
        links are unique in its table, so the tuples are too.
        """
        position = ["position"] if link.ordered else []
        names = [link.owner, *position, *(name for name, _ in link.columns)]
        rows = self._fetch(connection, self.schema.links[link.table], names)
        maker = _makers(not self.postgres)[1].get(link.table)
        items: list[Any] = (
            list(map(_SECOND, rows))
            if maker is None
            else maker(map(_AFTER_POSITION if link.ordered else _REST, rows))
        )
        # The rows come owner by owner, so each owner's links are one slice of the items:
        # the counts (in the order first seen) give the slices' ends. All loops run in C.
        counts = collections.Counter(map(_FIRST, rows))
        ends = list(itertools.accumulate(counts.values()))
        starts = [0, *ends[:-1]]
        slices = map(items.__getitem__, map(slice, starts, ends))
        return dict(zip(counts, map(tuple, slices), strict=True))

    # -- applying --------------------------------------------------------------------------------

    def apply_changes(self, changeset: Changeset) -> None:
        self._apply(changeset, None)

    def apply_and_record(self, changeset: Changeset, run: SyncRun) -> SyncRun:
        """Apply the changes and, in the same transaction, log ``run``; the numbered run."""
        return cast("SyncRun", self._apply(changeset, run))

    def _apply(self, changeset: Changeset, run: SyncRun | None) -> SyncRun | None:
        try:
            with self._writing() as connection:
                revision = self._lock(connection)
                if changeset.base != revision:
                    raise StalePlanError(expected=changeset.base, actual=revision)
                _Writer(self, connection, changeset.source).write(changeset.changes)
                if changeset.school is not None:
                    table = self.schema.school
                    connection.execute(sa.delete(table).where(table.c.tenant == self.tenant))
                    connection.execute(
                        sa.insert(table).values(
                            tenant=self.tenant, **attrs.asdict(changeset.school, recurse=False)
                        )
                    )
                tenant = self.schema.tenant
                connection.execute(
                    sa.update(tenant)
                    .where(tenant.c.tenant == self.tenant)
                    .values(revision=tenant.c.revision + 1)
                )
                return None if run is None else self._insert_run(connection, run)
        except InvalidValueError as error:
            raise StoreError(msg("sql.invalid-value", error=str(error))) from None

    # -- the run log -----------------------------------------------------------------------------

    def record_run(self, run: SyncRun) -> SyncRun:
        with self._writing() as connection:
            self._lock(connection)  # numbers are handed out one at a time
            return self._insert_run(connection, run)

    def _insert_run(self, connection: sa.Connection, run: SyncRun) -> SyncRun:
        """Log ``run`` under the tenant's lock, which the caller holds; the numbered run."""
        s = self.schema
        last = connection.execute(
            sa.select(sa.func.max(s.run.c.number)).where(s.run.c.tenant == self.tenant)
        ).scalar()
        number = (last or 0) + 1
        numbered = attrs.evolve(run, number=number)
        connection.execute(
            sa.insert(s.run).values(
                tenant=self.tenant,
                number=number,
                source=run.source,
                description=run.description,
                started_at=run.started_at,
                finished_at=run.finished_at,
                outcome=run.outcome,
                changes=run.total,
                problems=len(run.problems),
                policy=None if run.policy is None else json.dumps(run.policy, sort_keys=True),
            )
        )
        base = {"tenant": self.tenant, "run_number": number}
        counts = [
            base | {"entity": kind, "action": action, "count": count}
            for kind, actions in run.counts.items()
            for action, count in actions.items()
        ]
        codes = [
            base | {"field": field, "position": position, "code": code}
            for field, values in (("blocked", run.blocked), ("acknowledged", run.acknowledged))
            for position, code in enumerate(values)
        ]
        problems = [
            base
            | {
                "position": position,
                "code": problem.code,
                "message": problem.message,
                "entity": problem.entity,
                "key": problem.key,
            }
            for position, problem in enumerate(run.problems)
        ]
        issues = [
            base | {"severity": severity, "code": code, "count": count}
            for severity, by_code in run.issue_counts.items()
            for code, count in by_code.items()
        ]
        for table, rows in (
            (s.run_count, counts),
            (s.run_code, codes),
            (s.run_problem, problems),
            (s.run_issue, issues),
        ):
            if rows:
                connection.execute(sa.insert(table), rows)
        return numbered

    def runs(self) -> list[SyncRun]:
        s = self.schema
        with self._reading() as connection:
            mine = self.tenant

            def rows(table: sa.Table, *order: str) -> Iterable[Any]:
                query = sa.select(table).where(table.c.tenant == mine)
                return connection.execute(query.order_by(*(table.c[name] for name in order)))

            counts: dict[int, dict[str, dict[str, int]]] = collections.defaultdict(dict)
            for row in rows(s.run_count, "run_number", "entity", "action"):
                counts[row.run_number].setdefault(row.entity, {})[row.action] = row.count
            codes: dict[tuple[int, str], list[str]] = collections.defaultdict(list)
            for row in rows(s.run_code, "run_number", "field", "position"):
                codes[row.run_number, row.field].append(row.code)
            problems: dict[int, list[RunProblem]] = collections.defaultdict(list)
            for row in rows(s.run_problem, "run_number", "position"):
                problems[row.run_number].append(
                    RunProblem(code=row.code, message=row.message, entity=row.entity, key=row.key)
                )
            issues: dict[int, dict[str, dict[str, int]]] = collections.defaultdict(dict)
            for row in rows(s.run_issue, "run_number"):
                issues[row.run_number].setdefault(row.severity, {})[row.code] = row.count
            return [
                SyncRun(
                    number=row.number,
                    source=row.source,
                    description=row.description,
                    started_at=row.started_at,
                    finished_at=row.finished_at,
                    outcome=row.outcome,
                    counts=cast("dict[EntityKind, dict[ChangeAction, int]]", counts[row.number]),
                    blocked=tuple(codes[row.number, "blocked"]),
                    acknowledged=tuple(codes[row.number, "acknowledged"]),
                    problems=tuple(problems[row.number]),
                    policy=None if row.policy is None else json.loads(row.policy),
                    issue_counts=ordered_issue_counts(
                        cast("dict[Severity, dict[str, int]]", issues[row.number])
                    ),
                )
                for row in rows(s.run, "number")
            ]


# -- writing a changeset -------------------------------------------------------------------------

_LINK_OF = {link.table: link for links in LINKS.values() for link in links}
_DATES = {
    kind: {name for name, type_ in SCALARS[kind] if type_ is sa.Date} for kind in ENTITY_KINDS
}
_KEY_SCAN = 50_000  # from this many keys on, read all of the tenant's keys of a kind at once

Rows = list[tuple[Any, ...]]


class _Sql:
    """The bulk statements of a writer as SQL text for the driver's ``executemany``.

    Rendered from the schema's ``Table`` objects, quoted by the dialect, with the driver's
    positional placeholder. The rows go to the driver as tuples: SQLAlchemy's per-row
    parameter processing (compiling each row's parameters against the statement) was two
    thirds of the time of a large apply (benchmarks/bench_sql.py). SQLite gets dates as ISO
    text, which is what SQLAlchemy's SQLite ``Date`` type writes and reads.
    """

    def __init__(self, dialect: sa.Dialect) -> None:
        self.quote = dialect.identifier_preparer.quote
        self.mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self.sqlite = dialect.name == "sqlite"

    def insert(self, table: sa.Table, columns: Sequence[str]) -> str:
        names = ", ".join(self.quote(name) for name in columns)
        marks = ", ".join([self.mark] * len(columns))
        return f"INSERT INTO {self.quote(table.name)} ({names}) VALUES ({marks})"

    def update(self, table: sa.Table, columns: Sequence[str], where: Sequence[str]) -> str:
        sets = ", ".join(f"{self.quote(name)} = {self.mark}" for name in columns)
        return f"UPDATE {self.quote(table.name)} SET {sets} WHERE {self._where(where)}"

    def delete(self, table: sa.Table, where: Sequence[str]) -> str:
        return f"DELETE FROM {self.quote(table.name)} WHERE {self._where(where)}"

    def _where(self, columns: Sequence[str]) -> str:
        return " AND ".join(f"{self.quote(name)} = {self.mark}" for name in columns)

    def date(self, value: Any) -> Any:
        return value.isoformat() if self.sqlite and value is not None else value


def _getter(
    columns: tuple[str, ...], dates: set[str], date: Callable[[Any], Any]
) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """What gets the values of ``columns`` from a dict as a tuple, dates made SQLite text."""
    if dates or not columns:
        return lambda target: tuple(
            date(target[name]) if name in dates else target[name] for name in columns
        )
    if len(columns) == 1:
        (name,) = columns
        return lambda target: (target[name],)
    getter: Callable[[dict[str, Any]], tuple[Any, ...]] = operator.itemgetter(*columns)
    return getter


class _Writer:
    """Writes a changeset's changes in batches (``executemany``), in their order.

    First every change is checked against the keys the tenant holds (an add of a key that
    exists, an update of one that does not, a key change onto a taken key): such a change
    refuses the whole changeset before anything is written. Then changes are queued per
    statement; changes of different records commute, so a batch grows until a change
    touches a record that a queued change touches, and the queue is written first.
    """

    def __init__(self, backend: Backend, connection: sa.Connection, source: str) -> None:
        self.backend = backend
        self.connection = connection
        self.source = source
        self.tenant = backend.tenant
        self.schema = backend.schema
        self.sql = _Sql(connection.dialect)
        self.columns = {kind: tuple(name for name, _ in SCALARS[kind]) for kind in ENTITY_KINDS}
        self.getters = {kind: operator.attrgetter(*self.columns[kind]) for kind in ENTITY_KINDS}
        self._layouts: dict[tuple[EntityKind, frozenset[str]], Any] = {}
        self._reset()

    def _reset(self) -> None:
        self.inserts: dict[EntityKind, Rows] = collections.defaultdict(list)
        self.updates: dict[tuple[EntityKind, tuple[str, ...]], Rows] = collections.defaultdict(list)
        self.archives: dict[EntityKind, Rows] = collections.defaultdict(list)
        self.link_deletes: dict[str, Rows] = collections.defaultdict(list)
        self.link_inserts: dict[str, Rows] = collections.defaultdict(list)
        self.queued: dict[EntityKind, set[str]] = collections.defaultdict(set)

    def write(self, changes: Sequence[Change]) -> None:
        targets = [self._target(change) for change in changes]
        self._check(changes, targets)
        for change, target in zip(changes, targets, strict=True):
            queued = self.queued[change.entity]
            new_key = change.key if target is None else target["key"]
            if change.key in queued or new_key in queued:
                self._flush()
                queued = self.queued[change.entity]
            queued.add(change.key)
            queued.add(new_key)
            self._queue(change, target)
        self._flush()

    def _target(self, change: Change) -> dict[str, Any] | None:
        """For an update or restore: the new values, validated as ``evolve()`` validates them.

        Each changed field's converter makes the value the record would hold; ``key`` is
        always in the result (the record's new key, or its key, which the store holds). A
        value a converter refuses is refused by the record's constructor, so the error is
        the model's own.
        """
        if not isinstance(change, Update | Restore):
            return None
        kind = change.entity
        values = {fc.field: fc.new for fc in change.changes}
        if not _FIELDS[kind].issuperset(values) or "origin" in values or "archived" in values:
            unknown = sorted(name for name in values if name not in _FIELDS[kind])
            field = unknown[0] if unknown else "origin" if "origin" in values else "archived"
            raise StoreError(msg("sql.unknown-field", kind=kind, key=change.key, field=field))
        converters = _CONVERTERS[kind]
        try:
            target = {
                name: value if converters[name] is None else converters[name](value)
                for name, value in values.items()
            }
        except Exception:
            given = {"key": change.key} | values
            record = record_class(kind)(**given)  # raises the model's InvalidValueError
            return {name: getattr(record, name) for name in given}
        if "key" not in target:
            target["key"] = change.key
        return target

    def _check(self, changes: Sequence[Change], targets: Sequence[dict[str, Any] | None]) -> None:
        wanted: dict[EntityKind, set[str]] = collections.defaultdict(set)
        for change, target in zip(changes, targets, strict=True):
            wanted[change.entity].add(change.key)
            if target is not None:
                wanted[change.entity].add(target["key"])
        held = {kind: self._existing(kind, keys) for kind, keys in wanted.items()}
        for change, target in zip(changes, targets, strict=True):
            keys, kind, key = held[change.entity], change.entity, change.key
            if isinstance(change, Add):
                if key in keys:
                    raise StoreError(msg("store.key-exists", kind=kind, key=key))
                keys.add(key)
                continue
            if key not in keys:
                raise StoreError(msg(f"store.no-record.{change.action}", kind=kind, key=key))
            if target is not None and target["key"] != key:
                if target["key"] in keys:
                    raise StoreError(
                        msg("store.new-key-exists", kind=kind, key=key, new=target["key"])
                    )
                keys.discard(key)
                keys.add(target["key"])

    def _existing(self, kind: EntityKind, keys: set[str]) -> set[str]:
        """Which of ``keys`` the tenant holds: by IN lists, or all keys when there are many.

        On the driver's cursor, as :meth:`Backend._fetch` reads: compiling an expanding IN
        list per chunk cost more than the query.
        """
        sql, table = self.sql, self.schema.records[kind]
        mine = f"SELECT {sql.quote('key')} FROM {sql.quote(table.name)} WHERE tenant = {sql.mark}"
        if len(keys) >= _KEY_SCAN:
            return keys & set(map(_FIRST, self._rows(mine, (self.tenant,))))
        if self.backend.postgres:  # one array parameter instead of thousands of IN parameters
            query = f"{mine} AND {sql.quote('key')} = ANY({sql.mark})"
            return set(map(_FIRST, self._rows(query, (self.tenant, sorted(keys)))))
        ordered = sorted(keys)
        found: set[str] = set()
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start : start + _CHUNK]
            query = f"{mine} AND {sql.quote('key')} IN ({', '.join([sql.mark] * len(chunk))})"
            found.update(map(_FIRST, self._rows(query, (self.tenant, *chunk))))
        return found

    def _rows(self, statement: str, parameters: tuple[Any, ...]) -> list[Any]:
        result = self.connection.exec_driver_sql(statement, parameters)
        try:
            return list(result.cursor.fetchall())
        finally:
            result.close()

    # -- queueing --------------------------------------------------------------------------------

    def _scalars(self, kind: EntityKind, record: Record) -> tuple[Any, ...]:
        values = self.getters[kind](record)
        if self.sql.sqlite and _DATES[kind]:
            date = self.sql.date
            return tuple(
                date(value) if name in _DATES[kind] else value
                for name, value in zip(self.columns[kind], values, strict=True)
            )
        return values

    def _queue(self, change: Change, target: dict[str, Any] | None) -> None:
        kind = change.entity
        if isinstance(change, Add):
            record = change.record
            row = (self.tenant, *self._scalars(kind, record), self.source, False)
            self.inserts[kind].append(row)
            for link in LINKS[kind]:
                self._queue_links(link, record.key, getattr(record, link.field))
            return
        if isinstance(change, Archive):
            self.archives[kind].append((True, self.tenant, change.key))
            return
        assert target is not None
        key = target["key"]
        changed = target.keys() if key != change.key else target.keys() - {"key"}
        columns, values_of, links = self._layout(kind, frozenset(changed))
        self.updates[kind, columns].append(
            (*values_of(target), self.source, False, self.tenant, change.key)
        )
        for link in links:
            self.link_deletes[link.table].append((self.tenant, key))
            self._queue_links(link, key, target[link.field])

    def _layout(
        self, kind: EntityKind, changed: frozenset[str]
    ) -> tuple[tuple[str, ...], Callable[[dict[str, Any]], tuple[Any, ...]], list[Link]]:
        """For an update of these fields: its columns, their values' getter, its links."""
        layout = self._layouts.get((kind, changed))
        if layout is None:
            columns = tuple(name for name in self.columns[kind] if name in changed)
            dates = _DATES[kind] if self.sql.sqlite else set()
            values_of = _getter(columns, dates.intersection(columns), self.sql.date)
            links = [link for link in LINKS[kind] if link.field in changed]
            layout = self._layouts[kind, changed] = (columns, values_of, links)
        return layout

    def _queue_links(self, link: Link, owner: str, values: tuple[Any, ...]) -> None:
        rows = self.link_inserts[link.table]
        tenant = self.tenant
        if len(link.columns) == 1:
            rows.extend((tenant, owner, value) for value in values)
            return
        fields = [name.removesuffix("_key") for name, _ in link.columns]
        for position, value in enumerate(values):
            items = tuple(getattr(value, field) for field in fields)
            rows.append(
                (tenant, owner, position, *items) if link.ordered else (tenant, owner, *items)
            )

    # -- writing ---------------------------------------------------------------------------------

    def _flush(self) -> None:
        sql, run, insert = self.sql, self._executemany, self._insert
        for kind, rows in self.inserts.items():
            insert(
                self.schema.records[kind],
                ("tenant", *self.columns[kind], "origin", "archived"),
                rows,
            )
        for (kind, columns), rows in self.updates.items():
            table = self.schema.records[kind]
            run(sql.update(table, (*columns, "origin", "archived"), ("tenant", "key")), rows)
        for kind, rows in self.archives.items():
            run(sql.update(self.schema.records[kind], ("archived",), ("tenant", "key")), rows)
        for name, rows in self.link_deletes.items():
            run(sql.delete(self.schema.links[name], ("tenant", _LINK_OF[name].owner)), rows)
        for name, rows in self.link_inserts.items():
            table = self.schema.links[name]
            insert(table, [column.name for column in table.c], rows)
        self._reset()

    def _executemany(self, statement: str, rows: Rows) -> None:
        if rows:
            self.connection.exec_driver_sql(statement, rows)

    def _insert(self, table: sa.Table, columns: Sequence[str], rows: Rows) -> None:
        """Insert ``rows``: on PostgreSQL with one ``COPY``, on SQLite with ``executemany``.

        ``COPY ... FROM STDIN`` (psycopg's ``cursor.copy``, text format, which quotes tabs,
        newlines and backslashes) costs the server a fraction of a statement per row and the
        driver no per-row statement at all: a first sync's thousands of rows were most of its
        apply (benchmarks/bench_fleet.py). It runs on the transaction's own connection, so it
        commits or rolls back with the rest; SQLAlchemy's cursor events do not see it.
        """
        if not rows:
            return
        if not self.backend.postgres:
            self._executemany(self.sql.insert(table, columns), rows)
            return
        import psycopg

        quote = self.sql.quote
        names = ", ".join(quote(name) for name in columns)
        statement = f"COPY {quote(table.name)} ({names}) FROM STDIN"
        driver = cast("psycopg.Connection[Any]", self.connection.connection.driver_connection)
        try:
            with driver.cursor() as cursor, cursor.copy(statement) as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
        except psycopg.Error as error:  # what SQLAlchemy's own statements raise, as _guard says
            raise StoreError(msg("sql.database-error", error=_first_line(error))) from None
