"""One tenant's sync as a job: read, plan and apply into ``SqlStore(url, tenant=...)``.

:func:`run_job` is a plain module-level function of picklable arguments with a picklable
result, so any executor (a process pool, Dask, a Celery task) can run it. It never raises for
what happens to its tenant: a block, a stale plan or an error comes back as the result's
``outcome``, so one school's trouble never stops another's.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import socket
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, Protocol, TypeAlias, runtime_checkable

import attrs

from edukoppel._i18n import msg
from edukoppel.exceptions import (
    BlockedPlanError,
    EdukoppelError,
    SomtodayConfigError,
    SomtodayError,
    StalePlanError,
)
from edukoppel.model import Roster
from edukoppel.readers import ReadResult
from edukoppel.report import Report, Severity
from edukoppel.somtoday._settings import SomtodaySettings
from edukoppel.sync import RunProblem, SyncPolicy, SyncRun
from edukoppel.sync._store import RunOutcome, count_issues

__all__ = [
    "ErrorSummary",
    "Job",
    "JobResult",
    "SecretFromEnvironment",
    "is_transient",
    "run_job",
]

#: What a job's ``source`` may be: a file for :func:`edukoppel.read`, Somtoday settings, or a
#: callable of no arguments the host supplies (picklable for a process pool or a cluster:
#: a module-level function or a :func:`functools.partial` of one).
JobSource: TypeAlias = str | os.PathLike[str] | SomtodaySettings | Callable[[], Roster | ReadResult]

#: The placeholder a job keeps instead of a Somtoday client secret.
SECRET_PLACEHOLDER = "<the client secret comes from the host>"

#: Somtoday answers worth another try: throttled, a timeout, the server's own trouble.
_TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
#: PostgreSQL: serialization failure, deadlock, lock not available; class 08 is the connection.
_TRANSIENT_SQLSTATE = frozenset({"40001", "40P01", "55P03", "57P01", "57P03"})
_TRANSIENT_TEXT = ("database is locked", "database is busy", "could not serialize access")


@runtime_checkable
class SecretSource(Protocol):
    """Where a worker gets a tenant's Somtoday client secret: ``secret(tenant) -> str``."""

    def __call__(self, tenant: str) -> str:
        """The client secret for ``tenant``."""
        ...


@attrs.frozen
class SecretFromEnvironment:
    """A client secret read in the worker from an environment variable.

    ``{name}_{TENANT}`` (the tenant upper-cased, other characters than letters and digits
    as ``_``) wins over ``{name}``: one koppelpartner secret for every school, or one each.

    Examples:
        >>> secret = SecretFromEnvironment()
        >>> secret("99zx", environ={"EDUKOPPEL_SOMTODAY_CLIENT_SECRET_99ZX": "s3cr3t"})
        's3cr3t'
        >>> secret("12ab", environ={"EDUKOPPEL_SOMTODAY_CLIENT_SECRET": "shared"})
        'shared'
    """

    name: str = "EDUKOPPEL_SOMTODAY_CLIENT_SECRET"

    def variables(self, tenant: str) -> tuple[str, str]:
        """The variables looked at, the tenant's own first."""
        suffix = "".join(c if c.isascii() and c.isalnum() else "_" for c in tenant.upper())
        return f"{self.name}_{suffix}", self.name

    def __call__(self, tenant: str, *, environ: Mapping[str, str] | None = None) -> str:
        source = os.environ if environ is None else environ
        for name in self.variables(tenant):
            value = source.get(name, "").strip()
            if value:
                return value
        raise SomtodayConfigError(msg("fleet.secret-missing", names=self.variables(tenant)))


def _source(value: object) -> JobSource:
    if isinstance(value, SomtodaySettings):
        # The secret never travels with the job: a pickled job (a process pool's queue, a
        # cluster's scheduler, a Celery broker) would carry it in the clear.
        return attrs.evolve(value, client_secret=SECRET_PLACEHOLDER)
    if isinstance(value, str | os.PathLike) or callable(value):
        return value
    raise TypeError(msg("fleet.bad-source", kind=type(value).__name__).render())


