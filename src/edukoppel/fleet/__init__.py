"""Sync many schools (tenants) into one multi-tenant SqlStore, on any executor.

A :class:`Job` names a tenant and where its roster comes from; :func:`run_job` reads, plans
and applies it into ``SqlStore(url, tenant=...)`` and returns a picklable
:class:`JobResult`; :func:`sync_many` runs many jobs on a thread or process pool, Dask's
``Client.get_executor()`` or any :class:`concurrent.futures.Executor`, one tenant's trouble
never stopping another's. docs/fleet.md has the recipes (process pool, Dask, Celery).

Examples:
    >>> import edukoppel as ek, tempfile, pathlib, concurrent.futures as cf
    >>> from edukoppel import fleet
    >>> url = f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'vendor.db'}"
    >>> roster = ek.Roster(students=[ek.Student(key="1")], source="las")
    >>> jobs = [fleet.Job(tenant=name, source=lambda: roster) for name in ("99ZX", "12AB")]
    >>> with cf.ThreadPoolExecutor(2) as pool:
    ...     report = fleet.FleetReport.collect(fleet.sync_many(jobs, url=url, executor=pool))
    >>> report.by_outcome["applied"]
    2
"""

from __future__ import annotations

from edukoppel.fleet._dask import dask_config
from edukoppel.fleet._job import (
    ErrorSummary,
    Job,
    JobResult,
    JobSource,
    SecretFromEnvironment,
    SecretSource,
    is_transient,
    run_job,
)
from edukoppel.fleet._many import FleetReport, Progress, prepare_worker, results_frame, sync_many

__all__ = [
    "ErrorSummary",
    "FleetReport",
    "Job",
    "JobResult",
    "JobSource",
    "Progress",
    "SecretFromEnvironment",
    "SecretSource",
    "dask_config",
    "is_transient",
    "prepare_worker",
    "results_frame",
    "run_job",
    "sync_many",
]
