"""``read_table``: any CSV file or workbook into a :class:`Table`."""

from __future__ import annotations

import codecs
import os
from typing import BinaryIO

from edukoppel.readers._issues import Collector
from edukoppel.readers.table._csv import read_csv_grid
from edukoppel.readers.table._damage import scan_bytes
from edukoppel.readers.table._detect import load_source, sniff
from edukoppel.readers.table._finish import finish
from edukoppel.readers.table._spreadsheet import read_workbook_grid
from edukoppel.readers.table._table import DEFAULT_MAX_BYTES, Table, TableFormat
from edukoppel.report import Report

__all__ = ["read_table"]

_FORMATS = ("csv", "xlsx", "xlsm", "xls", "ods")


def _check_options(
    *,
    format: str | None,
    sheet: object,
    encoding: str | None,
    delimiter: str | None,
    header_row: int | None,
    max_bytes: int,
    isolate_timeout: float,
    isolate_memory: int | None,
) -> None:
    if format is not None and format not in _FORMATS:
        msg = f"format={format!r}: choose one of {', '.join(_FORMATS)}"
        raise ValueError(msg)
    if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, (str, int))):
        msg = f"sheet= is a sheet name or a 0-based index, not {type(sheet).__name__}"
        raise TypeError(msg)
    if encoding is not None:
        try:
            info = codecs.lookup(encoding)
        except LookupError:
            msg = f"encoding={encoding!r} is not an encoding Python knows"
            raise ValueError(msg) from None
        if not getattr(info, "_is_text_encoding", True):
            msg = f"encoding={encoding!r} is not a text encoding (it turns bytes into bytes)"
            raise ValueError(msg)
    if delimiter is not None and (len(delimiter) != 1 or delimiter in '"\r\n'):
        msg = f"delimiter={delimiter!r}: a single character other than a quote or a line break"
        raise ValueError(msg)
    if header_row is not None and (isinstance(header_row, bool) or header_row < 1):
        msg = f"header_row={header_row!r}: the row number as you see it, starting at 1"
        raise ValueError(msg)
    if max_bytes < 1:
        msg = f"max_bytes={max_bytes!r} must be positive"
        raise ValueError(msg)
    if isolate_timeout <= 0:
        msg = f"isolate_timeout={isolate_timeout!r} must be positive"
        raise ValueError(msg)
    if isolate_memory is not None and isolate_memory < 1:
        msg = f"isolate_memory={isolate_memory!r} must be positive"
        raise ValueError(msg)


