"""StoreConformance: the test suite every storage adapter should pass.

Subclass it in your test suite, name the subclass ``Test...`` so pytest collects it, and say
how to make a fresh, empty store. ``make_store`` may ask for pytest fixtures by name, as a
test function does::

    from edukoppel.testing import StoreConformance

    class TestMyStore(StoreConformance):
        def make_store(self, tmp_path, request):
            store = MyStore(tmp_path / f"store-{uuid.uuid4().hex}.db")  # a new file per call
            request.addfinalizer(store.close)
            return store

Every ``test_*`` method then checks one promise of the :class:`~edukoppel.Store` protocol
against your store: records read back as they were added, with their origin stamped; updates
(a changed key included), archives and restores; the school record; a revision that moves with
every change; stale plans refused; all-or-nothing changesets; the run log; and, as a
hypothesis property, that syncing any two rosters one after the other leaves exactly the
second one in the store.

A failing check says which promise the store broke, what it expected and what the store
returned; ``edukoppel.testing`` has pytest rewrite this module's asserts, as it does a test
file's.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

import attrs

from edukoppel._i18n import msg
from edukoppel.exceptions import BlockedPlanError, StalePlanError, StoreError
from edukoppel.model import (
    ENTITY_KINDS,
    ROSTER_ARGUMENTS,
    EntityKind,
    Group,
    GroupRole,
    Guardian,
    GuardianLink,
    Location,
    Record,
    Roster,
    School,
    Staff,
    Student,
)
from edukoppel.report import Issue, Report
from edukoppel.sync import (
    Action,
    Add,
    Change,
    Changeset,
    FieldChange,
    Outcome,
    Store,
    SyncPolicy,
    Update,
    apply,
    plan,
)

try:
    import pytest
except ModuleNotFoundError as error:  # needed to run the checks, not to import this module
    if error.name != "pytest":
        raise
    _HAVE_PYTEST = False
else:
    _HAVE_PYTEST = True

__all__ = ["StoreConformance", "assert_store_holds", "example_roster"]

_ALL_ACTIONS: frozenset[Action] = frozenset({"add", "update", "archive", "restore"})


_PLURAL: Mapping[EntityKind, str] = ROSTER_ARGUMENTS


def example_roster(*, source: str = "las") -> Roster:
    """A small, hand-written roster with every entity kind and every kind of link.

    Two locations (BRIN6), a klas and two lesgroepen, three pupils with leading-zero numbers
    and Dutch names, a mentor and a teacher, and two parents of two siblings.
    """
    school = School(brin="99ZX", name="Het Voorbeeld College", school_year="2025-2026")
    return Roster(
        school=school,
        locations=[
            Location(key="99ZX10", name="Locatie Zwolle", brin6="99ZX10"),
            Location(key="99ZX11", name="Locatie 's-Hertogenbosch", brin6="99ZX11"),
        ],
        groups=[
            Group(key="1HA", name="Klas 1HA", kind="homeroom", year="1", location="99ZX10",
                  school_year="2025-2026"),
            Group(key="1HA.wi", kind="teaching", year="1", location="99ZX10",
                  subject="wiskunde", school_year="2025-2026"),
            Group(key="2V_lo", kind="composite", year="2", location="99ZX11",
                  subject="lichamelijke opvoeding"),
        ],
        students=[
            Student(key="00123", student_number="00123", username="daan.vandenberg",
                    email="daan.vandenberg@leerling.voorbeeld.nl", first_name="Daan",
                    given_names="Daan Johannes", initials="D.J.", infix="van der",
                    last_name="Berg", birth_date=dt.date(2012, 3, 4), gender="male", year="1",
                    program="havo", location="99ZX10", homeroom="1HA", groups=("1HA.wi",),
                    start_date=dt.date(2024, 8, 19)),
            Student(key="00124", username="zoe.dhondt", first_name="Zoë", infix=None,
                    last_name="D'Hondt", gender="female", year="1", location="99ZX10",
                    homeroom="1HA", groups=("1HA.wi",)),
            Student(key="00999", username="anais.intveld", first_name="Anaïs", infix="in 't",
                    last_name="Veld", birth_date=dt.date(2011, 12, 31), location="99ZX11",
                    groups=("2V_lo",)),
        ],
        staff=[
            Staff(key="m0042", abbreviation="BRK", username="j.vanbrink", first_name="Jürgen",
                  infix="van", last_name="Brink", email="j.vanbrink@voorbeeld.nl",
                  roles=("docent", "mentor"),
                  groups=(GroupRole("1HA", "mentor"), GroupRole("1HA.wi", "docent")),
                  mentees=("00123",), locations=("99ZX10",)),
            Staff(key="m0043", abbreviation="CEL", first_name="Ömer", last_name="Çelik",
                  groups=(GroupRole("2V_lo", "docent"),), locations=("99ZX11",)),
        ],
        guardians=[
            Guardian(key="v00001", initials="A.", infix="van der", last_name="Berg",
                     email="a.vanderberg@example.nl", phone="06-12345678",
                     students=(GuardianLink("00123", relation="moeder", legal_authority=True,
                                            receives_mail=True),
                               GuardianLink("00124", relation="moeder", legal_authority=True,
                                            receives_mail=True))),
            Guardian(key="v00002", initials="F.", last_name="D'Hondt",
                     students=(GuardianLink("00124", relation="vader", legal_authority=True,
                                            receives_mail=False),
                               GuardianLink("00123", relation="stiefvader"))),
        ],
        source=source,
    )  # fmt: skip


def _roster_like(roster: Roster, **records: Iterable[Record] | None) -> Roster:
    """A copy of ``roster`` with some collections replaced (``students=[...]``)."""
    return _with_school(roster, roster.school, **records)


def _with_school(
    roster: Roster, school: School | None, **records: Iterable[Record] | None
) -> Roster:
    """A copy of ``roster`` with another school, and some collections replaced."""
    arguments: dict[str, Any] = {
        _PLURAL[kind]: list(roster.records(kind)) if kind in roster.provides else None
        for kind in ENTITY_KINDS
    }
    arguments.update(records)
    return Roster(
        school=school,
        provides={kind: roster.provides[kind] for kind in roster.provides},
        scope=roster.scope,
        source=roster.source,
        **arguments,
    )


def _in_scope(kind: EntityKind, record: Any, incoming: Roster, current: Roster) -> bool:
    """Whether ``record`` lies clearly inside the incoming roster's scope (ARCHITECTURE 4.3)."""
    locations, year = incoming.scope.locations, incoming.scope.school_year
    if kind == "group" and year is not None and record.school_year not in (None, year):
        return False
    if locations is None:
        return True
    if kind == "location":
        return bool(record.key in locations)
    if kind in ("student", "group"):
        return record.location in locations
    if kind == "staff":
        return bool(record.locations) and set(record.locations) <= locations
    students = current.students
    return bool(record.students) and all(
        link.student in students and students[link.student].location in locations
        for link in record.students
    )


