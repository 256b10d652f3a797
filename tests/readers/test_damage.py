"""Damage detection in the cells, and the rows that are not records."""

from __future__ import annotations

import pytest

from edukoppel.readers import read_table
from edukoppel.readers._issues import MAX_ISSUES_PER_CODE


def lines(*rows: str) -> bytes:
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


def test_scientific_notation_identifiers() -> None:
    table = read_table(
        lines("bsn;naam", "123456789;a", "1,23E+11;b", "1.5e+12;c", "+31612345678;d")
    )
    issues = table.report.by_code("damaged-identifier")
    assert [(i.row, i.column, i.severity) for i in issues] == [
        (3, "bsn", "error"),
        (4, "bsn", "error"),
    ]
    assert "1,23E+11" in issues[0].message
    assert table.column("bsn")[1] == "1,23E+11"  # read as is, never converted


def test_leading_zeros_lost_in_part_of_a_column() -> None:
    ids = [f"{i:07d}" for i in range(1, 30)] + ["123", "4567"]
    table = read_table(lines("leerlingnummer;naam", *(f"{i};x" for i in ids)))
    issues = table.report.by_code("leading-zeros-lost")
    assert [i.row for i in issues] == [31, 32]
    assert "7-digit" in issues[0].message


def test_variable_length_numbers_without_zeros_are_fine() -> None:
    table = read_table(lines("nummer;huisnummer", *(f"{i};{i % 300}" for i in range(1, 200))))
    assert not table.report.by_code("leading-zeros-lost")


def test_phone_numbers_that_lost_their_zero() -> None:
    phones = ["0612345678", "0687654321", "0201234567", "612345678"]
    table = read_table(lines("naam;telefoon", *(f"x;{p}" for p in phones)))
    assert [i.row for i in table.report.by_code("leading-zeros-lost")] == [5]


def test_mixed_date_formats() -> None:
    dates = ["03-05-2010", "14-11-2009", "2010-02-28", "28-02-2010", "3/5/10"]
    table = read_table(lines("naam;geboortedatum", *(f"x;{d}" for d in dates)))
    issues = table.report.by_code("date-reformatted")
    assert [i.row for i in issues] == [4, 6]
    assert "yyyy-mm-dd" in issues[0].message
    assert "two-digit year" in issues[1].message


def test_consistent_dates_are_fine() -> None:
    table = read_table(lines("naam;geboren", *(f"x;{d:02d}-05-2010" for d in range(1, 29))))
    assert not table.report.by_code("date-reformatted")


def test_swapped_day_and_month() -> None:
    dates = ["13/05/2010", "25/12/2009", "03/04/2010", "12/31/2010", "28/02/2010"]
    table = read_table(lines("naam;geboren", *(f"x;{d}" for d in dates)))
    issues = table.report.by_code("date-reformatted")
    assert [i.row for i in issues] == [5]
    assert "month/day/year" in issues[0].message


def test_two_digit_years_everywhere() -> None:
    table = read_table(lines("naam;geboren", "x;3-5-10", "y;4-6-10"))
    assert [i.row for i in table.report.by_code("date-reformatted")] == [2, 3]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("VOORBEELD;Jan;Jansen;01-01-2010", "voorbeeld"),
        ("verplicht;verplicht;optioneel;dd-mm-jjjj", "instructions"),
        ("Leerlingnummer;Roepnaam;Achternaam;Geboortedatum", "repeat the column names"),
        ("1234;Jan;Jansen;01-01-2010", "placeholder"),
    ],
)
def test_example_rows(row: str, reason: str) -> None:
    data = lines(
        "Leerlingnummer;Roepnaam;Achternaam;Geboortedatum", row, "00123;Zoë;Dijk;03-05-2010"
    )
    table = read_table(data)
    (issue,) = table.report.by_code("example-row")
    assert issue.row == 2
    assert reason in issue.message
    assert table.rows == (("00123", "Zoë", "Dijk", "03-05-2010"),)


def test_two_template_rows_under_the_header() -> None:
    data = lines(
        "id;naam;geboren",
        "verplicht;verplicht;dd-mm-jjjj",
        "0000;Voorbeeld;01-01-2010",
        "0001;Anna;02-02-2010",
    )
    table = read_table(data)
    assert [i.row for i in table.report.by_code("example-row")] == [2, 3]
    assert table.row_numbers == [4]


