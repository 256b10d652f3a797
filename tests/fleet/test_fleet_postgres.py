"""edukoppel.fleet on PostgreSQL: tenants synced at once by real processes never meet.

Skipped without ``EDUKOPPEL_POSTGRES_URL``; under CI (``CI=true``) a missing server fails.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.adapters.test_sql_store import postgres_url_or_skip

import edukoppel as ek
from edukoppel import fleet

from . import racing

CONTEXT = multiprocessing.get_context("spawn")
TENANTS = [f"{10 + n}AA" for n in range(8)]


@pytest.fixture
def database() -> Iterator[tuple[str, str]]:
    """The server's URL and a prefix of this test's own (its tables dropped afterwards)."""
    url = postgres_url_or_skip(os.environ)
    prefix = f"f{uuid.uuid4().hex[:8]}_"
    yield url, prefix
    engine = sa.create_engine(url)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine, only=lambda name, _: name.startswith(prefix))
        metadata.drop_all(engine)
    finally:
        engine.dispose()


def write_school(folder: Path, brin: str, pupils: int) -> Path:
    """A school whose pupils' keys start with its BRIN: a row of another school stands out."""
    roster = ek.Roster(
        school=ek.School(brin=brin, school_year="2025-2026"),
        groups=[ek.Group(key=f"{brin}-1HA", name="1HA", kind="homeroom", year="1")],
        students=[
            ek.Student(key=f"{brin}-{n:04d}", last_name=f"L{n}", homeroom=f"{brin}-1HA", year="1")
            for n in range(pupils)
        ],
        source="las",
    )
    path = folder / f"{brin}.xml"
    ek.write_edexml(roster, path)
    return path


def test_eight_tenants_applied_at_once_by_processes_each_get_their_own_roster(
    database: tuple[str, str], tmp_path: Path
) -> None:
    url, prefix = database
    sizes = {brin: 20 + 15 * n for n, brin in enumerate(TENANTS)}
    jobs = [
        fleet.Job(tenant=brin, source=write_school(tmp_path, brin, n), prefix=prefix)
        for brin, n in sizes.items()
    ]
    with cf.ProcessPoolExecutor(8, mp_context=CONTEXT) as pool:
        results = list(fleet.sync_many(jobs, url=url, executor=pool, max_in_flight=8))
    assert {r.outcome for r in results} == {"applied"}, [str(r) for r in results]
    assert len({r.worker for r in results}) > 1  # really side by side, in several processes

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(f"SELECT tenant, key FROM {prefix}student ORDER BY tenant, key")
            ).all()
    finally:
        engine.dispose()
    for brin, n in sizes.items():
        mine = [key for tenant, key in rows if tenant == brin]
        assert mine == [f"{brin}-{k:04d}" for k in range(n)]  # exactly its roster, no other's
        with ek.SqlStore(url, tenant=brin, prefix=prefix) as store:
            assert len(store.snapshot().students) == n
            assert [run.outcome for run in store.runs()] == ["applied"]

    with cf.ThreadPoolExecutor(4) as threads:
        again = list(fleet.sync_many(jobs, url=url, executor=threads))
    assert {r.outcome for r in again} == {"nothing-to-do"}


def test_a_locked_tenant_does_not_hold_up_another(
    database: tuple[str, str], tmp_path: Path
) -> None:
    url, prefix = database
    held, free = TENANTS[:2]
    for brin in (held, free):
        ek.SqlStore(url, tenant=brin, prefix=prefix).close()
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            # Another process's apply of `held` is under way: it holds the tenant's row lock.
            connection.execute(
                sa.text(f"SELECT 1 FROM {prefix}tenant WHERE tenant = :t FOR UPDATE"), {"t": held}
            )
            with cf.ProcessPoolExecutor(2, mp_context=CONTEXT) as pool:
                waiting = pool.submit(
                    fleet.run_job,
                    fleet.Job(tenant=held, source=write_school(tmp_path, held, 5), prefix=prefix),
                    url,
                )
                passing = pool.submit(
                    fleet.run_job,
                    fleet.Job(tenant=free, source=write_school(tmp_path, free, 5), prefix=prefix),
                    url,
                )
                assert passing.result(timeout=120).outcome == "applied"
                assert not waiting.done()  # the same tenant's apply waits for the lock
                transaction.commit()
                assert waiting.result(timeout=120).outcome == "applied"
    finally:
        engine.dispose()


def test_two_applies_of_one_tenant_race_one_wins_the_other_is_stale(
    database: tuple[str, str], tmp_path: Path
) -> None:
    url, prefix = database
    tenant = "30CC"
    seed = racing.school(tenant, *racing.SEED)
    with ek.SqlStore(url, tenant=tenant, prefix=prefix) as store:
        ek.apply(ek.plan(store.snapshot(), seed), store)
    jobs, marks, _ = racing.racing_jobs(tmp_path, tenant, prefix=prefix)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            # Another apply of the tenant is under way: it holds the tenant's row lock.
            connection.execute(
                sa.text(f"SELECT 1 FROM {prefix}tenant WHERE tenant = :t FOR UPDATE"),
                {"t": tenant},
            )
            with cf.ProcessPoolExecutor(2, mp_context=CONTEXT, **racing.importable()) as pool:
                results = racing.race(
                    jobs, marks, url=url, executor=pool, release=transaction.commit
                )
    finally:
        engine.dispose()
    racing.check_one_won(url, tenant, results, prefix=prefix)


def _held_pid() -> int:
    """The server process behind the one connection pool this worker process holds."""
    from edukoppel.adapters import _sql_backend

    (engine,) = _sql_backend._ENGINES._held.values()
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def test_a_worker_keeps_its_connection_from_one_school_to_the_next(
    database: tuple[str, str], tmp_path: Path
) -> None:
    """Each school's store is closed, but the worker's connection pool stays open.

    No new server process (and no SQLAlchemy first-connect) per school. The jobs run in a
    worker process of their own, which holds nothing else.
    """
    url, prefix = database
    jobs = [
        fleet.Job(tenant=brin, source=write_school(tmp_path, brin, 3), prefix=prefix)
        for brin in TENANTS[:3]
    ]
    with cf.ProcessPoolExecutor(1, mp_context=CONTEXT, **racing.importable()) as pool:
        pids = [pool.submit(_job_and_pid, job, url).result() for job in jobs]
    assert [outcome for outcome, _ in pids] == ["applied"] * 3
    assert len({pid for _, pid in pids}) == 1


def _job_and_pid(job: fleet.Job, url: str) -> tuple[str, int]:
    return fleet.run_job(job, url).outcome, _held_pid()
