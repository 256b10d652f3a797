"""Files we refuse, each with a clear message and never a dependency's traceback."""

from __future__ import annotations

import contextlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from edukoppel.exceptions import (
    EncryptedFileError,
    FileTooLargeError,
    MalformedFileError,
    ReaderError,
    UnsupportedFormatError,
)
from edukoppel.readers import read_table

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def zip_of(members: dict[str, bytes], *, compress: bool = True) -> bytes:
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "leerlingen.csv", "PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "scan.csv", "PNG image"),
        (b"\x1f\x8b\x08\x00", "export.csv", "gzip archive"),
        (
            b'<?xml version="1.0" encoding="UTF-8"?>\n<EDEX xmlns="http://www.edustandaard.nl/'
            b'edex/2.1"><school/></EDEX>',
            "export.csv",
            "EDEXML file",
        ),
        (
            '<?xml version="1.0" encoding="UTF-16"?><EDEX><school/></EDEX>'.encode("utf-16"),
            "export.xml",
            "EDEXML file",
        ),
        (
            b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook xmlns='
            b'"urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
            "oud.xls",
            "Excel 2003 XML",
        ),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "lijst.xls", "HTML"),
        (b"<?xml version='1.0'?><rss/>", "feed.csv", "XML file"),
        (b"{\\rtf1\\ansi hello}", "brief.csv", "RTF document"),
    ],
)
def test_not_a_table(data: bytes, name: str, message: str) -> None:
    with pytest.raises(UnsupportedFormatError, match=message) as caught:
        read_table(data, name=name)
    assert caught.value.file == name
    assert str(caught.value).startswith(f"{name}: ")


def test_edex2000_fixed_width_file() -> None:
    lines = [
        "01SCHOOL    12AB    HET BAKEN                 20240901",
        "02LEERLING  000001  JANSEN                    20100503",
        "02LEERLING  000002  DE VRIES                  20091114",
        "02LEERLING  000003  BAKKER                    20100228",
    ]
    data = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    with pytest.raises(UnsupportedFormatError, match="fixed-width text file"):
        read_table(data, name="edex.txt")


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"leerlingen.csv": b"id;naam\n1;a\n"}, "zip archive with 1 file"),
        (
            {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"},
            "Word document",
        ),
        ({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x00"}, r"\.xlsb"),
        (
            {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"},
            "not a spreadsheet",
        ),
    ],
)
def test_zip_that_is_not_a_workbook(members: dict[str, bytes], message: str) -> None:
    with pytest.raises(UnsupportedFormatError, match=message):
        read_table(zip_of(members), name="bestand.xlsx")


def test_damaged_zip() -> None:
    with pytest.raises(MalformedFileError, match="damaged zip"):
        read_table(b"PK\x03\x04" + b"\x00" * 40, name="kapot.xlsx")


def test_damaged_workbook_inside_a_good_zip() -> None:
    data = zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<not-closed"})
    pytest.importorskip("python_calamine")
    with pytest.raises(MalformedFileError, match="cannot be read"):
        read_table(data, name="kapot.xlsx")


@pytest.mark.parametrize(
    "data",
    [b"", b"   \r\n\r\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\xef\xbb\xbf\r\n", b"\x00\x00"],
)
def test_empty_file(data: bytes) -> None:
    with pytest.raises(MalformedFileError, match="empty"):
        read_table(data, name="leeg.csv")


def test_only_a_sep_line_has_no_rows() -> None:
    with pytest.raises(MalformedFileError, match="no rows"):
        read_table(b"sep=;\r\n", name="leeg.csv")


def test_binary_file() -> None:
    with pytest.raises(UnsupportedFormatError, match="binary file"):
        read_table(b"id;naam\n\x00\x01\x02\x03\x04\x05garbage\x00\x00\xff", name="x.csv")


def test_file_too_large(tmp_path: Path) -> None:
    data = b"id;naam\n" + b"1;a\n" * 100
    path = tmp_path / "groot.csv"
    path.write_bytes(data)
    with pytest.raises(FileTooLargeError, match="raise max_bytes") as caught:
        read_table(path, max_bytes=100)
    assert caught.value.file == "groot.csv"
    with pytest.raises(FileTooLargeError):
        read_table(data, max_bytes=100)
    with pytest.raises(FileTooLargeError):
        read_table(io.BytesIO(data), max_bytes=100)
    assert len(read_table(data, max_bytes=len(data))) == 100
    with pytest.raises(ValueError, match="positive"):
        read_table(data, max_bytes=0)


def test_zip_bomb_is_refused_before_decompressing() -> None:
    bomb = zip_of(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b" " * 5_000_000,
        }
    )
    assert len(bomb) < 20_000
    with pytest.raises(FileTooLargeError, match=r"decompresses to 4\.8 MiB"):
        read_table(bomb, name="bom.xlsx", max_bytes=1_000_000)


def test_encrypted_ooxml_workbook() -> None:
    data = OLE + b"\x00" * 100 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 50
    data += "EncryptedPackage".encode("utf-16-le")
    with pytest.raises(EncryptedFileError, match="password") as caught:
        read_table(data, name="geheim.xlsx")
    assert isinstance(caught.value, ReaderError)


def test_other_ole_files() -> None:
    word = OLE + b"\x00" * 64 + "WordDocument".encode("utf-16-le")
    with pytest.raises(UnsupportedFormatError, match=r"Word document \(\.doc\)"):
        read_table(word, name="brief.xls")
    with pytest.raises(UnsupportedFormatError, match="not an Excel workbook"):
        read_table(OLE + b"\x00" * 64, name="iets.xls")


def test_encrypted_ods(make_ods: Callable[..., bytes]) -> None:
    data = make_ods({"Blad1": [["id"], ["1"]]}, encrypted=True)
    with pytest.raises(EncryptedFileError, match="password"):
        read_table(data, name="geheim.ods")


def test_password_protected_zip() -> None:
    data = bytearray(zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}))
    # Set the 'encrypted' flag bit in both the local header and the central directory.
    data[6] |= 0x1
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x1
    with pytest.raises(EncryptedFileError):
        read_table(bytes(data), name="geheim.xlsx")


