"""XLSX and XLSM sheets through fastexcel: calamine's cells straight into Arrow.

python-calamine hands every cell to Python as an object, and turning 1.5 million of them into
strings costs more than parsing the sheet. fastexcel gives the same cells (calamine parses
them) as Arrow strings without a Python object per cell. What those strings cannot show, the
sheet's XML tells, read on a thread while fastexcel parses (fastexcel releases the
interpreter's lock):

- which cells were stored as numbers (the column matcher judges lost leading zeros by them),
  and which of them are large integral numbers that Excel may have rounded;
- which columns hold booleans (fastexcel writes ``true``, a person reads ``TRUE``);
- whether there are formulas, error cells or merged cells, which the shared scans then read.

Dates come as ``2010-05-03 00:00:00`` and are turned into ISO dates and date-times in the
cells that hold numbers (a date is a number with a date format). The result is the
:class:`Grid` the python-calamine path builds, cell for cell; a test reads the same workbooks
both ways. When the XML is not laid out the way this reader counts it (cells without a
reference, a namespace prefix, dates stored as text, a duration format), or fastexcel fails,
:func:`load_sheet_frame` or :func:`wait_for_types` returns ``None`` and the python-calamine
path reads the sheet.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from edukoppel.readers.table._bounds import part_chunks
from edukoppel.readers.table._finish import column_letter
from edukoppel.readers.table._grid import CellNote, Grid, MergedRange
from edukoppel.readers.table._header import sheet_header

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "SheetTypes",
    "frame_to_grid",
    "load_sheet_frame",
    "open_fast_reader",
    "sheet_chunks",
    "sheet_types",
    "wait_for_types",
]

_HEAD_ROWS = 200
_CHUNK = 1 << 20
_BATCH = 2  # chunks searched at once: polars runs their searches in parallel, in little memory
# A number cell as Excel, LibreOffice, openpyxl and xlsxwriter write it: a reference, maybe a
# style, maybe t="n", maybe a formula, then its value.
_NUMBER_CELL = (
    r'<c r="[A-Z]{1,3}[0-9]+"(?: s="[0-9]+")?(?: t="n")?>'
    r"(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?<v>[^<]*"
)
# A number cell whose stored value Excel may have rounded (12 digits or more, an exponent).
_LARGE_VALUE = r"<v>-?[0-9]{12}|<v>[^<]*[eE]\+?[0-9]"
# Cells with a value that is not a number (t="s" and these) are subtracted from all values to
# tell how many number cells there are, so that a cell this reader's pattern missed is noticed.
_RARE_TYPED_VALUE = r' t="(?:str|b|e)"'
# Any of the rare things below (formulas, errors, booleans, dates as text, text in the sheet,
# merged cells): most sheets have none, and one search tells.
_RARE = r'<f|:f[> ]|t="(?:e|d|b|inlineStr|str)"|<mergeCell '
_BOOLEAN_CELL = r'<c r="[A-Z]{1,3}[0-9]+"[^>]* t="b"'
_MERGED = r'<mergeCell ref="[A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?"'
_NOTES_NEEDLES = ("<f", ":f>", ":f ", 't="e"')
# Cells whose text is in the sheet itself, not in the shared strings.
_OWN_TEXT = r' t="(?:inlineStr|str)"'
# A format that makes calamine read a number as a duration ([h]:mm:ss): fastexcel writes
# those as date-times, so such a workbook is read the other way.
_DURATION_FORMAT = re.compile(rb'formatCode="[^"]*\[(?:h+|m+|s+)\]', re.IGNORECASE)
_DURATION_BUILTIN = re.compile(rb'numFmtId="46"')
# A date, date-time or time cell's text, once written the python-calamine path's way.
_DATE_TEXT = r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9:.]+)?|[0-9]{2}:[0-9]{2}:[0-9]{2})$"


@attrs.frozen
class SheetTypes:
    """What the sheet's XML says of its cells beyond their text.

    Attributes:
        number_masks: Per column letters, a mask of the rows (from row 1) whose cell was
            stored as a number (a date too: a number with a date format).
        boolean_masks: The same for the cells stored as booleans.
        large: The number cells whose stored value has 12 digits or more or an exponent,
            with that value.
        merged: Merged ranges as written (``A1:C1``).
        notes: The sheet has formulas or error cells (the shared scan reads them).
        triggers: Which of the damage checks' trigger bytes the cells' text may hold: those
            in the workbook's shared strings; ``None`` (all of them) when the sheet has text
            of its own (inline strings, formula results) or a character reference.
    """

    number_masks: dict[str, pl.Series]
    boolean_masks: dict[str, pl.Series]
    large: pl.DataFrame
    merged: tuple[str, ...]
    notes: bool
    triggers: frozenset[bytes] | None = None


class _Fallback(Exception):
    """The sheet is read by the python-calamine path instead."""


def sheet_chunks(archive: zipfile.ZipFile, path: str) -> Iterator[str]:
    """The sheet part's text a chunk at a time, each cut before a cell (or else a tag).

    So no cell and no tag is split between two chunks, and every pattern finds them whole.
    """
    return part_chunks(archive, path, cut_before=b"<c ", size=_CHUNK)


def _durations(archive: zipfile.ZipFile) -> bool:
    try:
        styles = archive.read("xl/styles.xml")
    except KeyError:
        return False
    return bool(_DURATION_FORMAT.search(styles) or _DURATION_BUILTIN.search(styles))


def sheet_types(data: bytes, path: str, texts: list[list[str]] | None = None) -> SheetTypes:
    """Read the sheet part ``path`` of an XLSX workbook for what its cells' text cannot show.

    ``texts``, when given, is the part's text as the size guard decompressed it (see
    :func:`sheet_chunks`), a batch of chunks at a time; each is dropped once counted.

    Raises:
        _Fallback: The part is not laid out the way this reader counts it.
    """
    import polars as pl

    count = _SheetCount()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if _durations(archive):
            raise _Fallback
        if texts is not None:
            while texts:
                # Dropped as it goes, so that the sheet's text is never held twice.
                count.add(pl.Series(texts.pop(0), dtype=pl.String))
        else:
            batch: list[str] = []
            for chunk in sheet_chunks(archive, path):
                batch.append(chunk)
                if len(batch) == _BATCH:
                    count.add(pl.Series(batch, dtype=pl.String))
                    batch = []
            if batch:
                count.add(pl.Series(batch, dtype=pl.String))
        triggers = None if count.own_text else _string_triggers(archive)
    return count.result(triggers)


@attrs.define
class _SheetCount:
    """What :func:`sheet_types` has counted so far, a batch of the sheet's text at a time."""

    numbers: list[pl.DataFrame] = attrs.Factory(list)
    large: list[pl.DataFrame] = attrs.Factory(list)
    booleans: list[pl.DataFrame] = attrs.Factory(list)
    merged: list[str] = attrs.Factory(list)
    values: int = 0
    typed: int = 0
    matched: int = 0
    notes: bool = False
    sheet_data: bool = False
    own_text: bool = False

    def add(self, texts: pl.Series) -> None:
        self.sheet_data = self.sheet_data or bool(
            texts.str.contains("<sheetData", literal=True).any()
        )
        self.values += int(texts.str.count_matches("<v>", literal=True).sum())
        self.typed += int(texts.str.count_matches(' t="s"', literal=True).sum())
        found = texts.str.extract_all(_NUMBER_CELL).explode().drop_nulls()
        self.matched += found.len()
        if found.len():
            self.numbers.append(_cell_references(found))
            big = found.filter(found.str.contains(_LARGE_VALUE))
            if big.len():
                self.large.append(
                    _cell_references(big).with_columns(value=big.str.split("<v>").list.last())
                )
        if bool(texts.str.contains(_RARE).any()):
            self._add_rare(texts)

    def _add_rare(self, texts: pl.Series) -> None:
        """What few sheets have: one search tells whether to look for each of them."""
        self.own_text = self.own_text or bool(texts.str.contains(_OWN_TEXT).any())
        self.typed += int(texts.str.count_matches(_RARE_TYPED_VALUE).sum())
        self.notes = self.notes or any(
            bool(texts.str.contains(needle, literal=True).any()) for needle in _NOTES_NEEDLES
        )
        if bool(texts.str.contains(' t="d"', literal=True).any()):
            raise _Fallback  # dates stored as ISO text: python-calamine reads them as dates
        if bool(texts.str.contains(' t="b"', literal=True).any()):
            cells = texts.str.extract_all(_BOOLEAN_CELL).explode().drop_nulls()
            self.booleans.append(_cell_references(cells))
        if bool(texts.str.contains("<mergeCell ", literal=True).any()):
            found = texts.str.extract_all(_MERGED).explode().drop_nulls()
            self.merged.extend(found.str.extract(r'ref="([^"]+)"', 1).to_list())

    def result(self, triggers: frozenset[bytes] | None) -> SheetTypes:
        import polars as pl

        if not self.sheet_data or self.matched != self.values - self.typed:
            raise _Fallback  # a prefix, cells without a reference, or attributes in another order
        schema = {"column": pl.String(), "row": pl.Int64()}
        # The masks are built here, on the counting thread, rather than after fastexcel's parse.
        return SheetTypes(
            number_masks=_masks(pl.concat(self.numbers)) if self.numbers else {},
            boolean_masks=_masks(pl.concat(self.booleans)) if self.booleans else {},
            large=(
                pl.concat(self.large)
                if self.large
                else pl.DataFrame(schema={**schema, "value": pl.String()})
            ),
            merged=tuple(self.merged),
            notes=self.notes,
            triggers=triggers,
        )


