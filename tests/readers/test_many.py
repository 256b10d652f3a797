"""ek.read_many: KIC's klassen, leerlingen and medewerkers files (or one workbook's sheets)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

import edukoppel as ek


def _xlsx(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


KLASSEN = [["Klascode", "Klasnaam", "Leerjaar"], ["1HA", "Klas 1HA", "1"], ["1HB", "Klas 1HB", "1"]]
LEERLINGEN = [
    ["Leerlingnummer", "Roepnaam", "Achternaam", "Klas", "Mentor"],
    ["00123", "Daan", "Berg", "1HA", "BRG"],
    ["00124", "Zoë", "Çelik", "1HC", "VRS"],  # 1HC: no file defines it; VRS: no such mentor
    ["00125", "Sem", "Bos", "1HB", "brg"],
]
MEDEWERKERS = [
    ["Medewerkernummer", "Afkorting", "Roepnaam", "Achternaam", "Klassen"],
    ["1042", "BRG", "Anna", "Berg", "1HA; 1HB"],
]


def test_three_kic_files_become_one_roster_with_their_links_checked(tmp_path: Path) -> None:
    files = [
        _xlsx(tmp_path / "klassen.xlsx", {"Klassen": KLASSEN}),
        _xlsx(tmp_path / "leerlingen.xlsx", {"Leerlingen": LEERLINGEN}),
        _xlsx(tmp_path / "medewerkers.xlsx", {"Medewerkers": MEDEWERKERS}),
    ]
    result = ek.read_many(files, source_name="kic")
    roster = result.roster

    assert [part.mapping.entity for part in result.parts if part.mapping] == [
        "group", "student", "staff",
    ]  # fmt: skip
    assert roster.source == "kic"
    assert roster.groups["1HA"].name == "Klas 1HA"  # the klassen file's values, joined by key
    assert roster.groups["1HC"].kind == "homeroom"  # named by a pupil: kept, and reported
    assert roster.provides["group"] == {"key", "name", "kind", "year"}
    assert roster.provides["staff"] >= {"key", "abbreviation", "mentees", "groups"}
    # The mentor codes joined to the staff file's member by abbreviation, any case.
    assert list(roster.staff.keys()) == ["1042"]
    assert roster.staff["1042"].mentees == ("00123", "00125")

    [group] = result.report.by_code("unknown-group")
    assert (group.file, group.row, group.key) == ("leerlingen.xlsx", 3, "00124")
    assert "'1HC'" in group.message
    assert "klassen.xlsx" in group.message
    [mentor] = result.report.by_code("mentor-not-found")
    assert (mentor.file, mentor.row, mentor.key) == ("leerlingen.xlsx", 3, "00124")
    assert "medewerkers.xlsx" in mentor.message
    assert roster.students.where("00124") == (
        ek.readers.Provenance("leerlingen.xlsx", "Leerlingen", 3),
    )


def test_the_sheets_of_one_workbook_are_read_as_the_parts(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "school.xlsx",
        {"Klassen": KLASSEN, "Leerlingen": LEERLINGEN, "Medewerkers": MEDEWERKERS},
    )
    by_sheets = ek.read_many(path)
    assert [part.table.sheet for part in by_sheets.parts if part.table] == [
        "Klassen", "Leerlingen", "Medewerkers",
    ]  # fmt: skip
    by_stream = ek.read_many(io.BytesIO(path.read_bytes()))
    assert by_sheets.roster == by_stream.roster
    assert by_sheets.roster.counts["student"] == 3


def test_a_file_with_its_own_options_and_a_key_twice_in_one_file() -> None:
    pupils = b"Nummer;Achternaam\n00123;Berg\n00123;Bos\n"
    result = ek.read_many(
        [
            (pupils, {"name": "lln.csv", "overrides": {"Nummer": "student.key"}}),
            (b"Leerlingnummer;Achternaam\n00126;Smit\n", {"name": "nieuw.csv"}),
        ]
    )
    assert result.roster.students.where("00123") == (
        ek.readers.Provenance("lln.csv", None, 2),
        ek.readers.Provenance("lln.csv", None, 3),
    )
    changes = ek.plan(ek.Roster(source="import"), result.roster)
    [blocked] = changes.blocked
    assert blocked.code == "duplicate-key"
    assert "00123 (rows 2, 3)" in blocked.message  # one file: its rows


def test_the_same_record_in_two_files_keeps_the_first_value_and_says_so() -> None:
    first = b"Leerlingnummer;Achternaam;E-mailadres\n00123;Berg;\n"
    second = b"Leerlingnummer;Achternaam;E-mailadres\n00123;Bergen;daan@school.nl\n"
    result = ek.read_many([(first, {"name": "a.csv"}), (second, {"name": "b.csv"})])
    daan = result.roster.students["00123"]
    assert (daan.last_name, daan.email) == ("Berg", "daan@school.nl")  # the gap filled in
    [conflict] = result.report.by_code("conflicting-values")
    assert (conflict.file, conflict.field) == ("b.csv", "student.last_name")
    assert "a.csv, row 2" in conflict.message


def test_files_of_two_school_years_are_a_warning_and_the_first_is_kept() -> None:
    this_year = b"Schooljaar 2025-2026\nLeerlingnummer;Achternaam\n00123;Berg\n"
    last_year = b"Schooljaar 2024-2025\nLeerlingnummer;Achternaam\n00124;Bos\n"
    result = ek.read_many([(this_year, {"name": "a.csv"}), (last_year, {"name": "b.csv"})])
    assert result.roster.school is not None
    assert result.roster.school.school_year == "2025-2026"
    [conflict] = result.report.by_code("school-conflict")
    assert conflict.file == "b.csv"


def test_guardians_of_pupils_no_file_has_are_reported() -> None:
    guardians = b"Oudernummer;Achternaam ouder;Leerlingnummers\n5001;Berg;00123, 00999\n"
    pupils = b"Leerlingnummer;Achternaam\n00123;Berg\n"
    result = ek.read_many([(pupils, {"name": "lln.csv"}), (guardians, {"name": "ouders.csv"})])
    links = [link.student for link in result.roster.guardians["5001"].students]
    assert links == ["00123", "00999"]  # kept: the link may be right and the pupil file old
    [unknown] = result.report.by_code("unknown-student")
    assert (unknown.file, unknown.row, unknown.key) == ("ouders.csv", 2, "5001")
    assert "'00999'" in unknown.message


def test_nothing_to_read_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one file"):
        ek.read_many([])


def test_a_workbooks_empty_sheets_and_list_sheets_are_skipped_with_a_warning(
    tmp_path: Path,
) -> None:
    path = ek.write_template("student", tmp_path / "leerlingen.xlsx", choices={"program": ["havo"]})
    workbook = openpyxl.load_workbook(path)
    workbook["Leerlingen"].append(["00124", "Zoë", "", "Çelik"])
    workbook.create_sheet("Blad3")
    workbook.save(path)

    result = ek.read_many(path)
    assert list(result.roster.students.keys()) == ["00124"]
    skipped = {issue.sheet: issue.message for issue in result.report.by_code("sheet-skipped")}
    assert set(skipped) == {"Keuzelijsten", "Blad3"}
    assert "identifier" in skipped["Keuzelijsten"]


def test_listed_files_are_never_skipped() -> None:
    with pytest.raises(ek.MappingError, match="identifier"):
        ek.read_many([(b"Klas;Geslacht\n1HA;M\n", {"name": "lijst.csv"})])
