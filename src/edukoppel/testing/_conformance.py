"""StoreConformance: the test suite every storage adapter should pass.

Subclass it in your test suite, name the subclass ``Test...`` so pytest collects it, and say
how to make a fresh, empty store::

    from edukoppel.testing import StoreConformance

    class TestMyStore(StoreConformance):
        def make_store(self):
            return MyStore(tmp_database())

Every ``test_*`` method then checks one promise of the :class:`~edukoppel.Store` protocol
against your store: records read back as they were added, with their origin stamped; updates
(a changed key included), archives and restores; the school record; a revision that moves with
every change; stale plans refused; all-or-nothing changesets; the run log; and, as a
hypothesis property, that syncing any two rosters one after the other leaves exactly the
second one in the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import attrs

from edukoppel.exceptions import BlockedPlanError, StalePlanError, StoreError
from edukoppel.model import (
    ENTITY_KINDS,
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

__all__ = ["StoreConformance", "assert_store_holds", "example_roster"]

_ALL_ACTIONS: frozenset[Action] = frozenset({"add", "update", "archive", "restore"})


_PLURAL: Mapping[EntityKind, str] = {
    "location": "locations",
    "group": "groups",
    "student": "students",
    "staff": "staff",
    "guardian": "guardians",
}


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


class StoreConformance:
    """The checks every :class:`~edukoppel.Store` should pass; subclass it as ``TestYourStore``.

    Implement :meth:`make_store`. The ``test_*`` methods are plain pytest tests (they use
    ``pytest.raises`` and hypothesis), so run them with pytest, which must be installed.
    """

    #: The source name the checks sync from.
    source: ClassVar[str] = "las"

    def make_store(self) -> Store:
        """A fresh, empty store. Every test calls it for each store it needs."""
        raise NotImplementedError("implement make_store() to return a fresh, empty store")

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
        store = self.make_store()
        self.sync(store, example_roster(source=self.source))
        return store

    # -- the checks -------------------------------------------------------------------------

    def test_new_store_is_empty(self) -> None:
        """A fresh store holds no records, no school and no runs, and says its revision."""
        store = self.make_store()
        snapshot = store.snapshot()
        assert snapshot.is_empty
        assert snapshot.counts == dict.fromkeys(ENTITY_KINDS, 0)
        assert snapshot.school is None
        assert isinstance(store.revision(), str)
        assert snapshot.fingerprint == store.revision()
        assert store.runs() == []

    def test_added_records_read_back_with_origin(self) -> None:
        """Records of all five kinds, with their links, read back equal and owned by the source."""
        store = self.make_store()
        roster = example_roster(source=self.source)
        outcome = self.sync(store, roster)
        assert outcome.run.outcome == "applied"
        snapshot = store.snapshot()
        for kind in ENTITY_KINDS:
            expected = {
                record.key: attrs.evolve(record, origin=self.source, archived=False)
                for record in roster.records(kind)
            }
            assert dict(snapshot.records(kind).by_key()) == expected, kind
            assert len(snapshot.records(kind)) == len(expected), kind
        assert_store_holds(store, roster)

    def test_school_is_stored(self) -> None:
        """The school record a sync brings is stored, and a changed school replaces it."""
        store = self._loaded_store()
        roster = example_roster(source=self.source)
        assert roster.school is not None
        assert store.snapshot().school == roster.school
        renamed = attrs.evolve(roster.school, name="Het Nieuwe College")
        changeset = plan(store.snapshot(), _with_school(roster, renamed))
        assert changeset.as_tuples() == []
        assert changeset.school == renamed
        apply(changeset, store)
        assert store.snapshot().school == renamed
        assert plan(store.snapshot(), _with_school(roster, renamed)).is_empty

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
        assert outcome.counts["student"] == {"update": 1}
        assert_store_holds(store, incoming)
        # A source that provides only the surname changes nothing else.
        sparse = Roster(
            students=[Student(key="00124", last_name="Hondt, d'")],
            provides={"student": ["last_name"]},
            source=self.source,
        )
        before = store.snapshot().students["00124"]
        self.sync(store, sparse, policy=SyncPolicy(actions={"student": frozenset({"update"})}))
        after = store.snapshot().students["00124"]
        assert after == attrs.evolve(before, last_name="Hondt, d'")

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
        assert changeset.as_tuples() == [("update", "student", "00124")]
        change = changeset.changes[0]
        assert isinstance(change, Update)
        assert change.changes == (FieldChange("key", "00124", "S-00124"),)
        apply(changeset, store)
        students = store.snapshot().students
        assert "00124" not in students
        assert students["S-00124"] == attrs.evolve(
            roster.students["00124"], key="S-00124", origin=self.source
        )
        assert len(students) == len(roster.students)

    def test_archive_and_restore(self) -> None:
        """A leaver is archived (kept, data intact); when they come back they are restored."""
        store = self._loaded_store()
        roster = example_roster(source=self.source)
        leaver = roster.students["00999"]
        without = _roster_like(roster, students=[s for s in roster.students if s.key != "00999"])
        outcome = self.sync(store, without)
        assert outcome.counts["student"] == {"archive": 1}
        kept = store.snapshot().students["00999"]
        assert kept == attrs.evolve(leaver, origin=self.source, archived=True)

        back = attrs.evolve(leaver, location="99ZX10", groups=("1HA.wi",))
        outcome = self.sync(store, _roster_like(roster, students=[*without.students, back]))
        assert outcome.counts["student"] == {"restore": 1}
        assert store.snapshot().students["00999"] == attrs.evolve(back, origin=self.source)

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
        assert stored.origin == other
        assert stored.last_name == "Bergh"
        assert store.snapshot().students["00124"].origin == self.source

    def test_revision_changes_with_every_apply(self) -> None:
        """The revision moves with every applied changeset and the snapshot carries it."""
        store = self.make_store()
        revisions = [store.revision()]
        roster = example_roster(source=self.source)
        self.sync(store, roster)
        revisions.append(store.revision())
        self.sync(store, _roster_like(roster, students=list(roster.students)[:2]))
        revisions.append(store.revision())
        assert len(set(revisions)) == 3
        assert store.snapshot().fingerprint == store.revision()
        outcome = self.sync(store, _roster_like(roster, students=list(roster.students)[:2]))
        assert outcome.run.outcome == "nothing-to-do"
        assert store.revision() == revisions[-1]

    def test_snapshot_is_not_a_live_view(self) -> None:
        """A snapshot taken before a sync still shows the old state afterwards."""
        store = self._loaded_store()
        before = store.snapshot()
        records = _records_by_kind(before)
        roster = example_roster(source=self.source)
        self.sync(store, _roster_like(roster, students=[]))
        assert _records_by_kind(before) == records
        assert store.snapshot().students["00123"].archived

    def test_stale_plan_is_refused(self) -> None:
        """A plan made before another apply raises StalePlanError and changes nothing."""
        import pytest

        store = self._loaded_store()
        roster = example_roster(source=self.source)
        base = store.snapshot()
        first = plan(base, _roster_like(roster, students=list(roster.students)[:2]))
        second = plan(base, _renamed(roster))
        apply(first, store)
        state, revision = _records_by_kind(store.snapshot()), store.revision()
        with pytest.raises(StalePlanError):
            store.apply_changes(second)
        with pytest.raises(StalePlanError):
            apply(second, store)
        assert _records_by_kind(store.snapshot()) == state
        assert store.revision() == revision
        assert store.runs()[-1].outcome == "refused-stale"

    def test_changeset_is_all_or_nothing(self) -> None:
        """A changeset whose last change is impossible raises StoreError and changes nothing."""
        import pytest

        store = self._loaded_store()
        snapshot = store.snapshot()
        state, school, revision = _records_by_kind(snapshot), snapshot.school, store.revision()
        newcomer = Student(key="01000", first_name="Fleur", last_name="Visser")
        impossible: list[Change] = [
            Update(entity="student", key="99999", changes=(FieldChange("last_name", None, "X"),)),
            Add(entity="student", key="00123", record=Student(key="00123")),
            Update(
                entity="student",
                key="00123",
                changes=(FieldChange("key", "00123", "00124"),),
            ),
        ]
        for last in impossible:
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
            with pytest.raises(StoreError):
                store.apply_changes(changeset)
            with pytest.raises(StoreError):
                apply(changeset, store)
            after = store.snapshot()
            assert _records_by_kind(after) == state
            assert after.school == school
            assert store.revision() == revision
            assert store.runs()[-1].outcome == "failed"

    def test_run_log(self) -> None:
        """Every run is logged in order, numbered from 1, with outcome and counts; refusals too."""
        import pytest

        store = self.make_store()
        roster = example_roster(source=self.source)
        first = apply(plan(store.snapshot(), roster), store, description="eerste import")
        assert first.run.number == 1
        again = apply(plan(store.snapshot(), roster), store)
        wrong_school = Roster(
            school=School(brin="12AB", school_year="2025-2026"),
            students=list(roster.students),
            source=self.source,
        )
        blocked = plan(store.snapshot(), wrong_school)
        assert blocked.is_blocked
        with pytest.raises(BlockedPlanError):
            apply(blocked, store)
        stale = plan(store.snapshot(), _renamed(roster))
        self.sync(store, _roster_like(roster, students=list(roster.students)[:2]))
        with pytest.raises(StalePlanError):
            apply(stale, store)

        runs = store.runs()
        assert [run.number for run in runs] == [1, 2, 3, 4, 5]
        assert [run.outcome for run in runs] == [
            "applied",
            "nothing-to-do",
            "refused-blocked",
            "applied",
            "refused-stale",
        ]
        assert all(run.source == self.source for run in runs)
        assert runs[0] == first.run
        assert runs[1] == again.run
        assert runs[0].description == "eerste import"
        assert runs[0].counts == {
            "location": {"add": 2},
            "group": {"add": 3},
            "student": {"add": 3},
            "staff": {"add": 2},
            "guardian": {"add": 2},
        }
        assert runs[0].total == 12
        assert runs[1].counts == {}
        assert runs[2].blocked == ("school-mismatch",)
        assert runs[2].counts == {}
        assert runs[3].counts == {"student": {"archive": 1}}
        assert all(run.started_at <= run.finished_at for run in runs)

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
            store = self.make_store()
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
            assert again.is_empty, again.as_tuples()

        check()