def assert_store_holds(
    store: Store | Roster,
    roster: Roster,
    *,
    policy: SyncPolicy | None = None,
    exclusive: bool = True,
) -> None:
    """Assert that a store holds what ``roster`` says, as a sync from it should leave it.

    For every entity kind the roster provides: each of its records is in the store, active,
    owned by ``roster.source`` and equal on the provided fields. With ``exclusive``, no
    other active record of that source and kind remains inside the roster's scope, unless
    the policy does not allow archiving that kind (staff, by default).

    Messages name entity kinds, keys and fields, never values (no personal data).

    Args:
        store: The store, or a snapshot of it.
        roster: The roster the store should reflect.
        policy: The policy the sync ran with (for which kinds it may archive).
        exclusive: Also check that nothing else of the source is left active in scope.
    """
    policy = policy if policy is not None else SyncPolicy()
    held = store if isinstance(store, Roster) else store.snapshot()
    problems: list[str] = []
    for kind in ENTITY_KINDS:
        if kind not in roster.provides:
            continue
        provided = sorted(roster.provides[kind])
        stored = held.records(kind).by_key()
        for record in roster.records(kind):
            found = stored.get(record.key)
            if found is None:
                problems.append(f"{kind} {record.key!r} is missing")
                continue
            if found.archived:
                problems.append(f"{kind} {record.key!r} is archived")
            if found.origin != roster.source:
                problems.append(f"{kind} {record.key!r} is not owned by {roster.source!r}")
            differ = [name for name in provided if getattr(found, name) != getattr(record, name)]
            if differ:
                problems.append(f"{kind} {record.key!r} differs in {', '.join(differ)}")
        if exclusive and policy.allows(kind, "archive"):
            wanted = roster.records(kind)
            problems.extend(
                f"{kind} {record.key!r} should have been archived"
                for record in held.records(kind)
                if not record.archived
                and record.origin == roster.source
                and record.key not in wanted
                and _in_scope(kind, record, roster, held)
            )
    assert not problems, "the store does not hold the roster:\n  " + "\n  ".join(problems)


def _renamed(roster: Roster) -> Roster:
    """The roster with one pupil's surname changed: a plan from it has one update."""
    return _roster_like(
        roster,
        students=[
            attrs.evolve(s, last_name="Jansen") if s.key == "00124" else s for s in roster.students
        ],
    )


def _records_by_kind(roster: Roster) -> dict[EntityKind, dict[str, Record]]:
    return {kind: dict(roster.records(kind).by_key()) for kind in ENTITY_KINDS}


def _fields_differ(expected: object, returned: object) -> list[str]:
    """What differs between two records (or runs, or schools), field by field."""
    cls = type(expected)
    if type(returned) is not cls or not attrs.has(cls):
        return [f"expected {expected!r}, the store returned {returned!r}"]
    return [
        f"{field.name}: expected {getattr(expected, field.name)!r}, "
        f"the store returned {getattr(returned, field.name)!r}"
        for field in attrs.fields(cls)
        if getattr(expected, field.name) != getattr(returned, field.name)
    ]


