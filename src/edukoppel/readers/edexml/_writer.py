"""``write_edexml``: a roster as an EDEXML 2.1 (or 2.0-compatible) file the official XSD accepts.

Elements are written in the schema's exact order, streamed with lxml's incremental writer, and
never empty. What EDEXML cannot express is refused with a clear error before anything is
written (no pupils, no school year, a duplicate key, a dangling reference, a value too long
for its element); what it has no place for (guardians, a student number, subjects) is left out.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO, Literal

from edukoppel._i18n import msg
from edukoppel._optional import import_optional
from edukoppel.model import Group, Roster, Staff, Student

__all__ = ["EDEXML_ROLES", "write_edexml"]

#: The leerkracht role codes of EDEXML 2.1 (``TAL`` is new in 2.1).
EDEXML_ROLES = frozenset(
    {"ADJ", "ADM", "CON", "DIR", "ICT", "IB", "KLA", "LRK", "LOS", "LOC", "OWA", "OUD", "RT"}
    | {"SMW", "STA", "TAL", "VAK"}
)
_GENDER_CODES = {"unknown": "0", "male": "1", "female": "2", "other": "9"}
_PO_ONLY = frozenset({"0", "7", "8", "B", "D"})
_JAARGROEPEN = frozenset(
    {"B", "D", "0", "1", "2", "3", "4", "5", "6", "7", "8", "S", "V", "C", "N", "H"}
    | {str(code) for code in range(11, 17)}
)
_BRIN = re.compile(r"^[0-9]{2}[A-Z]{2}$")
_DEFAULT_ROLE = "docent"
Version = Literal["2.1", "2.0"]
Sector = Literal["po", "vo"]


class EdexmlWriteError(ValueError):
    """A roster that EDEXML cannot hold as it is (internal: raised as ValueError)."""


def write_edexml(
    roster: Roster,
    dest: str | os.PathLike[str] | BinaryIO,
    *,
    version: Version = "2.1",
    sector: Sector | None = None,
) -> None:
    """Write a roster as EDEXML: school, vestigingen, groepen, leerlingen, leerkrachten.

    Args:
        roster: The roster, with a school year (its school's or its scope's) and at least
            one student: EDEXML requires both.
        dest: A path or a binary file object.
        version: ``"2.1"``, or ``"2.0"`` for consumers that validate against 2.0: no
            ``eckid``, no ``TAL`` role code (written as a role description), keys of at most
            64 characters.
        sector: How a year ``1``-``6`` is written: ``"vo"`` as jaargroep 11-16 (leerjaar),
            ``"po"`` as groep 1-6. By default ``po`` when some year is 0, 7, 8, B or D, else
            ``vo``.

    Raises:
        ValueError: The roster cannot be written as valid EDEXML; the message says which
            record and what is wrong.

    Examples:
        >>> import io, edukoppel as ek
        >>> roster = ek.Roster(
        ...     school=ek.School(brin="99ZX", school_year="2025-2026"),
        ...     students=[ek.Student(key="00123", first_name="Daan", last_name="Berg", year="2")],
        ... )
        >>> out = io.BytesIO()
        >>> ek.write_edexml(roster, out)
        >>> ek.read_edexml(out.getvalue()).roster.students["00123"].year
        '2'
    """
    if version not in ("2.1", "2.0"):
        raise ValueError(f"version={version!r}: choose '2.1' or '2.0'")
    if sector not in (None, "po", "vo"):
        raise ValueError(f"sector={sector!r}: choose 'po', 'vo' or None")
    plan = _Plan(roster, version=version, sector=sector)
    etree = import_optional("lxml.etree", extra="edexml", purpose="writing EDEXML")
    if not isinstance(dest, str | os.PathLike):
        _write(plan, etree, dest)
        return
    # A file appears only when it is whole: written next to its place, then moved there.
    path = Path(dest)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("wb") as handle:
            _write(plan, etree, handle)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _write(plan: _Plan, etree: Any, dest: BinaryIO) -> None:
    with etree.xmlfile(dest, encoding="UTF-8") as out:
        out.write_declaration()
        plan.write(out, etree)


def _refuse(message_id: str, **params: Any) -> EdexmlWriteError:
    return EdexmlWriteError(str(msg(message_id, **params)))


class _Plan:
    """Everything checked before the first byte is written."""

    def __init__(self, roster: Roster, *, version: Version, sector: Sector | None) -> None:
        self.roster = roster
        self.version = version
        school = roster.school
        self.year = (school.school_year if school else None) or roster.scope.school_year
        if self.year is None:
            raise _refuse("edexml-write.no-school-year")
        self.reference = school.reference_date if school else None
        self.brin = school.brin if school else None
        if self.brin is not None and not _BRIN.match(self.brin):
            raise _refuse("edexml-write.brin")
        self.students = [
            student
            for student in roster.students
            if not student.archived or student.end_date or self.reference
        ]
        if not self.students:
            raise _refuse("edexml-write.no-students")
        for kind, records in (
            ("student", roster.students),
            ("staff", roster.staff),
            ("group", roster.groups),
            ("location", roster.locations),
        ):
            duplicates = roster.records(kind).duplicate_keys  # type: ignore[arg-type]
            if duplicates:
                raise _refuse("edexml-write.duplicate-key", kind=kind, keys=duplicates)
            limit = 256 if version == "2.1" else 64
            for record in records:
                if len(record.key) > limit:
                    raise _refuse(
                        "edexml-write.long-key", kind=kind, key=record.key[:20], limit=limit
                    )
        if version == "2.1":
            for kind, people in (("student", roster.students), ("staff", roster.staff)):
                eckids = [person.eckid for person in people if person.eckid]
                if len(set(eckids)) != len(eckids):
                    raise _refuse("edexml-write.duplicate-eckid", kind=kind)
        self.file_location = self._file_location()
        self.vestigingen = [
            location for location in roster.locations if location.key != self.file_location
        ]
        self.vestiging_keys = {location.key for location in self.vestigingen}
        self.homerooms = {group.key for group in roster.groups if group.kind == "homeroom"}
        self.composites = {group.key for group in roster.groups if group.kind != "homeroom"}
        years = [record.year for record in (*roster.groups, *roster.students) if record.year]
        self.sector: Sector = sector or ("po" if _PO_ONLY & set(years) else "vo")

    def _file_location(self) -> str | None:
        if self.brin is None:
            return None
        candidates = [
            location
            for location in self.roster.locations
            if location.key == location.brin6 and location.key.startswith(self.brin)
        ]
        unnamed = [location for location in candidates if location.name is None]
        chosen = unnamed or candidates
        return chosen[0].key if len(chosen) == 1 or unnamed else None

    # -- helpers ----------------------------------------------------------------------------

    def jaargroep(self, year: str | None, kind: str, key: str) -> str | None:
        if year is None:
            return None
        code = year
        if self.sector == "vo" and year in {"1", "2", "3", "4", "5", "6"}:
            code = str(int(year) + 10)
        if code not in _JAARGROEPEN:
            raise _refuse("edexml-write.jaargroep", kind=kind, key=key)
        return code

    # -- writing ----------------------------------------------------------------------------

    def write(self, out: Any, etree: Any) -> None:
        xsi = "http://www.w3.org/2001/XMLSchema-instance"
        root = {f"{{{xsi}}}noNamespaceSchemaLocation": "EDEXML.structuur.xsd"}
        with out.element("EDEX", root, nsmap={"xsi": xsi}):
            self._school(out, etree)
            if self.vestigingen:
                with out.element("vestigingen"):
                    for location in self.vestigingen:
                        _element(out, etree, "vestiging", {"key": location.key},
                                 [("naam", _limit(location.name or location.key, 64))])  # fmt: skip
            if self.roster.groups:
                with out.element("groepen"):
                    for group in self.roster.groups:
                        self._group(out, etree, group)
            with out.element("leerlingen"):
                for student in self.students:
                    self._student(out, etree, student)
            if self.roster.staff:
                with out.element("leerkrachten"):
                    for member in self.roster.staff:
                        self._staff(out, etree, member)

    def _school(self, out: Any, etree: Any) -> None:
        from edukoppel import __version__

        children: list[tuple[str, str | None]] = [("schooljaar", self.year)]
        children.append(("peildatum", _date(self.reference)))
        if self.brin is not None:
            children.append(("brincode", self.brin))
            if self.file_location is not None:
                children.append(("dependancecode", self.file_location[4:]))
        children += [("auteur", f"edukoppel {__version__}"), ("xsdversie", self.version)]
        _element(out, etree, "school", {}, children)

    def _group(self, out: Any, etree: Any, group: Group) -> None:
        name = _limit(group.name or group.key, 64)
        if group.kind == "homeroom":
            year = self.jaargroep(group.year, "group", group.key) or "C"
            _element(out, etree, "groep", {"key": group.key}, [("naam", name), ("jaargroep", year)])
        else:
            _element(out, etree, "samengestelde_groep", {"key": group.key}, [("naam", name)])

    def _names(self, person: Student | Staff, kind: str) -> list[tuple[str, str | None]]:
        if person.last_name is None:
            if person.first_name is None:
                raise _refuse("edexml-write.no-name", kind=kind, key=person.key)
            return [("roepnaam", self.checked(person.first_name, 64, kind, person, "first_name"))]
        given = getattr(person, "given_names", None)
        return [
            ("achternaam", self.checked(person.last_name, 200, kind, person, "last_name")),
            ("voorvoegsel", self.checked(person.infix, 10, kind, person, "infix")),
            ("voornamen", self.checked(given, 200, kind, person, "given_names")),
            ("voorletters-1", self.checked(person.initials, 6, kind, person, "initials")),
            ("roepnaam", self.checked(person.first_name, 64, kind, person, "first_name")),
        ]

    @staticmethod
    def checked(
        value: str | None, limit: int, kind: str, person: Student | Staff, field: str
    ) -> str | None:
        if value is not None and len(value) > limit:
            raise _refuse("edexml-write.too-long", kind=kind, key=person.key, field=field,
                          limit=limit)  # fmt: skip
        return value

    def _reference(self, kind: str, key: str, target: str, allowed: set[str]) -> str:
        if target not in allowed:
            raise _refuse("edexml-write.dangling", kind=kind, key=key, target=target)
        return target

    def _student(self, out: Any, etree: Any, student: Student) -> None:
        attributes = {"key": student.key}
        if self.version == "2.1" and student.eckid:
            attributes["eckid"] = student.eckid
        year = student.year
        children = self._names(student, "student")
        children += [
            ("geboortedatum", _date(student.birth_date)),
            ("geslacht", _GENDER_CODES.get(student.gender) if student.gender else None),
            ("jaargroep", self.jaargroep(year, "student", student.key)),
        ]
        end = student.end_date
        if student.archived and end is None:
            end = self.reference
        with out.element("leerling", attributes):
            _children(out, etree, children)
            if student.homeroom is not None:
                key = self._reference("student", student.key, student.homeroom, self.homerooms)
                out.write(etree.Element("groep", key=key))
            if student.groups:
                with out.element("samengestelde_groepen"):
                    for group in student.groups:
                        key = self._reference("student", student.key, group, self.composites)
                        out.write(etree.Element("samengestelde_groep", key=key))
            if student.location is not None and student.location != self.file_location:
                key = self._reference("student", student.key, student.location, self.vestiging_keys)
                out.write(etree.Element("vestiging", key=key))
            _children(
                out,
                etree,
                [
                    (
                        "gebruikersnaam",
                        self.checked(student.username, 64, "student", student, "username"),
                    ),
                    ("emailadres", self.checked(student.email, 256, "student", student, "email")),
                    ("instroomdatum", _date(student.start_date)),
                    ("uitstroomdatum", _date(end)),
                ],
            )

    def _role_elements(self, roles: Iterable[str]) -> list[tuple[str, str | None]]:
        written: list[tuple[str, str | None]] = []
        for role in roles:
            code = role.upper()
            if code in EDEXML_ROLES and not (code == "TAL" and self.version == "2.0"):
                written.append(("rol", code))
            else:
                written.append(("rolomschrijving", _limit(role, 64)))
        return written

    def _staff(self, out: Any, etree: Any, member: Staff) -> None:
        attributes = {"key": member.key}
        if self.version == "2.1" and member.eckid:
            attributes["eckid"] = member.eckid
        children = self._names(member, "staff")
        children += [
            ("gebruikersnaam", self.checked(member.username, 64, "staff", member, "username")),
            ("emailadres", self.checked(member.email, 256, "staff", member, "email")),
            *self._role_elements(member.roles),
        ]
        links: dict[str, list[str]] = {}
        for link in member.groups:
            links.setdefault(link.group, []).append(link.role)
        with out.element("leerkracht", attributes):
            _children(out, etree, children)
            if links:
                with out.element("groepen"):
                    for group, roles in links.items():
                        self._reference(
                            "staff", member.key, group, self.homerooms | self.composites
                        )
                        tag = "groep" if group in self.homerooms else "samengestelde_groep"
                        named = [role for role in roles if role != _DEFAULT_ROLE]
                        if named and len(named) != len(roles):
                            named.append(_DEFAULT_ROLE)  # "docent" too, not only the default
                        _element(out, etree, tag, {"key": group}, self._role_elements(named))


def _limit(text: str, limit: int) -> str:
    return text[:limit]


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _children(out: Any, etree: Any, children: Iterable[tuple[str, str | None]]) -> None:
    for tag, text in children:
        if text is not None and text.strip():
            element = etree.Element(tag)
            element.text = text
            out.write(element)


def _element(
    out: Any,
    etree: Any,
    tag: str,
    attributes: dict[str, str],
    children: Iterable[tuple[str, str | None]],
) -> None:
    element = etree.Element(tag, attributes)
    for name, text in children:
        if text is not None and text.strip():
            etree.SubElement(element, name).text = text
    out.write(element)