def _cell_references(cells: pl.Series) -> pl.DataFrame:
    """The column letters and row of each cell found (``<c r="AB12" ...``), without a regex.

    Examples:
        >>> import polars as pl
        >>> _cell_references(pl.Series(['<c r="AB12" s="1"><v>7'])).rows()
        [('AB', 12)]
    """
    import polars as pl

    reference = cells.str.slice(len('<c r="')).str.splitn('"', 2).struct.field("field_0")
    return pl.DataFrame(
        {
            "column": reference.str.strip_chars_end("0123456789"),
            "row": reference.str.strip_chars_start("ABCDEFGHIJKLMNOPQRSTUVWXYZ").cast(pl.Int64),
        }
    )


def _string_triggers(archive: zipfile.ZipFile) -> frozenset[bytes] | None:
    """The damage checks' trigger bytes in the shared strings' text; ``None``: assume them all.

    The part's XML syntax has its own ``?`` (``<?xml ...?>``) and ``=`` (attributes), so a byte
    counts only where a check could match: ``=`` and ``#`` starting a string, ``+`` in a
    number's exponent, ``?`` between letters (in any string when runs of rich text could
    split one). A character reference (``&#43;`` for ``+``) hides the byte it stands for, so a
    table with any is searched for everything.
    """
    from edukoppel.readers.table._damage import TRIGGERS, scan_bytes

    found: set[bytes] = set()
    meant: set[bytes] = set()
    tail = b""
    try:
        handle = archive.open("xl/sharedStrings.xml")
    except KeyError:
        return frozenset()
    with handle:
        while chunk := handle.read(_CHUNK):
            window = tail + chunk
            if b"&#" in window:
                return None
            found |= scan_bytes(window, TRIGGERS)
            meant |= _triggers_in_text(window, found - meant)
            tail = chunk[-8:]
    return frozenset(found - _SYNTAX_TRIGGERS | meant)


