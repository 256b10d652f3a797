"""The Roster: the records of one source (or one store) and what they are authoritative for."""

from __future__ import annotations

import hashlib
import pickle
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

if TYPE_CHECKING:
    import polars as pl

from edukoppel._i18n import msg
from edukoppel.exceptions import InvalidValueError
from edukoppel.model._records import (
    ENTITY_KINDS,
    EntityKind,
    Group,
    Guardian,
    Location,
    Record,
    School,
    Staff,
    Student,
    _guarded,
    data_fields,
    record_class,
)
from edukoppel.model._values import normalise_school_year

__all__ = ["ROSTER_ARGUMENTS", "Collection", "Roster", "Scope"]

R = TypeVar("R", bound=Record)

#: The Roster argument that holds the records of each kind (``staff`` takes no "s").
ROSTER_ARGUMENTS: dict[EntityKind, str] = {
    "location": "locations",
    "group": "groups",
    "student": "students",
    "staff": "staff",
    "guardian": "guardians",
}


class Collection(Generic[R]):
    """The records of one entity kind, in source order, with an index by key.

    Duplicate keys are kept (nothing is lost); :attr:`duplicate_keys` names them, and
    :meth:`get` returns the first record with a key.
    """

    __slots__ = ("_by_key", "_provenance", "_records", "archived_count", "duplicate_keys", "kind")

    def __init__(
        self, kind: EntityKind, records: Iterable[R], *, provenance: Iterable[object] | None = None
    ) -> None:
        cls = record_class(kind)
        self.kind = kind
        self._records: tuple[R, ...] = tuple(records)
        self._provenance = None if provenance is None else tuple(provenance)
        if self._provenance is not None and len(self._provenance) != len(self._records):
            raise InvalidValueError(
                entity="roster",
                key=None,
                field="provenance",
                expected=msg("invalid.provenance", kind=kind),
                detail=msg(
                    "invalid.provenance.detail",
                    places=len(self._provenance),
                    count=len(self._records),
                ),
            )
        for record in self._records:
            if type(record) is not cls:
                raise InvalidValueError(
                    entity="roster",
                    key=None,
                    field=ROSTER_ARGUMENTS[kind],
                    expected=msg("invalid.records-of-type", type=cls.__name__),
                    detail=msg("invalid.got-type", type=type(record).__name__),
                )
        by_key: dict[str, R] = {}
        archived = 0
        for record in self._records:
            by_key.setdefault(record.key, record)
            archived += record.archived
        self.archived_count: int = archived
        self._by_key: dict[str, R] = by_key
        if len(by_key) == len(self._records):
            self.duplicate_keys: tuple[str, ...] = ()
        else:
            counts = Counter(record.key for record in self._records)
            self.duplicate_keys = tuple(sorted(key for key, n in counts.items() if n > 1))

    def get(self, key: str) -> R | None:
        """The record with this key (the first one, if the key is duplicated)."""
        return self._by_key.get(key)

    def __getitem__(self, key: str) -> R:
        return self._by_key[key]

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __iter__(self) -> Iterator[R]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def keys(self) -> Iterable[str]:
        """The distinct keys."""
        return self._by_key.keys()

    def where(self, key: str) -> tuple[object, ...]:
        """Where the records with this key came from.

        Their provenance (a row in the source) when the roster was given one, else their
        1-based position among these records.

        Examples:
            >>> import edukoppel as ek
            >>> roster = ek.Roster(students=[ek.Student(key="1"), ek.Student(key="1")],
            ...                    provenance={"student": [4, 9]})
            >>> roster.students.where("1")
            (4, 9)
        """
        return self.places([key]).get(key, ())

    def places(self, keys: Iterable[str]) -> dict[str, tuple[object, ...]]:
        """:meth:`where` for several keys at once, in one pass over the records."""
        wanted = set(keys)
        found: dict[str, list[object]] = {}
        for index, record in enumerate(self._records):
            if record.key in wanted:
                place = index + 1 if self._provenance is None else self._provenance[index]
                found.setdefault(record.key, []).append(place)
        return {key: tuple(places) for key, places in found.items()}

    @property
    def has_provenance(self) -> bool:
        """Whether :meth:`where` gives places in the source rather than positions."""
        return self._provenance is not None

    def by_key(self) -> Mapping[str, R]:
        """A read-only view of the index by key."""
        return self._by_key

    @property
    def active(self) -> tuple[R, ...]:
        """The records that are not archived, in source order."""
        if not self.archived_count:
            return self._records
        return tuple(record for record in self._records if not record.archived)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Collection):
            return NotImplemented
        return self.kind == other.kind and sorted(self._records, key=_sort_key) == sorted(
            other._records, key=_sort_key
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{self.kind}s: {len(self._records)}>"


def _sort_key(record: Record) -> tuple[str, bool, str]:
    return (record.key, record.archived, record.origin or "")


def _optional_frozenset(value: Iterable[str] | None) -> frozenset[str] | None:
    if isinstance(value, str):
        raise InvalidValueError(
            entity="scope",
            key=None,
            field="locations",
            expected=msg("invalid.scope-locations"),
        )
    return None if value is None else frozenset(value)


@_guarded("scope")
@attrs.frozen(kw_only=True)
class Scope:
    """What an incoming roster is authoritative for: only inside it may a sync archive.

    Attributes:
        locations: The location keys the source covers; ``None`` means every location
            of the school. A file for 99ZX10 never archives the pupils of 99ZX11.
        school_year: The school year the source covers; groups of another school year are
            out of scope.
    """

    locations: frozenset[str] | None = attrs.field(default=None, converter=_optional_frozenset)
    school_year: str | None = attrs.field(default=None, converter=normalise_school_year)


def _normalise_provides(
    given: Mapping[EntityKind, Iterable[str] | None] | None, present: Iterable[EntityKind]
) -> dict[EntityKind, frozenset[str]]:
    if given is None:
        return {kind: frozenset(data_fields(kind)) for kind in present}
    provides: dict[EntityKind, frozenset[str]] = {}
    for kind, fields in given.items():
        if kind not in ENTITY_KINDS:
            raise InvalidValueError(
                entity="roster",
                key=None,
                field="provides",
                expected=msg("invalid.provides-unknown-kind", kinds=ENTITY_KINDS),
                detail=msg("invalid.provides-unknown-kind.detail", kind=kind),
            )
        known = data_fields(kind)
        chosen = frozenset(known) if fields is None else frozenset(fields) | {"key"}
        unknown = sorted(chosen - set(known))
        if unknown:
            raise InvalidValueError(
                entity="roster",
                key=None,
                field="provides",
                expected=msg("invalid.provides-unknown-field", kind=kind, fields=", ".join(known)),
                detail=msg("invalid.provides-unknown-field.detail", fields=", ".join(unknown)),
            )
        provides[kind] = chosen
    return provides


class Roster:
    """The people and groups of one source, and what that source provides.

    A roster says which entity kinds and which fields it *provides*, and its *scope*
    (locations, school year). A CSV without an e-mail column provides no e-mail, so a sync
    never clears e-mail addresses because of it.

    Args:
        school: The school and school year, when the source says so.
        locations: The vestigingen.
        groups: The klassen and lesgroepen.
        students: The leerlingen.
        staff: The medewerkers.
        guardians: The ouders and verzorgers.
        provides: The kinds the source provides, each with the fields it provides (a list,
            or ``None`` for all of them). Without it, the roster provides every kind passed,
            even as an empty list ("provided, and there are none"), with all fields.
            Records of a kind that ``provides`` does not name are refused: a sync would
            ignore them.
        scope: What the source is authoritative for; default: everything it provides. A
            scope without a school year takes the school's.
        source: A short, stable name of where the records come from (``"somtoday"``,
            ``"leerlingen.csv"``). Records a sync adds are owned by this source.
        revision: A store's revision token for this snapshot; when set, it is the roster's
            fingerprint (so plans against a store need not hash every record).
        provenance: Per entity kind, where each record came from, in the order of the
            records: a row number or a reader's ``Provenance``. Messages about a record
            (duplicate keys) then name its rows.

    Examples:
        >>> import edukoppel as ek
        >>> roster = ek.Roster(
        ...     students=[ek.Student(key="00123", first_name="Daan", last_name="Berg")],
        ...     provides={"student": ["first_name", "last_name"]},
        ...     source="leerlingen.csv",
        ... )
        >>> roster
        <Roster source='leerlingen.csv': 1 student>
        >>> sorted(roster.provides["student"])
        ['first_name', 'key', 'last_name']
    """

    __slots__ = (
        "_collections",
        "_fingerprint",
        "provides",
        "revision",
        "school",
        "scope",
        "source",
    )

    def _repr_html_(self) -> str:
        from edukoppel._html import roster_html

        return roster_html(self)

    def __init__(
        self,
        *,
        school: School | None = None,
        locations: Iterable[Location] | None = None,
        groups: Iterable[Group] | None = None,
        students: Iterable[Student] | None = None,
        staff: Iterable[Staff] | None = None,
        guardians: Iterable[Guardian] | None = None,
        provides: Mapping[EntityKind, Iterable[str] | None] | None = None,
        scope: Scope | None = None,
        source: str = "unnamed",
        revision: str | None = None,
        provenance: Mapping[EntityKind, Iterable[object]] | None = None,
    ) -> None:
        given: dict[EntityKind, Iterable[Any] | None] = {
            "location": locations,
            "group": groups,
            "student": students,
            "staff": staff,
            "guardian": guardians,
        }
        present = [kind for kind, records in given.items() if records is not None]
        self.provides: Mapping[EntityKind, frozenset[str]] = _normalise_provides(provides, present)
        places = provenance or {}
        self._collections: dict[EntityKind, Collection[Any]] = {
            kind: Collection(kind, given[kind] or (), provenance=places.get(kind))
            for kind in ENTITY_KINDS
        }
        for kind, collection in self._collections.items():
            if collection and kind not in self.provides:
                raise InvalidValueError(
                    entity="roster",
                    key=None,
                    field="provides",
                    expected=msg("invalid.provides-kinds"),
                    detail=msg("invalid.provides-kinds.detail", count=len(collection), kind=kind),
                )
        self.school = school
        scope = scope if scope is not None else Scope()
        if scope.school_year is None and school is not None and school.school_year is not None:
            scope = attrs.evolve(scope, school_year=school.school_year)
        self.scope = scope
        self.source = source
        self.revision = revision
        self._fingerprint: str | None = revision

    def evolve(self, **changes: Any) -> Roster:
        """A copy with some of its arguments changed (``school=``, ``scope=``, ``students=``...).

        The copy keeps the records, what they provide and where they came from, unless
        changed; a store's revision is not kept (the copy is not the store's snapshot).

        Examples:
            >>> import edukoppel as ek
            >>> read = ek.Roster(students=[ek.Student(key="00123")], source="leerlingen.csv")
            >>> school = ek.School(brin="99ZX", school_year="2025-2026")
            >>> read.evolve(school=school).scope.school_year
            '2025-2026'
        """
        plural = ROSTER_ARGUMENTS
        arguments: dict[str, Any] = {
            "school": self.school,
            "provides": dict(self.provides),
            "source": self.source,
            "provenance": {
                kind: collection._provenance
                for kind, collection in self._collections.items()
                if collection._provenance is not None
            },
        }
        if "school" not in changes or self.scope != Scope(school_year=_year(self.school)):
            arguments["scope"] = self.scope
        for kind in self.provides:
            arguments[plural[kind]] = list(self._collections[kind])
        unknown = sorted(set(changes) - {*arguments, "scope", "revision", *plural.values()})
        if unknown:
            raise TypeError(f"Roster.evolve() got unknown arguments: {', '.join(unknown)}")
        for kind, name in plural.items():
            if name in changes and kind not in self.provides and "provides" not in changes:
                arguments["provides"][kind] = None
        arguments.update(changes)
        return Roster(**arguments)

    @classmethod
    def empty(cls, *, source: str = "empty") -> Roster:
        """A roster with no records that provides nothing (a new, empty store).

        Examples:
            >>> Roster.empty().is_empty
            True
        """
        return cls(source=source)

    @property
    def locations(self) -> Collection[Location]:
        """The locations (vestigingen)."""
        return self._collections["location"]

    @property
    def groups(self) -> Collection[Group]:
        """The groups (klassen, lesgroepen)."""
        return self._collections["group"]

    @property
    def students(self) -> Collection[Student]:
        """The students (leerlingen)."""
        return self._collections["student"]

    @property
    def staff(self) -> Collection[Staff]:
        """The staff (medewerkers)."""
        return self._collections["staff"]

    @property
    def guardians(self) -> Collection[Guardian]:
        """The guardians (ouders/verzorgers)."""
        return self._collections["guardian"]

    def records(self, kind: EntityKind) -> Collection[Any]:
        """The records of one entity kind."""
        return self._collections[kind]

    def to_polars(self, kind: EntityKind, *, fields: Sequence[str] | None = None) -> pl.DataFrame:
        """The records of one kind as a DataFrame: a column per field (or those named).

        Dates are ``Date``, sets of keys ``List(String)``, links ``List(Struct)``; ``archived``
        and ``origin`` are columns too, so ``frame.filter(~pl.col("archived"))`` gives the
        active records.

        Examples:
            >>> import edukoppel as ek
            >>> roster = ek.Roster(students=[ek.Student(key="1", homeroom="1HA"),
            ...                             ek.Student(key="2", homeroom="1HB")])
            >>> roster.to_polars("student", fields=["homeroom"]).rows()
            [('1', '1HA'), ('2', '1HB')]
        """
        from edukoppel.model._columns import records_frame

        return records_frame(kind, list(self._collections[kind]), fields=fields)

    @property
    def counts(self) -> dict[EntityKind, int]:
        """How many records of each kind, archived ones included."""
        return {kind: len(self._collections[kind]) for kind in ENTITY_KINDS}

    @property
    def is_empty(self) -> bool:
        """True when there are no records at all."""
        return not any(self._collections.values())

    @property
    def fingerprint(self) -> str:
        """A stable digest of the roster's content (or the store's revision, when set).

        Two rosters with the same records, in any order, have the same fingerprint.
        """
        if self._fingerprint is None:
            digest = hashlib.blake2b(digest_size=16)
            digest.update(repr(self.school).encode())
            for kind in ENTITY_KINDS:
                values = attrgetter(*data_fields(kind), "origin", "archived")
                ordered = sorted(self._collections[kind], key=_sort_key)
                digest.update(kind.encode())
                for start in range(0, len(ordered), 10_000):
                    chunk = list(map(values, ordered[start : start + 10_000]))
                    digest.update(pickle.dumps(chunk, protocol=5))
            self._fingerprint = "content:" + digest.hexdigest()
        return self._fingerprint

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Roster):
            return NotImplemented
        return (
            self.school == other.school
            and self._collections == other._collections
            and dict(self.provides) == dict(other.provides)
            and self.scope == other.scope
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        parts = []
        for kind in ENTITY_KINDS:
            count = len(self._collections[kind])
            if count or kind in self.provides:
                noun = kind if count == 1 or kind == "staff" else f"{kind}s"
                parts.append(f"{count} {noun}")
        return f"<Roster source={self.source!r}: {', '.join(parts) or 'empty'}>"


def _year(school: School | None) -> str | None:
    return None if school is None else school.school_year
