"""``ek.read``: the one entry point for every format, and the registry behind it.

A format registers a *sniffer* (does this look like me? from the first bytes and the file name)
and a *reader* (source and options in, :class:`ReadResult` out). :func:`read` asks the formats
in order and hands the source to the first that claims it. The tabular formats (CSV and the
workbooks) come last and take everything else; ``read_table`` refuses what is no table, with
a message that says what it is. The EDEXML and Somtoday readers plug in with
:func:`register_format` without touching this module.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import attrs

if TYPE_CHECKING:
    from typing import TypeAlias

    from edukoppel.mapping import ColumnMapping, Profile, ValueMap
    from edukoppel.mapping._convert import BadCell
    from edukoppel.model import EntityKind, Roster
    from edukoppel.readers.table._table import Table
    from edukoppel.report import Report

    ValueMapSource: TypeAlias = (
        ValueMap | Mapping[str, Mapping[str, str | None]] | str | os.PathLike[str]
    )

__all__ = ["Format", "ReadResult", "formats", "read", "register_format"]

_HEAD = 4096
Source = str | os.PathLike[str] | bytes | BinaryIO


@attrs.frozen
class ReadResult:
    """What :func:`edukoppel.read` found in a source.

    Attributes:
        roster: The records, with what the source provides.
        report: Everything that was detected and everything that looked wrong, with where.
        mapping: How the columns were mapped (``None`` for a structured source such as
            EDEXML, whose fields need no mapping).
        table: The table the roster came from (``None`` for a structured source).
        format: The registered format that read it (``"table"``, ``"edexml"``...), or
            ``"many"`` for :func:`edukoppel.read_many`.
        parts: For :func:`edukoppel.read_many`, the result of each file or sheet.
    """

    roster: Roster
    report: Report
    mapping: ColumnMapping | None = None
    table: Table | None = None
    format: str = "table"
    parts: tuple[ReadResult, ...] = ()

    def __repr__(self) -> str:
        head = str(self.report).splitlines()[0]
        return f"<ReadResult {self.format}: {self.roster!r}, {head}>"

    def value_counts(self, field: str) -> dict[str, int]:
        r"""A field's distinct source values and how often each occurs, most frequent first.

        What a value map (koppeltabel) is built from: for a table, the cells of the
        column(s) mapped to the field as the file has them (stripped, empty ones left out;
        ``guardian.relation`` counts every guardian's column); for a structured source, the
        roster's values.

        Examples:
            >>> import edukoppel as ek
            >>> export = b"Stamnr;Naam;Opleiding\n1;Berg;HAVO\n2;Bos;havo 3\n3;Bak;HAVO\n"
            >>> counts = ek.read(export, name="lln.csv").value_counts("student.program")
            >>> counts
            {'HAVO': 2, 'havo 3': 1}
            >>> values = {value: "havo" for value in counts}  # then fill in, or save
        """
        from edukoppel.mapping import Target

        wanted = Target.parse(field)
        counts: dict[str, int] = {}
        if self.table is not None and self.mapping is not None:
            columns = [
                match.column
                for match in self.mapping
                if match.target is not None
                and Target.parse(match.target).kind == wanted.kind
                and Target.parse(match.target).field == wanted.field
                and wanted.number in (None, Target.parse(match.target).number)
            ]
            if not columns:
                from edukoppel.exceptions import MappingError

                mapped = ", ".join(sorted(set(self.mapping.targets.values()))) or "none"
                raise MappingError(f"no column maps to {field}; the mapped fields are {mapped}")
            for column in columns:
                for value in self.table.column(column):
                    if value.strip():
                        counts[value.strip()] = counts.get(value.strip(), 0) + 1
        else:
            for record in self.roster.records(wanted.kind):
                found = getattr(record, wanted.field, None)
                if found not in (None, "", ()):
                    counts[str(found)] = counts.get(str(found), 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


@attrs.frozen
class Format:
    """A registered source format.

    Attributes:
        name: A short name (``"edexml"``).
        sniff: ``sniff(head, name)``: whether the source is this format, from its first
            bytes and its file name (``None`` for bytes without a name).
        read: ``read(data, name=..., **options)``: the source's bytes in, a result out.
    """

    name: str
    sniff: Callable[[bytes, str | None], bool]
    read: Callable[..., ReadResult]


_FORMATS: list[Format] = []


def register_format(format: Format, *, before: str | None = "table") -> None:
    """Add a format, asked before the one named ``before`` (the tables, by default)."""
    global _FORMATS  # noqa: PLW0603 - the registry is the module's state by design
    others = [item for item in _FORMATS if item.name != format.name]
    names = [item.name for item in others]
    index = names.index(before) if before in names else len(others)
    _FORMATS = [*others[:index], format, *others[index:]]


def formats() -> tuple[Format, ...]:
    """The registered formats, in the order they are asked."""
    return tuple(_FORMATS)


def _load(source: Source, name: str | None) -> tuple[bytes | str | os.PathLike[str], str | None]:
    """A path stays a path (the readers stream from it); a stream is read into bytes."""
    if isinstance(source, bytes | bytearray):
        return bytes(source), name
    if isinstance(source, str | os.PathLike):
        return source, name or Path(source).name
    if isinstance(source, io.IOBase) or hasattr(source, "read"):
        data = source.read()
        if not isinstance(data, bytes):
            raise TypeError("read() takes a binary file object (open the file with 'rb')")
        return data, name or getattr(source, "name", None)
    raise TypeError(f"read() takes a path, bytes or a binary file, not {type(source).__name__}")


def _head(data: bytes | str | os.PathLike[str]) -> bytes:
    if isinstance(data, bytes):
        return data[:_HEAD]
    try:
        with open(data, "rb") as handle:
            return handle.read(_HEAD)
    except OSError:
        return b""  # the reader says what is wrong with the path


def read(
    source: Source,
    *,
    entity: EntityKind | None = None,
    mapping: ColumnMapping | None = None,
    preset: str | bool | None = None,
    profile: str | os.PathLike[str] | Profile | None = None,
    overrides: Mapping[str, str | None] | None = None,
    required: Sequence[str | Sequence[str]] | None = None,
    values: ValueMap
    | Mapping[str, Mapping[str, str | None]]
    | str
    | os.PathLike[str]
    | None = None,
    on_bad_cell: BadCell = "keep",
    source_name: str | None = None,
    name: str | None = None,
    **options: Any,
) -> ReadResult:
    r"""Read any supported source into a roster: detect the format, map, convert, report.

    For a CSV file or a workbook this is :func:`edukoppel.read_table`, then
    :func:`edukoppel.match_columns`, then one record per row; each bad cell is a report issue
    at its row and column, never a crash and never the value itself. An EDEXML or UWLR file
    goes to :func:`edukoppel.read_edexml`; a :class:`~edukoppel.somtoday.SomtodaySettings`
    (or any object with an ``__edukoppel_read__`` method) is read from its API.

    Args:
        source: A path, the file's bytes, or a binary file object.
        entity: What a row holds (``student``, ``staff``...); default: from the preset, or
            ``student``.
        mapping: A mapping made before (by :func:`match_columns`, and checked by a person).
        preset: A preset's name, ``False`` for none; default: recognised from the header.
        profile: A saved mapping profile to apply.
        overrides: Columns mapped by hand: ``{"Nr": "student.key"}``.
        required: The fields your application needs beside the catalogue's, each a field
            or a tuple of alternatives (``["username", ("email", "username")]``); one that
            no column maps to is a ``required-field-unmapped`` error in the report (with
            ``mapping=``, the mapping's own, from :func:`match_columns`).
        values: Value maps (koppeltabellen): per field, what each source value means in
            your application (``{"student.program": {"HAVO": "havo"}}``), or a TOML or CSV
            file of them; over the profile's own. An unknown value is kept and reported
            (``unknown-value``) with its rows.
        on_bad_cell: ``"keep"`` a row without a value the model refuses (and warn),
            ``"skip"`` the row, or ``"fail"`` the read.
        source_name: The roster's ``source``: a short, *stable* name for this kind of export
            (``"leerlingen-export"``). Records a sync adds are owned by it, and a sync
            changes only its own records, so it must stay the same from week to week:
            never the file name, which changes. Default: ``"import"`` for a file, a
            connection's own (``SomtodaySettings.source_name``) for an API.
        name: The file name for messages, when ``source`` is bytes or a stream.
        options: Passed on to the format's reader (``sheet=``, ``encoding=``, ...).

    Raises:
        MappingError: No identifier, username or e-mail column; a profile whose key
            column is gone; or a bad cell with ``on_bad_cell="fail"``.
        ReaderError: The source cannot be read (see :func:`edukoppel.read_table`).

    Examples:
        >>> import edukoppel as ek
        >>> export = "Leerlingnummer;Roepnaam;Achternaam;Klas\n00123;Zoë;Çelik;1HA\n"
        >>> result = ek.read(export.encode(), name="leerlingen.csv")
        >>> result.roster
        <Roster source='import': 1 group, 1 student>
        >>> result.mapping.targets["Klas"]
        'student.homeroom'
    """
    connect = getattr(source, "__edukoppel_read__", None)
    if connect is not None:  # a connection to an API (SomtodaySettings), not a file
        given = {
            "entity": entity, "mapping": mapping, "preset": preset, "profile": profile,
            "overrides": overrides, "required": required, "values": values,
        }  # fmt: skip
        misplaced = sorted(key for key, value in given.items() if value is not None)
        if misplaced:
            raise TypeError(
                f"{type(source).__name__} is read without a column mapping: "
                f"{', '.join(misplaced)} does not apply"
            )
        result: ReadResult = connect(source_name=source_name, **options)
        return result
    data, file_name = _load(source, name)
    head = _head(data)
    for candidate in _FORMATS:
        if candidate.sniff(head, file_name):
            return candidate.read(
                data,
                name=file_name,
                entity=entity,
                mapping=mapping,
                preset=preset,
                profile=profile,
                overrides=overrides,
                required=required,
                values=_value_map(values),
                on_bad_cell=on_bad_cell,
                source_name=source_name or "import",
                **options,
            )
    raise AssertionError("the table format takes every source")  # pragma: no cover


def _read_table_source(
    data: bytes | str | os.PathLike[str],
    *,
    name: str | None,
    entity: EntityKind | None,
    mapping: ColumnMapping | None,
    preset: str | bool | None,
    profile: str | os.PathLike[str] | Profile | None,
    overrides: Mapping[str, str | None] | None,
    required: Sequence[str | Sequence[str]] | None,
    values: ValueMap | None,
    on_bad_cell: BadCell,
    source_name: str,
    **options: Any,
) -> ReadResult:
    from edukoppel.mapping import Profile, match_columns
    from edukoppel.mapping._convert import to_roster
    from edukoppel.readers.table._read import read_table

    table = read_table(data, name=name, **options)
    saved = Profile.load(Path(profile)) if isinstance(profile, str | os.PathLike) else profile
    if saved is not None and saved.values is not None:
        values = saved.values.merged(values)
    if mapping is None:
        mapping = match_columns(
            table,
            entity=entity,
            preset=None if preset is True else preset,
            profile=saved,
            overrides=overrides,
            required=required,
        )
    elif overrides:
        mapping = mapping.with_overrides(overrides)
    roster, report = to_roster(
        table, mapping, source=source_name, on_bad_cell=on_bad_cell, values=values
    )
    _report_mapping(mapping, table, report)
    return ReadResult(roster=roster, report=report, mapping=mapping, table=table, format="table")


def _value_map(given: ValueMapSource | None) -> ValueMap | None:
    from edukoppel.mapping import ValueMap

    if given is None or isinstance(given, ValueMap):
        return given
    if isinstance(given, str | os.PathLike):
        return ValueMap.load(given)
    return ValueMap(given)


def _report_mapping(mapping: ColumnMapping, table: Table, report: Report) -> None:
    """What the mapping left open, as issues: required fields, and the columns left out."""
    from edukoppel._i18n import msg
    from edukoppel.report import Issue

    if mapping.preset:
        report.detected["preset"] = mapping.preset
    for target in mapping.missing:
        hints = tuple(
            match.column
            for match in mapping
            if match.target is None and any(c.target == target for c in match.candidates)
        )
        report.add(
            Issue(
                code="required-field-unmapped",
                severity="error",
                file=table.file,
                sheet=table.sheet,
                field=target,
                message=(
                    msg("required-field-unmapped.hint", target=target, columns=hints)
                    if hints
                    else msg("required-field-unmapped", target=target)
                ),
            )
        )
    left = tuple(mapping.unmapped)
    if left:
        report.add(
            Issue(
                code="columns-unmapped",
                severity="info",
                file=table.file,
                sheet=table.sheet,
                message=msg("columns-unmapped", count=len(left), columns=left),
            )
        )


register_format(Format("table", lambda _head, _name: True, _read_table_source), before=None)
