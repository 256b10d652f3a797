"""What a workbook claims before calamine allocates it: the XLS and ODS size guards.

calamine parses every sheet of an XLS or ODS workbook when it opens it, and sizes its buffers
from what the file *says*: a DIMENSIONS record, the cells' own row and column, the sector
numbers and stream lengths of the OLE2 container, a repeat count. A forged value makes it ask
for hundreds of GiB, and when the allocation fails the Rust allocator aborts the whole
process; no exception ever reaches Python. So these functions follow the file the way calamine
will and refuse, before it runs, whatever would make it allocate beyond the budget:

* XLS: the OLE2 (CFB) container is walked with every sector number checked against the file
  and every chain bounded (a cycle would make calamine loop, growing a buffer), then the BIFF
  records of the ``Workbook`` stream: DIMENSIONS (``0x0200``), ROW (``0x0208``), the cell
  records' own row and column, and the shared-string count.
* ODS: ``content.xml``'s ``number-rows-repeated``, ``number-columns-repeated``, the spans and
  ``text:c`` (repeated spaces), summed with the cells that hold content, the way calamine
  expands them.

The XLS walk skips runs of the commonest cell records with a regex; only a sheet whose other
records could bring it over the budget is walked record by record.

olefile is not a dependency, and the container reader must mirror calamine's own reading
(which sectors it visits, which lengths it reserves) rather than read the file correctly, so
it is written here, small and bounded.
"""

from __future__ import annotations

import html
import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from io import BytesIO
from typing import TYPE_CHECKING

from edukoppel._i18n import msg
from edukoppel.exceptions import FileTooLargeError, MalformedFileError
from edukoppel.readers.table._detect import ZIP_FAILURES

if TYPE_CHECKING:
    import polars as pl

__all__ = ["check_ods", "check_xls", "part_chunks"]

_SAVE_AS = msg("advice.resave-xlsx")
_OPEN_FAILURES: tuple[type[BaseException], ...] = (KeyError, *ZIP_FAILURES)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END_OF_CHAIN = 0xFFFF_FFFE
_RESERVED = 0xFFFF_FFFA
_DIFAT_SECTOR = 0xFFFF_FFFC
_MINI_CUTOFF = 4096
_MINI_SECTOR = 64
_U32 = struct.Struct("<I")
_RECORD = struct.Struct("<HH")
_CELL = struct.Struct("<HHHH")


class _Fails(Exception):
    """calamine stops here by itself (an error or a caught panic) before allocating more."""


class _Damaged(Exception):
    """The container points where calamine would allocate without bound."""


def _u32s(chunk: bytes | memoryview) -> list[int]:
    usable = len(chunk) - len(chunk) % 4
    return list(struct.unpack_from(f"<{usable // 4}I", chunk)) if usable else []


