"""``ek.read_many``: several files (or the sheets of one workbook) into one roster.

KIC imports klassen, then leerlingen, then medewerkers, from three Excel files; a school's
export is often one workbook with a sheet per kind. Each part is read by :func:`read` (which
recognises from the header what its rows hold), and the parts become one roster and one
report: records of a kind that several parts hold are joined by key, the links between the
parts are checked (a pupil in a class that no file defines, a mentor code that names no
staff member), and the roster provides the union of what the parts provide.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from edukoppel._i18n import msg
from edukoppel.exceptions import EdukoppelError, MalformedFileError, MappingError
from edukoppel.model import (
    ENTITY_KINDS,
    ROSTER_ARGUMENTS,
    EntityKind,
    Guardian,
    Roster,
    School,
    Staff,
    data_fields,
)
from edukoppel.readers._registry import ReadResult, Source, read
from edukoppel.readers.table._table import Provenance
from edukoppel.report import Issue, Report

if TYPE_CHECKING:
    from edukoppel.model import Record

__all__ = ["read_many"]

_LINK_FIELDS = frozenset({"groups", "mentees", "students", "roles", "locations"})
_MAX_LISTED = 50


def read_many(
    sources: Source | Sequence[Source | tuple[Source, Mapping[str, Any]]],
    *,
    source_name: str = "import",
    **options: Any,
) -> ReadResult:
    r"""Read several files, or every sheet of one workbook, into one roster and one report.

    Args:
        sources: The files (paths, bytes or streams), each alone or as ``(file, options)``
            for options of its own (``{"entity": "staff", "sheet": "Docenten"}``). One
            workbook on its own (not in a list) is read sheet by sheet.
        source_name: The roster's ``source``, the same for every part (see :func:`read`).
        options: Passed to :func:`read` for every part (``values=``, ``required=``...).

    Returns:
        A result whose ``roster`` joins the parts, whose ``report`` holds every part's
        issues and the checks of the links between them, and whose ``parts`` are the
        results of each file or sheet.

    Examples:
        >>> import edukoppel as ek
        >>> klassen = b"Klascode;Klasnaam;Leerjaar\n1HA;Klas 1HA;1\n"
        >>> leerlingen = b"Leerlingnummer;Achternaam;Klas\n00123;Berg;1HA\n00124;Bos;1HC\n"
        >>> result = ek.read_many([(klassen, {"name": "klassen.csv"}),
        ...                        (leerlingen, {"name": "leerlingen.csv"})])
        >>> result.roster.groups["1HA"].name, sorted(result.roster.provides["group"])
        ('Klas 1HA', ['key', 'kind', 'name', 'year'])
        >>> [issue.row for issue in result.report.by_code("unknown-group")]
        [3]
    """
    expanded = _expand(sources)
    if not expanded:
        raise ValueError("read_many() needs at least one file")
    by_sheet = not isinstance(sources, Sequence) or isinstance(sources, str | bytes)
    parts: list[ReadResult] = []
    skipped: list[Issue] = []
    for source, own in expanded:
        try:
            parts.append(read(source, source_name=source_name, **{**options, **own}))
        except (MalformedFileError, MappingError) as error:
            # One workbook, sheet by sheet: an empty sheet, or a sheet of lists (a template's
            # Keuzelijsten) without an identifier, is no part, and the report says so.
            if not by_sheet or not _skippable(error):
                raise
            skipped.append(
                Issue(
                    code="sheet-skipped",
                    severity="warning",
                    file=own.get("name"),
                    sheet=own.get("sheet"),
                    message=msg("sheet-skipped", reason=error.message_in(None)),
                )
            )
    if not parts:
        raise MappingError(msg("read-many.no-part"))
    result = _combine(parts, source_name=source_name)
    result.report.extend(skipped)
    return result


def _skippable(error: EdukoppelError) -> bool:
    return error.message_id in ("refusal.empty-sheet", "mapping.no-key")


def _expand(
    sources: Source | Sequence[Source | tuple[Source, Mapping[str, Any]]],
) -> list[tuple[Source, dict[str, Any]]]:
    """The parts to read: each source with its own options; one workbook, sheet by sheet."""
    if isinstance(sources, str | os.PathLike | bytes | bytearray) or hasattr(sources, "read"):
        return _sheets(sources)  # type: ignore[arg-type]
    expanded: list[tuple[Source, dict[str, Any]]] = []
    for item in sources:
        if isinstance(item, tuple):
            source, own = item
            expanded.append((source, dict(own)))
        else:
            expanded.append((item, {}))
    return expanded


_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # XLSX, XLSM and ODS; XLS


def _sheets(source: Source) -> list[tuple[Source, dict[str, Any]]]:
    """One part per visible sheet of a workbook (one part for a file that is none)."""
    from edukoppel.readers.table._detect import content_kind, load_source
    from edukoppel.readers.table._spreadsheet import visible_sheets
    from edukoppel.readers.table._table import DEFAULT_MAX_BYTES

    data, file, _ = load_source(source, name=None, max_bytes=DEFAULT_MAX_BYTES)
    if not data.startswith(_WORKBOOK_MAGIC):
        return [(data, {"name": file})]
    kind = content_kind(data, file=file, max_bytes=DEFAULT_MAX_BYTES)
    sheets = visible_sheets(data, kind=kind, file=file, max_bytes=DEFAULT_MAX_BYTES)
    return [(data, {"name": file, "sheet": sheet}) for sheet in sheets]


def _combine(parts: Sequence[ReadResult], *, source_name: str) -> ReadResult:
    report = Report()
    for part in parts:
        report.merge(part.report)
    records: dict[EntityKind, dict[str, tuple[Record, object, int]]] = defaultdict(dict)
    provides: dict[EntityKind, set[str]] = defaultdict(set)
    repeated: dict[EntityKind, list[tuple[Record, object]]] = defaultdict(list)
    for number, part in enumerate(_authoritative_first(parts)):
        roster = part.roster
        for kind in ENTITY_KINDS:
            if kind not in roster.provides:
                continue
            fields = roster.provides[kind]
            provides[kind] |= fields
            collection = roster.records(kind)
            places = collection.places(collection.keys()) if collection.has_provenance else {}
            seen: dict[str, int] = defaultdict(int)
            for record in collection:
                found = places.get(record.key, ())
                place = _where(part, found[seen[record.key]] if found else None)
                seen[record.key] += 1
                known = records[kind].get(record.key)
                if known is None:
                    records[kind][record.key] = (record, place, number)
                    continue
                if known[2] == number:  # a key twice in one file: kept, the plan blocks it
                    repeated[kind].append((record, place))
                    continue
                merged = _join(kind, known, (record, place), fields, report)
                records[kind][record.key] = (merged, known[1], known[2])
    _join_mentors(records, parts, report)
    _check_links(records, parts, report)
    school = _school(parts, report)
    collections = {
        ROSTER_ARGUMENTS[kind]: [record for record, _, _ in by_key.values()]
        + [record for record, _ in repeated[kind]]
        for kind, by_key in records.items()
    }
    provenance = {
        kind: [place for _, place, _ in by_key.values()] + [place for _, place in repeated[kind]]
        for kind, by_key in records.items()
    }
    roster = Roster(
        school=school,
        source=source_name,
        provides={kind: sorted(fields) for kind, fields in provides.items()},
        provenance=provenance,
        **collections,  # type: ignore[arg-type]
    )
    return ReadResult(roster=roster, report=report, format="many", parts=tuple(parts))


def _authoritative_first(parts: Sequence[ReadResult]) -> list[ReadResult]:
    """Parts in order; a kind's own file (klassen for groups) comes before derived records.

    A pupil file makes groups of the classes its pupils name (key and kind only); the
    klassen file says what those groups are. Reading the klassen file's records first makes
    its values the ones kept.
    """

    def rank(part: ReadResult) -> int:
        return 0 if part.mapping is None or part.mapping.entity != "student" else 1

    return sorted(parts, key=rank)


def _where(part: ReadResult, place: object) -> object:
    """A record's place as file, sheet and row, so places from several files stay apart."""
    if isinstance(place, Provenance):
        return place
    file = part.table.file if part.table is not None else part.roster.source
    sheet = part.table.sheet if part.table is not None else None
    row = place if isinstance(place, int) else 0
    return Provenance(file=file, sheet=sheet, row=row)


