"""`edukoppel sync-many`: a folder or a jobs file of tenants into one store, by CliRunner.

On SQLite files; the PostgreSQL case runs when ``EDUKOPPEL_POSTGRES_URL`` is set.
"""

from __future__ import annotations

import json
import os
import re
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner
from tests.adapters.test_sql_store import postgres_url_or_skip

import edukoppel as ek
from edukoppel import fleet
from edukoppel.cli import BLOCKED, ERROR, OK, STALE, USAGE
from edukoppel.cli._app import _fleet_exit_code, run
from edukoppel.cli._jobs import TenantRead, jobs_from_file
from edukoppel.somtoday import SomtodaySettings
from edukoppel.testing.somtoday import SomtodayEmulator, generated_instelling

SCHOOL_YEAR = "2025-2026"


@attrs.frozen
class Ran:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def edukoppel(*args: str | Path, env: dict[str, str] | None = None) -> Ran:
    """Run the command in CliRunner's isolation (its stdout and stderr), in English."""
    environment: dict[str, str | None] = {
        name: None for name in os.environ if name.startswith("EDUKOPPEL_")
    }
    environment.update({"EDUKOPPEL_LANGUAGE": "en", "COLUMNS": "200", **(env or {})})
    runner = CliRunner()
    with runner.isolation(env=environment) as (stdout, stderr, _):
        code = run([str(arg) for arg in args])
        sys.stdout.flush()
        sys.stderr.flush()
        ran = Ran(code, stdout.getvalue().decode(), stderr.getvalue().decode())
    assert "Traceback" not in ran.stdout + ran.stderr, ran
    return ran


def write_school(path: Path, brin: str, pupils: int) -> Path:
    roster = ek.Roster(
        school=ek.School(brin=brin, school_year=SCHOOL_YEAR),
        students=[ek.Student(key=f"{brin}-{n:03d}", last_name=f"L{n}") for n in range(pupils)],
        source="las",
    )
    ek.write_edexml(roster, path)
    return path


def pupils_csv(path: Path, keys: range) -> Path:
    lines = ["Leerlingnummer;Roepnaam;Achternaam;Klas"]
    lines += [f"{n:05d};Kind{n};Achternaam{n};1A" for n in keys]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def keys(url: str, tenant: str) -> set[str]:
    with ek.SqlStore(url, tenant=tenant) as store:
        return {student.key for student in store.snapshot().students if not student.archived}


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'vendor.db'}"


# -- a folder of tenants -------------------------------------------------------------------


def test_a_folder_syncs_each_file_and_subfolder_as_its_tenant(tmp_path: Path, url: str) -> None:
    schools = tmp_path / "schools"
    schools.mkdir()
    write_school(schools / "10AA.xml", "10AA", 3)
    (schools / "11BB").mkdir()
    pupils_csv(schools / "11BB" / "leerlingen.csv", range(1, 6))
    (schools / ".hidden").write_text("not a school", encoding="utf-8")

    first = edukoppel("sync-many", schools, "--store", url, "--workers", "2")
    assert first.code == OK, first
    assert first.stdout.startswith("2 tenants in ")
    assert "2 applied, 0 nothing to do" in first.stdout
    assert ek.SqlStore.tenants(url) == ["10AA", "11BB"]
    assert keys(url, "10AA") == {"10AA-000", "10AA-001", "10AA-002"}
    assert keys(url, "11BB") == {f"{n:05d}" for n in range(1, 6)}

    again = edukoppel("sync-many", schools, "--store", url, "--executor", "thread", "--json")
    assert again.code == OK, again
    answer = again.json()
    assert answer["exit_code"] == OK
    assert answer["summary"]["outcomes"]["nothing-to-do"] == 2
    assert [row["tenant"] for row in answer["results"]] == ["10AA", "11BB"]
    assert answer["results"][1]["run_number"] == 2


def test_the_folder_takes_the_sync_switches(tmp_path: Path, url: str) -> None:
    schools = tmp_path / "schools"
    schools.mkdir()
    pupils_csv(schools / "10AA.csv", range(1, 21))
    assert edukoppel("sync-many", schools, "--store", url).code == OK
    pupils_csv(schools / "10AA.csv", range(2, 22))  # one left, one came
    ran = edukoppel("sync-many", schools, "--store", url, "--no-archive", "--json")
    assert ran.code == OK, ran
    assert ran.json()["results"][0]["counts"] == {"student": {"add": 1}}
    assert "00001" in keys(url, "10AA")


