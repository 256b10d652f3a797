"""Forged workbooks are refused before calamine allocates, never by the process dying.

calamine aborts its process when an allocation fails, so every read of a forged file runs in
a child process: a regression of a guard fails the test instead of killing the test run.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from edukoppel.exceptions import FileTooLargeError

Builder = Callable[..., bytes]
ROWS = [["Leerlingnummer", "Roepnaam"], ["00123", "Anna"], ["00124", "Bram"]]

_CHILD = """
import json, sys
import edukoppel as ek
path, options = sys.argv[1], json.loads(sys.argv[2])
try:
    table = ek.read_table(path, **options)
    print(json.dumps({"read": table.sheet, "rows": len(table)}))
except ek.ReaderError as error:
    print(json.dumps({"refused": type(error).__name__, "sheet": error.sheet, "text": str(error)}))
"""


def read_in_a_child(path: Path, **options: Any) -> dict[str, Any]:
    """read_table in a fresh interpreter; what it read or why it refused."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), json.dumps(options)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-800:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


# -- XLS -----------------------------------------------------------------------------------


def _patched(data: bytes, head: bytes, fmt: str, offset: int, *values: int) -> bytes:
    """``data`` with the first record starting with ``head`` given new values at ``offset``."""
    at = data.find(head)
    assert at > 0, head
    patched = bytearray(data)
    struct.pack_into(fmt, patched, at + offset, *values)
    return bytes(patched)


def test_a_forged_dimensions_record_is_refused(tmp_path: Path, make_xls: Builder) -> None:
    """The issue's 6 KB file: DIMENSIONS claims 1,048,576 x 16,384 (calamine asked 640 GiB)."""
    data = make_xls({"Leerlingen": ROWS})
    path = tmp_path / "vals.xls"
    path.write_bytes(_patched(data, b"\x00\x02\x0e\x00", "<IIHH", 4, 0, 1_048_576, 0, 16_384))
    result = read_in_a_child(path)
    assert result["refused"] == "FileTooLargeError"
    assert result["sheet"] == "Leerlingen"
    assert "row 1,048,576 and column 16,384" in result["text"]


def test_a_dimensions_record_whose_first_row_lies_past_its_last_is_refused(
    tmp_path: Path, make_xls: Builder
) -> None:
    """calamine subtracts in 32 bits: a first row past the last wraps to four billion rows."""
    data = make_xls({"Leerlingen": ROWS})
    path = tmp_path / "omgekeerd.xls"
    path.write_bytes(_patched(data, b"\x00\x02\x0e\x00", "<IIHH", 4, 70_000, 3, 0, 2))
    assert read_in_a_child(path)["refused"] == "FileTooLargeError"


def test_a_cell_far_from_a_small_dimensions_record_is_refused(
    tmp_path: Path, make_xls: Builder
) -> None:
    """A lying DIMENSIONS record is caught the other way too: by the cells' own position."""
    data = make_xls({"Leerlingen": [*ROWS, ["00125", 1 / 3]]})
    number = data.find(b"\x03\x02\x0e\x00")
    assert number > 0
    path = tmp_path / "ver.xls"
    path.write_bytes(_patched(data, data[number : number + 8], "<HH", 4, 65_000, 60_000))
    result = read_in_a_child(path)
    assert result["refused"] == "FileTooLargeError"
    assert "row 65,001 and column 60,001" in result["text"]


def test_an_ordinary_xls_passes_the_guard(tmp_path: Path, make_xls: Builder) -> None:
    path = tmp_path / "gewoon.xls"
    path.write_bytes(make_xls({"Leerlingen": ROWS, "Tweede": [["a", "b"], ["c", "d"]]}))
    assert read_in_a_child(path, sheet="Leerlingen") == {"read": "Leerlingen", "rows": 2}


def test_max_bytes_bounds_an_xls_sheet_too(make_xls: Builder) -> None:
    """Below 65,536 x 512 cells the guard follows every record (no quick pass)."""
    from edukoppel.exceptions import FileTooLargeError
    from edukoppel.readers import read_table

    rows = [["id", "naam"], ["1", "a"], *([] for _ in range(297)), [*[None] * 99, "x"]]
    data = make_xls({"Blad1": rows})
    assert read_table(data, name="a.xls").row_numbers[-1] == 300
    with pytest.raises(FileTooLargeError, match="row 300 and column 100"):
        read_table(data, name="a.xls", max_bytes=8 * 20_000)


