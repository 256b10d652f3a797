"""What the rows above the header say about the school: a school year, a BRIN.

Exports often carry "Leerlingen Voorbeeldcollege, schooljaar 2024-2025" or "BRIN 99ZX" above
the header. Put on the roster's school, they let the sync's school and school-year safeguards
stop a file of last year or of another school.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from edukoppel._i18n import msg
from edukoppel.model import School
from edukoppel.report import Issue

__all__ = ["Found", "school_from_title"]

_YEARS = re.compile(r"(?<!\d)(20\d\d)\s*[-/]\s*(20\d\d|\d\d)(?!\d)")
_BRIN6 = re.compile(r"(?<![0-9A-Za-z])(\d{2}[A-Za-z]{2}\d{2})(?![0-9A-Za-z])")
_BRIN4 = re.compile(r"\bbrin\w*\s*[:=]?\s*(\d{2}[A-Za-z]{2})(?![0-9A-Za-z])", re.IGNORECASE)


@attrs.frozen
class Found:
    """A school year or BRIN found above the header, and the row that said it."""

    what: str
    value: str
    row: int


def _school_year(first: str, second: str) -> str | None:
    start = int(first)
    end = int(second) if len(second) == 4 else start // 100 * 100 + int(second)
    return f"{start}-{end}" if end == start + 1 else None


def find(rows: Iterable[tuple[int, Iterable[str]]]) -> list[Found]:
    """Every school year, BRIN6 and BRIN4 the rows name, in order.

    Examples:
        >>> [f.value for f in find([(1, ["Leerlingen, schooljaar 2024/25"]), (2, ["99ZX10"])])]
        ['2024-2025', '99ZX10']
    """
    found: list[Found] = []
    for row, cells in rows:
        text = " ".join(cell for cell in cells if cell)
        for match in _YEARS.finditer(text):
            year = _school_year(*match.groups())
            if year:
                found.append(Found("school_year", year, row))
        brin6 = [m.group(1).upper() for m in _BRIN6.finditer(text)]
        found.extend(Found("brin6", value, row) for value in brin6)
        for match in _BRIN4.finditer(text):
            value = match.group(1).upper()
            if not any(b.startswith(value) for b in brin6):
                found.append(Found("brin4", value, row))
    return found


def school_from_title(
    rows: Iterable[tuple[int, Iterable[str]]], *, file: str, sheet: str | None
) -> tuple[School | None, list[Issue]]:
    """The school the rows above the header name, with an issue that says where it came from.

    Two different school years (or schools) above one header are a conflict: nothing is
    taken, and a warning says so.
    """
    found = find(rows)
    years = sorted({f.value for f in found if f.what == "school_year"})
    brins = sorted({f.value[:4] for f in found if f.what in ("brin4", "brin6")})
    issues: list[Issue] = []
    for values, what in ((years, "school-year"), (brins, "brin")):
        if len(values) > 1:
            issues.append(
                Issue(
                    code="school-in-title-conflict",
                    severity="warning",
                    file=file,
                    sheet=sheet,
                    message=msg(f"school-in-title-conflict.{what}", values=tuple(values)),
                )
            )
    year = years[0] if len(years) == 1 else None
    brin = brins[0] if len(brins) == 1 else None
    if year is None and brin is None:
        return None, issues
    for item in found:
        if (item.what == "school_year" and item.value == year) or (
            item.what != "school_year" and item.value[:4] == brin
        ):
            issues.append(
                Issue(
                    code="school-from-title",
                    severity="info",
                    file=file,
                    sheet=sheet,
                    row=item.row,
                    message=msg(f"school-from-title.{item.what}", value=item.value),
                )
            )
    return School(brin=brin, school_year=year), issues
