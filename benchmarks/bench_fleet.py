"""Many schools at once: a sequential loop vs sync_many on a process pool vs Dask LocalCluster.

Each tenant is a generated EDEXML file (pupils in homerooms and three teaching groups each,
staff linked to groups, one or two guardians per pupil). Every way syncs the same files into
a store of its own (a table prefix of its own on PostgreSQL when ``EDUKOPPEL_POSTGRES_URL`` is
set, else a SQLite file of its own): first the first sync, then a weekly sync at 2% churn
(1% of pupils leave, as many arrive, 1% change their homeroom and name). Reported: schools per
minute, the ratio to the sequential loop (the target is 1.7x on two cores), p50 and p99
seconds per school (the target for the weekly sync: p99 under 2 s), and each worker's peak
resident memory.

``python -m benchmarks fleet`` is 200 tenants of 1,000 pupils (as the issue asks);
``--quick`` is 8 tenants of 100. ``EDUKOPPEL_FLEET_TENANTS`` and ``EDUKOPPEL_FLEET_PUPILS``
choose other sizes.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

import edukoppel as ek
from edukoppel import fleet

SCHOOL_YEAR = "2025-2026"


def school(brin: str, pupils: int, *, week: int, seed: int) -> ek.Roster:
    """One school's roster in week ``week`` (0: the first export; 1: after 2% churn)."""
    rng = random.Random(seed)
    homerooms = max(1, pupils // 28)
    lessons = max(3, pupils // 10)
    keys = list(range(pupils))
    if week:
        leavers = set(rng.sample(keys, pupils // 100))
        keys = [k for k in keys if k not in leavers] + list(range(pupils, pupils + len(leavers)))
    movers = set(rng.sample(keys, max(1, pupils // 100))) if week else set()
    groups = [
        ek.Group(key=f"S{h}", name=f"{1 + h % 6}H{h}", kind="homeroom", year=str(1 + h % 6))
        for h in range(homerooms)
    ] + [ek.Group(key=f"L{n}", name=f"vak {n}", kind="composite") for n in range(lessons)]
    students = []
    for k in keys:
        room = (k + (k in movers)) % homerooms
        homeroom = f"S{room}"
        lesson_groups = [f"L{(k * 7 + i) % lessons}" for i in range(3)]
        students.append(
            ek.Student(
                key=f"{brin}{k:05d}",
                first_name=rng.choice(("Daan", "Sanne", "Noah", "Emma", "Lucas", "Julia")),
                last_name=f"Achternaam{k}{'-Bos' if k in movers else ''}",
                year=groups[room].year,
                homeroom=homeroom,
                groups=sorted(set(lesson_groups)),
            )
        )
    staff = [
        ek.Staff(
            key=f"{brin}T{t:03d}",
            last_name=f"Docent{t}",
            groups=[ek.GroupRole(group=f"L{g}", role="docent") for g in range(t, lessons, 40)],
        )
        for t in range(max(2, pupils // 25))
    ]
    guardians = [
        ek.Guardian(
            key=f"{brin}G{k:05d}",
            last_name=f"Ouder{k}",
            students=[ek.GuardianLink(f"{brin}{k:05d}", relation="moeder")],
        )
        for k in keys[: pupils * 3 // 4]
    ]
    return ek.Roster(
        school=ek.School(brin=brin[:4], school_year=SCHOOL_YEAR),
        groups=groups,
        students=students,
        staff=staff,
        guardians=guardians,
        source="las",
    )


def write_files(folder: Path, tenants: list[str], pupils: int, week: int) -> dict[str, Path]:
    paths = {}
    for number, tenant in enumerate(tenants):
        path = folder / f"{tenant}.xml"
        ek.write_edexml(school(tenant, pupils, week=week, seed=number), path)
        paths[tenant] = path
    return paths


def percentile(values: Iterable[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


Runner = Callable[[list[fleet.Job], str], list[fleet.JobResult]]


def sequential(jobs: list[fleet.Job], url: str) -> list[fleet.JobResult]:
    return [fleet.run_job(job, url) for job in jobs]


def process_pool(jobs: list[fleet.Job], url: str) -> list[fleet.JobResult]:
    context = multiprocessing.get_context("forkserver")
    with cf.ProcessPoolExecutor(2, mp_context=context) as pool:
        pool.submit(int).result()  # the workers are started before the clock (as a service's)
        started[0] = time.perf_counter()
        return list(fleet.sync_many(jobs, url=url, executor=pool))


def dask_cluster(jobs: list[fleet.Job], url: str) -> list[fleet.JobResult]:
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        started[0] = time.perf_counter()
        return list(fleet.sync_many(jobs, url=url, executor=client.get_executor()))


started = [0.0]


def run(
    label: str, runner: Runner, jobs: list[fleet.Job], url: str, baseline: float | None
) -> float:
    started[0] = time.perf_counter()
    results = runner(jobs, url)
    wall = time.perf_counter() - started[0]
    outcomes = {r.outcome for r in results}
    per_minute = len(results) / wall * 60
    memory = {}
    for result in results:
        memory[result.worker] = max(memory.get(result.worker, 0.0), result.peak_memory_mib or 0.0)
    ratio = f", {per_minute / baseline:.2f}x sequential" if baseline else ""
    print(
        f"  {label:<13} {per_minute:7.1f} schools/min{ratio}; per school p50 "
        f"{percentile((r.seconds for r in results), 0.5):.2f} s, p99 "
        f"{percentile((r.seconds for r in results), 0.99):.2f} s; peak per worker "
        f"{max(memory.values()):.0f} MiB ({len(memory)} workers); {sorted(outcomes)}",
        flush=True,
    )
    return per_minute


def main(quick: bool) -> None:
    tenants_count = int(os.environ.get("EDUKOPPEL_FLEET_TENANTS", "8" if quick else "200"))
    pupils = int(os.environ.get("EDUKOPPEL_FLEET_PUPILS", "100" if quick else "1000"))
    postgres = os.environ.get("EDUKOPPEL_POSTGRES_URL")
    tenants = [f"{10 + n // 26:02d}{chr(65 + n % 26)}A{n:03d}" for n in range(tenants_count)]
    runners: dict[str, Runner] = {"sequential": sequential, "process pool": process_pool}
    try:
        import distributed  # noqa: F401

        runners["Dask cluster"] = dask_cluster
    except ImportError:
        print("-- Dask: skipped (pip install distributed)")
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        run_id = uuid.uuid4().hex[:6]
        urls = {
            label: postgres or f"sqlite:///{here / f'{n}.db'}" for n, label in enumerate(runners)
        }
        prefixes = {label: f"b{run_id}{n}_" for n, label in enumerate(runners)}
        where = "PostgreSQL" if postgres else "SQLite"
        print(f"{tenants_count} tenants of {pupils} pupils on {where}, 2 workers")
        for week, phase in enumerate(("first sync", "weekly sync at 2% churn")):
            paths = write_files(here, tenants, pupils, week)
            print(f"-- {phase}")
            baseline = None
            for label, runner in runners.items():
                jobs = [
                    fleet.Job(tenant=t, source=paths[t], prefix=prefixes[label]) for t in tenants
                ]
                speed = run(label, runner, jobs, urls[label], baseline)
                baseline = baseline or speed
        if postgres:
            import sqlalchemy as sa

            engine = sa.create_engine(postgres)
            metadata = sa.MetaData()
            metadata.reflect(engine, only=lambda name, _: name.startswith(f"b{run_id}"))
            metadata.drop_all(engine)
            engine.dispose()
