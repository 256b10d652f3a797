"""plan(): the pure reconcile core. No I/O, no clock, deterministic.

The rules (ARCHITECTURE.md section 4) in the order this module applies them:

1. Records the incoming roster marks archived, and records the policy's filters leave out
   (inactive registrations, disabled locations, unlinked staff), count as absent.
2. Records are matched per entity kind by the policy's identity; ambiguity is a conflict,
   and a conflicted record is neither added, changed nor archived.
3. Unmatched incoming records are added; matched ones are updated on the fields the source
   provides and owns; archived ones that come back are restored.
4. Stored records of this source (or claimed origins) that are absent are archived, only
   inside the incoming scope and only where the policy allows it.
5. Safeguards turn suspicious plans into blocked ones, with reasons.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from operator import attrgetter
from typing import Any, get_args

import attrs

from edukoppel._i18n import Message, msg
from edukoppel.model import (
    ENTITY_KINDS,
    EntityKind,
    Guardian,
    Record,
    Roster,
    record_class,
)
from edukoppel.report import Issue
from edukoppel.sync._changeset import (
    Add,
    Archive,
    BlockReason,
    Change,
    Changeset,
    FieldChange,
    Restore,
    Update,
)
from edukoppel.sync._policy import Action, Identity, SyncPolicy

__all__ = ["diff", "plan"]

_KIND_ORDER = {kind: index for index, kind in enumerate(ENTITY_KINDS)}
_EMPTY: tuple[Any, ...] = (None, ())
_MAX_KEYS_IN_MESSAGE = 10
#: The reason a record the source itself marks archived is left out (it is absent, silently).
_ARCHIVED_IN_SOURCE = msg("policy.archived-in-source")


def _exceeds(count: int, limit: float, active: int) -> bool:
    """Whether ``count`` is more than the share ``limit`` of ``active``, compared exactly.

    The limit is read as the decimal it was written as: 57 of 100 is not more than 0.57,
    which in floating point is a hair below 57/100.
    """
    return Fraction(count) > Fraction(str(limit)) * active


def _share(count: int, active: int) -> Fraction:
    return Fraction(count, active) if active else Fraction(1)


def plan(current: Roster, incoming: Roster, *, policy: SyncPolicy | None = None) -> Changeset:
    """Compare what the store holds with what the source says, and plan the changes.

    ``plan`` is pure: it reads its arguments and returns a :class:`Changeset`; applying it is
    :func:`edukoppel.apply`'s job. Planning twice gives the same result, and planning again
    after applying gives an empty changeset.

    Args:
        current: What the store holds now (``store.snapshot()``), archived records included.
        incoming: What the source provides (from a reader, or built in code).
        policy: Matching, allowed actions, field ownership, filters and safeguards;
            :class:`SyncPolicy()` by default.

    Returns:
        The changeset, possibly blocked by safeguards (see ``Changeset.blocked``).

    Examples:
        >>> import edukoppel as ek
        >>> current = ek.Roster(
        ...     students=[ek.Student(key="1", last_name="Jansen", origin="las"),
        ...               ek.Student(key="2", last_name="Bakker", origin="las")],
        ...     source="store",
        ... )
        >>> incoming = ek.Roster(
        ...     students=[ek.Student(key="1", last_name="Jansen-de Vries"), ek.Student(key="3")],
        ...     provides={"student": ["last_name"]},
        ...     source="las",
        ... )
        >>> changeset = ek.plan(current, incoming)
        >>> changeset.as_tuples()
        [('update', 'student', '1'), ('add', 'student', '3'), ('archive', 'student', '2')]
        >>> changeset.of("student", "update")[0].changes
        (FieldChange(field='last_name', old='Jansen', new='Jansen-de Vries'),)
    """
    policy = policy if policy is not None else SyncPolicy()
    planner = _Planner(current, incoming, policy)
    return planner.run()


_DIFF_POLICY = SyncPolicy(
    actions=dict.fromkeys(ENTITY_KINDS, frozenset(get_args(Action))),
    claims=frozenset({"*"}),
)


def diff(
    old: Roster,
    new: Roster,
    *,
    identity: Mapping[EntityKind, Identity] | None = None,
) -> Changeset:
    """What changed from one roster to the next: two exports compared, nothing else.

    Use ``diff`` to compare two files (last week's export and this week's) in a notebook;
    use :func:`plan` to sync a source into a store. ``diff`` knows no store: it ignores who
    created a record (``origin``), has no safeguards and blocks nothing, and treats every
    kind alike (staff who left are archived too). It compares the kinds ``new`` provides, on
    the fields that both rosters provide, inside ``new``'s scope. Records whose key appears
    more than once are left out, with an issue. The result is a :class:`Changeset` like
    :func:`plan`'s, so ``summary()``, ``to_polars()`` and ``print()`` work the same way.

    Args:
        old: The earlier roster.
        new: The later roster.
        identity: How records are matched, per kind, as in :class:`SyncPolicy`
            (default: by key).

    Examples:
        >>> import edukoppel as ek
        >>> week1 = ek.Roster(students=[ek.Student(key="1", homeroom="1HA"),
        ...                             ek.Student(key="2", homeroom="1HA")], source="week1.csv")
        >>> week2 = ek.Roster(students=[ek.Student(key="1", homeroom="1HB")], source="week2.csv")
        >>> ek.diff(week1, week2).as_tuples()
        [('update', 'student', '1'), ('archive', 'student', '2')]
    """
    policy = _DIFF_POLICY
    if identity:
        policy = SyncPolicy(
            identity=dict(identity), actions=_DIFF_POLICY.actions, claims=_DIFF_POLICY.claims
        )
    provided = {
        kind: fields & old.provides[kind] if kind in old.provides else fields
        for kind, fields in new.provides.items()
    }
    planner = _Planner(old, new, policy, provided=provided, safeguards=False)
    return planner.run()


class _Planner:
    def __init__(
        self,
        current: Roster,
        incoming: Roster,
        policy: SyncPolicy,
        *,
        provided: Mapping[EntityKind, frozenset[str]] | None = None,
        safeguards: bool = True,
    ) -> None:
        self.current = current
        self.incoming = incoming
        self.policy = policy
        self.provides = provided if provided is not None else incoming.provides
        self.safeguards = safeguards
        self.source = incoming.source
        self.issues: list[Issue] = []
        self.blocked: list[BlockReason] = []
        self.changes: list[Change] = []
        self.scope_locations = _intersect(incoming.scope.locations, policy.locations)
        self.scope_year = incoming.scope.school_year
        self.left_out_by_policy: dict[EntityKind, set[str]] = defaultdict(set)

    # -- the whole plan ---------------------------------------------------------------------

    def run(self) -> Changeset:
        self._check_school()
        kept = self._filtered_incoming()
        archives: list[Archive] = []
        for kind in ENTITY_KINDS:
            if kind in self.provides:
                archives.extend(self._plan_kind(kind, kept[kind]))
        archives.sort(key=lambda change: (-_KIND_ORDER[change.entity], change.key))
        self.changes.sort(key=lambda change: (_KIND_ORDER[change.entity], change.key))
        school = self.incoming.school
        if school is None or school == self.current.school:
            school = None
        self.issues.sort(key=lambda i: (i.entity or "", i.code, i.key or "", i.field or ""))
        return Changeset(
            source=self.source,
            base=self.current.fingerprint,
            changes=(*self.changes, *archives),
            blocked=tuple(self.blocked),
            issues=tuple(self.issues),
            school=school,
            policy=self.policy,
        )

    def _check_school(self) -> None:
        stored, coming = self.current.school, self.incoming.school
        if stored is None or coming is None or not self.safeguards:
            return
        if stored.brin and coming.brin and stored.brin != coming.brin:
            self.blocked.append(
                BlockReason(
                    code="school-mismatch",
                    message=msg("school-mismatch", incoming=coming.brin, stored=stored.brin),
                )
            )
        if stored.school_year and coming.school_year and stored.school_year != coming.school_year:
            self.blocked.append(
                BlockReason(
                    code="school-year-mismatch",
                    message=msg(
                        "school-year-mismatch",
                        incoming=coming.school_year,
                        stored=stored.school_year,
                    ),
                )
            )

    # -- filters ----------------------------------------------------------------------------

    def _filtered_incoming(self) -> dict[EntityKind, Mapping[str, Record] | list[Record]]:
        """Apply the policy's filters; return per kind the kept records."""
        kept: dict[EntityKind, Mapping[str, Record] | list[Record]] = {}
        for kind in ENTITY_KINDS:
            collection = self.incoming.records(kind)
            tests = self._filters(kind)
            if not tests:
                kept[kind] = (
                    collection.by_key() if not collection.duplicate_keys else list(collection)
                )
                continue
            records: list[Record] = []
            left_out: dict[Message, list[str]] = defaultdict(list)
            for record in collection:
                for reason, test in tests:
                    if not test(record):
                        left_out[reason].append(record.key)
                        break
                else:
                    records.append(record)
            for reason, keys in left_out.items():
                if reason != _ARCHIVED_IN_SOURCE:
                    self.left_out_by_policy[kind].update(keys)
                    self.issues.append(
                        Issue(
                            code="left-out-by-policy",
                            severity="info",
                            entity=kind,
                            message=msg(
                                "left-out-by-policy", count=len(keys), kind=kind, reason=reason
                            ),
                        )
                    )
            kept[kind] = records
        return kept

    def _filters(self, kind: EntityKind) -> list[tuple[Message, Callable[[Any], bool]]]:
        """The policy's filters for one kind, as (reason left out, test to keep) pairs.

        A filter looks only at fields the source provides: a date, a location or a link the
        source does not provide never leaves a record out.
        """
        policy = self.policy
        provided = self.provides.get(kind, frozenset())
        tests: list[tuple[Message, Callable[[Any], bool]]] = []
        if self.incoming.records(kind).archived_count:
            tests.append((_ARCHIVED_IN_SOURCE, lambda r: not r.archived))
        day = policy.active_on
        if day is not None and kind in ("student", "staff"):
            starts, ends = "start_date" in provided, "end_date" in provided
            active: Callable[[Any], bool] | None = None
            if starts and ends:

                def active(r: Any) -> bool:
                    return (r.start_date is None or r.start_date <= day) and (
                        r.end_date is None or r.end_date >= day
                    )

            elif starts:

                def active(r: Any) -> bool:
                    return r.start_date is None or r.start_date <= day

            elif ends:

                def active(r: Any) -> bool:
                    return r.end_date is None or r.end_date >= day

            if active is not None:
                tests.append((msg("policy.not-active", day=day.isoformat()), active))
        enabled = policy.locations
        if enabled is not None:
            if kind in ("student", "group") and "location" in provided:
                tests.append((msg("policy.location-not-enabled"), lambda r: r.location in enabled))
            elif kind == "staff" and "locations" in provided:
                tests.append(
                    (
                        msg("policy.no-enabled-location"),
                        lambda r: any(location in enabled for location in r.locations),
                    )
                )
            elif kind == "location":
                tests.append((msg("policy.not-enabled"), lambda r: r.key in enabled))
        links = [name for name in ("groups", "mentees") if name in provided]
        if kind == "staff" and policy.staff_requires_link and links:
            linked = attrgetter(*links)
            tests.append(
                (
                    msg("policy.not-linked"),
                    (lambda r: any(linked(r))) if len(links) > 1 else (lambda r: bool(linked(r))),
                )
            )
        left_out_students = self.left_out_by_policy["student"]
        if kind == "guardian" and "students" in provided and left_out_students:
            # Guardians follow their children: a guardian all of whose children the policy
            # left out is left out too (Zien! links guardians to their child's vestiging).
            tests.append(
                (
                    msg("policy.children-left-out"),
                    lambda r: (
                        not r.students
                        or not all(link.student in left_out_students for link in r.students)
                    ),
                )
            )
        return tests

    # -- one entity kind --------------------------------------------------------------------

    def _plan_kind(
        self, kind: EntityKind, kept: Mapping[str, Record] | list[Record]
    ) -> list[Archive]:
        policy = self.policy
        identity = policy.identity_of(kind)
        provided = self.provides[kind]
        if identity != "key" and identity not in provided:
            # Matching on a value the source does not have would match on unknowns, and
            # archive every stored record it failed to match: plan nothing for the kind.
            self.issues.append(
                Issue(
                    code="identity-not-provided",
                    severity="error",
                    entity=kind,
                    message=msg("identity-not-provided", kind=kind, identity=_identity(identity)),
                )
            )
            return []
        owned = sorted(f for f in provided if f != "key" and policy.ownership(kind, f) == "source")
        fill = sorted(
            f for f in provided if f != "key" and policy.ownership(kind, f) == "fill-if-empty"
        )
        if identity != "key":
            owned.append("key")
        project = attrgetter(*owned) if owned else (lambda _record: ())

        incoming_records: Iterable[Record] = kept.values() if isinstance(kept, Mapping) else kept
        duplicates = self._duplicates(kind, kept)
        skip: set[str] = set(duplicates)  # incoming keys not to act on
        protected: set[str] = set()  # stored keys never to archive in this plan

        own, claims = self.source, policy.claims
        claim_all = "*" in claims
        may_add = policy.allows(kind, "add")
        addition = _addition_maker(kind, provided)
        updates = 0
        if identity == "key":
            # The hot path: one pass, no intermediate pairs, the full diff only where needed.
            current = self.current.records(kind)
            for key in current.duplicate_keys:
                protected.add(key)
                skip.add(key)
                self._conflict(kind, key, msg("ambiguous-match.store-duplicate"))
            by_key = current.by_key()
            for record in incoming_records:
                key = record.key
                if skip and key in skip:
                    continue
                stored = by_key.get(key)
                if stored is None:
                    if may_add:
                        self.changes.append(addition(record))
                    continue
                origin = stored.origin
                if (
                    not fill
                    and not stored.archived
                    and (origin == own or claim_all or (origin or "host") in claims)
                    and project(stored) == project(record)
                ):
                    continue
                updates += self._reconcile(kind, record, stored, owned, fill)
        else:
            for record, match in self._match(kind, identity, incoming_records, skip, protected):
                if match is None:
                    if may_add:
                        self.changes.append(addition(record))
                    continue
                protected.add(match.key)
                updates += self._reconcile(kind, record, match, owned, fill)

        archives = self._archives(kind, kept, skip, protected)
        self._safeguards(kind, kept, archives, updates)
        return archives

    def _reconcile(
        self,
        kind: EntityKind,
        record: Record,
        stored: Record,
        owned: list[str],
        fill: list[str],
    ) -> int:
        """Plan the update or restore of one matched record; return 1 if it is an update."""
        policy, own = self.policy, self.source
        if not policy.claims_origin(stored.origin, own):
            self.issues.append(
                Issue(
                    code="owned-by-other-source",
                    severity="warning",
                    entity=kind,
                    key=stored.key,
                    message=(
                        msg("owned-by-other-source", kind=kind, origin=stored.origin, source=own)
                        if stored.origin
                        else msg("owned-by-other-source.host", kind=kind, source=own)
                    ),
                )
            )
            return 0
        field_changes = [
            FieldChange(name, getattr(stored, name), getattr(record, name))
            for name in owned
            if getattr(stored, name) != getattr(record, name)
        ]
        for name in fill:
            old, new = getattr(stored, name), getattr(record, name)
            if old in _EMPTY and new not in _EMPTY:
                field_changes.append(FieldChange(name, old, new))
        field_changes.sort(key=lambda fc: (fc.field != "key", fc.field))
        if stored.archived:
            if policy.allows(kind, "restore"):
                self.changes.append(
                    Restore(entity=kind, key=stored.key, changes=tuple(field_changes))
                )
            return 0
        if field_changes and policy.allows(kind, "update"):
            self.changes.append(Update(entity=kind, key=stored.key, changes=tuple(field_changes)))
            return 1
        return 0

    def _duplicates(self, kind: EntityKind, kept: Mapping[str, Record] | list[Record]) -> list[str]:
        """Keys that occur more than once among the kept records (after the filters)."""
        if isinstance(kept, Mapping):
            return []
        seen: set[str] = set()
        duplicates: set[str] = set()
        for record in kept:
            (duplicates if record.key in seen else seen).add(record.key)
        if not duplicates:
            return []
        ordered = sorted(duplicates)
        collection = self.incoming.records(kind)
        named = ordered[:_MAX_KEYS_IN_MESSAGE]
        places = collection.places(named)
        where: tuple[Message | str, ...] = (
            *(
                msg(
                    "duplicate-key.where",
                    key=key,
                    places=_places(places.get(key, ()), rows=collection.has_provenance),
                )
                for key in named
            ),
            *ordered[_MAX_KEYS_IN_MESSAGE:],
        )
        message = msg("duplicate-key", count=len(ordered), kind=kind, keys=where)
        if self.safeguards:
            self.blocked.append(
                BlockReason(code="duplicate-key", entity=kind, keys=tuple(ordered), message=message)
            )
        else:
            self.issues.append(
                Issue(code="duplicate-key", severity="error", entity=kind, message=message)
            )
        return ordered

    def _match(
        self,
        kind: EntityKind,
        identity: str,
        incoming_records: Iterable[Record],
        skip: set[str],
        protected: set[str],
    ) -> list[tuple[Record, Record | None]]:
        """Pair every incoming record with its stored record (or None); conflicts are skipped."""
        current = self.current.records(kind)

        def value_of(record: Record) -> str | None:
            value: str | None = getattr(record, identity)
            return value.casefold() if value is not None and identity != "eckid" else value

        stored_by_value: dict[str, list[Record]] = defaultdict(list)
        for record in current:
            value = value_of(record)
            if value is None:
                protected.add(record.key)  # cannot be matched, so we are not sure it left
            else:
                stored_by_value[value].append(record)
        incoming_by_value: dict[str, list[Record]] = defaultdict(list)
        pairs: list[tuple[Record, Record | None]] = []
        for record in incoming_records:
            if record.key in skip:
                continue
            value = value_of(record)
            if value is None:
                self._conflict(
                    kind, record.key, msg("ambiguous-match.no-value", identity=_identity(identity))
                )
                continue
            incoming_by_value[value].append(record)
        for value, records in incoming_by_value.items():
            stored = stored_by_value.get(value, [])
            if len(records) > 1 or len(stored) > 1:
                for record in (*records, *stored):
                    protected.add(record.key)
                self._conflict(
                    kind,
                    sorted(r.key for r in records)[0],
                    msg(
                        "ambiguous-match.shared",
                        incoming=len(records),
                        stored=len(stored),
                        kind=kind,
                        identity=_identity(identity),
                    ),
                )
                continue
            record = records[0]
            match = stored[0] if stored else None
            other = current.get(record.key)
            if other is not None and (match is None or other.key != match.key):
                protected.add(other.key)
                if match is not None:
                    protected.add(match.key)
                self._conflict(
                    kind,
                    record.key,
                    msg("ambiguous-match.key-elsewhere", kind=kind, identity=_identity(identity)),
                )
                continue
            pairs.append((record, match))
        return pairs

    def _conflict(self, kind: EntityKind, key: str, why: Message) -> None:
        self.issues.append(
            Issue(code="ambiguous-match", severity="error", entity=kind, key=key, message=why)
        )

    # -- archives and scope -----------------------------------------------------------------

    def _archives(
        self,
        kind: EntityKind,
        kept: Mapping[str, Record] | list[Record],
        skip: set[str],
        protected: set[str],
    ) -> list[Archive]:
        if not self.policy.allows(kind, "archive"):
            return []
        present = kept if isinstance(kept, Mapping) else {record.key for record in kept}
        claims, own = self.policy.claims_origin, self.source
        in_scope = self._scope_test(kind)
        archives = []
        for record in self.current.records(kind):
            key = record.key
            if (
                record.archived
                or key in present
                or key in protected
                or key in skip
                or not claims(record.origin, own)
                or not in_scope(record)
            ):
                continue
            archives.append(Archive(entity=kind, key=key))
        return archives

    def _scope_test(self, kind: EntityKind) -> Callable[[Any], bool]:
        locations, year = self.scope_locations, self.scope_year
        tests: list[Callable[[Any], bool]] = []
        if locations is not None:
            if kind in ("student", "group"):
                tests.append(lambda r: r.location in locations)
            elif kind == "location":
                tests.append(lambda r: r.key in locations)
            elif kind == "staff":
                tests.append(lambda r: bool(r.locations) and set(r.locations) <= locations)
            else:
                where = self._student_locations
                tests.append(lambda r: _guardian_in_scope(r, where, locations))
        if year is not None and kind == "group":
            tests.append(lambda r: r.school_year is None or r.school_year == year)
        if not tests:
            return lambda _record: True
        if len(tests) == 1:
            return tests[0]
        return lambda record: all(test(record) for test in tests)

    @functools.cached_property
    def _student_locations(self) -> Mapping[str, str | None]:
        """Where each child is after this sync: the source's location where it provides one."""
        where: dict[str, str | None] = {
            student.key: student.location for student in self.current.students
        }
        if "location" in self.provides.get("student", frozenset()):
            where.update(
                (student.key, student.location)
                for student in self.incoming.students
                if not student.archived
            )
        return where

    def _active_in_scope(self, kind: EntityKind) -> int:
        in_scope, claims, own = self._scope_test(kind), self.policy.claims_origin, self.source
        return sum(
            1
            for record in self.current.records(kind)
            if not record.archived and claims(record.origin, own) and in_scope(record)
        )

    # -- safeguards -------------------------------------------------------------------------

    def _safeguards(
        self,
        kind: EntityKind,
        kept: Mapping[str, Record] | list[Record],
        archives: list[Archive],
        updates: int,
    ) -> None:
        """Block suspicious plans.

        The shares count the active records in scope that this sync may change (its own
        origin or claimed ones), so records of other sources and records elsewhere neither
        dilute nor inflate them.
        """
        policy = self.policy
        if not self.safeguards:
            return
        if not archives and not (policy.max_update_share is not None and updates) and len(kept):
            return
        active = self._active_in_scope(kind)
        if not len(kept) and active:
            # This replaces archive-share for the kind: acknowledging an empty source is
            # acknowledging that every active record of the kind in scope is archived.
            self.blocked.append(
                BlockReason(
                    code="empty-source",
                    entity=kind,
                    message=msg("empty-source", kind=kind, active=active),
                )
            )
            return
        count, limit, floor = len(archives), policy.max_archive_share, policy.archive_floor
        if count and _exceeds(count, limit, active):
            numbers = {
                "count": count,
                "active": active,
                "kind": kind,
                "share": _share(count, active),
                "limit": limit,
            }
            if count > floor:
                self.blocked.append(
                    BlockReason(
                        code="archive-share", entity=kind, message=msg("archive-share", **numbers)
                    )
                )
            else:
                self.issues.append(
                    Issue(
                        code="archive-share-under-floor",
                        severity="warning",
                        entity=kind,
                        message=msg("archive-share-under-floor", floor=floor, **numbers),
                    )
                )
        update_limit = policy.max_update_share
        if update_limit is not None and updates > floor and _exceeds(updates, update_limit, active):
            self.blocked.append(
                BlockReason(
                    code="update-share",
                    entity=kind,
                    message=msg(
                        "update-share",
                        count=updates,
                        active=active,
                        kind=kind,
                        share=_share(updates, active),
                        limit=update_limit,
                    ),
                )
            )


