"""The canonical records: School, Location, Group, Student, Staff, Guardian, and their links.

Records are frozen, slotted attrs classes: cheap enough to hold a million pupils, hashable,
comparable, and validated on construction. Every field but ``key`` is optional; ``None`` (or an
empty tuple for sets of links) means *no value*. Whether a source *provides* a field at all is
said by the :class:`~edukoppel.Roster`, not by the record: an absent column is not an empty value.

Two fields are bookkeeping, not data, and are never compared: ``origin`` (the source that
created the record in a store; ``None`` in an incoming roster means "the roster's source") and
``archived``.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Literal, Self, TypeVar, get_args

import attrs

from edukoppel._i18n import msg
from edukoppel.exceptions import InvalidValueError
from edukoppel.model import _values as v

__all__ = [
    "ENTITY_KINDS",
    "EntityKind",
    "Group",
    "GroupRole",
    "Guardian",
    "GuardianLink",
    "Location",
    "Record",
    "School",
    "Staff",
    "Student",
    "data_fields",
    "record_class",
]

EntityKind = Literal["location", "group", "student", "staff", "guardian"]
#: The entity kinds in the order a store applies additions (referenced before referencing).
ENTITY_KINDS: tuple[EntityKind, ...] = get_args(EntityKind)

C = TypeVar("C", bound=type)

_GROUP_KINDS: dict[str, v.GroupKind] = {
    "homeroom": "homeroom", "stamgroep": "homeroom", "klas": "homeroom", "basisgroep": "homeroom",
    "teaching": "teaching", "lesgroep": "teaching", "cluster": "teaching",
    "clustergroep": "teaching",
    "composite": "composite", "samengestelde groep": "composite", "samengesteld": "composite",
}  # fmt: skip


def _message_key(raw: object) -> str | None:
    return raw.strip() or None if isinstance(raw, str) else None


def _guarded(entity: str) -> Any:
    """Turn a converter's internal signal into an InvalidValueError naming entity, key, field."""

    def decorate(cls: C) -> C:
        init: Callable[..., None] = vars(cls)["__init__"]

        @functools.wraps(init)
        def __init__(self: object, *args: Any, **kwargs: Any) -> None:
            try:
                init(self, *args, **kwargs)
            except v._Invalid as error:
                raise InvalidValueError(
                    entity=entity,
                    key=_message_key(kwargs.get("key")),
                    field=error.field,
                    expected=error.expected,
                    detail=error.detail,
                ) from None

        cls.__init__ = __init__  # type: ignore[misc]
        return cls

    return decorate


def _text(field: str) -> Any:
    return _converted(v.text_converter(field))


def _id(field: str) -> Any:
    return _converted(v.identifier_converter(field))


def _date(field: str) -> Any:
    return _converted(v.date_converter(field))


def _ids(field: str) -> Any:
    return attrs.field(default=(), converter=v.identifiers_converter(field))


def _converted(converter: Any, default: Any = None, order: Any = True) -> Any:
    return attrs.field(default=default, converter=converter, order=order)


def _required(converter: Any) -> Any:
    return attrs.field(converter=converter)


def _lower_texts(value: object) -> tuple[str, ...]:
    return tuple(sorted({text.lower() for text in _ROLES(value)}))


def _role(value: object) -> str:
    return (_ROLE(value) or "docent").lower()


_ROLES = v.identifiers_converter("roles")
_ROLE = v.text_converter("role")


def _origin() -> Any:
    return attrs.field(
        default=None, converter=v.text_converter("origin"), metadata={"bookkeeping": True}
    )


def _archived_flag(value: object) -> bool:
    # bool, or 0/1 as SQLite and other databases hand it back.
    if type(value) is bool:
        return value
    if type(value) is int and value in (0, 1):
        return bool(value)
    raise v._Invalid("archived", msg("invalid.archived"))


def _archived() -> Any:
    return attrs.field(default=False, converter=_archived_flag, metadata={"bookkeeping": True})


