"""The example school: its exports are the generator's output, and each shape syncs the same."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

import edukoppel as ek
from edukoppel.cli import OK

from .test_cli import as_json, edukoppel

ROOT = Path(__file__).resolve().parents[2]
SCHOOL = ROOT / "examples" / "school"
SHAPES = {
    "numo": "numo/inleesbestand-week-{week}.csv",
    "kic": "kic/kic-week-{week}.xlsx",
    "magister": "magister/leerlingen-week-{week}.csv",
    "edexml": "edexml/edex-week-{week}.xml",
}


def test_the_committed_exports_are_the_generators_output(tmp_path: Path) -> None:
    generator = runpy.run_path(str(ROOT / "examples" / "make_school.py"))
    written = generator["write_all"](tmp_path)
    assert len(written) == 8
    for path in written:
        committed = SCHOOL / path.relative_to(tmp_path)
        assert committed.read_bytes() == path.read_bytes(), committed


def test_the_numo_export_is_ansi_with_semicolons() -> None:
    data = (SCHOOL / SHAPES["numo"].format(week=1)).read_bytes()
    assert data.decode("cp1252").startswith("achternaam;voornaam;gebruikersnaam")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # "ANSI": Zoë's ë is one byte


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_shape_syncs_the_same_weeks(tmp_path: Path, shape: str) -> None:
    store = f"sqlite:///{tmp_path / 'school.db'}"
    summaries = []
    for week in (1, 2):
        export = SCHOOL / SHAPES[shape].format(week=week)
        done = edukoppel("sync", export, "--store", store, "--json", cwd=tmp_path)
        assert done.returncode == OK, done.stderr
        summaries.append(as_json(done)["plan"]["summary"])
    assert summaries[0]["student"]["add"] == 24
    assert summaries[1] == {"student": {"add": 2, "update": 2, "restore": 0, "archive": 1}}
    database = ek.SqlStore(store)
    students = database.snapshot().students
    database.close()
    key = "1005" if shape == "numo" else "001005"  # Numo's file has usernames, no stamnummer
    assert students[key].archived  # the leaver
    moved = students["1002" if shape == "numo" else "001002"]
    assert moved.homeroom == "1HA"  # the class change