def read_table(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    *,
    format: TableFormat | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_row: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    name: str | None = None,
    skip_example_rows: bool = True,
    isolate: bool = False,
    isolate_timeout: float = 120.0,
    isolate_memory: int | None = None,
) -> Table:
    r"""Read a CSV file or a workbook (XLSX, XLSM, XLS, ODS) into a :class:`Table` of strings.

    Everything that can be detected is: the format (from the bytes, not the name), the
    encoding, the delimiter, Excel's ``sep=`` line, the sheet, the header row. What was
    detected and what looked wrong is in ``table.report``; see ``docs/reading.md`` for every
    issue code and what to do about it.

    Args:
        source: A path, the file's bytes, or a binary file object.
        format: Read as this format; by default the bytes decide (a warning says when they
            disagree with the file name).
        sheet: The sheet of a workbook, by name or 0-based index. By default the only sheet,
            or the only one with a table, or the one whose header clearly names roster
            columns; otherwise an error lists the sheets.
        encoding: The text encoding of a CSV file (any name Python knows); detected by default.
        delimiter: The CSV delimiter; detected by default among ``;`` ``,`` tab and ``|``.
        header_row: The header's row number as you see it (Excel's row, or the CSV line);
            detected by default.
        max_bytes: Refuse a file, or a workbook that decompresses to more, beyond this size.
        name: The file name to use in messages when ``source`` is bytes or a stream.
        skip_example_rows: Leave out a template's example rows under the header.
        isolate: Parse the file in a child process with an address-space limit and a time
            limit, so that a parser that aborts (a forged file beyond what the size guards
            know) kills the child, not the caller. Costs a process start and a copy of the
            table (see ``docs/reading.md``, "Untrusted workbooks").
        isolate_timeout: With ``isolate``: the seconds the child may take.
        isolate_memory: With ``isolate``: the child's address-space limit in bytes; by
            default eight times ``max_bytes``, at least 2 GiB.

    Returns:
        The table, with its report.

    Raises:
        UnsupportedFormatError: Not a CSV file or a workbook (a PDF, an EDEXML file, an
            EDEX2000 fixed-width file, a zip that is not a workbook...).
        MalformedFileError: An empty file, or a damaged workbook.
        EncryptedFileError: A password-protected workbook.
        FileTooLargeError: Over ``max_bytes``.
        ReaderError: An option that does not fit the file (no such sheet, several sheets
            with a table and no ``sheet=``, a ``header_row`` beyond the rows).
        MissingDependencyError: A workbook without the ``spreadsheets`` extra installed.
        IsolatedReadError: With ``isolate``: the child was killed, ran out of memory or time.

    Examples:
        >>> from edukoppel.readers import read_table
        >>> data = "Leerlingnummer;Roepnaam;Klas\n00123;Zoë;1a\n00124;Daan;1b\n"
        >>> table = read_table(data.encode("cp1252"), name="leerlingen.csv")
        >>> table.columns
        ('Leerlingnummer', 'Roepnaam', 'Klas')
        >>> table.column("Roepnaam"), table.row_numbers
        (['Zoë', 'Daan'], [2, 3])
        >>> table.report.detected["encoding"], table.report.detected["delimiter"]
        ('windows-1252', ';')
        >>> print(table.report.by_code("encoding-detected")[0])
        leerlingen.csv: encoding windows-1252: not valid UTF-8 (line 2 ... [encoding-detected]
    """
    _check_options(
        format=format,
        sheet=sheet,
        encoding=encoding,
        delimiter=delimiter,
        header_row=header_row,
        max_bytes=max_bytes,
        isolate_timeout=isolate_timeout,
        isolate_memory=isolate_memory,
    )
    data, file, suffix = load_source(source, name=name, max_bytes=max_bytes)
    if isolate:
        from edukoppel.readers.table._isolate import default_memory_limit, read_isolated

        options = {
            "format": format,
            "sheet": sheet,
            "encoding": encoding,
            "delimiter": delimiter,
            "header_row": header_row,
            "max_bytes": max_bytes,
            "skip_example_rows": skip_example_rows,
        }
        memory = isolate_memory if isolate_memory is not None else default_memory_limit(max_bytes)
        return read_isolated(
            data, name=file, options=options, timeout=isolate_timeout, memory=memory
        )
    report = Report()
    collector = Collector(report, file=file)
    kind = sniff(
        data, file=file, declared=format, suffix=suffix, max_bytes=max_bytes, collector=collector
    )
    collector.detect("format", kind)
    if kind == "csv":
        grid = read_csv_grid(
            data,
            file=file,
            encoding=encoding,
            delimiter=delimiter,
            header_row=header_row,
            collector=collector,
        )
        found = grid.triggers if grid.triggers is not None else scan_bytes(data)

        def present(needle: bytes) -> bool:
            return needle in found

        table = finish(
            grid,
            collector=collector,
            file=file,
            sheet=None,
            format=kind,
            skip_example_rows=skip_example_rows,
            present=present,
        )
    else:
        grid, sheet_name = read_workbook_grid(
            data,
            kind=kind,
            file=file,
            sheet=sheet,
            header_row=header_row,
            collector=collector,
            max_bytes=max_bytes,
        )
        collector.sheet = sheet_name
        triggers = grid.triggers

        def in_strings(needle: bytes) -> bool:
            return triggers is None or needle in triggers

        table = finish(
            grid,
            collector=collector,
            file=file,
            sheet=sheet_name,
            format=kind,
            skip_example_rows=skip_example_rows,
            present=None if triggers is None else in_strings,
        )
    collector.finish()
    return table
