"""XLSX through fastexcel gives the table python-calamine gives, cell for cell.

fastexcel is the fast path; python-calamine (one Python object per cell) is the reference. Any
sheet the fast path reads must come out the same both ways: cell texts, which cells were
numbers, large-number notes, header, title rows, merged cells and the report.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edukoppel.exceptions import ReaderError
from edukoppel.readers import read_table
from edukoppel.readers.table import _fastxlsx, _spreadsheet

pytest.importorskip("python_calamine")
pytest.importorskip("fastexcel")
openpyxl = pytest.importorskip("openpyxl")


def _workbook(
    rows: list[list[Any]],
    *,
    offset: tuple[int, int] = (0, 0),
    merged: str = "",
    writer: str = "openpyxl",
) -> bytes:
    """A workbook of ``rows``; openpyxl writes inline strings, xlsxwriter shared ones (as Excel)."""
    if writer == "xlsxwriter":
        return _xlsxwriter_workbook(rows, offset=offset, merged=merged)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Leerlingen"
    for r, row in enumerate(rows, start=1 + offset[0]):
        for c, value in enumerate(row, start=1 + offset[1]):
            if value is not None:
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text, not a formula
    if merged:
        sheet.merge_cells(merged)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsxwriter_workbook(rows: list[list[Any]], *, offset: tuple[int, int], merged: str) -> bytes:
    xlsxwriter = pytest.importorskip("xlsxwriter")
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Leerlingen")
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for r, row in enumerate(rows, start=offset[0]):
        for c, value in enumerate(row, start=offset[1]):
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, moment)
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, date)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
    if merged:
        first = rows[0][0] if rows and rows[0] and offset == (0, 0) else None
        sheet.merge_range(merged, "" if first is None else first)
    workbook.close()
    return buffer.getvalue()


def _both(data: bytes, monkeypatch: pytest.MonkeyPatch, **options: Any) -> tuple[Any, Any]:
    """The table (or the refusal) each path gives."""
    tables: list[Any] = []
    for fast in (True, False):
        monkeypatch.setattr(_spreadsheet, "_FAST", fast)
        try:
            tables.append(read_table(data, name="roster.xlsx", **options))
        except ReaderError as error:
            tables.append(error)
    return tables[0], tables[1]


def _same(fast: Any, slow: Any) -> None:
    if isinstance(slow, ReaderError):
        assert (type(fast), str(fast)) == (type(slow), str(slow))
        return
    assert fast.report.detected.pop("reader") == "fastexcel"
    assert slow.report.detected.pop("reader") == "python-calamine"
    assert fast.columns == slow.columns
    assert fast.to_polars(row_numbers="row").rows() == slow.to_polars(row_numbers="row").rows()
    assert fast.header_row == slow.header_row
    assert dict(fast.numeric_cells) == dict(slow.numeric_cells)
    assert fast.preamble == slow.preamble
    assert fast.report.detected == slow.report.detected
    assert sorted(map(repr, fast.report.issues)) == sorted(map(repr, slow.report.issues))


_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=12
).filter(lambda text: text.strip() == text and not text.startswith("="))
# Damage the checks look for, and text with the same characters that is not damage.
_DAMAGE_OR_LIKE_IT = [
    *("Jan?sen", "wat?", "a=b", "=SOM(A1)", "#N/A", "nr. #4", "Err:502"),
    *("1,23E+11", "+31 6 12", "RenÃ©", "Zoë", "€ 5"),
]
_CELL = st.one_of(
    st.none(),
    _TEXT,
    st.from_regex(r"0[0-9]{3,7}", fullmatch=True),  # ids with leading zeros, as text
    st.integers(min_value=-(10**6), max_value=10**17),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: round(x, 4)),
    st.booleans(),
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2030, 12, 31)).map(
        lambda moment: moment.replace(microsecond=0)
    ),
    st.sampled_from(["true", "FALSE", "2010-05-03 00:00:00", "-0", "1899-12-31 10:30:00"]),
    st.sampled_from(_DAMAGE_OR_LIKE_IT),
)


@st.composite
def sheets(draw: st.DrawFn) -> tuple[list[list[Any]], tuple[int, int]]:
    width = draw(st.integers(1, 6))
    header = [f"kolom {index}" for index in range(width)]
    titles = draw(st.lists(st.lists(_TEXT, min_size=1, max_size=1), max_size=2))
    body = draw(st.lists(st.lists(_CELL, min_size=width, max_size=width), min_size=1, max_size=25))
    offset = (draw(st.integers(0, 3)), draw(st.integers(0, 2)))
    return [*titles, header, *body], offset


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sheet=sheets(),
    chunk=st.sampled_from([48, 97, 1 << 20]),
    merged=st.booleans(),
    writer=st.sampled_from(["openpyxl", "xlsxwriter"]),
)
def test_fastexcel_and_calamine_read_the_same_table(
    sheet: tuple[list[list[Any]], tuple[int, int]],
    chunk: int,
    merged: bool,
    writer: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Any sheet, with the XML read in chunks small enough to cut every cell and tag."""
    rows, offset = sheet
    monkeypatch.setattr(_fastxlsx, "_CHUNK", chunk)
    data = _workbook(rows, offset=offset, merged="A1:B2" if merged else "", writer=writer)
    _same(*_both(data, monkeypatch))


