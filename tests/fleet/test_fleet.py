"""edukoppel.fleet: many tenants on thread and process pools, into one SQLite SqlStore."""

from __future__ import annotations

import concurrent.futures as cf
import functools
import multiprocessing
import os
import pickle
import sqlite3
import threading
import time
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

import edukoppel as ek
from edukoppel import fleet
from edukoppel.exceptions import SomtodayError, StoreError
from edukoppel.testing.somtoday import SomtodayEmulator, generated_instelling

from . import racing

SCHOOL_YEAR = "2025-2026"
# Not fork: the tests run threads (the emulator, thread pools), whose locks a fork would copy.
CONTEXT = multiprocessing.get_context("spawn")


def school_roster(brin: str, pupils: int, *, first: int = 0) -> ek.Roster:
    """A small school: one homeroom, ``pupils`` pupils numbered from ``first``."""
    return ek.Roster(
        school=ek.School(brin=brin, school_year=SCHOOL_YEAR),
        groups=[ek.Group(key="1HA", name="1HA", kind="homeroom", year="1")],
        students=[
            ek.Student(key=f"{n:05d}", first_name="A", last_name=f"L{n}", homeroom="1HA", year="1")
            for n in range(first, first + pupils)
        ],
        source="las",
    )


def write_school(folder: Path, brin: str, pupils: int, *, first: int = 0) -> Path:
    path = folder / f"{brin}.xml"
    ek.write_edexml(school_roster(brin, pupils, first=first), path)
    return path


def raise_personal() -> ek.Roster:
    raise RuntimeError("Jan Jansen, born 2012-03-04")  # personal data must not reach a result


def end_the_worker() -> ek.Roster:
    os._exit(3)  # as the kernel's out-of-memory kill would: no exception, no result


def not_a_roster() -> object:
    return {"students": []}


def student_keys(url: str, tenant: str) -> set[str]:
    with ek.SqlStore(url, tenant=tenant) as store:
        return {s.key for s in store.snapshot().students if not s.archived}


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'fleet.db'}"


def test_a_process_pool_syncs_every_tenant_and_a_rerun_has_nothing_to_do(
    tmp_path: Path, url: str
) -> None:
    sizes = {"10AA": 3, "11BB": 7, "12CC": 12, "13DD": 5}
    jobs = [
        fleet.Job(tenant=brin, source=write_school(tmp_path, brin, n)) for brin, n in sizes.items()
    ]
    seen: list[tuple[int, int]] = []
    results = list(
        fleet.sync_many(jobs, url=url, progress=lambda done, total, _: seen.append((done, total)))
    )
    assert sorted(r.tenant for r in results) == sorted(sizes)
    assert {r.outcome for r in results} == {"applied"}
    assert seen == [(n, 4) for n in range(1, 5)]
    assert len({r.worker for r in results}) >= 1
    for result in results:
        assert result.counts["student"] == {"add": sizes[result.tenant]}
        assert result.run_number == 1
        pickle.loads(pickle.dumps(result))
    for brin, n in sizes.items():
        assert student_keys(url, brin) == {f"{k:05d}" for k in range(n)}
    assert ek.SqlStore.tenants(url) == sorted(sizes)

    again = list(fleet.sync_many(jobs, url=url, max_in_flight=1))
    assert {r.outcome for r in again} == {"nothing-to-do"}
    assert all(r.changes == 0 and r.run_number == 2 for r in again)


