"""Damage that Excel and encodings do to roster data, found in the cells.

Each check has a cheap trigger so that a clean file pays almost nothing: for a CSV file the
byte that the damage cannot do without (``+`` for ``1,23E+11``, ``?`` for lost characters,
the second byte of ``Ã`` for mojibake...) must occur in the data before the cells are
searched. Leading zeros and date formats are judged per column, from a sample first.

Messages say which row and column and what kind of damage, never the value itself (it may be
personal data), except for the pattern of a damaged identifier or a mojibake sequence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from edukoppel._i18n import Message, msg
from edukoppel.readers._issues import Collector
from edukoppel.readers.table._table import ROW_KEY, internal_name

if TYPE_CHECKING:
    import polars as pl

    from edukoppel.report import Severity

__all__ = ["TRIGGERS", "check_damage", "scan_bytes"]

# The characters Windows-1252 gives to the bytes 0x80-0xBF: what follows 'Ã', 'Â'... when UTF-8
# is decoded once more as Windows-1252.
_CONTINUATION = "".join(
    sorted({bytes([byte]).decode("cp1252", errors="ignore") for byte in range(0x80, 0xC0)} - {""})
)
# The first byte of a two-byte UTF-8 letter, read as Windows-1252: Â Ã (Latin-1: ë, é),
# Ä Å (Latin Extended-A: Turkish ı ğ ş, Polish ł), Ð Ñ (Cyrillic).
_LEADS = "ÂÃÄÅÐÑ"
# à-ï start a three-byte letter: â for ’ “ ” € –, and others for CJK (王 as çŽ‹).
_MOJIBAKE_PY = re.compile(f"[{_LEADS}][{_CONTINUATION}]|[à-ï][{_CONTINUATION}]{{2}}")
_MOJIBAKE_RS = f"[{_LEADS}][{_CONTINUATION}]|[à-ï][{_CONTINUATION}]{{2}}"
_LOST_PY = re.compile(r"\ufffd|[^\W\d_]\?[^\W\d_]")
_LOST_RS = r"\x{FFFD}|\p{L}\?\p{L}"
_SCIENTIFIC = r"^\s*[+-]?\d+(?:[.,]\d+)?[eE]\+\d+\s*$"
_FORMULA = r"""^=\s*(?:[A-Za-z_][A-Za-z0-9_.]*\(|\$?[A-Z]{1,3}\$?\d+|"|'?[A-Za-z][\w ]*'?!|\d)"""
_ERROR = (
    r"^(?:#(?:N/A|NB|REF!|VERW!|VALUE!|WAARDE!|NAME\?|NAAM\?|DIV/0!|DEEL/0!|NUM!|GETAL!|NULL!"
    r"|LEEG!|SPILL!|OVERLOOP!|CALC!)|Err:\d{3})$"
)

_DIGITS = r"^\d+$"
_DATE_FORMATS: dict[str, str] = {
    "yyyy-mm-dd": r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?$",
    "dd-mm-yyyy": r"^\d{1,2}-\d{1,2}-\d{4}$",
    "dd/mm/yyyy": r"^\d{1,2}/\d{1,2}/\d{4}$",
    "dd.mm.yyyy": r"^\d{1,2}\.\d{1,2}\.\d{4}$",
    "dd-mm-yyyy hh:mm": r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}[ T]\d{1,2}:\d{2}(?::\d{2})?$",
    "dd-mm-yy": r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2}$",
}
_ANY_DATE = "|".join(f"(?:{pattern})" for pattern in _DATE_FORMATS.values())
# The two numbers before the year of a date in the Dutch order (day, month), or the American
# one (month, day): which it is, the numbers alone may tell.
_DMY_PARTS = (
    r"^(?P<first>\d{1,2})[-/.](?P<second>\d{1,2})[-/.]\d{2}(?:\d{2})?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
# A workbook's date cell, read as an ISO date: its day and month are what Excel understood.
_ISO_PARTS = r"^\d{4}-(?P<second>\d{2})-(?P<first>\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2})?)?$"
# A date that can only be month-first: a month (1-12), then a day that cannot be a month.
_MONTH_FIRST = r"^(?:0?[1-9]|1[0-2])[-/.](?:1[3-9]|2\d|3[01])[-/.]\d{2}(?:\d{2})?(?:[ T]|$)"
_DAY_MONTH_FORMATS = ("dd-mm-yyyy", "dd/mm/yyyy", "dd.mm.yyyy", "dd-mm-yyyy hh:mm", "dd-mm-yy")
_SAMPLE = 500
_MIN_ZERO_WIDTH = 4

Present = Callable[[bytes], bool]

_MOJIBAKE_TRIGGERS = (b"\x82", b"\x83", b"\x84", b"\x85", b"\x90", b"\x91")
TRIGGERS = (*_MOJIBAKE_TRIGGERS, b"\xef", b"?", b"+", b"=", b"#", b"Err:")
"""The bytes whose presence in a CSV file's text makes a check search the cells.

The second bytes of ``Â Ã Ä Å Ð Ñ`` in UTF-8 and of ``€`` (in ``â€™``) for mojibake, the
first byte of U+FFFD and ``?`` for lost characters, ``+`` for ``1,23E+11``, ``=`` for
formulas, ``#`` for Excel's error values and ``Err:`` for LibreOffice's (``Err:502``).
"""
_SCAN_CHUNK = 1 << 18
_LOST = msg("lost-characters")
_FORMULA_AS_TEXT = msg("formula-value.as-text")


def scan_bytes(data: bytes, needles: Sequence[bytes] = TRIGGERS) -> frozenset[bytes]:
    """Which of ``needles`` occur in ``data``, in one cache-friendly pass.

    Examples:
        >>> sorted(scan_bytes(b"1;Err:502;+31"))
        [b'+', b'Err:']
    """
    missing = list(needles)
    found: set[bytes] = set()
    overlap = max((len(needle) for needle in needles), default=1) - 1
    for offset in range(0, len(data), _SCAN_CHUNK):
        chunk = data[offset : offset + _SCAN_CHUNK + overlap]
        # A search for one byte is a memchr; for several bytes ten to twenty times slower
        # (``Err:`` cost 12 ms in a 23 MiB file): only where the needle's last byte occurs.
        for needle in [
            needle
            for needle in missing
            if (len(needle) == 1 or needle[-1:] in chunk) and needle in chunk
        ]:
            found.add(needle)
            missing.remove(needle)
        if not missing:
            break
    return frozenset(found)


def _always(_: bytes) -> bool:
    return True


def check_damage(
    frame: pl.DataFrame,
    names: Sequence[str],
    collector: Collector,
    *,
    present: Present | None = None,
    skip: set[tuple[int, int]] | None = None,
    workbook: bool | None = None,
) -> None:
    """Report damaged identifiers, lost zeros, re-formatted dates, mojibake and formulas.

    Args:
        frame: The table's frame (columns ``c0``... and the row numbers).
        names: The unique column names, for the issues.
        collector: Where the issues go.
        present: Whether a byte may occur in the cells' text (a CSV file's data, an XLSX
            workbook's shared strings); ``None``: the cells are always searched.
        skip: ``(row, column index)`` cells already reported from the workbook itself.
        workbook: The cells come from a workbook, whose date cells read as ISO dates
            (default: when ``present`` is ``None``).
    """
    if frame.height == 0 or not names:
        return
    if workbook is None:
        workbook = present is None
    present = present or _always
    _pattern_checks(frame, names, collector, present, skip or set())
    profiles = _profiles(frame.head(_SAMPLE), len(names))
    zero_columns, date_columns, stats = _cheap_stats(frame, profiles)
    _leading_zeros(frame, names, collector, zero_columns, stats)
    _dates(frame, names, collector, date_columns, stats, workbook=workbook)


def _hits(frame: pl.DataFrame, pattern: str, columns: Sequence[int]) -> dict[int, pl.DataFrame]:
    """For each column with a match: the matching rows' numbers and values."""
    import polars as pl

    if not columns:
        return {}
    flags = frame.select(
        [
            pl.col(internal_name(index)).str.contains(pattern).any().alias(str(index))
            for index in columns
        ]
    ).row(0)
    found: dict[int, pl.DataFrame] = {}
    for index, flag in zip(columns, flags, strict=True):
        if flag:
            name = internal_name(index)
            found[index] = frame.filter(pl.col(name).str.contains(pattern)).select(
                pl.col(ROW_KEY), pl.col(name).alias("value")
            )
    return found


def _pattern_checks(
    frame: pl.DataFrame,
    names: Sequence[str],
    collector: Collector,
    present: Present,
    skip: set[tuple[int, int]],
) -> None:
    columns = list(range(len(names)))
    checks: list[tuple[str, str]] = []
    if any(present(byte) for byte in (*_MOJIBAKE_TRIGGERS, b"\xef", b"?")):
        checks.append(("text", f"{_MOJIBAKE_RS}|{_LOST_RS}"))
    if present(b"+"):
        checks.append(("scientific", _SCIENTIFIC))
    if present(b"="):
        checks.append(("formula", _FORMULA))
    if present(b"#") or present(b"Err:"):
        checks.append(("error", _ERROR))
    for kind, pattern in checks:
        for index, hits in _hits(frame, pattern, columns).items():
            column = names[index]
            for row, value in hits.iter_rows():
                if (row, index) in skip:
                    continue
                _report(kind, value, row, column, collector)


def _listed(code: str, collector: Collector, severity: Severity = "warning") -> bool:
    """Whether an issue of ``code`` is still listed; past the cap it is only counted."""
    if collector.room(code):
        return True
    collector.skip(code, 1, severity=severity)
    return False


def _mojibake_message(sequence: str) -> Message:
    try:
        meant = sequence.encode("cp1252").decode("utf-8")
    except UnicodeError:
        return msg("mojibake.unknown-letter", sequence=sequence)
    return msg("mojibake", sequence=sequence, meant=meant)


def _report(kind: str, value: str, row: int, column: str, collector: Collector) -> None:
    """One damaged cell's issue; its message is built only when the issue is listed."""
    if kind == "text":
        mojibake = _MOJIBAKE_PY.search(value)
        if mojibake:
            if _listed("mojibake", collector):
                message = _mojibake_message(mojibake.group(0))
                collector.add("mojibake", message, row=row, column=column)
        elif _LOST_PY.search(value) and _listed("lost-characters", collector):
            collector.add("lost-characters", _LOST, row=row, column=column)
    elif kind == "scientific":
        if _listed("damaged-identifier", collector, "error"):
            collector.add(
                "damaged-identifier",
                msg("damaged-identifier.scientific", number=value.strip()),
                severity="error",
                row=row,
                column=column,
            )
    elif kind == "formula":
        if _listed("formula-value", collector):
            collector.add("formula-value", _FORMULA_AS_TEXT, row=row, column=column)
    elif kind == "error" and _listed("error-value", collector):
        collector.add(
            "error-value", msg("error-value.text", error=value.strip()), row=row, column=column
        )


def _profiles(sample: pl.DataFrame, count: int) -> list[dict[str, int]]:
    """Per column of the sample: filled cells, digit strings, leading zeros, dates per format."""
    import polars as pl

    names = [internal_name(index) for index in range(count)]
    long = sample.select(names).unpivot(variable_name="column", value_name="value")
    value = pl.col("value")
    stats = long.group_by("column").agg(
        (value.str.len_bytes() > 0).sum().alias("filled"),
        value.str.contains(_DIGITS).sum().alias("digits"),
        value.str.starts_with("0").sum().alias("zeros"),
        *(
            value.str.contains(pattern).sum().alias(label)
            for label, pattern in _DATE_FORMATS.items()
        ),
        value.str.contains(_MONTH_FIRST).sum().alias("month-first"),
    )
    by_name = {row["column"]: row for row in stats.iter_rows(named=True)}
    return [by_name[name] for name in names]


def _cheap_stats(
    frame: pl.DataFrame, profiles: list[dict[str, int]]
) -> tuple[list[int], dict[int, str], dict[str, int]]:
    """Which columns may have lost zeros or mix date formats; one parallel pass over them."""
    import polars as pl

    zero_columns = [
        index
        for index, profile in enumerate(profiles)
        if profile["filled"]
        and profile["digits"] * 10 >= profile["filled"] * 9
        and profile["zeros"]
    ]
    date_columns: dict[int, str] = {}
    stats_month_first: dict[int, int] = {}
    for index, profile in enumerate(profiles):
        dates = sum(profile[label] for label in _DATE_FORMATS)
        if profile["filled"] and dates * 10 >= profile["filled"] * 8:
            date_columns[index] = max(_DATE_FORMATS, key=lambda label: profile[label])
            stats_month_first[index] = profile["month-first"]
    expressions: list[pl.Expr] = []
    for index in zero_columns:
        width = pl.col(internal_name(index)).str.len_bytes()
        expressions += [width.min().alias(f"min{index}"), width.max().alias(f"max{index}")]
    # The regex is the costly part: each half of the column is its own expression, so that
    # polars searches the halves in parallel.
    half = frame.height // 2
    for index, label in date_columns.items():
        column = pl.col(internal_name(index))
        pattern = _DATE_FORMATS[label]
        expressions += [
            column.head(half).str.contains(pattern).sum().alias(f"fit{index}a"),
            column.slice(half).str.contains(pattern).sum().alias(f"fit{index}b"),
            (column.str.len_bytes() > 0).sum().alias(f"filled{index}"),
        ]
    stats = frame.select(expressions).row(0, named=True) if expressions else {}
    for index in date_columns:
        stats[f"fit{index}"] = stats.pop(f"fit{index}a") + stats.pop(f"fit{index}b")
        stats[f"month_first{index}"] = stats_month_first[index]  # in the sample
    return zero_columns, date_columns, stats


def _leading_zeros(
    frame: pl.DataFrame,
    names: Sequence[str],
    collector: Collector,
    columns: list[int],
    stats: dict[str, int],
) -> None:
    import polars as pl

    for index in columns:
        if stats[f"min{index}"] == stats[f"max{index}"]:
            continue  # every value as wide as the others: no zeros lost
        name = internal_name(index)
        values = frame.select(
            pl.col(ROW_KEY),
            pl.col(name).str.len_bytes().alias("width"),
            pl.col(name).str.contains(_DIGITS).alias("digits"),
            pl.col(name).str.starts_with("0").alias("zero"),
        ).filter(pl.col("digits"))
        zero_widths = values.filter(pl.col("zero")).get_column("width")
        if zero_widths.is_empty():
            continue
        width = int(zero_widths.mode().sort()[-1])
        if width < _MIN_ZERO_WIDTH:
            continue
        at_width = int((values.get_column("width") == width).sum())
        if at_width * 10 < values.height * 3:
            continue
        short = values.filter(pl.col("width") < width).get_column(ROW_KEY)
        listed = short.head(collector.room("leading-zeros-lost"))
        message = msg("leading-zeros-lost", width=width)
        for row in listed:
            collector.add("leading-zeros-lost", message, row=row, column=names[index])
        collector.skip("leading-zeros-lost", short.len() - listed.len())


def _dates(
    frame: pl.DataFrame,
    names: Sequence[str],
    collector: Collector,
    columns: dict[int, str],
    stats: dict[str, int],
    *,
    workbook: bool,
) -> None:
    """Dates in another format than the column's, two-digit years, and day-month order.

    A column in one format is only searched further when its sample holds a date that can
    only be month-first, or when the format is one that may hide such dates (``dd/mm/yyyy``,
    two-digit years). ``workbook``: the ISO dates are date cells, as Excel understood them.
    """
    import polars as pl

    for index, dominant in columns.items():
        consistent = stats[f"fit{index}"] == stats[f"filled{index}"]
        if (
            consistent
            and dominant not in ("dd-mm-yy", "dd/mm/yyyy")
            and not stats[f"month_first{index}"]
        ):
            continue
        value = pl.col(internal_name(index))
        formats = pl.lit("")
        for label, pattern in reversed(_DATE_FORMATS.items()):
            formats = pl.when(value.str.contains(pattern)).then(pl.lit(label)).otherwise(formats)
        # The numbers are extracted once, into columns, and judged from there.
        found = frame.select(
            pl.col(ROW_KEY),
            formats.alias("format"),
            value.str.extract_groups(_DMY_PARTS).alias("dmy"),
            *([value.str.extract_groups(_ISO_PARTS).alias("iso")] if workbook else []),
        )
        sources = ("dmy", "iso") if workbook else ("dmy",)
        numbers = [
            pl.coalesce([pl.col(part).struct.field(field) for part in sources]).cast(pl.Int32)
            for field in ("first", "second")
        ]
        classified = found.select(
            pl.col(ROW_KEY), pl.col("format"), _order(*numbers).alias("order")
        )
        _judge_dates(classified, names[index], collector, workbook=workbook)


def _order(first: pl.Expr, second: pl.Expr) -> pl.Expr:
    """How a date's two numbers before the year can be read: the day-month order it allows.

    ``month-first``: the second number cannot be a month (12/19/1997). ``day-first``: the
    first cannot (19/12/1997). ``either``: both are 12 or less and differ (4/2/2000), so the
    date reads as another one when day and month are swapped. ``same``: equal (5/5/2000).
    Null for anything else.
    """
    import polars as pl

    month_first = first.is_between(1, 12)
    day_first = second.is_between(1, 12)
    return (
        pl.when(month_first & day_first)
        .then(pl.when(first == second).then(pl.lit("same")).otherwise(pl.lit("either")))
        .when(month_first & second.is_between(13, 31))
        .then(pl.lit("month-first"))
        .when(day_first & first.is_between(13, 31))
        .then(pl.lit("day-first"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def _judge_dates(
    classified: pl.DataFrame, column: str, collector: Collector, *, workbook: bool
) -> None:
    """Report one date column's dates from their formats and day-month orders."""
    import polars as pl

    tally = (
        classified.group_by("format", "order", maintain_order=True)
        .agg(pl.len().alias("count"), pl.col(ROW_KEY).first().alias("first_row"))
        .rows(named=True)
    )
    formats: Counter[str] = Counter()
    orders: Counter[str] = Counter()
    first_rows: dict[str, int] = {}
    for group in tally:
        if group["format"]:
            formats[group["format"]] += group["count"]
        if group["order"]:
            orders[group["order"]] += group["count"]
            earliest = first_rows.get(group["order"], group["first_row"])
            first_rows[group["order"]] = min(earliest, group["first_row"])
    common = formats.most_common(1)[0][0] if formats else ""
    month_first, day_first, either = orders["month-first"], orders["day-first"], orders["either"]
    readable = day_first + either + orders["same"]  # dates that read day-first
    # No date proves the day-first order: the column is month-first, and Excel swapped day
    # and month in every date that it could read day-first.
    american = bool(month_first and either and not day_first)
    if month_first and either:
        _ambiguous_column(
            column, collector, orders=orders, first_rows=first_rows, american=american
        )
    family = [*_DAY_MONTH_FORMATS, *(["yyyy-mm-dd"] if workbook else [])]
    order, label = pl.col("order"), pl.col("format")
    kind = (
        pl.when((order == "month-first") & (month_first > 0 and readable > 0))
        .then(pl.lit("month-first"))
        .when((order == "day-first") & (0 < day_first < month_first))
        .then(pl.lit("day-first"))
        .when(label == "dd-mm-yy")
        .then(pl.lit("two-digit year"))
        # In an American column the formats differ because Excel re-wrote some dates: the
        # column's issue says so.
        .when(
            (label != common)
            & (label != "")
            & ~(label.is_in(family) & (american and common in family))
        )
        .then(pl.lit("format"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    flagged = classified.select(pl.col(ROW_KEY), label, kind.alias("kind")).drop_nulls("kind")
    listed = flagged.head(collector.room("date-reformatted"))
    for row, written, why in listed.iter_rows():
        collector.add(
            "date-reformatted", _date_message(why, written, common), row=row, column=column
        )
    collector.skip("date-reformatted", flagged.height - listed.height)


def _date_message(kind: str, label: str, common: str) -> Message:
    if kind == "month-first":
        written = label.replace("dd", "DD").replace("mm", "dd").replace("DD", "mm")
        return msg("date-reformatted.month-first", written=written)
    if kind == "day-first":
        return msg("date-reformatted.day-first", written=label)
    if kind == "two-digit year":
        return msg("date-reformatted.two-digit-year")
    return msg("date-reformatted.other-format", written=label, common=common)


def _ambiguous_column(
    column: str,
    collector: Collector,
    *,
    orders: Counter[str],
    first_rows: dict[str, int],
    american: bool,
) -> None:
    """The column holds month-first dates beside dates whose day and month may be swapped."""
    month_first, either = orders["month-first"], orders["either"]
    row = first_rows["month-first"]
    if american:
        message = msg("dates-ambiguous.american", count=month_first, row=row, either=either)
        severity: Severity = "error"
    else:
        message = msg(
            "dates-ambiguous.mixed",
            month_first=month_first,
            row=row,
            day_first=orders["day-first"],
            day_row=first_rows["day-first"],
            either=either,
        )
        severity = "warning"
    collector.add("dates-ambiguous", message, severity=severity, column=column)