def _join(
    kind: EntityKind,
    known: tuple[Record, object, int],
    other: tuple[Record, object],
    fields: Iterable[str],
    report: Report,
) -> Record:
    """One record from two parts: the first's values, the second's where the first has none.

    Sets (groups, mentees, a guardian's pupils) are joined; two different values of one
    field are a ``conflicting-values`` warning naming both places, and the first is kept.
    """
    record, place = known[0], known[1]
    incoming, incoming_place = other
    changes: dict[str, object] = {}
    for field in fields:
        if field == "key" or field not in data_fields(kind):
            continue
        mine, theirs = getattr(record, field), getattr(incoming, field)
        if theirs in (None, "", ()) or mine == theirs:
            continue
        if mine in (None, "", ()):
            changes[field] = theirs
        elif field in _LINK_FIELDS:
            changes[field] = tuple(dict.fromkeys((*mine, *theirs)))
        else:
            report.add(
                _issue(
                    "conflicting-values",
                    incoming_place,
                    kind=kind,
                    key=record.key,
                    field=f"{kind}.{field}",
                    message=msg("conflicting-values", field=field, kind=kind, where=str(place)),
                )
            )
    return record.evolve(**changes) if changes else record


def _issue(code: str, place: object, **fields: Any) -> Issue:
    where = place if isinstance(place, Provenance) else None
    return Issue(
        code=code,
        severity=fields.pop("severity", "warning"),
        file=where.file if where else None,
        sheet=where.sheet if where else None,
        row=where.row if where and where.row else None,
        entity=fields.pop("kind"),
        **fields,
    )