def test_explicit_format_that_contradicts_the_bytes(make_xlsx: Callable[..., bytes]) -> None:
    workbook = make_xlsx({"Blad1": [["id"], ["1"]]})
    with pytest.raises(UnsupportedFormatError, match=r"format='csv' was given, but .* XLSX"):
        read_table(workbook, format="csv")
    with pytest.raises(UnsupportedFormatError, match="CSV"):
        read_table(b"id;naam\n1;a\n", format="xlsx")


def test_name_that_contradicts_the_bytes_is_a_warning(make_xlsx: Callable[..., bytes]) -> None:
    table = read_table(make_xlsx({"Blad1": [["id"], ["1"]]}), name="export.xls")
    assert table.format == "xlsx"
    (issue,) = table.report.by_code("format-mismatch")
    assert "the name says XLS" in issue.message
    text = read_table(b"id;naam\n1;a\n", name="export.xlsx")
    assert text.format == "csv"
    assert text.report.by_code("format-mismatch")
    declared = read_table(make_xlsx({"Blad1": [["id"], ["1"]]}), format="xls")
    assert declared.report.by_code("format-mismatch")


def test_missing_spreadsheet_extra(
    make_xlsx: Callable[..., bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from edukoppel.exceptions import MissingDependencyError

    data = make_xlsx({"Blad1": [["id"], ["1"]]})
    monkeypatch.setitem(sys.modules, "python_calamine", None)
    with pytest.raises(MissingDependencyError, match=r"edukoppel\[spreadsheets\]"):
        read_table(data)


def _corrupt_deflate(data: bytes, member: str) -> bytes:
    """Overwrite the start of a member's compressed data, as a damaged download might."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    header = info.header_offset
    name_length = int.from_bytes(data[header + 26 : header + 28], "little")
    extra_length = int.from_bytes(data[header + 28 : header + 30], "little")
    start = header + 30 + name_length + extra_length
    return data[:start] + b"\xff\xff\xff\xff" + data[start + 4 :]


def test_damaged_deflate_data_in_a_workbook() -> None:
    """zlib's own error is not an OSError: it must still become a refusal."""
    workbook = zip_of(
        {
            "[Content_Types].xml": b"<Types/>" * 20,
            "xl/workbook.xml": b"<workbook><sheets/></workbook>",
        }
    )
    with pytest.raises(MalformedFileError):
        read_table(_corrupt_deflate(workbook, "[Content_Types].xml"), name="kapot.xlsx")


def test_an_ods_without_sheets() -> None:
    ods = zip_of(
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "META-INF/manifest.xml": (
                b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
                b'manifest:1.0"/>'
            ),
            "content.xml": b"X",
        },
        compress=False,
    )
    with pytest.raises(MalformedFileError, match=r"no sheets|cannot be read"):
        read_table(ods, name="leeg.ods")


def test_a_truncated_xls_is_refused_not_a_panic() -> None:
    """calamine panics (pyo3's PanicException is a BaseException) on some truncations."""
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("Leerlingen")
    for i, row in enumerate([["Leerlingnummer", "Naam"], ["00123", "Anna"], [124, "Bram"]]):
        for j, value in enumerate(row):
            sheet.write(i, j, value)
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    outcomes = set()
    for length in range(512, len(data), 16):
        try:
            read_table(data[:length], name="half.xls")
            outcomes.add("read")
        except ReaderError:
            outcomes.add("refused")
    assert "refused" in outcomes


_PREFIXES = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"sep=;\r\n", b"id;naam\r", b"PK\x03\x04", OLE]


