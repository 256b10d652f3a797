"""Somtoday Connect JSON to the canonical roster: pure, after every page is in.

Records are merged by uuid across vestigingen (Somtoday sends the same person with the same
uuid in each vestiging they belong to), references are resolved once everything is read
(a lesgroep's docent you may not see is reported, not fatal), and a field the school did not
release in a vestiging read is not *provided* by the roster, so a sync never clears it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import attrs

from edukoppel._i18n import msg
from edukoppel.model import Roster, School, Scope, data_fields
from edukoppel.report import Issue, Report

if TYPE_CHECKING:
    from edukoppel.model import EntityKind, Record
    from edukoppel.somtoday._client import Page, Stream
    from edukoppel.somtoday._settings import SomtodaySettings

__all__ = ["digest", "school_year", "to_roster"]

JSON = dict[str, Any]

#: Per kind, the Somtoday permission keys a canonical field comes from, as (entity, key):
#: the field is provided when every vestiging read released one of them. Fields not named
#: here (``key``, ``location``, ``kind``...) are always provided.
PERMISSIONS: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "student": {
        "student_number": (("leerling", "leerlingnummer"),),
        "eckid": (("leerling", "eckid"),),
        "username": (("leerling", "gebruikersnaam"),),
        "email": (("leerling", "emailadres"),),
        "first_name": (("leerling", "roepnaam"),),
        "given_names": (("leerling", "voornamen"),),
        "initials": (("leerling", "voorletters"),),
        "infix": (("leerling", "voorvoegsel"),),
        "last_name": (("leerling", "achternaam"),),
        "birth_date": (("leerling", "geboortedatum"),),
        "gender": (("leerling", "geslacht"),),
        "year": (("leerling", "plaatsingen"),),
        "program": (("leerling", "plaatsingen"),),
        "homeroom": (("leerling", "plaatsingen"), ("stamgroep", "leerlingen")),
        "start_date": (("leerling", "plaatsingen"),),
        "end_date": (("leerling", "plaatsingen"),),
        "groups": (("lesgroep", "leerlingen"), ("leerling", "lesgroepen")),
    },
    "staff": {
        "abbreviation": (("medewerker", "afkorting"),),
        "eckid": (("medewerker", "eckid"),),
        "username": (("medewerker", "gebruikersnaam"),),
        "email": (("medewerker", "emailadres"),),
        "first_name": (("medewerker", "roepnaam"),),
        "initials": (("medewerker", "voorletters"),),
        "infix": (("medewerker", "voorvoegsel"),),
        "last_name": (("medewerker", "achternaam"),),
        "gender": (("medewerker", "geslacht"),),
        "roles": (("medewerker", "functie"), ("medewerker", "is_docent")),
        "groups": (("lesgroep", "docenten"), ("stamgroep", "mentoren")),
        "mentees": (("leerling", "plaatsingen"),),
        "start_date": (("medewerker", "datumInDienst"),),
        "end_date": (("medewerker", "datumUitDienst"),),
    },
    "guardian": {
        "initials": (("ouderVerzorger", "voorletters"),),
        "infix": (("ouderVerzorger", "voorvoegsel"),),
        "last_name": (("ouderVerzorger", "achternaam"),),
        "email": (("ouderVerzorger", "emailadres"),),
        "phone": (("ouderVerzorger", "telefoonnummer"),),
        "gender": (("ouderVerzorger", "geslacht"),),
        "students": (
            ("ouderVerzorger", "relatie_tot_leerlingen_permissies"),
            ("ouderVerzorger", "leerlingen_van_vestiging"),
        ),
    },
    "group": {
        "name": (("stamgroep", "naam"),),
        "year": (("stamgroep", "leerjaar"),),
        "subject": (("lesgroep", "vaknaam"),),
    },
}
#: Fields a kind never provides from Somtoday (Connect has no such data).
NOT_FROM_SOMTODAY: dict[str, frozenset[str]] = {
    "student": frozenset(),
    "staff": frozenset(),
    "guardian": frozenset({"first_name"}),  # ouderVerzorgers have no roepnaam
    "group": frozenset(),
    "location": frozenset(),
}


def school_year(ahead: int = 0, today: dt.date | None = None) -> str:
    """The school year (from 1 August) of ``today``, or one ``ahead``: ``2025-2026``.

    Examples:
        >>> school_year(0, dt.date(2026, 7, 31)), school_year(1, dt.date(2026, 8, 1))
        ('2025-2026', '2027-2028')
    """
    today = today or dt.date.today()
    start = (today.year if today.month >= 8 else today.year - 1) + ahead
    return f"{start}-{start + 1}"


def _text(value: Any) -> str | None:
    """A JSON scalar as text (numbers too: leerlingnummer); objects, lists, booleans: None."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is int or kind is float:
        return str(value)
    return None


