"""The :class:`Table` a reader returns: header names, string cells and where each row came from."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import attrs

from edukoppel.exceptions import ColumnNotFoundError
from edukoppel.report import Report

if TYPE_CHECKING:
    import polars as pl

__all__ = ["DEFAULT_MAX_BYTES", "Provenance", "Row", "Table", "TableFormat", "unique_names"]

TableFormat = Literal["csv", "xlsx", "xlsm", "xls", "ods"]
"""The formats :func:`~edukoppel.readers.read_table` reads."""

DEFAULT_MAX_BYTES = 256 * 2**20
"""The default size limit: 256 MiB for a file, and for what a workbook decompresses to."""

ROW_KEY = "__row__"
"""The internal column holding each row's number as the user sees it."""

T = TypeVar("T")

_PREVIEW_ROWS = 5
_PREVIEW_COLUMNS = 8
_PREVIEW_WIDTH = 18


def unique_names(columns: Sequence[str]) -> tuple[str, ...]:
    """Make header names unique and non-empty, predictably.

    An empty name becomes ``column_N`` (``N`` the 1-based position); the second ``naam``
    becomes ``naam_2``, the third ``naam_3``, skipping any name that is already taken.

    Examples:
        >>> unique_names(["naam", "", "naam", "naam_2"])
        ('naam', 'column_2', 'naam_3', 'naam_2')
    """
    taken = {name for name in columns if name}
    seen: set[str] = set()
    result: list[str] = []
    # The next suffix to try per name: a sheet of 16,384 equal names stays linear.
    next_suffix: dict[str, int] = {}
    for position, name in enumerate(columns, start=1):
        if not name:
            candidate = f"column_{position}"
            suffix = 2
            while candidate in taken or candidate in seen:
                candidate = f"column_{position}_{suffix}"
                suffix += 1
        elif name in seen:
            suffix = next_suffix.get(name, 2)
            candidate = f"{name}_{suffix}"
            while candidate in taken or candidate in seen:
                suffix += 1
                candidate = f"{name}_{suffix}"
            next_suffix[name] = suffix + 1
        else:
            candidate = name
        seen.add(candidate)
        result.append(candidate)
    return tuple(result)


def _frozen_counts(counts: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(counts))


@attrs.frozen
class Provenance:
    """Where a row came from.

    Attributes:
        file: The file name as the user knows it.
        sheet: The sheet in a workbook, ``None`` for a CSV file.
        row: The row number as the user sees it: Excel's row number, or the line of a CSV
            file on which the record starts.
    """

    file: str
    sheet: str | None
    row: int

    def __str__(self) -> str:
        sheet = f", sheet {self.sheet!r}" if self.sheet else ""
        return f"{self.file}{sheet}, row {self.row}"


@attrs.frozen
class Row:
    """One row of a :class:`Table`: its cells and where it came from.

    Cells are looked up by position or by column name (the unique names of
    :attr:`Table.unique_columns`, which equal the header names unless those were empty or
    repeated).

    Attributes:
        cells: The cells as strings, ``""`` for an empty cell.
        provenance: The file, sheet and row number.
    """

    cells: tuple[str, ...]
    provenance: Provenance
    _names: tuple[str, ...] = attrs.field(repr=False, eq=False, alias="names")

    @property
    def number(self) -> int:
        """The row number as the user sees it (same as ``provenance.row``)."""
        return self.provenance.row

    def __getitem__(self, key: int | str) -> str:
        if isinstance(key, str):
            try:
                return self.cells[self._names.index(key)]
            except ValueError:
                raise ColumnNotFoundError(key, columns=self._names) from None
        return self.cells[key]

    @overload
    def get(self, name: str) -> str | None: ...
    @overload
    def get(self, name: str, default: T) -> str | T: ...
    def get(self, name: str, default: object = None) -> object:
        """The cell in column ``name``; ``default`` (``None``) when the file has no such column.

        An empty cell is ``""``; a column the file does not have is ``None``, because an
        absent column is not an empty value.

        Examples:
            >>> row = Table.from_rows(["klas", "email"], [["1HA", ""]])[0]
            >>> row.get("email"), row.get("achternaam")
            ('', None)
        """
        if name in self._names:
            return self.cells[self._names.index(name)]
        return default

    def as_dict(self) -> dict[str, str]:
        """The cells keyed by unique column name."""
        return dict(zip(self._names, self.cells, strict=True))

    def __len__(self) -> int:
        return len(self.cells)

    def __iter__(self) -> Iterator[str]:
        return iter(self.cells)


