"""CSV text into a :class:`Grid`: ``sep=`` line, delimiter, header, then the cells.

The first 32 KiB are parsed with the standard library's :mod:`csv` module to find the
delimiter and the header. The rest goes to polars, on UTF-8 bytes, when the file is regular:
the fast path checks its own result (line and delimiter counts) and gives way to the standard
library, record by record, when the file has lone carriage returns, quotes polars refuses,
rows longer than the header or anything it cannot account for. Both paths give the same cells
and the same row numbers (the physical line on which each record starts).

Two checks must see every byte and hold the GIL while they do (looking for carriage returns
that no line feed follows, and for the damage checks' trigger bytes): they run on a thread
while polars parses, which releases the GIL, so that they cost next to nothing on a machine
with a spare core.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from edukoppel._i18n import Message, msg
from edukoppel.exceptions import MalformedFileError, ReaderError, UnsupportedFormatError
from edukoppel.readers._issues import Collector
from edukoppel.readers.table._damage import scan_bytes
from edukoppel.readers.table._encoding import (
    Decoded,
    NotUtf8,
    decode_head,
    detect,
    fallback,
    locate_invalid_utf8,
)
from edukoppel.readers.table._grid import Grid
from edukoppel.readers.table._header import HEADER_SEARCH_ROWS, clearly_a_header, find_header
from edukoppel.readers.table._table import ROW_KEY, internal_name
from edukoppel.report import Report

if TYPE_CHECKING:
    import polars as pl

__all__ = ["DELIMITERS", "read_csv_grid"]

DELIMITERS = (";", ",", "\t", "|")
"""The delimiters that are detected, in order of preference on a tie."""

_DELIMITER_NAMES = {
    ";": msg("delimiter.semicolon"),
    ",": msg("delimiter.comma"),
    "\t": msg("delimiter.tab"),
    "|": msg("delimiter.vertical-bar"),
}
_SEP_LINE = re.compile(r'\A"?sep=(.)"?[ \t]*(?:\r\n|\n|\r|\Z)', re.IGNORECASE)
_LONE_CR = re.compile(rb"\r(?!\n)")
# The same test, faster (a class instead of a lookahead), but blind to a carriage return at
# the very end: see _has_lone_cr.
_CR_NOT_LF = re.compile(rb"\r[^\n]")
_SAMPLE_LINES = 100
_NO_CONTENT = ' \t\r\n"' + "".join(DELIMITERS)
_SCAN_CHUNK = 1 << 20


@attrs.frozen
class _Record:
    start: int
    end: int
    fields: list[str]


def read_csv_grid(
    data: bytes,
    *,
    file: str,
    encoding: str | None,
    delimiter: str | None,
    header_row: int | None,
    collector: Collector,
    force_slow: bool = False,
) -> Grid:
    """Read CSV bytes into a grid, reporting the encoding, delimiter and header found."""
    decoded = detect(data, encoding)
    mixed_line_endings = False
    # Each discovery changes the text once (to another encoding; lone CRs to line feeds) and
    # the file is read again; they may come in either order, and neither comes twice.
    for _ in range(3):
        local = Collector(Report(), file=file)
        try:
            grid = _read(
                decoded,
                file,
                delimiter,
                header_row,
                local,
                force_slow=force_slow,
                mixed_line_endings=mixed_line_endings,
            )
            break
        except NotUtf8 as error:
            decoded = fallback(decoded, error.position)
        except _LoneCarriageReturns:
            decoded = _lone_crs_to_line_feeds(decoded)
            mixed_line_endings = True
    else:  # pragma: no cover - each kind of discovery happens at most once
        raise AssertionError("read_csv_grid: the text kept changing")
    collector.detect("encoding", decoded.encoding)
    collector.add(
        "encoding-detected",
        msg("encoding-detected", encoding=decoded.encoding, reason=decoded.reason),
        severity="info",
    )
    for note in decoded.notes:
        collector.add(note.code, note.message, severity=note.severity, row=note.line)
    collector.report.merge(local.report)
    return grid


def _read(
    decoded: Decoded,
    file: str,
    delimiter: str | None,
    header_row: int | None,
    collector: Collector,
    *,
    force_slow: bool,
    mixed_line_endings: bool = False,
) -> Grid:
    data, start = decoded.data, decoded.start
    head, head_end = decode_head(data, start)
    collector.detect("line_endings", _line_endings(data, start, head_end, mixed_line_endings))
    if "\x00" in head:
        raise UnsupportedFormatError(msg("refusal.binary"), file=file)
    text_start = start
    first_line = 1
    sep_line = _SEP_LINE.match(head)
    if sep_line:
        head = head[sep_line.end() :]
        start += len(sep_line.group(0).encode("utf-8"))
        first_line = 2
    sep, why = _choose_delimiter(head, delimiter, sep_line, file, whole_file=head_end == len(data))
    records = _records(head, sep, first_line=first_line, file=file)
    if head_end < len(data) and len(records) > 1:
        records.pop()  # the head may end inside a quoted cell
    if not any(any(field.strip() for field in record.fields) for record in records):
        raise MalformedFileError(msg("refusal.no-rows"), file=file)
    index, header_why = _choose_header(records, header_row, file)
    header_record = records[index]
    offset = _skip_lines(data, text_start, header_record.end)
    width = max(len(record.fields) for record in records[index:])
    name = _DELIMITER_NAMES.get(sep, repr(sep))
    collector.detect("delimiter", sep)
    collector.add(
        "delimiter-detected",
        msg("delimiter-detected", name=name, delimiter=sep, reason=why),
        severity="info",
    )
    body_quoted = data.find(b'"', offset) != -1
    quoted = body_quoted or '"' in head
    collector.detect("quoting", 'double quotes (")' if quoted else "none")
    # The rest of the text is checked on a thread while polars parses: a lone carriage
    # return found there raises _LoneCarriageReturns before the grid is used.
    scan = _ByteScan(data, head_end)
    try:
        grid = (
            None
            if force_slow
            else _fast(
                data,
                offset,
                sep,
                width,
                header_record.end + 1,
                skip=header_record.end,
                verified=decoded.verified,
                quoted=body_quoted,
                before_parse=scan.begin,
            )
        )
    except BaseException:
        scan.cancel()
        raise
    lone_crs, grid_triggers = scan.result()
    if lone_crs:
        raise _LoneCarriageReturns
    grid = grid or _slow(
        data,
        offset,
        sep=sep,
        width=width,
        first_line=header_record.end + 1,
        verified=decoded.verified,
        collector=collector,
    )
    header = header_record.fields + [""] * (len(grid.header) - len(header_record.fields))
    grid.header = header
    grid.header_row = header_record.start
    grid.header_reason = header_why
    grid.preamble = [
        (record.start, record.fields)
        for record in records[:index]
        if any(field.strip() for field in record.fields)
    ]
    grid.quoted = quoted
    grid.delimiter = sep
    grid.triggers = grid_triggers
    grid.first_row = first_line
    return grid


class _LoneCarriageReturns(Exception):
    """The text has a carriage return that no line feed follows: read it again, converted."""


def _line_endings(data: bytes, start: int, head_end: int, mixed: bool) -> str:
    """The line endings for the report, judged on the head (the thread checks the rest)."""
    if mixed:
        return "CR or mixed"
    if data.find(b"\r", start) == -1:
        return "LF"
    if _has_lone_cr(data, start, head_end):
        raise _LoneCarriageReturns
    return "CRLF"


def _lone_crs_to_line_feeds(decoded: Decoded) -> Decoded:
    """Make every carriage return that no line feed follows a line feed.

    Such a carriage return is a line break too (old Mac files, or a stray one); as a line feed,
    every part of the reader counts lines alike.
    """
    converted = _LONE_CR.sub(b"\n", decoded.data[decoded.start :])
    return attrs.evolve(decoded, data=converted, start=0)


def _has_lone_cr(data: bytes, start: int, end: int | None = None) -> bool:
    """Whether ``data[start:end]`` has a carriage return that no line feed follows.

    Searched a chunk at a time: a search is one call that holds the GIL, and a thread that
    is waiting for it (to call polars) should not have to wait for the whole file.
    """
    end = len(data) if end is None else end
    if data.find(b"\r", start, end) == -1:
        return False
    for offset in range(start, end, _SCAN_CHUNK):
        if _CR_NOT_LF.search(data, offset, min(offset + _SCAN_CHUNK + 1, end)) is not None:
            return True
    return end > start and data[end - 1 : end] == b"\r" and data[end : end + 1] != b"\n"


class _ByteScan:
    """The checks over every byte that hold the GIL, run on a thread while polars parses.

    They look for a carriage return that no line feed follows in ``data[body_start:]``, and
    for the damage checks' trigger bytes in ``data``. The thread waits, without the GIL, until
    :meth:`begin` is called just before the polars parse (which releases the GIL), so that it
    does not slow down the Python code before it.
    """

    def __init__(self, data: bytes, body_start: int) -> None:
        self._data = data
        self._body_start = body_start
        self._go = threading.Event()
        self._cancelled = False
        self._results: list[tuple[bool, frozenset[bytes]]] = []
        self._thread = threading.Thread(target=self._work, name="edukoppel-byte-scan", daemon=True)
        self._thread.start()

    def _checks(self) -> tuple[bool, frozenset[bytes]]:
        return _has_lone_cr(self._data, self._body_start), scan_bytes(self._data)

    def _work(self) -> None:
        self._go.wait()
        if not self._cancelled:
            self._results.append(self._checks())

    def begin(self) -> None:
        """Let the checks run (call just before handing the GIL to polars)."""
        self._go.set()

    def cancel(self) -> None:
        """The read failed: end the thread without checking."""
        self._cancelled = True
        self._go.set()

    def result(self) -> tuple[bool, frozenset[bytes]]:
        """Whether the body has a lone carriage return, and the trigger bytes found."""
        self._go.set()
        self._thread.join()
        return self._results[0] if self._results else self._checks()


def _choose_delimiter(
    head: str,
    delimiter: str | None,
    sep_line: re.Match[str] | None,
    file: str,
    *,
    whole_file: bool,
) -> tuple[str, Message]:
    if delimiter is not None:
        return delimiter, msg("delimiter-detected.given")
    if sep_line:
        return sep_line.group(1), msg("delimiter-detected.sep-line")
    found = _detect_delimiter(head, whole_file=whole_file)
    if found is not None:
        return found
    _refuse_fixed_width(head, file)
    sep = next((c for c in DELIMITERS if c not in head), "\x1f")
    return sep, msg("delimiter-detected.one-column")


def _choose_header(records: list[_Record], header_row: int | None, file: str) -> tuple[int, str]:
    if header_row is None:
        rows = [record.fields for record in records[: HEADER_SEARCH_ROWS * 2]]
        return find_header(rows), "detected"
    for index, record in enumerate(records):
        if record.start == header_row:
            return index, "given"
        if record.start < header_row <= record.end:
            raise ReaderError(
                msg("refusal.header-row-in-a-cell", header_row=header_row, start=record.start),
                file=file,
            )
    last = records[-1].end if records else 0
    raise ReaderError(
        msg("refusal.header-row-beyond-the-lines", header_row=header_row, last=last), file=file
    )


def _detect_delimiter(text: str, *, whole_file: bool) -> tuple[str, Message] | None:
    """The delimiter that splits the sample into the most consistent number of fields.

    ``whole_file``: ``text`` is all of the file (so its last row is the file's last row).
    """
    lines = text.split("\n", _SAMPLE_LINES)
    sample = "\n".join(lines[:_SAMPLE_LINES])
    rest = lines[_SAMPLE_LINES] if len(lines) > _SAMPLE_LINES else ""
    # Whether the sample's last row with content is the file's: nothing but white space,
    # quotes and delimiters (Excel's ';;;' rows) follows it.
    sample_ends_file = whole_file and not rest.strip(_NO_CONTENT)
    best: tuple[float, int, int] | None = None
    chosen: str | None = None
    summary: Message | None = None
    for preference, candidate in enumerate(DELIMITERS):
        if candidate not in sample:
            continue
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=candidate, strict=False)
        try:
            rows = [row for row in reader if any(cell.strip() for cell in row)]
        except csv.Error:
            continue
        counts = [len(row) for row in rows]
        several = [count for count in counts if count > 1]
        if not several:
            continue
        alone = len(several) < 2 <= len(counts)
        if alone and not (sample_ends_file and counts[-1] > 1 and clearly_a_header(rows[-1])):
            # A delimiter that splits a single row of several is a character in a value of a
            # one-column file (an address ending in ';', 'Jansen, Anna'). Two rows suffice:
            # a header and one record, or records whose empty last fields were left out.
            # One row does when it is the last and can only be a header (it names roster
            # columns): an export that selected nobody, with a title above its header.
            continue
        modal, frequency = Counter(several).most_common(1)[0]
        score = (round(frequency / len(counts), 2), modal, -preference)
        if best is None or score > best:
            best, chosen = score, candidate
            summary = (
                msg("delimiter-detected.header-only", columns=modal)
                if alone
                else msg(
                    "delimiter-detected.consistent",
                    columns=modal,
                    rows=frequency,
                    sample=len(counts),
                )
            )
    return None if chosen is None or summary is None else (chosen, summary)


def _refuse_fixed_width(text: str, file: str) -> None:
    lines = [line.rstrip("\r") for line in text.split("\n", _SAMPLE_LINES)[:_SAMPLE_LINES]]
    lines = [line for line in lines if line.strip()]
    if len(lines) < 3:
        return
    length, frequency = Counter(len(line) for line in lines).most_common(1)[0]
    padded = sum("  " in line for line in lines)
    if length >= 20 and frequency * 10 >= len(lines) * 8 and padded * 10 >= len(lines) * 8:
        raise UnsupportedFormatError(msg("refusal.fixed-width"), file=file)


def _records(text: str, sep: str, *, first_line: int, file: str) -> list[_Record]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', strict=False)
    records: list[_Record] = []
    previous = 0
    try:
        for fields in reader:
            records.append(_Record(first_line + previous, first_line + reader.line_num - 1, fields))
            previous = reader.line_num
    except csv.Error as error:
        raise MalformedFileError(
            msg("refusal.not-csv", error=str(error)), file=file, row=first_line + previous
        ) from None
    return records


def _skip_lines(data: bytes, start: int, lines: int) -> int:
    """The offset after ``lines`` line breaks from ``start``."""
    position = start
    for _ in range(lines):
        found = data.find(b"\n", position)
        if found == -1:
            return len(data)
        position = found + 1
    return position


def _schema(width: int) -> dict[str, pl.DataType]:
    import polars as pl

    return {internal_name(index): pl.String() for index in range(width)}


@attrs.frozen
class _Body:
    """The data rows: ``data`` from ``offset`` on, which is after ``skip`` line breaks.

    Kept as a view on the whole buffer, so that a large file is never copied: polars skips
    the lines itself, and the byte checks start at the offset.
    """

    data: bytes
    offset: int
    skip: int

    def __len__(self) -> int:
        return len(self.data) - self.offset

    def has(self, needle: bytes) -> bool:
        return self.data.find(needle, self.offset) != -1

    def count(self, needle: bytes) -> int:
        return self.data.count(needle, self.offset)

    def ends_with_line_break(self) -> bool:
        return self.data.endswith(b"\n")

    def read(self, **options: Any) -> pl.DataFrame:
        import polars as pl

        return pl.read_csv(
            self.data,
            has_header=False,
            skip_lines=self.skip,
            empty_string_is_null=False,
            raise_if_empty=False,
            eol_char="\n",
            **options,
        )


def _fast(
    data: bytes,
    offset: int,
    sep: str,
    width: int,
    first_line: int,
    *,
    skip: int,
    verified: bool,
    quoted: bool,
    before_parse: Callable[[], None] = lambda: None,
) -> Grid | None:
    """Parse the data rows with polars; ``None`` when the exact path must do it.

    ``quoted``: whether the data rows (``data`` from ``offset`` on) hold a quote.
    ``before_parse``: called just before polars parses (and releases the GIL).
    """
    import polars as pl

    names = [internal_name(index) for index in range(width)]
    body = _Body(data, offset, skip)
    if not len(body):
        frame = pl.DataFrame(schema=_schema(width)).with_columns(
            pl.lit(None, dtype=pl.Int64).alias(ROW_KEY)
        )
        return Grid(frame=frame, header=[""] * width, header_row=0)
    if len(sep.encode("utf-8")) != 1:
        return None
    before_parse()
    try:
        frame = body.read(
            separator=sep, quote_char='"', schema=_schema(width), truncate_ragged_lines=False
        )
    except Exception as error:  # polars refuses: the exact path decides what is wrong
        if not verified and "utf-8" in str(error).lower():
            position = locate_invalid_utf8(data, offset)
            if position is not None:
                raise NotUtf8(position) from None
        return None
    count = frame.height
    starts = pl.int_range(first_line, first_line + count, dtype=pl.Int64)
    if quoted:
        # Polars ends a quote that never closes quietly and reads text after a closing quote
        # its own way: unless every line is a whole, well-formed record, the exact path reads
        # the file (and reports malformed quoting, and counts lines inside quoted cells).
        lines = _lines(body)
        if lines is None or lines.len() != count:
            return None
        if not lines.str.contains(_record_pattern(sep, whole_line=True)).all():
            return None
    field_counts = _field_counts(frame, body, sep, names, quoted=quoted)
    if field_counts is False:
        return None
    frame = frame.with_columns(starts.alias(ROW_KEY))
    return Grid(
        frame=frame,
        header=[""] * width,
        header_row=0,
        field_counts=field_counts if isinstance(field_counts, pl.Series) else None,
    )


def _field_counts(
    frame: pl.DataFrame, body: _Body, sep: str, names: list[str], *, quoted: bool
) -> pl.Series | bool | None:
    """Each row's number of fields, ``None`` when all are complete, ``False`` if unknowable.

    Without quotes the bytes add up: every byte of the data rows is in a cell, or is a
    delimiter, a line feed or the carriage return before one (lone ones were made line feeds
    already). polars gives the cells' bytes cheaply, so when the sum balances with every row
    complete, no row can be short: none can have more delimiters (polars refuses those rows),
    nor more carriage returns than line feeds.
    """
    import polars as pl

    count = frame.height
    if count == 0 or frame.get_column(names[-1]).str.len_bytes().min() != 0:
        return None  # the last column is filled on every row: no row is short
    full = (len(names) - 1) * count
    if quoted:
        outside = body.count(sep.encode("utf-8")) - int(
            frame.select(
                pl.sum_horizontal(pl.col(names).str.count_matches(sep, literal=True).sum())
            ).item()
        )
        return None if outside == full else False
    line_feeds = count - (0 if body.ends_with_line_break() else 1)
    cells = int(frame.select(pl.sum_horizontal(pl.col(names).str.len_bytes().sum())).item())
    rest = len(body) - cells - line_feeds
    if rest in (full, full + line_feeds) and (rest == full) == (not body.has(b"\r")):
        return None
    lines = _lines(body)
    if lines is None or lines.len() != count:
        return False
    counts: pl.Series = (lines.str.count_matches(sep, literal=True) + 1).cast(pl.Int64)
    return counts


def _lines(body: _Body) -> pl.Series | None:
    """The physical lines of the body (``None`` when a unit separator makes that impossible)."""
    import polars as pl

    if body.has(b"\x1f"):
        return None
    try:
        frame = body.read(separator="\x1f", quote_char=None, schema={"line": pl.String()})
    except Exception:  # the exact path will cope
        return None
    return frame.get_column("line")


def _record_pattern(sep: str, *, whole_line: bool) -> str:
    """A well-formed CSV record (RFC 4180 quoting) as a regex, for polars or for :mod:`re`."""
    if whole_line:
        d = "".join(f"\\x{{{ord(char):X}}}" for char in sep)
    else:
        d = "".join(f"\\u{ord(char):04X}" for char in sep)
    field = rf'(?:"(?:[^"]|"")*"|[^"{d}\r\n]*)'
    if whole_line:
        return rf"^{field}(?:{d}{field})*\r?$"
    return rf"{field}(?:{d}{field})*(?:\r?\n)?"


class _Lines:
    """Feeds text to :func:`csv.reader` line by line, remembering how much it consumed."""

    def __init__(self, text: str) -> None:
        self._lines = io.StringIO(text, newline="")
        self.consumed = 0

    def __iter__(self) -> Iterator[str]:
        for line in self._lines:
            self.consumed += len(line)
            yield line


def _slow(
    data: bytes,
    offset: int,
    *,
    sep: str,
    width: int,
    first_line: int,
    verified: bool,
    collector: Collector,
) -> Grid:
    """Parse the data rows with the standard library, record by record."""
    import polars as pl

    try:
        text = data[offset:].decode("utf-8")
    except UnicodeDecodeError as error:
        if verified:
            raise
        raise NotUtf8(offset + error.start) from None
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=sep, quotechar='"', strict=False)
    rows: list[list[str]] = []
    starts: list[int] = []
    last_start = 0
    previous = 0
    check = re.compile(_record_pattern(sep, whole_line=False)) if '"' in text else None
    malformed: list[int] = []
    with _fields_up_to(len(text) + 1):
        while True:
            before = lines.consumed
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                raise MalformedFileError(
                    msg("refusal.not-csv", error=str(error)),
                    file=collector.file,
                    row=first_line + previous,
                ) from None
            last_start = before
            starts.append(first_line + previous)
            previous = reader.line_num
            rows.append(fields)
            if check is not None:
                raw = text[before : lines.consumed]
                if '"' in raw and not check.fullmatch(raw):
                    malformed.append(starts[-1])
        last = starts[-1] if rows and _ends_inside_quotes(text[last_start:], sep) else None
    _report_quotes(malformed, last, collector)
    total = max([width, *(len(fields) for fields in rows)])
    columns = {
        internal_name(index): [fields[index] if index < len(fields) else "" for fields in rows]
        for index in range(total)
    }
    frame = pl.DataFrame(columns, schema=_schema(total)).with_columns(
        pl.Series(ROW_KEY, starts, dtype=pl.Int64)
    )
    counts = pl.Series("fields", [len(fields) for fields in rows], dtype=pl.Int64)
    ends = [*starts[1:], first_line + previous] if starts else []
    multiline = any(after - before > 1 for before, after in zip(starts, ends, strict=True))
    return Grid(
        frame=frame, header=[""] * total, header_row=0, field_counts=counts, multiline=multiline
    )


_FIELD_LIMIT_LOCK = threading.Lock()
_field_limits: list[int] = []  # what the reads running now need
_field_limit_before: list[int] = []  # the process's limit before the first of them


@contextlib.contextmanager
def _fields_up_to(size: int) -> Iterator[None]:
    """Let :mod:`csv` read fields of ``size`` characters, and restore its limit afterwards.

    The limit is process-wide: reads on several threads share one raised limit (the largest
    that any of them needs), and the last one to finish puts back the caller's own.
    """
    with _FIELD_LIMIT_LOCK:
        if not _field_limits:
            _field_limit_before[:] = [csv.field_size_limit()]
        _field_limits.append(size)
        csv.field_size_limit(max([_field_limit_before[0], *_field_limits]))
    try:
        yield
    finally:
        with _FIELD_LIMIT_LOCK:
            _field_limits.remove(size)
            csv.field_size_limit(max([_field_limit_before[0], *_field_limits]))


def _report_quotes(malformed: list[int], unclosed: int | None, collector: Collector) -> None:
    message = msg("malformed-quotes")
    for row in malformed:
        if row == unclosed:
            continue
        collector.add("malformed-quotes", message, row=row)
    if unclosed is not None:
        collector.add(
            "unclosed-quote",
            msg("unclosed-quote.end-of-file"),
            severity="error",
            row=unclosed,
        )


def _ends_inside_quotes(text: str, sep: str) -> bool:
    if '"' not in text:
        return False
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', strict=True)
    try:
        for _ in reader:
            pass
    except csv.Error as error:
        return "unexpected end of data" in str(error)
    return False