def test_quiet_says_nothing_when_every_tenant_is_fine(tmp_path: Path, url: str) -> None:
    schools = tmp_path / "schools"
    schools.mkdir()
    write_school(schools / "10AA.xml", "10AA", 2)
    fine = edukoppel("sync-many", schools, "--store", url, "--quiet")
    assert (fine.code, fine.stdout, fine.stderr) == (OK, "", "")
    (schools / "11BB.csv").write_text("Naam\nBerg\n", encoding="utf-8")  # no key column
    trouble = edukoppel("sync-many", schools, "--store", url, "-q")
    assert trouble.code == ERROR
    assert "11BB: failed (" in trouble.stdout
    assert "student.key" in trouble.stdout  # which field has no column


# -- a jobs file -----------------------------------------------------------------------------


JOBS = """
[defaults]
source-name = "leerlingen-export"

[tenants.10AA]
source = "10AA.xml"
description = "nightly"

[tenants.11BB]
source = ["klassen.csv", "leerlingen.csv"]
archive = false

[tenants.12CC]
source = "missing.xml"

[tenants.13DD]
source = "famnaam.csv"
map = { Famnaam = "student.last_name", Opmerking = "" }
"""


def jobs_folder(tmp_path: Path) -> Path:
    write_school(tmp_path / "10AA.xml", "10AA", 4)
    (tmp_path / "klassen.csv").write_text(
        "Klascode;Klasnaam;Leerjaar\n1A;Klas 1A;1\n", encoding="utf-8"
    )
    (tmp_path / "leerlingen.csv").write_text(
        "Leerlingnummer;Achternaam;Klas\n001;Berg;1A\n002;Bos;1A\n", encoding="utf-8"
    )
    (tmp_path / "famnaam.csv").write_text(
        "Leerlingnummer;Famnaam;Opmerking\n7;Berg;x\n", encoding="utf-8"
    )
    path = tmp_path / "jobs.toml"
    path.write_text(JOBS, encoding="utf-8")
    return path


def test_a_jobs_file_gives_each_tenant_its_source_and_options(tmp_path: Path, url: str) -> None:
    jobs = jobs_from_file(jobs_folder(tmp_path))
    assert [job.tenant for job in jobs] == ["10AA", "11BB", "12CC", "13DD"]
    eleven = jobs[1]
    assert isinstance(eleven.source, TenantRead)
    assert eleven.source.files == (tmp_path / "klassen.csv", tmp_path / "leerlingen.csv")
    assert eleven.source.source_name == "leerlingen-export"
    assert eleven.policy is not None
    assert not eleven.policy.allows("student", "archive")

    ran = edukoppel("sync-many", tmp_path / "jobs.toml", "--store", url)
    assert ran.code == ERROR, ran  # 12CC failed; the others were synced all the same
    assert "3 applied, 0 nothing to do, 0 refused as blocked, 0 refused as stale, 1 failed" in (
        ran.stdout
    )
    assert "12CC: failed (FileNotFoundError: No such file or directory: missing.xml)" in ran.stdout
    assert keys(url, "11BB") == {"001", "002"}
    with ek.SqlStore(url, tenant="13DD") as store:
        assert [s.last_name for s in store.snapshot().students] == ["Berg"]  # mapped by hand
    with ek.SqlStore(url, tenant="10AA") as store:
        (entry,) = store.runs()
    assert (entry.description, entry.source) == ("nightly", "leerlingen-export")
    with ek.SqlStore(url, tenant="11BB") as store:
        assert store.runs()[0].source == "leerlingen-export"


