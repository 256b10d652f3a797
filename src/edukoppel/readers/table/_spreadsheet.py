"""Workbooks (XLSX, XLSM, XLS, ODS) into a :class:`Grid`, through python-calamine.

An XLSX or XLSM sheet is read by fastexcel when it is installed (see
:mod:`~edukoppel.readers.table._fastxlsx`), which gives the same grid faster.

Cells become strings the way a person reads them: integral numbers without ``.0`` (``12345``),
dates as ISO dates (``2010-05-03``), date-times as ISO date-times, booleans as ``TRUE`` and
``FALSE``. What the values alone cannot show is looked up in the file itself, only after the
size check of :func:`~edukoppel.readers.table._detect.sniff`: formulas and error cells in the XLSX
sheet XML, formulas and merged cells in the ODS ``content.xml`` (calamine gives merged cells
for XLSX and XLS). XLS files are not scanned: their formulas are read as their saved results
without a note.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import queue
import re
import threading
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import islice
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any, TypeVar
from xml.etree import ElementTree as ET

from edukoppel._i18n import msg
from edukoppel._optional import import_optional
from edukoppel.exceptions import (
    EncryptedFileError,
    FileTooLargeError,
    MalformedFileError,
    ReaderError,
)
from edukoppel.readers._issues import Collector
from edukoppel.readers.table._bounds import check_ods, check_xls
from edukoppel.readers.table._detect import ZIP_FAILURES
from edukoppel.readers.table._fastxlsx import (
    frame_to_grid,
    load_sheet_frame,
    open_fast_reader,
    sheet_chunks,
    sheet_types,
    wait_for_types,
)
from edukoppel.readers.table._grid import CellNote, Grid, MergedRange
from edukoppel.readers.table._header import find_header, keyword_score, sheet_header
from edukoppel.readers.table._table import ROW_KEY, TableFormat, internal_name

if TYPE_CHECKING:
    from types import ModuleType

    import polars as pl

__all__ = ["cell_text", "read_workbook_grid"]

T = TypeVar("T")
_NOTHING: Mapping[str, object] = MappingProxyType({})

# A damaged part of the file that a scan for formulas or merged cells reads after calamine:
# the scan gives up quietly (calamine has read the values already).
_SCAN_FAILURES: tuple[type[BaseException], ...] = (KeyError, ET.ParseError, *ZIP_FAILURES)

_SAVE_AS = msg("advice.resave-xlsx")
# Read XLSX sheets through fastexcel when it is installed (tests turn it off to compare).
_FAST = True
_PEEK_ROWS = 40
_HEAD_ROWS = 200
_BATCH_ROWS = 10_000
_MAX_NOTES = 10_000
_CHUNK = 1 << 20
_SHEET_WORDS = re.compile(
    r"leerling|student|medewerker|personeel|docent|ouder|verzorger|klas|groep|rooster",
    re.IGNORECASE,
)


def cell_text(value: Any) -> str:
    """A workbook cell's value as the string a person would type.

    Examples:
        >>> import datetime
        >>> [cell_text(v) for v in (12345.0, 0.5, True, datetime.date(2010, 5, 3), None)]
        ['12345', '0.5', 'TRUE', '2010-05-03', '']
        >>> [cell_text(v) for v in (1e-05, 0.1 + 0.2, 1 / 3)]
        ['0.00001', '0.3', '0.333333333']
        >>> cell_text(datetime.datetime(2010, 5, 3, 10, 30))
        '2010-05-03T10:30:00'
    """
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is float:
        if value.is_integer():
            return str(int(value))
        # As Excel shows it in a wide cell (and fastexcel writes it): at most nine decimals.
        text = f"{value:.9f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    if kind is int:
        return str(value)
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is dt.datetime:
        if value.time() == dt.time() and value.tzinfo is None:
            return value.date().isoformat()  # type: ignore[no-any-return]
        spec = "microseconds" if value.microsecond else "seconds"
        return value.isoformat(timespec=spec)  # type: ignore[no-any-return]
    if kind is dt.date:
        return value.isoformat()  # type: ignore[no-any-return]
    if kind is dt.time:
        return value.isoformat(timespec="seconds")  # type: ignore[no-any-return]
    if kind is dt.timedelta:
        seconds = int(value.total_seconds())
        sign = "-" if seconds < 0 else ""
        hours, rest = divmod(abs(seconds), 3600)
        return f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"
    if value is None:
        return ""
    return str(value)


def _rounded_identifier(value: float) -> str | None:
    """Excel's scientific form of a large integral number that looks like a rounded id."""
    digits = str(int(abs(value)))
    significant = digits.rstrip("0")
    if len(digits) < 12:
        return None
    if len(digits) <= 15 and len(significant) > len(digits) - 4:
        return None
    shown = min(len(significant), 15)
    return f"{value:.{max(shown - 1, 0)}E}".replace("E+0", "E+")


