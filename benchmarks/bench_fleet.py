"""Many schools at once: a sequential loop vs sync_many on a process pool vs Dask LocalCluster.

Each tenant is a generated EDEXML file (pupils in homerooms and three teaching groups each,
staff linked to groups) and a CSV export of its guardians (one or two per family, siblings
sharing theirs: 1.4 per pupil), read together with ``ek.read_many``. Every way syncs the
same files into a store of its own (a table prefix of its own on PostgreSQL when
``EDUKOPPEL_POSTGRES_URL`` is set, else a SQLite file of its own): first the first sync, then
a weekly sync at 2% churn (1% of pupils leave with their families' guardians, as many arrive,
1% change their homeroom and name, 1% of families an e-mail address), three times: week 1,
back to week 0 (the leavers come back, the newcomers leave: 2% churn again), week 1 again;
the weekly figures are the three rounds' together, each round's ratios printed too. In each
phase every way syncs half the schools in the order sequential, pool, Dask and the other half
in the mirrored order (the next round starts with the mirrored order), each slot starting
when the database server is idle. Reported: schools per
minute, the ratio to the sequential loop (the target is 1.7x on two cores), p50 and p99
seconds per school (the target for the weekly sync: p99 under 2 s), and each worker's peak
resident memory.

``python -m benchmarks fleet`` is 200 tenants of 1,000 pupils (as the issue asks);
``--quick`` is 8 tenants of 100. ``EDUKOPPEL_FLEET_TENANTS`` and ``EDUKOPPEL_FLEET_PUPILS``
choose other sizes, ``EDUKOPPEL_FLEET_WEEKLY_ROUNDS`` the weekly rounds (default 3; 1 with
``--quick``), ``EDUKOPPEL_FLEET_DASK_JOBS_PER_TASK`` Dask's jobs a task (default 4).
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import multiprocessing
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

import attrs

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
                # Of the pupil alone: a draw from rng would shift with the week's samples
                # and rename most of the school in the weekly sync.
                first_name=("Daan", "Sanne", "Noah", "Emma", "Lucas", "Julia")[k * 7 % 6],
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
    guardians = guardians_of(brin, keys, week=week)
    return ek.Roster(
        school=ek.School(brin=brin[:4], school_year=SCHOOL_YEAR),
        groups=groups,
        students=students,
        staff=staff,
        guardians=guardians,
        source="las",
    )


def guardians_of(brin: str, keys: list[int], *, week: int) -> list[ek.Guardian]:
    """The pupils' parents, like a real school's: one or two per family, siblings sharing.

    One pupil in ten is the younger sibling of the pupil before (same family); five families
    in nine have two guardians, the others one: 1.4 guardians per pupil, 1.6 links. A
    guardian depends on the family alone, so the weekly export keeps everyone's key; 1% of
    the families change an e-mail address that week.
    """
    families: dict[int, list[str]] = {}
    for k in keys:
        families.setdefault(k - 1 if k % 10 == 1 else k, []).append(f"{brin}{k:05d}")
    guardians = []
    for family, children in families.items():
        moved = week and family % 100 == 37
        for parent in range(2 if family % 2 == 0 else 1):
            guardians.append(
                ek.Guardian(
                    key=f"{brin}G{family:05d}{parent}",
                    first_name=("Anna", "Mark", "Fatima", "Youssef")[(family + parent) % 4],
                    last_name=f"Achternaam{family}",
                    email=f"ouder{parent}.{family}{'.nieuw' if moved else ''}@example.org",
                    phone=f"06{family:05d}{parent:03d}",
                    students=[ek.GuardianLink(child) for child in children],
                )
            )
    return guardians


#: A LAS's export of parents: one row per guardian, the children's numbers in one column.
GUARDIAN_HEADER = (
    "Oudernummer;Voornaam ouder;Achternaam ouder;E-mail ouder;Telefoon ouder;Leerlingnummers"
)


def write_files(
    folder: Path, tenants: list[str], pupils: int, week: int
) -> dict[str, tuple[Path, Path]]:
    """Per tenant an EDEXML file (which has no guardians) and a CSV file of its guardians."""
    paths = {}
    for number, tenant in enumerate(tenants):
        roster = school(tenant, pupils, week=week, seed=number)
        edexml, parents = folder / f"{tenant}.xml", folder / f"{tenant}-ouders.csv"
        ek.write_edexml(roster, edexml)
        rows = [GUARDIAN_HEADER]
        rows += [
            f"{g.key};{g.first_name};{g.last_name};{g.email};{g.phone};"
            + ",".join(link.student for link in g.students)
            for g in roster.guardians
        ]
        parents.write_text("\n".join(rows) + "\n", encoding="utf-8")
        paths[tenant] = (edexml, parents)
    return paths


def percentile(values: Iterable[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


Runner = Callable[[list[fleet.Job], str], list[fleet.JobResult]]


def finish(results: Iterable[fleet.JobResult]) -> list[fleet.JobResult]:
    """Every result; the clock stops at the last, before a pool or cluster shuts down."""
    taken = list(results)
    finished[0] = time.perf_counter()
    return taken


def sequential(jobs: list[fleet.Job], url: str) -> list[fleet.JobResult]:
    """The schools one after another, in a worker process of its own (as the pool's are).

    Not in this process: after other benchmarks (``nox -s bench``) it holds hundreds of MiB
    of their memory, which made the loop slower than a fresh worker and flattered the pool.
    """
    context = multiprocessing.get_context("forkserver")
    with cf.ProcessPoolExecutor(1, mp_context=context) as pool:
        pool.submit(warm).result()
        started[0] = time.perf_counter()
        return finish(pool.submit(one_after_another, jobs, url).result())


def one_after_another(jobs: list[fleet.Job], url: str) -> list[fleet.JobResult]:
    return [fleet.run_job(job, url) for job in jobs]


def warm(seconds: float = 0.0) -> int:
    """Ready the worker as a service's is before its first school (fleet.prepare_worker)."""
    fleet.prepare_worker()
    time.sleep(seconds)
    return os.getpid()


def process_pool(jobs: list[fleet.Job], url: str) -> list[fleet.JobResult]:
    context = multiprocessing.get_context("forkserver")
    with cf.ProcessPoolExecutor(2, mp_context=context) as pool:
        # Both workers started and warm before the clock (as a service's): two at once, so
        # the second starts a process of its own.
        assert len({f.result() for f in [pool.submit(warm, 0.5) for _ in range(2)]}) == 2
        started[0] = time.perf_counter()
        return finish(fleet.sync_many(jobs, url=url, executor=pool))


def dask_cluster(jobs: list[fleet.Job], url: str) -> list[fleet.JobResult]:
    import dask
    import distributed

    with (
        # The settings docs/fleet.md gives a service's workers (no profiler, no malloc
        # trimming, quieter event loops), set before the cluster starts its workers.
        dask.config.set(fleet.dask_config()),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.run(warm)  # every worker, as the pool's
        started[0] = time.perf_counter()
        # Four schools a task, as docs/fleet.md advises for Dask: its scheduler and workers
        # spend a few ms of CPU on every task, on the cores the schools' syncs need.
        per_task = int(os.environ.get("EDUKOPPEL_FLEET_DASK_JOBS_PER_TASK", "4"))
        return finish(
            fleet.sync_many(jobs, url=url, executor=client.get_executor(), jobs_per_task=per_task)
        )


started = [0.0]
finished = [0.0]


def server_seconds(url: str | None) -> Callable[[], float] | None:
    """The CPU seconds the PostgreSQL server's processes used so far, if it runs here.

    The postmaster's own, its live children's (the backends, the WAL writer, autovacuum)
    and those of its children that ended; None for SQLite or a server on another machine.
    """
    if url is None or not Path("/proc/self/stat").exists():
        return None
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            backend = int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
    finally:
        engine.dispose()
    tick = os.sysconf("SC_CLK_TCK")

    def fields(pid: int | str) -> list[str]:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()

    try:
        postmaster = int(fields(backend)[1])
    except OSError:
        return None

    def seconds() -> float:
        total = sum(int(n) for n in fields(postmaster)[11:15])
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = fields(entry.name)
                except OSError:
                    continue
                if int(stat[1]) == postmaster:
                    total += int(stat[11]) + int(stat[12])
        return total / tick

    return seconds


def settle(server: Callable[[], float] | None, *, limit: float = 60.0) -> float:
    """Wait until the database server is idle; the seconds waited.

    The previous slot's writes may set off the server's autovacuum and analyze, which would
    run on the cores while the next slot is timed. (In the runs of session 21 it waited 0.5
    to 1.5 s a slot; the mirrored slots of run_phase did more for fairness.)
    """
    if server is None:
        return 0.0
    began = time.perf_counter()
    while time.perf_counter() - began < limit:
        before = server()
        time.sleep(0.5)
        if server() - before < 0.01:
            break
    return time.perf_counter() - began


@attrs.define
class Tally:
    """One runner's results and clocks over its slots."""

    results: list[fleet.JobResult] = attrs.field(factory=list)
    wall: float = 0.0
    server: float = 0.0
    settled: float = 0.0


def run_phase(
    entries: list[tuple[str, Runner, list[fleet.Job]]],
    urls: dict[str, str],
    server: Callable[[], float] | None,
    *,
    mirrored: bool = False,
) -> dict[str, Tally]:
    """Each runner syncs half the schools in a slot of its own, in the order ABC then CBA.

    The machine's speed drifts during a run (a virtual machine's neighbours, the database
    server's caches): timed one after another, the last runner of a phase met other
    conditions than the first. In mirrored slots every runner meets the same on average.
    ``mirrored`` starts with CBA (the weekly rounds alternate).
    """
    tallies = {label: Tally() for label, _, _ in entries}
    order = list(reversed(entries)) if mirrored else entries
    for slot, (label, runner, jobs) in enumerate([*order, *reversed(order)]):
        half = jobs[: len(jobs) // 2] if slot < len(entries) else jobs[len(jobs) // 2 :]
        tally = tallies[label]
        tally.settled += settle(server)
        server_before = server() if server else 0.0
        tally.results += runner(half, urls[label])
        tally.wall += finished[0] - started[0]
        tally.server += (server() - server_before) if server else 0.0
    return tallies


def ratios(tallies: dict[str, Tally]) -> str:
    """Each runner's schools a minute against the first runner's: ``pool 1.82x, Dask ...``."""
    rates = {label: len(tally.results) / tally.wall for label, tally in tallies.items()}
    first, *others = rates
    return ", ".join(f"{label} {rates[label] / rates[first]:.2f}x" for label in others)


def combined(rounds: list[dict[str, Tally]]) -> dict[str, Tally]:
    """The rounds' tallies added up per runner."""
    total: dict[str, Tally] = {}
    for tallies in rounds:
        for label, tally in tallies.items():
            into = total.setdefault(label, Tally())
            into.results += tally.results
            into.wall += tally.wall
            into.server += tally.server
            into.settled += tally.settled
    return total


def report(tallies: dict[str, Tally], *, on_server: bool) -> None:
    baseline = None
    for label, tally in tallies.items():
        results = tally.results
        per_minute = len(results) / tally.wall * 60
        memory: dict[str, float] = {}
        for result in results:
            memory[result.worker] = max(
                memory.get(result.worker, 0.0), result.peak_memory_mib or 0.0
            )
        ratio = f", {per_minute / baseline:.2f}x sequential" if baseline else ""
        server = f"; server CPU {tally.server / len(results) * 1000:.0f} ms/school"
        print(
            f"  {label:<13} {per_minute:7.1f} schools/min{ratio}; per school p50 "
            f"{percentile((r.seconds for r in results), 0.5):.2f} s, p99 "
            f"{percentile((r.seconds for r in results), 0.99):.2f} s; peak per worker "
            f"{max(memory.values()):.0f} MiB ({len(memory)} workers)"
            f"{server if on_server else ''}; waited {tally.settled:.1f} s for an idle "
            f"server; {sorted({r.outcome for r in results})}",
            flush=True,
        )
        baseline = baseline or per_minute


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
        server = server_seconds(postgres)
        print(
            f"{tenants_count} tenants of {pupils} pupils on {where}, 2 workers; "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        # The weekly sync in rounds: week 1, back to week 0 (those who left come back, those
        # who came leave: 2% churn again), week 1 again... Each slot of one is over in
        # seconds, where one neighbour's burst on this virtual machine tips the ratio.
        rounds = int(os.environ.get("EDUKOPPEL_FLEET_WEEKLY_ROUNDS", "1" if quick else "3"))
        # Untimed schools into every store first: the first slot of a run otherwise met a
        # cold database (session 22: the server spent 103 ms a school on it, 65 to 71 ms on
        # the later slots), which flattered the parallel ways against the loop, timed first.
        warming = tenants[:4]
        warm_paths = write_files(here, warming, pupils, 0)
        for url in dict.fromkeys(urls.values()):
            jobs = [
                fleet.Job(
                    tenant=t,
                    source=functools.partial(ek.read_many, list(warm_paths[t]), source_name="las"),
                    prefix=f"b{run_id}w_",
                )
                for t in warming
            ]
            assert {r.outcome for r in sequential(jobs, url)} == {"applied"}
        weekly: list[dict[str, Tally]] = []
        for number in range(rounds + 1):
            paths = write_files(here, tenants, pupils, number % 2)
            phase = f"weekly sync at 2% churn, round {number}" if number else "first sync"
            print(f"-- {phase} (load average {os.getloadavg()[0]:.1f})", flush=True)
            entries = [
                (
                    label,
                    runner,
                    [
                        fleet.Job(
                            tenant=t,
                            # ek.read_many itself, so every worker (a cluster's too) can
                            # unpickle it
                            source=functools.partial(
                                ek.read_many, list(paths[t]), source_name="las"
                            ),
                            prefix=prefixes[label],
                        )
                        for t in tenants
                    ],
                )
                for label, runner in runners.items()
            ]
            tallies = run_phase(entries, urls, server, mirrored=number > 0 and number % 2 == 0)
            if number == 0:
                report(tallies, on_server=server is not None)
            else:
                weekly.append(tallies)
                print(f"  {ratios(tallies)}", flush=True)
        print(f"-- weekly sync at 2% churn, {rounds} round(s) together")
        report(combined(weekly), on_server=server is not None)
        if postgres:
            import sqlalchemy as sa

            engine = sa.create_engine(postgres)
            metadata = sa.MetaData()
            metadata.reflect(engine, only=lambda name, _: name.startswith(f"b{run_id}"))
            metadata.drop_all(engine)
            engine.dispose()