def _sector_table(data: bytes) -> tuple[int, int]:
    """The file offset of the first FAT sector and the sector size."""
    size = 1 << struct.unpack_from("<H", data, 30)[0]
    first_fat = struct.unpack_from("<I", data, 76)[0]
    return size + first_fat * size, size


def test_a_container_whose_chain_loops_is_refused(tmp_path: Path, make_xls: Builder) -> None:
    """A FAT cycle would make calamine follow the chain for ever, growing its buffer."""
    data = bytearray(make_xls({"Leerlingen": ROWS}))
    fat, _ = _sector_table(bytes(data))
    directory = struct.unpack_from("<I", data, 48)[0]
    struct.pack_into("<I", data, fat + 4 * directory, directory)  # the directory points at itself
    path = tmp_path / "kring.xls"
    path.write_bytes(bytes(data))
    result = read_in_a_child(path)
    assert result["refused"] == "MalformedFileError"
    assert "points outside the file or in a circle" in result["text"]


def test_a_container_pointing_past_the_file_is_refused(tmp_path: Path, make_xls: Builder) -> None:
    """A sector number far beyond the file would make calamine grow its buffer to reach it."""
    data = bytearray(make_xls({"Leerlingen": ROWS}))
    struct.pack_into("<I", data, 48, 0x7FFF_0000)  # the first directory sector
    path = tmp_path / "buiten.xls"
    path.write_bytes(bytes(data))
    assert read_in_a_child(path)["refused"] == "MalformedFileError"


def test_a_huge_shared_string_count_is_refused(tmp_path: Path, make_xls: Builder) -> None:
    """calamine reserves a string for every one the SST record claims, before reading them."""
    data = make_xls({"Leerlingen": ROWS})
    path = tmp_path / "sst.xls"
    path.write_bytes(_patched(data, b"\xfc\x00", "<ii", 4, 0x7FFF_FFFF, 0x7FFF_FFFF))
    assert read_in_a_child(path)["refused"] == "MalformedFileError"


# -- ODS -----------------------------------------------------------------------------------

_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
    '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type='
    '"application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>'
)


def ods_of(rows_xml: str, *, name: str = "Blad1") -> bytes:
    """An ODS file by hand: the given ``table:table-row`` elements under a two-column header."""
    header = _row(_text("Leerlingnummer") + _text("Roepnaam"))
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS} '
        f'office:version="1.2"><office:body><office:spreadsheet><table:table table:name="{name}">'
        f"{header}{rows_xml}</table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", _MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _text(value: str, attributes: str = "") -> str:
    return (
        f'<table:table-cell{attributes} office:value-type="string"><text:p>{value}</text:p>'
        "</table:table-cell>"
    )


def _row(cells: str, attributes: str = "") -> str:
    return f"<table:table-row{attributes}>{cells}</table:table-row>"


# calamine itself stops a repeat at Excel's 1,048,576 rows and 16,384 columns and a table at
# 100 million cells (3 GiB and more); the guard holds a table to max_bytes, before calamine.
FORGED_ODS = {
    "rows and columns at Excel's limits": _row(
        _text("x", ' table:number-columns-repeated="16384"'),
        ' table:number-rows-repeated="1048576"',
    ),
    "a repeated row with content": _row(
        _text("x") + _text("y"), ' table:number-rows-repeated="20000000"'
    ),
    "a repeated cell with content": _row(_text("x", ' table:number-columns-repeated="40000000"')),
    "empty rows before a row with content": _row(
        "<table:table-cell/>", ' table:number-rows-repeated="1048000"'
    )
    + _row(_text("x", ' table:number-columns-repeated="100"')),
    "empty cells before a cell with content": _row(
        '<table:table-cell table:number-columns-repeated="16000"/>' + _text("x"),
        ' table:number-rows-repeated="5000"',
    ),
    "a count written as character references": _row(
        _text("x") + _text("y"), ' table:number-rows-repeated="&#50;0000000"'
    ),
    "a count in single quotes": _row(
        _text("x") + _text("y"), " table:number-rows-repeated='20000000'"
    ),
    "a span": _row(
        _text("x", ' table:number-rows-spanned="1000000" table:number-columns-spanned="1000"')
    ),
}


