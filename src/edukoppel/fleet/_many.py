"""sync_many: many tenants' jobs on any concurrent.futures executor, and their report."""

from __future__ import annotations

import collections
import concurrent.futures as cf
import concurrent.futures.process as cfp
import functools
import gc
import importlib
import multiprocessing
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, get_args

import attrs

from edukoppel._i18n import msg
from edukoppel.fleet._job import ErrorSummary, Job, JobResult, failed_result, run_job
from edukoppel.sync import ChangeAction
from edukoppel.sync._store import RunOutcome

if TYPE_CHECKING:
    import polars as pl

__all__ = ["FleetReport", "Progress", "prepare_worker", "results_frame", "sync_many"]

#: Called after each job with (jobs done, jobs in all, the job's result).
Progress = Callable[[int, int, JobResult], None]

OUTCOMES: tuple[RunOutcome, ...] = get_args(RunOutcome)


#: What every job imports: the readers of each format, the matcher, the SQL store.
_JOB_MODULES = (
    "edukoppel.readers",
    "edukoppel.readers.edexml",
    "edukoppel.readers.table",
    "edukoppel.mapping",
    "edukoppel.adapters._sql_backend",
)


def prepare_worker() -> None:
    """Ready a worker process for school after school: import what a job needs, then freeze.

    A job's full garbage collections walk every object the process holds, and most of them
    are the imports' (edukoppel, polars, SQLAlchemy, and in a Dask worker Dask's own): about
    100,000 objects in a pool's worker and 130,000 in a Dask worker, walked a few times each
    school. This imports the job's modules and loads the column catalogue and presets, then
    moves what the process holds out of the collector's way (:func:`gc.freeze`, after a
    collection so that no garbage is kept). A weekly sync then costs a pool's worker about
    4 ms less CPU a school and a Dask worker about 8 ms (docs/fleet.md).

    Call it once in each worker process: the process pool that :func:`sync_many` makes does
    (its ``initializer``); give it to your own
    ``ProcessPoolExecutor(initializer=fleet.prepare_worker)``, run it on a Dask cluster with
    ``client.run(fleet.prepare_worker)``, or from Celery's ``worker_process_init`` signal.

    Examples:
        >>> import gc
        >>> prepare_worker()
        >>> gc.get_freeze_count() > 0
        True
        >>> gc.unfreeze()  # only here: a test run is no worker
    """
    from edukoppel.mapping._catalogue import catalogue
    from edukoppel.mapping._presets import presets
    from edukoppel.model import ENTITY_KINDS

    for name in _JOB_MODULES:
        importlib.import_module(name)
    for kind in ENTITY_KINDS:
        catalogue().for_entity(kind)
    presets()
    gc.collect()
    gc.freeze()


def _default_executor(workers: int | None = None) -> cf.Executor:
    """A process pool of ``workers`` (default: one per core), started without ``fork``."""
    # Not fork: the host may run threads (a web server, an HTTP client), and a forked child
    # inherits their locks in whatever state they were.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return cf.ProcessPoolExecutor(
        max_workers=workers or os.cpu_count() or 1,
        mp_context=context,
        initializer=prepare_worker,
    )


def _run_jobs(
    task: Callable[[Job], JobResult], jobs: tuple[Job, ...], token: str
) -> list[JobResult]:
    """``task(job)`` for each job, in turn; ``token`` only makes each submission a task of its own.

    ``task`` is :func:`run_job`, which never raises; should it all the same (a bug, not an
    input), that job alone fails and the task's other jobs still run and keep their results.
    """
    del token
    results = []
    for job in jobs:
        began = time.perf_counter()
        try:
            results.append(task(job))
        except Exception as error:
            results.append(failed_result(job, error, time.perf_counter() - began))
    return results


def _workers(executor: cf.Executor) -> int:
    """How many jobs ``executor`` runs at once: a pool's workers, a Dask cluster's threads.

    Dask's ``Client.get_executor()`` runs on the cluster's workers, not this machine's
    cores: counted by this machine's cores, a cluster of 64 worker threads got 4 jobs at a
    time from a 2-core client. Anything else counts as this machine's cores.
    """
    workers = getattr(executor, "_max_workers", None)
    if isinstance(workers, int) and workers > 0:
        return workers
    client = getattr(executor, "_client", None)
    nthreads = getattr(client, "nthreads", None)
    if callable(nthreads):
        try:
            threads = sum(int(n) for n in nthreads().values())
        except Exception:  # a client that cannot say: fall back to this machine's cores
            threads = 0
        if threads > 0:
            return threads
    return os.cpu_count() or 1


@attrs.frozen
class _Submitted:
    jobs: tuple[Job, ...]
    at: float
    alone: bool = False  # a second try after its pool broke, with no other job beside it


