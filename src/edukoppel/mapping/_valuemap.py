"""Value maps (koppeltabellen): which source value means which of the host's values.

A value map says, per field, what each value of the export means in your application:
``HAVO``, ``havo 3`` and ``0300`` are all your ``havo``; a Numo ``teamleider`` is your
``leiding``. Source values are compared without regard to case and surrounding or repeated
spaces. A value the map does not know is never translated silently: it is read as it is and
reported (``unknown-value``) with every row that has it.

A value map is data: a dict, or a small file an admin edits. TOML::

    [values."student.program"]
    "HAVO" = "havo"
    "havo 3" = "havo"
    "0300" = "havo"
    "Onbekend" = ""        # no value

or CSV, one line per source value, with the columns ``field``, ``source`` and ``value``
(Dutch: ``veld``, ``bronwaarde``, ``waarde``).
"""

from __future__ import annotations

import csv
import io
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from edukoppel.exceptions import MappingError
from edukoppel.mapping._catalogue import Target, catalogue

if TYPE_CHECKING:
    import polars as pl

__all__ = ["ValueMap", "fold", "fold_expression"]

_SPACES = re.compile(r"\s+")
_CSV_COLUMNS = {
    "field": "field",
    "veld": "field",
    "source": "source",
    "bron": "source",
    "bronwaarde": "source",
    "value": "value",
    "waarde": "value",
}


def fold(value: str) -> str:
    """A value as a value map compares it: stripped, lower case, single spaces.

    Examples:
        >>> fold("  HAVO   3 ")
        'havo 3'
    """
    return _SPACES.sub(" ", value.strip()).lower()


def _tables(
    given: Mapping[str, Mapping[str, str | None]], *, name: str
) -> dict[str, dict[str, str | None]]:
    """Checked tables: fields the catalogue knows, and no two source values folding alike.

    The source values are kept as written; meanings of ``""`` become ``None``.
    """
    tables: dict[str, dict[str, str | None]] = {}
    for field, table in given.items():
        try:
            target = Target.parse(field)
        except ValueError as error:
            raise MappingError(f"{name}: {error}") from None
        if catalogue().spec(target) is None:
            raise MappingError(f"{name}: {field!r} is not a field edukoppel knows")
        if not isinstance(table, Mapping):
            raise MappingError(f"{name}: {field!r} must map source values to values")
        folded: dict[str, str | None] = {}
        originals: dict[str, str] = {}
        kept: dict[str, str | None] = {}
        for source, meaning in table.items():
            key = fold(str(source))
            value = None if meaning is None or str(meaning).strip() == "" else str(meaning)
            if key in folded and folded[key] != value:
                raise MappingError(
                    f"{name}: {field!r} maps {originals[key]!r} and {source!r} (the same value "
                    f"but for case or spaces) to different values"
                )
            folded[key] = value
            originals[key] = str(source)
            kept[str(source)] = value
        tables[str(target)] = kept
    return tables


def _fold_tables(
    tables: Mapping[str, Mapping[str, str | None]],
) -> dict[str, dict[str, str | None]]:
    return {
        field: {fold(source): meaning for source, meaning in table.items()}
        for field, table in tables.items()
    }


def _checked(given: Mapping[str, Mapping[str, str | None]]) -> dict[str, dict[str, str | None]]:
    return _tables(given, name="value map")


