"""Two applies of one tenant made to race through ``sync_many``, on real worker processes.

The test holds the tenant's write lock (SQLite's ``BEGIN IMMEDIATE``, PostgreSQL's row lock)
while both jobs read, snapshot and plan against the same revision; each job's source marks,
from inside its worker, the moment the job asks for that lock (so both have planned). Then
the test lets go: one apply wins, the other finds the revision moved and is refused as stale.
No timing decides the order of plan and apply.
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import site
import threading
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

import edukoppel as ek
from edukoppel import fleet

_marking: dict[str, Path] = {}
_ROOT = Path(__file__).resolve().parents[2]


def importable() -> dict[str, object]:
    """Options for a process pool whose workers can import this module (``tests.fleet.racing``).

    The jobs' sources are functions of this module. pytest imports it by its path
    (``--import-mode=importlib``), so a worker started without the repository on its path
    (``pytest`` rather than ``python -m pytest``) could not unpickle them.
    """
    return {"initializer": site.addsitedir, "initargs": (str(_ROOT),)}


#: A school of 40 pupils (0-39), and two later exports of it: first key, pupils.
SEED, ROSTERS = (0, 40), {"a": (0, 42), "b": (2, 40)}


def racing_jobs(
    tmp_path: Path, tenant: str, prefix: str = "ek_"
) -> tuple[list[fleet.Job], list[Path], list[ek.Roster]]:
    """Two jobs for one tenant with different rosters, each marking its lock request."""
    marks = [tmp_path / f"{name}.lock" for name in ROSTERS]
    rosters = [school(tenant, first, n) for first, n in ROSTERS.values()]
    jobs = [
        fleet.Job(tenant=tenant, source=functools.partial(marked, mark, roster), prefix=prefix)
        for mark, roster in zip(marks, rosters, strict=True)
    ]
    return jobs, marks, rosters


def check_one_won(
    url: str, tenant: str, results: list[fleet.JobResult], *, prefix: str = "ek_"
) -> None:
    """One apply won and holds the store; the other was refused as stale and logged so."""
    assert sorted(r.outcome for r in results) == ["applied", "refused-stale"], results
    loser = next(r for r in results if r.outcome == "refused-stale")
    assert loser.error is None
    assert loser.changes > 0  # what it would have changed
    assert len({r.worker for r in results}) == 2  # two processes really raced
    with ek.SqlStore(url, tenant=tenant, prefix=prefix) as saved:
        _seed, *raced = saved.runs()
        active = {s.key for s in saved.snapshot().students if not s.archived}
    # The winner's run is logged after its apply commits, so the loser's refusal may come
    # first in the log.
    assert sorted(run.outcome for run in raced) == ["applied", "refused-stale"]
    assert {run.number: run.outcome for run in raced}[loser.run_number] == "refused-stale"
    exports = [range(first, first + pupils) for first, pupils in ROSTERS.values()]
    assert active in [{f"{n:05d}" for n in keys} for keys in exports]  # one export, whole


def school(tenant: str, first: int, pupils: int) -> ek.Roster:
    """``pupils`` pupils keyed from ``first`` (``00000``...), from the source ``las``."""
    return ek.Roster(
        school=ek.School(brin=tenant, school_year="2025-2026"),
        students=[
            ek.Student(key=f"{n:05d}", last_name=f"L{n}") for n in range(first, first + pupils)
        ],
        source="las",
    )


def _mark_lock_requests(
    _connection: object,
    _cursor: object,
    statement: str,
    *_: object,
) -> None:
    text = statement.upper()
    if "BEGIN IMMEDIATE" in text or "FOR NO KEY UPDATE" in text:
        mark = _marking.pop("next", None)
        if mark is not None:
            mark.touch()


def marked(mark: Path, roster: ek.Roster) -> ek.Roster:
    """``roster``, after arranging that this worker's next lock request touches ``mark``."""
    if not sa.event.contains(sa.Engine, "before_cursor_execute", _mark_lock_requests):
        sa.event.listen(sa.Engine, "before_cursor_execute", _mark_lock_requests)
    _marking["next"] = mark
    return roster


def race(
    jobs: list[fleet.Job],
    marks: list[Path],
    *,
    url: str,
    executor: cf.Executor,
    release: Callable[[], None],
    timeout: float = 120.0,
) -> list[fleet.JobResult]:
    """Run ``jobs`` by ``sync_many``; once every mark is there, ``release()`` the held lock."""
    results: list[fleet.JobResult] = []
    failures: list[BaseException] = []

    def consume() -> None:
        try:
            results.extend(fleet.sync_many(jobs, url=url, executor=executor))
        except BaseException as error:  # pragma: no cover - reported by the assert below
            failures.append(error)

    runner = threading.Thread(target=consume)
    runner.start()
    deadline = time.monotonic() + timeout
    try:
        while not all(mark.exists() for mark in marks):
            assert runner.is_alive(), (results, failures)  # a job ended before it locked
            assert time.monotonic() < deadline, "the jobs never asked for the tenant's lock"
            time.sleep(0.05)
    finally:
        release()
        runner.join(timeout)
    assert not failures, failures
    return results