def test_the_cells_a_person_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    rows: list[list[Any]] = [
        ["id", "waarde"],
        ["00123", 123],
        [12345, 1.5],
        [123456789012345678, 1e-5],
        [True, dt.date(2010, 5, 3)],
        [False, dt.datetime(2010, 5, 3, 10, 30)],
        ["true", dt.time(10, 30)],
        ["2010-05-03 00:00:00", -0.0],
    ]
    fast, slow = _both(_workbook(rows), monkeypatch)
    _same(fast, slow)
    assert fast.column("id") == [
        "00123", "12345", "123456789012345696", "TRUE", "FALSE", "true", "2010-05-03 00:00:00"
    ]  # fmt: skip
    assert fast.column("waarde") == [
        "123", "1.5", "0.00001", "2010-05-03", "2010-05-03T10:30:00", "10:30:00", "0"
    ]  # fmt: skip
    assert dict(fast.numeric_cells) == {"id": 2, "waarde": 4}
    (note,) = fast.report.by_code("damaged-identifier")
    assert note.row == 4


def test_title_rows_offset_sheet_and_merged_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    rows: list[list[Any]] = [
        ["Leerlingen Voorbeeldcollege, schooljaar 2024-2025", None, None],
        ["leerlingnummer", "roepnaam", "klas"],
        ["001", "Zoë", "1a"],
        ["002", "Noé", "1b"],
    ]
    fast, slow = _both(_workbook(rows, offset=(2, 1), merged="B3:D3"), monkeypatch)
    _same(fast, slow)
    assert fast.header_row == 4
    assert fast.columns == ("leerlingnummer", "roepnaam", "klas")


def test_a_sheet_laid_out_otherwise_is_read_by_calamine(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _workbook([["id", "naam"], [1, "Zoë"], [2, "Noé"]])
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    # The same cells with their attributes in another order: the counting pattern misses the
    # number cells, notices it, and leaves the sheet to python-calamine.
    parts[sheet] = parts[sheet].replace(b'<c r="A2" t="n">', b'<c t="n" r="A2">')
    parts[sheet] = parts[sheet].replace(b'<c r="A2">', b'<c t="n" r="A2">')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)
    monkeypatch.setattr(_spreadsheet, "_FAST", True)
    table = read_table(buffer.getvalue(), name="roster.xlsx")
    assert table.report.detected["reader"] == "python-calamine"
    assert table.column("id") == ["1", "2"]
    assert dict(table.numeric_cells) == {"id": 2}


def test_the_sheet_chosen_among_several_is_read_by_fastexcel(
    make_xlsx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = make_xlsx(
        {
            "Toelichting": [["Deze werkmap bevat de leerlingen van 2025-2026"]],
            "Leerlingen": [["leerlingnummer", "roepnaam"], ["001", "Zoë"], [2, "Noé"]],
        }
    )
    fast, slow = _both(data, monkeypatch)
    _same(fast, slow)
    assert fast.sheet == "Leerlingen"
    assert dict(fast.numeric_cells) == {"leerlingnummer": 1}