@attrs.define
class _Pool:
    """The executor and the jobs handed to it; a pool made here is made again if it breaks.

    A worker that dies breaks a process pool, and every job in it fails with
    ``BrokenProcessPool``. Of a pool ``sync_many`` made, those jobs are *suspects*: each is
    tried once more, alone, so the one that takes its worker down again is known and fails,
    and no other fails with it.
    """

    executor: cf.Executor
    task: Callable[[Job], JobResult]
    owned: bool
    workers: int | None
    pending: dict[cf.Future[list[JobResult]], _Submitted] = attrs.field(factory=dict)
    suspects: collections.deque[Job] = attrs.field(factory=collections.deque)
    broken: bool = False

    @property
    def jobs_pending(self) -> int:
        return sum(len(submitted.jobs) for submitted in self.pending.values())

    def submit(self, jobs: tuple[Job, ...], *, alone: bool = False) -> None:
        """Hand ``jobs`` over as one task; raises what the executor raises (unpicklable jobs)."""
        # A token of its own per submission: Dask's executor keys a task by its function
        # and arguments and hands back the result of an earlier, identical submission it
        # still holds, so a second sync of the fleet would not run at all.
        future = self.executor.submit(_run_jobs, self.task, jobs, uuid.uuid4().hex)
        self.pending[future] = _Submitted(jobs, time.perf_counter(), alone)

    def offer(self, jobs: tuple[Job, ...], *, alone: bool = False) -> list[JobResult]:
        """Submit ``jobs``; results only for jobs that cannot be handed over at all."""
        try:
            self.submit(jobs, alone=alone)
        except Exception as error:
            if not (self.owned and isinstance(error, cfp.BrokenProcessPool)):
                return [failed_result(job, error) for job in jobs]
            self.suspects.extendleft(reversed(jobs))  # never ran: the new pool runs them alone
            self.broken = True
        return []

    def outcome(self, future: cf.Future[list[JobResult]]) -> list[JobResult]:
        """The finished task's results; none for jobs that became suspects to try again."""
        submitted = self.pending.pop(future)
        seconds = time.perf_counter() - submitted.at
        try:
            return future.result()
        except Exception as error:  # the worker died, or the jobs would not pickle
            if not (self.owned and isinstance(error, cfp.BrokenProcessPool)):
                return [failed_result(job, error, seconds) for job in submitted.jobs]
            self.broken = True
            if submitted.alone:
                return [_worker_died(job, error, seconds) for job in submitted.jobs]
            self.suspects.extend(submitted.jobs)
            return []

    def renew(self) -> None:
        """A new pool for a broken one, once every future of the old one has failed."""
        if self.broken and not self.pending:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor, self.broken = _default_executor(self.workers), False

    def close(self) -> None:
        for future in self.pending:
            future.cancel()
        if self.owned:
            self.executor.shutdown(wait=True, cancel_futures=True)


