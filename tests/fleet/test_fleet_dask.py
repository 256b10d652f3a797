"""edukoppel.fleet on a real Dask LocalCluster of two worker processes (Client.get_executor())."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import edukoppel as ek
from edukoppel import fleet

distributed = pytest.importorskip("distributed")


def write_school(folder: Path, brin: str, pupils: int) -> Path:
    roster = ek.Roster(
        school=ek.School(brin=brin, school_year="2025-2026"),
        students=[ek.Student(key=f"{brin}-{n:04d}", last_name=f"L{n}") for n in range(pupils)],
        source="las",
    )
    path = folder / f"{brin}.xml"
    ek.write_edexml(roster, path)
    return path


@pytest.mark.slow
def test_sync_many_runs_on_a_dask_cluster(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fleet.db'}"
    sizes = {f"{10 + n}AA": 5 + n for n in range(6)}
    jobs = [fleet.Job(tenant=b, source=write_school(tmp_path, b, n)) for b, n in sizes.items()]
    jobs.append(fleet.Job(tenant="99ZZ", source=tmp_path / "missing.xml"))
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        executor = client.get_executor()
        results = {r.tenant: r for r in fleet.sync_many(jobs, url=url, executor=executor)}
        again = {
            r.tenant: r.outcome
            for r in fleet.sync_many(jobs, url=url, executor=executor, jobs_per_task=3)
        }
    assert results["99ZZ"].outcome == "failed"
    for brin, n in sizes.items():
        assert results[brin].outcome == "applied"
        assert results[brin].counts["student"] == {"add": n}
        assert again[brin] == "nothing-to-do"
    assert os.getpid() not in {int(r.worker.rsplit(":", 1)[1]) for r in results.values()}


@pytest.mark.slow
def test_the_dask_recipe_of_the_docs_runs(tmp_path: Path) -> None:
    from tests.fleet.recipes import recipe

    jobs = [fleet.Job(tenant=b, source=write_school(tmp_path, b, 3)) for b in ("10AA", "11BB")]
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        code = recipe("dask").replace('"tcp://scheduler:8786"', repr(cluster.scheduler_address))
        namespace: dict[str, object] = {
            "__name__": "dask_recipe",
            "jobs": jobs,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'vendor.db'}",
        }
        exec(compile(code, "docs/fleet.md (dask recipe)", "exec"), namespace)
    report = namespace["report"]
    assert isinstance(report, fleet.FleetReport)
    assert report.by_outcome["applied"] == 2


@pytest.mark.slow
def test_jobs_in_flight_follow_the_clusters_threads_not_this_machines_cores() -> None:
    """A cluster of 3 workers with 2 threads each runs 6 jobs at once: 12 are in flight."""
    from edukoppel.fleet._many import _workers

    with (
        distributed.LocalCluster(
            n_workers=3, threads_per_worker=2, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert _workers(client.get_executor()) == 6


def _flatten(tree: dict[str, object], prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def test_dask_config_names_settings_this_dask_has_and_the_docs_file_says_the_same() -> None:
    """A key Dask renamed would be set and never read: each must be one of Dask's own."""
    import dask
    import yaml
    from tests.fleet.recipes import recipe

    settings = fleet.dask_config()
    for key in settings:
        dask.config.get(key)  # raises KeyError for a key Dask does not have
    assert _flatten(yaml.safe_load(recipe("dask-yaml", "yaml"))) == settings


@pytest.mark.slow
def test_workers_started_by_the_docs_cluster_recipe_have_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.fleet.recipes import recipe

    # Defined here, so that Dask sends it by value: a worker cannot import this test module.
    def _worker_settings() -> tuple[str | None, object, object, object]:
        import dask

        return (
            os.environ.get("MALLOC_TRIM_THRESHOLD_"),
            dask.config.get("distributed.worker.profile.enabled"),
            dask.config.get("distributed.admin.tick.interval"),
            dask.config.get("distributed.admin.system-monitor.interval"),
        )

    # A nanny writes its variables into this process's environment, where the next cluster's
    # workers inherit them: an earlier test's cluster would have left the trim threshold.
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    namespace: dict[str, object] = {"__name__": "dask_cluster_recipe"}
    # No dashboard on a fixed port: another test's cluster may hold it.
    code = recipe("dask-cluster").replace(
        "threads_per_worker=1)", 'threads_per_worker=1, dashboard_address=":0")'
    )
    assert code != recipe("dask-cluster")
    exec(compile(code, "docs/fleet.md (dask-cluster)", "exec"), namespace)
    cluster = namespace["cluster"]
    assert isinstance(cluster, distributed.LocalCluster)
    with cluster, distributed.Client(cluster) as client:
        seen = set(client.run(_worker_settings).values())
    assert seen == {(None, False, "200ms", "5s")}
    # Started without them, the nanny sets the trim threshold and the profiler runs.
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as plain,
        distributed.Client(plain) as client,
    ):
        (default,) = client.run(_worker_settings).values()
    assert default[0] is not None
    assert default[1:] == (True, "20ms", "500ms")