def test_one_tenants_failure_or_block_never_stops_the_others(tmp_path: Path, url: str) -> None:
    blocked = write_school(tmp_path, "20BB", 40)
    assert fleet.run_job(fleet.Job(tenant="20BB", source=blocked), url).outcome == "applied"
    write_school(tmp_path, "20BB", 10)  # a truncated export: 30 of 40 pupils gone
    jobs = [
        fleet.Job(tenant="10AA", source=write_school(tmp_path, "10AA", 4)),
        fleet.Job(tenant="20BB", source=blocked),
        fleet.Job(tenant="30CC", source=tmp_path / "missing.xml"),
        fleet.Job(tenant="40DD", source=raise_personal),
        fleet.Job(tenant="50EE", source=not_a_roster),  # type: ignore[arg-type]
        fleet.Job(tenant="60FF", source=write_school(tmp_path, "60FF", 2)),
    ]
    with cf.ThreadPoolExecutor(3) as pool:
        report = fleet.FleetReport.collect(fleet.sync_many(jobs, url=url, executor=pool))
    by_tenant = {r.tenant: r for r in report.results}
    assert by_tenant["10AA"].outcome == by_tenant["60FF"].outcome == "applied"
    assert by_tenant["20BB"].outcome == "refused-blocked"
    assert by_tenant["20BB"].blocked == ("archive-share",)
    assert by_tenant["20BB"].counts["student"]["archive"] == 30
    assert by_tenant["20BB"].run_number == 2
    for tenant in ("30CC", "40DD", "50EE"):
        assert by_tenant[tenant].outcome == "failed"
        assert by_tenant[tenant].attempts == 1  # not transient: no retry
    assert by_tenant["40DD"].error == fleet.ErrorSummary(
        kind="RuntimeError", message="RuntimeError"
    )
    assert "Jan" not in repr(report.results)
    assert "Jan" not in str(report)
    assert by_tenant["50EE"].error is not None
    assert by_tenant["50EE"].error.kind == "TypeError"
    assert report.by_outcome == {
        "applied": 2,
        "nothing-to-do": 0,
        "refused-blocked": 1,
        "refused-stale": 0,
        "failed": 3,
    }
    # A failed read is logged in the tenant's run log too, by code.
    with ek.SqlStore(url, tenant="40DD") as store:
        [run] = store.runs()
    assert run.outcome == "failed"
    assert run.problems[0].code == "read-failed"

    summary = str(report)
    assert summary.startswith("6 tenants in ")
    assert "20BB: refused-blocked (archive-share)" in summary
    frame = report.to_polars()
    assert frame.height == 6
    assert frame.filter(pl.col("tenant") == "20BB")["blocked"].to_list() == [["archive-share"]]
    assert frame.filter(pl.col("outcome") == "failed")["error_kind"].to_list() is not None


def test_the_acknowledged_block_is_applied(tmp_path: Path, url: str) -> None:
    path = write_school(tmp_path, "20BB", 40)
    fleet.run_job(fleet.Job(tenant="20BB", source=path), url)
    write_school(tmp_path, "20BB", 10)
    job = fleet.Job(tenant="20BB", source=path, acknowledge=["archive-share", "empty-source"])
    result = fleet.run_job(job, url)
    assert result.outcome == "applied"
    assert result.counts["student"] == {"archive": 30}


def test_an_unpicklable_job_fails_alone_on_a_process_pool(tmp_path: Path, url: str) -> None:
    roster = school_roster("10AA", 2)
    jobs = [
        fleet.Job(tenant="10AA", source=lambda: roster),  # a lambda does not pickle
        fleet.Job(tenant="20BB", source=write_school(tmp_path, "20BB", 3)),
    ]
    with cf.ProcessPoolExecutor(1, mp_context=CONTEXT) as pool:
        results = {r.tenant: r for r in fleet.sync_many(jobs, url=url, executor=pool)}
    assert results["10AA"].outcome == "failed"
    assert results["10AA"].error is not None
    assert results["10AA"].error.kind in ("PicklingError", "AttributeError")
    assert results["20BB"].outcome == "applied"