def sync_many(
    jobs: Iterable[Job],
    *,
    url: str,
    executor: cf.Executor | None = None,
    max_in_flight: int | None = None,
    progress: Progress | None = None,
    retries: int = 3,
    backoff: float = 0.5,
    workers: int | None = None,
    jobs_per_task: int = 1,
) -> Iterator[JobResult]:
    """Sync many tenants into one store, yielding one result per job as each finishes.

    Each job runs :func:`run_job` (read, plan and apply for its tenant, in the tenant's own
    transaction) on ``executor``: any :class:`concurrent.futures.Executor`, such as a
    :class:`~concurrent.futures.ThreadPoolExecutor`, a
    :class:`~concurrent.futures.ProcessPoolExecutor` or Dask's ``Client.get_executor()``.
    Without one, a process pool of ``workers`` (default: one per core) is made and shut
    down at the end.

    A job's block, stale plan, error or timeout is its own result (``outcome`` ``failed``,
    ``refused-blocked``...); the other jobs run on. A job whose worker could not run it (a
    worker that died, a source that cannot be pickled) comes back ``failed`` too. When a
    worker of the pool made here dies, the pool is made again and the jobs that were in it
    get one more try each, one at a time: the one that takes its worker down again fails,
    the others run.

    With ``jobs_per_task`` above 1, the jobs go to the executor that many at a time, each
    still with its own result, retries and failure: on a Dask cluster, whose scheduler and
    workers spend a few milliseconds of CPU on every task, 4 a task save most of that
    (docs/fleet.md). Results then come a task at a time. Towards the end the tasks get
    smaller (never more than the jobs left per worker), so no worker idles long while
    another finishes a big last task.

    Args:
        jobs: The tenants to sync (a tenant should occur once).
        url: The multi-tenant :class:`~edukoppel.SqlStore`'s URL (it is passed to each job,
            so it must name a database every worker can reach).
        executor: Where to run the jobs (default: a new process pool).
        max_in_flight: Jobs submitted and not yet finished, at most (default: twice the
            executor's workers, for Dask the cluster's worker threads when the fleet
            starts, times ``jobs_per_task``): a fleet of 1,500 is not queued at once.
        progress: Called with (done, total, result) after each job.
        retries: How often a job is tried again after a transient failure (:func:`run_job`).
        backoff: The first wait before trying again, in seconds (doubled each time).
        workers: The processes of the pool made without ``executor``.
        jobs_per_task: How many jobs each task of the executor runs, one after another.

    Yields:
        One :class:`JobResult` per job, in the order they finish.

    Examples:
        >>> import concurrent.futures as cf, edukoppel as ek, tempfile, pathlib
        >>> url = f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'fleet.db'}"
        >>> def roster(n):
        ...     return ek.Roster(students=[ek.Student(key=str(n))], source="las")
        >>> import functools
        >>> jobs = [Job(tenant=f"school-{n}", source=functools.partial(roster, n))
        ...         for n in range(3)]
        >>> with cf.ThreadPoolExecutor(2) as pool:
        ...     results = sorted(sync_many(jobs, url=url, executor=pool),
        ...                      key=lambda r: r.tenant)
        >>> [(r.tenant, r.outcome) for r in results]  # doctest: +NORMALIZE_WHITESPACE
        [('school-0', 'applied'), ('school-1', 'applied'), ('school-2', 'applied')]
    """
    queue = collections.deque(jobs)
    total = len(queue)
    if max_in_flight is not None and max_in_flight < 1:
        raise ValueError(msg("fleet.bad-in-flight", value=max_in_flight).render())
    if jobs_per_task < 1:
        raise ValueError(msg("fleet.bad-jobs-per-task", value=jobs_per_task).render())
    task = functools.partial(run_job, url=url, retries=retries, backoff=backoff)
    owned = executor is None
    pool = _Pool(
        _default_executor(workers) if executor is None else executor,
        task,
        owned=owned,
        workers=workers,
    )
    threads = _workers(pool.executor)
    limit = max_in_flight if max_in_flight is not None else 2 * threads * jobs_per_task
    done = 0
    try:
        while queue or pool.suspects or pool.pending:
            pool.renew()
            offered: list[JobResult] = []
            if pool.suspects and not pool.pending and not pool.broken:
                offered += pool.offer((pool.suspects.popleft(),), alone=True)
            while queue and not pool.suspects and not pool.broken:
                # Near the end a task takes no more than its share of what is left, so
                # that the last tasks do not leave the other workers idle.
                share = -(-len(queue) // threads)
                room = min(jobs_per_task, limit - pool.jobs_pending, share)
                if room < 1:
                    break
                offered += pool.offer(tuple(queue.popleft() for _ in range(room)))
            if pool.pending:
                ready, _ = cf.wait(pool.pending, return_when=cf.FIRST_COMPLETED)
                for future in ready:
                    offered += pool.outcome(future)
            for result in offered:
                done += 1
                if progress is not None:
                    progress(done, total, result)
                yield result
    finally:
        pool.close()


def _worker_died(job: Job, error: BaseException, seconds: float) -> JobResult:
    """A job that took its worker down even when it ran alone."""
    summary = ErrorSummary(kind=type(error).__name__, message=msg("fleet.worker-died").render())
    return JobResult(tenant=job.tenant, outcome="failed", error=summary, seconds=seconds)


def _percentile(values: Sequence[float], share: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    ordered = sorted(values)
    # The nearest-rank percentile: p99 of 200 schools is the second slowest, not a blend.
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def _results(results: Iterable[JobResult]) -> tuple[JobResult, ...]:
    return tuple(results)


@attrs.frozen
class FleetReport:
    """The results of a fleet sync: a table, counts per outcome, and a one-screen summary.

    Examples:
        >>> report = FleetReport([JobResult(tenant="a", outcome="applied", seconds=1.0),
        ...                       JobResult(tenant="b", outcome="nothing-to-do", seconds=0.5)])
        >>> report.by_outcome["applied"], report.by_outcome["failed"]
        (1, 0)
        >>> report.to_polars().shape[0]
        2
    """

    results: tuple[JobResult, ...] = attrs.field(converter=_results)
    seconds: float | None = None

    @property
    def by_outcome(self) -> dict[RunOutcome, int]:
        """How many tenants ended in each outcome (every outcome, zeros included)."""
        counts = dict.fromkeys(OUTCOMES, 0)
        for result in self.results:
            counts[result.outcome] += 1
        return counts

    @property
    def failed(self) -> list[JobResult]:
        """The tenants that failed."""
        return [result for result in self.results if result.outcome == "failed"]

    @property
    def refused(self) -> list[JobResult]:
        """The tenants whose plan was refused (blocked or stale)."""
        return [result for result in self.results if result.outcome.startswith("refused")]

    def percentile(self, share: float) -> float | None:
        """Seconds per school at ``share`` (0.5: the median), nearest rank."""
        return _percentile([result.seconds for result in self.results], share)

    @classmethod
    def collect(cls, results: Iterable[JobResult]) -> FleetReport:
        """Take every result (``sync_many(...)`` as it runs), timing the whole fleet."""
        began = time.perf_counter()
        taken = list(results)
        return cls(taken, seconds=time.perf_counter() - began)

    def to_polars(self) -> pl.DataFrame:
        """One row per tenant: the outcome, counts, codes, timings and error, no personal data."""
        return results_frame(self.results)

    def __str__(self) -> str:
        counts = self.by_outcome
        wall = self.seconds if self.seconds is not None else 0.0
        lines = [
            msg(
                "fleet.summary",
                tenants=len(self.results),
                seconds=round(wall, 1),
                applied=counts["applied"],
                nothing=counts["nothing-to-do"],
                blocked=counts["refused-blocked"],
                stale=counts["refused-stale"],
                failed=counts["failed"],
            ).render()
        ]
        if self.results:
            median = self.percentile(0.5) or 0.0
            p99 = self.percentile(0.99) or 0.0
            changes = sum(result.changes for result in self.results if result.outcome == "applied")
            lines.append(
                msg(
                    "fleet.summary.times", p50=round(median, 2), p99=round(p99, 2), changes=changes
                ).render()
            )
        trouble = [result for result in self.results if not result.ok]
        for result in sorted(trouble, key=lambda item: item.tenant)[:10]:
            reason = ", ".join(result.blocked) if result.blocked else str(result.error or "")
            lines.append(
                f"  {result.tenant}: {result.outcome}" + (f" ({reason})" if reason else "")
            )
        if len(trouble) > 10:
            lines.append(msg("fleet.summary.more", count=len(trouble) - 10).render())
        return "\n".join(lines)


def results_frame(results: Iterable[JobResult]) -> pl.DataFrame:
    """The results as a polars DataFrame, one row per tenant.

    Columns: ``tenant``, ``outcome``, ``changes``, one count per action over every kind
    (``add``, ``update``, ``restore``, ``archive``), ``blocked`` (codes), ``errors``,
    ``warnings`` and ``notes`` (issues per severity), ``run_number``, ``attempts``,
    ``read_seconds``, ``plan_seconds``, ``apply_seconds``, ``seconds``, ``error_kind``,
    ``error_status``, ``error`` (the error's message), ``worker`` and ``peak_memory_mib``.
    """
    import polars as pl

    rows = list(results)
    actions = get_args(ChangeAction)
    severities = {"errors": "error", "warnings": "warning", "notes": "info"}
    return pl.DataFrame(
        {
            "tenant": [r.tenant for r in rows],
            "outcome": [r.outcome for r in rows],
            "changes": [r.changes for r in rows],
            **{
                action: [sum(kinds.get(action, 0) for kinds in r.counts.values()) for r in rows]
                for action in actions
            },
            "blocked": [list(r.blocked) for r in rows],
            **{
                column: [sum(r.issue_counts.get(severity, {}).values()) for r in rows]  # type: ignore[call-overload]
                for column, severity in severities.items()
            },
            "run_number": [r.run_number for r in rows],
            "attempts": [r.attempts for r in rows],
            "read_seconds": [r.read_seconds for r in rows],
            "plan_seconds": [r.plan_seconds for r in rows],
            "apply_seconds": [r.apply_seconds for r in rows],
            "seconds": [r.seconds for r in rows],
            "error_kind": [None if r.error is None else r.error.kind for r in rows],
            "error_status": [None if r.error is None else r.error.status for r in rows],
            "error": [None if r.error is None else r.error.message for r in rows],
            "worker": [r.worker for r in rows],
            "peak_memory_mib": [r.peak_memory_mib for r in rows],
        },
        schema={
            "tenant": pl.String,
            "outcome": pl.String,
            "changes": pl.Int64,
            **dict.fromkeys(actions, pl.Int64),
            "blocked": pl.List(pl.String),
            **dict.fromkeys(severities, pl.Int64),
            "run_number": pl.Int64,
            "attempts": pl.Int64,
            "read_seconds": pl.Float64,
            "plan_seconds": pl.Float64,
            "apply_seconds": pl.Float64,
            "seconds": pl.Float64,
            "error_kind": pl.String,
            "error_status": pl.Int64,
            "error": pl.String,
            "worker": pl.String,
            "peak_memory_mib": pl.Float64,
        },
    )