# The trigger bytes that the XML of the shared strings also uses for its syntax.
_SYNTAX_TRIGGERS = frozenset({b"=", b"#", b"+", b"?"})
_EXPONENT = re.compile(rb"[0-9][eE]\+[0-9]")
_BETWEEN_LETTERS = re.compile(rb"[A-Za-z\x80-\xff]\?[A-Za-z\x80-\xff]")


def _triggers_in_text(window: bytes, candidates: set[bytes]) -> set[bytes]:
    """Which of the syntax bytes ``candidates`` occur in ``window`` where a check could match.

    Examples:
        >>> sorted(_triggers_in_text(b'<?xml version="1.0"?><si><t>=A1</t></si>', {b"=", b"?"}))
        [b'=']
        >>> sorted(_triggers_in_text(b"<si><t>Jan?sen</t></si>", {b"?"}))
        [b'?']
    """
    meant = set()
    if b"=" in candidates and b">=" in window:
        meant.add(b"=")
    if b"#" in candidates and b">#" in window:
        meant.add(b"#")
    if b"+" in candidates and (b"e+" in window or b"E+" in window) and _EXPONENT.search(window):
        meant.add(b"+")
    if b"?" in candidates and window.count(b"?") > window.count(b"<?") + window.count(b"?>"):
        rich = b"<r>" in window or b":r>" in window  # a run may end before the "?"
        if rich or _BETWEEN_LETTERS.search(window):
            meant.add(b"?")
    return meant


def _reference(text: str) -> tuple[int, int]:
    """``B3`` as (row 3, column index 1)."""
    from edukoppel.readers.table._spreadsheet import _CELL_REFERENCE, _column_index

    found = _CELL_REFERENCE.fullmatch(text)
    if found is None:  # pragma: no cover - the pattern that found it allows no other form
        raise _Fallback
    return int(found.group(2)), _column_index(found.group(1))


