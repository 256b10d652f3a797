"""SqlStore against plain DB-API calls on the same tables (issue 11), on SQLite and PostgreSQL.

Three measurements, each beside a baseline timed in the same run, in turns (store, baseline,
store, ...), best of the rounds:

* **adds**: ``ek.apply()`` of a changeset that adds 100k students with their groups and
  guardians (and locations, staff), into an empty store; beside ``executemany`` of exactly
  the rows the store writes (records, link rows, the revision), prepared as tuples
  beforehand, in one transaction. Target: within 2x.
* **updates**: ``ek.apply()`` of 10k student updates and 2k archives into that store; beside
  ``executemany`` of the same UPDATEs in one transaction. Target: within 2x. A tenth of a
  second, so one round says little: on SQLite each of nine rounds (three with ``--quick``)
  works on its own copy of one filled database file, store and baseline in turns, and the
  ratio of the medians is judged, with the spread of the rounds' own ratios beside it.
* **snapshot**: ``store.snapshot()`` of the 100k roster; beside a plain ``SELECT`` of the same
  rows (records and link rows) fetched as tuples. Target: within 3x. A third line, for
  comparison, fetches the same rows as SQLAlchemy Core ``Row`` objects (which is why the
  store reads its bulk rows from the driver's cursor).

Each trial gets fresh tables (a new SQLite file, or a new table prefix in the PostgreSQL
database) made by SqlStore itself, so both sides write the same schema with the same indexes
and foreign keys. PostgreSQL runs when ``EDUKOPPEL_POSTGRES_URL`` is set (as in the tests).
"""

from __future__ import annotations

import gc
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

import edukoppel as ek
from benchmarks.bench_plan import as_roster, make_current
from edukoppel.adapters._sql_schema import LINKS, SCALARS
from edukoppel.model import ENTITY_KINDS

TENANT = "default"


# -- where a trial's tables live -----------------------------------------------------------------


@attrs.define
class Place:
    """Fresh tables for one trial: a URL and prefix, a raw DB-API connection, and a cleanup."""

    url: str
    prefix: str
    connect: Callable[[], Any]
    cleanup: Callable[[], None]
    placeholder: str
    sqlite: bool
    path: Path | None = None
    """The database file, on SQLite."""


def sqlite_places(folder: Path) -> Iterator[Place]:
    for number in range(1, 10_000):
        path = folder / f"bench-{number}.db"

        def connect(path: Path = path) -> Any:
            connection = sqlite3.connect(path, isolation_level=None)
            connection.execute("PRAGMA foreign_keys = ON")  # as the store has it
            return connection

        def cleanup(path: Path = path) -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        yield Place(f"sqlite:///{path}", "ek_", connect, cleanup, "?", sqlite=True, path=path)


def copy_database(source: Place, target: Place) -> None:
    """Make ``target``'s file a copy of ``source``'s (closed: nothing is left in its WAL)."""
    assert source.path is not None
    assert target.path is not None
    for suffix in ("", "-wal"):
        origin = Path(f"{source.path}{suffix}")
        if origin.exists():
            shutil.copyfile(origin, f"{target.path}{suffix}")


def postgres_places(url: str) -> Iterator[Place]:
    import psycopg
    import sqlalchemy as sa

    conninfo = sa.make_url(url).set(drivername="postgresql").render_as_string(False)
    while True:
        prefix = f"bench{uuid.uuid4().hex[:8]}_"

        def cleanup(prefix: str = prefix) -> None:
            engine = sa.create_engine(url)
            try:
                metadata = sa.MetaData()
                metadata.reflect(engine, only=lambda name, _: name.startswith(prefix))
                metadata.drop_all(engine)
            finally:
                engine.dispose()

        yield Place(url, prefix, lambda: psycopg.connect(conninfo), cleanup, "%s", sqlite=False)


# -- the rows the store writes, as tuples ----------------------------------------------------------


def _value(value: Any, sqlite: bool) -> Any:
    if sqlite and hasattr(value, "isoformat"):
        return value.isoformat()  # SQLite keeps dates as ISO text, as SQLAlchemy writes them
    return value


def insert_rows(
    records: dict[str, list[Any]], place: Place
) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """(INSERT statement, rows) per table: what applying the adds writes."""
    p, s, out = place.prefix, place.placeholder, []
    for kind in ENTITY_KINDS:
        names = [name for name, _ in SCALARS[kind]]
        columns = ["tenant", *names, "origin", "archived"]
        holders = ", ".join([s] * len(columns))
        sql = f"INSERT INTO {p}{kind} ({', '.join(columns)}) VALUES ({holders})"
        rows = [
            (TENANT, *(_value(getattr(r, n), place.sqlite) for n in names), "las", False)
            for r in records[kind]
        ]
        out.append((sql, rows))
    for kind in ENTITY_KINDS:
        for link in LINKS[kind]:
            names = [name for name, _ in link.columns]
            columns = ["tenant", link.owner, *(["position"] if link.ordered else []), *names]
            holders = ", ".join([s] * len(columns))
            sql = f"INSERT INTO {p}{link.table} ({', '.join(columns)}) VALUES ({holders})"
            rows = []
            for record in records[kind]:
                for position, value in enumerate(getattr(record, link.field)):
                    values = (
                        (value,)
                        if len(names) == 1
                        else tuple(getattr(value, n.removesuffix("_key")) for n in names)
                    )
                    where = (position,) if link.ordered else ()
                    rows.append((TENANT, record.key, *where, *values))
            out.append((sql, rows))
    return out


