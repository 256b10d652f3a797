"""ek.read end to end, with the catalogue that ships: real exports in, rosters and reports out."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import edukoppel as ek
from edukoppel.mapping._school import find
from edukoppel.readers import formats

EXPORTS = Path(__file__).resolve().parents[2] / "examples" / "exports"
TITLED = (
    b"Leerlingen Voorbeeldcollege, schooljaar 2024-2025;;\r\n"
    b"BRIN 99ZX10;;\r\n"
    b"Leerlingnummer;Achternaam;Klas\r\n"
    b"00123;Berg;1HA\r\n"
    b"00124;Bakker;1HB\r\n"
)


def test_the_quickstart_export_reads_without_a_hand_made_mapping() -> None:
    result = ek.read(EXPORTS / "leerlingen-week-1.csv", source_name="leerlingen-export")

    assert result.mapping is not None
    assert result.mapping.targets == {
        "Stamnr": "student.key",
        "Roepnaam": "student.first_name",
        "Tussenv.": "student.infix",
        "Achternaam": "student.last_name",
        "Geb.datum": "student.birth_date",
        "Geslacht": "student.gender",
        "Klas": "student.homeroom",
        "Leerjaar": "student.year",
        "E-mailadres": "student.email",
    }
    assert result.roster.source == "leerlingen-export"
    assert len(result.roster.students) == 6
    assert result.report.valid
    assert repr(result).startswith("<ReadResult table: <Roster source='leerlingen-export'")


def test_paths_bytes_and_streams_read_alike() -> None:
    path = EXPORTS / "leerlingen-week-1.csv"
    data = path.read_bytes()
    by_path = ek.read(path)
    by_bytes = ek.read(data, name=path.name)
    by_stream = ek.read(io.BytesIO(data), name=path.name)
    assert by_path.roster == by_bytes.roster == by_stream.roster
    with pytest.raises(TypeError, match="binary file"):
        ek.read(io.StringIO("a;b"))  # type: ignore[arg-type]


def test_the_title_rows_give_the_roster_its_school_and_school_year() -> None:
    """A file of last school year no longer syncs without a block."""
    result = ek.read(TITLED, name="leerlingen.csv")

    assert result.roster.school == ek.School(brin="99ZX", school_year="2024-2025")
    rows = [(issue.row, issue.code) for issue in result.report.by_code("school-from-title")]
    assert rows == [(1, "school-from-title"), (2, "school-from-title")]
    store = ek.Roster(school=ek.School(brin="99ZX", school_year="2025-2026"), source="store")
    assert [r.code for r in ek.plan(store, result.roster).blocked] == ["school-year-mismatch"]


def test_two_school_years_above_the_header_are_a_conflict_not_a_choice() -> None:
    data = (
        b"Schooljaar 2024-2025;;\r\nVergeleken met 2025-2026;;\r\n"
        b"Leerlingnummer;Achternaam\r\n1;A\r\n"
    )
    result = ek.read(data, name="l.csv")
    assert result.roster.school is None
    assert result.report.codes[-1] == "school-in-title-conflict"


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("Schooljaar 2025/2026", ["2025-2026"]),
        ("schooljaar 2025-26", ["2025-2026"]),
        ("1999-2001 and 2025-2027", []),  # not consecutive: no school year
        ("BRIN: 99zx", ["99ZX"]),
        ("Vestiging 99ZX10 (Zwolle)", ["99ZX10"]),
        ("Postcode 8011AB", []),
    ],
)
def test_school_years_and_brins_in_title_text(text: str, values: list[str]) -> None:
    assert [found.value for found in find([(1, [text])])] == values


def test_an_edexml_file_goes_to_its_reader_and_the_table_reader_refuses_it() -> None:
    assert [f.name for f in formats()][-2:] == ["edexml", "table"]
    xml = b'<?xml version="1.0"?><EDEX><school/></EDEX>'
    assert "edexml" == ek.read(xml, name="school.xml").format
    with pytest.raises(ek.UnsupportedFormatError, match="EDEXML"):
        ek.read_table(xml, name="school.xml")


def test_a_profile_path_and_a_preset_off(tmp_path: Path) -> None:
    first = ek.read(TITLED, name="l.csv", overrides={"Klas": None})
    path = first.mapping.save(tmp_path / "p.toml") if first.mapping else tmp_path
    again = ek.read(TITLED, name="l.csv", profile=path, preset=False)
    assert again.mapping is not None
    assert "Klas" in again.mapping.unmapped
    assert "group" not in again.roster.provides