def _plain(value: Any) -> Any:
    """A field value as JSON-compatible plain data (see ``to_dict``)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, GroupRole | GuardianLink):
        return {name: getattr(value, name) for name in attrs.fields_dict(type(value))}
    return value


class _RecordMethods:
    """Plain values in and out, and validated copies: what a store needs from a record."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Every field, bookkeeping included, as plain values that JSON and SQL can hold.

        Dates become ``YYYY-MM-DD`` text, sets of keys become lists, links become lists of
        dicts. :meth:`from_dict` turns the result back into an equal record.

        Examples:
            >>> import edukoppel as ek
            >>> row = ek.Staff(key="m42", groups=[("1HA", "mentor")], origin="las").to_dict()
            >>> row["groups"], row["origin"], row["archived"]
            ([{'group': '1HA', 'role': 'mentor'}], 'las', False)
            >>> ek.Staff.from_dict(row) == ek.Staff(key="m42", groups=[("1HA", "mentor")],
            ...                                     origin="las")
            True
        """
        return {
            field.name: _plain(getattr(self, field.name))
            for field in attrs.fields(type(self))  # type: ignore[arg-type]
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """A record from plain values (what :meth:`to_dict` made, or a database row).

        Values are validated as in the constructor; a name that is not a field is refused
        with the fields there are. Fields left out get their default (no value).

        Examples:
            >>> import edukoppel as ek
            >>> ek.Student.from_dict({"key": "00123", "birth_date": "2012-03-04"}).birth_date
            datetime.date(2012, 3, 4)
        """
        known = attrs.fields_dict(cls)  # type: ignore[arg-type]
        unknown = sorted(str(name) for name in data if name not in known)
        if unknown:
            raise InvalidValueError(
                entity=_entity_name(cls),
                key=_message_key(data.get("key")),
                field=unknown[0],
                expected=msg("invalid.field-of", kind=_entity_name(cls), fields=", ".join(known)),
            )
        if "key" in known and "key" not in data:
            raise InvalidValueError(
                entity=_entity_name(cls),
                key=None,
                field="key",
                expected=msg("invalid.identifier-empty"),
            )
        return cls(**data)

    def evolve(self, **changes: Any) -> Self:
        """A copy with some fields changed, validated like a new record.

        A store applies an :class:`~edukoppel.Update` with
        ``stored.evolve(**update.new_values)``.

        Examples:
            >>> import edukoppel as ek
            >>> ek.Student(key="00123", last_name="Berg").evolve(last_name="Berg-Çelik").last_name
            'Berg-Çelik'
        """
        known = attrs.fields_dict(type(self))  # type: ignore[arg-type]
        unknown = sorted(name for name in changes if name not in known)
        if unknown:
            raise InvalidValueError(
                entity=_entity_name(type(self)),
                key=getattr(self, "key", None),
                field=unknown[0],
                expected=msg(
                    "invalid.field-of", kind=_entity_name(type(self)), fields=", ".join(known)
                ),
            )
        return attrs.evolve(self, **changes)  # type: ignore[misc]


def _entity_name(cls: type) -> str:
    entity = getattr(cls, "entity", None)
    return entity if isinstance(entity, str) else cls.__name__.lower()


# ---------------------------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------------------------


@_guarded("group role")
@attrs.frozen(order=True)
class GroupRole:
    """A staff member's place in a group: ``GroupRole("1HA", "mentor")``.

    Examples:
        >>> GroupRole("1HA", "Mentor")
        GroupRole(group='1HA', role='mentor')
    """

    group: str = _required(v.key_converter("group"))
    role: str = _converted(_role, default="docent")


def _unknown_first(value: object) -> tuple[bool, object]:
    """How a field that may be unknown (None) sorts: unknown first, then by its value.

    Two links to one student, one with a relation and one without, sort instead of
    comparing None with a text.
    """
    return (value is not None, value)


@_guarded("guardian link")
@attrs.frozen(order=True)
class GuardianLink:
    """A guardian's relation to one student.

    Attributes:
        student: The student's key.
        relation: How they are related, as the source says it ("moeder", "vader", "voogd").
        legal_authority: Has parental authority (gezag).
        receives_mail: Receives the school's post (post ontvangen).

    Examples:
        >>> GuardianLink("00123", relation="moeder", receives_mail="ja")
        GuardianLink(student='00123', relation='moeder', legal_authority=None, receives_mail=True)
    """

    student: str = _required(v.key_converter("student"))
    relation: str | None = _converted(v.text_converter("relation"), order=_unknown_first)
    legal_authority: bool | None = _converted(
        v.bool_converter("legal_authority"), order=_unknown_first
    )
    receives_mail: bool | None = _converted(v.bool_converter("receives_mail"), order=_unknown_first)


def _links_converter(field: str, link: type[Any], first: str) -> Any:
    def refuse() -> v._Invalid:
        return v._Invalid(field, msg("invalid.links", link=link.__name__, first=first))

    def one(item: object) -> Any:
        if isinstance(item, link):
            return item
        if isinstance(item, str):
            return link(item)
        if isinstance(item, dict):
            return link(**item)
        if isinstance(item, tuple | list):
            return link(*item)
        raise refuse()

    def convert(value: object) -> tuple[Any, ...]:
        if value is None:
            return ()
        if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
            raise refuse()
        try:
            return tuple(sorted(set(map(one, value))))
        except InvalidValueError as error:
            # The link's own message, not its rendering, so it stays in either language.
            expected = error._texts[0]
            raise v._Invalid(
                field, expected, msg("invalid.in-link-field", field=error.field)
            ) from None

    return convert


# ---------------------------------------------------------------------------------------------
# Entities
# ---------------------------------------------------------------------------------------------


@_guarded("school")
@attrs.frozen(kw_only=True)
class School(_RecordMethods):
    """The school (bestuur-level BRIN4) a roster belongs to, and for which school year.

    Examples:
        >>> school = School(brin="99zx", name="Het Voorbeeld College", school_year="2025/2026")
        >>> school.brin, school.school_year
        ('99ZX', '2025-2026')
    """

    brin: str | None = _converted(v.converter_for(v.normalise_brin4, "brin"))
    name: str | None = _text("name")
    school_year: str | None = _converted(v.converter_for(v.normalise_school_year, "school_year"))
    reference_date: dt.date | None = _date("reference_date")


@_guarded("location")
@attrs.frozen(kw_only=True)
class Location(_RecordMethods):
    """A vestiging: often a BRIN6 (BRIN4 + two digits, e.g. ``99ZX10``)."""

    entity: ClassVar[EntityKind] = "location"

    key: str = _required(v.key_converter())
    name: str | None = _text("name")
    brin6: str | None = _converted(v.converter_for(v.normalise_brin6, "brin6"))
    origin: str | None = _origin()
    archived: bool = _archived()


@_guarded("group")
@attrs.frozen(kw_only=True)
class Group(_RecordMethods):
    """A klas / stamgroep (``homeroom``), lesgroep / cluster (``teaching``) or composite group.

    Examples:
        >>> group = Group(key="1HA", kind="stamgroep", year="1", location="99ZX10")
        >>> group.kind
        'homeroom'
    """

    entity: ClassVar[EntityKind] = "group"

    key: str = _required(v.key_converter())
    name: str | None = _text("name")
    kind: v.GroupKind | None = _converted(v.choice_converter("kind", _GROUP_KINDS))
    year: str | None = _text("year")
    location: str | None = _id("location")
    subject: str | None = _text("subject")
    school_year: str | None = _converted(v.converter_for(v.normalise_school_year, "school_year"))
    origin: str | None = _origin()
    archived: bool = _archived()


class _Person(_RecordMethods):
    """Name handling shared by students, staff and guardians."""

    __slots__ = ()

    first_name: str | None
    initials: str | None
    infix: str | None
    last_name: str | None

    @property
    def display_name(self) -> str:
        """Roepnaam (or initials), infix and last name: ``Daan van der Berg``."""
        parts = (self.first_name or self.initials, self.infix, self.last_name)
        return " ".join(part for part in parts if part)

    @property
    def sort_name(self) -> str:
        """How Dutch lists sort people: ``Berg, Daan van der``."""
        given = " ".join(part for part in (self.first_name or self.initials, self.infix) if part)
        return f"{self.last_name}, {given}" if self.last_name and given else self.display_name


@_guarded("student")
@attrs.frozen(kw_only=True)
class Student(_Person):
    """A leerling.

    Examples:
        >>> s = Student(key="00123", first_name="Daan", infix="van der", last_name="Berg",
        ...             gender="M", birth_date="2011-03-04", groups=["1HA.wi", "1HA.en"])
        >>> s.display_name, s.gender, s.birth_date, s.groups
        ('Daan van der Berg', 'male', datetime.date(2011, 3, 4), ('1HA.en', '1HA.wi'))
    """

    entity: ClassVar[EntityKind] = "student"

    key: str = _required(v.key_converter())
    student_number: str | None = _id("student_number")
    eckid: str | None = _id("eckid")
    username: str | None = _text("username")
    email: str | None = _converted(v.email_converter("email"))
    first_name: str | None = _text("first_name")
    given_names: str | None = _text("given_names")
    initials: str | None = _text("initials")
    infix: str | None = _text("infix")
    last_name: str | None = _text("last_name")
    birth_date: dt.date | None = _date("birth_date")
    gender: v.Gender | None = _converted(v.gender_converter("gender"))
    year: str | None = _text("year")
    program: str | None = _text("program")
    location: str | None = _id("location")
    homeroom: str | None = _id("homeroom")
    groups: tuple[str, ...] = _ids("groups")
    start_date: dt.date | None = _date("start_date")
    end_date: dt.date | None = _date("end_date")
    origin: str | None = _origin()
    archived: bool = _archived()


@_guarded("staff")
@attrs.frozen(kw_only=True)
class Staff(_Person):
    """A medewerker: docent, mentor, zorgcoördinator...

    Attributes:
        groups: The groups they teach or mentor, each with a role.
        mentees: Students they mentor directly, not through a group (Somtoday does this).
        roles: Functions at the school ("docent", "zorgmanager"), lower-cased.
        locations: The locations (vestigingen) they work at.

    Examples:
        >>> Staff(key="m42", abbreviation="JNS", groups=[("1HA", "mentor"), "2HA"]).groups
        (GroupRole(group='1HA', role='mentor'), GroupRole(group='2HA', role='docent'))
    """

    entity: ClassVar[EntityKind] = "staff"

    key: str = _required(v.key_converter())
    abbreviation: str | None = _text("abbreviation")
    eckid: str | None = _id("eckid")
    username: str | None = _text("username")
    email: str | None = _converted(v.email_converter("email"))
    first_name: str | None = _text("first_name")
    initials: str | None = _text("initials")
    infix: str | None = _text("infix")
    last_name: str | None = _text("last_name")
    gender: v.Gender | None = _converted(v.gender_converter("gender"))
    roles: tuple[str, ...] = _converted(_lower_texts, default=())
    groups: tuple[GroupRole, ...] = _converted(
        _links_converter("groups", GroupRole, "group"), default=()
    )
    mentees: tuple[str, ...] = _ids("mentees")
    locations: tuple[str, ...] = _ids("locations")
    start_date: dt.date | None = _date("start_date")
    end_date: dt.date | None = _date("end_date")
    origin: str | None = _origin()
    archived: bool = _archived()


@_guarded("guardian")
@attrs.frozen(kw_only=True)
class Guardian(_Person):
    """An ouder / verzorger and their relations to students.

    Examples:
        >>> g = Guardian(key="v7", initials="A.", last_name="Jansen",
        ...              students=[GuardianLink("00123", relation="moeder"), "00124"])
        >>> [link.student for link in g.students]
        ['00123', '00124']
    """

    entity: ClassVar[EntityKind] = "guardian"

    key: str = _required(v.key_converter())
    first_name: str | None = _text("first_name")
    initials: str | None = _text("initials")
    infix: str | None = _text("infix")
    last_name: str | None = _text("last_name")
    email: str | None = _converted(v.email_converter("email"))
    phone: str | None = _text("phone")
    gender: v.Gender | None = _converted(v.gender_converter("gender"))
    students: tuple[GuardianLink, ...] = _converted(
        _links_converter("students", GuardianLink, "student"), default=()
    )
    origin: str | None = _origin()
    archived: bool = _archived()


Record = Location | Group | Student | Staff | Guardian

_CLASSES: dict[EntityKind, type[Record]] = {
    "location": Location,
    "group": Group,
    "student": Student,
    "staff": Staff,
    "guardian": Guardian,
}
_DATA_FIELDS: dict[EntityKind, tuple[str, ...]] = {
    kind: tuple(a.name for a in attrs.fields(cls) if not a.metadata.get("bookkeeping"))
    for kind, cls in _CLASSES.items()
}


def record_class(kind: EntityKind) -> type[Record]:
    """The record class of an entity kind.

    Examples:
        >>> record_class("student").__name__
        'Student'
    """
    return _CLASSES[kind]


def data_fields(kind: EntityKind) -> tuple[str, ...]:
    """The data fields of an entity kind, ``key`` first, bookkeeping fields left out.

    Examples:
        >>> data_fields("location")
        ('key', 'name', 'brin6')
    """
    return _DATA_FIELDS[kind]


# ---------------------------------------------------------------------------------------------
# Trusted construction (internal API)
# ---------------------------------------------------------------------------------------------

_T = TypeVar("_T")
_Rows = Iterable[Sequence[Any]]


class paused_gc:  # lower-case: used as a function, ``with paused_gc():``
    """Pause the cyclic garbage collector in a block, unless it was paused already.

    Internal API. Making many objects that hold other objects (records, lists) sets off
    collections that walk every object in the process, again and again as the heap grows:
    for 200k records they cost as much as the building. The new objects are not part of any
    cycle, so the pause loses nothing; the collector runs again as before after the block.
    """

    __slots__ = ("_was_enabled",)

    def __enter__(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info: object) -> None:
        if self._was_enabled:
            gc.enable()


def _check_trustable(cls: type) -> tuple[attrs.Attribute[Any], ...]:
    fields: tuple[attrs.Attribute[Any], ...] = attrs.fields(cls)
    if getattr(cls, "__attrs_post_init__", None) is not None or any(
        a.validator is not None or isinstance(a.default, attrs.Factory)  # type: ignore[arg-type]
        for a in fields
    ):
        raise TypeError(f"{cls.__name__} has validators, factories or a post-init: not trustable")
    return fields


@functools.cache
def _slots(cls: Any) -> tuple[tuple[str, Any, Callable[[object, Any], None]], ...]:
    """Each field's name, default and slot setter (its member descriptor's ``__set__``)."""
    return tuple((a.name, a.default, vars(cls)[a.name].__set__) for a in _check_trustable(cls))


def trusted(cls: type[_T], **values: Any) -> _T:
    """A record (or link) of ``cls`` from values that are already what its converters return.

    Internal API. No converter runs: the caller promises that every value is exactly what the
    field's converter would return for it (``tuple`` for sets of keys and links, sorted and
    without duplicates; ``datetime.date``; lower-cased e-mail; canonical codes). Fields left
    out get their default. The record is then equal, hash-equal and in every way the same as
    one the validating constructor made from the raw values.

    Examples:
        >>> trusted(Student, key="00123", groups=("1HA",)) == Student(key="00123", groups=["1HA"])
        True
    """
    self: _T = object.__new__(cls)
    klass: Any = cls  # a class is hashable (the cache's key); mypy cannot see it of type[_T]
    for name, default, put in _slots(klass):
        value = values.pop(name, default)
        if value is attrs.NOTHING:
            raise TypeError(f"{cls.__name__} needs a value for {name!r}")
        put(self, value)
    if values:
        raise TypeError(f"{cls.__name__} has no field {sorted(values)[0]!r}")
    return self


def trusted_maker(
    cls: type[_T],
    fields: Sequence[str],
    adapters: Mapping[str, Callable[[Any], Any]] | None = None,
) -> Callable[[_Rows], list[_T]]:
    """A function that makes records of ``cls`` from rows of values, without converters.

    Internal API, the bulk form of :func:`trusted`: each row holds the values of ``fields``,
    in that order; the other fields get their default. ``adapters`` turn a field's value into
    what the converter returns where the row cannot hold it (a list from polars into a tuple):
    after its adapter, every value must be exactly what the field's converter would return.

    The maker is generated code (one slot store per field, nothing looked up per row); the
    cyclic garbage collector is paused while it runs (see :class:`paused_gc`).

    Examples:
        >>> make = trusted_maker(Location, ("key", "brin6"))
        >>> make([("10", "99ZX10"), ("11", None)])[0]
        Location(key='10', name=None, brin6='99ZX10', origin=None, archived=False)
    """
    klass: Any = cls
    return _generated_maker(klass, tuple(fields), tuple(sorted((adapters or {}).items())))


@functools.lru_cache(maxsize=64)
def _generated_maker(
    cls: Any, fields: tuple[str, ...], adapters: tuple[tuple[str, Callable[[Any], Any]], ...]
) -> Callable[[_Rows], list[Any]]:
    slots = {name: (default, put) for name, default, put in _slots(cls)}
    unknown = sorted(set(fields) - set(slots))
    if unknown or len(set(fields)) != len(fields):
        raise TypeError(f"{cls.__name__}: fields {fields} are not distinct fields of it")
    required = [name for name, (default, _) in slots.items() if default is attrs.NOTHING]
    if missing := sorted(set(required) - set(fields)):
        raise TypeError(f"{cls.__name__} needs a value for {missing[0]!r}")
    adapt = dict(adapters)
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls, "paused_gc": paused_gc}
    lines = []
    for index, (name, (default, put)) in enumerate(slots.items()):
        namespace[f"put{index}"] = put
        if name in fields:
            value = f"v{fields.index(name)}"
            if name in adapt:
                namespace[f"adapt{index}"] = adapt[name]
                value = f"adapt{index}({value})"
        else:
            namespace[f"default{index}"] = default
            value = f"default{index}"
        lines.append(f"            put{index}(self, {value})")
    names = ", ".join(f"v{index}" for index in range(len(fields))) or "_"
    source = "\n".join(
        [
            "def make(rows):",
            "    out = []",
            "    append = out.append",
            "    with paused_gc():",
            f"        for {names}{',' if len(fields) == 1 else ''} in rows:",
            "            self = new(cls)",
            *lines,
            "            append(self)",
            "    return out",
        ]
    )
    exec(compile(source, f"<trusted maker of {cls.__name__}>", "exec"), namespace)
    make: Callable[[_Rows], list[Any]] = namespace["make"]
    return make
