"""Workbooks through python-calamine: XLSX, XLSM, XLS (xlwt fixtures) and ODS (hand-written)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import time
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from edukoppel.exceptions import EncryptedFileError, MalformedFileError, ReaderError
from edukoppel.readers import read_table

pytest.importorskip("python_calamine")
pytestmark = pytest.mark.usefixtures("xlsx_engine")

Builder = Callable[..., bytes]

HEADER = ["Leerlingnummer", "Roepnaam", "Achternaam", "Geboortedatum", "Klas"]


def roster_rows() -> list[list[Any]]:
    """Ids as text with leading zeros and as numbers, real dates and date-times."""
    return [
        HEADER,
        ["00123", "Zoë", "van Dijk", dt.date(2010, 5, 3), "1a"],
        ["00124", "Noé", "’t Hart", dt.datetime(2009, 11, 14), "1b"],
        [12345, "Jaïr", "Müller", dt.datetime(2010, 2, 28, 10, 30), "1a"],
        [12346.0, "René", "de Boer", dt.date(2010, 7, 17), "2c"],
    ]


@pytest.fixture(params=["xlsx", "xls", "ods"])
def workbook_format(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def build(fmt: str, sheets: dict[str, Any], request: pytest.FixtureRequest) -> bytes:
    builder: Builder = request.getfixturevalue(f"make_{fmt}")
    return builder(sheets)


def test_cells_become_strings(workbook_format: str, request: pytest.FixtureRequest) -> None:
    data = build(workbook_format, {"Leerlingen": roster_rows()}, request)
    table = read_table(data, name=f"leerlingen.{workbook_format}")
    assert table.format == workbook_format
    assert table.sheet == "Leerlingen"
    assert table.columns == tuple(HEADER)
    assert table.column("Leerlingnummer") == ["00123", "00124", "12345", "12346"]
    assert table.column("Geboortedatum") == [
        "2010-05-03",
        "2009-11-14",
        "2010-02-28T10:30:00",
        "2010-07-17",
    ]
    assert table.column("Achternaam")[1] == "’t Hart"
    assert table.row_numbers == [2, 3, 4, 5]
    assert table.provenance(0).sheet == "Leerlingen"
    assert table.report.detected["sheet"] == "Leerlingen"
    assert table.report.detected["format"] == workbook_format
    assert all(str(dtype) == "String" for dtype in table.to_polars().dtypes)


def test_leading_zeros_lost_in_part_of_a_column(
    workbook_format: str, request: pytest.FixtureRequest
) -> None:
    rows = [["Leerlingnummer", "Naam"], *[[f"{i:06d}", "x"] for i in range(10, 20)], [21, "y"]]
    data = build(workbook_format, {"Blad1": rows}, request)
    table = read_table(data)
    (issue,) = table.report.by_code("leading-zeros-lost")
    assert (issue.row, issue.column) == (12, "Leerlingnummer")
    assert table.column("Leerlingnummer")[-1] == "21"


def test_identifier_rounded_to_scientific_notation(
    workbook_format: str, request: pytest.FixtureRequest
) -> None:
    rows = [["BSN", "Naam"], [123456789, "a"], [1.23e11, "b"], [123456789012.0, "c"]]
    table = read_table(build(workbook_format, {"Blad1": rows}, request))
    (issue,) = table.report.by_code("damaged-identifier")
    assert (issue.row, issue.severity) == (3, "error")
    assert "1.23E+11" in issue.message
    assert table.column("BSN") == ["123456789", "123000000000", "123456789012"]


def test_mixed_real_and_text_dates(workbook_format: str, request: pytest.FixtureRequest) -> None:
    rows = [
        ["id", "Geboortedatum"],
        ["1", dt.date(2010, 5, 3)],
        ["2", dt.date(2010, 6, 4)],
        ["3", "17-07-2010"],
        ["4", dt.date(2010, 8, 5)],
    ]
    table = read_table(build(workbook_format, {"Blad1": rows}, request))
    (issue,) = table.report.by_code("date-reformatted")
    assert (issue.row, issue.column) == (4, "Geboortedatum")
    assert "dd-mm-yyyy" in issue.message


def test_kic_style_layout_with_title_instructions_and_example(
    workbook_format: str, request: pytest.FixtureRequest
) -> None:
    rows = [
        ["Aanleverbestand leerlingen"],
        ["Vergeet niet het voorbeeld (eerste rij) te verwijderen"],
        HEADER,
        ["00000", "Voorbeeld", "Jansen", "dd-mm-jjjj", "1a"],
        *roster_rows()[1:],
    ]
    table = read_table(build(workbook_format, {"Leerlingen": rows}, request))
    assert table.header_row == 3
    assert table.row_numbers == [5, 6, 7, 8]
    (example,) = table.report.by_code("example-row")
    assert example.row == 4
    (header,) = table.report.by_code("header-row-detected")
    assert "2 non-empty rows above it" in header.message


def test_totals_row_at_the_bottom(workbook_format: str, request: pytest.FixtureRequest) -> None:
    rows = [["id", "naam", "klas"], ["1", "a", "1a"], ["2", "b", "1b"], ["Totaal", 2, None]]
    table = read_table(build(workbook_format, {"Blad1": rows}, request))
    assert len(table) == 2
    assert table.report.by_code("totals-row")[0].row == 4


def test_merged_header_and_data_cells(
    make_xlsx: Builder, make_xls: Builder, make_ods: Builder
) -> None:
    rows = [
        ["id", "Ouder", None, "klas"],
        ["1", "Jansen", "j@x.nl", "1a"],
        ["2", "Smit", "s@x.nl", None],
        ["3", "Bakker", "b@x.nl", None],
    ]
    variants = {
        "xlsx": make_xlsx({"Blad1": rows}, merged={"Blad1": ["B1:C1", "D3:D4"]}),
        "ods": make_ods({"Blad1": rows}, merged={"Blad1": [(0, 0, 1, 2), (2, 3, 3, 3)]}),
    }
    with contextlib.suppress(pytest.skip.Exception):  # without xlwt: XLSX and ODS only
        variants["xls"] = make_xls({"Blad1": rows}, merged={"Blad1": [(0, 0, 1, 2), (2, 3, 3, 3)]})
    for fmt, data in variants.items():
        table = read_table(data)
        assert table.columns == ("id", "Ouder", "Ouder", "klas"), fmt
        assert table.unique_columns == ("id", "Ouder", "Ouder_2", "klas"), fmt
        (header,) = table.report.by_code("merged-header")
        assert "B1:C1" in header.message, fmt
        assert not table.report.by_code("duplicate-header"), fmt
        (cells,) = table.report.by_code("merged-cells")
        assert (cells.row, cells.column) == (3, "klas"), fmt
        assert "D3:D4" in cells.message, fmt


def _with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """Give openpyxl's formula cells a saved result, as Excel would."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target = io.BytesIO()
    with source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = content.decode()
                for cell, value in values.items():
                    text = re.sub(
                        rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?',
                        rf"\1\2<v>{value}</v>",
                        text,
                    )
                content = text.encode()
            out.writestr(info, content)
    return target.getvalue()


