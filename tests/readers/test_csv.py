"""CSV files: encodings, delimiters, quoting, structure, and the fast path against the exact one."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest

from edukoppel.exceptions import MalformedFileError
from edukoppel.readers import Table, read_table
from edukoppel.readers._issues import Collector
from edukoppel.readers.table._csv import read_csv_grid
from edukoppel.readers.table._finish import finish
from edukoppel.report import Report


def to_csv(rows: list[list[str]], *, delimiter: str = ";", newline: str = "\r\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buffer.getvalue()


def read_exact(data: bytes, **options: object) -> Table:
    """Read through the standard-library path only (to compare with the fast path)."""
    report = Report()
    collector = Collector(report, file="exact.csv")
    grid = read_csv_grid(
        data,
        file="exact.csv",
        encoding=options.get("encoding"),  # type: ignore[arg-type]
        delimiter=options.get("delimiter"),  # type: ignore[arg-type]
        header_row=options.get("header_row"),  # type: ignore[arg-type]
        collector=collector,
        force_slow=True,
    )
    table = finish(
        grid,
        collector=collector,
        file="exact.csv",
        sheet=None,
        format="csv",
        skip_example_rows=True,
        present=lambda needle: True,
    )
    collector.finish()
    return table


def same(fast: Table, exact: Table) -> None:
    assert fast.columns == exact.columns
    assert fast.rows == exact.rows
    assert fast.row_numbers == exact.row_numbers
    issues = sorted((i.code, i.row, i.column or "") for i in fast.report if i.code != "blank-row")
    expected = sorted(
        (i.code, i.row, i.column or "") for i in exact.report if i.code != "blank-row"
    )
    assert issues == expected


# -- encodings -------------------------------------------------------------------------


def test_windows_1252_with_accents_and_curly_apostrophe(roster: list[list[str]]) -> None:
    data = to_csv(roster).encode("cp1252")
    table = read_table(data, name="numo.csv")
    assert table.report.detected["encoding"] == "windows-1252"
    assert table.column("Roepnaam") == ["Zoë", "Noé", "Jaïr", "Hüseyin", "René"]
    assert table.column("Achternaam")[1] == "’t Hart"
    (issue,) = table.report.by_code("encoding-detected")
    assert "not valid UTF-8" in issue.message
    assert "line 2" in issue.message
    assert issue.severity == "info"


@pytest.mark.parametrize(
    ("codec", "detected", "reason"),
    [
        ("utf-8", "utf-8", "valid UTF-8"),
        ("utf-8-sig", "utf-8-sig", "byte order mark"),
        ("utf-16", "utf-16-le", "byte order mark"),
        ("utf-16-be", "utf-16-be", "NUL bytes"),
        ("utf-16-le", "utf-16-le", "NUL bytes"),
    ],
)
def test_unicode_encodings(roster: list[list[str]], codec: str, detected: str, reason: str) -> None:
    data = to_csv(roster, delimiter="\t").encode(codec)
    table = read_table(data)
    assert table.report.detected["encoding"] == detected
    assert reason in table.report.by_code("encoding-detected")[0].message
    assert table.columns == tuple(roster[0])
    assert [list(row) for row in table.rows] == roster[1:]


def test_excel_unicode_text_is_utf16_le_with_bom_and_tabs(roster: list[list[str]]) -> None:
    data = codecs.BOM_UTF16_LE + to_csv(roster, delimiter="\t").encode("utf-16-le")
    table = read_table(data, name="export.txt")
    assert table.report.detected["encoding"] == "utf-16-le"
    assert table.report.detected["delimiter"] == "\t"
    assert "Unicode text" in table.report.by_code("encoding-detected")[0].message
    assert table.column("Achternaam")[2] == "Müller"


def test_ansi_byte_only_after_the_first_64_kib_falls_back_to_windows_1252() -> None:
    rows = [["id", "naam"]] + [[f"{i:05d}", "Anna"] for i in range(10_000)] + [["99999", "Zoë"]]
    data = to_csv(rows).encode("cp1252")
    assert len(data) > 65536  # far beyond the head that is checked first
    table = read_table(data)
    assert table.report.detected["encoding"] == "windows-1252"
    assert table.column("naam")[-1] == "Zoë"
    assert f"line {len(rows)}" in table.report.by_code("encoding-detected")[0].message


def test_bytes_undefined_in_windows_1252_are_reported() -> None:
    data = b"id;naam\n1;Zo\xeb\n2;A\x81B\n"
    table = read_table(data)
    assert table.report.detected["encoding"] == "windows-1252"
    (issue,) = table.report.by_code("unknown-encoding")
    assert issue.row == 3
    assert "0x81" in issue.message
    assert table.column("naam") == ["Zoë", "A\x81B"]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16-le"])
def test_a_bad_byte_beyond_the_first_mib_is_reported_on_its_own_line(encoding: str) -> None:
    """The text is decoded a MiB at a time; the line counts from the file's start all the same."""
    lines = ["nr;naam", *(f"{i:07d};Zoë" for i in range(200_000))]
    lines[150_001] = "0150000;XY"
    bom = codecs.BOM_UTF16_LE if encoding == "utf-16-le" else b""
    data = bom + "\n".join(lines).encode(encoding)
    good = "X".encode(encoding)
    bad = b"\x81" if encoding == "cp1252" else b"\x00\xd8"  # undefined; a lone surrogate
    position = data.index(good, len(data) // 2)
    data = data[:position] + bad + data[position + len(good) :]
    assert position > 2**20
    (issue,) = read_table(data, name="x.csv").report.by_code("unknown-encoding")
    assert issue.row == 150_002


def test_given_encoding_is_used_and_bad_bytes_are_replaced() -> None:
    table = read_table(b"id;naam\n1;Zo\xeb\n", encoding="utf-8")
    assert table.column("naam") == ["Zo\ufffd"]
    assert table.report.by_code("unknown-encoding")[0].row == 2
    assert table.report.by_code("encoding-detected")[0].message.endswith("given")
    latin = read_table("id;naam\n1;Zoë\n".encode("latin-1"), encoding="latin-1")
    assert latin.column("naam") == ["Zoë"]


def test_mojibake_already_in_the_data_is_reported_with_row_and_column() -> None:
    text = "id;naam;achternaam\n1;ZoÃ«;Jansen\n2;Anna;â€™t Hart\n3;René;Smit\n"
    table = read_table(text.encode("utf-8"), name="m.csv")
    issues = table.report.by_code("mojibake")
    assert [(i.row, i.column) for i in issues] == [(2, "naam"), (3, "achternaam")]
    assert "'ë'" in issues[0].message
    assert "Zo" not in issues[0].message  # the name itself is never in a message
    assert all(i.severity == "warning" for i in issues)


def test_mojibake_in_an_ansi_file_is_found_too() -> None:
    # "Ã©" alone would be valid UTF-8 for "é"; "René" makes the file Windows-1252.
    table = read_table("id;naam\n1;ZoÃ©\n2;René\n".encode("cp1252"))
    assert table.report.detected["encoding"] == "windows-1252"
    assert [i.row for i in table.report.by_code("mojibake")] == [2]


def test_lost_characters() -> None:
    table = read_table("id;naam\n1;Ren?e\n2;Zo\ufffd\n3;Wat?\n".encode())
    assert [i.row for i in table.report.by_code("lost-characters")] == [2, 3]


# -- delimiters and quoting ------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_delimiter_detection(roster: list[list[str]], delimiter: str) -> None:
    rows = [*roster, ["00128", "Anna", "Jansen, P.", "01-01-2010", "1a"]]
    table = read_table(to_csv(rows, delimiter=delimiter).encode())
    assert table.report.detected["delimiter"] == delimiter
    assert table.column("Achternaam")[-1] == "Jansen, P."
    assert table.report.by_code("delimiter-detected")[0].severity == "info"


def test_excel_sep_line_is_honoured_and_skipped() -> None:
    data = b"sep=,\r\nid,naam;achternaam\r\n1,Anna;Jansen\r\n"
    table = read_table(data)
    assert table.report.detected["delimiter"] == ","
    assert "sep=" in table.report.by_code("delimiter-detected")[0].message
    assert table.columns == ("id", "naam;achternaam")
    assert table.header_row == 2
    assert table.row_numbers == [3]
    assert not table.report.by_code("header-row-detected")


def test_given_delimiter_wins() -> None:
    table = read_table(b"a;b|c\n1;2|3\n", delimiter="|")
    assert table.columns == ("a;b", "c")


def test_embedded_newlines_count_for_row_numbers() -> None:
    data = (
        b'id;opmerking;klas\r\n1;"eerste\nregel";1a\r\n2;gewoon;1b\r\n'
        b'3;"a\nb\nc";1c\r\n4;"x";1d\r\n'
    )
    table = read_table(data)
    assert table.row_numbers == [2, 4, 5, 8]
    assert table.column("opmerking") == ["eerste\nregel", "gewoon", "a\nb\nc", "x"]
    assert table.report.detected["quoting"] == 'double quotes (")'
    same(table, read_exact(data))


def test_doubled_quotes_and_delimiters_inside_quotes() -> None:
    data = b'id;naam\n1;"Jansen; P."\n2;"de ""Kleine"" Jan"\n'
    table = read_table(data)
    assert table.column("naam") == ["Jansen; P.", 'de "Kleine" Jan']
    same(table, read_exact(data))


def test_line_endings_cr_only_and_mixed() -> None:
    cr = read_table(b"id;naam\r1;a\r2;b\r")
    assert cr.rows == (("1", "a"), ("2", "b"))
    assert cr.row_numbers == [2, 3]
    assert cr.report.detected["line_endings"] == "CR or mixed"
    mixed = read_table(b"id;naam\r\n1;a\r2;b\n3;c\r\n")
    assert mixed.rows == (("1", "a"), ("2", "b"), ("3", "c"))
    assert mixed.row_numbers == [2, 3, 4]
    assert read_table(b"id;naam\r\n1;a\r\n").report.detected["line_endings"] == "CRLF"


@pytest.mark.parametrize(
    ("stray", "last_line", "where"),
    [
        (b"4999;a\r5000;b\r\n", 5001, "a lone CR far beyond the first 32 KiB"),
        (b"4999;a\r\n5000;b\r", 5001, "a lone CR as the file's last byte"),
        (b"4999;a\r;x\r\n5000;b\r\n", 5002, "a lone CR before a delimiter (polars drops it)"),
    ],
)
def test_a_lone_cr_after_the_head_is_found_while_polars_parses(
    stray: bytes, last_line: int, where: str
) -> None:
    body = b"".join(b"%d;%s\r\n" % (i, b"n" * 40) for i in range(1, 4999))
    data = b"id;naam\r\n" + body + stray
    assert len(data) > 4 * 32 * 1024, where
    table = read_table(data, name="lang.csv")
    assert table.report.detected["line_endings"] == "CR or mixed", where
    same(table, read_exact(data))
    assert table.row_numbers[-1] == last_line
    assert table.rows[-1] == ("5000", "b")


def test_unclosed_quote_is_an_error_with_its_line() -> None:
    table = read_table(b'id;naam\n1;Anna\n2;"Bram\n3;Cees\n')
    (issue,) = table.report.by_code("unclosed-quote")
    assert issue.row == 3
    assert issue.severity == "error"


# -- structure ---------------------------------------------------------------------------


def test_blank_lines_are_left_out_and_reported() -> None:
    data = b"id;naam\n1;a\n\n;\n2;b\n\n"
    table = read_table(data)
    assert table.rows == (("1", "a"), ("2", "b"))
    assert table.row_numbers == [2, 5]
    middle, end = table.report.by_code("blank-row")
    assert (middle.row, middle.severity) == (3, "info")
    assert "rows 3-4" in middle.message
    assert end.row == 6  # the empty line before the end of the file
    same(table, read_exact(data))


def test_trailing_empty_columns_are_dropped() -> None:
    data = b"id;naam;;\n1;a;;\n2;b;;\n"
    table = read_table(data)
    assert table.columns == ("id", "naam")
    assert "columns 3, 4" in table.report.by_code("empty-column")[0].message
    only_data = read_table(b"id;naam\n1;a;\n2;b;\n")
    assert only_data.columns == ("id", "naam")
    assert only_data.rows == (("1", "a"), ("2", "b"))
    assert not only_data.report.by_code("ragged-row")


def test_duplicate_and_empty_headers() -> None:
    data = b"naam; ;naam;klas\nAnna;x;Anna B;1a\nBram;y;Bram C;1b\n"
    table = read_table(data)
    assert table.columns == ("naam", "", "naam", "klas")
    assert table.unique_columns == ("naam", "column_2", "naam_2", "klas")
    assert table.to_polars().columns == ["naam", "column_2", "naam_2", "klas"]
    assert table.column("naam_2") == ["Anna B", "Bram C"]
    assert table.column("naam") == ["Anna", "Bram"]  # the unique name, as in to_polars()
    assert table.column(2) == ["Anna B", "Bram C"]
    with pytest.raises(KeyError):
        table.column("achternaam")
    (duplicate,) = table.report.by_code("duplicate-header")
    assert duplicate.column == "naam"
    assert "columns 1, 3" in duplicate.message
    (empty,) = table.report.by_code("empty-header")
    assert empty.column == "column_2"


def test_ragged_rows_are_reported_with_their_line_numbers() -> None:
    data = b"id;naam;klas\n1;a;1a\n2;b\n3;c;1c;extra\n4;d;1d\n"
    table = read_table(data)
    short, long = sorted(table.report.by_code("ragged-row"), key=lambda i: i.row or 0)
    assert (short.row, short.severity) == (3, "warning")
    assert "2 values where the header has 3" in short.message
    assert (long.row, long.severity) == (4, "error")
    assert "4 values" in long.message
    assert table.rows == (("1", "a", "1a"), ("2", "b", ""), ("3", "c", "1c"), ("4", "d", "1d"))
    same(table, read_exact(data))


def test_short_rows_in_a_file_without_quotes_use_the_fast_path() -> None:
    rows = "".join(f"{i};naam{i};{'1a' if i % 7 else ''}\n" for i in range(200))
    data = b"id;naam;klas\n" + rows.encode() + b"999;kort\n"
    table = read_table(data)
    (issue,) = table.report.by_code("ragged-row")
    assert issue.row == 202
    same(table, read_exact(data))


def test_title_rows_above_the_header_are_skipped() -> None:
    data = "Leerlingenlijst Het Baken\r\nAangemaakt: 1-9-2024\r\n\r\nid;naam;klas\r\n1;a;1a\r\n"
    table = read_table(data.encode())
    assert table.header_row == 4
    assert table.columns == ("id", "naam", "klas")
    (issue,) = table.report.by_code("header-row-detected")
    assert issue.row == 4
    assert "2 non-empty rows" in issue.message


def test_header_row_can_be_given() -> None:
    data = b"id;naam\n1;a\n2;b\n"
    table = read_table(data, header_row=2)
    assert table.columns == ("1", "a")
    assert table.rows == (("2", "b"),)
    assert table.report.detected["header_row"] == "2"
    with pytest.raises(Exception, match="header_row=9"):
        read_table(data, header_row=9)
    with pytest.raises(ValueError, match="starting at 1"):
        read_table(data, header_row=0)


def test_header_row_inside_a_multiline_cell_is_refused() -> None:
    with pytest.raises(Exception, match="spans several lines"):
        read_table(b'id;naam\n1;"a\nb"\n', header_row=3)


def test_numo_style_inleesbestand(roster: list[list[str]]) -> None:
    """Numo: semicolons, 'ANSI', Dutch dates, an example row left in."""
    rows = [roster[0], ["00000", "Voorbeeld", "Jansen", "dd-mm-jjjj", "1a"], *roster[1:]]
    table = read_table(to_csv(rows).encode("cp1252"), name="inleesbestand.csv")
    assert len(table) == 5
    (example,) = table.report.by_code("example-row")
    assert example.row == 2
    assert table.row_numbers[0] == 3
    kept = read_table(to_csv(rows).encode("cp1252"), skip_example_rows=False)
    assert len(kept) == 6


def test_one_column_file() -> None:
    table = read_table(b"email\na@school.nl\nb@school.nl\n")
    assert table.columns == ("email",)
    assert table.column("email") == ["a@school.nl", "b@school.nl"]
    assert "one column" in table.report.by_code("delimiter-detected")[0].message


# -- sources ---------------------------------------------------------------------------


def test_path_str_and_stream_sources(tmp_path: Path, roster: list[list[str]]) -> None:
    path = tmp_path / "leerlingen.csv"
    path.write_bytes(to_csv(roster).encode("utf-8"))
    by_path = read_table(path)
    by_str = read_table(str(path))
    with path.open("rb") as handle:
        by_stream = read_table(handle)
    by_bytes = read_table(path.read_bytes(), name="upload.csv")
    assert by_path.file == by_str.file == by_stream.file == "leerlingen.csv"
    assert by_bytes.file == "upload.csv"
    assert by_path.rows == by_str.rows == by_stream.rows == by_bytes.rows
    assert read_table(io.BytesIO(path.read_bytes())).file == "<stream>"
    assert read_table(path.read_bytes()).file == "<bytes>"


def test_a_text_stream_is_refused() -> None:
    with pytest.raises(TypeError, match="binary"):
        read_table(io.StringIO("id;naam\n"))  # type: ignore[arg-type]


def test_bad_options() -> None:
    with pytest.raises(ValueError, match="encoding"):
        read_table(b"a;b\n", encoding="no-such-codec")
    with pytest.raises(ValueError, match="delimiter"):
        read_table(b"a;b\n", delimiter=";;")
    with pytest.raises(ValueError, match="format"):
        read_table(b"a;b\n", format="pdf")  # type: ignore[arg-type]


def test_cells_stay_strings() -> None:
    table = read_table(b"id;bedrag;datum\n00123;1.50;2024-01-01\n0;;\n")
    assert table.rows == (("00123", "1.50", "2024-01-01"), ("0", "", ""))
    assert all(str(dtype) == "String" for dtype in table.to_polars().dtypes)


def test_malformed_quotes_are_reported_and_read_like_the_csv_module() -> None:
    data = b'id;naam;klas\n1;Jan "de" Vries;1a\n2;"Anna" B;1b\n3;"ok";1c\n'
    table = read_table(data)
    assert [i.row for i in table.report.by_code("malformed-quotes")] == [2, 3]
    assert table.rows == (("1", 'Jan "de" Vries', "1a"), ("2", "Anna B", "1b"), ("3", "ok", "1c"))
    same(table, read_exact(data))


def test_a_file_that_quotes_every_field_takes_the_fast_path() -> None:
    rows = "".join(f'"{i:05d}";"naam {i}";"1a"\r\n' for i in range(100))
    data = ('"id";"naam";"klas"\r\n' + rows).encode()
    table = read_table(data)
    assert len(table) == 100
    assert table.rows[0] == ("00000", "naam 0", "1a")
    assert not table.report.by_code("malformed-quotes")
    same(table, read_exact(data))


def test_no_scanning_thread_outlives_a_read() -> None:
    import threading

    body = b"".join(b"%d;naam\r\n" % i for i in range(1, 6000))
    read_table(b"id;naam\r\n" + body)  # UTF-8
    # Not UTF-8 beyond the head: polars fails, the scan is cancelled, the file read again.
    latin = read_table(b"id;naam\r\n" + body + b"6000;Zo\xeb\r\n")
    assert latin.report.detected["encoding"] == "windows-1252"
    alive = [t for t in threading.enumerate() if t.name == "edukoppel-byte-scan"]
    for thread in alive:
        thread.join(timeout=5)
    assert not [t for t in alive if t.is_alive()]


def test_a_file_without_a_header_row_is_reported() -> None:
    """A headerless export: its first pupil becomes the column names, and the report says so."""
    table = read_table(b"00123;Daan;Berg;1HA\n00124;Zoe;Celik;2VB\n00125;Anna;Wit;1HA\n")
    (issue,) = table.report.by_code("header-looks-like-data")
    assert issue.row == 1
    assert issue.severity == "warning"
    assert "no header row" in issue.message


@pytest.mark.parametrize(
    "header",
    [b"Stamnr;Roepnaam;Achternaam;Klas", b"id;naam;2023;2024", b"A;B;C;D"],
)
def test_a_header_row_is_not_data(header: bytes) -> None:
    table = read_table(header + b"\n00123;Daan;Berg;1HA\n00124;Zoe;Celik;2VB\n")
    assert not table.report.by_code("header-looks-like-data")


def test_a_given_header_row_is_not_second_guessed() -> None:
    table = read_table(b"00123;Daan;Berg;1HA\n00124;Zoe;Celik;2VB\n", header_row=1)
    assert not table.report.by_code("header-looks-like-data")


@pytest.mark.parametrize(
    "data",
    [
        # Old-Mac line endings, and Windows-1252 found only past the head: both retries.
        b"Naam;Klas\r" + b"Anna;1a\n" * 5000 + b"Zo\xeb;1b\n",
        b"Naam;Klas\n" + b"Anna;1a\n" * 5000 + b"Zo\xeb;1b\rBram;1c\n",
        # A UTF-8 byte order mark, CR line endings and a byte that is not UTF-8.
        b"\xef\xbb\xbfNaam;Klas\rAnna;1a\rZo\xeb;1b\r",
        b"\xef\xbb\xbf\xbb\r\xbb\r",
    ],
)
def test_lone_crs_and_another_encoding_in_one_file(data: bytes) -> None:
    table = read_table(data, name="oud.csv")
    assert table.report.detected["line_endings"] == "CR or mixed"
    assert table.report.detected["encoding"] != "utf-8"


def test_a_stray_byte_does_not_turn_a_utf8_file_into_windows_1252() -> None:
    """One cut-off character must not garble every other name in the file."""
    data = b"id;achternaam\n1;Do\xc4\x9fan\n2;Y\xc4\xb1lmaz\n3;Bad\xff\n"
    table = read_table(data, name="x.csv")
    assert table.report.detected["encoding"] == "utf-8"
    assert table.column("achternaam") == ["Doğan", "Yılmaz", "Badÿ"]
    (issue,) = table.report.by_code("mixed-encoding")
    assert (issue.row, issue.severity) == (4, "warning")
    assert "1 byte that is not UTF-8" in table.report.by_code("encoding-detected")[0].message


def test_a_stray_byte_far_beyond_the_head() -> None:
    rows = b"".join(b"%05d;Zo\xc3\xab\n" % i for i in range(3000))
    table = read_table(b"id;naam\n" + rows + b"03000;Ren\xe9\n", name="x.csv")
    assert table.column("naam")[0] == "Zoë"
    assert table.column("naam")[-1] == "René"
    assert [i.row for i in table.report.by_code("mixed-encoding")] == [3002]
    assert not table.report.by_code("mojibake")


def test_two_exports_pieced_together_report_each_line_of_the_other_encoding() -> None:
    utf8 = "".join(f"{i};Zoë\n" for i in range(10)).encode("utf-8")
    ansi = "".join(f"{i};René\n" for i in range(10, 13)).encode("cp1252")
    table = read_table(b"id;naam\n" + utf8 + ansi, name="x.csv")
    assert set(table.column("naam")) == {"Zoë", "René"}
    assert [i.row for i in table.report.by_code("mixed-encoding")] == [12, 13, 14]


def test_a_byte_order_mark_keeps_the_file_utf8_despite_a_stray_byte() -> None:
    table = read_table(b"\xef\xbb\xbfid;naam\n1;Zo\xeb\n2;Zo\xc3\xab\n", name="x.csv")
    assert table.report.detected["encoding"] == "utf-8-sig"
    assert table.column("naam") == ["Zoë", "Zoë"]
    assert [i.row for i in table.report.by_code("mixed-encoding")] == [2]


@pytest.mark.parametrize(
    "header",
    [
        "Naam;Klas;2024",  # a year as a column name
        "Naam;Klas;Geeft u toestemming voor het publiceren van foto's van uw kind op de "
        "website van de school?",  # a long question as a column name
    ],
)
def test_a_header_may_have_a_number_or_a_long_question(header: str) -> None:
    table = read_table(f"{header}\nAnna;1a;ja\nBram;1b;nee\nCees;1c;ja\n".encode())
    assert table.header_row == 1
    assert table.column("Naam") == ["Anna", "Bram", "Cees"]


def test_a_headerless_file_of_text_and_addresses_is_reported() -> None:
    table = read_table(b"Anna;de Vries;1a;anna@school.nl\nBram;Bakker;1b;bram@school.nl\n")
    assert [i.row for i in table.report.by_code("header-looks-like-data")] == [1]


def test_a_skipped_row_that_looks_like_a_header_is_a_warning() -> None:
    """A header narrower than the data: the first record became the header; say so."""
    table = read_table(b"Naam;Klas\nAnna;1a;ja;x;y\nBram;1b;nee;y;z\nCees;1c;ja;z;w\n")
    (issue,) = table.report.by_code("header-row-detected")
    assert issue.severity == "warning"
    assert "row 1 above it was skipped, but looks like part of the table" in issue.message


def test_title_rows_above_the_header_stay_an_info() -> None:
    data = b"Leerlingen 2025;;\nAangemaakt op;1-9-2025;\nNaam;Klas;Mentor\nAnna;1a;X\n"
    (issue,) = read_table(data).report.by_code("header-row-detected")
    assert issue.severity == "info"


@pytest.mark.parametrize(
    ("data", "values"),
    [
        (b"E-mail\nanna@school.nl;\nbram@school.nl\ncees@school.nl\n", ["anna@school.nl;"]),
        (b"Naam\nJansen, Anna\nBram\nCees\n", ["Jansen, Anna", "Bram", "Cees"]),
        (b"Mentor\nsep=;\n", ["sep=;"]),
    ],
)
def test_a_delimiter_in_one_value_of_a_one_column_file_is_kept(
    data: bytes, values: list[str]
) -> None:
    """One row that a delimiter splits is not evidence enough: the character is data."""
    table = read_table(data)
    assert len(table.columns) == 1
    assert table.column(table.columns[0])[: len(values)] == values
    assert "one column" in table.report.by_code("delimiter-detected")[0].message


@pytest.mark.parametrize(
    ("damaged", "meant"),
    [("YÄ±lmaz", "ı"), ("DoÄŸan", "ğ"), ("ÅžimÅŸek", "Ş"), ("ÐŸÐµÑ‚Ñ€Ð¾", "П")],
)
def test_mojibake_of_turkish_and_cyrillic_letters(damaged: str, meant: str) -> None:
    """Pupils of Turkish and Ukrainian descent: their names are damaged the same way."""
    data = f"id;achternaam\n1;{damaged}\n2;Jansen\n".encode()
    (issue,) = read_table(data).report.by_code("mojibake")
    assert (issue.row, issue.column) == (2, "achternaam")
    assert f"(meant: {meant!r})" in issue.message


# Found by the second review round: regressions of the first round's fixes, and older gaps.


@pytest.mark.parametrize(
    ("data", "columns"),
    [
        (b"Naam;Klas;Mentor\nAnna;1a\n", ("Naam", "Klas", "Mentor")),
        (b"Leerlingnummer;Naam;Klas;\n00123;Anna;1a\n", ("Leerlingnummer", "Naam", "Klas")),
        (
            b"Naam;Opmerking\n" + b"".join(b"Pupil%d\n" % i for i in range(9)) + b"Cees;laat\n",
            ("Naam", "Opmerking"),
        ),
        (
            b"".join(b"Instructie regel %d\n" % i for i in range(10)) + b"Naam;Klas\nAnna;1a\n",
            ("Naam", "Klas"),
        ),
    ],
)
def test_a_delimiter_that_splits_two_rows_is_a_delimiter(
    data: bytes, columns: tuple[str, ...]
) -> None:
    """One record under a header, trimmed empty fields, a long preamble: still delimited."""
    assert read_table(data).columns == columns


@pytest.mark.parametrize(
    "metadata",
    [
        b"Groep;7;Schooljaar;2024-2025;Leerkracht;Mevr. Jansen\n",
        b"Klas;5a;Mentor;J. de Vries;Schooljaar;2024-2025\n",
    ],
)
def test_a_label_value_line_above_the_header_is_not_the_header(metadata: bytes) -> None:
    data = metadata + (
        b"Leerlingnummer;Roepnaam;Achternaam;Geboortedatum;;\n"
        b"00123;Anna;de Vries;12-03-2014;;\n00124;Bram;Bakker;01-05-2014;;\n"
    )
    table = read_table(data)
    assert table.header_row == 2
    assert table.column("Leerlingnummer") == ["00123", "00124"]


def test_a_headerless_record_with_a_roster_word_in_a_value_is_reported() -> None:
    table = read_table(b"00123;Anna;de Vries;Groep 5\n00124;Bram;Bakker;Groep 6\n")
    assert [i.row for i in table.report.by_code("header-looks-like-data")] == [1]


def test_a_skipped_two_column_header_is_a_warning() -> None:
    table = read_table(b"Naam;2024\nAnna;ja\nBram;nee\nCees;ja\n")
    (issue,) = table.report.by_code("header-row-detected")
    assert issue.severity == "warning"


@pytest.mark.parametrize(
    "text",
    ["Naam;Klas\nZoë\xa0\xa0;1a\nJOSÉ\xa0;1b\nNoé;1c\n", "Naam;Klas\nÉ’s;1a\nJosé;1b\n"],
)
def test_a_windows_1252_file_with_chance_utf8_stays_windows_1252(text: str) -> None:
    """An accent before a no-break space or a ’ can be valid UTF-8 by chance (IPA, Hangul)."""
    table = read_table(text.encode("cp1252"))
    assert table.report.detected["encoding"] == "windows-1252"
    assert table.rows == tuple(tuple(line.split(";")) for line in text.splitlines()[1:])


def test_encoding_notes_count_lone_crs_as_line_breaks() -> None:
    table = read_table(b"\xef\xbb\xbfNaam;Klas\rAnna;1a\rZo\xeb;1b\r", name="x.csv")
    assert [i.row for i in table.report.by_code("mixed-encoding")] == [3]
    ansi = read_table(b"Naam;Klas\rAnna;1a\rNo\xe9\x81;1d\r", name="x.csv")
    assert [i.row for i in ansi.report.by_code("unknown-encoding")] == [3]


def test_a_given_utf16_without_a_byte_order_mark_is_little_endian() -> None:
    data = "Naam;Klas\nZoë;1a\n".encode("utf-16-le")
    assert read_table(data, encoding="utf-16").rows == (("Zoë", "1a"),)


@pytest.mark.parametrize("codec", ["rot13", "zlib", "bz2", "hex"])
def test_a_codec_that_is_not_a_text_encoding_is_refused(codec: str) -> None:
    with pytest.raises(ValueError, match="not a text encoding"):
        read_table(b"Naam;Klas\n", encoding=codec)


def test_reads_on_several_threads_share_the_csv_field_limit() -> None:
    """The slow path raises csv's process-wide field limit; it must be restored, once."""
    import concurrent.futures
    import csv as csv_module

    before = csv_module.field_size_limit()
    big = b'Naam;Opmerking\nAnna;"a"b"\n' + b"Bram;x\n" * 20_000
    huge = big + b'Cees;"' + b"z" * (before + 10) + b'"\n'
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        tables = list(pool.map(read_table, [big, huge, big, huge, big, huge]))
    assert all(len(table) >= 20_001 for table in tables)
    assert tables[1].rows[-1][1] == "z" * (before + 10)
    assert csv_module.field_size_limit() == before


# -- a header without rows -----------------------------------------------------------------

EMPTY_EXPORT_COLUMNS = ("Leerlingnummer", "Roepnaam", "Achternaam", "Klas")
SEMICOLON_HEADER = b"Leerlingnummer;Roepnaam;Achternaam;Klas"


@pytest.mark.parametrize(
    ("data", "delimiter", "header_row"),
    [
        (b"Leerlingen 2025-2026\r\nLeerlingnummer;Roepnaam;Achternaam;Klas\r\n", ";", 2),
        (b"Leerlingen 2025-2026\r\nLeerlingnummer;Roepnaam;Achternaam;Klas\r\n;;;\r\n", ";", 2),
        (b"Leerlingen 2025-2026\nLeerlingnummer;Roepnaam;Achternaam;Klas", ";", 2),
        (b"Leerlingen 2025-2026;;;\r\n" + SEMICOLON_HEADER + b"\r\n;;;\r\n", ";", 2),
        (b"Leerlingen 2025-2026\r\n\r\n" + SEMICOLON_HEADER + b"\r\n\r\n\r\n", ";", 3),
        (
            "Leerlingen 2025–2026, Sint-Joriscollege\r\n"
            "Leerlingnummer;Roepnaam;Achternaam;Klas\r\n;;;\r\n".encode("cp1252"),
            ";",
            2,
        ),
        (
            b"Export Magister\nAangemaakt 1-9-2025\n"
            + SEMICOLON_HEADER.replace(b";", b",")
            + b"\n",
            ",",
            3,
        ),
        (b"Leerlingen\r\nLeerlingnummer\tRoepnaam\tAchternaam\tKlas\r\n", "\t", 2),
    ],
)
def test_a_title_and_a_header_without_rows_is_a_header_without_rows(
    data: bytes, delimiter: str, header_row: int
) -> None:
    """An export that selected nobody: the header is found, and the empty export is reported.

    The title is one cell and the header the only row that a delimiter splits; a one-column
    file would look the same if the header were a value, so this used to be read as one
    column with the header as its only row, and the sync never saw an empty source.
    """
    table = read_table(data, name="leerlingen.csv")
    assert table.report.detected["delimiter"] == delimiter
    assert table.header_row == header_row
    assert table.columns == EMPTY_EXPORT_COLUMNS
    assert len(table) == 0
    (issue,) = table.report.by_code("no-rows")
    assert (issue.severity, issue.row) == ("warning", header_row)
    assert "header but no rows" in issue.message
    assert table.report.by_code("header-row-detected")[0].severity == "info"
    same(table, read_exact(data))


@pytest.mark.parametrize(
    "data",
    [
        b"Leerlingnummer;Roepnaam;Achternaam;Klas\r\n",
        b"Leerlingnummer;Roepnaam;Achternaam;Klas\r\n;;;\r\n\r\n",
        b"\xef\xbb\xbfLeerlingnummer;Roepnaam;Achternaam;Klas",
    ],
)
def test_a_header_alone_is_a_header_without_rows(data: bytes) -> None:
    table = read_table(data, name="leerlingen.csv")
    assert (table.report.detected["delimiter"], table.header_row) == (";", 1)
    assert table.columns == EMPTY_EXPORT_COLUMNS
    assert len(table) == 0
    (issue,) = table.report.by_code("no-rows")
    assert issue.row == 1
    assert not table.report.by_code("header-row-detected")


@pytest.mark.parametrize(
    "data",
    [
        b"Leerlingen 2025-2026\r\n",
        b"Leerlingen 2025-2026",
        b"\r\nLeerlingen 2025-2026;;;\r\n;;;\r\n\r\n",  # as Excel saves it
        "Leerlingen 2025–2026\r\n".encode("cp1252"),
    ],
)
def test_a_file_with_only_a_title_is_refused(data: bytes) -> None:
    """One value and nothing else is no table: neither its columns nor its rows are known."""
    with pytest.raises(MalformedFileError, match="only one value") as caught:
        read_table(data, name="leerlingen.csv")
    assert "2025" not in str(caught.value)  # the value may be anything: it is not repeated
    assert caught.value.row == (2 if data.startswith(b"\r\n") else 1)


def test_a_one_value_file_with_header_row_given_is_a_one_column_header() -> None:
    table = read_table(b"E-mailadres\r\n", name="leeg.csv", header_row=1)
    assert table.columns == ("E-mailadres",)
    assert len(table) == 0
    assert [i.code for i in table.report.by_code("no-rows")] == ["no-rows"]


@pytest.mark.parametrize(
    "data",
    [
        b"Naam\nBram\nJansen, Anna\n",
        b"Opmerking\nNaam, klas onbekend\nBram\n",
        b"Adres\nDorpsstraat 1\nKerkweg 2, 1234 AB Utrecht\n",
    ],
)
def test_a_one_column_file_whose_last_value_holds_a_delimiter_stays_one_column(
    data: bytes,
) -> None:
    """A value holding a comma is not a header: it names no roster columns, or rows follow."""
    table = read_table(data)
    assert len(table.columns) == 1
    assert len(table) == 2