def _records_differ(
    kind: EntityKind, expected: Mapping[str, Record], returned: Mapping[str, Record]
) -> list[str]:
    """What differs between the records a check expects and those the store returned."""
    missing = sorted(set(expected) - set(returned))
    extra = sorted(set(returned) - set(expected), key=repr)
    lines = [f"{kind} {key!r}: expected, but the store has no such record" for key in missing]
    lines.extend(f"{kind} {key!r}: not expected, but the store holds it" for key in extra)
    for key in sorted(set(expected) & set(returned)):
        lines.extend(
            f"{kind} {key!r}, {line}" for line in _fields_differ(expected[key], returned[key])
        )
    return lines


def _states_differ(
    expected: Mapping[EntityKind, Mapping[str, Record]],
    returned: Mapping[EntityKind, Mapping[str, Record]],
) -> list[str]:
    return [
        line
        for kind in ENTITY_KINDS
        for line in _records_differ(kind, expected.get(kind, {}), returned.get(kind, {}))
    ]


def _report(promise: str, lines: Iterable[str]) -> str:
    """A failure message: the promise the store broke, then one line per difference."""
    return "\n  ".join([promise, *lines])


def _expect_error(error: type[Exception], promise: str, call: Callable[[], object]) -> None:
    """Assert that ``call`` raises ``error``; say which promise was broken when it does not."""
    try:
        call()
    except error:
        return
    except Exception as other:
        raise AssertionError(
            f"{promise}: expected {error.__name__}, "
            f"the store raised {type(other).__name__}: {other}"
        ) from other
    raise AssertionError(f"{promise}: expected {error.__name__}, nothing was raised")


def _fixture_names(make_store: Callable[..., object]) -> list[str]:
    """The pytest fixtures ``make_store`` asks for: its parameters without a default."""
    return [
        parameter.name
        for parameter in inspect.signature(make_store).parameters.values()
        if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)
        and parameter.default is parameter.empty
    ]