class _Container:
    """The OLE2 container as calamine reads it, every sector number and length bounded."""

    def __init__(self, data: bytes, limit: int) -> None:
        self.limit = limit
        if len(data) < 512 or not data.startswith(_OLE_MAGIC):
            raise _Fails
        version = struct.unpack_from("<H", data, 26)[0]
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        sizes = {0x0009: 512, 0x000C: 4096}
        if shift not in sizes or mini_shift != 6 or len(data) < sizes[shift]:
            raise _Fails
        self.size = size = sizes[shift]
        dir_len, fat_len, dir_start = struct.unpack_from("<III", data, 40)
        mini_fat_start, mini_fat_len, difat_start = struct.unpack_from("<III", data, 60)
        # calamine reserves a DIFAT buffer from bytes 62..66 and a FAT one from fat_len.
        self._claim(4 * _U32.unpack_from(data, 62)[0])
        self._claim(4 * fat_len)
        self.body = memoryview(data)[size:]
        self.count = -(-len(self.body) // size)
        difat = _u32s(data[76:512])
        sector_id, steps = difat_start, 0
        while sector_id < _RESERVED:
            steps = self._step(steps)
            difat.extend(_u32s(self._sector(sector_id)))
            if not difat:
                raise _Fails
            sector_id = difat.pop()
        self.fats: list[int] = []
        for sector_id in difat:
            if sector_id < _DIFAT_SECTOR:
                self.fats.extend(_u32s(self._sector(sector_id)))
        entries = self._chain(dir_start, self.fats, dir_len * size, self._sector)
        need = 124 if size == 512 else 128
        self.directory: list[tuple[str, int, int]] = []
        for offset in range(0, len(entries), 128):
            entry = entries[offset : offset + 128]
            if len(entry) < need:
                raise _Fails
            name = entry[:64].decode("utf-16-le", errors="replace").split("\x00")[0]
            start = _U32.unpack_from(entry, 116)[0]
            length = (
                _U32.unpack_from(entry, 120)[0]
                if size == 512
                else struct.unpack_from("<Q", entry, 120)[0]
            )
            self.directory.append((name, start, length))
        if not self.directory or (version != 3 and self.directory[0][1] == _END_OF_CHAIN):
            raise _Fails
        self.mini_stream = b""
        self.mini_fats: list[int] = []
        if mini_fat_len > 0:
            _, root_start, root_length = self.directory[0]
            self.mini_stream = self._chain(root_start, self.fats, root_length, self._sector)
            self.mini_fats = _u32s(
                self._chain(mini_fat_start, self.fats, mini_fat_len * size, self._sector)
            )

    def _claim(self, size: int) -> None:
        if size > self.limit:
            raise _Damaged

    def _step(self, steps: int) -> int:
        if steps > self.count + 1:  # a cycle: calamine would follow it for ever
            raise _Damaged
        return steps + 1

    def _sector(self, sector_id: int) -> memoryview:
        if sector_id >= self.count:  # calamine would grow its buffer to reach it
            raise _Damaged
        return self.body[sector_id * self.size : (sector_id + 1) * self.size]

    def _mini_sector(self, sector_id: int) -> memoryview:
        end = (sector_id + 1) * _MINI_SECTOR
        if end > len(self.mini_stream):
            raise _Damaged
        return memoryview(self.mini_stream)[end - _MINI_SECTOR : end]

    def _chain(
        self,
        sector_id: int,
        table: list[int],
        length: int,
        sector: Callable[[int], memoryview],
    ) -> bytes:
        self._claim(length)
        parts: list[memoryview] = []
        steps = 0
        while sector_id != _END_OF_CHAIN:
            steps = self._step(steps)
            parts.append(sector(sector_id))
            if sector_id >= len(table):
                raise _Fails  # calamine indexes past its table: a caught panic
            sector_id = table[sector_id]
        chain = b"".join(parts)
        return chain[:length] if length > 0 else chain

    def stream(self, *names: str) -> bytes:
        """The first of ``names`` that the directory holds, read as calamine reads it."""
        for wanted in names:
            for name, start, length in self.directory:
                if name == wanted:
                    if length < _MINI_CUTOFF:
                        return self._chain(start, self.mini_fats, length, self._mini_sector)
                    return self._chain(start, self.fats, length, self._sector)
        raise _Fails


# -- XLS: the BIFF records ---------------------------------------------------------------

_BOF, _EOF, _BOUNDSHEET, _SST, _CODEPAGE = 0x0809, 0x000A, 0x0085, 0x00FC, 0x0042
_DIMENSIONS, _ROW, _FORMULA, _STRING, _MULRK = 0x0200, 0x0208, 0x0006, 0x0207, 0x00BD
# Cells with their row and column first: NUMBER, LABEL, BOOLERR, RK, LABELSST, FORMULA.
_CELLS = frozenset({0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, _FORMULA})
# Runs of the commonest records, each well-formed and within column IV (the high byte of its
# column is zero): NUMBER, RK, LABELSST, BOOLERR and ROW. A sheet walk skips them at the
# speed of the regex engine; rows are 16-bit, so what it skips stays within 65,536 x 256.
_SAFE_RUN = re.compile(
    rb"(?:\x03\x02\x0e\x00...\x00.{10}|\x7e\x02\x0a\x00...\x00.{6}|\xfd\x00\x0a\x00...\x00.{6}"
    rb"|\x05\x02\x08\x00...\x00.{4}|\x08\x02\x10\x00.{16})*",
    re.DOTALL,
)
_SKIPPED_ROWS, _SKIPPED_COLUMNS = 65_536, 256


def _dimensions(body: bytes) -> tuple[int, int, int, int] | None:
    """A DIMENSIONS record as calamine reads it: first row, first column, last row, column."""
    if len(body) == 10:
        first_row, last_row, first_column, last_column = struct.unpack_from("<HHHH", body)
    elif len(body) == 14:
        first_row, last_row, first_column, last_column = struct.unpack_from("<IIHH", body)
    else:
        return None
    if last_row >= 1 and last_column >= 1:
        return first_row, first_column, last_row - 1, last_column - 1
    return first_row, first_column, first_row, first_column


def _reserved(dimensions: tuple[int, int, int, int]) -> tuple[int, int]:
    """The rows and columns calamine reserves for a DIMENSIONS record.

    Its 32-bit subtraction wraps when a first row or column lies past the last one; the
    bundled calamine was seen reserving up to the last column itself then, so the larger of
    the two is taken.
    """
    first_row, first_column, last_row, last_column = dimensions
    rows = max((last_row - first_row + 1) % 2**32, last_row + 1)
    columns = max((last_column - first_column + 1) % 2**32, last_column + 1)
    return rows, columns


def _records(stream: bytes, start: int) -> Iterator[tuple[int, int, int]]:
    """(type, body offset, body length) from ``start`` until EOF, as calamine walks them."""
    position, end = start, len(stream)
    while position < end:
        if end - position < 4:
            raise _Fails
        kind, length = _RECORD.unpack_from(stream, position)
        if end - position - 4 < length:
            raise _Fails
        yield kind, position + 4, length
        if kind == _EOF:
            return
        position += 4 + length


def _sheet_name(body: bytes, biff8: bool, codepage: str) -> str:
    if len(body) < 8:
        return ""
    count, rest = body[6], body[7:]
    if biff8:
        wide, rest = rest[0] & 1, rest[1:]
        raw = rest[: 2 * count] if wide else rest[:count]
        text = raw.decode("utf-16-le" if wide else "latin-1", errors="replace")
    else:
        text = rest[:count].decode(codepage, errors="replace")
    return text.replace("\x00", "")


def _globals(stream: bytes) -> list[tuple[int, str]]:
    """The sheets' stream offsets and names; refuses an impossible shared-string count."""
    biff8, codepage = True, "cp1252"
    sheets: list[tuple[int, str]] = []
    for kind, offset, length in _records(stream, 0):
        body = stream[offset : offset + length]
        if kind == _BOF and length >= 2:
            version = struct.unpack_from("<H", body)[0]
            sub = struct.unpack_from("<H", body, 2)[0] if length >= 4 else 0
            older = version in (0x0200, 2, 7, 0x0300, 0x0400, 0x0500)
            biff8 = not older and not (version == 0 and sub == 0x1000)
        elif kind == _CODEPAGE and length >= 2:
            page = struct.unpack_from("<H", body)[0]
            codepage = f"cp{page}" if _known_codec(f"cp{page}") else "cp1252"
        elif kind == _BOUNDSHEET and length >= 4:
            sheets.append((_U32.unpack_from(body)[0], _sheet_name(body, biff8, codepage)))
        elif kind == _SST and length >= 8:
            unique = struct.unpack_from("<i", body, 4)[0]
            # calamine reserves a string for each before reading them; each takes 3 bytes.
            if unique * 3 > len(stream):
                raise _Damaged
    return sheets


def _known_codec(name: str) -> bool:
    import codecs

    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _sheet_extent(  # noqa: PLR0915 - one walk, one branch per record type
    stream: bytes, start: int, max_cells: int, *, skip: bool = True
) -> tuple[int, int] | None:
    """The rows and columns one sheet makes calamine allocate, when over ``max_cells``.

    With ``skip``, runs of safe records are passed over unread; only if what they may cover
    could bring the sheet over ``max_cells`` is it walked again record by record.
    """
    low_row = low_column = 1 << 32
    high_row = high_column = -1
    formula_at = (0, 0)
    formatted = (1 << 32, -1)  # the rows that ROW records describe
    skipped = False

    def cover(row: int, first: int, last: int) -> None:
        nonlocal low_row, low_column, high_row, high_column
        low_row, high_row = min(low_row, row), max(high_row, row)
        low_column, high_column = min(low_column, first), max(high_column, last)

    position, end = start, len(stream)
    while position < end:
        if skip:
            run = _SAFE_RUN.match(stream, position)
            if run is not None and run.end() > position:
                skipped, position = True, run.end()
                continue
        if end - position < 4:
            raise _Fails
        kind, length = _RECORD.unpack_from(stream, position)
        offset = position + 4
        if end - offset < length:
            raise _Fails
        position = offset + length
        if kind == _EOF:
            break
        if kind in _CELLS:
            if length >= 4:
                row, column = struct.unpack_from("<HH", stream, offset)
                cover(row, column, column)
                if kind == _FORMULA:
                    formula_at = (row, column)
        elif kind == _STRING:
            cover(formula_at[0], formula_at[1], formula_at[1])
        elif kind == _MULRK and length >= 6:
            row, first = struct.unpack_from("<HH", stream, offset)
            last = struct.unpack_from("<H", stream, offset + length - 2)[0]
            cover(row, first, max(first, last))
        elif kind == _ROW and length >= 2:
            row = struct.unpack_from("<H", stream, offset)[0]
            formatted = (min(formatted[0], row), max(formatted[1], row))
        elif kind == _DIMENSIONS:
            dimensions = _dimensions(stream[offset : offset + length])
            if dimensions is not None:
                rows, columns = _reserved(dimensions)
                if rows * columns > max_cells:
                    return min(dimensions[2] + 1, 2**32), dimensions[3] + 1
    if skipped:
        if _SKIPPED_ROWS * max(high_column + 1, _SKIPPED_COLUMNS) <= max_cells:
            return None
        return _sheet_extent(stream, start, max_cells, skip=False)
    if high_row < 0:
        return None
    low_row, high_row = min(low_row, formatted[0]), max(high_row, formatted[1])
    rows, columns = high_row - low_row + 1, high_column - low_column + 1
    return (high_row + 1, high_column + 1) if rows * columns > max_cells else None


def check_xls(data: bytes, *, max_cells: int, max_bytes: int, file: str) -> None:
    """Refuse an XLS workbook that would make calamine allocate beyond the budget.

    Raises:
        FileTooLargeError: A sheet claims more than ``max_cells`` cells.
        MalformedFileError: The container points outside the file or loops.

    Examples:
        >>> check_xls(b"not a workbook", max_cells=100, max_bytes=1000, file="x.xls")
    """
    try:
        stream = _Container(data, 4 * max_bytes).stream("Workbook", "Book")
        sheets = _globals(stream)
        for start, name in sheets:
            if start >= len(stream):
                return  # calamine's slice panics: a damaged workbook
            extent = _sheet_extent(stream, start, max_cells)
            if extent is not None:
                raise FileTooLargeError(
                    msg("refusal.sheet-too-large", rows=extent[0], columns=extent[1]),
                    file=file,
                    sheet=name,
                )
    except _Fails:
        return
    except _Damaged:
        raise MalformedFileError(
            msg("refusal.damaged-container", advice=_SAVE_AS), file=file
        ) from None


# -- ODS: repeats and spans in content.xml -----------------------------------------------

_ODS_TAG = (
    r"<table:(table|table-row|table-cell|covered-table-cell)(?:[\s/][^>]*)?>"
    r"|<text:s\s[^>]*>"
)
_COUNT_CAP = 1 << 40  # beyond any budget; keeps the sums far from overflowing
_CONTENT_ATTRIBUTES = (
    "office:value",
    "office:string-value",
    "office:date-value",
    "office:time-value",
    "office:boolean-value",
    "office:value-type",
    "table:formula",
)


def _attribute(name: str) -> str:
    """A regex for one attribute's value, in either quotes."""
    return rf"""\s{re.escape(name)}\s*=\s*(?:"([^"]*)"|'([^']*)')"""


def _count(value: str | None) -> int:
    """An attribute's count as calamine parses it (a bad one: calamine stops, so 1)."""
    if value is None:
        return 1
    text = html.unescape(value) if "&" in value else value
    try:
        return min(max(int(text), 0), _COUNT_CAP)
    except ValueError:
        return 1


def _ods_extent(xml: str, max_cells: int) -> tuple[str, int, int, int] | None:
    """The first table over ``max_cells`` as (name, rows, columns, longest spaces run)."""
    import polars as pl

    tags = pl.Series([xml], dtype=pl.String).str.extract_all(_ODS_TAG).explode().drop_nulls()
    if tags.is_empty():
        return None

    def count(name: str) -> pl.Expr:
        pattern = _attribute(name)
        value = pl.coalesce(
            pl.col("tag").str.extract(pattern, 1), pl.col("tag").str.extract(pattern, 2)
        )
        return (
            pl.when(value.is_null())
            .then(1)
            .when(value.str.contains(r"^[0-9]{1,18}$"))
            .then(value.cast(pl.Int64, strict=False).clip(0, _COUNT_CAP))
            .otherwise(value.map_elements(_count, return_dtype=pl.Int64))
        )

    kind = pl.col("tag").str.extract(r"^<table:([a-z-]+)", 1)
    content = pl.any_horizontal(
        pl.col("tag").str.contains(rf"\s{re.escape(name)}\s*=") for name in _CONTENT_ATTRIBUTES
    )
    frame = (
        pl.DataFrame({"tag": tags})
        .with_columns(kind.alias("kind"), pl.col("tag").str.starts_with("<text:s").alias("spaces"))
        .with_columns(
            (pl.col("kind") == "table").cum_sum().alias("table"),
            (pl.col("kind") == "table-row").cum_sum().alias("row"),
            pl.when(pl.col("spaces")).then(count("text:c")).otherwise(0).alias("space_run"),
            pl.when(pl.col("kind") == "table-row")
            .then(count("table:number-rows-repeated"))
            .otherwise(0)
            .alias("rows_repeated"),
            pl.when(pl.col("kind").is_in(["table-cell", "covered-table-cell"]))
            .then(count("table:number-columns-repeated"))
            .otherwise(0)
            .alias("columns_repeated"),
            count("table:number-rows-spanned").alias("rows_spanned"),
            count("table:number-columns-spanned").alias("columns_spanned"),
            (content & pl.col("kind").is_in(["table-cell", "covered-table-cell"])).alias("content"),
        )
    )
    longest = int(frame["space_run"].max() or 0)  # type: ignore[arg-type]
    cells = frame.filter(pl.col("kind").is_in(["table-cell", "covered-table-cell"])).with_columns(
        (pl.col("columns_repeated").cum_sum().over("row") - pl.col("columns_repeated")).alias(
            "column"
        )
    )
    per_row = cells.group_by("row").agg(
        pl.when(pl.col("content"))
        .then(pl.col("column") + pl.col("columns_repeated"))
        .otherwise(0)
        .max()
        .alias("width"),
        (pl.col("column") + pl.col("columns_spanned"))
        .filter(pl.col("columns_spanned") > 1)
        .max()
        .alias("span_width"),
        pl.col("rows_spanned").filter(pl.col("rows_spanned") > 1).max().alias("span_rows"),
        pl.col("content").any().alias("has_content"),
    )
    rows = (
        frame.filter(pl.col("kind") == "table-row")
        .select("table", "row", "rows_repeated")
        .with_columns(
            (pl.col("rows_repeated").cum_sum().over("table") - pl.col("rows_repeated")).alias(
                "first"
            )
        )
        .join(per_row, on="row", how="left")
        .with_columns(
            pl.when(pl.col("has_content"))
            .then(pl.col("first") + pl.col("rows_repeated"))
            .otherwise(0)
            .alias("reach"),
            (pl.col("first") + pl.col("span_rows").fill_null(0)).alias("span_reach"),
            pl.max_horizontal(
                pl.col("width").fill_null(0), pl.col("span_width").fill_null(0)
            ).alias("wide"),
        )
    )
    tables = rows.group_by("table", maintain_order=True).agg(
        pl.max_horizontal(pl.col("reach").max(), pl.col("span_reach").max()).alias("rows"),
        pl.col("wide").max().alias("columns"),
    )
    names = frame.filter(pl.col("kind") == "table").select(
        "table",
        pl.coalesce(
            pl.col("tag").str.extract(_attribute("table:name"), 1),
            pl.col("tag").str.extract(_attribute("table:name"), 2),
        ).alias("name"),
    )
    over = (
        tables.join(names, on="table", how="left")
        .filter(pl.col("rows").cast(pl.Float64) * pl.col("columns") > max_cells)
        .head(1)
        .rows()
    )
    if over:
        _, rows_claimed, columns_claimed, name = over[0]
        return html.unescape(name or ""), int(rows_claimed), int(columns_claimed), longest
    if longest > max_cells:
        return "", 0, 0, longest
    return None


def part_chunks(
    archive: zipfile.ZipFile, path: str, *, cut_before: bytes, size: int = 1 << 20
) -> Iterator[str]:
    """A zip part's text a chunk at a time, each cut before ``cut_before`` (or else a tag).

    So no element that starts with ``cut_before``, and no tag, is split between two chunks.
    The text is decoded as Latin-1 (every byte one character), which the ASCII patterns
    searched in it cannot tell from UTF-8.
    """
    tail = b""
    with archive.open(path) as handle:
        while block := handle.read(size):
            block = tail + block
            cut = block.rfind(cut_before)
            if cut <= 0:
                cut = block.rfind(b"<")
            if cut <= 0:
                cut = len(block)
            tail = block[cut:]
            yield block[:cut].decode("latin-1")
    if tail:
        yield tail.decode("latin-1")


_ODS_ROW = "<table:table-row"
_ODS_CHUNK = 1 << 20
_ODS_BATCH = 16  # chunks of content.xml searched at once: polars runs them in parallel
# The counts the quick bound does not read: other quotes, a reference, a span.
_ODS_ODD_COUNTS = (
    r"""repeated\s*=\s*(?:'|"[^"]*[^"0-9])""",
    r"""text:c\s*=\s*(?:'|"[^"]*[^"0-9])""",
    r"""spanned\s*=\s*(?:'|"[^"]*[^"0-9])""",
)
_LONGEST_PLAIN_COUNT = 18  # digits: any longer is beyond every budget (and an Int64)
_ODS_ROWS_REPEATED = re.compile(r'number-rows-repeated="([0-9]+)"')
_ODS_ROWS_SPANNED = re.compile(r'number-rows-spanned="([0-9]+)"')
_ODS_COLUMNS_SPANNED = re.compile(r'number-columns-spanned="([0-9]+)"')
_ODS_COLUMNS_REPEATED = re.compile(r'number-columns-repeated="([0-9]+)"')


def _quick_ods(chunks: Iterator[str], max_cells: int) -> bool:
    """Whether ``content.xml`` surely claims no more than ``max_cells`` cells per table.

    ``chunks`` is its text cut before rows (:func:`part_chunks`). An upper bound, row by row:
    the rows up to the last one with content or a span (their repeats counted) and the
    longest span, times the widest of those rows (all its cells and their repeats, empty ones
    at the end too) and the widest span. Plain counts only: a count in other quotes or with a
    reference is left to :func:`_ods_extent`.
    """
    import polars as pl

    rows: list[pl.DataFrame] = []
    batch: list[str] = []
    for chunk in chunks:
        batch.append(chunk)
        if len(batch) == _ODS_BATCH:
            if (found := _ods_rows(batch, max_cells)) is None:
                return False
            rows.append(found)
            batch = []
    if batch:
        if (found := _ods_rows(batch, max_cells)) is None:
            return False
        rows.append(found)
    frame = pl.concat(rows)
    reaching = frame.with_row_index().filter(pl.col("content") | (pl.col("span") > 0))["index"]
    if reaching.is_empty():
        return True
    last = int(reaching.max())  # type: ignore[arg-type]
    height = int(frame["height"].head(last + 1).sum()) + int(frame["span_rows"].max())  # type: ignore[arg-type]
    width = int(frame["width"].head(last + 1).max() or 0) + int(frame["span"].max())  # type: ignore[arg-type]
    return height * width <= max_cells


def _ods_rows(batch: list[str], max_cells: int) -> pl.DataFrame | None:
    """Each row's width, height and whether it has content; ``None``: count it exactly."""
    import polars as pl

    texts = pl.Series(batch, dtype=pl.String)
    if any(bool(texts.str.contains(odd).any()) for odd in _ODS_ODD_COUNTS):
        return None
    spaces = (
        texts.str.extract_all(r'text:c="[0-9]+"').explode().drop_nulls().str.extract("([0-9]+)", 1)
    )
    if spaces.len() and (
        bool((spaces.str.len_bytes() > _LONGEST_PLAIN_COUNT).any())
        or int(spaces.cast(pl.Int64).max()) > max_cells  # type: ignore[arg-type]
    ):
        return None
    pieces = texts.str.split(_ODS_ROW).explode()
    pieces = pieces.filter(pieces != "")  # the cuts before a row leave empty pieces
    frame = pl.DataFrame({"row": pieces}).select(
        pl.col("row"),
        width=(
            pl.col("row").str.count_matches("<table:table-cell", literal=True)
            + pl.col("row").str.count_matches("<table:covered-table-cell", literal=True)
        ).cast(pl.Int64),
        height=pl.lit(1, dtype=pl.Int64),
        content=pl.col("row").str.contains(" office:", literal=True)
        | pl.col("row").str.contains(" table:formula", literal=True),
        repeats=pl.col("row").str.contains("-repeated", literal=True),
        spans=pl.col("row").str.contains("-spanned", literal=True),
        span=pl.lit(0, dtype=pl.Int64),
        span_rows=pl.lit(0, dtype=pl.Int64),
    )
    spanned = frame.filter(pl.col("spans"))
    if spanned.height:
        longest = pl.Series(
            [
                (
                    min(max(map(int, _ODS_COLUMNS_SPANNED.findall(row)), default=0), _COUNT_CAP),
                    min(max(map(int, _ODS_ROWS_SPANNED.findall(row)), default=0), _COUNT_CAP),
                )
                for row in spanned["row"]
            ],
            dtype=pl.List(pl.Int64),
        )
        index = frame.with_row_index().filter(pl.col("spans"))["index"]
        frame = frame.with_columns(
            span=frame["span"].scatter(index, longest.list.get(0)),
            span_rows=frame["span_rows"].scatter(index, longest.list.get(1)),
        )
    repeated = frame.filter(pl.col("repeats"))
    if repeated.height:
        extra = pl.Series(
            [
                (
                    min(sum(int(n) - 1 for n in _ODS_COLUMNS_REPEATED.findall(row)), _COUNT_CAP),
                    min(int(head.group(1)), _COUNT_CAP)
                    if (head := _ODS_ROWS_REPEATED.search(row[:300]))
                    else 1,
                )
                for row in repeated["row"]
            ],
            dtype=pl.List(pl.Int64),
        )
        index = frame.with_row_index().filter(pl.col("repeats"))["index"]
        widths, heights = frame["width"], frame["height"]
        frame = frame.with_columns(
            width=widths.scatter(index, widths.gather(index) + extra.list.get(0)),
            height=heights.scatter(index, extra.list.get(1)),
        )
    return frame.select("width", "height", "content", "span", "span_rows")


def check_ods(data: bytes, *, max_cells: int, file: str) -> None:
    """Refuse an ODS workbook whose repeats or spans claim more than ``max_cells`` cells.

    Raises:
        FileTooLargeError: A table claims more than ``max_cells`` cells, or a cell a run of
            spaces as long.

    Examples:
        >>> check_ods(b"not a workbook", max_cells=100, file="x.ods")
    """
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            chunks = part_chunks(
                archive, "content.xml", cut_before=b"<table:table-row", size=_ODS_CHUNK
            )
            if _quick_ods(chunks, max_cells):
                return
            content = archive.read("content.xml")  # counted exactly, all at once
    except _OPEN_FAILURES:
        return  # calamine refuses it by itself
    found = _ods_extent(content.decode("latin-1"), max_cells)
    if found is None:
        return
    name, rows, columns, longest = found
    if rows:
        raise FileTooLargeError(
            msg("refusal.sheet-too-large", rows=rows, columns=columns), file=file, sheet=name
        )
    raise FileTooLargeError(msg("refusal.cell-too-large", length=longest), file=file)