def _codes(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Job:
    """One tenant to sync: which tenant, where its roster comes from, and how to plan it.

    Attributes:
        tenant: The tenant in the multi-tenant :class:`~edukoppel.SqlStore`.
        source: A path for :func:`edukoppel.read`, a
            :class:`~edukoppel.somtoday.SomtodaySettings`, or a callable of no arguments
            returning a :class:`~edukoppel.Roster` or :class:`~edukoppel.ReadResult`.
            Somtoday settings are kept *without* their client secret: the worker gets it
            from ``secret``.
        policy: The plan's policy (``None``: the default :class:`~edukoppel.SyncPolicy`).
        secret: For Somtoday: where the worker gets the client secret, ``secret(tenant)``
            (default: the environment, see :class:`SecretFromEnvironment`). A host callable
            must be picklable to reach a process pool or a cluster.
        acknowledge: Block codes this tenant's plan may carry (checked by an administrator).
        description: What the run log says about the run.
        prefix: The store's table prefix.

    Examples:
        >>> import pickle
        >>> from edukoppel.somtoday import SomtodaySettings
        >>> settings = SomtodaySettings.for_environment(
        ...     "test", instelling="1349fac3-259a-44fd-a1f1-6fe5f8a2f39e",
        ...     client_id="partner", client_secret="s3cr3t")
        >>> job = Job(tenant="99ZX", source=settings)
        >>> b"s3cr3t" in pickle.dumps(job)
        False
    """

    tenant: str
    source: JobSource = attrs.field(converter=_source)
    policy: SyncPolicy | None = None
    secret: SecretSource | Callable[[str], str] = attrs.field(factory=SecretFromEnvironment)
    acknowledge: tuple[str, ...] = attrs.field(default=(), converter=_codes)
    description: str | None = None
    prefix: str = "ek_"

    @property
    def source_kind(self) -> Literal["file", "somtoday", "callable"]:
        """``file``, ``somtoday`` or ``callable``."""
        if isinstance(self.source, SomtodaySettings):
            return "somtoday"
        if isinstance(self.source, str | os.PathLike):
            return "file"
        return "callable"


@attrs.frozen(kw_only=True)
class ErrorSummary:
    """Why a job failed, without personal data or secrets: the kind, a status, a message.

    ``message`` is edukoppel's own message (which names files, rows and keys, never values);
    for any other exception only its type is kept, since its text may hold anything.
    """

    kind: str
    message: str
    status: int | None = None
    transient: bool = False

    def __str__(self) -> str:
        status = f" {self.status}" if self.status is not None else ""
        return f"{self.kind}{status}: {self.message}"


@attrs.frozen(kw_only=True)
class JobResult:
    """What one job did, picklable and free of personal data.

    Attributes:
        tenant: The tenant.
        outcome: ``applied``, ``nothing-to-do``, ``refused-blocked``, ``refused-stale`` or
            ``failed`` (the run log's names).
        counts: Changes per entity kind and action, zeros left out: applied ones, or for a
            refused plan what it would have changed.
        blocked: Codes of the safeguards that blocked the plan.
        issue_counts: The read's and the plan's issues, per severity and code.
        run_number: The run's number in the tenant's log (``None`` when nothing was logged).
        attempts: How many times the job ran (more than 1 after a transient failure).
        read_seconds, plan_seconds, apply_seconds, seconds: Timings of the last attempt's
            steps, and of the whole job with its retries.
        error: Why it failed (``None`` unless ``outcome`` is ``failed``).
        worker: ``host:pid`` of the process that ran it.
        peak_memory_mib: That process's peak resident memory after the job (MiB).
    """

    tenant: str
    outcome: RunOutcome
    counts: dict[str, dict[str, int]] = attrs.field(factory=dict)
    blocked: tuple[str, ...] = ()
    issue_counts: dict[Severity, dict[str, int]] = attrs.field(factory=dict)
    run_number: int | None = None
    attempts: int = 1
    read_seconds: float = 0.0
    plan_seconds: float = 0.0
    apply_seconds: float = 0.0
    seconds: float = 0.0
    error: ErrorSummary | None = None
    worker: str = ""
    peak_memory_mib: float | None = None

    @property
    def changes(self) -> int:
        """How many changes (applied, or planned for a refused plan)."""
        return sum(n for actions in self.counts.values() for n in actions.values())

    @property
    def ok(self) -> bool:
        """True when the tenant is in sync now (applied or nothing to do)."""
        return self.outcome in ("applied", "nothing-to-do")

    def to_dict(self) -> dict[str, Any]:
        """The result as plain values (for JSON: a Celery task's return value, a log line).

        Examples:
            >>> JobResult(tenant="99ZX", outcome="applied", counts={"student": {"add": 2}}
            ...           ).to_dict()["counts"]
            {'student': {'add': 2}}
        """
        return attrs.asdict(self, recurse=True)

    def __str__(self) -> str:
        extra = f", {self.error}" if self.error is not None else ""
        blocked = f" ({', '.join(self.blocked)})" if self.blocked else ""
        return f"{self.tenant}: {self.outcome}{blocked}, {self.changes} changes{extra}"


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    stack: list[BaseException | None] = [error]
    while stack:
        item = stack.pop()
        if item is None or any(item is known for known in seen):
            continue
        seen.append(item)
        stack.extend((item.__cause__, item.__context__, getattr(item, "orig", None)))
    return seen


def is_transient(error: BaseException) -> bool:
    """Whether trying again later may succeed: a Somtoday 503, a deadlock, a locked SQLite.

    Examples:
        >>> from edukoppel.exceptions import SomtodayError
        >>> is_transient(SomtodayError("busy", status=503)), is_transient(ValueError("x"))
        (True, False)
    """
    for item in _chain(error):
        if isinstance(item, SomtodayError) and (
            item.status is None or item.status in _TRANSIENT_STATUS
        ):
            return True
        sqlstate = getattr(item, "sqlstate", None)
        if isinstance(sqlstate, str) and (
            sqlstate in _TRANSIENT_SQLSTATE or sqlstate.startswith("08")
        ):
            return True
        if isinstance(item, sqlite3.OperationalError | EdukoppelError) and any(
            text in str(item).lower() for text in _TRANSIENT_TEXT
        ):
            return True
    return False


def _summary(error: BaseException, secret: str | None) -> ErrorSummary:
    status = error.status if isinstance(error, SomtodayError) else None
    if isinstance(error, EdukoppelError):
        text = error.message_in(None)
    elif isinstance(error, OSError) and error.strerror and error.filename:
        text = f"{error.strerror}: {Path(os.fsdecode(error.filename)).name}"  # a file, no data
    else:
        text = type(error).__name__
    if secret:
        text = text.replace(secret, "***")
    return ErrorSummary(
        kind=type(error).__name__, message=text, status=status, transient=is_transient(error)
    )


def _peak_memory_mib() -> float | None:
    """This process's peak resident memory so far, in MiB (None where it cannot be known).

    On Linux the kernel's ``VmHWM``: ``ru_maxrss`` there also keeps the peak of the process
    this one was started from (a Dask nanny spawns its worker from the host's process, and
    a worker spawned by a process of 850 MiB said 850 MiB). Elsewhere ``ru_maxrss``.

    Examples:
        >>> 0 < _peak_memory_mib() < 100_000
        True
    """
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def _incoming(job: Job, secret: str | None) -> tuple[Roster, Report | None]:
    from edukoppel.readers import read

    source = job.source
    result: object
    if isinstance(source, SomtodaySettings):
        settings = attrs.evolve(source, client_secret=secret or SECRET_PLACEHOLDER)
        result = settings.__edukoppel_read__()
    elif isinstance(source, str | os.PathLike):
        result = read(Path(source))
    else:
        result = source()
    if isinstance(result, ReadResult):
        return result.roster, result.report
    if isinstance(result, Roster):
        return result, None
    raise TypeError(msg("fleet.bad-roster", kind=type(result).__name__).render())


def _source_name(job: Job) -> str:
    if isinstance(job.source, SomtodaySettings):
        return job.source.source_name
    if isinstance(job.source, str | os.PathLike):
        return Path(job.source).name
    return getattr(job.source, "__name__", "callable")


@attrs.define
class _Attempt:
    read: float = 0.0
    plan: float = 0.0
    apply: float = 0.0
    counts: dict[str, dict[str, int]] = attrs.field(factory=dict)
    blocked: tuple[str, ...] = ()
    issue_counts: dict[Severity, dict[str, int]] = attrs.field(factory=dict)


def _log_failure(job: Job, url: str, error: ErrorSummary, started: dt.datetime) -> int | None:
    """Log a run that failed before it could plan (the read): best effort, never raises."""
    from edukoppel.adapters import SqlStore

    try:
        with SqlStore(url, tenant=job.tenant, prefix=job.prefix) as store:
            run = store.record_run(
                SyncRun(
                    number=0,
                    source=_source_name(job),
                    description=job.description,
                    started_at=started,
                    finished_at=dt.datetime.now(dt.UTC),
                    outcome="failed",
                    problems=(
                        RunProblem(
                            code="read-failed",
                            message=msg("read-failed", error=str(error)).render(),
                        ),
                    ),
                    policy=None if job.policy is None else job.policy.to_dict(defaults=True),
                )
            )
            return run.number
    except Exception:  # the database itself is what failed: the result says why
        return None


def _attempt(job: Job, url: str, secret: str | None, step: _Attempt) -> tuple[RunOutcome, int]:
    from edukoppel.adapters import SqlStore
    from edukoppel.sync import apply, plan

    clock = time.perf_counter
    begin = clock()
    roster, report = _incoming(job, secret)
    step.read = clock() - begin
    with SqlStore(url, tenant=job.tenant, prefix=job.prefix) as store:
        _hold_connections(url)
        begin = clock()
        changeset = plan(store.snapshot(), roster, policy=job.policy)
        step.plan = clock() - begin
        step.counts = {
            kind: {action: n for action, n in actions.items() if n}
            for kind, actions in changeset.summary().items()
            if any(actions.values())
        }
        step.blocked = tuple(dict.fromkeys(reason.code for reason in changeset.blocked))
        step.issue_counts = count_issues(
            [*(report.issues if report is not None else ()), *changeset.issues]
        )
        begin = clock()
        try:
            acknowledge = [code for code in job.acknowledge if code in step.blocked]
            outcome = apply(
                changeset,
                store,
                acknowledge=acknowledge,
                description=job.description,
                report=report,
            )
        finally:
            step.apply = clock() - begin
        return outcome.run.outcome, outcome.run.number


def _hold_connections(url: str) -> None:
    """Keep this worker's connection pool for ``url`` open for the next school's job."""
    from edukoppel.adapters._sql_backend import hold_engine

    hold_engine(url)


def _last_run_number(job: Job, url: str) -> int | None:
    from edukoppel.adapters import SqlStore

    try:
        with SqlStore(url, tenant=job.tenant, prefix=job.prefix) as store:
            runs = store.runs()
            return runs[-1].number if runs else None
    except Exception:
        return None


def run_job(
    job: Job,
    url: str,
    *,
    retries: int = 3,
    backoff: float = 0.5,
    max_backoff: float = 30.0,
) -> JobResult:
    """Sync one tenant: read its source, plan against its store, apply; never raises.

    The module-level job function of :func:`sync_many`: a Celery task (or any worker) can
    call it with a :class:`Job` and the store's URL. Transient failures (a Somtoday 503, a
    PostgreSQL serialization failure or deadlock, a locked SQLite database) are tried again,
    up to ``retries`` times, after ``backoff`` seconds doubled each time (with jitter, at
    most ``max_backoff``). Anything else ends the job at once with outcome ``failed``.

    Examples:
        >>> import edukoppel as ek, tempfile, pathlib
        >>> url = f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'fleet.db'}"
        >>> roster = ek.Roster(students=[ek.Student(key="1")], source="las")
        >>> job = Job(tenant="99ZX", source=lambda: roster)
        >>> run_job(job, url).outcome, run_job(job, url).outcome
        ('applied', 'nothing-to-do')
    """
    clock = time.perf_counter
    began = clock()
    started = dt.datetime.now(dt.UTC)
    worker = f"{socket.gethostname()}:{os.getpid()}"
    secret: str | None = None
    attempts = 0
    while True:
        attempts += 1
        step = _Attempt()
        outcome: RunOutcome
        error: ErrorSummary | None = None
        run_number: int | None = None
        try:
            if isinstance(job.source, SomtodaySettings):
                secret = job.secret(job.tenant)
            outcome, run_number = _attempt(job, url, secret, step)
        except BlockedPlanError:
            outcome, run_number = "refused-blocked", _last_run_number(job, url)
        except StalePlanError:
            # Another apply for this tenant won; a re-run plans against its result.
            outcome, run_number = "refused-stale", _last_run_number(job, url)
        except Exception as failure:
            error = _summary(failure, secret)
            if error.transient and attempts <= retries:
                wait = min(max_backoff, backoff * 2 ** (attempts - 1))
                time.sleep(wait * random.uniform(0.5, 1.0))
                continue
            outcome = "failed"
            if step.read == 0.0 and not step.counts:
                run_number = _log_failure(job, url, error, started)
            else:
                run_number = _last_run_number(job, url)
        return JobResult(
            tenant=job.tenant,
            outcome=outcome,
            counts=step.counts,
            blocked=step.blocked,
            issue_counts=step.issue_counts,
            run_number=run_number,
            attempts=attempts,
            read_seconds=step.read,
            plan_seconds=step.plan,
            apply_seconds=step.apply,
            seconds=clock() - began,
            error=error,
            worker=worker,
            peak_memory_mib=_peak_memory_mib(),
        )


def failed_result(job: Job, error: BaseException, seconds: float = 0.0) -> JobResult:
    """The result of a job whose worker could not run it (a dead process, an unpicklable job)."""
    return JobResult(
        tenant=job.tenant, outcome="failed", error=_summary(error, None), seconds=seconds
    )