@given(
    prefix=st.sampled_from(_PREFIXES),
    body=st.binary(max_size=200)
    | st.text(alphabet='ab;,"\r\n\xeb\u2019 09', max_size=200).map(
        lambda text: text.encode("utf-8")
    ),
    name=st.sampled_from(["x.csv", "x.xlsx", "x.txt"]),
)
@example(prefix=b"\xef\xbb\xbf", body=b"\xbb\r", name="x.csv")  # found by this test
@settings(deadline=None)
def test_any_bytes_give_a_table_or_a_reader_error(prefix: bytes, body: bytes, name: str) -> None:
    """Never a traceback from inside a dependency, nor an internal exception."""
    with contextlib.suppress(ReaderError):
        read_table(prefix + body, name=name)


def _workbook_with_a_stray_cell(cell: str, *, extra_sheet: bool = False) -> bytes:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Leerlingen"
    for row in (["Leerlingnummer", "Roepnaam"], ["00123", "Anna"], ["00124", "Bram"]):
        sheet.append(row)
    target = workbook.create_sheet("Kladblok") if extra_sheet else sheet
    if extra_sheet:
        target.append(["Leerlingnummer", "Roepnaam"])
        target.append(["00125", "Cees"])
    target[cell] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _read_in_a_child(path: Path, **options: object) -> str:
    """read_table in a child process: calamine aborts its process when an allocation fails,
    so a regression of the guard fails the test instead of killing the test run."""
    import subprocess
    import sys

    code = (
        "import edukoppel as ek\n"
        "try:\n"
        f"    table = ek.read_table({str(path)!r}, **{options!r})\n"
        "    print('read sheet', table.sheet)\n"
        "except ek.FileTooLargeError as error:\n"
        "    print('refused:', error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-500:]
    return done.stdout


def test_a_far_away_cell_is_refused_before_calamine_allocates_the_sheet(tmp_path: Path) -> None:
    """One cell at XFD1048576 would make calamine ask for 512 GiB and abort the process."""
    path = tmp_path / "ver.xlsx"
    path.write_bytes(_workbook_with_a_stray_cell("XFD1048576"))
    out = _read_in_a_child(path)
    assert "refused:" in out
    assert "row 1,048,576 and column 16,384" in out


def test_a_sheet_too_large_to_read_is_not_chosen_nor_peeked_at(tmp_path: Path) -> None:
    path = tmp_path / "twee.xlsx"
    path.write_bytes(_workbook_with_a_stray_cell("XFD1048576", extra_sheet=True))
    assert _read_in_a_child(path).strip() == "read sheet Leerlingen"
    refused = _read_in_a_child(path, sheet="Kladblok")
    assert "refused:" in refused
    assert "Kladblok" in refused


def test_a_wide_but_small_sheet_is_read() -> None:
    """Columns beyond Z make the reader measure the sheet; a small one passes."""
    data = _workbook_with_a_stray_cell("AD3")
    table = read_table(data, name="breed.xlsx")
    assert table.column("Leerlingnummer") == ["00123", "00124"]


def test_max_bytes_also_bounds_the_sheet_area() -> None:
    data = _workbook_with_a_stray_cell("AD3000")
    assert read_table(data, name="breed.xlsx").row_numbers[-1] == 3000
    with pytest.raises(FileTooLargeError, match="max_bytes"):
        read_table(data, name="breed.xlsx", max_bytes=len(data) + 100_000)


def test_an_oversized_sheet_in_a_workbook_whose_sheet_list_is_damaged_is_refused() -> None:
    """If the sheets cannot be told apart, none may be handed to calamine."""
    from edukoppel.readers.table._spreadsheet import _too_large

    data = zip_of({"xl/workbook.xml": b"<workbook><sheets", "xl/worksheets/sheet1.xml": b""})
    with pytest.raises(MalformedFileError, match="list of sheets"):
        _too_large(data, {"xl/worksheets/sheet1.xml": (1_048_576, 16_384)}, "kapot.xlsx")