def test_formulas_in_xlsx(make_xlsx: Builder, formula: Any) -> None:
    rows = [
        ["id", "naam", "email"],
        ["1", "a", formula('=B2&"@school.nl"')],
        ["2", "b", formula('=B3&"@school.nl"')],
    ]
    without = read_table(make_xlsx({"Blad1": rows}))
    issues = without.report.by_code("formula-value")
    assert [(i.row, i.column, i.severity) for i in issues] == [
        (2, "email", "warning"),
        (3, "email", "warning"),
    ]
    assert without.column("email") == ["", ""]
    cached = _with_cached_values(
        make_xlsx({"Blad1": rows}), {"C2": "a@school.nl", "C3": "b@school.nl"}
    )
    table = read_table(cached)
    assert table.column("email") == ["a@school.nl", "b@school.nl"]
    (info,) = table.report.by_code("formula-value")
    assert (info.severity, info.row, info.column) == ("info", 2, "email")


def test_formulas_in_ods(make_ods: Builder, formula: Any) -> None:
    rows = [["id", "som"], ["1", formula("=1+1", 2)], ["2", formula("=1+2")]]
    table = read_table(make_ods({"Blad1": rows}))
    issues = table.report.by_code("formula-value")
    assert [(i.row, i.severity) for i in issues] == [(2, "info"), (3, "warning")]
    assert table.column("som") == ["2", ""]


