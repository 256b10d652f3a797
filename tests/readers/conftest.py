"""Fixture builders for the reader tests: every file is generated here, no real people's data.

The builders are fixtures returning functions (the tests run in importlib mode, so they cannot
import a helper module from this folder).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pytest

Cell = Any
Rows = Sequence[Sequence[Cell]]


class Formula:
    """A formula cell for the builders; ``value`` is its saved result (``None``: none saved)."""

    def __init__(self, text: str, value: Cell = None) -> None:
        self.text = text
        self.value = value


def _xlsx(
    sheets: dict[str, Rows],
    *,
    merged: dict[str, list[str]] | None = None,
    hidden: Sequence[str] = (),
    text_columns: dict[str, Sequence[int]] | None = None,
) -> bytes:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append([cell.text if isinstance(cell, Formula) else cell for cell in row])
        for cell_range in (merged or {}).get(name, []):
            sheet.merge_cells(cell_range)
        for column in (text_columns or {}).get(name, []):
            for row_cells in sheet.iter_rows(min_col=column, max_col=column):
                for cell in row_cells:
                    cell.number_format = "@"
        if name in hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    workbook.close()
    return buffer.getvalue()


def _xls(
    sheets: dict[str, Rows], *, merged: dict[str, list[tuple[int, int, int, int]]] | None = None
) -> bytes:
    xlwt = pytest.importorskip("xlwt", reason="xlwt writes the XLS fixtures (tests group)")
    workbook = xlwt.Workbook()
    date_style = xlwt.easyxf(num_format_str="DD-MM-YYYY")
    datetime_style = xlwt.easyxf(num_format_str="DD-MM-YYYY HH:MM")
    for name, rows in sheets.items():
        sheet = workbook.add_sheet(name)
        spans = (merged or {}).get(name, [])
        covered = {
            (r, c)
            for r1, r2, c1, c2 in spans
            for r in range(r1, r2 + 1)
            for c in range(c1, c2 + 1)
            if (r, c) != (r1, c1)
        }
        for r1, r2, c1, c2 in spans:
            sheet.write_merge(r1, r2, c1, c2, rows[r1][c1])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or (r, c) in covered or any((r, c) == (s[0], s[2]) for s in spans):
                    continue
                if isinstance(value, dt.datetime):
                    sheet.write(r, c, value, datetime_style)
                elif isinstance(value, dt.date):
                    sheet.write(r, c, value, date_style)
                elif isinstance(value, Formula):
                    sheet.write(r, c, xlwt.Formula(value.text.lstrip("=")))
                else:
                    sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"'
)


def _ods_cell(value: Cell, span: tuple[int, int] | None) -> str:
    attrs = ""
    if span is not None:
        attrs += f' table:number-rows-spanned="{span[0]}" table:number-columns-spanned="{span[1]}"'
    if isinstance(value, Formula):
        attrs += f" table:formula={quoteattr('of:' + value.text)}"
        value = value.value
        if value is None:
            return f"<table:table-cell{attrs}/>"
    if value is None or value == "":
        return f"<table:table-cell{attrs}/>"
    if isinstance(value, bool):
        text = "WAAR" if value else "ONWAAR"
        kind = f'office:value-type="boolean" office:boolean-value="{str(value).lower()}"'
    elif isinstance(value, (int, float)):
        text, kind = str(value), f'office:value-type="float" office:value="{value}"'
    elif isinstance(value, dt.datetime):
        text = value.strftime("%d-%m-%Y %H:%M")
        kind = f'office:value-type="date" office:date-value="{value.isoformat()}"'
    elif isinstance(value, dt.date):
        text = value.strftime("%d-%m-%Y")
        kind = f'office:value-type="date" office:date-value="{value.isoformat()}"'
    else:
        text, kind = str(value), 'office:value-type="string"'
    return f"<table:table-cell{attrs} {kind}><text:p>{escape(text)}</text:p></table:table-cell>"


def _ods(
    sheets: dict[str, Rows],
    *,
    merged: dict[str, list[tuple[int, int, int, int]]] | None = None,
    encrypted: bool = False,
) -> bytes:
    """A minimal OpenDocument spreadsheet, written by hand (calamine reads it)."""
    tables = []
    for name, rows in sheets.items():
        spans = {
            (r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, r2, c1, c2 in (merged or {}).get(name, [])
        }
        covered = {
            (r, c)
            for (r1, c1), (height, width) in spans.items()
            for r in range(r1, r1 + height)
            for c in range(c1, c1 + width)
            if (r, c) != (r1, c1)
        }
        body = []
        for r, row in enumerate(rows):
            cells = "".join(
                "<table:covered-table-cell/>"
                if (r, c) in covered
                else _ods_cell(value, spans.get((r, c)))
                for c, value in enumerate(row)
            )
            body.append(f"<table:table-row>{cells}</table:table-row>")
        tables.append(f"<table:table table:name={quoteattr(name)}>{''.join(body)}</table:table>")
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} '
        f'office:version="1.2"><office:body><office:spreadsheet>{"".join(tables)}'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    encryption = (
        '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x"/>'
        if encrypted
        else ""
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/>'
        f'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        f"{encryption}</manifest:file-entry></manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


@pytest.fixture(params=["fastexcel", "python-calamine"])
def xlsx_engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Read XLSX sheets through fastexcel (the default) or through python-calamine.

    Both paths must give the same table; the tests of workbooks run on each.
    """
    from edukoppel.readers.table import _spreadsheet

    if request.param == "fastexcel":
        pytest.importorskip("fastexcel")
    monkeypatch.setattr(_spreadsheet, "_FAST", request.param == "fastexcel")
    return str(request.param)


@pytest.fixture
def make_xlsx() -> Callable[..., bytes]:
    """``make_xlsx({"Leerlingen": rows}, merged={"Leerlingen": ["A1:C1"]})`` -> bytes."""
    return _xlsx


@pytest.fixture
def make_xls() -> Callable[..., bytes]:
    """``make_xls({"Blad1": rows})`` -> bytes (skips when xlwt is not installed)."""
    return _xls


@pytest.fixture
def make_ods() -> Callable[..., bytes]:
    """``make_ods({"Blad1": rows}, merged={"Blad1": [(r1, r2, c1, c2)]})`` -> bytes."""
    return _ods


@pytest.fixture
def formula() -> type[Formula]:
    """The :class:`Formula` marker for the builders."""
    return Formula


ROSTER_HEADER = ["Leerlingnummer", "Roepnaam", "Achternaam", "Geboortedatum", "Klas"]


@pytest.fixture
def roster() -> list[list[str]]:
    """A small made-up roster with accents, leading zeros and Dutch dates (header first)."""
    return [
        ROSTER_HEADER,
        ["00123", "Zoë", "van Dijk", "03-05-2010", "1a"],
        ["00124", "Noé", "’t Hart", "14-11-2009", "1b"],
        ["00125", "Jaïr", "Müller", "28-02-2010", "1a"],
        ["00126", "Hüseyin", "Demir", "01-09-2009", "2c"],
        ["00127", "René", "de Boer", "17-07-2010", "1b"],
    ]