def test_the_jobs_file_of_the_docs_is_read_as_it_says(tmp_path: Path) -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- jobs-file -->\n```toml\n(.*?)^```", page, re.DOTALL | re.MULTILINE)
    assert found is not None
    path = tmp_path / "schools.toml"
    path.write_text(found.group(1), encoding="utf-8")
    ten, eleven, twelve = jobs_from_file(path)
    assert isinstance(ten.source, TenantRead)
    assert ten.source.files == (tmp_path / "exports" / "10AA.csv",)
    assert ten.source.source_name == "leerlingen-export"
    assert isinstance(eleven.source, TenantRead)
    assert eleven.source.overrides == (("Famnaam", "student.last_name"),)
    assert eleven.policy is not None
    assert not eleven.policy.allows("student", "archive")
    assert eleven.policy.allows("student", "update")
    assert twelve.source_kind == "somtoday"
    assert isinstance(twelve.source, SomtodaySettings)
    assert twelve.source.instelling == "1349fac3-259a-44fd-a1f1-6fe5f8a2f39e"
    assert twelve.source.source_name == "somtoday"
    assert twelve.source.api_url == "https://api.somtoday.nl/rest/v1"


def test_the_exit_code_is_the_worst_outcome() -> None:
    def report(*outcomes: str) -> fleet.FleetReport:
        return fleet.FleetReport(
            [fleet.JobResult(tenant=str(n), outcome=o) for n, o in enumerate(outcomes)]  # type: ignore[arg-type]
        )

    assert _fleet_exit_code(report("applied", "nothing-to-do")) == OK
    assert _fleet_exit_code(report("applied", "refused-stale")) == STALE
    assert _fleet_exit_code(report("refused-stale", "refused-blocked")) == BLOCKED
    assert _fleet_exit_code(report("refused-blocked", "failed", "applied")) == ERROR
    assert _fleet_exit_code(report()) == OK


def test_a_blocked_tenant_exits_3_and_the_acknowledged_one_applies(
    tmp_path: Path, url: str
) -> None:
    schools = tmp_path / "schools"
    schools.mkdir()
    write_school(schools / "10AA.xml", "10AA", 30)
    write_school(schools / "11BB.xml", "11BB", 30)
    assert edukoppel("sync-many", schools, "--store", url).code == OK
    write_school(schools / "10AA.xml", "10AA", 3)  # a selection left on: 27 would leave
    blocked = edukoppel("sync-many", schools, "--store", url, "--json")
    assert blocked.code == BLOCKED
    rows = {row["tenant"]: row for row in blocked.json()["results"]}
    assert rows["10AA"]["outcome"] == "refused-blocked"
    assert rows["10AA"]["blocked"] == ["archive-share"]
    assert rows["11BB"]["outcome"] == "nothing-to-do"
    ran = edukoppel("sync-many", schools, "--store", url, "--acknowledge", "archive-share")
    assert ran.code == OK, ran
    assert len(keys(url, "10AA")) == 3


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[tenants.10AA]\nsource = "a.csv"\narchiv = false\n', "unknown option 'archiv'"),
        ("[tenants.10AA]\narchive = false\n", "give either 'source'"),
        ('[tenants.10AA]\nsource = "a.csv"\narchive = "no"\n', "'archive' must be true or false"),
        ('[tenants.10AA]\nsource = "a.csv"\nidentity = "name"\n', "'identity' must be one of"),
        ('[tenants.10AA]\nsource = "a.csv"\nbrin = "10A"\n', "brin"),
        ('[tenant.10AA]\nsource = "a.csv"\n', "unknown table tenant"),
        ("[defaults]\n", "no tenants"),
        ("[tenants.10AA\n", "not a readable jobs file"),
        ('[tenants.10AA]\nsomtoday = "prod"\n', "no [somtoday.prod] table"),
        (
            '[tenants.10AA]\nsomtoday = "prod"\nmap = {A = "student.key"}\n'
            '[somtoday.prod]\nenvironment = "test"\nclient_id = "x"\ninstelling = "y"\n',
            "map only apply to files",
        ),
    ],
)
def test_a_mistake_in_the_jobs_file_is_refused_before_anything_runs(
    tmp_path: Path, url: str, text: str, says: str
) -> None:
    path = tmp_path / "jobs.toml"
    path.write_text(text, encoding="utf-8")
    ran = edukoppel("sync-many", path, "--store", url)
    assert ran.code == ERROR, ran
    assert "jobs.toml" in ran.stderr
    assert says in ran.stderr
    assert "[tenants.10AA]" in ran.stderr or "[tenants.10AA]" not in text
    assert not (tmp_path / "vendor.db").exists()  # nothing ran