def test_formula_text_and_error_values_in_cells(make_xlsx: Builder) -> None:
    data = make_xlsx({"Blad1": [["id", "naam"], ["1", "#N/A"], ["2", "x"], ["3", "ok"]]})
    table = read_table(data)
    (error,) = table.report.by_code("error-value")
    assert (error.row, error.column) == (2, "naam")
    assert "#N/A" in error.message
    csv_table = read_table(b"id;naam\n1;=VLOOKUP(A2;B:C;2;0)\n2;#VERW!\n")
    assert [i.row for i in csv_table.report.by_code("formula-value")] == [2]
    assert [i.row for i in csv_table.report.by_code("error-value")] == [3]


def test_libreoffice_error_values_are_found_without_a_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    from edukoppel.readers.table import _damage

    monkeypatch.setattr(_damage, "_SCAN_CHUNK", 10)  # "Err:" cut by every chunk boundary
    table = read_table(b"id;naam\n1;Zo\n2;Err:502\n3;ok\n")
    assert [i.row for i in table.report.by_code("error-value")] == [3]


def test_xlsm_is_read(make_xlsx: Builder) -> None:
    data = make_xlsx({"Blad1": [["id", "naam"], ["1", "a"]]})
    source = zipfile.ZipFile(io.BytesIO(data))
    target = io.BytesIO()
    with source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml"
                )
            out.writestr(info, content)
    table = read_table(target.getvalue(), name="met-macro.xlsm")
    assert table.format == "xlsm"
    assert table.rows == (("1", "a"),)
    assert not table.report.by_code("format-mismatch")


# -- sheets ------------------------------------------------------------------------------


def test_sheet_by_name_and_index(make_xlsx: Builder) -> None:
    data = make_xlsx({"Leerlingen": [["id"], ["1"]], "Medewerkers": [["code"], ["JAN"]]})
    assert read_table(data, sheet="Medewerkers").rows == (("JAN",),)
    assert read_table(data, sheet=" medewerkers ").sheet == "Medewerkers"
    assert read_table(data, sheet=1).sheet == "Medewerkers"
    assert read_table(data, sheet=-2).sheet == "Leerlingen"
    with pytest.raises(ReaderError, match="'Leerlingen', 'Medewerkers'"):
        read_table(data, sheet="Ouders")
    with pytest.raises(ReaderError, match="numbered from 0"):
        read_table(data, sheet=2)


def test_the_only_sheet_with_a_table_is_chosen(make_xlsx: Builder) -> None:
    data = make_xlsx(
        {
            "Toelichting": [["Lees dit eerst"]],
            "Leerlingen": [["id", "naam"], ["1", "a"], ["2", "b"]],
            "Leeg": [],
        }
    )
    table = read_table(data)
    assert table.sheet == "Leerlingen"
    assert table.report.by_code("several-sheets")[0].severity == "info"
    assert "only sheet with a table" in table.report.by_code("sheet-chosen")[0].message
    assert table.report.detected["sheets"] == "Toelichting, Leerlingen, Leeg"


def test_the_roster_sheet_is_chosen_over_a_column_explanation(make_xlsx: Builder) -> None:
    data = make_xlsx(
        {
            "Uitleg": [["Kolom", "Betekenis"], ["Roepnaam", "de naam"], ["Klas", "de klas"]],
            "Leerlingen": [HEADER, ["00123", "Zoë", "Dijk", "2010-05-03", "1a"]],
        }
    )
    table = read_table(data)
    assert table.sheet == "Leerlingen"
    assert "point to a roster" in table.report.by_code("sheet-chosen")[0].message