def update_rows(
    updates: list[tuple[str, str]], archives: list[str], place: Place
) -> list[tuple[str, list[tuple[Any, ...]]]]:
    p, s = place.prefix, place.placeholder
    return [
        (
            f"UPDATE {p}student SET last_name = {s}, origin = {s}, archived = {s} "
            f"WHERE tenant = {s} AND key = {s}",
            [(name, "las", False, TENANT, key) for key, name in updates],
        ),
        (
            f"UPDATE {p}student SET archived = {s} WHERE tenant = {s} AND key = {s}",
            [(True, TENANT, key) for key in archives],
        ),
    ]


def write_plainly(place: Place, statements: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
    """The baseline: executemany per statement, the revision bumped, one transaction."""
    connection = place.connect()
    try:
        cursor = connection.cursor()
        if place.sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        for sql, rows in statements:
            if rows:
                cursor.executemany(sql, rows)
        s = place.placeholder
        cursor.execute(
            f"UPDATE {place.prefix}tenant SET revision = revision + 1 WHERE tenant = {s}",
            (TENANT,),
        )
        if place.sqlite:
            cursor.execute("COMMIT")
        else:
            connection.commit()
    finally:
        connection.close()


def select_plainly(place: Place) -> list[list[tuple[Any, ...]]]:
    """The baseline of a snapshot: every row of the tenant, records and links, as tuples."""
    connection = place.connect()
    p, s = place.prefix, place.placeholder
    try:
        cursor = connection.cursor()
        if place.sqlite:
            cursor.execute("BEGIN")
        out = []
        for kind in ENTITY_KINDS:
            names = [name for name, _ in SCALARS[kind]]
            columns = ", ".join([*names, "origin", "archived"])
            cursor.execute(f"SELECT {columns} FROM {p}{kind} WHERE tenant = {s}", (TENANT,))
            out.append(cursor.fetchall())
            for link in LINKS[kind]:
                names = [link.owner, *(n for n, _ in link.columns)]
                sql = f"SELECT {', '.join(names)} FROM {p}{link.table} WHERE tenant = {s}"
                cursor.execute(sql, (TENANT,))
                out.append(cursor.fetchall())
        if place.sqlite:
            cursor.execute("COMMIT")
        else:
            connection.rollback()
        return out
    finally:
        connection.close()


def select_with_sqlalchemy(store: ek.SqlStore) -> list[list[Any]]:
    """The snapshot's queries through SQLAlchemy Core, rows only, no records."""
    import sqlalchemy as sa

    backend = store._backend
    out = []
    with backend.engine.connect() as connection:
        for kind in ENTITY_KINDS:
            table = backend.schema.records[kind]
            query = sa.select(table).where(table.c.tenant == TENANT)
            out.append(connection.execute(query).all())
            for link in LINKS[kind]:
                linked = backend.schema.links[link.table]
                query = sa.select(linked).where(linked.c.tenant == TENANT)
                out.append(connection.execute(query).all())
    return out


# -- timing -------------------------------------------------------------------------------------


def timed(run: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def line(label: str, subject: float, baseline: float, target: float) -> str:
    ratio = subject / baseline if baseline else float("inf")
    verdict = "met" if ratio <= target else "MISSED"
    return (
        f"   {label}: {subject:.3f}s vs baseline {baseline:.3f}s -> time ratio {ratio:.2f}x "
        f"(target {target}x: {verdict})"
    )


def update_rounds(
    filled: Place,
    places: Iterator[Place],
    week: ek.Changeset,
    statements: Callable[[Place], list[tuple[str, list[tuple[Any, ...]]]]],
    rounds: int,
) -> tuple[list[float], list[float]]:
    """The updates on SQLite: each round on fresh copies of one filled file, in turns."""
    store_times: list[float] = []
    baseline_times: list[float] = []
    for _ in range(rounds):
        place = next(places)
        copy_database(filled, place)
        store = ek.SqlStore(place.url, prefix=place.prefix)
        changeset = attrs.evolve(week, base=store.revision())
        store_times.append(
            timed(lambda: ek.apply(changeset, store, acknowledge=changeset.blocked))  # noqa: B023
        )
        store.close()
        place.cleanup()
        place = next(places)
        copy_database(filled, place)
        rows = statements(place)
        baseline_times.append(timed(lambda: write_plainly(place, rows)))  # noqa: B023
        place.cleanup()
    return store_times, baseline_times


def spread_line(label: str, store: list[float], baseline: list[float], target: float) -> str:
    """The median times, their ratio against the target, and the rounds' own ratios."""
    ratios = sorted(s / b for s, b in zip(store, baseline, strict=True))
    subject, base = statistics.median(store), statistics.median(baseline)
    return (
        f"{line(label, subject, base, target)}; medians of {len(store)} rounds, the rounds' "
        f"ratios {ratios[0]:.2f}x-{ratios[-1]:.2f}x (median {statistics.median(ratios):.2f}x)"
    )


def bench(name: str, places: Iterator[Place], students: int, rounds: int) -> None:
    rng = random.Random(20261201)
    print(f"-- {name}, {students:,} students: building data ...", flush=True)
    records = make_current(students, rng)
    roster = as_roster(records, revision=None)
    total = sum(len(rows) for rows in records.values())
    pupils = records["student"]
    changed = [(s.key, "Gewijzigd") for s in pupils[: students // 10]]
    leaving = {s.key for s in pupils[-students // 50 :]}
    renamed = dict(changed)
    next_week = as_roster(
        records
        | {
            "student": [
                attrs.evolve(s, last_name=renamed[s.key]) if s.key in renamed else s
                for s in pupils
                if s.key not in leaving
            ]
        },
        revision=None,
    )

    def fresh() -> tuple[Place, ek.SqlStore]:
        place = next(places)
        return place, ek.SqlStore(place.url, prefix=place.prefix)

    place, store = fresh()
    adds = ek.plan(store.snapshot(), roster)
    ek.apply(adds, store, acknowledge=adds.blocked)
    week = ek.plan(store.snapshot(), next_week)
    counts = week.summary()["student"]
    print(
        f"   {total:,} records to add ({len(adds):,} changes), then "
        f"{counts['update']:,} updates and {counts['archive']:,} archives"
    )
    store.close()
    filled = place

    add_times: dict[str, float] = {"store": float("inf"), "baseline": float("inf")}
    update_times = dict(add_times)
    for _ in range(rounds):
        # adds: the store
        place, store = fresh()
        changeset = attrs.evolve(adds, base=store.revision())
        add_times["store"] = min(
            add_times["store"],
            timed(lambda: ek.apply(changeset, store, acknowledge=changeset.blocked)),  # noqa: B023
        )
        if not place.sqlite:  # updates: the store, on the store it just filled
            changeset = attrs.evolve(week, base=store.revision())
            update_times["store"] = min(
                update_times["store"],
                timed(lambda: ek.apply(changeset, store, acknowledge=changeset.blocked)),  # noqa: B023
            )
        store.close()
        place.cleanup()
        # the baselines, on fresh tables made by the store
        place, store = fresh()
        store.close()
        statements = insert_rows(records, place)
        add_times["baseline"] = min(
            add_times["baseline"],
            timed(lambda: write_plainly(place, statements)),  # noqa: B023
        )
        if not place.sqlite:
            statements = update_rows(changed, sorted(leaving), place)
            update_times["baseline"] = min(
                update_times["baseline"],
                timed(lambda: write_plainly(place, statements)),  # noqa: B023
            )
        place.cleanup()
    print(line("apply adds", add_times["store"], add_times["baseline"], 2.0))
    if filled.sqlite:
        store_times, baseline_times = update_rounds(
            filled,
            places,
            week,
            lambda place: update_rows(changed, sorted(leaving), place),
            3 * rounds,
        )
        print(spread_line("apply updates + archives", store_times, baseline_times, 2.0))
    else:
        print(
            line("apply updates + archives", update_times["store"], update_times["baseline"], 2.0)
        )
    filled.cleanup()

    place, store = fresh()
    ek.apply(attrs.evolve(adds, base=store.revision()), store, acknowledge=adds.blocked)
    snapshot_times = {"store": float("inf"), "baseline": float("inf"), "core": float("inf")}
    for _ in range(rounds):
        snapshot_times["store"] = min(snapshot_times["store"], timed(store.snapshot))
        snapshot_times["baseline"] = min(
            snapshot_times["baseline"],
            timed(lambda: select_plainly(place)),
        )
        snapshot_times["core"] = min(
            snapshot_times["core"], timed(lambda: select_with_sqlalchemy(store))
        )
    assert store.snapshot().counts["student"] == students
    print(line("snapshot()", snapshot_times["store"], snapshot_times["baseline"], 3.0))
    print(
        line(
            "  for comparison: the rows as SQLAlchemy Core Row objects, no records",
            snapshot_times["core"],
            snapshot_times["baseline"],
            3.0,
        )
    )
    store.close()
    place.cleanup()


def main(quick: bool) -> None:
    students, rounds = (5_000, 1) if quick else (100_000, 3)
    with tempfile.TemporaryDirectory(prefix="edukoppel-bench-sql-") as folder:
        bench("SQLite", sqlite_places(Path(folder)), students, rounds)
    url = os.environ.get("EDUKOPPEL_POSTGRES_URL")
    if url:
        bench("PostgreSQL", postgres_places(url), students, rounds)
    else:
        print("-- PostgreSQL: skipped (set EDUKOPPEL_POSTGRES_URL to a database to run it)")
