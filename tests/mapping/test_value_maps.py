"""Value maps (koppeltabellen): source values translated into the host's, unknown ones reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import edukoppel as ek
from edukoppel.readers import ReadResult

EXPORT = (
    b"Leerlingnummer;Achternaam;Opleiding;Geslacht\n"
    b"00123;Berg;HAVO;jongen\n"
    b"00124;Bakker;havo  3;meisje\n"
    b"00125;Smit;0300;jongen\n"
    b"00126;Visser;vmbo-t;meisje\n"
    b"00127;Bos;VMBO-T ;\n"
    b"00128;Dijk;Onbekend;jongen\n"
)
PROGRAMS = {"HAVO": "havo", "havo 3": "havo", "0300": "havo", "Onbekend": None}


def test_a_value_map_translates_and_reports_every_row_of_a_value_it_does_not_know() -> None:
    values = {"student.program": PROGRAMS, "student.gender": {"jongen": "M", "meisje": "V"}}
    result = ek.read(EXPORT, name="leerlingen.csv", values=values)
    students = result.roster.students

    assert [students[key].program for key in ("00123", "00124", "00125")] == ["havo"] * 3
    assert students["00128"].program is None  # mapped to "no value"
    assert (students["00123"].gender, students["00124"].gender) == ("male", "female")
    # Unknown: read as it is, never dropped or guessed, and reported with all its rows.
    assert students["00126"].program == "vmbo-t"
    [unknown] = result.report.by_code("unknown-value")
    assert (unknown.field, unknown.column, unknown.row) == ("student.program", "Opleiding", 5)
    assert "'vmbo-t'" in unknown.message
    assert "2 rows: 5, 6" in unknown.message  # 'VMBO-T ' is the same value, case aside


def test_value_maps_come_from_toml_and_csv_files_an_admin_edits(tmp_path: Path) -> None:
    toml = tmp_path / "koppeltabel.toml"
    ek.ValueMap({"student.program": PROGRAMS}).save(toml)
    assert '"havo 3" = "havo"' in toml.read_text(encoding="utf-8")
    csv = tmp_path / "koppeltabel.csv"
    csv.write_text(
        "veld;bronwaarde;waarde\n"
        "student.program;HAVO;havo\n"
        "student.program;havo 3;havo\n"
        "student.program;0300;havo\n"
        "student.program;vmbo-t;vmbo\n",
        encoding="utf-8",
    )
    by_toml = ek.read(EXPORT, name="leerlingen.csv", values=toml).roster
    by_csv = ek.read(EXPORT, name="leerlingen.csv", values=str(csv)).roster
    assert by_toml.students["00124"].program == by_csv.students["00124"].program == "havo"
    assert by_csv.students["00127"].program == "vmbo"
    assert ek.ValueMap.load(toml) == ek.ValueMap({"student.program": PROGRAMS})


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ({"student.klas": {"a": "b"}}, "'student.klas' is not a field"),
        ({"student.program": {"HAVO": "havo", "havo": "vwo"}}, "same value but for case"),
        ({"program": {"a": "b"}}, "not a field target"),
    ],
)
def test_a_value_map_that_cannot_be_right_is_refused(
    tables: dict[str, dict[str, str]], message: str
) -> None:
    with pytest.raises(ek.MappingError, match=message):
        ek.ValueMap(tables)


def test_a_csv_value_map_without_its_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "map.csv"
    path.write_text("bron;doel\nHAVO;havo\n", encoding="utf-8")
    with pytest.raises(ek.MappingError, match="field, source and value"):
        ek.ValueMap.load(path)


def test_a_profile_carries_its_value_maps_and_read_values_go_over_them(tmp_path: Path) -> None:
    table = ek.read_table(EXPORT, name="leerlingen.csv")
    mapping = ek.match_columns(table)
    path = mapping.save(tmp_path / "profiel.toml", values={"student.program": PROGRAMS})
    assert ek.mapping.Profile.load(path).values == ek.ValueMap({"student.program": PROGRAMS})

    again = ek.read(EXPORT, name="leerlingen.csv", profile=path)
    assert again.roster.students["00125"].program == "havo"
    over = ek.read(
        EXPORT, name="leerlingen.csv", profile=path, values={"student.program": {"0300": "vwo"}}
    )
    assert over.roster.students["00125"].program == "vwo"
    assert over.roster.students["00123"].program == "HAVO"  # the field's table was replaced
    json_path = mapping.save(tmp_path / "profiel.json", values={"student.program": PROGRAMS})
    assert ek.mapping.Profile.load(json_path) == ek.mapping.Profile.load(path)


def test_guardian_relations_and_staff_roles_are_translated_too() -> None:
    data = (
        b"gebruikersnaam;achternaam;klas;rol;Relatie ouder 1;E-mailadres ouder 1\n"
        b"aberg;Berg;1HA;;Moeder;m.berg@example.nl\n"
        b"bbos;Bos;1HA;;Voogd;voogd@example.nl\n"
        b"jjansen;Jansen;1HA;teamleider;;\n"
    )
    values = {
        "guardian.relation": {"moeder": "parent", "vader": "parent"},
        "student._role": {"teamleider": "leiding", "docent": "docent"},
    }
    result = ek.read(data, name="inleesbestand.csv", values=values)

    relations = {g.email: g.students[0].relation for g in result.roster.guardians}
    assert relations == {"m.berg@example.nl": "parent", "voogd@example.nl": "Voogd"}
    assert result.roster.staff["jjansen"].roles == ("leiding",)
    [unknown] = result.report.by_code("unknown-value")
    assert (unknown.field, unknown.row) == ("guardian.relation", 3)


def test_value_counts_lists_a_fields_distinct_source_values() -> None:
    result = ek.read(EXPORT, name="leerlingen.csv")
    assert result.value_counts("student.program") == {
        "0300": 1, "HAVO": 1, "Onbekend": 1, "VMBO-T": 1, "havo  3": 1, "vmbo-t": 1,
    }  # fmt: skip
    assert result.value_counts("student.gender") == {"jongen": 3, "meisje": 2}
    with pytest.raises(ek.MappingError, match=r"no column maps to student\.eckid"):
        result.value_counts("student.eckid")
    structured = ReadResult(roster=result.roster, report=result.report, format="edexml")
    assert structured.value_counts("student.program")["HAVO"] == 1


@given(
    st.sampled_from(sorted(PROGRAMS)),
    st.lists(st.sampled_from([str.upper, str.lower, str.title, lambda t: f"  {t} "]), max_size=3),
)
def test_case_and_spaces_never_change_what_a_value_means(value: str, changes: list) -> None:  # type: ignore[type-arg]
    programs = ek.ValueMap({"student.program": PROGRAMS})
    changed = value
    for change in changes:
        changed = change(changed)
    assert programs.translate("student.program", changed) == (True, PROGRAMS[value])


def test_a_toml_value_map_without_its_values_tables_is_refused_not_ignored() -> None:
    with pytest.raises(
        ek.MappingError, match=r"expected \[values\.\"field\"\] tables \(found 'student.program'\)"
    ):
        ek.ValueMap.from_toml('["student.program"]\nHAVO = "havo"\n')
    assert ek.ValueMap.from_toml("") == ek.ValueMap({})


def test_the_items_of_a_set_are_translated_one_by_one() -> None:
    data = b"Leerlingnummer;Achternaam;Lesgroepen\n001;Berg;ne-3a | wi-3a\n002;Bos;NE-3B|fr-3x\n"
    values = {"student.groups": {"ne-3a": "NE3A", "wi-3a": "WI3A", "ne-3b": "NE3B", "x": None}}
    result = ek.read(data, name="lln.csv", values=values)
    assert [pupil.groups for pupil in result.roster.students] == [
        ("NE3A", "WI3A"),
        ("NE3B", "fr-3x"),
    ]
    [unknown] = result.report.by_code("unknown-value")
    assert (unknown.row, unknown.column, unknown.field) == (3, "Lesgroepen", "student.groups")
    assert "'fr-3x'" in unknown.message
