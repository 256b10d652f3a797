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
    assert "month-first (mm/dd/yyyy)" in issues[0].message
    (column,) = table.report.by_code("dates-ambiguous")  # 03/04/2010 cannot be told
    assert column.severity == "warning"


def test_two_digit_years_everywhere() -> None:
    table = read_table(lines("naam;geboren", "x;3-5-10", "y;4-6-10"))
    assert [i.row for i in table.report.by_code("date-reformatted")] == [2, 3]


# -- month-first dates: an American export re-saved by a Dutch Excel ------------------------


def dutch_excel(month: int, day: int, year: int) -> str:
    """What a Dutch Excel makes of the American date ``month/day/year`` when it saves a CSV.

    It reads the text day-first: when that is a date (``day`` is 12 or less) it writes the
    date it read, day and month swapped, as ``d-m-yyyy``; otherwise the text stays as it was.
    """
    return f"{month}-{day}-{year}" if day <= 12 else f"{month}/{day}/{year}"


def birth_dates(*dates: str) -> bytes:
    return lines("Leerlingnummer;Geboortedatum", *(f"{i:05d};{d}" for i, d in enumerate(dates, 1)))


def test_us_dates_resaved_by_dutch_excel_make_the_whole_column_ambiguous() -> None:
    """2 April 2000 became 4-2-2000 (4 February) without a trace; 12/19/1997 stayed text."""
    table = read_table(birth_dates("4-2-2000", "11-12-1999", "12/19/1997", "6/20/2000"))
    (column,) = table.report.by_code("dates-ambiguous")
    assert (column.severity, column.column, column.row) == ("error", "Geboortedatum", None)
    assert "every row of this column needs a check" in column.message.lower()
    assert "swaps day and month" in column.message
    assert "2 dates in this column can only be month-first" in column.message
    rows = table.report.by_code("date-reformatted")
    assert [i.row for i in rows] == [4, 5]
    for issue in rows:
        assert "written month-first (mm/dd/yyyy)" in issue.message
        assert "cannot be a month" in issue.message
        assert "mostly uses" not in issue.message
    assert not table.report.valid
    for issue in table.report:
        for part in ("1997", "2000", "19", "20"):
            assert part not in issue.message, issue


def test_a_realistic_resaved_column_names_only_the_month_first_rows() -> None:
    """Most American dates cannot be read day-first, so slashes are the column's majority."""
    import datetime as dt
    import random

    rnd = random.Random(7)
    born = [dt.date(2008, 1, 1) + dt.timedelta(days=rnd.randrange(2500)) for _ in range(40)]
    dates = [dutch_excel(day.month, day.day, day.year) for day in born]
    slashes = [row for row, text in enumerate(dates, 2) if "/" in text]
    assert 0 < len(slashes) < len(dates)
    table = read_table(birth_dates(*dates))
    (column,) = table.report.by_code("dates-ambiguous")
    assert column.severity == "error"
    rows = table.report.by_code("date-reformatted")
    assert [i.row for i in rows] == slashes
    assert all("month-first" in i.message for i in rows)


def test_month_first_rows_past_the_cap_are_counted() -> None:
    import datetime as dt

    born = [dt.date(2008, 1, 1) + dt.timedelta(days=7 * week) for week in range(300)]
    dates = [dutch_excel(day.month, day.day, day.year) for day in born]
    slashes = sum("/" in text for text in dates)
    issues = read_table(birth_dates(*dates)).report.by_code("date-reformatted")
    assert len(issues) == MAX_ISSUES_PER_CODE + 1
    assert f"and {slashes - MAX_ISSUES_PER_CODE} more rows" in issues[-1].message


def test_a_dash_column_of_month_first_dates_is_ambiguous() -> None:
    """One format throughout, but 02-13-2010 cannot be day-first: nor can the others be."""
    table = read_table(birth_dates("02-13-2010", "05-04-2010", "11-25-2009", "07-07-2010"))
    (column,) = table.report.by_code("dates-ambiguous")
    assert column.severity == "error"
    assert [i.row for i in table.report.by_code("date-reformatted")] == [2, 4]
    assert "(mm-dd-yyyy)" in table.report.by_code("date-reformatted")[0].message


def test_day_first_and_month_first_dates_in_one_column_are_ambiguous() -> None:
    """Both orders proven: the dates that read both ways cannot be told apart."""
    dates = ["13-05-2010", "25-12-2009", "03-04-2010", "12/31/2010", "28-02-2010", "5/6/2010"]
    table = read_table(birth_dates(*dates))
    (column,) = table.report.by_code("dates-ambiguous")
    assert column.severity == "warning"
    assert "can only be day-first (3, the first on row 2)" in column.message
    assert "every row of this column needs a check" in column.message
    assert "the 2 dates whose day and month are both 12 or less" in column.message
    rows = table.report.by_code("date-reformatted")
    assert [i.row for i in rows] == [5, 7]
    assert "month-first" in rows[0].message
    assert "dd/mm/yyyy, while the column mostly uses dd-mm-yyyy" in rows[1].message


@pytest.mark.parametrize(
    "dates",
    [
        ["03-05-2010", "14/11/2009", "28-02-2010", "01/02/2010"],  # both day-first
        ["03-05-2010", "14-11-2009", "05/05/2010"],  # 5 May either way
        ["12/13/2010"],  # month-first, but nothing to confuse it with
    ],
)
def test_dates_that_all_read_day_first_are_not_ambiguous(dates: list[str]) -> None:
    table = read_table(birth_dates(*dates, "24-06-2010", "30-01-2011"))
    assert not table.report.by_code("dates-ambiguous")


def test_dashes_and_slashes_that_both_read_day_first_are_a_format_difference() -> None:
    table = read_table(birth_dates("03-05-2010", "14/11/2009", "28-02-2010", "01/02/2010"))
    rows = table.report.by_code("date-reformatted")
    assert [i.row for i in rows] == [3, 5]
    assert "written dd/mm/yyyy, while the column mostly uses dd-mm-yyyy" in rows[0].message


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
