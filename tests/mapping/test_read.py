"""ek.read end to end, with the catalogue that ships: real exports in, rosters and reports out."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import edukoppel as ek
from edukoppel.exceptions import MappingError
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


def test_a_us_export_with_yyyymmdd_dates_reads_them_and_refuses_a_day_that_does_not_exist() -> None:
    export = (
        b"Student ID,Student Last Name,Date of Birth\n"
        b"W2024-0142,Garcia,20180415\n"
        b"88120,Nguyen,20190230\n"
    )
    result = ek.read(export, name="waitlist.csv")

    assert result.mapping is not None
    assert result.mapping.targets["Date of Birth"] == "student.birth_date"
    assert str(result.roster.students["W2024-0142"].birth_date) == "2018-04-15"
    assert result.roster.students["88120"].birth_date is None
    [bad] = result.report.by_code("invalid-value")
    assert (bad.row, bad.key, bad.column, bad.severity) == (3, "88120", "Date of Birth", "warning")


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


def _numeric_id_workbook(ids: list[object], kind: str) -> bytes:
    """A pupil sheet whose Leerlingnummer cells hold ``ids`` as typed (numbers or text)."""
    rows = [["Leerlingnummer", "Achternaam", "Klas"]]
    rows += [[value, f"Achternaam {index}", "1HA"] for index, value in enumerate(ids)]
    buffer = io.BytesIO()
    if kind == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook()
        for row in rows:
            workbook.active.append(row)
        workbook.save(buffer)
    else:
        import xlwt

        book = xlwt.Workbook()
        sheet = book.add_sheet("Leerlingen")
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
        book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_an_id_column_stored_as_numbers_in_several_widths_lost_its_zeros(kind: str) -> None:
    """No value starts with 0 any more, so only the numbers and their widths tell."""
    data = _numeric_id_workbook([123, 4567, 89012, 99999, 12345], kind)
    result = ek.read(data, name=f"leerlingen.{kind}")

    assert result.table is not None
    assert result.table.numeric_cells == {"Leerlingnummer": 5}
    lost = result.report.by_code("leading-zeros-lost")
    assert [(issue.row, issue.column, issue.key) for issue in lost] == [
        (2, "Leerlingnummer", "123"),
        (3, "Leerlingnummer", "4567"),
    ]
    assert "3 to 5 digits" in lost[0].message
    assert "123" not in lost[0].message  # the message never carries the value
    assert len(result.roster.students) == 5  # a warning: every pupil is still read


@pytest.mark.parametrize(
    ("ids", "kind"),
    [
        ([12345, 45678, 89012], "xlsx"),  # numbers, one width: nothing to tell
        (["123", "4567", "89012"], "xlsx"),  # text cells: whatever their width, no zeros lost
    ],
)
def test_no_lost_zeros_without_numbers_in_several_widths(ids: list[object], kind: str) -> None:
    result = ek.read(_numeric_id_workbook(ids, kind), name=f"leerlingen.{kind}")
    assert "leading-zeros-lost" not in result.report.codes


def test_lost_zeros_are_listed_for_fifty_rows_and_counted_beyond() -> None:
    ids = [100 + index for index in range(80)] + [10_000 + index for index in range(80)]
    result = ek.read(_numeric_id_workbook(ids, "xlsx"), name="leerlingen.xlsx")
    lost = result.report.by_code("leading-zeros-lost")
    assert len(lost) == 51
    assert lost[-1].row is None
    assert "30 more rows" in lost[-1].message


def test_a_column_that_is_no_identifier_is_not_judged_for_zeros() -> None:
    """A leerjaar column holds numbers of one or two digits by nature."""
    buffer = io.BytesIO()
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["Leerlingnummer", "Achternaam", "Leerjaar", "Huisnummer"])
    for index, (year, number) in enumerate([(1, 3), (2, 125), (3, 1200)]):
        workbook.active.append([f"0012{index}", "Berg", year, number])
    workbook.save(buffer)
    result = ek.read(buffer.getvalue(), name="leerlingen.xlsx")
    assert "leading-zeros-lost" not in result.report.codes


def test_rows_past_the_first_batch_keep_their_row_numbers_keys_and_refusals() -> None:
    """The conversion validates in batches: a refusal far down the file is still located."""
    from edukoppel.mapping import _convert

    count = _convert._BATCH_ROWS * 2 + 7
    lines = [b"Leerlingnummer;Achternaam;Geboortedatum"]
    lines += [f"{number:06d};Berg;01-02-2012".encode() for number in range(count)]
    bad, blank = _convert._BATCH_ROWS + 3, _convert._BATCH_ROWS * 2 + 1
    lines[bad + 1] = f"{bad:06d};Berg;31-02-2012".encode()
    lines[blank + 1] = b";Berg;01-02-2012"
    result = ek.read(b"\n".join(lines) + b"\n", name="leerlingen.csv")

    assert len(result.roster.students) == count - 1
    [refused] = result.report.by_code("invalid-value")
    assert (refused.row, refused.key) == (bad + 2, f"{bad:06d}")
    [missing] = result.report.by_code("missing-key")
    assert missing.row == blank + 2
    assert result.roster.students.where(f"{count - 1:06d}") == (count + 1,)


def test_rows_without_a_required_value_are_reported_each_with_its_key() -> None:
    data = (
        b"Leerlingnummer;Achternaam;Gebruikersnaam;E-mailadres\n"
        b"00123;Berg;aberg;\n"
        b"00124;;bbakker;bram@school.nl\n"
        b"00125;Smit;;\n"
    )
    result = ek.read(data, name="leerlingen.csv", required=[("email", "username")])

    found = [(i.row, i.key, i.field) for i in result.report.by_code("missing-required-value")]
    assert found == [
        (3, "00124", "student.last_name"),
        (4, "00125", "student.email | student.username"),
    ]
    assert len(result.roster.students) == 3  # a warning: the rows are read
    assert result.report.by_code("missing-required-value")[0].column == "Achternaam"


def test_two_columns_tied_for_the_key_are_never_replaced_by_the_username() -> None:
    """A file with two ids, each as sure as the other: the host chooses, nothing is guessed."""
    data = (
        b"Student ID;Pupil ID;Username;Last Name;First Name\n"
        b"1001;A77;jan;Berg;Jan\n1002;A78;piet;Bos;Piet\n"
    )
    with pytest.raises(MappingError, match="'Pupil ID', 'Student ID'") as refused:
        ek.read(data, name="leerlingen.csv")
    assert "student.key" in str(refused.value)
    mapping = ek.match_columns(ek.read_table(data, name="leerlingen.csv"))
    assert dict(mapping.ties)["student.key"] == ("Pupil ID", "Student ID")
    chosen = ek.read(
        data,
        name="leerlingen.csv",
        mapping=ek.match_columns(
            ek.read_table(data, name="leerlingen.csv"), overrides={"Student ID": "student.key"}
        ),
    )
    assert [student.key for student in chosen.roster.students] == ["1001", "1002"]
