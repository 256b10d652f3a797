"""The Dask settings for a cluster whose workers sync schools (docs/fleet.md)."""

from __future__ import annotations

__all__ = ["dask_config"]


def dask_config() -> dict[str, object]:
    """Dask settings that leave a worker's CPU to the schools it syncs, for ``dask.config.set``.

    They take effect where the workers start: set them in the process that starts a
    ``LocalCluster``, or write them into the workers' Dask configuration file (docs/fleet.md
    shows it). What each buys was measured on a ``LocalCluster`` of two worker processes on
    two cores, a weekly sync of 200 schools (docs/fleet.md):

    - the statistical profiler, which samples the running task's stack every 10 ms for the
      dashboard, off: about 5% of a worker's CPU;
    - the nanny's ``MALLOC_TRIM_THRESHOLD_`` of 64 KiB, which hands freed memory back to the
      system at once for the next school to fault in again, off: 5 to 10% of a weekly sync.
      A nanny writes it into the environment of the process it runs in, where the next
      cluster's workers inherit it: set these before the process starts its first cluster;
    - each server's event loop measuring itself every 200 ms instead of every 20, and
      sampling the machine for the dashboard's graphs every 5 s instead of every 0.5: every
      wake takes the interpreter's lock from the running school. Together 7 to 12% more
      schools a minute. The loop's warnings of a blocked event loop still come (the limit
      is 3 s); the dashboard's system graphs get a point every 5 s.

    Examples:
        >>> settings = dask_config()
        >>> settings["distributed.worker.profile.enabled"]
        False
        >>> settings["distributed.admin.tick.interval"]
        '200ms'

        In the process that starts the cluster (not run here)::

            with dask.config.set(fleet.dask_config()):
                cluster = distributed.LocalCluster(n_workers=8, threads_per_worker=1)
    """
    return {
        "distributed.worker.profile.enabled": False,
        "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
        "distributed.admin.tick.interval": "200ms",
        "distributed.admin.system-monitor.interval": "5s",
    }