def _merged_ranges(refs: tuple[str, ...]) -> list[MergedRange]:
    ranges = []
    for ref in refs:
        first, _, last = ref.partition(":")
        (first_row, first_column), (last_row, last_column) = (
            _reference(first),
            _reference(last or first),
        )
        ranges.append(MergedRange(first_row, first_column, last_row, last_column))
    return ranges


_STAMP = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"


def _cell_texts(
    column: pl.Series, numbers: pl.Series | None, booleans: pl.Series | None
) -> pl.Series:
    """The text fastexcel gives a column's cells, as the python-calamine path writes them.

    ``numbers`` and ``booleans`` are masks of the cells the sheet stored as numbers (dates
    among them: a date is a number with a date format) and as booleans. Literal string
    operations under cheap tests, not regex replacements: those cost ten times more.
    """
    import polars as pl

    cell = pl.col("cell")
    if numbers is not None:
        number = pl.col("number")
        stamp = cell.str.contains(_STAMP)
        iso = cell.str.replace(" ", "T", literal=True)
        length = cell.str.len_bytes()
        midnight = column.str.ends_with(" 00:00:00") & ~column.str.starts_with("1899-12-31")
        if bool((~numbers | (midnight & (column.str.len_bytes() == 19))).all()):
            # Only dates (the usual date column): a number's text has no space.
            written = pl.when(number).then(cell.str.slice(0, 10)).otherwise(cell)
        elif bool((numbers & column.str.contains(_STAMP)).any()):  # date-times, times
            written = (
                pl.when(~number)
                .then(cell)
                .when(stamp & cell.str.starts_with("1899-12-31 ") & (length == 19))
                .then(cell.str.slice(11))
                .when(stamp & cell.str.ends_with(" 00:00:00") & (length == 19))
                .then(cell.str.slice(0, 10))
                .when(stamp & (length == 19))
                .then(iso)
                .when(stamp & cell.str.contains(_STAMP + r"\.[0-9]{3}$"))
                .then(iso + "000")
                .when(stamp & cell.str.contains(_STAMP + r"\.[0-9]{6,}$"))
                .then(iso.str.slice(0, 26))
                .when(number & (cell == "-0"))
                .then(pl.lit("0"))
                .otherwise(cell)
            )
        else:
            written = pl.when(number & (cell == "-0")).then(pl.lit("0")).otherwise(cell)
        cell = written
    if booleans is not None:
        cell = pl.when(pl.col("boolean")).then(cell.str.to_uppercase()).otherwise(cell)
    frame = pl.DataFrame(
        {
            "cell": column,
            **({"number": numbers} if numbers is not None else {}),
            **({"boolean": booleans} if booleans is not None else {}),
        }
    )
    return frame.select(cell).to_series()


def _masks(cells: pl.DataFrame) -> dict[str, pl.Series]:
    """Per column letters, a mask of the sheet's rows (from row 1) holding such a cell.

    The masks reach the last row with such a cell; :func:`_fit` fits them to the sheet.
    """
    import polars as pl

    height = int(cells.get_column("row").max() or 0)  # type: ignore[arg-type]
    masks = {}
    columns, rows = cells.get_column("column"), cells.get_column("row")
    for letters in columns.unique().to_list():  # a few columns: no hash table of 300k rows
        masks[str(letters)] = pl.repeat(False, height, dtype=pl.Boolean, eager=True).scatter(
            rows.filter(columns == letters) - 1, True
        )
    return masks


def _fit(masks: dict[str, pl.Series], height: int) -> dict[str, pl.Series]:
    """The masks cut or extended to ``height`` rows."""
    return {
        letters: mask.slice(0, height).extend_constant(False, max(0, height - mask.len()))
        for letters, mask in masks.items()
    }


