"""MemoryStore against the store conformance suite, plus what is particular to it."""

from __future__ import annotations

import attrs
import pytest

import edukoppel as ek
from edukoppel.adapters import MemoryStore
from edukoppel.model import ENTITY_KINDS
from edukoppel.testing import StoreConformance, assert_store_holds, example_roster


class TestMemoryStore(StoreConformance):
    """Every check of the conformance suite, against the in-memory reference store."""

    def make_store(self) -> MemoryStore:
        return MemoryStore()


def _stored_roster() -> ek.Roster:
    """The example roster as a store holds it: owned by 'las', one record archived."""
    roster = example_roster()
    students = [attrs.evolve(s, origin="las", archived=s.key == "00999") for s in roster.students]
    return ek.Roster(
        school=roster.school,
        locations=[attrs.evolve(r, origin="las") for r in roster.locations],
        groups=[attrs.evolve(r, origin=None) for r in roster.groups],
        students=students,
        staff=[attrs.evolve(r, origin="las") for r in roster.staff],
        guardians=[attrs.evolve(r, origin="las") for r in roster.guardians],
        source="las",
    )


def test_memory_store_starts_from_a_roster_as_it_is():
    """A roster given to the constructor is held as is: origins, archived flags and school."""
    roster = _stored_roster()
    store = MemoryStore(roster)
    snapshot = store.snapshot()
    for kind in ENTITY_KINDS:
        assert dict(snapshot.records(kind).by_key()) == dict(roster.records(kind).by_key())
    assert snapshot.school == roster.school
    assert snapshot.students["00999"].archived
    assert snapshot.groups["1HA"].origin is None
    assert snapshot.fingerprint == store.revision()
    assert store.runs() == []


def test_memory_store_from_a_roster_syncs_on():
    """A store seeded with a roster takes plans against it: the archived pupil comes back."""
    roster = _stored_roster()
    store = MemoryStore(roster)
    incoming = example_roster()
    outcome = ek.apply(ek.plan(store.snapshot(), incoming), store)
    assert outcome.counts["student"] == {"restore": 1}
    # Groups created by hand (origin None) are left alone and reported.
    assert outcome.counts.get("group", {}) == {}
    assert {p.key for p in outcome.run.problems if p.code == "owned-by-other-source"} == {
        "1HA",
        "1HA.wi",
        "2V_lo",
    }
    assert_store_holds(store, ek.Roster(students=list(incoming.students), source="las"))


@pytest.mark.parametrize("kind", ["location", "group", "student", "staff", "guardian"])
def test_memory_store_refuses_duplicate_keys(kind):
    """A roster with a key twice cannot seed a store: StoreError, naming the kind."""
    roster = example_roster()
    records = list(roster.records(kind))
    plural = {"location": "locations", "group": "groups", "student": "students",
              "staff": "staff", "guardian": "guardians"}[kind]  # fmt: skip
    doubled = ek.Roster(**{plural: [*records, records[0]]}, source="las")
    with pytest.raises(ek.StoreError, match=kind):
        MemoryStore(doubled)


def test_memory_store_revisions_are_unique_per_store():
    """Two stores never share a revision, so a plan for one is stale for the other."""
    first, second = MemoryStore(), MemoryStore()
    assert first.revision() != second.revision()
    changeset = ek.plan(first.snapshot(), example_roster())
    with pytest.raises(ek.StalePlanError):
        ek.apply(changeset, second)
    assert second.snapshot().is_empty


def test_memory_store_repr_counts_records():
    """The repr says how many records of each kind it holds, and no personal data."""
    store = MemoryStore(_stored_roster())
    text = repr(store)
    assert text == "<MemoryStore 2 location, 3 group, 3 student, 2 staff, 2 guardian>"
    assert "Berg" not in text


def test_store_refusals_are_dutch_under_set_language() -> None:
    """A store error reaches the admin through apply's error and the run log: Dutch too."""
    roster = ek.Roster(students=[ek.Student(key="00123"), ek.Student(key="00123")], source="x")
    with ek.use_language("nl"), pytest.raises(ek.StoreError) as caught:
        ek.MemoryStore(roster)
    # Rendered when shown: in Dutch inside the block, in the language asked for after it.
    assert (
        caught.value.message_in("nl") == "kan leerling-id's niet meer dan één keer bewaren: 00123"
    )
    assert caught.value.message_in("en") == "cannot hold student keys more than once: 00123"