@pytest.mark.parametrize("rows_xml", FORGED_ODS.values(), ids=FORGED_ODS.keys())
def test_a_forged_ods_is_refused(tmp_path: Path, rows_xml: str) -> None:
    path = tmp_path / "vals.ods"
    path.write_bytes(ods_of(rows_xml, name="Leerlingen"))
    result = read_in_a_child(path)
    assert result["refused"] == "FileTooLargeError", result
    assert result["sheet"] == "Leerlingen"
    assert "used range runs to row" in result["text"]


@pytest.mark.parametrize("chunk", [64, 333, 1 << 20])
@pytest.mark.parametrize("rows_xml", FORGED_ODS.values(), ids=FORGED_ODS.keys())
def test_the_ods_guard_reads_the_claims_across_chunks(
    rows_xml: str, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """content.xml is searched a chunk at a time: a claim is found wherever the cuts fall."""
    from edukoppel.readers.table import _bounds

    monkeypatch.setattr(_bounds, "_ODS_CHUNK", chunk)
    honest = "".join(_row(_text(f"{number:05d}") + _text("Anna")) for number in range(40))
    with pytest.raises(FileTooLargeError):
        _bounds.check_ods(ods_of(honest + rows_xml), max_cells=10_000_000, file="x.ods")
    _bounds.check_ods(ods_of(honest), max_cells=10_000_000, file="x.ods")  # no refusal


def test_merged_cells_keep_an_ods_on_the_quick_bound() -> None:
    """A merged title row (a span and its covered cells) is bounded without the exact count."""
    import zipfile as zip_module

    from edukoppel.readers.table import _bounds

    title = _row(
        _text("Leerlingen 2025-2026", ' table:number-columns-spanned="2"')
        + "<table:covered-table-cell/>"
    )
    data = ods_of(title + _row(_text("00123") + _text("Anna")))

    def bounded(max_cells: int) -> bool:
        with zip_module.ZipFile(io.BytesIO(data)) as archive:
            chunks = _bounds.part_chunks(archive, "content.xml", cut_before=b"<table:table-row")
            return _bounds._quick_ods(chunks, max_cells=max_cells)

    assert bounded(100)
    assert not bounded(3)  # 2 rows x (2 + 2 spanned)


@pytest.mark.parametrize(
    ("row_attribute", "cell_attribute"),
    [("number-rows-repeated", ""), ("", "number-columns-spanned"), ("", "number-rows-spanned")],
)
def test_a_count_beyond_any_integer_is_refused(row_attribute: str, cell_attribute: str) -> None:
    from edukoppel.readers.table import _bounds

    def huge(attribute: str) -> str:
        return f' table:{attribute}="{"9" * 30}"' if attribute else ""

    rows = _row(_text("x", huge(cell_attribute)) + _text("y"), huge(row_attribute))
    with pytest.raises(FileTooLargeError):
        _bounds.check_ods(ods_of(rows), max_cells=10_000_000, file="x.ods")


def test_a_forged_run_of_spaces_is_refused(tmp_path: Path) -> None:
    """calamine writes out text:c spaces one by one: two billion of them abort it."""
    cell = (
        '<table:table-cell office:value-type="string"><text:p>a<text:s text:c="2000000000"/>'
        "</text:p></table:table-cell>"
    )
    path = tmp_path / "spaties.ods"
    path.write_bytes(ods_of(_row(cell)))
    result = read_in_a_child(path)
    assert result["refused"] == "FileTooLargeError"
    assert "2,000,000,000 spaces" in result["text"]


def test_libreoffice_trailing_repeats_are_not_content(tmp_path: Path) -> None:
    """LibreOffice ends every sheet with the rest of its 1,048,576 x 1,024 grid, empty."""
    trailing = _row(
        _text("00123") + _text("Anna") + '<table:table-cell table:number-columns-repeated="1022"/>'
    ) + _row(
        '<table:table-cell table:number-columns-repeated="1024"/>',
        ' table:number-rows-repeated="1048574"',
    )
    path = tmp_path / "libreoffice.ods"
    path.write_bytes(ods_of(trailing))
    assert read_in_a_child(path) == {"read": "Blad1", "rows": 1}


def test_honest_repeats_are_read() -> None:
    from edukoppel.readers import read_table

    rows = _row(_text("00123") + _text("Anna")) + _row(
        _text("x", ' table:number-columns-repeated="2"'), ' table:number-rows-repeated="3"'
    )
    table = read_table(ods_of(rows), name="a.ods")
    assert table.rows == (("00123", "Anna"), *(("x", "x"),) * 3)


# -- XLSM ----------------------------------------------------------------------------------


def test_an_xlsm_with_a_far_cell_is_refused(tmp_path: Path) -> None:
    """XLSM goes through the XLSX guard: one cell at XFD1048576."""
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Leerlingen"
    for row in ROWS:
        sheet.append(row)
    sheet["XFD1048576"] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    target = io.BytesIO()
    with source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml"
                )
            out.writestr(info, content)
    path = tmp_path / "macro.xlsm"
    path.write_bytes(target.getvalue())
    result = read_in_a_child(path)
    assert result["refused"] == "FileTooLargeError"
    assert result["sheet"] == "Leerlingen"