def frame_to_grid(
    frame: pl.DataFrame,
    *,
    first_column: int,
    types: SheetTypes,
    header_row: int | None,
    file: str,
    sheet: str,
) -> Grid:
    """Turn fastexcel's string frame of a whole sheet (from row 1) into its table's grid.

    ``first_column`` is the sheet's first used column (fastexcel starts there); the grid's
    columns start at column A, like the python-calamine path's.
    """
    import polars as pl

    from edukoppel.readers.table._table import ROW_KEY, internal_name

    width = first_column + frame.width if frame.width else 0
    letters = [column_letter(index) for index in range(width)]
    numbers = _fit(types.number_masks, frame.height)
    booleans = _fit(types.boolean_masks, frame.height)
    frame = frame.fill_null("")
    columns = [
        pl.repeat("", frame.height, dtype=pl.String, eager=True).alias(internal_name(index))
        for index in range(first_column)
    ]
    for position, cells in enumerate(frame.get_columns()):
        letter = letters[first_column + position]
        texts = (
            _cell_texts(cells, numbers.get(letter), booleans.get(letter))
            if letter in numbers or letter in booleans
            else cells
        )
        columns.append(texts.alias(internal_name(first_column + position)))
    frame = pl.DataFrame(columns)
    head = frame.head(max(_HEAD_ROWS, header_row or 0)).rows()
    index, why = sheet_header(head, header_row, file=file, sheet=sheet)
    data = frame.slice(index + 1)
    data = data.with_columns(
        pl.int_range(index + 2, index + 2 + data.height, dtype=pl.Int64).alias(ROW_KEY)
        if data.height
        else pl.lit(None, dtype=pl.Int64).alias(ROW_KEY)
    )
    numeric, notes = _numbers_below(types.large, numbers, data, letters, header=index + 1)
    return Grid(
        frame=data,
        header=list(head[index]),
        header_row=index + 1,
        header_reason=why,
        preamble=[(number + 1, list(row)) for number, row in enumerate(head[:index]) if any(row)],
        notes=notes,
        numeric=numeric,
        merged=_merged_ranges(types.merged),
        triggers=types.triggers,
    )


def _numbers_below(
    large: pl.DataFrame,
    masks: dict[str, pl.Series],
    data: pl.DataFrame,
    letters: list[str],
    *,
    header: int,
) -> tuple[dict[int, int], list[CellNote]]:
    """Per column index, the data cells stored as numbers (dates aside), and the big ones."""
    import polars as pl

    from edukoppel.readers.table._spreadsheet import _rounded_identifier
    from edukoppel.readers.table._table import internal_name

    index_of = {letter: index for index, letter in enumerate(letters)}
    numeric: dict[int, int] = {}
    for letter, mask in masks.items():
        index = index_of.get(letter)
        if index is None:
            continue
        texts = data.get_column(internal_name(index))
        count = int((mask.slice(header, data.height) & ~texts.str.contains(_DATE_TEXT)).sum())
        if count:
            numeric[index] = count
    notes: list[CellNote] = []
    big = large.filter(pl.col("row") > header).sort("row", "column")
    for letter, row, value in big.iter_rows():
        number = float(value)
        if abs(number) >= 1e11 and number.is_integer() and letter in index_of:
            shown = _rounded_identifier(number)
            if shown is not None:
                notes.append(CellNote(row, index_of[letter], "big-number", shown))
    return numeric, notes


def open_fast_reader(data: bytes) -> Any | None:
    """The fastexcel reader of a workbook; ``None`` when fastexcel is missing or fails on it."""
    from edukoppel.readers.table._spreadsheet import _damaged

    try:
        import fastexcel
    except ImportError:
        return None
    try:
        return fastexcel.read_excel(data)
    except BaseException as error:  # any fastexcel failure: the other path says what it is
        if not _damaged(error):
            raise
        return None


def load_sheet_frame(reader: Any, name: str) -> tuple[pl.DataFrame, int] | None:
    """Sheet ``name`` as fastexcel's string frame, from row 1, and its first used column.

    ``None`` when fastexcel fails on the sheet (the python-calamine path then says what is
    wrong). The size guard must have passed before this is called.
    """
    from edukoppel.readers.table._spreadsheet import _damaged

    try:
        sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
        columns = sheet.available_columns()
        first_column = columns[0].absolute_index if columns else 0
        frame = sheet.to_polars()
    except BaseException as error:  # any fastexcel failure: the other path says what it is
        if not _damaged(error):
            raise
        return None
    return frame, first_column


def wait_for_types(types: Callable[[], SheetTypes]) -> SheetTypes | None:
    """The result of :func:`sheet_types` run in the background; ``None``: read the other way."""
    try:
        return types()
    except _FALLBACKS:
        return None


# The sheet's XML cannot be counted: the python-calamine path reads it (and says what is wrong).
_FALLBACKS: tuple[type[Exception], ...] = (
    _Fallback,
    KeyError,
    zipfile.BadZipFile,
    OSError,
    EOFError,
)