class StoreConformance:
    """The checks every :class:`~edukoppel.Store` should pass; subclass it as ``TestYourStore``.

    Implement :meth:`make_store`. The ``test_*`` methods are plain pytest tests (they use
    hypothesis and pytest's fixtures), so run them with pytest, which must be installed.
    """

    #: The source name the checks sync from.
    source: ClassVar[str] = "las"

    def make_store(self, *args: Any, **kwargs: Any) -> Store:
        """A fresh, empty store. The checks call it for every store they need.

        Declare pytest fixtures as parameters to get them, as a test function does
        (``def make_store(self, tmp_path, request)``); parameters with a default are left
        alone. A fixture's value is made once per test, and a test may make several stores
        (the hypothesis property makes one per example), so each call must make a store of
        its own: a new file or database under ``tmp_path``, not ``tmp_path / "store.db"``.
        Close or remove it with ``request.addfinalizer``, or in a fixture of your own.
        """
        raise NotImplementedError("implement make_store() to return a fresh, empty store")

    if _HAVE_PYTEST:

        @pytest.fixture(autouse=True)
        def _edukoppel_store_fixtures(self, request: pytest.FixtureRequest) -> None:
            """Resolve the fixtures ``make_store`` asks for, once per test."""
            self._store_fixtures = {
                name: request.getfixturevalue(name) for name in _fixture_names(self.make_store)
            }

    def new_store(self) -> Store:
        """A fresh store from :meth:`make_store`, given the fixtures it asks for.

        The checks make every store with it; use it in tests of your own in the subclass.
        """
        names = _fixture_names(self.make_store)
        fixtures: dict[str, Any] | None = getattr(self, "_store_fixtures", None)
        if fixtures is None:
            if names:
                raise RuntimeError(
                    f"make_store() asks for the fixtures {', '.join(names)}: "
                    "run the conformance checks with pytest"
                )
            fixtures = {}
        return self.make_store(**fixtures)

    # -- helpers ----------------------------------------------------------------------------

    def sync(
        self,
        store: Store,
        incoming: Roster,
        *,
        policy: SyncPolicy | None = None,
        acknowledge_all: bool = True,
    ) -> Outcome:
        """Plan ``incoming`` against the store and apply it (acknowledging safeguards)."""
        changeset = plan(store.snapshot(), incoming, policy=policy)
        acknowledge = [reason.code for reason in changeset.blocked] if acknowledge_all else []
        return apply(changeset, store, acknowledge=acknowledge)

    def _loaded_store(self) -> Store:
        store = self.new_store()
        self.sync(store, example_roster(source=self.source))
        return store

    # -- the checks -------------------------------------------------------------------------

    def test_new_store_is_empty(self) -> None:
        """A fresh store holds no records, no school and no runs, and says its revision."""
        store = self.new_store()
        snapshot = store.snapshot()
        fresh = (
            "make_store() must return a fresh, empty store (a file-backed store needs a new "
            "file for every call)"
        )
        assert snapshot.is_empty, f"{fresh}: the snapshot holds {snapshot.counts}"
        assert snapshot.counts == dict.fromkeys(ENTITY_KINDS, 0), (
            f"{fresh}: expected no records, the snapshot holds {snapshot.counts}"
        )
        assert snapshot.school is None, (
            f"{fresh}: expected no school, the snapshot holds {snapshot.school!r}"
        )
        revision = store.revision()
        assert isinstance(revision, str), (
            f"revision() must return a str: the store returned {type(revision).__name__} "
            f"{revision!r}"
        )
        assert snapshot.fingerprint == revision, (
            "snapshot() must carry the store's revision (Roster(revision=...)): expected "
            f"{revision!r}, the snapshot's revision is {snapshot.revision!r}"
        )
        runs = store.runs()
        assert runs == [], f"{fresh}: expected no runs, runs() returned {runs!r}"

    def test_added_records_read_back_with_origin(self) -> None:
        """Records of all five kinds, with their links, read back equal and owned by the source."""
        store = self.new_store()
        roster = example_roster(source=self.source)
        outcome = self.sync(store, roster)
        assert outcome.run.outcome == "applied", (
            f"the first sync of the example roster should be applied, it was "
            f"{outcome.run.outcome!r}: {outcome.run.problems}"
        )
        snapshot = store.snapshot()
        for kind in ENTITY_KINDS:
            expected = {
                record.key: attrs.evolve(record, origin=self.source, archived=False)
                for record in roster.records(kind)
            }
            returned = dict(snapshot.records(kind).by_key())
            assert returned == expected, _report(
                f"added {kind} records must read back as they were added, with origin="
                f"{self.source!r} (changeset.source) and archived=False",
                _records_differ(kind, expected, returned),
            )
            assert len(snapshot.records(kind)) == len(expected), (
                f"snapshot() must hold each {kind} once: expected {len(expected)} records, "
                f"the store returned {len(snapshot.records(kind))}"
            )
        assert_store_holds(store, roster)

    def test_school_is_stored(self) -> None:
        """The school record a sync brings is stored, and a changed school replaces it."""
        store = self._loaded_store()
        roster = example_roster(source=self.source)
        assert roster.school is not None
        stored = store.snapshot().school
        assert stored == roster.school, _report(
            "the school of a sync (changeset.school) must be stored",
            _fields_differ(roster.school, stored),
        )
        renamed = attrs.evolve(roster.school, name="Het Nieuwe College")
        changeset = plan(store.snapshot(), _with_school(roster, renamed))
        assert changeset.as_tuples() == [], (
            "a roster that only renames the school should plan no record changes against the "
            f"store's snapshot, it planned {changeset.as_tuples()}"
        )
        assert changeset.school == renamed, (
            f"the plan should set the renamed school, it sets {changeset.school!r}"
        )
        apply(changeset, store)
        stored = store.snapshot().school
        assert stored == renamed, _report(
            "a changeset's school must replace the stored school", _fields_differ(renamed, stored)
        )
        again = plan(store.snapshot(), _with_school(roster, renamed))
        assert again.is_empty, (
            "after the school is stored, planning the same roster again should be empty: "
            f"it planned {again.as_tuples()} and the school {again.school!r}"
        )

    def test_update_changes_only_the_planned_fields(self) -> None:
        """An update changes the fields it names, links included, and keeps every other field."""
        store = self._loaded_store()
        roster = example_roster(source=self.source)
        daan = roster.students["00123"]
        moved = attrs.evolve(
            daan, last_name="Berg-Çelik", email=None, homeroom=None, groups=("2V_lo",)
        )
        parent = attrs.evolve(
            roster.guardians["v00002"], students=(GuardianLink("00124", relation="vader"),)
        )
        mentor = attrs.evolve(roster.staff["m0042"], groups=(GroupRole("1HA", "docent"),))
        incoming = _roster_like(
            roster,
            students=[moved, *(s for s in roster.students if s.key != "00123")],
            guardians=[parent, roster.guardians["v00001"]],
            staff=[mentor, roster.staff["m0043"]],
        )
        outcome = self.sync(store, incoming)
        counts = outcome.counts.get("student")
        assert counts == {"update": 1}, (
            "changing one pupil's fields should update one student: expected "
            f"{{'update': 1}}, the sync did {counts} (outcome {outcome.run.outcome!r})"
        )
        assert_store_holds(store, incoming)
        # A source that provides only the surname changes nothing else.
        sparse = Roster(
            students=[Student(key="00124", last_name="Hondt, d'")],
            provides={"student": ["last_name"]},
            source=self.source,
        )
        before = store.snapshot().students["00124"]
        self.sync(store, sparse, policy=SyncPolicy(actions={"student": frozenset({"update"})}))
        after = store.snapshot().students.get("00124")
        wanted = attrs.evolve(before, last_name="Hondt, d'")
        assert after == wanted, _report(
            "an update must change only the fields in change.new_values (here last_name) and "
            "keep every other field of student '00124'",
            _fields_differ(wanted, after),
        )

    def test_key_change_from_username_identity(self) -> None:
        """Matched by username, a pupil with a new key is renamed in place, not duplicated."""
        store = self._loaded_store()
        roster = example_roster(source=self.source)
        renumbered = [
            attrs.evolve(s, key="S-" + s.key) if s.key == "00124" else s for s in roster.students
        ]
        incoming = _roster_like(roster, students=renumbered)
        policy = SyncPolicy(identity={"student": "username"})
        changeset = plan(store.snapshot(), incoming, policy=policy)
        assert changeset.as_tuples() == [("update", "student", "00124")], (
            "matched by username, a new key for student '00124' should plan one update "
            f"against the store's snapshot, it planned {changeset.as_tuples()}"
        )
        change = changeset.changes[0]
        assert isinstance(change, Update)
        assert change.changes == (FieldChange("key", "00124", "S-00124"),), (
            f"the update should change only the key, it changes {change.changes}"
        )
        apply(changeset, store)
        students = store.snapshot().students
        moving = (
            "an Update whose new_values hold a 'key' must move the record from change.key "
            "('00124') to new_values['key'] ('S-00124')"
        )
        assert "00124" not in students, f"{moving}: the store still holds student '00124'"
        assert "S-00124" in students, (
            f"{moving}: the store has no student 'S-00124'; it holds {sorted(students.keys())}"
        )
        wanted = attrs.evolve(roster.students["00124"], key="S-00124", origin=self.source)
        assert students["S-00124"] == wanted, _report(
            f"{moving}, keeping its other fields", _fields_differ(wanted, students["S-00124"])
        )
        assert len(students) == len(roster.students), (
            f"{moving}, not copy it: expected {len(roster.students)} students, the store "
            f"holds {len(students)}: {sorted(students.keys())}"
        )

    def test_archive_and_restore(self) -> None:
        """A leaver is archived (kept, data intact); when they come back they are restored."""
        store = self._loaded_store()
        roster = example_roster(source=self.source)
        leaver = roster.students["00999"]
        without = _roster_like(roster, students=[s for s in roster.students if s.key != "00999"])
        outcome = self.sync(store, without)
        counts = outcome.counts.get("student")
        assert counts == {"archive": 1}, (
            "a roster without student '00999' should archive one student: expected "
            f"{{'archive': 1}}, the sync did {counts} (outcome {outcome.run.outcome!r})"
        )
        kept = store.snapshot().students.get("00999")
        assert kept is not None, (
            "an archived record must be kept (archived=True), never deleted: the store has "
            "no student '00999'"
        )
        wanted = attrs.evolve(leaver, origin=self.source, archived=True)
        assert kept == wanted, _report(
            "an Archive must set archived=True and keep every field and the origin",
            _fields_differ(wanted, kept),
        )

        back = attrs.evolve(leaver, location="99ZX10", groups=("1HA.wi",))
        outcome = self.sync(store, _roster_like(roster, students=[*without.students, back]))
        counts = outcome.counts.get("student")
        assert counts == {"restore": 1}, (
            "student '00999' coming back should restore one student: expected "
            f"{{'restore': 1}}, the sync did {counts} (outcome {outcome.run.outcome!r})"
        )
        restored = store.snapshot().students.get("00999")
        wanted = attrs.evolve(back, origin=self.source)
        assert restored == wanted, _report(
            "a Restore must set archived=False, apply change.new_values and stamp "
            f"origin={self.source!r}",
            _fields_differ(wanted, restored),
        )

    def test_update_stamps_the_new_origin(self) -> None:
        """A sync that claims another source's records takes them over: origin is restamped."""
        store = self._loaded_store()
        roster = example_roster(source=self.source)
        other = "somtoday"
        daan = attrs.evolve(roster.students["00123"], last_name="Bergh")
        incoming = Roster(students=[daan], provides={"student": ["last_name"]}, source=other)
        policy = SyncPolicy(
            claims=frozenset({self.source}), actions={"student": frozenset({"update"})}
        )
        self.sync(store, incoming, policy=policy)
        stored = store.snapshot().students["00123"]
        assert stored.origin == other, (
            f"an Update must stamp origin=changeset.source: expected {other!r} on student "
            f"'00123', the store returned {stored.origin!r}"
        )
        assert stored.last_name == "Bergh", (
            "the update of student '00123' should set last_name: expected 'Bergh', the store "
            f"returned {stored.last_name!r}"
        )
        untouched = store.snapshot().students["00124"].origin
        assert untouched == self.source, (
            "a record that was not updated must keep its origin: expected "
            f"{self.source!r} on student '00124', the store returned {untouched!r}"
        )

    def test_revision_changes_with_every_apply(self) -> None:
        """The revision moves with every applied changeset and the snapshot carries it."""
        store = self.new_store()
        revisions = [store.revision()]
        roster = example_roster(source=self.source)
        self.sync(store, roster)
        revisions.append(store.revision())
        self.sync(store, _roster_like(roster, students=list(roster.students)[:2]))
        revisions.append(store.revision())
        assert len(set(revisions)) == 3, (
            "revision() must change with every applied changeset: expected 3 different "
            "revisions (new store, after one sync, after another), the store returned "
            f"{revisions}"
        )
        snapshot = store.snapshot()
        assert snapshot.fingerprint == store.revision(), (
            "snapshot() must carry the store's revision (Roster(revision=...)): expected "
            f"{store.revision()!r}, the snapshot's revision is {snapshot.revision!r}"
        )
        outcome = self.sync(store, _roster_like(roster, students=list(roster.students)[:2]))
        assert outcome.run.outcome == "nothing-to-do", (
            "syncing the same roster again should find nothing to do, the outcome was "
            f"{outcome.run.outcome!r} with {outcome.counts}"
        )
        assert store.revision() == revisions[-1], (
            "revision() must not change when nothing was applied: expected "
            f"{revisions[-1]!r}, the store returned {store.revision()!r}"
        )

    def test_snapshot_is_not_a_live_view(self) -> None:
        """A snapshot taken before a sync still shows the old state afterwards."""
        store = self._loaded_store()
        before = store.snapshot()
        records = _records_by_kind(before)
        roster = example_roster(source=self.source)
        self.sync(store, _roster_like(roster, students=[]))
        now = _records_by_kind(before)
        assert now == records, _report(
            "snapshot() must return a copy: a snapshot taken before a sync changed with it",
            _states_differ(records, now),
        )
        leaver = store.snapshot().students.get("00123")
        assert leaver is not None, (
            "a sync without students should archive student '00123', not delete it: the "
            "store has no student '00123'"
        )
        assert leaver.archived, (
            "a sync without students should archive student '00123': the store returned "
            "archived=False"
        )

    def test_stale_plan_is_refused(self) -> None:
        """A plan made before another apply raises StalePlanError and changes nothing."""
        store = self._loaded_store()
        roster = example_roster(source=self.source)
        base = store.snapshot()
        first = plan(base, _roster_like(roster, students=list(roster.students)[:2]))
        second = plan(base, _renamed(roster))
        apply(first, store)
        state, revision = _records_by_kind(store.snapshot()), store.revision()
        stale = (
            f"apply_changes() must refuse a plan made at revision {second.base!r} now that the "
            f"store is at {revision!r} (changeset.base != revision())"
        )
        _expect_error(StalePlanError, stale, lambda: store.apply_changes(second))
        _expect_error(StalePlanError, stale, lambda: apply(second, store))
        after = _records_by_kind(store.snapshot())
        assert after == state, _report(
            "a refused stale plan must change nothing", _states_differ(state, after)
        )
        assert store.revision() == revision, (
            f"a refused stale plan must not move the revision: expected {revision!r}, the "
            f"store returned {store.revision()!r}"
        )
        outcomes = [run.outcome for run in store.runs()]
        assert outcomes[-1:] == ["refused-stale"], (
            "a refused stale plan must be logged: expected the last run to be "
            f"'refused-stale', runs() returned the outcomes {outcomes}"
        )

    def test_changeset_is_all_or_nothing(self) -> None:
        """A changeset whose last change is impossible raises StoreError and changes nothing."""
        store = self._loaded_store()
        snapshot = store.snapshot()
        state, school, revision = _records_by_kind(snapshot), snapshot.school, store.revision()
        newcomer = Student(key="01000", first_name="Fleur", last_name="Visser")
        impossible: list[tuple[str, Change]] = [
            (
                "an update of a student that is not there ('99999')",
                Update(
                    entity="student", key="99999", changes=(FieldChange("last_name", None, "X"),)
                ),
            ),
            (
                "an add of a student key that exists ('00123')",
                Add(entity="student", key="00123", record=Student(key="00123")),
            ),
            (
                "a key change onto a student key that exists ('00123' to '00124')",
                Update(
                    entity="student",
                    key="00123",
                    changes=(FieldChange("key", "00123", "00124"),),
                ),
            ),
        ]
        for what, last in impossible:
            changeset = Changeset(
                source=self.source,
                base=store.revision(),
                changes=(
                    Add(entity="location", key="99ZX12", record=Location(key="99ZX12")),
                    Add(entity="student", key="01000", record=newcomer),
                    Update(
                        entity="student",
                        key="00124",
                        changes=(FieldChange("last_name", "D'Hondt", "Hondt"),),
                    ),
                    last,
                ),
                school=School(brin="99ZX", name="Verkeerd"),
            )
            failing = f"apply_changes() must raise StoreError for {what}"
            _expect_error(StoreError, failing, functools.partial(store.apply_changes, changeset))
            _expect_error(StoreError, failing, functools.partial(apply, changeset, store))
            nothing = f"a changeset whose last change is {what} must change nothing"
            after = store.snapshot()
            records = _records_by_kind(after)
            assert records == state, _report(nothing, _states_differ(state, records))
            assert after.school == school, _report(
                f"{nothing}, not the school", _fields_differ(school, after.school)
            )
            assert store.revision() == revision, (
                f"{nothing}, not the revision: expected {revision!r}, the store returned "
                f"{store.revision()!r}"
            )
            outcomes = [run.outcome for run in store.runs()]
            assert outcomes[-1:] == ["failed"], (
                f"a changeset that failed must be logged: expected the last run to be "
                f"'failed', runs() returned the outcomes {outcomes}"
            )

    def test_run_log(self) -> None:
        """Every run is logged in order, numbered from 1, with outcome and counts; refusals too."""
        store = self.new_store()
        roster = example_roster(source=self.source)
        first = apply(plan(store.snapshot(), roster), store, description="eerste import")
        assert first.run.number == 1, (
            "record_run() must number runs from 1 and return the numbered run: the first "
            f"run came back as number {first.run.number!r}"
        )
        again = apply(plan(store.snapshot(), roster), store)
        wrong_school = Roster(
            school=School(brin="12AB", school_year="2025-2026"),
            students=list(roster.students),
            source=self.source,
        )
        blocked = plan(store.snapshot(), wrong_school)
        assert blocked.is_blocked, (
            "a roster of another school should be blocked against the store's snapshot "
            f"(whose school is {store.snapshot().school!r})"
        )
        _expect_error(
            BlockedPlanError, "apply() must refuse a blocked plan", lambda: apply(blocked, store)
        )
        stale = plan(store.snapshot(), _renamed(roster))
        self.sync(store, _roster_like(roster, students=list(roster.students)[:2]))
        _expect_error(
            StalePlanError,
            "apply() must refuse a plan made before the last sync",
            lambda: apply(stale, store),
        )

        runs = store.runs()
        numbers = [run.number for run in runs]
        assert numbers == [1, 2, 3, 4, 5], (
            "runs() must return every run, oldest first, numbered from 1: expected the "
            f"numbers [1, 2, 3, 4, 5], the store returned {numbers}"
        )
        outcomes = [run.outcome for run in runs]
        assert outcomes == [
            "applied",
            "nothing-to-do",
            "refused-blocked",
            "applied",
            "refused-stale",
        ], (
            "runs() must return every run in order, refusals included: expected the outcomes "
            "['applied', 'nothing-to-do', 'refused-blocked', 'applied', 'refused-stale'], "
            f"the store returned {outcomes}"
        )
        sources = [run.source for run in runs]
        assert all(source == self.source for source in sources), (
            f"every run's source must read back: expected {self.source!r}, the store "
            f"returned {sources}"
        )
        kept = "runs() must return each run as record_run() returned it"
        assert runs[0] == first.run, _report(f"{kept} (run 1)", _fields_differ(first.run, runs[0]))
        assert runs[1] == again.run, _report(f"{kept} (run 2)", _fields_differ(again.run, runs[1]))
        assert runs[0].description == "eerste import", (
            "a run's description must read back: expected 'eerste import', the store "
            f"returned {runs[0].description!r}"
        )
        counts = (
            "a run's counts must read back as {kind: {action: n}} with zeros left out: expected"
        )
        wanted = {
            "location": {"add": 2},
            "group": {"add": 3},
            "student": {"add": 3},
            "staff": {"add": 2},
            "guardian": {"add": 2},
        }
        assert runs[0].counts == wanted, (
            f"{counts} {wanted} for run 1, the store returned {runs[0].counts}"
        )
        assert runs[0].total == 12, (
            f"run 1 should count 12 changes, it counts {runs[0].total} ({runs[0].counts})"
        )
        assert runs[1].counts == {}, f"{counts} {{}} for run 2, the store returned {runs[1].counts}"
        assert runs[2].blocked == ("school-mismatch",), (
            "a run's blocked codes must read back as a tuple: expected ('school-mismatch',), "
            f"the store returned {runs[2].blocked!r}"
        )
        assert runs[2].counts == {}, f"{counts} {{}} for run 3, the store returned {runs[2].counts}"
        assert runs[3].counts == {"student": {"archive": 1}}, (
            f"{counts} {{'student': {{'archive': 1}}}} for run 4, the store returned "
            f"{runs[3].counts}"
        )
        times = [(run.started_at, run.finished_at) for run in runs]
        assert all(started <= finished for started, finished in times), (
            f"a run's times must read back with started_at <= finished_at, the store returned "
            f"{times}"
        )

    def test_run_log_keeps_the_policy_and_the_issue_counts(self) -> None:
        """A run reads back with its policy and its issue counts, applied or refused."""
        store = self.new_store()
        roster = example_roster(source=self.source)
        policy = SyncPolicy(
            actions={"staff": _ALL_ACTIONS, "guardian": frozenset({"add", "update"})},
            fields={"student": {"email": "host"}},
            claims=frozenset({"host"}),
            locations=frozenset({"99ZX10", "99ZX11"}),
            active_on=dt.date(2025, 9, 1),
            max_archive_share=0.25,
            archive_floor=2,
            max_update_share=0.75,
        )
        kept_value = msg("invalid-value.kept", expected="a date", detail="")
        report = Report(
            [
                Issue(code="invalid-value", message=kept_value, severity="warning", row=2),
                Issue(code="invalid-value", message=kept_value, severity="warning", row=3),
                Issue(code="blank-row", message=msg("blank-row.one", row=4), severity="info"),
                Issue(
                    code="damaged-identifier",
                    message=msg("damaged-identifier.rounded", number="1.2E+05"),
                    row=5,
                ),
            ]
        )
        first = apply(plan(store.snapshot(), roster, policy=policy), store, report=report)
        wanted_counts = {
            "error": {"damaged-identifier": 1},
            "warning": {"invalid-value": 2},
            "info": {"blank-row": 1},
        }
        assert first.run.policy == policy.to_dict(defaults=True), (
            "apply() must log the plan's policy as SyncPolicy.to_dict(defaults=True) "
            "spells it out: "
            f"it logged {first.run.policy!r}"
        )
        assert first.run.issue_counts == wanted_counts, (
            f"apply() must log the report's issue counts {wanted_counts}: it logged "
            f"{first.run.issue_counts!r}"
        )
        wrong_school = Roster(
            school=School(brin="12AB", school_year="2025-2026"),
            students=list(roster.students),
            source=self.source,
        )
        blocked = plan(store.snapshot(), wrong_school)
        _expect_error(
            BlockedPlanError,
            "apply() must refuse a blocked plan",
            lambda: apply(blocked, store, report=Report()),
        )
        runs = store.runs()
        kept = "runs() must return each run as record_run() returned it, policy and issues too"
        assert len(runs) == 2, f"{kept}: expected 2 runs, the store returned {len(runs)}"
        assert runs[0] == first.run, _report(f"{kept} (run 1)", _fields_differ(first.run, runs[0]))
        assert runs[0].issues_by_severity == {"error": 1, "warning": 2, "info": 1}, (
            f"{kept}: run 1's issues per severity read back as {runs[0].issues_by_severity}"
        )
        assert SyncPolicy.from_dict(runs[0].policy or {}).to_dict(defaults=True) == policy.to_dict(
            defaults=True
        ), f"{kept}: run 1's policy must read back as the policy it was: {runs[0].policy!r}"
        assert runs[1].outcome == "refused-blocked", (
            f"run 2 was refused as blocked, the store returned the outcome {runs[1].outcome!r}"
        )
        assert runs[1].policy == SyncPolicy().to_dict(defaults=True), _report(
            f"{kept} (run 2, the default policy)",
            [
                f"expected {SyncPolicy().to_dict(defaults=True)!r}",
                f"the store returned {runs[1].policy!r}",
            ],
        )
        assert runs[1].issue_counts == {}, (
            f"{kept}: run 2 met no issue, the store returned {runs[1].issue_counts!r}"
        )

    def test_sync_property(self) -> None:
        """For any rosters a and b: syncing a, then b, leaves exactly b; a second plan is empty.

        The store first receives all of ``a``, then ``a`` without its archived records (so
        the store archives them), then ``b`` (adds, updates, restores and archives). The
        hypothesis profile in force decides how many examples run.
        """
        from hypothesis import given, settings
        from hypothesis import strategies as st

        from edukoppel.testing.strategies import roster_pairs

        policy = SyncPolicy(actions={"staff": _ALL_ACTIONS})
        source = self.source

        pairs = st.booleans().flatmap(
            lambda sparse: roster_pairs(source=source, max_students=8, sparse=sparse)
        )

        @settings(deadline=None)
        @given(pairs)
        def check(pair: tuple[Roster, Roster]) -> None:
            a, b = pair
            store = self.new_store()
            everyone = {
                _PLURAL[kind]: [attrs.evolve(r, archived=False) for r in a.records(kind)]
                for kind in a.provides
            }
            self.sync(store, _roster_like(a, **everyone), policy=policy)
            a_now = _roster_like(
                a,
                **{
                    _PLURAL[kind]: [r for r in a.records(kind) if not r.archived]
                    for kind in a.provides
                },
            )
            self.sync(store, a_now, policy=policy)
            assert_store_holds(store, a_now, policy=policy)
            self.sync(store, b, policy=policy)
            assert_store_holds(store, b, policy=policy)
            again = plan(store.snapshot(), b, policy=policy)
            assert again.is_empty, (
                "after a sync, planning the same roster again must be empty (the store holds "
                f"what it was given): it planned {again.as_tuples()}"
            )

        check()