def _uuid(value: Any) -> str | None:
    if type(value) is dict:
        value = value.get("uuid")
    return value if type(value) is str and value.strip() else None


def _dicts(value: Any) -> list[JSON]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


class _Builder:
    """Gathers the merged records of one read, then builds the roster through the fast path."""

    def __init__(self, page: Page, settings: SomtodaySettings) -> None:
        self.page = page
        self.settings = settings
        self.report = Report()
        self.year = school_year(1 if settings.school_year == "next" else 0)
        self.names = {str(v["uuid"]): str(v.get("naam") or v["uuid"]) for v in page.vestigingen}
        self.streams: dict[tuple[str, str], Stream] = {
            (stream.vestiging, stream.entity): stream for stream in page.streams
        }
        self.unresolved: dict[tuple[str, str, str], int] = {}

    # -- helpers ------------------------------------------------------------------------------

    def records(self, entity: str) -> Iterable[tuple[str, Any]]:
        """(vestiging, record) for every record of an entity, vestigingen in order.

        Leerlingen and ouders/verzorgers come digested (see :func:`digest`): the client
        digests each page as it arrives, while other pages are still on their way.
        """
        size = self.settings.page_size
        for vestiging in self.names:
            stream = self.streams[(vestiging, entity)]
            items = stream.records(size)
            if not stream.digested:
                items = digest(entity, vestiging, items, self.year)
            for item in items:
                yield vestiging, item

    def released(self, kind: str, field: str) -> bool:
        """Whether every vestiging read released (one of) the Somtoday fields of a field."""
        sources = PERMISSIONS.get(kind, {}).get(field)
        if not sources:
            return True
        for vestiging in self.names:
            if not any(self._released(vestiging, entity, key) for entity, key in sources):
                return False
        return True

    def _released(self, vestiging: str, entity: str, key: str) -> bool:
        permissions = self.streams[(vestiging, entity)].permissions
        # No permission object, or a field it does not list: delivered when present.
        return permissions is None or permissions.get(key, True) is not False

    def unresolved_reference(self, kind: str, key: str, field: str) -> None:
        self.unresolved[(kind, key, field)] = self.unresolved.get((kind, key, field), 0) + 1

    def provides(self, kind: str) -> list[str]:
        fields = []
        for field in data_fields(kind):  # type: ignore[arg-type]
            if field in NOT_FROM_SOMTODAY[kind]:
                continue
            if self.released(kind, field):
                fields.append(field)
        return fields

    def report_restrictions(self) -> None:
        """An info issue per (vestiging, entity) with fields the school did not release."""
        for (vestiging, entity), stream in sorted(self.streams.items()):
            permissions = stream.permissions or {}
            closed = sorted(str(key) for key, value in permissions.items() if value is False)
            if closed:
                self.report.add(
                    Issue(
                        code="somtoday-field-not-released",
                        severity="info",
                        message=msg(
                            "somtoday-field-not-released",
                            vestiging=self.names[vestiging],
                            entity=entity,
                            fields=closed,
                        ),
                    )
                )

    # -- the roster ---------------------------------------------------------------------------

    def build(self) -> Roster:
        import polars as pl

        self.report_restrictions()
        locations = self.locations()
        students, homerooms, lesgroepen, mentees, teachers = self.students()
        groups = self.groups(homerooms)
        staff = self.staff(lesgroepen, mentees, teachers, set(groups))
        guardians = self.guardians(set(students))
        for student in students.values():
            named = list(dict.fromkeys(student["groups"]))
            kept = [g for g in named if g in groups]
            for g in named:
                if g not in groups:
                    self.unresolved_reference("student", student["key"], "groups")
            student["groups"] = kept
            if student["homeroom"] is not None and student["homeroom"] not in groups:
                self.unresolved_reference("student", student["key"], "homeroom")
                student["homeroom"] = None
        for (kind, key, field), count in sorted(self.unresolved.items()):
            self.report.add(
                Issue(
                    code="somtoday-unresolved-reference",
                    severity="warning",
                    entity=kind,
                    key=key,
                    field=field,
                    message=msg("somtoday-unresolved-reference", count=count),
                )
            )
        made: dict[str, list[Record]] = {}
        schemas = _schemas(pl)
        for kind, rows in (
            ("location", locations),
            ("group", list(groups.values())),
            ("student", list(students.values())),
            ("staff", list(staff.values())),
            ("guardian", list(guardians.values())),
        ):
            made[kind] = self.make(kind, rows, schemas[kind])  # type: ignore[arg-type]
        instelling = self.page.instelling or {}
        brins = [b for b in instelling.get("brins") or () if isinstance(b, str)]
        school = School(
            brin=brins[0] if brins else None,
            name=_text(instelling.get("naam")),
            school_year=self.year,
        )
        kinds: tuple[EntityKind, ...] = ("location", "group", "student", "staff", "guardian")
        provides: dict[EntityKind, list[str]] = {kind: self.provides(kind) for kind in kinds}
        return Roster(
            school=school,
            locations=made["location"],  # type: ignore[arg-type]
            groups=made["group"],  # type: ignore[arg-type]
            students=made["student"],  # type: ignore[arg-type]
            staff=made["staff"],  # type: ignore[arg-type]
            guardians=made["guardian"],  # type: ignore[arg-type]
            provides=provides,
            scope=Scope(locations=frozenset(self.names), school_year=self.year),
            source=self.settings.source_name,
        )

    def make(self, kind: EntityKind, rows: list[JSON], schema: dict[str, Any]) -> list[Record]:
        """Records from rows of values, through the model's fast path.

        The scalar fields are validated a column at a time (``validate_columns``); the sets
        and links (groups, locations, a guardian's students) by their field's own converter,
        one record at a time: building polars list columns from Python lists costs more
        than converting them.
        """
        import attrs
        import polars as pl

        from edukoppel.model import _values
        from edukoppel.model._columns import validate_columns
        from edukoppel.model._records import paused_gc, record_class, trusted_maker

        if not rows:
            return []
        cls = record_class(kind)
        converters = {field.name: field.converter for field in attrs.fields(cls)}
        scalars = [name for name in schema if name not in _SETS]
        sets = [name for name in schema if name in _SETS]
        # polars reads the scalar fields out of the row dicts itself (the sets are left out,
        # a missing key is a null): three times as fast as a Python list per column.
        frame = pl.from_dicts(rows, schema={name: schema[name] for name in scalars})
        check = validate_columns(kind, frame)
        refusals = [(r.row, r.field, r.expected) for r in check.refusals]
        converted: dict[str, list[Any]] = {name: [] for name in sets}
        convert = {name: _fast_set(kind, name, converters[name]) for name in sets}
        for index, row in enumerate(rows):
            for name in sets:
                try:
                    value = convert[name](row.get(name))
                except _values._Invalid as error:
                    refusals.append((index, name, error.expected))
                    value = ()
                converted[name].append(value)
        dropped: set[int] = set()
        for position, field, expected in refusals:
            key = rows[position].get("key")
            if field == "key":
                dropped.add(position)
            self.report.add(
                Issue(
                    code="somtoday-invalid-value",
                    severity="error" if field == "key" else "warning",
                    entity=kind,
                    key=None if field == "key" else key,
                    field=field,
                    message=msg(
                        "somtoday-invalid-value.left-out"
                        if field == "key"
                        else "somtoday-invalid-value",
                        expected=expected,
                    ),
                )
            )
        columns = [column.to_list() for column in check.frame.iter_columns()]
        columns += [converted[name] for name in sets]
        make = trusted_maker(cls, [*check.frame.columns, *sets])
        with paused_gc():
            made = make(zip(*columns, strict=True))
        return [record for index, record in enumerate(made) if index not in dropped]

    def locations(self) -> list[JSON]:
        rows = []
        for vestiging in self.page.vestigingen:
            brins = [b for b in vestiging.get("brins") or () if isinstance(b, str)]
            rows.append(
                {
                    "key": str(vestiging["uuid"]),
                    "name": _text(vestiging.get("naam")),
                    "brin6": brins[0] if brins else None,
                }
            )
        return rows

    def students(
        self,
    ) -> tuple[
        dict[str, JSON],
        dict[str, JSON],
        dict[str, set[str]],
        dict[str, set[str]],
        dict[str, set[tuple[str, str]]],
    ]:
        """Students by uuid; embedded stamgroepen; lesgroep members; mentees; mentor roles."""
        students: dict[str, JSON] = {}
        homerooms: dict[str, JSON] = {}
        mentees: dict[str, set[str]] = {}
        roles: dict[str, set[tuple[str, str]]] = {}
        for _vestiging, (key, row, embedded, mentors) in self.records("leerling"):
            homeroom = row["homeroom"]
            if embedded is not None:
                homerooms.setdefault(homeroom, embedded)
            for staff, toewijzing in mentors:
                if toewijzing in (None, "Plaatsing") or homeroom is None:
                    mentees.setdefault(staff, set()).add(key)
                else:
                    roles.setdefault(staff, set()).add((homeroom, "mentor"))
            known = students.get(key)
            if known is not None:
                known["groups"].extend(row["groups"])
                continue
            students[key] = row
        for _vestiging, lesgroep in self.records("lesgroep"):
            group = _uuid(lesgroep)
            assert group is not None
            for member in _dicts(lesgroep.get("leerlingen")):
                pupil = _uuid(member)
                if pupil in students:
                    students[pupil]["groups"].append(group)
                elif pupil is not None:
                    self.unresolved_reference("group", group, "leerlingen")
        for _vestiging, klas in self.records("stamgroep"):
            group = _uuid(klas)
            assert group is not None
            for member in _dicts(klas.get("leerlingen")):
                pupil = _uuid(member)
                if pupil in students and students[pupil]["homeroom"] is None:
                    students[pupil]["homeroom"] = group
        lesgroepen: dict[str, set[str]] = {}
        for _vestiging, lesgroep in self.records("lesgroep"):
            group = _uuid(lesgroep)
            assert group is not None
            for teacher in lesgroep.get("docenten") or ():
                if isinstance(teacher, str) and teacher:
                    lesgroepen.setdefault(teacher, set()).add(group)
        return students, homerooms, lesgroepen, mentees, roles

    def groups(self, homerooms: dict[str, JSON]) -> dict[str, JSON]:
        groups: dict[str, JSON] = {}
        for vestiging, record in self.records("stamgroep"):
            key = _uuid(record)
            assert key is not None
            groups.setdefault(
                key,
                {
                    "key": key,
                    "name": _text(record.get("naam")),
                    "kind": "homeroom",
                    "year": _text(record.get("leerjaar")),
                    "location": vestiging,
                    "subject": None,
                    "school_year": self.year,
                },
            )
        for key, embedded in homerooms.items():
            # A stamgroep a pupil is placed in but the list did not return (breadth rules).
            groups.setdefault(
                key,
                {
                    "key": key,
                    "name": _text(embedded.get("naam")),
                    "kind": "homeroom",
                    "year": _text(embedded.get("leerjaar")),
                    "location": embedded["_vestiging"],
                    "subject": None,
                    "school_year": self.year,
                },
            )
        for vestiging, record in self.records("lesgroep"):
            key = _uuid(record)
            assert key is not None
            groups.setdefault(
                key,
                {
                    "key": key,
                    "name": _text(record.get("naam")),
                    "kind": "teaching",
                    "year": _text(record.get("leerjaar")),
                    "location": vestiging,
                    "subject": _text(record.get("vaknaam") or record.get("vak")),
                    "school_year": _text(record.get("schooljaar")) or self.year,
                },
            )
        return groups

    def staff(
        self,
        lesgroepen: dict[str, set[str]],
        mentees: dict[str, set[str]],
        mentor_roles: dict[str, set[tuple[str, str]]],
        groups: set[str],
    ) -> dict[str, JSON]:
        staff: dict[str, JSON] = {}
        for vestiging, record in self.records("medewerker"):
            key = _uuid(record)
            assert key is not None
            known = staff.get(key)
            if known is not None:
                known["locations"].append(vestiging)
                continue
            roles = []
            if isinstance(record.get("functie"), str) and record["functie"].strip():
                roles.append(record["functie"].strip())
            if record.get("is_docent") is True:
                roles.append("docent")
            staff[key] = {
                "key": key,
                "abbreviation": _text(record.get("afkorting")),
                "eckid": _text(record.get("eckid")),
                "username": _text(record.get("gebruikersnaam")),
                "email": _text(record.get("emailadres")),
                "first_name": _text(record.get("roepnaam")),
                "initials": _text(record.get("voorletters")),
                "infix": _text(record.get("voorvoegsel")),
                "last_name": _text(record.get("achternaam")),
                "gender": _text(record.get("geslacht")),
                "roles": roles,
                "groups": [],
                "mentees": [],
                "locations": [vestiging],
                "start_date": _text(record.get("datum_in_dienst")),
                "end_date": _text(record.get("datum_uit_dienst")),
            }
        for _vestiging, record in self.records("stamgroep"):
            group = _uuid(record)
            assert group is not None
            for mentor in _dicts(record.get("mentoren")):
                teacher = _uuid(mentor.get("medewerker_uuid"))
                if teacher is not None:
                    mentor_roles.setdefault(teacher, set()).add((group, "mentor"))
        for teacher, taught in sorted(lesgroepen.items()):
            for group in sorted(taught):
                if teacher in staff:
                    staff[teacher]["groups"].append({"group": group, "role": "docent"})
                else:
                    self.unresolved_reference("group", group, "docenten")
        for teacher, assigned in sorted(mentor_roles.items()):
            for group, role in sorted(assigned):
                if teacher in staff and group in groups:
                    staff[teacher]["groups"].append({"group": group, "role": role})
                else:
                    self.unresolved_reference("group", group, "mentoren")
        for teacher, pupils in sorted(mentees.items()):
            if teacher in staff:
                staff[teacher]["mentees"] = sorted(pupils)
            else:
                for pupil in sorted(pupils):
                    self.unresolved_reference("student", pupil, "mentoren")
        return staff

    def guardians(self, students: set[str]) -> dict[str, JSON]:
        guardians: dict[str, JSON] = {}
        links: dict[str, dict[str, JSON]] = {}
        for _vestiging, (key, row, theirs) in self.records("ouderVerzorger"):
            known = links.setdefault(key, {})
            for pupil, link in theirs.items():
                known.setdefault(pupil, link)
            guardians.setdefault(key, row)
        for key, guardian in guardians.items():
            kept = []
            for pupil, found in sorted(links[key].items()):
                if pupil in students:
                    kept.append(found)
                else:
                    self.unresolved_reference("guardian", key, "students")
            guardian["students"] = kept
        return guardians


