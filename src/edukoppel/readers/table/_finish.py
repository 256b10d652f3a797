"""From a format reader's :class:`Grid` to a :class:`Table`: the same judgement for every format.

Columns: empty ones without a header are left out, unnamed ones with values are kept (as
``column_N``), values right of the header on a few rows are ragged rows. Rows: blank ones are
left out, short and long ones reported, a template's example rows under the header and totals
rows at the bottom are left out. Then the header names and the cells are checked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import attrs

from edukoppel._i18n import msg
from edukoppel.exceptions import MalformedFileError
from edukoppel.readers._issues import Collector
from edukoppel.readers.table._damage import check_damage
from edukoppel.readers.table._grid import Grid, MergedRange
from edukoppel.readers.table._header import (
    example_reason,
    is_totals_row,
    keyword_score,
    looks_like_data,
)
from edukoppel.readers.table._table import ROW_KEY, Table, TableFormat, internal_name, unique_names

if TYPE_CHECKING:
    import polars as pl

__all__ = ["column_letter", "finish"]

_EXAMPLE_ROWS = 2
_TOTALS_ROWS = 3


def column_letter(index: int) -> str:
    """Excel's letters for a 0-based column index.

    Examples:
        >>> [column_letter(i) for i in (0, 25, 26, 701, 702)]
        ['A', 'Z', 'AA', 'ZZ', 'AAA']
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _ranges(numbers: Sequence[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


@attrs.define
class _Columns:
    """Which grid columns become table columns, and which are left out and why."""

    keep: list[int]
    dropped: list[int]
    overflow: list[int]
    last_named: int
    may_be_blank: bool


def _judge_columns(grid: Grid, header: list[str]) -> _Columns:
    import polars as pl

    frame, width, count = grid.frame, len(header), grid.frame.height
    unnamed = [index for index in range(width) if not header[index]]
    counts = (
        frame.select(
            [(pl.col(internal_name(index)).str.len_bytes() > 0).sum() for index in unnamed]
        ).row(0)
        if count and unnamed
        else (0,) * len(unnamed)
    )
    filled = dict(zip(unnamed, counts, strict=True))
    # A row can only be blank when no column is filled on every row (usually the first is).
    may_be_blank = bool(width and count) and not any(
        frame.get_column(internal_name(index)).str.len_bytes().min() != 0 for index in range(width)
    )
    named = [index for index in range(width) if header[index]]
    last_named = named[-1] + 1 if named else 0
    keep: list[int] = []
    dropped: list[int] = []
    overflow: list[int] = []
    for index in range(width):
        if header[index]:
            keep.append(index)
        elif filled[index] == 0:
            dropped.append(index)
        elif index < last_named or filled[index] * 2 > count:
            keep.append(index)
        else:
            overflow.append(index)
    if not keep and overflow:
        keep, overflow = overflow, []
    return _Columns(keep, dropped, overflow, last_named, may_be_blank)


class _Place:
    """How to name a column's place to the user: a letter in a workbook, a number in a CSV."""

    def __init__(self, *, workbook: bool) -> None:
        self.workbook = workbook

    def __call__(self, index: int) -> str:
        return column_letter(index) if self.workbook else str(index + 1)


def finish(
    grid: Grid,
    *,
    collector: Collector,
    file: str,
    sheet: str | None,
    format: TableFormat,
    skip_example_rows: bool,
    present: Callable[[bytes], bool] | None,
) -> Table:
    """Judge the grid's columns and rows, check the cells, and build the table."""
    import polars as pl

    place = _Place(workbook=format != "csv")
    header = [cell.strip() for cell in grid.header]
    merged_header = _fill_merged_header(header, grid.merged, grid.header_row)
    judged = _judge_columns(grid, header)
    blank = _judge_rows(grid, judged, collector, place)
    frame = grid.frame.filter(~blank) if judged.may_be_blank else grid.frame
    if frame.height == 0 and grid.header_reason == "detected" and sum(map(bool, header)) <= 1:
        _refuse_a_lone_value(grid, file=file, sheet=sheet)
    if judged.keep != list(range(len(header))):
        frame = frame.select(
            [pl.col(internal_name(j)).alias(internal_name(k)) for k, j in enumerate(judged.keep)]
            + [pl.col(ROW_KEY)]
        )
    columns = [header[j] for j in judged.keep]
    unique = unique_names(columns)
    frame = _drop_examples_and_totals(frame, columns, collector, skip_example_rows)
    _report_header(
        grid,
        judged=judged,
        columns=columns,
        unique=unique,
        merged_header=merged_header,
        collector=collector,
        place=place,
    )
    if frame.height == 0:
        collector.add("no-rows", msg("no-rows"), row=grid.header_row)
    skip = _report_notes(grid, frame, judged.keep, unique, collector)
    check_damage(frame, unique, collector, present=present, skip=skip, workbook=format != "csv")
    if grid.multiline and grid.delimiter:
        _unclosed_quotes(frame, unique, grid.delimiter, collector)
    return Table(
        columns=tuple(columns),
        file=file,
        sheet=sheet,
        format=format,
        header_row=grid.header_row,
        report=collector.report,
        frame=frame,
        preamble=tuple((row, tuple(cells)) for row, cells in grid.preamble),
        numeric_cells={
            unique[position]: grid.numeric[index]
            for position, index in enumerate(judged.keep)
            if grid.numeric.get(index)
        },
    )


def _refuse_a_lone_value(grid: Grid, *, file: str, sheet: str | None) -> None:
    """One value and nothing else is no table: it may be a title, or a one-column header.

    Taking it for a header would invent a column that the file may not have; the caller
    who knows it is a header says so with ``header_row=``.
    """
    which = "refusal.lone-value.sheet" if sheet is not None else "refusal.lone-value.file"
    raise MalformedFileError(
        msg(which, row=grid.header_row),
        file=file,
        sheet=sheet,
        row=grid.header_row,
    )


def _judge_rows(grid: Grid, judged: _Columns, collector: Collector, place: _Place) -> pl.Expr:
    """Report blank, too long and too short rows; returns the expression that marks blank ones."""
    import polars as pl

    frame = grid.frame
    names = [internal_name(index) for index in range(len(grid.header))]
    may_be_blank = judged.may_be_blank
    blank = (
        pl.all_horizontal([pl.col(name).str.len_bytes() == 0 for name in names])
        if may_be_blank
        else pl.lit(value=False)
    )
    if may_be_blank:
        runs = _ranges(frame.filter(blank).get_column(ROW_KEY).to_list())
        shown = runs[: collector.room("blank-row")]
        for first, last in shown:
            message = (
                msg("blank-row.one", row=first)
                if first == last
                else msg("blank-row.run", first=first, last=last)
            )
            collector.add("blank-row", message, severity="info", row=first)
        collector.skip("blank-row", len(runs) - len(shown), severity="info")
    fields = (
        grid.field_counts.alias("fields")
        if grid.field_counts is not None
        else pl.lit(None, dtype=pl.Int64).alias("fields")
    )
    if judged.overflow:
        long_rows = frame.select(
            pl.col(ROW_KEY),
            fields,
            pl.any_horizontal(
                [pl.col(internal_name(j)).str.len_bytes() > 0 for j in judged.overflow]
            ).alias("long"),
        ).filter(pl.col("long"))
        # Messages only for the rows that are listed; the others are only counted.
        listed = long_rows.head(collector.room("ragged-row"))
        for row, values, _ in listed.iter_rows():
            if place.workbook:
                message = msg("ragged-row.beyond-header", column=place(judged.last_named - 1))
            elif values:
                message = msg(
                    "ragged-row.shifted",
                    columns=judged.last_named,
                    values=values,
                    delimiter=grid.delimiter,
                )
            else:
                message = msg(
                    "ragged-row.shifted-uncounted",
                    columns=judged.last_named,
                    delimiter=grid.delimiter,
                )
            collector.add("ragged-row", message, severity="error", row=row)
        collector.skip("ragged-row", long_rows.height - listed.height, severity="error")
    if grid.field_counts is not None and judged.keep:
        needed = max(judged.keep) + 1
        short = frame.select(pl.col(ROW_KEY), fields, blank.alias("blank")).filter(
            (pl.col("fields") < needed) & ~pl.col("blank")
        )
        listed = short.head(collector.room("ragged-row"))
        for row, values, _ in listed.iter_rows():
            collector.add(
                "ragged-row", msg("ragged-row.short", values=values, needed=needed), row=row
            )
        collector.skip("ragged-row", short.height - listed.height)
    return blank


def _report_header(
    grid: Grid,
    *,
    judged: _Columns,
    columns: list[str],
    unique: Sequence[str],
    merged_header: list[MergedRange],
    collector: Collector,
    place: _Place,
) -> None:
    keep = judged.keep
    if judged.dropped:
        places = ", ".join(place(j) for j in judged.dropped)
        collector.add(
            "empty-column",
            msg("empty-column", count=len(judged.dropped), places=places),
            severity="info",
        )
    for position, j in enumerate(keep):
        if not columns[position]:
            collector.add(
                "empty-header",
                msg("empty-header", place=place(j), name=unique[position]),
                column=unique[position],
            )
    merged_columns = {
        j for span in merged_header for j in range(span.first_column, span.last_column + 1)
    }
    for name, times in Counter(name for name in columns if name).items():
        positions = [position for position, value in enumerate(columns) if value == name]
        if times < 2 or all(keep[position] in merged_columns for position in positions):
            continue
        called = ", ".join(repr(unique[position]) for position in positions)
        at = ", ".join(place(keep[position]) for position in positions)
        collector.add(
            "duplicate-header",
            msg("duplicate-header", name=name, times=times, places=at, called=called),
            column=name,
        )
    by_index = {j: unique[position] for position, j in enumerate(keep)}
    for span in merged_header:
        called = ", ".join(
            repr(by_index[j])
            for j in range(span.first_column, span.last_column + 1)
            if j in by_index
        )
        collector.add(
            "merged-header",
            msg("merged-header", cells=_a1(span), called=called),
            column=by_index.get(span.first_column),
            row=span.first_row,
            capped=False,
        )
    for span in grid.merged:
        if span.first_row > grid.header_row:
            collector.add(
                "merged-cells",
                msg("merged-cells", cells=_a1(span)),
                row=span.first_row,
                column=by_index.get(span.first_column),
            )
    collector.detect("header_row", str(grid.header_row))
    if grid.header_reason == "detected" and looks_like_data(grid.header):
        collector.add(
            "header-looks-like-data",
            msg("header-looks-like-data", row=grid.header_row),
            row=grid.header_row,
        )
    if grid.header_reason == "detected" and grid.header_row > grid.first_row:
        above = len(grid.preamble)
        skipped = (
            msg("header-row-detected.above", count=above)
            if above
            else msg("header-row-detected.blank-above")
        )
        width = sum(1 for cell in grid.header if cell.strip())
        table_like = [row for row, fields in grid.preamble if _table_like(fields, width)]
        if table_like:
            # A skipped row as wide as the table, or naming its columns, is no title: it
            # may be a record, or the real header. Say so loudly.
            rows = ", ".join(str(row) for row in table_like[:5])
            skipped = msg("header-row-detected.table-like", count=len(table_like), rows=rows)
        collector.add(
            "header-row-detected",
            msg("header-row-detected", row=grid.header_row, skipped=skipped),
            severity="warning" if table_like else "info",
            row=grid.header_row,
        )


def _table_like(fields: Sequence[str], width: int) -> bool:
    """Whether a row above the header looks like a header or a record rather than a title.

    Nearly as many cells as the header (three at least), two cells that name roster columns,
    or as many cells as the header with one that names a roster column. A title, or a
    "label; value" line such as "Aangemaakt op; 1-9-2025", is none of these.
    """
    filled = [cell for cell in fields if cell.strip()]
    if len(filled) < 2:
        return False
    keywords = keyword_score(filled)
    return (
        len(filled) >= max(3, width - 1)
        or keywords >= 2
        or (keywords >= 1 and len(filled) >= width)
    )


def _fill_merged_header(
    header: list[str], merged: Sequence[MergedRange], header_row: int
) -> list[MergedRange]:
    spans = []
    for span in merged:
        if span.first_row <= header_row <= span.last_row and span.last_column > span.first_column:
            if span.first_column >= len(header):
                continue
            name = header[span.first_column]
            for j in range(span.first_column + 1, min(span.last_column + 1, len(header))):
                if not header[j]:
                    header[j] = name
            spans.append(span)
    return spans


def _a1(span: MergedRange) -> str:
    first = f"{column_letter(span.first_column)}{span.first_row}"
    last = f"{column_letter(span.last_column)}{span.last_row}"
    return first if first == last else f"{first}:{last}"


def _drop_examples_and_totals(
    frame: pl.DataFrame, columns: list[str], collector: Collector, skip_example_rows: bool
) -> pl.DataFrame:
    import polars as pl

    names = [internal_name(index) for index in range(len(columns))]
    drop: list[int] = []
    if skip_example_rows:
        for cells_and_row in frame.head(_EXAMPLE_ROWS).select([*names, ROW_KEY]).iter_rows():
            *cells, row = cells_and_row
            reason = example_reason(cells, columns)
            if reason is None:
                break
            drop.append(row)
            collector.add(
                "example-row",
                msg("example-row", reason=reason),
                row=row,
                capped=False,
            )
    tail = list(frame.tail(_TOTALS_ROWS).select([*names, ROW_KEY]).iter_rows())
    for position, cells_and_row in enumerate(reversed(tail)):
        *cells, row = cells_and_row
        if row in drop or not is_totals_row(cells, is_last=position == 0):
            break
        drop.append(row)
        collector.add(
            "totals-row",
            msg("totals-row"),
            row=row,
            capped=False,
        )
    if not drop:
        return frame
    return frame.filter(~pl.col(ROW_KEY).is_in(drop))


def _report_notes(
    grid: Grid,
    frame: pl.DataFrame,
    keep: list[int],
    unique: Sequence[str],
    collector: Collector,
) -> set[tuple[int, int]]:
    """Issues for what the workbook showed in its cells; returns the cells already reported."""
    if not grid.notes:
        return set()
    position = {j: k for k, j in enumerate(keep)}
    rows = set(frame.get_column(ROW_KEY).to_list())
    reported: set[tuple[int, int]] = set()
    computed: set[int] = set()
    no_result = msg("formula-value.no-result")
    for note in grid.notes:
        if note.row not in rows or note.column not in position:
            continue
        k = position[note.column]
        column = unique[k]
        if note.kind == "formula":
            if k not in computed:
                computed.add(k)
                collector.add(
                    "formula-value",
                    msg("formula-value.computed"),
                    severity="info",
                    row=note.row,
                    column=column,
                    capped=False,
                )
        elif note.kind == "formula-no-value":
            collector.add("formula-value", no_result, row=note.row, column=column)
        elif note.kind == "error":
            reported.add((note.row, k))
            if not collector.room("error-value"):  # past the cap: counted, no message built
                collector.skip("error-value", 1)
                continue
            collector.add(
                "error-value",
                msg("error-value.cell", error=note.detail)
                if note.detail
                else msg("error-value.cell-unnamed"),
                row=note.row,
                column=column,
            )
        elif note.kind == "big-number":
            if not collector.room("damaged-identifier"):
                collector.skip("damaged-identifier", 1, severity="error")
                continue
            collector.add(
                "damaged-identifier",
                msg("damaged-identifier.rounded", number=note.detail),
                severity="error",
                row=note.row,
                column=column,
            )
    return reported


def _unclosed_quotes(
    frame: pl.DataFrame, unique: Sequence[str], delimiter: str, collector: Collector
) -> None:
    """Cells spanning several lines that also hold the delimiter: a lost closing quote."""
    import polars as pl

    known = {issue.row for issue in collector.report.by_code("unclosed-quote")}
    message = msg("unclosed-quote.multiline")
    for k, name in enumerate(unique):
        column = internal_name(k)
        suspicious = frame.filter(
            (pl.col(column).str.count_matches("\n", literal=True) >= 2)
            & pl.col(column).str.contains(delimiter, literal=True)
        ).get_column(ROW_KEY)
        for row in suspicious:
            if row in known:
                continue
            collector.add("unclosed-quote", message, row=row, column=name)