@pytest.mark.parametrize(
    "cell",
    ["(voorbeeld)", "Voorbeeld: verwijder deze rij", "VOORBEELD - verwijderen", "bijv. 1234"],
)
def test_an_example_label_opens_the_cell(cell: str) -> None:
    table = read_table(lines("id;naam;klas", f"{cell};Jan;1a", "0001;Anna;1b"))
    assert [i.row for i in table.report.by_code("example-row")] == [2]
    assert table.rows == (("0001", "Anna", "1b"),)


@pytest.mark.parametrize(
    "cell",
    [
        "daan@leerling.voorbeeld.nl",
        "Het Voorbeeld College",
        "example@school.nl",
        "Voorbeeldstraat 12",
        "www.voorbeeld.nl",
    ],
)
def test_the_word_voorbeeld_inside_a_value_is_data(cell: str) -> None:
    """A pupil whose e-mail domain is voorbeeld.nl is a pupil, not a template's example."""
    table = read_table(lines("id;naam;contact", f"0001;Daan;{cell}", f"0002;Anna;{cell}"))
    assert not table.report.by_code("example-row")
    assert table.column("contact") == [cell, cell]


@pytest.mark.parametrize("row", ["00123;Jan;Jansen;01-01-2010", "48213;Piet;Jansen;12-03-2011"])
def test_a_real_jan_jansen_is_not_a_placeholder(row: str) -> None:
    table = read_table(lines("id;roepnaam;achternaam;geboren", row, "48214;Anna;Dijk;1-1-2011"))
    assert not table.report.by_code("example-row")
    assert len(table) == 2


@pytest.mark.parametrize(
    "row", ["0000;Jan;Jansen;01-01-2010", "99999;Piet;Jansen;", "48213;Pietje;Puk;01-01-2010"]
)
def test_placeholder_names_with_a_made_up_number_or_name(row: str) -> None:
    table = read_table(lines("id;roepnaam;achternaam;geboren", row, "48214;Anna;Dijk;1-1-2011"))
    assert [i.row for i in table.report.by_code("example-row")] == [2]


def test_a_real_first_row_is_not_an_example() -> None:
    table = read_table(lines("id;naam;klas", "1;Jan;1a", "2;Piet;1b"))
    assert not table.report.by_code("example-row")
    assert len(table) == 2


@pytest.mark.parametrize(
    "last",
    ["Totaal;3;", "Aantal leerlingen: 3;;", ";;3", "TOTAL;;"],
)
def test_totals_rows(last: str) -> None:
    table = read_table(lines("id;naam;klas", "1;a;1a", "2;b;1b", "3;c;1c", last))
    (issue,) = table.report.by_code("totals-row")
    assert issue.row == 5
    assert len(table) == 3


def test_a_person_named_like_a_total_is_kept() -> None:
    table = read_table(lines("naam;voornaam;klas", "Som;Anna;1a", "Aantal;Bram;1b"))
    assert not table.report.by_code("totals-row")
    assert len(table) == 2


def test_issues_per_code_are_capped_with_a_closing_count() -> None:
    rows = [f"{i};{i}E+11" for i in range(MAX_ISSUES_PER_CODE + 20)]
    table = read_table(lines("id;nummer", *rows))
    issues = table.report.by_code("damaged-identifier")
    assert len(issues) == MAX_ISSUES_PER_CODE + 1
    assert issues[-1].row is None
    assert "20 more rows" in issues[-1].message


def test_messages_never_hold_names() -> None:
    data = lines(
        "id;roepnaam;achternaam;geboren",
        "1;Zoë;ZoÃ«tendal;03-05-2010",
        "2;Anna;Ren?ee;2010-05-03",
        "3;Anna;Smit",
        "4;Anna;Smit;1-2-3;extra",
    )
    table = read_table(data)
    assert table.report.errors or table.report.warnings
    for issue in table.report:
        for name in ("Zoë", "tendal", "Anna", "Smit", "Ren?ee"):
            assert name not in issue.message, issue