def test_ambiguous_sheets_are_refused_with_their_names(make_xlsx: Builder) -> None:
    data = make_xlsx(
        {
            "Leerlingen": [
                ["Leerlingnummer", "Roepnaam", "Klas"],
                ["1", "a", "1a"],
                ["2", "b", "1b"],
            ],
            "Medewerkers": [["Afkorting", "Naam", "Email"], ["JAN", "x", "y"], ["PIE", "x", "y"]],
        }
    )
    with pytest.raises(ReaderError, match=r"several sheets.*'Leerlingen', 'Medewerkers'.*sheet="):
        read_table(data)


def test_hidden_sheets_are_not_chosen(make_xlsx: Builder) -> None:
    data = make_xlsx(
        {
            "Lijsten": [["klas", "niveau"], ["1a", "havo"], ["1b", "vwo"]],
            "L": [["id", "naam"], ["1", "a"]],
        },
        hidden=["Lijsten"],
    )
    table = read_table(data)
    assert table.sheet == "L"
    assert "(hidden: 'Lijsten')" in table.report.by_code("several-sheets")[0].message


def test_empty_sheet_is_refused(make_xlsx: Builder) -> None:
    with pytest.raises(MalformedFileError, match="empty"):
        read_table(make_xlsx({"Blad1": []}))


def test_header_row_given_in_a_workbook(make_xlsx: Builder) -> None:
    data = make_xlsx({"Blad1": [["titel"], ["id", "naam"], ["1", "a"]]})
    table = read_table(data, header_row=2)
    assert table.columns == ("id", "naam")
    with pytest.raises(ReaderError, match="below the last row"):
        read_table(data, header_row=10)


def test_values_right_of_the_header_are_ragged(make_xlsx: Builder) -> None:
    rows = [["id", "naam"], ["1", "a"], ["2", "b", "los"], ["3", "c"], ["4", "d"]]
    table = read_table(make_xlsx({"Blad1": rows}))
    (issue,) = table.report.by_code("ragged-row")
    assert (issue.row, issue.severity) == (3, "error")
    assert "column B" in issue.message
    assert table.columns == ("id", "naam")


def test_password_error_from_calamine_becomes_encrypted_file_error(
    make_xlsx: Builder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import python_calamine

    from edukoppel.readers.table import _spreadsheet

    def refuse(_: object) -> None:
        raise python_calamine.PasswordError("workbook is encrypted")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", refuse)
    monkeypatch.setattr(_spreadsheet, "_FAST", False)  # fastexcel would read the sheet
    with pytest.raises(EncryptedFileError, match="password"):
        read_table(make_xlsx({"Blad1": [["id"], ["1"]]}))


def test_table_that_does_not_start_at_a1(
    workbook_format: str, request: pytest.FixtureRequest
) -> None:
    rows: list[list[Any]] = [[], [], [], [], [None, None, "id", "naam"], [None, None, "001", "a"]]
    table = read_table(build(workbook_format, {"Blad1": rows}, request))
    assert table.header_row == 5
    assert table.columns == ("id", "naam")
    assert table.row_numbers == [6]
    assert table.rows == (("001", "a"),)


@pytest.mark.parametrize(
    ("rows", "header_row"),
    [
        ([["Leerlingen 2025-2026"], ["Leerlingnummer", "Roepnaam", "Achternaam", "Klas"]], 2),
        ([["Leerlingen 2025-2026"], [], ["Leerlingnummer", "Roepnaam", "Achternaam", "Klas"]], 3),
        ([["Leerlingnummer", "Roepnaam", "Achternaam", "Klas"]], 1),
    ],
)
def test_a_sheet_with_a_header_and_no_rows(rows: list[list[str]], header_row: int) -> None:
    """The same as a CSV file: the header is found, and the empty export is reported."""
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), name="leerlingen.xlsx")
    assert table.header_row == header_row
    assert table.columns == ("Leerlingnummer", "Roepnaam", "Achternaam", "Klas")
    assert len(table) == 0
    (issue,) = table.report.by_code("no-rows")
    assert (issue.row, issue.sheet) == (header_row, "Sheet")
    assert "header but no rows" in issue.message


