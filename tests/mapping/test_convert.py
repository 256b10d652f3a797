"""From a mapped table to a Roster: every row a record, every bad cell a located report issue."""

from __future__ import annotations

import pytest

import edukoppel as ek
from edukoppel.mapping._catalogue import Catalogue
from edukoppel.mapping._convert import to_roster
from edukoppel.mapping._match import match_columns
from edukoppel.readers import Table


def _read(
    small: Catalogue, columns: list[str], rows: list[list[str]], **options: object
) -> tuple[ek.Roster, ek.Report]:
    table = Table.from_rows(columns, rows, file="leerlingen.csv")
    mapping = match_columns(table, catalogue_=small)
    return to_roster(table, mapping, **options)  # type: ignore[arg-type]


COLUMNS = ["Leerlingnummer", "Roepnaam", "Achternaam", "Klas", "Geboortedatum", "E-mailadres"]


def test_rows_become_records_that_provide_exactly_the_mapped_fields(small: Catalogue) -> None:
    roster, report = _read(
        small,
        [*COLUMNS, "Opmerking"],
        [
            ["00123", "Daan", "Berg", "1HA", "04-03-2012", "daan@school.nl", "x"],
            ["00124", "Zoë", "Çelik", "1HB", "", "", ""],
        ],
    )

    daan = roster.students["00123"]
    assert (daan.first_name, daan.last_name, daan.homeroom) == ("Daan", "Berg", "1HA")
    assert str(daan.birth_date) == "2012-03-04"
    assert roster.students["00124"].email is None  # an empty cell is no value
    assert roster.provides["student"] == {
        "key", "first_name", "last_name", "homeroom", "birth_date", "email",
    }  # fmt: skip
    assert [(g.key, g.kind) for g in roster.groups] == [("1HA", "homeroom"), ("1HB", "homeroom")]
    assert roster.provides["group"] == {"key", "kind"}
    assert roster.source == "leerlingen.csv"
    assert roster.students.where("00124") == (3,)  # the row in the file
    assert report.valid


def test_a_bad_cell_is_reported_where_it_is_and_the_row_kept_without_it(small: Catalogue) -> None:
    roster, report = _read(
        small,
        COLUMNS,
        [
            ["00123", "Daan", "Berg", "1HA", "31-02-2012", "geen-adres"],
            *([["00124", "Zoë", "Çelik", "1HA", "01-02-2012", "zoe@school.nl"]] * 4),
        ],
    )

    daan = roster.students["00123"]
    assert (daan.birth_date, daan.email, daan.last_name) == (None, None, "Berg")
    issues = {issue.column: issue for issue in report.by_code("invalid-value")}
    assert sorted((i.row, i.column, i.key, i.severity) for i in issues.values()) == [
        (2, "E-mailadres", "00123", "warning"),
        (2, "Geboortedatum", "00123", "warning"),
    ]
    birth = issues["Geboortedatum"]
    assert "the row is kept without this value" in birth.message
    assert "31-02-2012" not in str(report)  # never the value itself
    assert "(that day does not exist)" in birth.message
    assert "de rij is zonder deze waarde overgenomen" in birth.message_in("nl")


def test_on_bad_cell_skip_and_fail(small: Catalogue) -> None:
    rows = [
        ["00123", "Daan", "Berg", "1HA", "31-02-2012", ""],
        ["00124", "Zoë", "Çelik", "", "", ""],
    ]
    roster, report = _read(small, COLUMNS, rows, on_bad_cell="skip")
    assert list(roster.students.keys()) == ["00124"]
    assert report.by_code("invalid-value")[0].severity == "error"
    with pytest.raises(ek.MappingError, match=r"leerlingen\.csv, row 2, column 'Geboortedatum'"):
        _read(small, COLUMNS, rows, on_bad_cell="fail")


def test_a_row_without_a_key_is_left_out_with_an_error(small: Catalogue) -> None:
    roster, report = _read(small, COLUMNS[:3], [["", "Daan", "Berg"], ["00124", "Zoë", "Çelik"]])

    assert list(roster.students.keys()) == ["00124"]
    [issue] = report.by_code("missing-key")
    assert (issue.row, issue.column, issue.severity) == (2, "Leerlingnummer", "error")


def test_a_file_without_an_id_is_keyed_by_username(small: Catalogue) -> None:
    """Numo's inleesbestand: the pupil is known by gebruikersnaam, and the report says so."""
    roster, report = _read(
        small,
        ["Achternaam", "Roepnaam", "Gebruikersnaam"],
        [["Berg", "Daan", "daan.berg"], ["Çelik", "Zoë", "zoe.celik"]],
    )

    assert list(roster.students.keys()) == ["daan.berg", "zoe.celik"]
    assert report.codes == ["key-from-username"]


def test_without_key_username_or_email_the_read_fails_clearly(small: Catalogue) -> None:
    with pytest.raises(ek.MappingError, match="no column gives the students an identifier"):
        _read(small, ["Achternaam", "Roepnaam"], [["Berg", "Daan"]])


def test_guardian_columns_become_guardians_linked_to_their_children(small: Catalogue) -> None:
    roster, report = _read(
        small,
        ["Leerlingnummer", "Achternaam", "E-mailadres ouder 1", "E-mailadres ouder 2"],
        [
            ["00123", "Berg", "moeder@example.nl", "vader@example.nl"],
            ["00124", "Berg", "Moeder@Example.nl", ""],  # a sibling: the same mother
        ],
    )

    mother = roster.guardians["moeder@example.nl"]
    assert [link.student for link in mother.students] == ["00123", "00124"]
    assert [link.student for link in roster.guardians["vader@example.nl"].students] == ["00123"]
    assert roster.provides["guardian"] == {"key", "email", "students"}
    assert report.valid