# -- XLSX holes the fuzz proof found -------------------------------------------------------


def _xlsx_with_sheet_xml(make_xlsx: Builder, change: Callable[[bytes], bytes]) -> bytes:
    data = make_xlsx({"Leerlingen": ROWS})
    target = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            out.writestr(info.filename, content)
    return target.getvalue()


@pytest.mark.parametrize(
    ("change", "claim"),
    [
        (lambda xml: xml.replace(b'r="B3"', b'r="B99999999"'), "row 99,999,999 and column 2"),
        (lambda xml: xml.replace(b'r="B3"', b'r="ZZZZ300"'), "row 300 and column 475,254"),
        (
            lambda xml: xml.replace(b'<dimension ref="A1:B3"', b'<dimension ref="A1:ZZZ99999999"'),
            "row 99,999,999 and column 18,278",
        ),
    ],
    ids=["a row beyond Excel's", "four column letters", "a forged dimension element"],
)
def test_xlsx_references_beyond_excel_are_refused(
    tmp_path: Path, make_xlsx: Builder, change: Callable[[bytes], bytes], claim: str
) -> None:
    """calamine takes references beyond Excel's grid as they are, and sizes by <dimension>."""
    path = tmp_path / "ver.xlsx"
    path.write_bytes(_xlsx_with_sheet_xml(make_xlsx, change))
    result = read_in_a_child(path)
    assert result["refused"] == "FileTooLargeError", result
    assert claim in result["text"]


def test_an_xls_dimensions_record_whose_first_column_lies_past_its_last_is_refused(
    tmp_path: Path, make_xls: Builder
) -> None:
    """Found by the fuzz proof: calamine reserved 2**31 x 65,534 cells for this record."""
    data = make_xls({"Leerlingen": ROWS})
    path = tmp_path / "kolommen.xls"
    path.write_bytes(
        _patched(data, b"\x00\x02\x0e\x00", "<IIHH", 4, 0, 0x7FFF_FFFF, 0xFFFE, 0xFFFE)
    )
    assert read_in_a_child(path)["refused"] == "FileTooLargeError"


def test_an_xlsx_whose_sheet_part_zipfile_cannot_read_is_refused(
    tmp_path: Path, make_xlsx: Builder
) -> None:
    """Found by the fuzz proof: what Python's zipfile cannot read, calamine's reader may, and
    then nothing measured it; such a sheet is refused rather than handed over unmeasured."""
    data = bytearray(make_xlsx({"Leerlingen": ROWS}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start : start + 8] = b"\xff" * 8  # damaged deflate data
    from edukoppel.exceptions import MalformedFileError
    from edukoppel.readers import read_table

    with pytest.raises(MalformedFileError, match="size cannot be checked before reading"):
        read_table(bytes(data), name="kapot.xlsx")


def test_read_many_on_a_forged_workbook_is_refused_before_its_sheets_are_listed(
    tmp_path: Path, make_xls: Builder
) -> None:
    """Listing a workbook's sheets opens it, and opening an XLS parses every sheet."""
    data = make_xls({"Leerlingen": ROWS})
    path = tmp_path / "vals.xls"
    path.write_bytes(_patched(data, b"\x00\x02\x0e\x00", "<IIHH", 4, 0, 1_048_576, 0, 16_384))
    code = (
        "import sys, edukoppel as ek\n"
        "try:\n    ek.read_many(sys.argv[1])\n"
        "except ek.FileTooLargeError as error:\n    print('refused', error.sheet)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-800:]
    assert done.stdout.split() == ["refused", "Leerlingen"]