def test_a_secret_in_the_jobs_file_is_refused(tmp_path: Path, url: str) -> None:
    path = tmp_path / "jobs.toml"
    path.write_text(
        '[tenants.10AA]\nsomtoday = "prod"\n[somtoday.prod]\nenvironment = "test"\n'
        'client_id = "x"\ninstelling = "y"\nclient_secret = "s3cr3t"\n',
        encoding="utf-8",
    )
    ran = edukoppel("sync-many", path, "--store", url, "--json")
    assert ran.code == ERROR
    message = ran.json()["error"]["message"]
    assert "does not belong in the jobs file" in message
    assert "s3cr3t" not in ran.stdout + ran.stderr


def test_sync_options_with_a_jobs_file_are_a_usage_error(tmp_path: Path, url: str) -> None:
    path = jobs_folder(tmp_path)
    ran = edukoppel("sync-many", path, "--store", url, "--no-archive", "--identity", "email")
    assert ran.code == USAGE
    assert "--archive, --identity" in ran.stderr


def test_a_wrong_store_is_one_error_and_a_missing_path_a_usage_error(tmp_path: Path) -> None:
    path = jobs_folder(tmp_path)
    wrong = edukoppel("sync-many", path, "--store", "nosuchdb://x")
    assert wrong.code == ERROR
    assert wrong.stderr.count("error:") == 1
    missing = edukoppel("sync-many", tmp_path / "nowhere", "--store", "sqlite://")
    assert missing.code == USAGE


# -- Somtoday ----------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[SomtodayEmulator]:
    instellingen = [generated_instelling(students=8, vestigingen=1, seed=n) for n in range(2)]
    with SomtodayEmulator(instellingen) as emulator:
        yield emulator


def test_somtoday_tenants_read_their_secret_from_the_environment(
    server: SomtodayEmulator, tmp_path: Path, url: str
) -> None:
    path = tmp_path / "jobs.toml"
    tables = [
        f'[tenants.school-{n}]\nsomtoday = "emulator"\ninstelling = "{item.uuid}"\n'
        for n, item in enumerate(server.instellingen)
    ]
    credentials = server.credentials(0)
    tables.append(
        f'[somtoday.emulator]\napi_url = "{credentials["api_url"]}"\n'
        f'token_url = "{credentials["token_url"]}"\nclient_id = "{credentials["client_id"]}"\n'
        "retries = 0\n"
    )
    path.write_text("\n".join(tables), encoding="utf-8")
    secret = server.client_secret
    assert secret not in path.read_text(encoding="utf-8")

    ran = edukoppel(
        "sync-many", path, "--store", url, "--executor", "thread", "--json",
        env={"EDUKOPPEL_SOMTODAY_CLIENT_SECRET_SCHOOL_0": secret},
    )  # fmt: skip
    assert ran.code == ERROR  # school-1 has no secret
    rows = {row["tenant"]: row for row in ran.json()["results"]}
    assert rows["school-0"]["outcome"] == "applied"
    assert rows["school-0"]["counts"]["student"]["add"] == 8
    assert rows["school-1"]["outcome"] == "failed"
    assert "EDUKOPPEL_SOMTODAY_CLIENT_SECRET_SCHOOL_1" in rows["school-1"]["error"]["message"]
    assert secret not in ran.stdout + ran.stderr


# -- PostgreSQL ----------------------------------------------------------------------------


def test_sync_many_into_postgresql(tmp_path: Path) -> None:
    url = postgres_url_or_skip(os.environ)
    run_id = uuid.uuid4().hex[:8]
    tenants = [f"cli-{run_id}-{n}" for n in range(3)]
    schools = tmp_path / "schools"
    schools.mkdir()
    for n, tenant in enumerate(tenants):
        write_school(schools / f"{tenant}.xml", f"{10 + n}AA", 5 + n)
    try:
        ran = edukoppel("sync-many", schools, "--store", url, "--workers", "2")
        assert ran.code == OK, ran
        assert "3 applied" in ran.stdout
        assert [len(keys(url, tenant)) for tenant in tenants] == [5, 6, 7]
        again = edukoppel("sync-many", schools, "--store", url, "--json")
        assert again.json()["summary"]["outcomes"]["nothing-to-do"] == 3
    finally:
        for tenant in tenants:
            if tenant in ek.SqlStore.tenants(url):
                ek.SqlStore.delete_tenant(url, tenant, confirm=tenant)