def _columns(
    rows: Sequence[Sequence[Any]],
    *,
    first_row: int,
    width: int | None = None,
    notes: bool = True,
    numbers: dict[int, int] | None = None,
) -> tuple[list[list[str]], list[CellNote]]:
    """Rows of calamine values into string columns, noting large rounded numbers.

    ``numbers`` (when given) counts, per column index, the cells stored as numbers.
    """
    if width is None:
        width = max((len(row) for row in rows), default=0)
    if any(len(row) != width for row in rows):
        rows = [[*row[:width], *([""] * (width - len(row)))] for row in rows]
    columns: list[list[str]] = []
    found: list[CellNote] = []
    for index, values in enumerate(zip(*rows, strict=True)):
        kinds = set(map(type, values))
        if kinds <= {str}:
            columns.append(list(values))
            continue
        columns.append([value if type(value) is str else cell_text(value) for value in values])
        if numbers is not None and (float in kinds or int in kinds):
            count = sum(1 for value in values if type(value) is float or type(value) is int)
            numbers[index] = numbers.get(index, 0) + count
        if notes and float in kinds:
            for position, value in enumerate(values):
                if type(value) is float and abs(value) >= 1e11 and value.is_integer():
                    shown = _rounded_identifier(value)
                    if shown is not None:
                        found.append(CellNote(first_row + position, index, "big-number", shown))
    if not columns:
        columns = [[] for _ in range(width)]
    return columns, found


def _rows(worksheet: Any) -> Iterator[list[Any]]:
    """The sheet's rows from row 1 and column A (calamine starts at the first used column)."""
    start = worksheet.start
    pad = [""] * start[1] if start else []
    for row in worksheet.iter_rows():
        yield [*pad, *row] if pad else row


def _open(calamine: ModuleType, data: bytes, file: str) -> Any:
    try:
        return calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError:
        raise EncryptedFileError(msg("refusal.workbook-password"), file=file) from None
    except BaseException as error:  # any calamine failure (panics too): the workbook is damaged
        if not _damaged(error):
            raise
        raise MalformedFileError(
            msg("refusal.damaged-workbook", error=_failure(error), advice=_SAVE_AS), file=file
        ) from None


def _failure(error: BaseException) -> str:
    """What calamine said, for a refusal: the exception's name and the start of its text."""
    return f"{type(error).__name__}: {str(error)[:120]}"


def _damaged(error: BaseException) -> bool:
    """Whether an exception from calamine means a damaged file, not an interrupt.

    A Rust panic in calamine reaches Python as pyo3's ``PanicException``, which derives from
    ``BaseException`` so that ``except Exception`` does not catch it.
    """
    return not isinstance(error, KeyboardInterrupt | SystemExit | GeneratorExit | MemoryError)


def _peek(workbook: Any, name: str) -> list[list[str]]:
    try:
        values = workbook.get_sheet_by_name(name).to_python(nrows=_PEEK_ROWS)
    except BaseException as error:  # an unreadable extra sheet is simply not a candidate
        if not _damaged(error):
            raise
        return []
    columns, _ = _columns(values, first_row=1)
    return [list(row) for row in zip(*columns, strict=True)]


