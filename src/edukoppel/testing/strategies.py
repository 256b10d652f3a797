"""Hypothesis strategies for realistic Dutch school rosters.

The strategies build records the way school exports look: leerlingnummers with leading zeros
(``"00123"``), names in three parts with infixes (``"van der"``, ``"van 't"``, ``"in 't"``) and
diacritics (``"Zoë"``, ``"Çelik"``, ``"D'Hondt"``), BRIN6 locations (``99ZX10``), klassen and
lesgroepen of a school year, mentors and teachers with their groups, and parents with several
children. Generated sizes are small so that property tests stay fast.

:func:`rosters` gives one *consistent* roster (unique keys; every reference points at a record
in the roster); :func:`roster_pairs` gives ``(current, incoming)``: what a store holds and what
the source says next, with realistic churn between them.

Use them in your own tests::

    from hypothesis import given
    from edukoppel.testing import strategies as eks

    @given(eks.rosters(max_students=10))
    def test_my_export(roster):
        ...

This module imports hypothesis; ``import edukoppel`` never imports it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Final, TypeVar

import attrs
from hypothesis import strategies as st

from edukoppel.model import (
    ENTITY_KINDS,
    ROSTER_ARGUMENTS,
    EntityKind,
    Gender,
    Group,
    GroupKind,
    GroupRole,
    Guardian,
    GuardianLink,
    Location,
    Record,
    Roster,
    School,
    Scope,
    Staff,
    Student,
    data_fields,
)

__all__ = [
    "BRIN",
    "EDEXML_PROVIDES",
    "FIRST_NAMES",
    "INFIXES",
    "LAST_NAMES",
    "SCHOOL_YEAR",
    "edexml_rosters",
    "groups",
    "guardians",
    "locations",
    "roster_pairs",
    "rosters",
    "staff_members",
    "students",
]

#: The (fictitious) BRIN4 code of the generated school.
BRIN: Final = "99ZX"
#: The school year of the generated school.
SCHOOL_YEAR: Final = "2025-2026"

#: Roepnamen, with diacritics.
FIRST_NAMES: Final = (
    "Daan", "Sem", "Noah", "Lucas", "Finn", "Levi", "Mohammed", "Ömer", "Jürgen", "François",
    "Thijs", "Björn", "Jaïr", "Emma", "Julia", "Zoë", "Noé", "Loïs", "Anaïs", "Chloë", "Fleur",
    "Aïcha", "Inès", "Saar", "Eline", "Maël", "Ilse", "Sophie",
)  # fmt: skip
#: Voorvoegsels (tussenvoegsels); ``None`` is the common case of none.
INFIXES: Final = (
    None, None, None, "van", "van der", "de", "van 't", "in 't", "van den", "ter", "van de",
    "den", "'t",
)  # fmt: skip
#: Achternamen, with diacritics, apostrophes and double names.
LAST_NAMES: Final = (
    "Berg", "Vries", "Jansen", "Bakker", "Visser", "Dijk", "Smit", "D'Hondt", "d'Ancona",
    "Çelik", "Öztürk", "Yılmaz", "Hoek", "Brink", "Heuvel", "Müller", "Meer", "Jansen-de Vries",
    "Zanten", "Veen", "El Amrani", "Laan", "Boer", "Geërts", "Hoëvenaars", "Noël",
)  # fmt: skip

_TOWNS = ("Utrecht", "Zwolle", "'s-Hertogenbosch", "Den Haag", "Leeuwarden", "Sint-Oedenrode")
_LEVELS = ("H", "V", "HV", "M", "B", "K", "T", "G")
_SUBJECTS: Final = {
    "wi": "wiskunde", "ne": "Nederlands", "en": "Engels", "fa": "Frans", "bi": "biologie",
    "ak": "aardrijkskunde", "gs": "geschiedenis", "lo": "lichamelijke opvoeding",
    "na": "natuurkunde", "ckv": "ckv",
}  # fmt: skip
_SUBJECT_CODES = tuple(sorted(_SUBJECTS))
_PROGRAMS = ("vmbo-b", "vmbo-k", "vmbo-t", "havo", "vwo", "gymnasium")
_GENDERS: tuple[Gender, ...] = ("male", "female", "other", "unknown")
_RELATIONS = ("moeder", "vader", "voogd", "verzorger", "pleegouder")
_STAFF_ROLES = ("docent", "mentor", "zorgcoördinator", "teamleider", "conciërge")
_GROUP_KINDS: tuple[GroupKind, ...] = ("homeroom", "teaching", "composite")
T = TypeVar("T")
_NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyzéëïüöçèàâ'-"

# -- small building blocks --------------------------------------------------------------------
# Strategies are built once, at import: building them inside a draw is what makes generation slow.

_USUALLY = st.sampled_from((False, True, True, True))  # shrinks to False
_RARELY = st.sampled_from((False, False, False, True))  # shrinks to False
_MADE_UP_NAMES = st.text(_NAME_ALPHABET, min_size=2, max_size=10).map(str.capitalize)
_HEX = st.text("0123456789abcdef", min_size=16, max_size=16)
_BIRTH_DATES = st.dates(dt.date(2007, 1, 1), dt.date(2014, 12, 31))
_START_DATES = st.dates(dt.date(2019, 8, 1), dt.date(2025, 8, 31))
_HIRE_DATES = st.dates(dt.date(1990, 1, 1), dt.date(2025, 8, 1))
_OPTIONAL_BOOLS = st.sampled_from((None, True, False))


def _index(draw: st.DrawFn, size: int) -> int:
    return draw(st.integers(0, size - 1))


def _one(draw: st.DrawFn, pool: Sequence[T]) -> T:
    """One item of a non-empty pool."""
    return pool[_index(draw, len(pool))]


def _some(draw: st.DrawFn, pool: Sequence[T], max_size: int) -> list[T]:
    """Up to ``max_size`` distinct items of a pool."""
    if not pool:
        return []
    size = len(pool)
    indices = draw(st.lists(st.integers(0, size - 1), max_size=min(size, max_size), unique=True))
    return [pool[i] for i in indices]


def _maybe(draw: st.DrawFn, value: T) -> T | None:
    """The value, usually; sometimes ``None`` (a source that left it empty)."""
    return value if draw(_USUALLY) else None


def _strategy(function: Callable[[st.DrawFn], T]) -> st.SearchStrategy[T]:
    """A strategy that draws with ``function``."""
    return st.composite(function)()


def _first_name(draw: st.DrawFn) -> str:
    return draw(_MADE_UP_NAMES) if draw(_RARELY) else _one(draw, FIRST_NAMES)


def _slug(*parts: str | None) -> str:
    """An ASCII e-mail or username part: ``("Zoë", "van 't", "Hoek")`` -> ``"zoe.vant.hoek"``."""
    words = []
    for part in parts:
        if not part:
            continue
        plain = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode()
        word = "".join(ch for ch in plain.lower() if ch.isalnum())
        if word:
            words.append(word)
    return ".".join(words)


def _initials(given_names: str) -> str:
    return "".join(f"{name[0].upper()}." for name in given_names.split())


def _location_key(number: int) -> str:
    return f"{BRIN}{number:02d}"


def _group_key(draw: st.DrawFn, kind: GroupKind) -> str:
    year = draw(st.integers(1, 6))
    level = _one(draw, _LEVELS)
    if kind == "composite":
        return f"{year}{level}_{_one(draw, _SUBJECT_CODES)}"
    homeroom = f"{year}{level}{_one(draw, 'ABCDEF')}"
    if kind == "homeroom":
        return homeroom
    return f"{homeroom}.{_one(draw, _SUBJECT_CODES)}{_one(draw, ('', '1', '2'))}"


def _is_homeroom_key(key: str) -> bool:
    return "." not in key and "_" not in key


def _numbered(draw: st.DrawFn, prefix: str, width: int) -> str:
    """A key like ``00123`` or ``m0042``: digits with a leading zero or letter, never '1e5'."""
    return f"{prefix}{draw(st.integers(1, 10**width - 1)):0{width}d}"


def _unique_keys(
    prefix: str, width: int, *, min_size: int = 0, max_size: int
) -> st.SearchStrategy[list[str]]:
    numbers = st.lists(
        st.integers(1, 10**width - 1), min_size=min_size, max_size=max_size, unique=True
    )
    return numbers.map(lambda ns: [f"{prefix}{n:0{width}d}" for n in ns])


def _reference(draw: st.DrawFn, pool: Sequence[str] | None, free: Any) -> str | None:
    """One reference: from the pool (none when it is empty), or made up when there is none."""
    if pool is None:
        return _maybe(draw, free(draw))
    return _maybe(draw, _one(draw, pool)) if pool else None


def _references(
    draw: st.DrawFn, pool: Sequence[str] | None, free: Any, max_size: int
) -> tuple[str, ...]:
    if pool is None:
        return tuple({free(draw) for _ in range(draw(st.integers(0, max_size)))})
    return tuple(_some(draw, pool, max_size))


def _free_location(draw: st.DrawFn) -> str:
    return _location_key(draw(st.integers(0, 99)))


def _free_homeroom(draw: st.DrawFn) -> str:
    return _group_key(draw, "homeroom")


def _free_teaching_group(draw: st.DrawFn) -> str:
    return _group_key(draw, "teaching")


def _free_student(draw: st.DrawFn) -> str:
    return _numbered(draw, "0", 4)


# -- records ----------------------------------------------------------------------------------


def _draw_location(draw: st.DrawFn, *, key: str | None, origin: str | None) -> Location:
    key = key if key is not None else _free_location(draw)
    return Location(
        key=key,
        name=_maybe(draw, f"Locatie {_one(draw, _TOWNS)}"),
        brin6=_maybe(draw, key),
        origin=origin,
    )


def locations(*, key: str | None = None, origin: str | None = None) -> st.SearchStrategy[Location]:
    """A location (vestiging) with a BRIN6 key like ``99ZX10``.

    Args:
        key: The key to use; by default a BRIN6 of the generated school.
        origin: The ``origin`` bookkeeping field (``None``: not stored yet).
    """
    return _strategy(lambda draw: _draw_location(draw, key=key, origin=origin))


def _draw_group(
    draw: st.DrawFn,
    *,
    key: str | None,
    kind: GroupKind | None,
    locations: Sequence[str] | None,
    school_year: str | None,
    origin: str | None,
) -> Group:
    chosen: GroupKind = kind if kind is not None else _one(draw, _GROUP_KINDS)
    key = key if key is not None else _group_key(draw, chosen)
    year = key[0] if key[:1].isdigit() else None
    subject = None
    if chosen != "homeroom":
        code = key.rsplit(".", 1)[-1].rsplit("_", 1)[-1].rstrip("12")
        subject = _SUBJECTS.get(code)
    return Group(
        key=key,
        name=_maybe(draw, _one(draw, (key, f"Klas {key}", f"{key} ({chosen})"))),
        kind=_maybe(draw, chosen),
        year=_maybe(draw, year),
        location=_reference(draw, locations, _free_location),
        subject=_maybe(draw, subject),
        school_year=_maybe(draw, school_year),
        origin=origin,
    )


def groups(
    *,
    key: str | None = None,
    kind: GroupKind | None = None,
    locations: Sequence[str] | None = None,
    school_year: str | None = SCHOOL_YEAR,
    origin: str | None = None,
) -> st.SearchStrategy[Group]:
    """A klas (``homeroom``), lesgroep (``teaching``) or composite group.

    Args:
        key: The key; by default one fitting the kind (``1HA``, ``1HA.wi2``, ``3HV_lo``).
        kind: The group kind; by default any.
        locations: Location keys to draw the group's location from (``None``: any BRIN6 of
            the generated school; an empty sequence: no location).
        school_year: The school year the group may carry (sometimes left empty).
        origin: The ``origin`` bookkeeping field.
    """
    return _strategy(
        lambda draw: _draw_group(
            draw,
            key=key,
            kind=kind,
            locations=locations,
            school_year=school_year,
            origin=origin,
        )
    )


def _draw_student(
    draw: st.DrawFn,
    *,
    key: str | None,
    locations: Sequence[str] | None,
    homerooms: Sequence[str] | None,
    groups: Sequence[str] | None,
    origin: str | None,
) -> Student:
    key = key if key is not None else _free_student(draw)
    first = _first_name(draw)
    second = _one(draw, FIRST_NAMES) if draw(_RARELY) else None
    given = f"{first} {second}" if second else first
    infix = _one(draw, INFIXES)
    last = _one(draw, LAST_NAMES)
    slug = _slug(first, infix, last) or "leerling"
    start = _maybe(draw, draw(_START_DATES))
    end = None
    if start is not None and draw(_RARELY):
        end = start + dt.timedelta(days=draw(st.integers(0, 700)))
    return Student(
        key=key,
        student_number=_maybe(draw, _one(draw, (key, key.lstrip("0") or key))),
        eckid=_maybe(draw, f"https://ketenid.nl/201703/{draw(_HEX)}"),
        username=_maybe(draw, f"{slug}{key}"),
        email=_maybe(draw, f"{slug}.{key}@leerling.voorbeeld.nl"),
        first_name=_maybe(draw, first),
        given_names=_maybe(draw, given),
        initials=_maybe(draw, _initials(given)),
        infix=infix,
        last_name=_maybe(draw, last),
        birth_date=_maybe(draw, draw(_BIRTH_DATES)),
        gender=_maybe(draw, _one(draw, _GENDERS)),
        year=_maybe(draw, _one(draw, "123456")),
        program=_maybe(draw, _one(draw, _PROGRAMS)),
        location=_reference(draw, locations, _free_location),
        homeroom=_reference(draw, homerooms, _free_homeroom),
        groups=_references(draw, groups, _free_teaching_group, 4),
        start_date=start,
        end_date=end,
        origin=origin,
    )


def students(
    *,
    key: str | None = None,
    locations: Sequence[str] | None = None,
    homerooms: Sequence[str] | None = None,
    groups: Sequence[str] | None = None,
    origin: str | None = None,
) -> st.SearchStrategy[Student]:
    """A leerling with a leading-zero number, a Dutch name, a klas and lesgroepen.

    Each reference is drawn from its pool; ``None`` means "any realistic key", and an empty
    pool means "none".

    Args:
        key: The key; by default a leerlingnummer like ``00123``.
        locations: Location keys for ``location``.
        homerooms: Group keys for ``homeroom`` (klas / stamgroep).
        groups: Group keys for ``groups`` (lesgroepen, clusters).
        origin: The ``origin`` bookkeeping field.
    """
    return _strategy(
        lambda draw: _draw_student(
            draw, key=key, locations=locations, homerooms=homerooms, groups=groups, origin=origin
        )
    )


def _draw_staff(
    draw: st.DrawFn,
    *,
    key: str | None,
    locations: Sequence[str] | None,
    homerooms: Sequence[str] | None,
    groups: Sequence[str] | None,
    students: Sequence[str] | None,
    origin: str | None,
) -> Staff:
    key = key if key is not None else _numbered(draw, "m", 4)
    first = _first_name(draw)
    infix = _one(draw, INFIXES)
    last = _one(draw, LAST_NAMES)
    slug = _slug(first, infix, last) or "medewerker"
    mentor_of = _references(draw, homerooms, _free_homeroom, 2)
    teaches = [g for g in _references(draw, groups, _free_teaching_group, 4) if g not in mentor_of]
    roles = [GroupRole(group, "mentor") for group in mentor_of]
    roles += [GroupRole(group, _one(draw, ("docent", "docent", "mentor"))) for group in teaches]
    abbreviation = (last[:1] + (infix or "")[:1] + first[:1]).upper().replace("'", "") or None
    return Staff(
        key=key,
        abbreviation=_maybe(draw, abbreviation),
        eckid=_maybe(draw, f"https://ketenid.nl/201703/{draw(_HEX)}"),
        username=_maybe(draw, f"{slug}.{key}"),
        email=_maybe(draw, f"{slug}@voorbeeld.nl"),
        first_name=_maybe(draw, first),
        initials=_maybe(draw, _initials(first)),
        infix=infix,
        last_name=_maybe(draw, last),
        gender=_maybe(draw, _one(draw, _GENDERS)),
        roles=tuple(_some(draw, _STAFF_ROLES, 2)),
        groups=tuple(roles),
        mentees=_references(draw, students, _free_student, 3),
        locations=_references(draw, locations, _free_location, 2),
        start_date=_maybe(draw, draw(_HIRE_DATES)),
        end_date=None,
        origin=origin,
    )


def staff_members(
    *,
    key: str | None = None,
    locations: Sequence[str] | None = None,
    homerooms: Sequence[str] | None = None,
    groups: Sequence[str] | None = None,
    students: Sequence[str] | None = None,
    origin: str | None = None,
) -> st.SearchStrategy[Staff]:
    """A medewerker: mentor of klassen, docent of lesgroepen, with mentees and locations.

    Args:
        key: The key; by default a medewerkernummer like ``m0042``.
        locations: Location keys they may work at.
        homerooms: Group keys they may mentor (``GroupRole(..., "mentor")``).
        groups: Group keys they may teach (``GroupRole(..., "docent")``, sometimes mentor).
        students: Student keys they may mentor directly (``mentees``).
        origin: The ``origin`` bookkeeping field.
    """
    return _strategy(
        lambda draw: _draw_staff(
            draw,
            key=key,
            locations=locations,
            homerooms=homerooms,
            groups=groups,
            students=students,
            origin=origin,
        )
    )


def _draw_guardian(
    draw: st.DrawFn, *, key: str | None, students: Sequence[str] | None, origin: str | None
) -> Guardian:
    key = key if key is not None else _numbered(draw, "v", 5)
    first = _first_name(draw)
    infix = _one(draw, INFIXES)
    last = _one(draw, LAST_NAMES)
    children = (
        list(students)
        if students is not None
        else sorted({_free_student(draw) for _ in range(draw(st.integers(1, 3)))})
    )
    links = [
        GuardianLink(
            child,
            relation=_maybe(draw, _one(draw, _RELATIONS)),
            legal_authority=draw(_OPTIONAL_BOOLS),
            receives_mail=draw(_OPTIONAL_BOOLS),
        )
        for child in children
    ]
    slug = _slug(first, infix, last) or "ouder"
    return Guardian(
        key=key,
        first_name=_maybe(draw, first),
        initials=_maybe(draw, _initials(first)),
        infix=infix,
        last_name=_maybe(draw, last),
        email=_maybe(draw, f"{slug}.{key}@example.nl"),
        phone=_maybe(draw, _one(draw, ("06-12345678", "+31 20 123 4567", "0201234567"))),
        gender=_maybe(draw, _one(draw, _GENDERS)),
        students=tuple(links),
        origin=origin,
    )


def guardians(
    *, key: str | None = None, students: Sequence[str] | None = None, origin: str | None = None
) -> st.SearchStrategy[Guardian]:
    """An ouder / verzorger linked to one or more children.

    Args:
        key: The key; by default a verzorgernummer like ``v00012``.
        students: The keys of *all* their children (siblings); each gets a
            :class:`~edukoppel.GuardianLink` with a relation, legal authority and whether
            they receive mail. ``None``: one to three made-up student keys.
        origin: The ``origin`` bookkeeping field.
    """
    return _strategy(lambda draw: _draw_guardian(draw, key=key, students=students, origin=origin))


# -- rosters ----------------------------------------------------------------------------------


def _blank(record: Record, keep: Collection[str]) -> Record:
    """The record with every data field outside ``keep`` emptied (what a reader gives)."""
    fields = attrs.fields_dict(type(record))
    empty: dict[str, Any] = {
        name: fields[name].default
        for name in data_fields(record.entity)
        if name != "key" and name not in keep
    }
    return attrs.evolve(record, **empty) if empty else record


def _prune(record: Record, keys: Mapping[EntityKind, Collection[str]]) -> Record:
    """Drop references to records that are not in ``keys`` (per entity kind)."""
    locations, groups_, students_ = keys["location"], keys["group"], keys["student"]
    changes: dict[str, Any] = {}
    if isinstance(record, Group | Student) and record.location not in locations:
        changes["location"] = None
    if isinstance(record, Student):
        if record.homeroom not in groups_:
            changes["homeroom"] = None
        changes["groups"] = [group for group in record.groups if group in groups_]
    elif isinstance(record, Staff):
        changes["groups"] = [role for role in record.groups if role.group in groups_]
        changes["mentees"] = [key for key in record.mentees if key in students_]
        changes["locations"] = [key for key in record.locations if key in locations]
    elif isinstance(record, Guardian):
        changes["students"] = [link for link in record.students if link.student in students_]
    changes = {name: value for name, value in changes.items() if getattr(record, name) != value}
    return attrs.evolve(record, **changes) if changes else record


def _make_roster(
    records: Mapping[EntityKind, Sequence[Record]],
    *,
    school: School | None,
    source: str,
    provides: Mapping[EntityKind, Collection[str] | None] | None = None,
) -> Roster:
    names = ROSTER_ARGUMENTS
    arguments: dict[str, Any] = {names[kind]: list(items) for kind, items in records.items()}
    return Roster(school=school, provides=provides, source=source, **arguments)


def _school(draw: st.DrawFn) -> School | None:
    if not draw(_USUALLY):
        return None
    return School(
        brin=BRIN,
        name=_one(draw, ("Het Voorbeeld College", "Scholengemeenschap De Brug")),
        school_year=SCHOOL_YEAR,
        reference_date=_maybe(draw, dt.date(2025, 10, 1)),
    )


_FIELD_SUBSETS: Final = {
    kind: st.sets(st.sampled_from(data_fields(kind)[1:])) for kind in ENTITY_KINDS
}


def _draw_provides(draw: st.DrawFn, kinds: Collection[EntityKind]) -> dict[EntityKind, set[str]]:
    return {kind: draw(_FIELD_SUBSETS[kind]) for kind in ENTITY_KINDS if kind in kinds}


def _distinct(draw: st.DrawFn, make: Any, max_size: int) -> list[str]:
    """Up to ``max_size`` distinct keys made by ``make(draw)``."""
    keys: list[str] = []
    for _ in range(draw(st.integers(0, max_size))):
        key = make(draw)
        if key not in keys:
            keys.append(key)
    return keys


def _draw_roster(
    draw: st.DrawFn,
    *,
    source: str,
    min_students: int,
    max_students: int,
    kinds: Collection[EntityKind] | None,
    sparse: bool,
    origin: str | None,
) -> Roster:
    wanted = frozenset(ENTITY_KINDS if kinds is None else kinds)
    unknown = wanted - set(ENTITY_KINDS)
    if unknown:
        raise ValueError(f"unknown entity kinds: {sorted(unknown)}")
    school = _school(draw)

    location_keys: list[str] = []
    if "location" in wanted:
        numbers = draw(st.lists(st.integers(0, 99), min_size=1, max_size=3, unique=True))
        location_keys = [_location_key(n) for n in sorted(numbers)]
    homeroom_keys: list[str] = []
    other_group_keys: list[str] = []
    if "group" in wanted:
        homeroom_keys = _distinct(draw, _free_homeroom, 4)
        other_group_keys = _distinct(
            draw,
            lambda draw: _group_key(draw, "composite" if draw(_RARELY) else "teaching"),
            5,
        )
    student_keys = (
        draw(
            st.one_of(
                _unique_keys("0", 4, min_size=min_students, max_size=max_students),
                _unique_keys("", 6, min_size=min_students, max_size=max_students),
            )
        )
        if "student" in wanted
        else []
    )
    staff_keys = draw(_unique_keys("m", 4, max_size=5)) if "staff" in wanted else []

    records: dict[EntityKind, list[Record]] = {}
    if "location" in wanted:
        records["location"] = [
            _draw_location(draw, key=key, origin=origin) for key in location_keys
        ]
    if "group" in wanted:
        records["group"] = [
            _draw_group(
                draw,
                key=key,
                kind="homeroom"
                if key in homeroom_keys
                else ("composite" if "_" in key else "teaching"),
                locations=location_keys,
                school_year=SCHOOL_YEAR,
                origin=origin,
            )
            for key in homeroom_keys + other_group_keys
        ]
    if "student" in wanted:
        records["student"] = [
            _draw_student(
                draw,
                key=key,
                locations=location_keys,
                homerooms=homeroom_keys,
                groups=other_group_keys,
                origin=origin,
            )
            for key in student_keys
        ]
    if "staff" in wanted:
        records["staff"] = [
            _draw_staff(
                draw,
                key=key,
                locations=location_keys,
                homerooms=homeroom_keys,
                groups=other_group_keys,
                students=student_keys,
                origin=origin,
            )
            for key in staff_keys
        ]
    if "guardian" in wanted:
        families: list[list[str]] = []
        if student_keys:
            families = [
                _some(draw, student_keys, 3) or [_one(draw, student_keys)]
                for _ in range(draw(st.integers(0, min(len(student_keys), 6))))
            ]
        else:
            families = [[] for _ in range(draw(st.integers(0, 2)))]
        parents = [family for family in families for _ in range(draw(st.integers(1, 2)))]
        guardian_keys = draw(_unique_keys("v", 5, min_size=len(parents), max_size=len(parents)))
        records["guardian"] = [
            _draw_guardian(draw, key=key, students=family, origin=origin)
            for key, family in zip(guardian_keys, parents, strict=True)
        ]

    provides: dict[EntityKind, set[str]] | None = None
    if sparse:
        provides = _draw_provides(draw, wanted)
        records = {
            kind: [_blank(record, provides[kind]) for record in items]
            for kind, items in records.items()
        }
    return _make_roster(records, school=school, source=source, provides=provides)


def rosters(
    *,
    source: str = "las",
    min_students: int = 0,
    max_students: int = 30,
    kinds: Collection[EntityKind] | None = None,
    sparse: bool = False,
    origin: str | None = None,
) -> st.SearchStrategy[Roster]:
    """A consistent roster of one school: locations, groups, students, staff and guardians.

    Keys are unique per kind and every reference (a student's location, klas and lesgroepen;
    a teacher's groups, mentees and locations; a guardian's children) points at a record in
    the roster. References to kinds left out by ``kinds`` are left empty. Groups belong to
    :data:`SCHOOL_YEAR` (or say no school year); the school, when there is one, is
    :data:`BRIN` in :data:`SCHOOL_YEAR`.

    Args:
        source: The roster's source name.
        min_students: The least number of students.
        max_students: The largest number of students.
        kinds: The entity kinds the roster provides (default: all five).
        sparse: Provide a random subset of each kind's fields (the key always); the fields
            not provided are empty in the records, as a reader leaves them.
        origin: Set every record's ``origin`` (as a store holds them); ``None`` for an
            incoming roster.
    """
    return _strategy(
        lambda draw: _draw_roster(
            draw,
            source=source,
            min_students=min_students,
            max_students=max_students,
            kinds=kinds,
            sparse=sparse,
            origin=origin,
        )
    )


# -- pairs ------------------------------------------------------------------------------------

# What happens to each record between the stored state and the next export (shrinks to "stay").
_FATES = ("stay", "stay", "stay", "leave", "join", "away", "back")
_IN_CURRENT = frozenset({"stay", "leave", "away", "back"})
_IN_INCOMING = frozenset({"stay", "join", "back"})


def _fresh(
    draw: st.DrawFn, record: Record, keys: Mapping[EntityKind, Sequence[str]], homerooms: list[str]
) -> Record:
    """A newly drawn record with the same key, its references drawn from ``keys``."""
    other_groups = [key for key in keys["group"] if not _is_homeroom_key(key)]
    if isinstance(record, Location):
        return _draw_location(draw, key=record.key, origin=None)
    if isinstance(record, Group):
        return _draw_group(
            draw,
            key=record.key,
            kind=record.kind,
            locations=keys["location"],
            school_year=SCHOOL_YEAR,
            origin=None,
        )
    if isinstance(record, Student):
        return _draw_student(
            draw,
            key=record.key,
            locations=keys["location"],
            homerooms=homerooms,
            groups=other_groups,
            origin=None,
        )
    if isinstance(record, Staff):
        return _draw_staff(
            draw,
            key=record.key,
            locations=keys["location"],
            homerooms=homerooms,
            groups=other_groups,
            students=keys["student"],
            origin=None,
        )
    children = [link.student for link in record.students if link.student in keys["student"]]
    return _draw_guardian(draw, key=record.key, students=children, origin=None)


@st.composite
def _roster_pairs(
    draw: st.DrawFn,
    source: str,
    max_students: int,
    kinds: Collection[EntityKind] | None,
    sparse: bool,
) -> tuple[Roster, Roster]:
    universe = _draw_roster(
        draw,
        source=source,
        min_students=0,
        max_students=max_students,
        kinds=kinds,
        sparse=False,
        origin=None,
    )
    present = [kind for kind in ENTITY_KINDS if kind in universe.provides]
    fates: dict[EntityKind, dict[str, str]] = {}
    for kind in present:
        choices = ("stay", "stay", "join") if kind == "location" else _FATES
        fates[kind] = {
            record.key: draw(st.sampled_from(choices)) for record in universe.records(kind)
        }

    def keys_in(side: frozenset[str]) -> dict[EntityKind, list[str]]:
        return {
            kind: [key for key, fate in fates.get(kind, {}).items() if fate in side]
            for kind in ENTITY_KINDS
        }

    current_keys, incoming_keys = keys_in(_IN_CURRENT), keys_in(_IN_INCOMING)
    homerooms = [key for key in incoming_keys["group"] if _is_homeroom_key(key)]

    current: dict[EntityKind, list[Record]] = {}
    incoming: dict[EntityKind, list[Record]] = {}
    for kind in present:
        current[kind], incoming[kind] = [], []
        for record in universe.records(kind):
            fate = fates[kind][record.key]
            if fate in _IN_CURRENT:
                current[kind].append(
                    attrs.evolve(
                        _prune(record, current_keys),
                        origin=source,
                        archived=fate in ("away", "back"),
                    )
                )
            if fate not in _IN_INCOMING:
                continue
            changed = record
            if fate != "join" and draw(st.sampled_from((False, False, True))):
                fresh = _fresh(draw, record, incoming_keys, homerooms)
                names = draw(st.sets(st.sampled_from(data_fields(kind)[1:]), min_size=1))
                values: dict[str, Any] = {name: getattr(fresh, name) for name in names}
                changed = attrs.evolve(record, **values)
            pruned = _prune(changed, incoming_keys)
            if isinstance(pruned, Guardian) and record.students and not pruned.students:
                continue  # their children all left: so do they
            incoming[kind].append(pruned)
        incoming[kind] = draw(st.permutations(incoming[kind]))

    provides: dict[EntityKind, set[str]] | None = None
    if sparse:
        provides = _draw_provides(draw, present)
        incoming = {
            kind: [_blank(record, provides[kind]) for record in items]
            for kind, items in incoming.items()
        }
    school = universe.school
    new_school = school
    if school is not None and draw(st.sampled_from((False, False, True))):
        new_school = attrs.evolve(school, name=f"{school.name} (nieuwe naam)")
    return (
        _make_roster(current, school=school, source=source),
        _make_roster(incoming, school=new_school, source=source, provides=provides),
    )


def roster_pairs(
    *,
    source: str = "las",
    max_students: int = 12,
    kinds: Collection[EntityKind] | None = None,
    sparse: bool = False,
) -> st.SearchStrategy[tuple[Roster, Roster]]:
    """``(current, incoming)``: what a store holds, and the source's next export.

    Both come from one generated school. ``current`` is a store's view: every record has
    ``origin=source``, and some are archived. ``incoming`` differs by realistic churn: records
    that stay, leavers, newcomers, some fields of some records changed (a new klas, a new
    surname), archived records that come back, references to leavers dropped, the records in
    another order, and sometimes a renamed school. Both have the same ``source``, so a plan
    may act on every stored record.

    Args:
        source: The source name of both rosters and the origin of the stored records.
        max_students: How many students the school has at most (over both rosters).
        kinds: The entity kinds both rosters provide (default: all five).
        sparse: The incoming roster provides a random subset of each kind's fields, and
            leaves the others empty.
    """
    return _roster_pairs(source, max_students, kinds, sparse)


# -- EDEXML -----------------------------------------------------------------------------------

#: The fields an EDEXML 2.1 file provides, per kind, as ``ek.read_edexml`` reads them.
EDEXML_PROVIDES: Final[dict[EntityKind, frozenset[str]]] = {
    "location": frozenset({"key", "name", "brin6"}),
    "group": frozenset({"key", "name", "kind", "year", "location", "school_year"}),
    "student": frozenset(
        {
            "key",
            "eckid",
            "first_name",
            "given_names",
            "initials",
            "infix",
            "last_name",
            "birth_date",
            "gender",
            "year",
            "location",
            "homeroom",
            "groups",
            "username",
            "email",
            "start_date",
            "end_date",
        }
    ),
    "staff": frozenset(
        {
            "key",
            "eckid",
            "first_name",
            "initials",
            "infix",
            "last_name",
            "username",
            "email",
            "roles",
            "groups",
            "locations",
        }
    ),
}
_EDEXML_YEARS = ("1", "2", "3", "4", "5", "6", "S", "V", "H", "N")
_EDEXML_ROLES = ("dir", "lrk", "vak", "owa", "tal", "ib", "zorgcoördinator", "mentor")
_EDEXML_LINK_ROLES = ("docent", "lrk", "vak", "mentor")
_EDEXML_GENDERS: tuple[Gender, ...] = ("male", "female", "unknown")
_REFERENCE_DATE = dt.date(2025, 10, 1)


def _edexml_names(draw: st.DrawFn, *, given: bool) -> dict[str, Any]:
    """A name EDEXML can hold: an achternaam with its parts, or a roepnaam alone."""
    first = _first_name(draw)
    if draw(_RARELY):
        return {"first_name": first}
    names: dict[str, Any] = {
        "first_name": _maybe(draw, first),
        "infix": _one(draw, INFIXES),
        "last_name": _one(draw, LAST_NAMES),
        "initials": _maybe(draw, _initials(first)),
    }
    if given:
        names["given_names"] = _maybe(draw, f"{first} {_one(draw, FIRST_NAMES)}")
    return names


def _draw_edexml_roster(draw: st.DrawFn, *, max_students: int, source: str) -> Roster:
    home = Location(key=f"{BRIN}10", brin6=f"{BRIN}10")
    vestigingen = [
        Location(key=f"V{number}", name=f"Vestiging {town}")
        for number, town in enumerate(_some(draw, _TOWNS, 2), 1)
    ]
    location_keys = [home.key, *(location.key for location in vestigingen)]
    homerooms = draw(st.lists(st.sampled_from("ABCDEF"), min_size=1, max_size=3, unique=True))
    groups = [
        Group(
            key=f"1H{letter}",
            name=f"1H{letter}",
            kind="homeroom",
            year=_one(draw, _EDEXML_YEARS),
            location=home.key,
            school_year=SCHOOL_YEAR,
        )
        for letter in homerooms
    ]
    groups += [
        Group(
            key=f"1H_{code}",
            name=_SUBJECTS[code],
            kind="composite",
            location=home.key,
            school_year=SCHOOL_YEAR,
        )
        for code in _some(draw, _SUBJECT_CODES, 3)
    ]
    homeroom_keys = [group.key for group in groups if group.kind == "homeroom"]
    composite_keys = [group.key for group in groups if group.kind == "composite"]
    students = []
    for key in draw(_unique_keys("0", 5, min_size=1, max_size=max_students)):
        names = _edexml_names(draw, given=True)
        end = _maybe(draw, draw(st.dates(dt.date(2025, 8, 1), dt.date(2026, 7, 31))))
        end = end if draw(_RARELY) else None
        username = _slug(names.get("first_name"), names.get("last_name"), key)
        students.append(
            Student(
                key=key,
                eckid=_maybe(draw, f"https://ketenid.nl/201703/{draw(_HEX)}{key}"),
                username=_maybe(draw, username),
                email=_maybe(draw, f"{username}@leerling.example.nl"),
                birth_date=_maybe(draw, draw(_BIRTH_DATES)),
                gender=_maybe(draw, _one(draw, _EDEXML_GENDERS)),
                year=_one(draw, _EDEXML_YEARS),
                location=_one(draw, location_keys),
                homeroom=_maybe(draw, _one(draw, homeroom_keys)),
                groups=tuple(_some(draw, composite_keys, 2)),
                start_date=_maybe(draw, draw(_START_DATES)),
                end_date=end,
                archived=end is not None and end <= _REFERENCE_DATE,
                **names,
            )
        )
    staff = []
    group_keys = [group.key for group in groups]
    for key in draw(_unique_keys("m", 4, min_size=1, max_size=3)):
        names = _edexml_names(draw, given=False)
        links = [
            GroupRole(group, role)
            for group in _some(draw, group_keys, 3)
            for role in (_some(draw, _EDEXML_LINK_ROLES, 2) or ["docent"])
        ]
        staff.append(
            Staff(
                key=key,
                eckid=_maybe(draw, f"https://ketenid.nl/201703/{draw(_HEX)}{key}"),
                username=_maybe(draw, f"{key}.docent"),
                email=_maybe(draw, f"{key}@school.example.nl"),
                roles=tuple(_some(draw, _EDEXML_ROLES, 2)),
                groups=tuple(links),
                locations=(home.key,),
                **names,
            )
        )
    provides = dict(EDEXML_PROVIDES)
    if not vestigingen:
        provides["location"] = frozenset({"key", "brin6"})
    return Roster(
        school=School(brin=BRIN, school_year=SCHOOL_YEAR, reference_date=_REFERENCE_DATE),
        locations=[home, *vestigingen],
        groups=groups,
        students=students,
        staff=staff,
        provides=provides,
        scope=Scope(locations=frozenset(location_keys), school_year=SCHOOL_YEAR),
        source=source,
    )


def edexml_rosters(*, max_students: int = 12, source: str = "edexml") -> st.SearchStrategy[Roster]:
    """A roster within what EDEXML 2.1 expresses, exactly as ``ek.read_edexml`` reads it back.

    One school (:data:`BRIN`, location ``99ZX10``, :data:`SCHOOL_YEAR`, peildatum
    2025-10-01) with up to two named vestigingen; homerooms with a VO year and composite
    groups; at least one student and one teacher. Leavers (an end date on or before the
    peildatum) are archived, as the reader makes them. For ``read(write(r)) == r`` tests.
    """
    return _strategy(
        lambda draw: _draw_edexml_roster(draw, max_students=max_students, source=source)
    )
