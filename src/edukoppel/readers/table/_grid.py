"""What a format reader hands to the shared finishing step: raw cells under a raw header."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    import polars as pl

__all__ = ["CellNote", "Grid", "MergedRange"]


@attrs.frozen
class MergedRange:
    """Merged cells: Excel rows (1-based, as the user sees them) and 0-based column indexes."""

    first_row: int
    first_column: int
    last_row: int
    last_column: int


@attrs.frozen
class CellNote:
    """Something a workbook reader saw in one cell that the string value cannot show.

    ``kind`` is ``"formula"`` (a formula whose saved result was read), ``"formula-no-value"``
    (a formula without a saved result: the cell reads as empty), ``"error"`` (an Excel error
    such as ``#N/A``; ``detail`` holds it) or ``"big-number"`` (a number so large that Excel
    may have rounded an identifier; ``detail`` holds it in scientific notation).
    """

    row: int
    column: int
    kind: str
    detail: str = ""


@attrs.define
class Grid:
    """Raw cells of the data rows, under the raw header, before columns and rows are judged.

    Attributes:
        frame: String columns ``c0``...``c{n-1}`` plus the Int64 row-number column.
        header: The header cells (not yet stripped), one per column of ``frame``.
        header_row: The header's row number as the user sees it.
        header_reason: Why that row was taken as the header (for the report).
        field_counts: For a CSV file, each row's number of fields when some rows may have
            fewer than ``header`` (a ragged file); ``None`` when every row is complete.
        preamble: The non-empty rows above the header, with their row numbers.
        quoted: The data used quote characters.
        multiline: Some record spans several lines (so a cell may hide a lost closing quote).
        delimiter: The CSV delimiter.
        merged: Merged cell ranges (workbooks).
        notes: Formulas, errors and large numbers seen in cells (workbooks).
        first_row: The first row that can hold content (2 after Excel's ``sep=`` line).
        triggers: Which of the damage checks' trigger bytes the cells' text may hold (a
            check searches the cells only when its byte occurs): from a CSV file's text or
            an XLSX workbook's shared strings; ``None`` when not known.
        numeric: For a workbook, per column index, how many data cells were stored as
            numbers rather than text (columns without any are left out).
    """

    frame: pl.DataFrame
    header: list[str]
    header_row: int
    header_reason: str = ""
    field_counts: pl.Series | None = None
    preamble: list[tuple[int, list[str]]] = attrs.field(factory=list)
    quoted: bool = False
    multiline: bool = False
    delimiter: str | None = None
    merged: list[MergedRange] = attrs.field(factory=list)
    notes: list[CellNote] = attrs.field(factory=list)
    first_row: int = 1
    triggers: frozenset[bytes] | None = None
    numeric: dict[int, int] = attrs.field(factory=dict)
