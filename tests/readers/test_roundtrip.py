"""Property: any table written as CSV, in any supported encoding and delimiter, reads back."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from edukoppel.readers import Table, read_table
from edukoppel.readers._issues import Collector
from edukoppel.readers.table._csv import read_csv_grid
from edukoppel.readers.table._finish import finish
from edukoppel.report import Report

ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "utf-16")
DELIMITERS = (";", ",", "\t", "|")
# Letters that spell no roster keyword, placeholder name or "totaal": the cells must not look
# like a header, an example row or a totals row, which are judged on purpose.
LETTERS = "abcxyzéëïüÉ’"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def exact(data: bytes, delimiter: str | None, header_row: int | None = None) -> Table:
    collector = Collector(Report(), file="x.csv")
    grid = read_csv_grid(
        data,
        file="x.csv",
        encoding=None,
        delimiter=delimiter,
        header_row=header_row,
        collector=collector,
        force_slow=True,
    )
    return finish(
        grid,
        collector=collector,
        file="x.csv",
        sheet=None,
        format="csv",
        skip_example_rows=False,
        present=lambda needle: True,
    )


def _valid_utf8_beyond_ascii(data: bytes) -> bool:
    try:
        return not data.decode("utf-8").isascii()
    except UnicodeDecodeError:
        return False


@st.composite
def tables(draw: st.DrawFn, *, alphabet: str, min_columns: int = 1) -> list[list[str]]:
    width = draw(st.integers(min_columns, 6))
    header = draw(
        st.lists(
            st.text(alphabet=LETTERS, min_size=1, max_size=8).map(lambda name: f"k{name}"),
            min_size=width,
            max_size=width,
            unique=True,
        )
    )
    count = draw(st.integers(0, 12))
    cell = st.text(alphabet=alphabet, max_size=12)
    rows = [
        [f"{index:05d}", *draw(st.lists(cell, min_size=width - 1, max_size=width - 1))]
        for index in range(count)
    ]
    return [header, *rows]


def write(rows: list[list[str]], *, delimiter: str, newline: str, encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buffer.getvalue().encode(encoding)


def line_numbers(rows: list[list[str]], newline: str) -> list[int]:
    """The physical line on which each data record starts, as written by the csv module."""
    numbers, line = [], 1 + sum(cell.count("\n") for cell in rows[0]) + 1
    for row in rows[1:]:
        numbers.append(line)
        line += 1 + sum(cell.count("\n") for cell in row)
    return numbers


@SETTINGS
@given(
    table=tables(alphabet=LETTERS + '0123 ;,\t|"\n'),
    encoding=st.sampled_from(ENCODINGS),
    delimiter=st.sampled_from(DELIMITERS),
    newline=st.sampled_from(["\r\n", "\n"]),
)
def test_round_trip_with_the_delimiter_given(
    table: list[list[str]], encoding: str, delimiter: str, newline: str
) -> None:
    data = write(table, delimiter=delimiter, newline=newline, encoding=encoding)
    # Windows-1252 bytes that happen to be valid UTF-8 ("É’" is the UTF-8 of "ɒ") are UTF-8
    # to every reader: a file with nothing else in it is ambiguous, not a round trip.
    assume(encoding != "cp1252" or not _valid_utf8_beyond_ascii(data))
    # A lone value could be a title as well as a one-column header: only header_row= says.
    header_row = 1 if len(table) == 1 and len(table[0]) == 1 else None
    read = read_table(data, delimiter=delimiter, header_row=header_row, skip_example_rows=False)
    assert read.columns == tuple(table[0])
    assert [list(row) for row in read.rows] == table[1:]
    assert read.row_numbers == line_numbers(table, newline)
    slow = exact(data, delimiter, header_row=header_row)
    assert slow.rows == read.rows
    assert slow.row_numbers == read.row_numbers


@SETTINGS
@given(data=st.data(), encoding=st.sampled_from(ENCODINGS), newline=st.sampled_from(["\r\n", "\n"]))
def test_round_trip_with_everything_detected(
    data: st.DataObject, encoding: str, newline: str
) -> None:
    delimiter = data.draw(st.sampled_from(DELIMITERS))
    table = data.draw(tables(alphabet=LETTERS + '0123 "\n' + delimiter, min_columns=2))
    written = write(table, delimiter=delimiter, newline=newline, encoding=encoding)
    assume(encoding != "cp1252" or not _valid_utf8_beyond_ascii(written))
    read = read_table(written, skip_example_rows=False)
    assert read.report.detected["delimiter"] == delimiter
    assert read.columns == tuple(table[0])
    assert [list(row) for row in read.rows] == table[1:]
    if any(ord(char) > 127 for row in table for cell in row for char in cell):
        expected = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "cp1252": "windows-1252"}
        assert read.report.detected["encoding"] == expected.get(encoding, "utf-16-le")


@SETTINGS
@given(
    text=st.text(alphabet='ab;"\n\r ', max_size=60),
)
def test_fast_and_exact_paths_agree_on_any_text(text: str) -> None:
    """Malformed input too: quotes in odd places, ragged rows, blank lines, lone CRs."""
    data = ("ka;kb;kc\n" + text).encode()
    fast = read_table(data, delimiter=";", skip_example_rows=False)
    slow = exact(data, ";")
    assert fast.columns == slow.columns
    assert fast.rows == slow.rows
    assert fast.row_numbers == slow.row_numbers
    codes = sorted((issue.code, issue.row) for issue in fast.report)
    assert codes == sorted((issue.code, issue.row) for issue in slow.report)
