"""The `edukoppel` command, run as a real program in a subprocess on a temporary SQLite store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import edukoppel as ek
from edukoppel.cli import BLOCKED, ERROR, OK, STALE, USAGE

ROOT = Path(__file__).resolve().parents[2]
EXPORTS = ROOT / "examples" / "exports"
WEEK_1 = EXPORTS / "leerlingen-week-1.csv"
WEEK_2 = EXPORTS / "leerlingen-week-2.csv"


def edukoppel(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the command as a user would; it never ends in a traceback."""
    environment = {**os.environ, "EDUKOPPEL_LANGUAGE": "en"}
    for name in [name for name in environment if name.startswith("EDUKOPPEL_")]:
        del environment[name]  # a developer's own store or Somtoday settings stay out
    environment["EDUKOPPEL_LANGUAGE"] = "en"
    environment.update(env or {})
    completed = subprocess.run(
        [sys.executable, "-m", "edukoppel.cli", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in completed.stderr, completed.stderr
    assert "Traceback" not in completed.stdout, completed.stdout
    return completed


def as_json(completed: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(completed.stdout)


def pupils(path: Path, count: int) -> Path:
    """A UTF-8 export of `count` made-up pupils, keys 00001 upwards."""
    lines = ["Leerlingnummer;Roepnaam;Achternaam;Klas"]
    lines += [f"{n:05d};Kind{n};Achternaam{n};1A" for n in range(1, count + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'school.db'}"


# -- sync and runs ---------------------------------------------------------------------------


def test_sync_adds_then_updates_and_archives(tmp_path: Path, store: str) -> None:
    first = edukoppel("sync", WEEK_1, "--store", store, cwd=tmp_path)
    assert first.returncode == OK, first.stderr
    assert "Applied: #1" in first.stdout
    assert "Zoë Çelik" in first.stdout  # what was added, by name
    second = edukoppel("sync", WEEK_2, "--store", store, "--json", cwd=tmp_path)
    assert second.returncode == OK, second.stderr
    answer = as_json(second)
    assert answer["run"]["outcome"] == "applied"
    assert answer["plan"]["summary"]["student"] == {
        "add": 1,
        "update": 3,
        "restore": 0,
        "archive": 1,
    }
    database = ek.SqlStore(store)
    assert database.snapshot().students["00125"].archived
    database.close()


def test_runs_lists_the_sync_log(tmp_path: Path, store: str) -> None:
    empty = edukoppel("runs", "--store", store, cwd=tmp_path)
    assert empty.returncode == OK
    assert "The sync log is empty" in empty.stdout
    edukoppel("sync", WEEK_1, "--store", store, "--source-name", "las", cwd=tmp_path)
    edukoppel("sync", WEEK_2, "--store", store, "--source-name", "las", cwd=tmp_path)
    table = edukoppel("runs", "--store", store, cwd=tmp_path)
    assert table.returncode == OK
    assert "Sync log" in table.stdout
    assert "students: 6 add" in table.stdout
    log = as_json(edukoppel("runs", "--store", store, "--json", cwd=tmp_path))
    assert [(run["number"], run["source"], run["outcome"]) for run in log] == [
        (1, "las", "applied"),
        (2, "las", "applied"),
    ]
    last = as_json(edukoppel("runs", "--store", store, "--json", "--last", "1", cwd=tmp_path))
    assert [run["number"] for run in last] == [2]


def test_a_tenant_keeps_its_own_records(tmp_path: Path, store: str) -> None:
    edukoppel("sync", WEEK_1, "--store", store, "--tenant", "school-a", cwd=tmp_path)
    other = as_json(
        edukoppel("runs", "--store", store, "--tenant", "school-b", "--json", cwd=tmp_path)
    )
    assert other == []
    own = as_json(
        edukoppel("runs", "--store", store, "--tenant", "school-a", "--json", cwd=tmp_path)
    )
    assert len(own) == 1


def test_the_store_can_come_from_the_environment(tmp_path: Path, store: str) -> None:
    done = edukoppel("sync", WEEK_1, cwd=tmp_path, env={"EDUKOPPEL_STORE": store})
    assert done.returncode == OK, done.stderr


# -- plan ------------------------------------------------------------------------------------


def test_plan_writes_nothing(tmp_path: Path, store: str) -> None:
    preview = edukoppel("plan", WEEK_1, "--store", store, cwd=tmp_path)
    assert preview.returncode == OK, preview.stderr
    assert "Plan for source 'import'" in preview.stdout
    answer = as_json(edukoppel("plan", WEEK_1, "--store", store, "--json", cwd=tmp_path))
    assert answer["plan"]["summary"]["student"]["add"] == 6
    assert answer["read"]["counts"] == {"group": 2, "student": 6}
    assert as_json(edukoppel("runs", "--store", store, "--json", cwd=tmp_path)) == []


def test_numo_tick_boxes_switch_actions_off(tmp_path: Path, store: str) -> None:
    edukoppel("sync", WEEK_1, "--store", store, cwd=tmp_path)
    answer = as_json(
        edukoppel(
            "sync", WEEK_2, "--store", store, "--no-archive", "--no-add", "--json", cwd=tmp_path
        )
    )
    summary = answer["plan"]["summary"]["student"]
    assert (summary["add"], summary["update"], summary["archive"]) == (0, 3, 0)
    nothing = as_json(
        edukoppel("plan", WEEK_2, "--store", store, "--no-update", "--json", cwd=tmp_path)
    )
    assert nothing["plan"]["summary"]["student"]["update"] == 0


def test_identity_by_email(tmp_path: Path, store: str) -> None:
    edukoppel("sync", WEEK_1, "--store", store, cwd=tmp_path)
    # The school renumbered a pupil; matched by e-mail she is the same person, a key change.
    text = WEEK_1.read_bytes().replace(b"00129;", b"00999;")
    renumbered = tmp_path / "renumbered.csv"
    renumbered.write_bytes(text)
    by_key = as_json(edukoppel("plan", renumbered, "--store", store, "--json", cwd=tmp_path))
    assert by_key["plan"]["summary"]["student"]["add"] == 1
    by_email = as_json(
        edukoppel(
            "plan", renumbered, "--store", store, "--identity", "email", "--json", cwd=tmp_path
        )
    )
    assert by_email["plan"]["summary"]["student"] == {
        "add": 0,
        "update": 1,
        "restore": 0,
        "archive": 0,
    }


# -- blocked and stale plans -----------------------------------------------------------------


def test_a_blocked_plan_is_refused_unless_acknowledged(tmp_path: Path, store: str) -> None:
    edukoppel("sync", pupils(tmp_path / "all.csv", 20), "--store", store, cwd=tmp_path)
    few = pupils(tmp_path / "few.csv", 2)  # 18 of 20 pupils would be archived
    preview = edukoppel("plan", few, "--store", store, cwd=tmp_path)
    assert preview.returncode == BLOCKED
    refused = edukoppel("sync", few, "--store", store, cwd=tmp_path)
    assert refused.returncode == BLOCKED
    assert "blocked by safeguards and was not applied" in refused.stderr
    assert "--acknowledge archive-share" in refused.stderr  # the flag that overrides
    assert "[archive-share]" in refused.stderr  # the reason
    refused_json = edukoppel("sync", few, "--store", store, "--json", cwd=tmp_path)
    assert refused_json.returncode == BLOCKED
    assert as_json(refused_json)["error"]["exit_code"] == BLOCKED
    done = edukoppel("sync", few, "--store", store, "--acknowledge", "archive-share", cwd=tmp_path)
    assert done.returncode == OK, done.stderr
    log = as_json(edukoppel("runs", "--store", store, "--json", cwd=tmp_path))
    assert [run["outcome"] for run in log] == [
        "applied",
        "refused-blocked",
        "refused-blocked",
        "applied",
    ]
    assert log[-1]["acknowledged"] == ["archive-share"]


def test_acknowledge_all_is_the_explicit_flag(tmp_path: Path, store: str) -> None:
    edukoppel("sync", pupils(tmp_path / "all.csv", 20), "--store", store, cwd=tmp_path)
    few = pupils(tmp_path / "few.csv", 2)
    done = edukoppel("sync", few, "--store", store, "--acknowledge-all", cwd=tmp_path)
    assert done.returncode == OK, done.stderr


def test_acknowledging_a_code_the_plan_lacks_is_a_usage_error(tmp_path: Path, store: str) -> None:
    wrong = edukoppel("sync", WEEK_1, "--store", store, "--acknowledge", "typo", cwd=tmp_path)
    assert wrong.returncode == USAGE
    assert "typo" in wrong.stderr
    assert as_json(edukoppel("runs", "--store", store, "--json", cwd=tmp_path)) == []


def test_a_saved_plan_applies_or_is_stale(tmp_path: Path, store: str) -> None:
    saved = tmp_path / "plan.json"
    preview = edukoppel("plan", WEEK_1, "--store", store, "--save", saved, cwd=tmp_path)
    assert preview.returncode == OK
    assert saved.is_file()
    edukoppel("sync", WEEK_2, "--store", store, cwd=tmp_path)  # the store changes meanwhile
    stale = edukoppel("sync", "--plan", saved, "--store", store, cwd=tmp_path)
    assert stale.returncode == STALE
    assert "plan again" in stale.stderr
    fresh = tmp_path / "fresh.json"
    edukoppel("plan", WEEK_1, "--store", store, "--save", fresh, cwd=tmp_path)
    applied = edukoppel("sync", "--plan", fresh, "--store", store, cwd=tmp_path)
    assert applied.returncode == OK, applied.stderr
    both = edukoppel("sync", WEEK_1, "--plan", fresh, "--store", store, cwd=tmp_path)
    assert both.returncode == USAGE
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{}", encoding="utf-8")
    unreadable = edukoppel("sync", "--plan", garbage, "--store", store, cwd=tmp_path)
    assert unreadable.returncode == ERROR
    assert "not a plan saved by" in unreadable.stderr


# -- errors a person can act on --------------------------------------------------------------


def test_a_missing_file(tmp_path: Path, store: str) -> None:
    for command in ("inspect", "plan", "sync"):
        extra = [] if command == "inspect" else ["--store", store]
        missing = edukoppel(command, "leerlingen.csv", *extra, cwd=tmp_path)
        assert missing.returncode == ERROR
        assert "leerlingen.csv: no such file" in missing.stderr
    folder = edukoppel("inspect", tmp_path, cwd=tmp_path)
    assert folder.returncode == ERROR
    assert "is a folder" in folder.stderr


def test_an_unreadable_file(tmp_path: Path, store: str) -> None:
    fake = tmp_path / "leerlingen.csv"
    fake.write_bytes(b"%PDF-1.4\n% made up\n")
    refused = edukoppel("sync", fake, "--store", store, cwd=tmp_path)
    assert refused.returncode == ERROR
    assert "this is a PDF document" in refused.stderr
    refused_json = edukoppel("inspect", fake, "--json", cwd=tmp_path)
    assert refused_json.returncode == ERROR
    assert "PDF" in as_json(refused_json)["error"]["message"]


def test_an_unmapped_required_column_with_suggestions(tmp_path: Path, store: str) -> None:
    export = tmp_path / "leerlingen.csv"
    export.write_text("Stamnr;Roepnaam;Klas;Famnaam\n1;Daan;1HA;Berg\n", encoding="utf-8")
    refused = edukoppel("sync", export, "--store", store, cwd=tmp_path)
    assert refused.returncode == ERROR
    assert "student.last_name" in refused.stderr
    assert "Famnaam" in refused.stderr  # the suggestion
    assert "--map COLUMN=FIELD" in refused.stderr
    shown = edukoppel("inspect", export, cwd=tmp_path)
    assert shown.returncode == OK
    assert "--map COLUMN=student.last_name" in shown.stdout
    mapped = edukoppel(
        "sync", export, "--store", store, "--map", "Famnaam=student.last_name", cwd=tmp_path
    )
    assert mapped.returncode == OK, mapped.stderr


def test_no_identifier_column(tmp_path: Path) -> None:
    export = tmp_path / "namen.csv"
    export.write_text("Roepnaam;Klas\nDaan;1HA\n", encoding="utf-8")
    refused = edukoppel("inspect", export, cwd=tmp_path)
    assert refused.returncode == ERROR
    assert "identifier" in refused.stderr


def test_a_store_that_cannot_be_opened(tmp_path: Path) -> None:
    refused = edukoppel("runs", "--store", "nosuchdb://user:secret@host/x", cwd=tmp_path)
    assert refused.returncode == ERROR
    assert "SqlStore works with SQLite" in refused.stderr
    assert "secret" not in refused.stderr


def test_usage_errors(tmp_path: Path, store: str) -> None:
    assert edukoppel("sync", WEEK_1, "--stor", store, cwd=tmp_path).returncode == USAGE
    assert edukoppel("plan", WEEK_1, cwd=tmp_path).returncode == USAGE  # no --store
    assert edukoppel("plan", "--store", store, cwd=tmp_path).returncode == USAGE  # no source
    bad_map = edukoppel("plan", WEEK_1, "--store", store, "--map", "Stamnr", cwd=tmp_path)
    assert bad_map.returncode == USAGE
    assert "COLUMN=FIELD" in bad_map.stderr
    assert edukoppel("template", "pupil", cwd=tmp_path).returncode == USAGE
    no_source = edukoppel("plan", "--store", store, "--json", cwd=tmp_path)
    assert as_json(no_source)["error"]["exit_code"] == USAGE
    both = edukoppel("inspect", WEEK_1, "--somtoday", cwd=tmp_path)
    assert both.returncode == USAGE


def test_help_and_version(tmp_path: Path) -> None:
    helped = edukoppel("--help", cwd=tmp_path)
    assert helped.returncode == OK
    for command in ("inspect", "plan", "sync", "template", "runs"):
        assert command in helped.stdout
    assert "3 blocked plan" in helped.stdout
    assert edukoppel("--version", cwd=tmp_path).stdout.strip() == f"edukoppel {ek.__version__}"


def test_messages_in_dutch(tmp_path: Path) -> None:
    missing = edukoppel("inspect", "weg.csv", cwd=tmp_path, env={"EDUKOPPEL_LANGUAGE": "nl"})
    assert "dit bestand bestaat niet" in missing.stderr


# -- inspect ---------------------------------------------------------------------------------


def test_inspect_shows_what_was_detected_and_the_mapping(tmp_path: Path) -> None:
    shown = edukoppel("inspect", WEEK_1, cwd=tmp_path)
    assert shown.returncode == OK, shown.stderr
    assert "'windows-1252'" in shown.stdout
    assert "Proposed mapping" in shown.stdout
    assert "student.key" in shown.stdout
    data = as_json(edukoppel("inspect", WEEK_1, "--json", cwd=tmp_path))
    (part,) = data["parts"]
    assert part["detected"]["encoding"] == "windows-1252"
    assert part["detected"]["delimiter"] == ";"
    assert part["detected"]["header_row"] == "4"
    assert part["rows"] == 6
    stamnr = next(item for item in part["mapping"] if item["column"] == "Stamnr")
    assert stamnr["field"] == "student.key"
    assert stamnr["confidence"] == 1.0
    assert stamnr["evidence"]


def test_a_profile_and_a_value_map(tmp_path: Path, store: str) -> None:
    export = tmp_path / "leerlingen.csv"
    export.write_text("Nr;Achternaam;Opleiding\n1;Berg;HAVO\n2;Bos;VWO\n", encoding="utf-8")
    mapping = ek.read(export, overrides={"Nr": "student.key"}).mapping
    assert mapping is not None
    mapping.save(tmp_path / "profile.toml")
    values = tmp_path / "values.toml"
    values.write_text('[values."student.program"]\nHAVO = "havo"\nVWO = "vwo"\n', encoding="utf-8")
    answer = as_json(
        edukoppel(
            "sync",
            export,
            "--store",
            store,
            "--profile",
            tmp_path / "profile.toml",
            "--values",
            values,
            "--json",
            cwd=tmp_path,
        )
    )
    assert answer["run"]["outcome"] == "applied"
    database = ek.SqlStore(store)
    assert database.snapshot().students["1"].program == "havo"
    database.close()


# -- several files ---------------------------------------------------------------------------


def test_several_files_are_one_roster(tmp_path: Path, store: str) -> None:
    klassen = tmp_path / "klassen.csv"
    klassen.write_text("Klascode;Klasnaam;Leerjaar\n1A;Klas 1A;1\n", encoding="utf-8")
    leerlingen = pupils(tmp_path / "leerlingen.csv", 3)
    answer = as_json(
        edukoppel("sync", klassen, leerlingen, "--store", store, "--json", cwd=tmp_path)
    )
    assert answer["read"]["format"] == "many"
    assert answer["plan"]["summary"]["student"]["add"] == 3
    shown = as_json(edukoppel("inspect", klassen, leerlingen, "--json", cwd=tmp_path))
    assert [part["entity"] for part in shown["parts"]] == ["group", "student"]


# -- template --------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_template(tmp_path: Path, file_format: str) -> None:
    target = tmp_path / f"leerlingen.{file_format}"
    made = edukoppel(
        "template", "student", "--format", file_format, "-o", target, "--json", cwd=tmp_path
    )
    assert made.returncode == OK, made.stderr
    assert as_json(made) == {"path": str(target), "entity": "student", "format": file_format}
    assert target.stat().st_size > 0
    again = edukoppel("template", "student", "--format", file_format, "-o", target, cwd=tmp_path)
    assert again.returncode == ERROR
    assert "--force" in again.stderr
    forced = edukoppel(
        "template", "student", "--format", file_format, "-o", target, "--force", cwd=tmp_path
    )
    assert forced.returncode == OK


def test_template_headers_in_english_by_default_name(tmp_path: Path) -> None:
    made = edukoppel("template", "group", "--format", "csv", "--language", "en", cwd=tmp_path)
    assert made.returncode == OK, made.stderr
    written = tmp_path / "group-template.csv"
    header = written.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("Class Code")
    read_back = ek.read(written, entity="group")
    assert read_back.mapping is not None
    assert read_back.mapping.targets


# -- Somtoday as a source --------------------------------------------------------------------


def _somtoday_environment(credentials: dict[str, str]) -> dict[str, str]:
    return {f"EDUKOPPEL_SOMTODAY_{name.upper()}": value for name, value in credentials.items()}


def test_somtoday_from_environment_variables(tmp_path: Path, store: str) -> None:
    pytest.importorskip("httpx")
    from edukoppel.testing.somtoday import SomtodayEmulator

    with SomtodayEmulator() as server:
        credentials = server.credentials()
        environment = _somtoday_environment(credentials)
        shown = edukoppel("inspect", "--somtoday", "--json", cwd=tmp_path, env=environment)
        assert shown.returncode == OK, shown.stderr
        assert as_json(shown)["format"] == "somtoday"
        done = edukoppel("sync", "--somtoday", "--store", store, cwd=tmp_path, env=environment)
        assert done.returncode == OK, done.stderr
        assert credentials["client_secret"] not in done.stdout + done.stderr
    log = as_json(edukoppel("runs", "--store", store, "--json", cwd=tmp_path))
    assert [(run["source"], run["outcome"]) for run in log] == [("somtoday", "applied")]


def test_somtoday_from_a_config_file(tmp_path: Path, store: str) -> None:
    pytest.importorskip("httpx")
    from edukoppel.testing.somtoday import SomtodayEmulator

    config = tmp_path / "somtoday.toml"
    with SomtodayEmulator() as server:
        lines = [f'{name} = "{value}"' for name, value in server.credentials().items()]
        config.write_text("[somtoday]\n" + "\n".join(lines) + "\n", encoding="utf-8")
        answer = edukoppel(
            "plan",
            "--somtoday",
            "--somtoday-config",
            config,
            "--store",
            store,
            "--json",
            cwd=tmp_path,
        )
        assert answer.returncode == OK, answer.stderr
        assert as_json(answer)["plan"]["summary"]["student"]["add"] == 3


def test_somtoday_without_credentials_says_what_is_missing(tmp_path: Path, store: str) -> None:
    pytest.importorskip("httpx")
    refused = edukoppel("sync", "--somtoday", "--store", store, cwd=tmp_path)
    assert refused.returncode == ERROR
    assert "EDUKOPPEL_SOMTODAY_CLIENT_SECRET" in refused.stderr
    # The secret is never an option, where `ps` would show it.
    secret = edukoppel("sync", "--somtoday", "--client-secret", "x", "--store", store, cwd=tmp_path)
    assert secret.returncode == USAGE


def test_somtoday_refused_credentials(tmp_path: Path, store: str) -> None:
    pytest.importorskip("httpx")
    from edukoppel.testing.somtoday import SomtodayEmulator

    with SomtodayEmulator() as server:
        environment = _somtoday_environment({**server.credentials(), "client_secret": "wrong"})
        refused = edukoppel("sync", "--somtoday", "--store", store, cwd=tmp_path, env=environment)
    assert refused.returncode == ERROR
    assert "wrong" not in refused.stderr
    assert as_json(edukoppel("runs", "--store", store, "--json", cwd=tmp_path)) == []


def test_importing_the_package_stays_light() -> None:
    """`import edukoppel.cli` loads neither click nor rich; the command loads them when run."""
    code = (
        "import sys, edukoppel, edukoppel.cli; "
        "print([name for name in ('click', 'rich', 'polars') if name in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_school_year_you_confirm_guards_the_sync(tmp_path: Path, store: str) -> None:
    """Cito's confirmation step: the admin says which year; another store's year blocks."""
    data = tmp_path / "lln.csv"
    data.write_text("Leerlingnummer;Achternaam\n00123;Berg\n", encoding="utf-8")
    first = edukoppel("sync", data, "--store", store, "--school-year", "2025-2026", cwd=tmp_path)
    assert first.returncode == OK, first.stderr
    again = edukoppel("plan", data, "--store", store, "--school-year", "2026-2027", cwd=tmp_path)
    assert again.returncode == BLOCKED
    assert "school-year-mismatch" in again.stdout + again.stderr

    titled = tmp_path / "titled.csv"
    titled.write_text(
        "Leerlingen, schooljaar 2024-2025\nLeerlingnummer;Achternaam\n00123;Berg\n",
        encoding="utf-8",
    )
    refused = edukoppel(
        "plan", titled, "--store", store, "--school-year", "2025-2026", cwd=tmp_path
    )
    assert refused.returncode == ERROR
    assert "--school-year says 2025-2026, but the file says 2024-2025" in refused.stderr
    bad = edukoppel("inspect", data, "--school-year", "volgend jaar", cwd=tmp_path)
    assert bad.returncode == USAGE