def _places(places: tuple[object, ...], *, rows: bool) -> Message | str:
    """Where a duplicated key occurs: ``rows 4, 9``, or positions without provenance."""
    numbers = [getattr(place, "row", place) for place in places]
    if not rows:
        return msg("duplicate-key.records", count=len(numbers), rows=tuple(numbers))
    files = {getattr(place, "file", None) for place in places}
    if all(isinstance(number, int) for number in numbers) and len(files) == 1:
        return msg("duplicate-key.rows", count=len(numbers), rows=tuple(numbers))
    return "; ".join(map(str, places))  # rows of several files: each with its file


def _identity(identity: str) -> Message:
    return msg(f"identity.{identity}")


def _addition_maker(kind: EntityKind, provided: frozenset[str]) -> Callable[[Record], Add]:
    """How to turn an incoming record into an Add holding only the fields the source provides.

    A field the source does not provide is unknown, not a value: an added record must not
    carry it (else planning again after applying is not empty).
    """
    cls = record_class(kind)
    defaults = {
        field.name: field.default
        for field in attrs.fields(cls)
        if not field.metadata.get("bookkeeping") and field.name not in provided
    }
    if not defaults:
        return lambda record: Add(entity=kind, key=record.key, record=record)
    names = list(defaults)
    values = attrgetter(*names)
    empty = tuple(defaults.values()) if len(names) > 1 else next(iter(defaults.values()))

    def addition(record: Record) -> Add:
        if values(record) != empty:
            record = attrs.evolve(record, **defaults)
        return Add(entity=kind, key=record.key, record=record)

    return addition


def _guardian_in_scope(
    guardian: Guardian, where: Mapping[str, str | None], locations: frozenset[str]
) -> bool:
    """A guardian is in a location scope only when all their children are (and they have any)."""
    if not guardian.students:
        return False
    return all(where.get(link.student) in locations for link in guardian.students)


def _intersect(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None:
        return b
    if b is None:
        return a
    return a & b
