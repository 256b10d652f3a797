"""The Celery recipe of docs/fleet.md, run in Celery's eager mode (task_always_eager)."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from tests.fleet.recipes import recipe

import edukoppel as ek

pytest.importorskip("celery")


def test_the_celery_recipe_syncs_one_task_per_school(tmp_path: Path) -> None:
    paths = {}
    for brin, pupils in {"10AA": 3, "11BB": 4}.items():
        paths[brin] = tmp_path / f"{brin}.xml"
        ek.write_edexml(
            ek.Roster(
                school=ek.School(brin=brin, school_year="2025-2026"),
                students=[ek.Student(key=f"{brin}-{n}", last_name="L") for n in range(pupils)],
                source="las",
            ),
            paths[brin],
        )
    code = recipe("celery").replace(
        'app = Celery("vendor", broker=BROKER_URL)\n',
        'app = Celery("vendor", broker=BROKER_URL)\napp.conf.task_always_eager = True\n',
    )
    assert "task_always_eager" in code
    namespace: dict[str, object] = {
        "__name__": "celery_recipe",
        "BROKER_URL": "memory://",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'vendor.db'}",
        "TENANTS": sorted(paths),
        "source_for": functools.partial(dict.__getitem__, paths),
    }
    exec(compile(code, "docs/fleet.md (celery recipe)", "exec"), namespace)
    assert namespace["outcomes"] == {"10AA": "applied", "11BB": "applied"}


def test_the_celery_worker_recipe_prepares_each_worker_process() -> None:
    import gc
    import sys

    from celery.signals import worker_process_init

    before = list(worker_process_init.receivers)
    namespace: dict[str, object] = {"__name__": "celery_worker_recipe"}
    exec(compile(recipe("celery-worker"), "docs/fleet.md (celery-worker)", "exec"), namespace)
    assert len(worker_process_init.receivers) == len(before) + 1
    try:
        gc.unfreeze()
        worker_process_init.send(sender=None)  # what Celery sends in each new worker process
        assert gc.get_freeze_count() > 10_000
        assert "edukoppel.adapters._sql_backend" in sys.modules
    finally:
        gc.unfreeze()  # a test run is no worker
        worker_process_init.receivers[:] = before
        worker_process_init.sender_receivers_cache.clear()