def test_a_sheet_with_only_a_title_is_refused(make_xlsx: Builder) -> None:
    with pytest.raises(MalformedFileError, match="only one value") as caught:
        read_table(make_xlsx({"Leerlingen": [["Leerlingen 2025-2026"], [], [None, None]]}))
    assert caught.value.sheet == "Leerlingen"
    table = read_table(make_xlsx({"Leerlingen": [["E-mailadres"]]}), header_row=1)
    assert (table.columns, len(table)) == (("E-mailadres",), 0)


def test_us_dates_resaved_as_a_workbook_make_the_column_ambiguous(make_xlsx: Builder) -> None:
    """Dutch Excel opened an American CSV and saved it as XLSX: what it could read day-first
    became date cells (2 April as 4 February), the rest stayed text."""
    rows = [
        ["Leerlingnummer", "Geboortedatum"],
        ["00001", dt.date(2000, 2, 4)],
        ["00002", dt.date(1999, 12, 11)],
        ["00003", "12/19/1997"],
        ["00004", "6/20/2000"],
    ]
    table = read_table(make_xlsx({"Leerlingen": rows}))
    (column,) = table.report.by_code("dates-ambiguous")
    assert (column.severity, column.column, column.sheet) == (
        "error",
        "Geboortedatum",
        "Leerlingen",
    )
    assert [i.row for i in table.report.by_code("date-reformatted")] == [4, 5]


def _text_cells_workbook(values: list[Any]) -> bytes:
    """A workbook whose column ``naam`` holds ``values`` as text (never as formulas)."""
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["id", "naam"])
    for number, value in enumerate(values, start=1):
        sheet.cell(row=number + 1, column=1, value=str(number))
        cell = sheet.cell(row=number + 1, column=2, value=value)
        cell.data_type = "s"  # "=..." stays text, as a CSV pasted into Excel leaves it
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Jan?sen", "lost-characters"),
        ("RenÃ©", "mojibake"),
        ("1,23E+11", "damaged-identifier"),
        ("#N/A", "error-value"),
        ("Err:502", "error-value"),
        ("=VLOOKUP(A2;B:C;2;0)", "formula-value"),
    ],
)
def test_damage_in_xlsx_text_cells_is_found(value: str, code: str) -> None:
    # The shared strings' XML has "?" and "=" of its own: the text decides which cells are
    # searched, and each kind of damage is still found where it is.
    table = read_table(_text_cells_workbook(["ok", value, "a=b, wat?"]))
    assert [(issue.row, issue.column) for issue in table.report.by_code(code)] == [(3, "naam")]


def test_xml_syntax_of_the_shared_strings_triggers_no_search() -> None:
    from edukoppel.readers.table._fastxlsx import _string_triggers

    data = _text_cells_workbook(["a=b", "wat?", "+31 6 1234", "nr. #4", "Zoë"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert _string_triggers(archive) == frozenset()


def test_lost_character_across_rich_text_runs_is_found() -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["id", "naam"])
    sheet.append(["1", CellRichText(["Jan", TextBlock(InlineFont(b=True), "?sen")])])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue())
    assert table.column("naam") == ["Jan?sen"]
    assert [issue.row for issue in table.report.by_code("lost-characters")] == [2]


def test_read_ahead_gives_every_item_passes_errors_and_stops_with_its_consumer() -> None:
    from edukoppel.readers.table._spreadsheet import _read_ahead

    assert list(_read_ahead(iter(range(100)), depth=3)) == list(range(100))

    def failing() -> Any:
        yield 1
        raise zipfile.BadZipFile("kapot")

    with pytest.raises(zipfile.BadZipFile, match="kapot"):
        list(_read_ahead(failing()))
    produced: list[int] = []

    def endless() -> Any:
        number = 0
        while True:
            produced.append(number)
            yield number
            number += 1

    items = _read_ahead(endless(), depth=2)
    assert [next(items) for _ in range(3)] == [0, 1, 2]
    items.close()  # the consumer stops early: the producer stops too, within its queue
    stopped = len(produced)
    assert stopped <= 3 + 2 + 1
    time.sleep(0.2)
    assert len(produced) == stopped  # and makes no more