@attrs.frozen(eq=False, repr=False)
class Table:
    """A table read from a file: header names, string cells, row provenance and a report.

    Cells are always strings (``""`` for an empty cell), never numbers: an identifier such as
    ``00123`` keeps its leading zeros. The cells live in a polars DataFrame of strings, so a
    large table costs little until you ask for Python objects (:attr:`rows`, iteration).

    Attributes:
        columns: The header names as in the file, stripped of surrounding spaces. Names can be
            empty or repeated; :attr:`unique_columns` has the names used by
            :meth:`to_polars` and :meth:`column`.
        file: The file name as the user knows it (the path's name, or ``name=``).
        sheet: The sheet the rows came from, ``None`` for a CSV file.
        format: The format the file really is (``"csv"``, ``"xlsx"``...).
        header_row: The row number of the header as the user sees it.
        report: What was detected and what looked wrong (see ``docs/reading.md``).
        preamble: The non-empty rows above the header (a title, "Schooljaar 2025-2026",
            "BRIN 99ZX"), each with its row number and cells: what they say about the school
            is not lost.
        numeric_cells: For a workbook, per column (by unique name), how many cells of the
            file were stored as numbers rather than text; columns without any are left out,
            and a CSV file has none. A number has no leading zeros, so an identifier column
            stored as numbers may have lost them (the column mapping reports it).

    Examples:
        >>> from edukoppel.readers import Table
        >>> table = Table.from_rows(["id", "naam"], [["001", "Anna"], ["002", "Bram"]])
        >>> len(table), table.column("id")
        (2, ['001', '002'])
        >>> table[1].provenance
        Provenance(file='<rows>', sheet=None, row=3)
    """

    columns: tuple[str, ...]
    file: str
    sheet: str | None
    format: TableFormat
    header_row: int
    report: Report
    _frame: pl.DataFrame = attrs.field(alias="frame")
    preamble: tuple[tuple[int, tuple[str, ...]], ...] = attrs.field(default=(), kw_only=True)
    numeric_cells: Mapping[str, int] = attrs.field(
        factory=dict, kw_only=True, converter=_frozen_counts
    )
    unique_columns: tuple[str, ...] = attrs.field(init=False)
    _cache: dict[str, Any] = attrs.field(init=False, factory=dict)

    def _repr_html_(self) -> str:
        from edukoppel._html import table_html

        return table_html(self)

    @unique_columns.default
    def _unique_columns_default(self) -> tuple[str, ...]:
        return unique_names(self.columns)

    @classmethod
    def from_rows(
        cls,
        columns: Sequence[str],
        rows: Iterable[Sequence[str]],
        *,
        file: str = "<rows>",
        sheet: str | None = None,
        format: TableFormat = "csv",
        header_row: int = 1,
        row_numbers: Sequence[int] | None = None,
        report: Report | None = None,
    ) -> Table:
        """Build a table from Python values (for tests and for data that is already in memory).

        Rows shorter than ``columns`` are padded with ``""``; longer rows are an error. Row
        numbers default to the rows after ``header_row``.

        Examples:
            >>> Table.from_rows(["a"], [["1"], ["2"]], row_numbers=[5, 9]).row_numbers
            [5, 9]
        """
        import polars as pl

        width = len(columns)
        materialised: list[list[str]] = []
        for index, row in enumerate(rows):
            if len(row) > width:
                msg = f"row {index} has {len(row)} cells, more than the {width} columns"
                raise ValueError(msg)
            materialised.append([str(cell) for cell in row] + [""] * (width - len(row)))
        count = len(materialised)
        numbers = (
            list(row_numbers)
            if row_numbers is not None
            else list(range(header_row + 1, header_row + 1 + count))
        )
        if len(numbers) != count:
            msg = f"{len(numbers)} row numbers for {count} rows"
            raise ValueError(msg)
        data: dict[str, list[str] | list[int]] = {
            internal_name(index): [row[index] for row in materialised] for index in range(width)
        }
        data[ROW_KEY] = numbers
        schema: dict[str, Any] = {internal_name(index): pl.String for index in range(width)}
        schema[ROW_KEY] = pl.Int64
        frame = pl.DataFrame(data, schema=schema)
        return cls(
            columns=tuple(name.strip() for name in columns),
            file=file,
            sheet=sheet,
            format=format,
            header_row=header_row,
            report=report if report is not None else Report(),
            frame=frame,
        )

    # -- sizes and access ---------------------------------------------------------------

    def __len__(self) -> int:
        return int(self._frame.height)

    @property
    def width(self) -> int:
        """The number of columns."""
        return len(self.columns)

    @property
    def rows(self) -> tuple[tuple[str, ...], ...]:
        """Every row's cells as a tuple of strings (built on first use, then kept)."""
        cached = self._cache.get("rows")
        if cached is None:
            names = [internal_name(index) for index in range(self.width)]
            columns = [self._frame.get_column(name).to_list() for name in names]
            cached = tuple(zip(*columns, strict=True)) if columns else ((),) * len(self)
            self._cache["rows"] = cached
        return cached

    @property
    def row_numbers(self) -> list[int]:
        """Each row's number as the user sees it (Excel's row, or the CSV line it starts on)."""
        numbers: list[int] = self._frame.get_column(ROW_KEY).to_list()
        return numbers

    def provenance(self, index: int) -> Provenance:
        """Where row ``index`` (0-based position in this table) came from."""
        number = self._frame.get_column(ROW_KEY)[index]
        return Provenance(file=self.file, sheet=self.sheet, row=int(number))

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> Table: ...
    def __getitem__(self, index: int | slice) -> Row | Table:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                msg = "a Table can only be sliced with step 1"
                raise ValueError(msg)
            return self._with_frame(self._frame.slice(start, max(stop - start, 0)))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            msg = f"row index {index} out of range for a table of {len(self)} rows"
            raise IndexError(msg)
        cached = self._cache.get("rows")
        if cached is not None:
            cells: tuple[str, ...] = cached[index]
        else:
            names = [internal_name(position) for position in range(self.width)]
            cells = tuple(self._frame.select(names).row(index))
        return Row(cells=cells, provenance=self.provenance(index), names=self.unique_columns)

    def __iter__(self) -> Iterator[Row]:
        names = self.unique_columns
        for cells, number in zip(self.rows, self.row_numbers, strict=True):
            yield Row(
                cells=cells,
                provenance=Provenance(file=self.file, sheet=self.sheet, row=number),
                names=names,
            )

    def column(self, name: str | int) -> list[str]:
        """The cells of one column, by unique name (as in :meth:`to_polars`) or 0-based position.

        When a header is repeated, ``naam`` is the first such column and ``naam_2`` the second.

        Raises:
            ColumnNotFoundError: No such column (a ``KeyError``); it names the columns there
                are and the closest one.
        """
        cells: list[str] = self._frame.get_column(internal_name(self._position(name))).to_list()
        return cells

    def _position(self, name: str | int) -> int:
        if isinstance(name, int):
            if not -self.width <= name < self.width:
                raise ColumnNotFoundError(name, columns=self.unique_columns)
            return name % self.width
        if name in self.unique_columns:
            return self.unique_columns.index(name)
        stripped = name.strip()
        if stripped in self.unique_columns:
            return self.unique_columns.index(stripped)
        raise ColumnNotFoundError(name, columns=self.unique_columns)

    def take(self, positions: Sequence[int]) -> Table:
        """The rows at these 0-based positions, in that order, as a table (same columns, report).

        Examples:
            >>> table = Table.from_rows(["klas"], [["1A"], ["1B"], ["1C"]])
            >>> table.take([2, 0]).column("klas"), table.take([2, 0]).row_numbers
            (['1C', '1A'], [4, 2])
        """
        import polars as pl

        return self._with_frame(self._frame.select(pl.all().gather(list(positions))))

    def head(self, n: int = 5) -> Table:
        """The first ``n`` rows as a table (same file, columns and report)."""
        return self._with_frame(self._frame.head(n))

    def _with_frame(self, frame: pl.DataFrame) -> Table:
        return Table(
            columns=self.columns,
            file=self.file,
            sheet=self.sheet,
            format=self.format,
            header_row=self.header_row,
            report=self.report,
            frame=frame,
            preamble=self.preamble,
            numeric_cells=self.numeric_cells,
        )

    def to_polars(self, *, row_numbers: str | None = None) -> pl.DataFrame:
        """The cells as a polars DataFrame with a String column per header.

        Column names are :attr:`unique_columns` (an empty header becomes ``column_N``, a
        repeated one ``naam_2``). With ``row_numbers="rij"`` an Int64 column of that name holds
        each row's number as the user sees it, first.

        Examples:
            >>> table = Table.from_rows(["id", "id"], [["1", "2"]])
            >>> table.to_polars(row_numbers="rij").columns
            ['rij', 'id', 'id_2']
        """
        mapping = {internal_name(index): name for index, name in enumerate(self.unique_columns)}
        if row_numbers is not None:
            if row_numbers in mapping.values():
                msg = f"row_numbers={row_numbers!r} is already a column name"
                raise ValueError(msg)
            mapping = {ROW_KEY: row_numbers} | mapping
        return self._frame.select(list(mapping)).rename(mapping)

    # -- display ------------------------------------------------------------------------

    def _summary(self) -> str:
        detected = self.report.detected
        parts: list[str] = [self.format]
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if "encoding" in detected:
            parts.append(detected["encoding"])
        if "delimiter" in detected:
            parts.append(f"delimiter {detected['delimiter']!r}")
        issues, rows, width = len(self.report), len(self), self.width
        return (
            f"Table {self.file!r} ({', '.join(parts)}): {rows} row{'s' * (rows != 1)} x "
            f"{width} column{'s' * (width != 1)}, header on row {self.header_row}, "
            f"{issues} issue{'s' * (issues != 1)}"
        )

    def __repr__(self) -> str:
        lines = [self._summary()]
        if self.width == 0:
            return lines[0]
        shown = list(range(min(self.width, _PREVIEW_COLUMNS)))
        header = ["row", *(_clip(self.unique_columns[index]) for index in shown)]
        body = [
            [str(number), *(_clip(cells[index]) for index in shown)]
            for cells, number in zip(
                self.head(_PREVIEW_ROWS).rows,
                self.head(_PREVIEW_ROWS).row_numbers,
                strict=True,
            )
        ]
        widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
        more_columns = " ..." if self.width > len(shown) else ""
        for line in [header, *body]:
            cells = (cell.ljust(width) for cell, width in zip(line, widths, strict=True))
            lines.append(" | ".join(cells).rstrip() + more_columns)
        if len(self) > _PREVIEW_ROWS:
            lines.append(f"... {len(self) - _PREVIEW_ROWS} more rows")
        return "\n".join(lines)

    __str__ = __repr__


def internal_name(index: int) -> str:
    """The name of column ``index`` inside the table's frame."""
    return f"c{index}"


def _clip(text: str) -> str:
    text = text.replace("\r", " ").replace("\n", " ")
    return text if len(text) <= _PREVIEW_WIDTH else text[: _PREVIEW_WIDTH - 1] + "…"