#: Fields converted in Python, not in polars (see ``_Builder.make``).
_SETS = frozenset({"groups", "roles", "mentees", "locations", "students"})
#: Of those, the sets of plain identifiers (``identifiers_converter``): see :func:`_per_item`.
_IDENTIFIER_SETS = frozenset({"groups", "mentees", "locations"})


def _fast_set(kind: str, name: str, convert: Any) -> Any:
    """The converter ``make`` uses for a set field: the field's own, or one that gives the same."""
    if kind == "guardian" and name == "students":
        return _guardian_links(convert)
    if name in _IDENTIFIER_SETS:
        return _per_item(convert)
    return convert


def _guardian_links(convert: Any) -> Any:
    """A guardian's ``students`` converter that builds each link without attrs' machinery.

    Each part of a link goes through the link's own field converter (a relation or a yes/no
    once per distinct value), then the link is made through the trusted path. Links to
    distinct pupils sort by pupil alone, which is how attrs would order them. Anything else
    (a value that is not a list of the builder's link dicts, a value a converter refuses)
    goes through ``convert`` itself, so a refusal is exactly the field's.

    Examples:
        >>> from edukoppel.model import Guardian
        >>> convert = attrs.fields(Guardian).students.converter
        >>> links = [{"student": "2", "relation": "Ouder", "legal_authority": True,
        ...           "receives_mail": None}, {"student": "1", "relation": None,
        ...           "legal_authority": None, "receives_mail": False}]
        >>> _guardian_links(convert)(links) == convert(links)
        True
    """
    from edukoppel.model._records import GuardianLink, trusted_maker
    from edukoppel.model._values import _Invalid

    parts: list[tuple[str, Any]] = [(f.name, f.converter) for f in attrs.fields(GuardianLink)]
    make = trusted_maker(GuardianLink, [name for name, _ in parts])
    known: list[dict[tuple[type, Any], Any]] = [{} for _ in parts]
    steps = [(name, part, seen) for (name, part), seen in zip(parts, known, strict=True)]

    def one(item: Any) -> tuple[Any, ...]:
        if type(item) is not dict or item.keys() != _LINK_KEYS:
            raise _Refer
        values = []
        for name, part, seen in steps:
            raw = item[name]
            key = (type(raw), raw)  # True and 1 are equal as keys; their conversions need not be
            value = seen.get(key, _Refer)
            if value is _Refer:
                value = seen[key] = part(raw)
            values.append(value)
        return tuple(values)

    def converted(value: Any) -> Any:
        if type(value) is not list:
            return convert(value)
        try:
            links = make([one(item) for item in value])
        except (_Refer, _Invalid, TypeError):
            return convert(value)
        if len(links) < 2:
            return tuple(links)
        pupils = {link.student for link in links}
        if len(pupils) == len(links):
            return tuple(sorted(links, key=attrgetter("student")))
        return tuple(sorted(set(links)))

    return converted


