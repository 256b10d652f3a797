"""Import templates: written, opened, filled in, saved and read back at confidence 1.0."""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path

import openpyxl
import pytest

import edukoppel as ek
from edukoppel.mapping import catalogue, template_columns
from edukoppel.mapping._normalise import compact

KINDS = ["student", "staff", "guardian", "group", "location"]


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_template_header_is_an_exact_alias_of_its_field(kind: str, language: str) -> None:
    for column in template_columns(kind, language=language):  # type: ignore[arg-type]
        spec = catalogue().spec(column.target or "")
        assert spec is not None, column
        header = column.header.rstrip(" *")
        assert header in spec.aliases, f"{column.target}: {header!r} is not one of its aliases"
        assert column.required == spec.required


def _fill(path: Path, rows: list[list[str]]) -> None:
    """What an admin does: open the workbook, type rows under the example, save."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def test_an_xlsx_template_opened_filled_saved_and_read_back(tmp_path: Path) -> None:
    path = ek.write_template(
        "student", tmp_path / "leerlingen.xlsx", choices={"program": ["havo", "vwo"]}
    )
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Leerlingen", "Keuzelijsten"]
    sheet = workbook["Leerlingen"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:4] == ["Leerlingnummer *", "Roepnaam", "Tussenvoegsel", "Achternaam *"]
    assert sheet["A1"].comment is not None
    assert sheet["A1"].comment.text == "Verplicht"
    assert str(sheet["A2"].value).startswith("voorbeeld")
    formatted = {
        index
        for dimension in sheet.column_dimensions.values()
        if dimension.number_format == "@"
        for index in range(dimension.min, dimension.max + 1)
    }
    assert formatted == set(range(1, len(headers) + 1))  # Text: Excel keeps leading zeros
    validations = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert validations["F3:F1048576"] == "'Keuzelijsten'!$A$2:$A$4"  # Geslacht: M, V, X
    assert validations["I3:I1048576"] == "'Keuzelijsten'!$C$2:$C$3"  # Opleiding
    listed = [c.value for c in workbook["Keuzelijsten"]["C"] if c.value is not None]
    assert listed == ["Opleiding", "havo", "vwo"]

    _fill(path, [["00124", "Zoë", "", "Çelik", "12-11-2012", "V", "1HB", "1", "vwo", "", "zc"]])
    result = ek.read(path)
    assert result.mapping is not None
    filled = [m for m in result.mapping if m.column not in ("Tussenvoegsel", "E-mailadres")]
    assert {m.confidence for m in filled} == {1.0}
    assert [issue.row for issue in result.report.by_code("example-row")] == [2]
    zoe = result.roster.students["00124"]  # the leading zeros are still there
    assert (zoe.first_name, zoe.program, zoe.gender) == ("Zoë", "vwo", "female")


def test_a_csv_template_in_english_reads_back_too(tmp_path: Path) -> None:
    path = ek.write_template("staff", tmp_path / "staff.csv", language="en")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfEmployee Number *;Teacher Code;")
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write('0042;VRS;Anna;de;Vries;a.devries@school.nl;docent;"1HA; 2VB"\r\n')
    result = ek.read(path)
    assert result.mapping is not None
    assert {m.confidence for m in result.mapping} == {1.0}
    assert "example-row" in result.report.codes
    anna = result.roster.staff["0042"]
    assert (anna.abbreviation, anna.roles) == ("VRS", ("docent",))
    assert [role.group for role in anna.groups] == ["1HA", "2VB"]


def test_a_template_in_a_presets_layout_is_recognised_as_that_preset(tmp_path: Path) -> None:
    path = ek.write_template("student", tmp_path / "numo.csv", preset="numo-inleesbestand")
    header = path.read_text(encoding="utf-8-sig").splitlines()[0].split(";")
    assert [compact(name) for name in header] == [
        compact(name) for name in ek.mapping.preset("numo-inleesbestand").columns
    ]
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write("Berg;Anna;aberg;1HA;havo;geheim;anna@school.nl;\r\n")
    result = ek.read(path)
    assert result.mapping is not None
    assert result.mapping.preset == "numo-inleesbestand"


def test_your_own_required_fields_are_marked(tmp_path: Path) -> None:
    columns = template_columns("student", required=["username", "homeroom"])
    marked = [column.header for column in columns if column.required]
    assert marked == ["Leerlingnummer *", "Achternaam *", "Klas *", "Gebruikersnaam *"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"entity": "pupil"}, "no template for 'pupil'"),
        ({"language": "de"}, "'nl' or 'en'"),
        ({"format": "ods"}, "'xlsx' or 'csv'"),
        ({"required": ["klas"]}, "'student.klas' is not a field"),
    ],
)
def test_a_template_that_cannot_be_written_is_refused(
    tmp_path: Path, options: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {"entity": "student", **options}
    with pytest.raises(ek.MappingError, match=message):
        ek.write_template(path=tmp_path / "t.xlsx", **arguments)  # type: ignore[arg-type]


def test_the_templates_data_names_only_known_fields() -> None:
    data = tomllib.loads(
        files("edukoppel.mapping").joinpath("templates.toml").read_text(encoding="utf-8")
    )
    for target in data["choices"]:
        assert catalogue().spec(target) is not None, target