def test_a_job_refuses_what_is_not_a_source() -> None:
    with pytest.raises(TypeError, match="not a int"):
        fleet.Job(tenant="x", source=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_in_flight"):
        list(
            fleet.sync_many([], url="sqlite://", executor=cf.ThreadPoolExecutor(1), max_in_flight=0)
        )


# -- retries -------------------------------------------------------------------------------------


def test_a_locked_sqlite_database_is_retried(tmp_path: Path) -> None:
    database = tmp_path / "fleet.db"
    url = f"sqlite:///{database}?timeout=0.1"  # a short wait, so the lock is met as an error
    ek.SqlStore(url, tenant="10AA").close()
    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the database
    release = threading.Timer(0.6, holder.execute, args=("COMMIT",))
    release.start()
    try:
        job = fleet.Job(tenant="10AA", source=lambda: school_roster("10AA", 3))
        result = fleet.run_job(job, url, retries=6, backoff=0.2)
    finally:
        release.join()
        holder.close()
    assert result.outcome == "applied"
    assert result.attempts > 1


def test_a_lock_that_is_never_released_fails_after_the_retries(tmp_path: Path) -> None:
    database = tmp_path / "fleet.db"
    url = f"sqlite:///{database}?timeout=0.05"
    ek.SqlStore(url, tenant="10AA").close()
    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    try:
        job = fleet.Job(tenant="10AA", source=lambda: school_roster("10AA", 3))
        result = fleet.run_job(job, url, retries=2, backoff=0.01)
    finally:
        holder.close()
    assert result.outcome == "failed"
    assert result.attempts == 3
    assert result.error is not None
    assert result.error.transient
    assert "locked" in result.error.message


def test_what_counts_as_transient() -> None:
    import psycopg

    def wrapped(error: Exception) -> StoreError:
        try:
            try:
                raise sa.exc.OperationalError("UPDATE ...", {}, error)
            except sa.exc.OperationalError:
                raise StoreError("the database refused") from None
        except StoreError as store_error:
            return store_error

    assert fleet.is_transient(wrapped(psycopg.errors.SerializationFailure("could not")))
    assert fleet.is_transient(wrapped(psycopg.errors.DeadlockDetected("deadlock")))
    assert not fleet.is_transient(wrapped(psycopg.errors.UniqueViolation("duplicate")))
    assert fleet.is_transient(SomtodayError("busy", status=503))
    assert fleet.is_transient(SomtodayError("no answer", status=None))
    assert not fleet.is_transient(SomtodayError("wrong instelling", status=404))
    assert not fleet.is_transient(ek.StalePlanError(expected="a", actual="b"))


# -- Somtoday and secrets ------------------------------------------------------------------------


@pytest.fixture
def server() -> SomtodayEmulator:
    instellingen = [generated_instelling(students=12, vestigingen=1, seed=n) for n in range(3)]
    for number, instelling in enumerate(instellingen):
        instelling.uuid = f"00000000-0000-4000-8000-00000000000{number}"
    with SomtodayEmulator(instellingen) as emulator:
        yield emulator


def somtoday_jobs(server: SomtodayEmulator, **options: object) -> list[fleet.Job]:
    return [fleet.Job(tenant=f"school-{n}", source=server.settings(n, **options)) for n in range(3)]


def test_somtoday_jobs_carry_no_secret_and_read_it_in_the_worker(
    server: SomtodayEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = server.client_secret
    monkeypatch.setenv("EDUKOPPEL_SOMTODAY_CLIENT_SECRET", secret)
    database = tmp_path / "fleet.db"
    url = f"sqlite:///{database}"
    jobs = somtoday_jobs(server)
    for job in jobs:
        assert secret.encode() not in pickle.dumps(job)
        assert secret not in repr(job)
    with cf.ProcessPoolExecutor(
        2, mp_context=CONTEXT
    ) as pool:  # the secret reaches the workers by the environment
        results = list(fleet.sync_many(jobs, url=url, executor=pool))
    assert {r.outcome for r in results} == {"applied"}
    assert all(r.counts["student"]["add"] == 12 for r in results)
    assert secret.encode() not in pickle.dumps(results)
    assert secret not in str(fleet.FleetReport(results)) + repr(fleet.results_frame(results).rows())
    assert secret.encode() not in database.read_bytes()


def test_a_tenants_own_secret_wins_and_a_missing_secret_fails_that_tenant(
    server: SomtodayEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EDUKOPPEL_SOMTODAY_CLIENT_SECRET", raising=False)
    monkeypatch.setenv("EDUKOPPEL_SOMTODAY_CLIENT_SECRET_SCHOOL_0", server.client_secret)
    monkeypatch.setenv("EDUKOPPEL_SOMTODAY_CLIENT_SECRET_SCHOOL_1", "wrong")
    url = f"sqlite:///{tmp_path / 'fleet.db'}"
    with cf.ThreadPoolExecutor(3) as pool:
        results = {
            r.tenant: r for r in fleet.sync_many(somtoday_jobs(server), url=url, executor=pool)
        }
    assert results["school-0"].outcome == "applied"
    assert results["school-1"].outcome == "failed"  # the wrong secret: refused, not retried
    assert results["school-1"].attempts == 1
    assert results["school-2"].outcome == "failed"
    assert results["school-2"].error is not None
    assert "EDUKOPPEL_SOMTODAY_CLIENT_SECRET_SCHOOL_2" in results["school-2"].error.message


def test_a_host_callable_gives_the_secret(server: SomtodayEmulator, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fleet.db'}"
    secrets = {"school-0": server.client_secret}
    job = fleet.Job(tenant="school-0", source=server.settings(0), secret=secrets.__getitem__)
    assert fleet.run_job(job, url).outcome == "applied"


def test_a_somtoday_503_is_retried_and_a_lasting_one_fails_only_its_tenant(
    server: SomtodayEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDUKOPPEL_SOMTODAY_CLIENT_SECRET", server.client_secret)
    url = f"sqlite:///{tmp_path / 'fleet.db'}"
    # The reader's own retries off, so the fleet's retries are what is tested.
    settings = [server.settings(n, retries=0) for n in range(3)]
    server.inject(503, path="/leerling", times=1)
    passing = fleet.run_job(fleet.Job(tenant="school-0", source=settings[0]), url, backoff=0.01)
    assert passing.outcome == "applied"
    assert passing.attempts == 2

    server.inject(503, path="/oauth2/token", times=None)  # Somtoday down for good
    failing = fleet.run_job(
        fleet.Job(tenant="school-1", source=settings[1]), url, retries=2, backoff=0.01
    )
    assert failing.outcome == "failed"
    assert failing.attempts == 3
    assert failing.error is not None
    assert failing.error.status == 503
    assert failing.error.kind == "SomtodayError"
    server.clear_faults()
    assert fleet.run_job(fleet.Job(tenant="school-2", source=settings[2]), url).outcome == "applied"


def test_the_summary_is_in_dutch_too() -> None:
    report = fleet.FleetReport(
        [fleet.JobResult(tenant="a", outcome="applied", seconds=1.0)], seconds=2.0
    )
    with ek.use_language("nl"):
        assert str(report).startswith("1 tenant in 2.0 s: 1 bijgewerkt")
    assert report.percentile(0.99) == 1.0


def test_results_pickle_and_timings_add_up(tmp_path: Path, url: str) -> None:
    job = fleet.Job(tenant="10AA", source=functools.partial(school_roster, "10AA", 5))
    started = time.perf_counter()
    result = fleet.run_job(job, url)
    assert result.read_seconds + result.plan_seconds + result.apply_seconds <= result.seconds
    assert result.seconds <= time.perf_counter() - started
    assert pickle.loads(pickle.dumps(result)) == result


def test_a_school_that_times_out_fails_alone(
    server: SomtodayEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDUKOPPEL_SOMTODAY_CLIENT_SECRET", server.client_secret)
    url = f"sqlite:///{tmp_path / 'fleet.db'}"
    server.inject(delay=1.0, path="/leerling", times=None)  # Somtoday answers slowly
    jobs = [
        fleet.Job(tenant="patient", source=server.settings(0)),
        fleet.Job(tenant="hasty", source=server.settings(1, timeout=0.2, retries=0)),
    ]
    with cf.ThreadPoolExecutor(2) as pool:
        results = {
            r.tenant: r
            for r in fleet.sync_many(jobs, url=url, executor=pool, retries=1, backoff=0.01)
        }
    assert results["patient"].outcome == "applied"
    hasty = results["hasty"]
    assert hasty.outcome == "failed"
    assert hasty.attempts == 2  # no answer in time counts as transient: tried once more
    assert hasty.error is not None
    assert hasty.error.status is None
    assert hasty.error.transient


class _RememberingExecutor(cf.ThreadPoolExecutor):
    """What Dask's executor does: an identical submission gets the earlier task's result."""

    def __init__(self) -> None:
        super().__init__(2)
        self.remembered: dict[bytes, cf.Future[object]] = {}

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def,override]
        key = pickle.dumps((fn, args, kwargs))
        if key not in self.remembered:
            self.remembered[key] = super().submit(fn, *args, **kwargs)
        return self.remembered[key]


def test_a_second_sync_runs_again_on_an_executor_that_remembers_results(
    tmp_path: Path, url: str
) -> None:
    """Dask hands back a held result for an identical task: each submission is its own."""
    jobs = [fleet.Job(tenant=b, source=write_school(tmp_path, b, 3)) for b in ("10AA", "11BB")]
    with _RememberingExecutor() as executor:
        first = {r.tenant: r.outcome for r in fleet.sync_many(jobs, url=url, executor=executor)}
        again = {r.tenant: r.outcome for r in fleet.sync_many(jobs, url=url, executor=executor)}
    assert first == {"10AA": "applied", "11BB": "applied"}
    assert again == {"10AA": "nothing-to-do", "11BB": "nothing-to-do"}


# -- two applies of one tenant ---------------------------------------------------------------


def test_two_applies_of_one_tenant_race_one_wins_the_other_is_stale(
    tmp_path: Path, url: str
) -> None:
    tenant = "30CC"
    seed = racing.school(tenant, *racing.SEED)
    assert fleet.run_job(fleet.Job(tenant=tenant, source=lambda: seed), url).outcome == "applied"
    jobs, marks, rosters = racing.racing_jobs(tmp_path, tenant)
    holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None, timeout=60)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer of the database is under way
        with cf.ProcessPoolExecutor(2, mp_context=CONTEXT, **racing.importable()) as pool:
            results = racing.race(
                jobs, marks, url=url, executor=pool, release=lambda: holder.execute("COMMIT")
            )
    finally:
        holder.close()
    racing.check_one_won(url, tenant, results)
    loser = rosters[1] if "00000" in student_keys(url, tenant) else rosters[0]
    rerun = fleet.run_job(fleet.Job(tenant=tenant, source=lambda: loser), url)
    assert rerun.outcome == "applied"  # the next run plans against the winner's result


# -- several jobs a task, ready workers ------------------------------------------------------------


class CountingPool(cf.ThreadPoolExecutor):
    """A thread pool that counts the tasks handed to it."""

    def __init__(self, workers: int) -> None:
        super().__init__(workers)
        self.sizes: list[int] = []  # the jobs of each task

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        self.sizes.append(len(args[1]))
        return super().submit(fn, *args, **kwargs)


def test_jobs_go_to_the_executor_several_a_task_each_with_its_own_result(
    tmp_path: Path, url: str
) -> None:
    jobs = [
        fleet.Job(tenant=f"{10 + n}AA", source=write_school(tmp_path, f"{10 + n}AA", 2 + n))
        for n in range(6)
    ]
    jobs.insert(2, fleet.Job(tenant="99ZZ", source=tmp_path / "missing.xml"))
    seen: list[int] = []
    with CountingPool(2) as pool:
        results = {
            r.tenant: r
            for r in fleet.sync_many(
                jobs,
                url=url,
                executor=pool,
                jobs_per_task=3,
                progress=lambda done, *_: seen.append(done),
            )
        }
        # 3 a task, then no more than the jobs left per worker: 4 left is 2 each, 2 is 1.
        assert pool.sizes == [3, 2, 1, 1]
    assert seen == list(range(1, 8))
    assert results.pop("99ZZ").outcome == "failed"  # alone: its task's other jobs applied
    assert {r.outcome for r in results.values()} == {"applied"}
    for n in range(6):
        assert len(student_keys(url, f"{10 + n}AA")) == 2 + n


def test_at_most_max_in_flight_jobs_are_handed_over_even_in_bigger_tasks(
    tmp_path: Path, url: str
) -> None:
    jobs = [
        fleet.Job(tenant=f"{10 + n}AA", source=write_school(tmp_path, f"{10 + n}AA", 1))
        for n in range(5)
    ]
    with CountingPool(1) as pool:
        outcomes = [
            r.outcome
            for r in fleet.sync_many(jobs, url=url, executor=pool, jobs_per_task=4, max_in_flight=2)
        ]
        assert pool.sizes == [2, 2, 1]  # a task never holds more than may be in flight
    assert outcomes == ["applied"] * 5


def test_a_job_whose_task_raises_fails_alone_and_the_others_keep_their_results() -> None:
    from edukoppel.fleet._many import _run_jobs

    def task(job: fleet.Job) -> fleet.JobResult:
        if job.tenant == "20BB":
            raise RuntimeError("Jan Jansen")
        return fleet.JobResult(tenant=job.tenant, outcome="nothing-to-do")

    jobs = tuple(fleet.Job(tenant=t, source=not_a_roster) for t in ("10AA", "20BB", "30CC"))  # type: ignore[arg-type]
    results = _run_jobs(task, jobs, "token")
    assert [(r.tenant, r.outcome) for r in results] == [
        ("10AA", "nothing-to-do"),
        ("20BB", "failed"),
        ("30CC", "nothing-to-do"),
    ]
    assert "Jan" not in repr(results)


def test_jobs_per_task_must_be_at_least_one(url: str) -> None:
    with pytest.raises(ValueError, match="jobs_per_task must be at least 1, not 0"):
        next(fleet.sync_many([], url=url, jobs_per_task=0))


def test_the_pool_made_here_has_its_workers_ready_and_frozen() -> None:
    import gc

    from edukoppel.fleet._many import _default_executor

    pool = _default_executor(1)
    try:
        # A function of the standard library: a forkserver worker may not find the tests.
        frozen = pool.submit(gc.get_freeze_count).result()
    finally:
        pool.shutdown()
    assert frozen > 10_000  # the imports' objects, out of the collector's way


def test_a_hosts_pool_gets_ready_workers_from_prepare_worker() -> None:
    import gc

    with cf.ProcessPoolExecutor(1, mp_context=CONTEXT) as plain:
        assert plain.submit(gc.get_freeze_count).result() == 0
    with cf.ProcessPoolExecutor(1, mp_context=CONTEXT, initializer=fleet.prepare_worker) as ready:
        assert ready.submit(gc.get_freeze_count).result() > 10_000


# -- a worker that dies --------------------------------------------------------------------------


@pytest.mark.parametrize("jobs_per_task", [1, 3])
def test_a_dead_worker_fails_only_its_job_and_the_pool_is_made_again(
    tmp_path: Path, url: str, jobs_per_task: int
) -> None:
    jobs = [
        fleet.Job(tenant=brin, source=write_school(tmp_path, brin, 5))
        for brin in (f"{40 + n}AA" for n in range(8))
    ]
    jobs.insert(3, fleet.Job(tenant="49ZZ", source=end_the_worker))
    seen: list[int] = []
    results = {
        r.tenant: r
        for r in fleet.sync_many(
            jobs,
            url=url,
            workers=2,
            progress=lambda d, *_: seen.append(d),
            jobs_per_task=jobs_per_task,
        )
    }
    assert seen == list(range(1, 10))  # every job once
    dead = results.pop("49ZZ")
    assert dead.outcome == "failed"
    assert dead.error is not None
    assert dead.error.kind == "BrokenProcessPool"
    assert "died" in dead.error.message
    # The jobs the broken pool held ran again on a new one: none failed with it. (One that
    # had committed before its result was lost finds nothing to do the second time.)
    assert sorted(results) == sorted(job.tenant for job in jobs if job.tenant != "49ZZ")
    assert all(r.ok for r in results.values()), [str(r) for r in results.values()]
    for brin, result in results.items():
        assert len(student_keys(url, brin)) == 5, result


def test_a_hosts_broken_pool_is_the_hosts(tmp_path: Path, url: str) -> None:
    """A pool the host gave is not made again: its jobs fail, each with a result."""
    jobs = [fleet.Job(tenant="49ZZ", source=end_the_worker)] + [
        fleet.Job(tenant=f"5{n}AA", source=write_school(tmp_path, f"5{n}AA", 3)) for n in range(3)
    ]
    with cf.ProcessPoolExecutor(2, mp_context=CONTEXT) as pool:
        results = {r.tenant: r for r in fleet.sync_many(jobs, url=url, executor=pool)}
    assert sorted(results) == ["49ZZ", "50AA", "51AA", "52AA"]
    assert results["49ZZ"].outcome == "failed"
    assert results["49ZZ"].error is not None
    assert results["49ZZ"].error.message == "BrokenProcessPool"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux's /proc")
def test_a_spawned_workers_peak_memory_is_its_own_not_its_parents() -> None:
    """ru_maxrss of a spawned process keeps its parent's peak; a result must not."""
    import resource

    from edukoppel.fleet._job import _peak_memory_mib

    held = b"\x01" * (256 * 1024 * 1024)  # this process now holds 256 MiB more
    context = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(1, mp_context=context) as pool:
        theirs = pool.submit(_peak_memory_mib).result()
        inherited = pool.submit(resource.getrusage, resource.RUSAGE_SELF).result().ru_maxrss
    del held
    assert inherited / 1024 > 256  # what the result said before
    assert theirs is not None
    assert theirs < 200