class _Refer(Exception):
    """A value the fast converter leaves to the field's own converter."""


_LINK_KEYS = frozenset({"student", "relation", "legal_authority", "receives_mail"})


def _per_item(convert: Any) -> Any:
    """A set-of-identifiers converter that converts each distinct identifier once.

    Such a set is its items' conversions without None or duplicates, sorted; so converting
    ``[item]`` once per distinct item and merging gives exactly what ``convert`` gives for the
    whole list, and the same refusal for the first item it refuses. Pupils share their few
    hundred group keys: 100k identifiers become a few hundred conversions and dict look-ups.
    A staff member's groups are links (dicts), not identifiers: they go through ``convert``.

    Examples:
        >>> from edukoppel.model._values import identifiers_converter
        >>> convert = identifiers_converter("groups")
        >>> fast = _per_item(convert)
        >>> fast(["2b", " 1a", "2b", ""]) == convert(["2b", " 1a", "2b", ""]) == ("1a", "2b")
        True
    """
    known: dict[str, tuple[Any, ...]] = {}

    def converted(value: Any) -> Any:
        if type(value) is not list:
            return convert(value)
        items: set[Any] = set()
        for item in value:
            if type(item) is not str:
                return convert(value)
            one = known.get(item)
            if one is None:
                one = known[item] = convert([item])
            items.update(one)
        return tuple(sorted(items))

    return converted