@attrs.frozen
class ValueMap:
    """Koppeltabellen: per field (``student.program``), source values and what they mean.

    A meaning of ``None`` (or ``""`` in a file) means "no value".

    Examples:
        >>> programs = ValueMap({"student.program": {"HAVO": "havo", "havo 3": "havo"}})
        >>> programs.translate("student.program", " Havo  3")
        (True, 'havo')
        >>> programs.translate("student.program", "vwo")
        (False, 'vwo')
        >>> programs.translate("student.gender", "M")  # no table for the field: unchanged
        (True, 'M')
    """

    tables: Mapping[str, Mapping[str, str | None]] = attrs.field(converter=_checked)
    _folded: Mapping[str, Mapping[str, str | None]] = attrs.field(init=False, eq=False, repr=False)

    @_folded.default
    def _folded_default(self) -> Mapping[str, Mapping[str, str | None]]:
        return _fold_tables(self.tables)

    def __contains__(self, field: object) -> bool:
        return field in self.tables

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the map has a table for."""
        return tuple(self.tables)

    def translate(self, field: str, value: str) -> tuple[bool, str | None]:
        """``(known, meaning)``: the value's meaning, or the value itself when unknown.

        An empty value is known (and stays empty); a field without a table keeps its values.
        """
        table = self._folded.get(field)
        if table is None or not value.strip():
            return True, value
        key = fold(value)
        if key in table:
            return True, table[key]
        return False, value

    def expression(self, field: str, cells: pl.Expr) -> pl.Expr:
        """A polars expression that translates a column of this field (unknown values kept)."""
        import polars as pl

        table = self._folded[field]
        folded = fold_expression(cells)
        return (
            pl.when(folded.is_in(list(table)))
            .then(folded.replace_strict(dict(table), default=None, return_dtype=pl.String))
            .otherwise(cells)
        )

    def unknown(self, field: str, cells: pl.Expr) -> pl.Expr:
        """Whether each filled cell of this field is a value the map does not know."""
        folded = fold_expression(cells)
        return (folded != "") & ~folded.is_in(list(self._folded[field]))

    def merged(self, other: ValueMap | None) -> ValueMap:
        """This map with ``other``'s tables over it (a field's table is replaced whole)."""
        if other is None:
            return self
        return ValueMap({**self.tables, **other.tables})

    # -- files ---------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ValueMap:
        """A value map from a TOML file (``[values."student.program"]``) or a CSV file."""
        source = Path(path)
        try:
            text = source.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise MappingError(f"cannot read the value map {source}: {error}") from None
        if source.suffix.lower() == ".csv":
            return cls.from_csv(text, name=source.name)
        return cls.from_toml(text, name=source.name)

    @classmethod
    def from_toml(cls, text: str, *, name: str = "value map") -> ValueMap:
        """A value map from TOML text: a ``[values."field"]`` table per field."""
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise MappingError(f"{name}: not a value map ({error})") from None
        tables = document.get("values", {})
        others = sorted(key for key in document if key != "values")
        if not isinstance(tables, Mapping) or others:
            # A table written as ["student.program"] instead of [values."student.program"]
            # would otherwise be read as no value map at all.
            found = f" (found {', '.join(repr(key) for key in others)})" if others else ""
            raise MappingError(f'{name}: expected [values."field"] tables{found}')
        return cls(_tables(tables, name=name))

    @classmethod
    def from_csv(cls, text: str, *, name: str = "value map") -> ValueMap:
        """A value map from CSV text with the columns field, source and value (any order)."""
        sample = text[:4096]
        try:
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ";,\t")
        except csv.Error:
            dialect = csv.excel
        rows = list(csv.reader(io.StringIO(text), dialect))
        if not rows:
            raise MappingError(f"{name}: the value map is empty")
        header = [_CSV_COLUMNS.get(cell.strip().lower(), "") for cell in rows[0]]
        if {"field", "source", "value"} - set(header):
            raise MappingError(
                f"{name}: the first line must name the columns field, source and value "
                f"(veld, bronwaarde, waarde); it has {', '.join(rows[0])}"
            )
        where = {column: header.index(column) for column in ("field", "source", "value")}
        tables: dict[str, dict[str, str | None]] = {}
        for number, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) <= max(where.values()):
                raise MappingError(f"{name}, line {number}: expected field, source and value")
            field = row[where["field"]].strip()
            tables.setdefault(field, {})[row[where["source"]]] = row[where["value"]]
        return cls(_tables(tables, name=name))

    def to_toml(self) -> str:
        """The map as TOML text (what :meth:`save` writes)."""
        from edukoppel.mapping._profile import values_toml

        return values_toml(self.tables)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the map as TOML. Returns the path."""
        target = Path(path)
        target.write_text(self.to_toml(), encoding="utf-8")
        return target


def fold_expression(cells: pl.Expr) -> pl.Expr:
    """:func:`fold` as a polars expression."""
    return cells.str.strip_chars().str.replace_all(r"\s+", " ").str.to_lowercase()