def test_duplicate_usernames_are_reported_with_every_row(small: Catalogue) -> None:
    _, report = _read(
        small,
        ["Leerlingnummer", "Achternaam", "Gebruikersnaam"],
        [["1", "Berg", "d.berg"], ["2", "Bakker", "x"], ["3", "Berg", "D.Berg"]],
    )

    [issue] = report.by_code("duplicate-username")
    assert "rows 2, 4" in issue.message


def test_duplicate_keys_block_the_plan_naming_their_rows(small: Catalogue) -> None:
    roster, _ = _read(small, COLUMNS[:3], [["1", "A", "B"], ["2", "C", "D"], ["1", "E", "F"]])

    [reason] = ek.plan(ek.Roster.empty(), roster).blocked
    assert "1 (rows 2, 4)" in reason.message


def test_a_read_roster_syncs_into_a_store(small: Catalogue) -> None:
    roster, _ = _read(small, COLUMNS[:4], [["00123", "Daan", "Berg", "1HA"]])
    store = ek.MemoryStore()
    ek.apply(ek.plan(store.snapshot(), roster), store)
    assert store.snapshot().students["00123"].homeroom == "1HA"
    assert ek.plan(store.snapshot(), roster).is_empty


def test_refused_cells_are_listed_up_to_fifty_per_column_and_counted_after(
    small: Catalogue,
) -> None:
    rows = [[f"{n:05d}", "A", "B", "1HA", "31-02-2012", f"a{n}@b.nl"] for n in range(60)]
    roster, report = _read(small, COLUMNS, rows)

    issues = report.by_code("invalid-value")
    assert len(issues) == 51
    assert issues[-1].row is None
    assert "and 10 more rows with a refused value in this column" in issues[-1].message
    assert len(roster.students) == 60  # kept, without the birth dates


def test_a_column_whose_values_cannot_be_read_provides_nothing_and_clears_nothing(
    small: Catalogue,
) -> None:
    """A birth-date column written ``2012年3月4日`` (no date the model reads) keeps the store's."""
    before, _ = _read(small, COLUMNS[:5], [["00123", "Daan", "Berg", "1HA", "04-03-2012"]])
    store = ek.MemoryStore()
    ek.apply(ek.plan(store.snapshot(), before), store)

    roster, report = _read(small, COLUMNS[:5], [["00123", "Daan", "Berg", "1HA", "2012年3月4日"]])

    assert "birth_date" not in roster.provides["student"]
    (unreadable,) = report.by_code("column-unreadable")
    assert (unreadable.column, unreadable.row, unreadable.severity) == (
        "Geboortedatum", None, "warning",
    )  # fmt: skip
    assert "provides nothing" in unreadable.message
    assert "2012年3月4日" not in str(report)  # never the value itself
    assert "levert niets" in unreadable.message_in("nl")
    assert ek.plan(store.snapshot(), roster).is_empty  # the stored birth date stays
    assert str(store.snapshot().students["00123"].birth_date) == "2012-03-04"


def test_a_column_with_some_bad_cells_still_provides_its_field(small: Catalogue) -> None:
    rows = [["00123", "Daan", "Berg", "1HA", "20120304"]] + [
        [f"0020{n}", "Zoë", "Çelik", "1HA", "01-02-2012"] for n in range(4)
    ]
    roster, report = _read(small, COLUMNS[:5], rows)
    assert "birth_date" in roster.provides["student"]
    assert not report.by_code("column-unreadable")


def test_a_value_map_makes_an_unreadable_column_readable() -> None:
    """Greek ``αγόρι``/``κορίτσι`` under ``Gender``: mapped on its name; a value map reads them."""
    export = "Student ID,Last Name,Gender\n1,Berg,κορίτσι\n2,Bakker,αγόρι\n".encode()
    plain = ek.read(export, name="mathites.csv")
    assert plain.mapping.targets["Gender"] == "student.gender"
    assert "gender" not in plain.roster.provides["student"]
    greek = {"student.gender": {"κορίτσι": "female", "αγόρι": "male"}}
    mapped = ek.read(export, name="mathites.csv", values=greek)
    assert "gender" in mapped.roster.provides["student"]
    assert mapped.roster.students["1"].gender == "female"


@pytest.mark.parametrize(
    ("header", "boy", "girl"),
    [("Sexo", "H", "M"), ("Gender", "h", "m"), ("Sexe", "H", "D"), ("Sexo", "V", "M")],
)
def test_spanish_and_catalan_gender_codes_are_read_as_the_column_writes_them(
    header: str, boy: str, girl: str
) -> None:
    """Spanish H/M (hombre, mujer): read code by code, M made every girl a boy."""
    export = f"Student ID,Last Name,{header}\n1,García,{girl}\n2,Pérez,{boy}\n".encode()
    result = ek.read(export, name="alumnos.csv")
    assert result.roster.students["1"].gender == "female"
    assert result.roster.students["2"].gender == "male"
    (note,) = result.report.by_code("gender-codes-iberian")
    assert (note.column, note.severity, note.row) == (header, "info", None)
    assert "mujer" in note.message
    assert "niet M als man" in note.message_in("nl")


@pytest.mark.parametrize(
    ("header", "codes"), [("Geslacht", ("M", "V")), ("Sexo", ("M", "F")), ("Gender", ("M", "F"))]
)
def test_the_usual_gender_codes_keep_m_for_male(header: str, codes: tuple[str, str]) -> None:
    male, female = codes
    export = f"Student ID,Last Name,{header}\n1,Berg,{female}\n2,Bakker,{male}\n".encode()
    result = ek.read(export, name="pupils.csv")
    assert result.roster.students["1"].gender == "female"
    assert result.roster.students["2"].gender == "male"
    assert not result.report.by_code("gender-codes-iberian")