def _defined_by(parts: Sequence[ReadResult], kind: EntityKind) -> list[str]:
    """The files whose rows are records of ``kind`` (a klassen file for groups)."""
    return [
        part.table.file
        for part in parts
        if part.mapping is not None and part.mapping.entity == kind and part.table is not None
    ]


def _check_links(
    records: Mapping[EntityKind, Mapping[str, tuple[Record, object, int]]],
    parts: Sequence[ReadResult],
    report: Report,
) -> None:
    """Links between the parts that point at nothing, each reported at its row."""
    group_files = _defined_by(parts, "group")
    if group_files:
        groups = records.get("group", {})
        defined = {key for key, (_, place, _) in groups.items() if _from(place, group_files)}
        for kind in ("student", "staff"):
            for record, place, _ in records.get(kind, {}).values():
                named = _groups_of(record)
                for group in named:
                    if group not in defined:
                        report.add(
                            _issue(
                                "unknown-group",
                                place,
                                kind=kind,
                                key=record.key,
                                message=msg("unknown-group", group=group, files=tuple(group_files)),
                            )
                        )
    guardian_files = _defined_by(parts, "guardian")
    guardian_pupils = [
        (record, place)
        for record, place, _ in records.get("guardian", {}).values()
        if _from(place, guardian_files)
    ]
    pupils = records.get("student", {})
    if guardian_pupils and pupils:
        for guardian, place in guardian_pupils:
            for link in guardian.students if isinstance(guardian, Guardian) else ():
                if link.student not in pupils:
                    report.add(
                        _issue(
                            "unknown-student",
                            place,
                            kind="guardian",
                            key=guardian.key,
                            message=msg("unknown-student", student=link.student),
                        )
                    )


def _join_mentors(
    records: dict[EntityKind, dict[str, tuple[Record, object, int]]],
    parts: Sequence[ReadResult],
    report: Report,
) -> None:
    """A pupil file's mentors (keyed by its mentor codes) joined to a staff file's members.

    A mentor is found by the staff member's key, abbreviation or username; the pupils go
    into that member's ``mentees``. A mentor the staff files do not have is reported at
    each of its pupils' rows, and left out (a staff member keyed by a mentor code beside
    the real one would be a duplicate).
    """
    staff_files = _defined_by(parts, "staff")
    staff = records.get("staff")
    if not staff_files or not staff:
        return
    known: dict[str, str] = {}
    for key, (member, place, _) in staff.items():
        if _from(place, staff_files) and isinstance(member, Staff):
            for name in (member.key, member.abbreviation, member.username):
                if name:
                    known.setdefault(name.lower(), key)
    pupils = records.get("student", {})
    for key, (member, place, _) in list(staff.items()):
        if _from(place, staff_files) or not isinstance(member, Staff):
            continue
        del staff[key]
        target = known.get(key.lower())
        if target is None:
            for pupil in member.mentees[:_MAX_LISTED]:
                report.add(
                    _issue(
                        "mentor-not-found",
                        pupils.get(pupil, (None, None, 0))[1],
                        kind="student",
                        key=pupil,
                        message=msg("mentor-not-in-files", files=tuple(staff_files)),
                    )
                )
            continue
        found, found_place, number = staff[target]
        assert isinstance(found, Staff)
        mentees = tuple(sorted({*found.mentees, *member.mentees}))
        staff[target] = (found.evolve(mentees=mentees), found_place, number)


def _from(place: object, files: Sequence[str]) -> bool:
    return isinstance(place, Provenance) and place.file in files


def _groups_of(record: Record) -> list[str]:
    homeroom = getattr(record, "homeroom", None)
    groups = getattr(record, "groups", ())
    named = [homeroom] if homeroom else []
    named += [getattr(group, "group", group) for group in groups]
    return list(dict.fromkeys(str(name) for name in named))


def _school(parts: Sequence[ReadResult], report: Report) -> School | None:
    """The school the parts agree on; two parts naming different ones is a warning."""
    found = [(part, part.roster.school) for part in parts if part.roster.school is not None]
    if not found:
        return None
    first_part, school = found[0]
    for part, other in found[1:]:
        for field in ("brin", "school_year"):
            mine, theirs = getattr(school, field), getattr(other, field)
            if mine and theirs and mine != theirs:
                report.add(
                    Issue(
                        code="school-conflict",
                        severity="warning",
                        file=part.table.file if part.table is not None else None,
                        message=msg(
                            f"school-conflict.{field}",
                            mine=mine,
                            theirs=theirs,
                            file=first_part.table.file if first_part.table else first_part.format,
                        ),
                    )
                )
            elif theirs and not mine:
                school = school.evolve(**{field: theirs})
    return school