def _plaatsing(record: JSON, year: str, today: str) -> JSON | None:
    """The plaatsing of the peilschooljaar: of its school year, active today, or latest."""
    plaatsingen = _dicts(record.get("plaatsingen"))
    if not plaatsingen:
        return None
    if len(plaatsingen) == 1:
        return plaatsingen[0]
    wanted = year.replace("-", "/")

    def rank(item: JSON) -> tuple[bool, bool, str]:
        start, end = str(item.get("startdatum") or ""), str(item.get("einddatum") or "9")
        return (item.get("schooljaar") == wanted, start <= today <= end, start)

    return max(plaatsingen, key=rank)


def _leerling(record: JSON, key: str, vestiging: str, year: str, today: str) -> tuple[Any, ...]:
    """A leerling's row, the stamgroep it embeds (if any) and its mentors."""
    plaatsing = _plaatsing(record, year, today)
    embedded = None
    homeroom = None
    mentors: list[tuple[str, Any]] = []
    year_of = program = start = end = None
    if plaatsing is not None:
        stamgroep = plaatsing.get("stamgroep")
        homeroom = _uuid(stamgroep)
        if homeroom is not None:
            embedded = {**stamgroep, "_vestiging": vestiging}  # type: ignore[dict-item]
        for mentor in _dicts(plaatsing.get("mentoren")):
            staff = _uuid(mentor.get("medewerker_uuid"))
            if staff is not None:
                mentors.append((staff, mentor.get("toewijzing")))
        opleiding = plaatsing.get("opleiding")
        if type(opleiding) is dict:
            program = _text(opleiding.get("naam") or opleiding.get("afkorting"))
        year_of = _text(plaatsing.get("leerjaar"))
        start, end = _text(plaatsing.get("startdatum")), _text(plaatsing.get("einddatum"))
    get = record.get
    row = {
        "key": key,
        "student_number": _text(get("leerlingnummer")),
        "eckid": _text(get("eckid")),
        "username": _text(get("gebruikersnaam")),
        "email": _text(get("emailadres")),
        "first_name": _text(get("roepnaam")),
        "given_names": _text(get("voornamen")),
        "initials": _text(get("voorletters")),
        "infix": _text(get("voorvoegsel")),
        "last_name": _text(get("achternaam")),
        "birth_date": _text(get("geboortedatum")),
        "gender": _text(get("geslacht")),
        "year": year_of,
        "program": program,
        "location": vestiging,
        "homeroom": homeroom,
        "groups": [g for g in map(_uuid, _dicts(get("lesgroepen"))) if g],
        "start_date": start,
        "end_date": end,
    }
    return key, row, embedded, mentors