def _too_large(
    data: bytes, oversized: dict[str, tuple[int, int]], file: str
) -> dict[str, tuple[int, int]]:
    """The oversized worksheet parts by sheet name."""
    if not oversized:
        return {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        paths = _xlsx_sheet_paths(archive)
    if not paths:  # cannot tell which sheet is which: none may be loaded
        raise MalformedFileError(msg("refusal.damaged-sheet-list", advice=_SAVE_AS), file=file)
    return {name: oversized[path] for name, path in paths.items() if path in oversized}


def _choose_sheet(
    workbook: Any,
    sheet: str | int | None,
    file: str,
    collector: Collector,
    calamine: ModuleType,
    *,
    skip: Mapping[str, object] = _NOTHING,
) -> str:
    names: list[str] = list(workbook.sheet_names)
    if not names:
        raise MalformedFileError(msg("refusal.no-sheets", advice=_SAVE_AS), file=file)
    listing = ", ".join(repr(name) for name in names)
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if not -len(names) <= sheet < len(names):
            raise ReaderError(
                msg("refusal.sheet-number", sheet=sheet, count=len(names), sheets=listing),
                file=file,
            )
        return names[sheet]
    if isinstance(sheet, str):
        if sheet in names:
            return sheet
        matches = [name for name in names if name.strip().casefold() == sheet.strip().casefold()]
        if len(matches) == 1:
            return matches[0]
        raise ReaderError(msg("refusal.no-such-sheet", sheet=sheet, sheets=listing), file=file)
    if len(names) == 1:
        return names[0]
    metadata = list(workbook.sheets_metadata)
    worksheets = [m.name for m in metadata if m.typ == calamine.SheetTypeEnum.WorkSheet]
    visible = [m.name for m in metadata if m.name in worksheets and _is_visible(m, calamine)]
    hidden = [name for name in worksheets if name not in visible]
    if not visible:
        visible = worksheets or names
    if len(names) > 1:
        collector.detect("sheets", ", ".join(names))
        collector.add(
            "several-sheets",
            msg(
                "several-sheets.hidden",
                count=len(names),
                sheets=listing,
                hidden=", ".join(repr(n) for n in hidden),
            )
            if hidden
            else msg("several-sheets", count=len(names), sheets=listing),
            severity="info",
        )
    if len(visible) == 1:
        if len(names) > 1:
            collector.add(
                "sheet-chosen",
                msg("sheet-chosen.only-visible", sheet=visible[0]),
                severity="info",
            )
        return visible[0]
    # A sheet too large to read is not peeked at (calamine would allocate it whole).
    peeks = {name: [] if name in skip else _peek(workbook, name) for name in visible}
    with_table = [
        name
        for name, rows in peeks.items()
        if sum(1 for row in rows if sum(1 for cell in row if cell.strip()) >= 2) >= 2
    ]
    if len(with_table) == 1:
        collector.add(
            "sheet-chosen", msg("sheet-chosen.only-table", sheet=with_table[0]), severity="info"
        )
        return with_table[0]
    if not with_table:
        return visible[0]
    scores = {}
    for name in with_table:
        rows = peeks[name]
        header = rows[find_header(rows)] if rows else []
        scores[name] = keyword_score(header) + (1 if _SHEET_WORDS.search(name) else 0)
    ranked = sorted(with_table, key=lambda name: scores[name], reverse=True)
    best, second = ranked[0], ranked[1]
    if scores[best] >= 2 and scores[best] >= scores[second] + 2:
        collector.add("sheet-chosen", msg("sheet-chosen.roster", sheet=best), severity="info")
        return best
    tables = ", ".join(repr(name) for name in with_table)
    raise ReaderError(msg("refusal.several-tables", sheets=tables), file=file)


def _is_visible(metadata: Any, calamine: ModuleType) -> bool:
    return bool(metadata.visible == calamine.SheetVisibleEnum.Visible)


# calamine allocates the whole rectangle from the first to the last cell with content, about
# 32 bytes a cell; a workbook may make it allocate max_bytes / this many cells (about four
# times max_bytes of memory at most).
_BYTES_PER_CELL = 8
# Every letter made A and every digit 0: "r=\"AB123\"" becomes "r=\"AA000\"", so that plain
# searches (as fast as memchr) tell how many letters and digits the references have.
_SHAPE = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", b"A" * 26 + b"0" * 10)
_EXTENT_CHUNK = 1 << 20
_EXTENT_BATCH = 4  # chunks searched at once (in parallel, in little memory)
_MAX_ROW = 1_048_576
_LONG_DIGITS = 8
_LONG_ROW = re.compile(rb'(?:A|r=")0{8}')
_LONG_REFERENCE = r'r="[A-Z]*[0-9]{8}'
_ODD_REFERENCE = r'r="(?:[A-Z]{2}|[A-Z]*[0-9]{8})'  # beyond column Z or beyond the rows


class _Unmeasurable(Exception):
    """A worksheet part that zipfile cannot read: calamine's own zip reader might."""


def _xlsx_oversized(
    data: bytes, max_cells: int, *, keep: str | None = None, kept: list[list[str]] | None = None
) -> dict[str, tuple[int, int]]:
    """The worksheet parts whose used range may hold more than ``max_cells`` cells.

    Returns zip member name -> (rows, columns), exact where it mattered. A cheap pass gives
    the widest column (measured only when it is beyond Z); only a sheet that could then
    exceed ``max_cells`` has the digits of its highest row counted, and only when those could
    too is its highest row read. The text of part ``keep``, as that pass decompressed it, is
    appended to ``kept`` a batch of chunks at a time, so that the fast path's XML count need
    not decompress the sheet again.

    Raises:
        _Unmeasurable: A worksheet part cannot be read here (calamine, reading the zip
            archive its own way, might read it, unmeasured).
    """
    oversized: dict[str, tuple[int, int]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                name = info.filename
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    extent = _oversized_extent(
                        archive, name, max_cells, kept if name == keep else None
                    )
                    if extent is not None:
                        oversized[name] = extent
    except _SCAN_FAILURES:
        raise _Unmeasurable from None
    return oversized


def _member_chunks(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """The member's bytes a chunk at a time, each with the end of the one before it."""
    tail = b""
    with archive.open(name) as handle:
        while chunk := handle.read(_EXTENT_CHUNK):
            yield tail + chunk
            tail = chunk[-32:]


def _oversized_extent(
    archive: zipfile.ZipFile, name: str, max_cells: int, kept: list[list[str]] | None
) -> tuple[int, int] | None:
    import polars as pl

    letters = 1
    wide: list[str] = []  # the chunks with a column beyond Z
    long_rows = False  # a reference beyond Excel's rows (calamine takes it as it is)

    def look(batch: list[str]) -> tuple[int, int] | None:
        """Search a batch of chunks at once: polars runs the searches in parallel."""
        nonlocal letters, long_rows
        if kept is not None:
            kept.append(batch)
        found = (
            pl.DataFrame({"text": batch}, schema={"text": pl.String})
            .with_columns(
                dimension=pl.col("text").str.contains("dimension", literal=True),
                # One search for what the next three tell apart: most sheets have none.
                odd=pl.col("text").str.contains(_ODD_REFERENCE),
            )
            .filter(pl.col("dimension") | pl.col("odd"))
            .select(
                pl.col("text"),
                pl.col("dimension"),
                long=pl.col("text").str.contains(_LONG_REFERENCE),
                two=pl.col("text").str.contains(r'r="[A-Z]{2}'),
                three=pl.col("text").str.contains(r'r="[A-Z]{3}'),
            )
        )
        long_rows = long_rows or bool(found.get_column("long").any())
        for text, dimension, _, two, three in found.filter(
            pl.col("dimension") | pl.col("two")
        ).iter_rows():
            if dimension:
                claimed = _dimension_claim(text.encode("latin-1"))
                if claimed is not None and claimed[0] * claimed[1] > max_cells:
                    return claimed
            if two:
                letters = max(letters, 3 if three else 2)
                wide.append(text)
        return None

    batch: list[str] = []
    # Cut before a cell, so that no reference is split; inflated on a thread of its own
    # (zlib lets go of the interpreter) while this one searches.
    for text in _read_ahead(sheet_chunks(archive, name)):
        batch.append(text)
        if len(batch) < _EXTENT_BATCH:
            continue
        if (claimed := look(batch)) is not None:
            return claimed
        batch = []
    if batch and (claimed := look(batch)) is not None:
        return claimed
    columns = 26 if letters == 1 else _widest_column(wide)
    if columns * _MAX_ROW <= max_cells and not long_rows:
        return None  # the usual case: no column beyond Z, so no need to look at the rows
    digits = 1
    for chunk in _member_chunks(archive, name):
        shape = chunk.translate(_SHAPE)
        if _LONG_ROW.search(shape):  # beyond Excel's rows: calamine takes it as it is
            digits = _LONG_DIGITS
            break
        for count in range(7, digits, -1):
            end = b"0" * count + b'"'
            if b"A" + end in shape or b'r="' + end in shape:
                digits = count
                break
    if digits < _LONG_DIGITS and (10**digits - 1) * columns <= max_cells:
        return None
    rows = _highest_row(archive, name, digits)
    return (rows, columns) if rows * columns > max_cells else None


_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\sref\s*=\s*[\"']([^\"']*)")


def _dimension_claim(chunk: bytes) -> tuple[int, int] | None:
    """The rows and columns a ``<dimension ref="A1:O100">`` element claims.

    calamine sizes the sheet from it; a range whose end comes before its start claims
    everything.

    Examples:
        >>> _dimension_claim(b'<dimension ref="A1:XFD1048576"/>')
        (1048576, 16384)
    """
    claimed: tuple[int, int] | None = None
    for found in _DIMENSION.finditer(chunk):
        ends = re.findall(rb"([A-Za-z]*)([0-9]*)", found.group(1))
        points = [
            (int(digits or b"1"), _column_index(letters.upper().decode("ascii")) + 1)
            for letters, digits in ends
            if letters or digits
        ]
        if not points:
            continue
        (first_row, first_column), (last_row, last_column) = points[0], points[-1]
        if last_row < first_row or last_column < first_column:
            rows, columns = 2**32, 2**32
        else:
            rows, columns = last_row, last_column
        if claimed is None or rows * columns > claimed[0] * claimed[1]:
            claimed = (rows, columns)
    return claimed


def _widest_column(chunks: list[str]) -> int:
    """The highest column (1-based) among references of two or three letters."""
    import polars as pl

    found = (
        pl.Series(chunks, dtype=pl.String)
        .str.extract_all(r'\br="[A-Z]{2,}[0-9]')
        .explode()
        .drop_nulls()
        .str.extract(r"([A-Z]+)", 1)
        .unique()
        .to_list()
    )
    return max((_column_index(letters) + 1 for letters in found), default=26)


def _highest_row(archive: zipfile.ZipFile, name: str, digits: int) -> int:
    """The highest row number among references of ``digits`` digits (or more: 8)."""
    import polars as pl

    count = f"{digits}," if digits >= _LONG_DIGITS else str(digits)
    pattern = rf'\br="[A-Z]*[0-9]{{{count}}}"'

    def highest_in(batch: list[str]) -> int:
        numbers = (
            pl.Series(batch, dtype=pl.String)
            .str.extract_all(pattern)
            .explode()
            .drop_nulls()
            .str.extract(r"([0-9]+)", 1)
        )
        numbers = (  # more than 18 digits is beyond any budget: kept within an Int64
            pl.select(
                pl.when(numbers.str.len_chars() > 18)
                .then(10**18)
                .otherwise(numbers.cast(pl.Int64, strict=False))
            ).to_series()
        )
        return int(numbers.max() or 1)  # type: ignore[arg-type]

    highest = 1
    batch: list[str] = []
    for chunk in _member_chunks(archive, name):
        batch.append(chunk.decode("latin-1"))
        if len(batch) == 16:  # a batch at a time: polars searches them in parallel
            highest, batch = max(highest, highest_in(batch)), []
    if batch:
        highest = max(highest, highest_in(batch))
    return highest


def _read_ahead(items: Iterator[T], depth: int = 4) -> Iterator[T]:
    """The items of ``items``, produced on a thread up to ``depth`` items ahead.

    What the producer raised is raised here; a consumer that stops early stops it too.

    Examples:
        >>> list(_read_ahead(iter(range(5)), depth=2))
        [0, 1, 2, 3, 4]
    """
    ready: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(entry: tuple[bool, Any]) -> bool:
        """Put ``entry`` when there is room; ``False``: the consumer has stopped."""
        while not stop.is_set():
            try:
                ready.put(entry, timeout=0.05)
            except queue.Full:
                continue
            return True
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer((True, item)):
                    return
        except Exception as error:  # handed to the consumer
            offer((False, error))
            return
        offer((False, None))

    thread = threading.Thread(target=produce, daemon=True)
    thread.start()
    try:
        while True:
            more, item = ready.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        thread.join()


def _in_background(function: Callable[[], T]) -> Callable[[], T]:
    """Run ``function`` on a thread; the function returned waits for its result.

    What the function raised is raised again by the waiting one.
    """
    results: list[T] = []
    errors: list[Exception] = []

    def run() -> None:
        try:
            results.append(function())
        except Exception as error:  # handed to the waiting thread
            errors.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def wait() -> T:
        thread.join()
        if errors:
            raise errors[0]
        return results[0] if results else function()

    return wait


def read_workbook_grid(
    data: bytes,
    *,
    kind: TableFormat,
    file: str,
    sheet: str | int | None,
    header_row: int | None,
    collector: Collector,
    max_bytes: int,
) -> tuple[Grid, str]:
    """Read one sheet of a workbook into a grid; returns the grid and the sheet's name.

    An XLSX or XLSM sheet is read by fastexcel when it can be (see
    :mod:`~edukoppel.readers.table._fastxlsx`); any other sheet by python-calamine, in
    batches of rows straight into polars, so that Python never holds the whole sheet as
    objects. An XLSX sheet whose used range is too large for ``max_bytes`` is refused before
    either allocates it (measured while the workbook opens); an XLS or ODS workbook with any
    such sheet is refused before calamine opens it (see
    :mod:`~edukoppel.readers.table._bounds`).
    """
    calamine = import_optional(
        "python_calamine", extra="spreadsheets", purpose="reading XLSX, XLS and ODS workbooks"
    )
    max_cells = max_bytes // _BYTES_PER_CELL
    _check_before_open(data, kind=kind, file=file, max_bytes=max_bytes)
    parts = _fast_parts(data) if kind in ("xlsx", "xlsm") and _FAST else {}
    # The guard decompresses every sheet; the one fastexcel will read is kept for its count.
    keep = parts.get(sheet) if isinstance(sheet, str) else None
    if sheet is None and len(parts) == 1:
        keep = next(iter(parts.values()))
    kept: list[list[str]] = []
    extents = _in_background(
        (lambda: _xlsx_oversized(data, max_cells, keep=keep, kept=kept))
        if kind in ("xlsx", "xlsm")
        else dict
    )
    if parts:
        if sheet is None and len(parts) > 1:
            # Choosing among several sheets peeks at them through calamine; the sheet chosen
            # is then read by fastexcel.
            chooser = _open(calamine, data, file)
            try:
                too_large = _refused_sheets(extents, data, file)
                sheet = _choose_sheet(chooser, None, file, collector, calamine, skip=too_large)
                _refuse_too_large(sheet, too_large, file)
            finally:
                chooser.close()
        fast = _read_fast(
            data, parts, sheet, header_row, file, collector, calamine, extents, (keep, kept)
        )
        if fast is not None:
            grid, scan, name = fast
            collector.detect("sheet", name)
            collector.detect("reader", "fastexcel")
            if scan:
                grid.notes.extend(_scan_xlsx(data, name))
            return grid, name
    workbook = _open(calamine, data, file)
    try:
        too_large = _refused_sheets(extents, data, file)
        name = _choose_sheet(workbook, sheet, file, collector, calamine, skip=too_large)
        _refuse_too_large(name, too_large, file)
        grid = _read_with_calamine(workbook, name, header_row, file=file)
    finally:
        workbook.close()
    collector.detect("sheet", name)
    collector.detect("reader", "python-calamine")
    if kind in ("xlsx", "xlsm"):
        grid.notes.extend(_scan_xlsx(data, name))
    elif kind == "ods":
        ods_notes, ods_merged = _scan_ods(data, name)
        grid.notes.extend(ods_notes)
        grid.merged.extend(ods_merged)
    return grid, name


def _refused_sheets(
    extents: Callable[[], dict[str, tuple[int, int]]], data: bytes, file: str
) -> dict[str, tuple[int, int]]:
    """Wait for the size guard: the sheets too large to read, by name."""
    try:
        measured = extents()
    except _Unmeasurable:
        raise MalformedFileError(
            msg("refusal.unmeasurable-sheet", advice=_SAVE_AS), file=file
        ) from None
    return _too_large(data, measured, file)


def _refuse_too_large(name: str, too_large: Mapping[str, tuple[int, int]], file: str) -> None:
    if name in too_large:
        rows, columns = too_large[name]
        raise FileTooLargeError(
            msg("refusal.sheet-too-large", rows=rows, columns=columns), file=file, sheet=name
        )


def _read_fast(  # noqa: PLR0917 - private, called once
    data: bytes,
    parts: Mapping[str, str],
    sheet: str | int | None,
    header_row: int | None,
    file: str,
    collector: Collector,
    calamine: ModuleType,
    extents: Callable[[], dict[str, tuple[int, int]]],
    kept: tuple[str | None, list[list[str]]],
) -> tuple[Grid, bool, str] | None:
    """An XLSX sheet named (or the only one) through fastexcel; ``None``: read it with calamine.

    ``parts`` maps each sheet's name to its zip part. Returns the grid, whether the sheet has
    formulas or error cells to scan, and its name. With several sheets, ``sheet`` must name one
    (:func:`read_workbook_grid` chooses it first). ``kept`` is the part whose text the size
    guard kept, and that text.
    """
    reader = open_fast_reader(data)  # opens while the size guard measures the sheets
    if reader is None:
        return None
    name = _choose_sheet(_SheetNames(list(parts)), sheet, file, collector, calamine)
    path = parts[name]
    _refuse_too_large(name, _refused_sheets(extents, data, file), file)
    # Started after the guard, which must end before fastexcel may allocate the sheet: on two
    # cores the guard then shares them only with fastexcel's open, and this with its parse.
    texts = kept[1] if kept[0] == path else None
    types = _in_background(lambda: sheet_types(data, path, texts))
    loaded = load_sheet_frame(reader, name)
    del reader  # calamine's cells and strings go now, before the grid is built
    found = wait_for_types(types)
    if loaded is None or found is None:
        return None
    frame, first_column = loaded
    grid = frame_to_grid(
        frame, first_column=first_column, types=found, header_row=header_row, file=file, sheet=name
    )
    return grid, found.notes, name


class _SheetNames:
    """The sheet names of an XLSX workbook, for :func:`_choose_sheet` without calamine."""

    def __init__(self, names: list[str]) -> None:
        self.sheet_names = names


def _fast_parts(data: bytes) -> dict[str, str]:
    """Each sheet's name -> its zip part, when fastexcel can read the workbook's sheets."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _xlsx_sheet_paths(archive)
    except _SCAN_FAILURES:
        return {}


def _read_with_calamine(workbook: Any, name: str, header_row: int | None, *, file: str) -> Grid:
    try:
        worksheet = workbook.get_sheet_by_name(name)
        merged_ranges = worksheet.merged_cell_ranges
        grid = _read_sheet(_rows(worksheet), header_row, file=file, sheet=name)
    except ReaderError:
        raise
    except BaseException as error:  # calamine failed on this sheet (or panicked)
        if not _damaged(error):
            raise
        raise MalformedFileError(
            msg("refusal.damaged-sheet", error=_failure(error), advice=_SAVE_AS),
            file=file,
            sheet=name,
        ) from None
    grid.merged = [
        MergedRange(first[0] + 1, first[1], last[0] + 1, last[1])
        for first, last in (merged_ranges or [])
    ]
    return grid


def _read_sheet(
    rows: Iterator[list[Any]], header_row: int | None, *, file: str, sheet: str
) -> Grid:
    import polars as pl

    head_values = list(islice(rows, max(_HEAD_ROWS, header_row or 0)))
    head_columns, _ = _columns(head_values, first_row=1, notes=False)
    width = len(head_columns)
    head = [list(row) for row in zip(*head_columns, strict=True)]
    index, why = sheet_header(head, header_row, file=file, sheet=sheet)
    schema = {internal_name(position): pl.String() for position in range(width)}
    parts: list[pl.DataFrame] = []
    notes: list[CellNote] = []
    numeric: dict[int, int] = {}
    number = index + 2
    batch: list[list[Any]] = head_values[index + 1 :]
    while batch:
        columns, found = _columns(batch, first_row=number, width=width, numbers=numeric)
        notes.extend(found)
        parts.append(
            pl.DataFrame(
                {internal_name(position): column for position, column in enumerate(columns)},
                schema=schema,
            )
        )
        number += len(batch)
        batch = list(islice(rows, _BATCH_ROWS))
    frame = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
    frame = frame.with_columns(
        pl.int_range(index + 2, number, dtype=pl.Int64).alias(ROW_KEY)
        if frame.height
        else pl.lit(None, dtype=pl.Int64).alias(ROW_KEY)
    )
    return Grid(
        frame=frame,
        header=head[index],
        header_row=index + 1,
        header_reason=why,
        preamble=[(position + 1, row) for position, row in enumerate(head[:index]) if any(row)],
        notes=notes,
        numeric=numeric,
    )


# -- XLSX and ODS scans ------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _contains_any(handle: IO[bytes], needles: Sequence[bytes]) -> bool:
    """Whether a zip member holds any of ``needles``, read a chunk at a time."""
    overlap = max(len(needle) for needle in needles) - 1
    tail = b""
    while chunk := handle.read(_CHUNK):
        window = tail + chunk
        if any(needle in window for needle in needles):
            return True
        tail = window[-overlap:]
    return False


def _xlsx_sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name -> the zip member holding it (empty when the parts are damaged)."""
    try:
        workbook = ET.fromstring(archive.read("xl/workbook.xml"))
        relations = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except _SCAN_FAILURES:
        return {}
    targets: dict[str, str] = {}
    for element in relations.iter():
        if _local(element.tag) == "Relationship":
            target = element.get("Target", "")
            targets[element.get("Id", "")] = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join("xl", target))
            )
    paths: dict[str, str] = {}
    for element in workbook.iter():
        if _local(element.tag) == "sheet":
            relation_id = next(
                (value for key, value in element.attrib.items() if _local(key) == "id"), None
            )
            if relation_id in targets:
                paths[element.get("name") or ""] = targets[relation_id]
    return paths


_CELL_REFERENCE = re.compile(r"([A-Z]+)(\d+)")


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _scan_xlsx(data: bytes, sheet: str) -> list[CellNote]:
    """Formulas and error values in an XLSX sheet's XML (only when it has any)."""
    notes: list[CellNote] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            path = _xlsx_sheet_paths(archive).get(sheet)
            if path is None:
                return notes
            with archive.open(path) as handle:
                if not _contains_any(handle, (b"<f", b":f>", b":f ", b't="e"')):
                    return notes
            with archive.open(path) as handle:
                notes.extend(_xlsx_cells(handle))
    except _SCAN_FAILURES:
        return notes
    return notes


def _xlsx_cells(handle: IO[bytes]) -> Iterator[CellNote]:
    row, column, count = 0, -1, 0
    for event, element in ET.iterparse(handle, events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "row":
                row = int(element.get("r") or row + 1)
                column = -1
            continue
        if tag == "c":
            reference = _CELL_REFERENCE.fullmatch(element.get("r") or "")
            if reference:
                column = _column_index(reference.group(1))
                row = int(reference.group(2))
            else:
                column += 1
            formula = value = None
            for child in element:
                name = _local(child.tag)
                if name == "f":
                    formula = child
                elif name == "v":
                    value = child.text
            if formula is not None:
                kind = "formula" if value not in (None, "") else "formula-no-value"
                yield CellNote(row, column, kind)
                count += 1
            if element.get("t") == "e":
                yield CellNote(row, column, "error", value or "")
                count += 1
            element.clear()
            if count >= _MAX_NOTES:
                return
        elif tag == "row":
            element.clear()


def _scan_ods(data: bytes, sheet: str) -> tuple[list[CellNote], list[MergedRange]]:
    """Formulas and merged cells in an ODS sheet (only when the file has any)."""
    notes: list[CellNote] = []
    merged: list[MergedRange] = []
    needles = (b"table:formula", b"-spanned")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            with archive.open("content.xml") as handle:
                if not _contains_any(handle, needles):
                    return notes, merged
            with archive.open("content.xml") as handle:
                _ods_cells(handle, sheet, notes, merged)
    except _SCAN_FAILURES:
        pass
    return notes, merged


def _ods_cells(
    handle: IO[bytes], sheet: str, notes: list[CellNote], merged: list[MergedRange]
) -> None:
    table_ns = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
    office_ns = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
    inside = False
    row = column = 0
    repeat_rows = 1
    for event, element in ET.iterparse(handle, events=("start", "end")):
        tag = _local(element.tag)
        if tag == "table":
            if event == "start":
                inside = element.get(f"{table_ns}name") == sheet
                row = 0
            elif inside:
                return
            continue
        if not inside:
            if event == "end":
                element.clear()
            continue
        if tag == "table-row":
            if event == "start":
                repeat_rows = int(element.get(f"{table_ns}number-rows-repeated") or 1)
                column = 0
            else:
                row += repeat_rows
                element.clear()
        elif tag in ("table-cell", "covered-table-cell") and event == "start":
            repeat = int(element.get(f"{table_ns}number-columns-repeated") or 1)
            if element.get(f"{table_ns}formula") is not None and len(notes) < _MAX_NOTES:
                has_value = element.get(f"{office_ns}value-type") is not None
                kind = "formula" if has_value else "formula-no-value"
                for extra_row in range(min(repeat_rows, 100)):
                    for extra_column in range(min(repeat, 100)):
                        notes.append(CellNote(row + 1 + extra_row, column + extra_column, kind))
            spanned_columns = int(element.get(f"{table_ns}number-columns-spanned") or 1)
            spanned_rows = int(element.get(f"{table_ns}number-rows-spanned") or 1)
            if spanned_columns > 1 or spanned_rows > 1:
                merged.append(
                    MergedRange(row + 1, column, row + spanned_rows, column + spanned_columns - 1)
                )
            column += repeat


def _check_before_open(data: bytes, *, kind: TableFormat, file: str, max_bytes: int) -> None:
    """Check an XLS or ODS workbook first: calamine parses every sheet as it opens it."""
    max_cells = max_bytes // _BYTES_PER_CELL
    if kind == "xls":
        check_xls(data, max_cells=max_cells, max_bytes=max_bytes, file=file)
    elif kind == "ods":
        check_ods(data, max_cells=max_cells, file=file)


def visible_sheets(data: bytes, *, kind: TableFormat, file: str, max_bytes: int) -> list[str]:
    """The names of a workbook's visible sheets, in order (nothing of them is read).

    Opening an XLS or ODS workbook parses its sheets, so they pass the same size guard as a
    read does first.
    """
    calamine = import_optional(
        "python_calamine", extra="spreadsheets", purpose="reading XLSX, XLS and ODS workbooks"
    )
    _check_before_open(data, kind=kind, file=file, max_bytes=max_bytes)
    workbook = _open(calamine, data, file)
    try:
        return [
            metadata.name
            for metadata in workbook.sheets_metadata
            if _is_visible(metadata, calamine)
        ]
    finally:
        workbook.close()