def _ouder(record: JSON, key: str) -> tuple[Any, ...]:
    """A guardian's row and its links by pupil (relations first, then bare children)."""
    theirs: dict[str, JSON] = {}
    for relation in _dicts(record.get("relatie_tot_leerlingen")):
        pupil = _uuid(relation)
        if pupil is not None and pupil not in theirs:
            theirs[pupil] = {
                "student": pupil,
                "relation": _text(relation.get("relatiesoort")),
                "legal_authority": _flag(relation.get("ouderlijk_gezag")),
                "receives_mail": _flag(relation.get("mag_post_ontvangen")),
            }
    for pupil in record.get("leerlingen_van_vestiging") or ():
        if type(pupil) is str and pupil and pupil not in theirs:
            theirs[pupil] = {"student": pupil, "relation": None,
                             "legal_authority": None, "receives_mail": None}  # fmt: skip
    get = record.get
    row = {
        "key": key,
        "initials": _text(get("voorletters")),
        "infix": _text(get("voorvoegsel")),
        "last_name": _text(get("achternaam")),
        "email": _text(get("emailadres")),
        "phone": _text(get("telefoonnummer")),
        "gender": _text(get("geslacht")),
    }
    return key, row, theirs


def digest(entity: str, vestiging: str, records: Iterable[JSON], year: str) -> list[Any]:
    """One page of a list, ready for the builder.

    Records without a uuid are left out; leerlingen and ouders/verzorgers become rows (the
    bulk of the work, done per page while other pages are still on their way).
    """
    today = dt.date.today().isoformat()
    keyed = [(key, record) for record in records if (key := _uuid(record)) is not None]
    if entity == "leerling":
        return [_leerling(record, key, vestiging, year, today) for key, record in keyed]
    if entity == "ouderVerzorger":
        return [_ouder(record, key) for key, record in keyed]
    return [record for _, record in keyed]


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _schemas(pl: Any) -> dict[str, dict[str, Any]]:
    text = pl.String
    role = pl.List(pl.Struct({"group": text, "role": text}))
    link = pl.List(
        pl.Struct(
            {
                "student": text,
                "relation": text,
                "legal_authority": pl.Boolean,
                "receives_mail": pl.Boolean,
            }
        )
    )
    person = {"first_name": text, "initials": text, "infix": text, "last_name": text}
    return {
        "location": {"key": text, "name": text, "brin6": text},
        "group": dict.fromkeys(
            ("key", "name", "kind", "year", "location", "subject", "school_year"), text
        ),
        "student": {
            **dict.fromkeys(
                (
                    "key",
                    "student_number",
                    "eckid",
                    "username",
                    "email",
                    "first_name",
                    "given_names",
                    "initials",
                    "infix",
                    "last_name",
                    "birth_date",
                    "gender",
                    "year",
                    "program",
                    "location",
                    "homeroom",
                ),
                text,
            ),
            "groups": pl.List(text),
            "start_date": text,
            "end_date": text,
        },
        "staff": {
            **dict.fromkeys(("key", "abbreviation", "eckid", "username", "email"), text),
            **person,
            "gender": text,
            "roles": pl.List(text),
            "groups": role,
            "mentees": pl.List(text),
            "locations": pl.List(text),
            "start_date": text,
            "end_date": text,
        },
        "guardian": {
            "key": text,
            **person,
            "email": text,
            "phone": text,
            "gender": text,
            "students": link,
        },
    }


def to_roster(page: Page, settings: SomtodaySettings) -> tuple[Roster, Report]:
    """The roster and report of a complete read."""
    builder = _Builder(page, settings)
    roster = builder.build()
    report = builder.report
    report.detected["peilschooljaar"] = settings.peilschooljaar
    report.detected["vestigingen"] = ", ".join(builder.names.values())
    report.detected["requests"] = str(page.requests)
    return roster, report
