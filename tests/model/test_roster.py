"""The Roster: what a source provides, its scope, duplicates, and its fingerprint."""

from __future__ import annotations

import attrs
import pytest

import edukoppel as ek
from edukoppel.model import data_fields


def _students() -> list[ek.Student]:
    return [
        ek.Student(key="00123", first_name="Daan", last_name="Berg", location="99ZX10"),
        ek.Student(key="00124", first_name="Sanne", last_name="Jansen", location="99ZX11"),
        ek.Student(key="00125", first_name="Noah", last_name="Bakker", location="99ZX10"),
    ]


# -- what a roster provides -------------------------------------------------------------------


def test_provides_by_default_every_field_of_the_kinds_passed() -> None:
    """Without `provides`, a roster provides all fields of exactly the kinds it was given."""
    roster = ek.Roster(students=_students(), groups=[])

    expected = {
        "student": frozenset(data_fields("student")),
        "group": frozenset(data_fields("group")),
    }
    assert expected == dict(roster.provides)


def test_kind_not_passed_is_not_provided_but_empty_list_is() -> None:
    """None means 'this source says nothing about it'; [] means 'provided, and there are none'."""
    roster = ek.Roster(students=[], staff=None)

    assert "student" in roster.provides
    assert "staff" not in roster.provides
    assert 0 == len(roster.staff)


def test_explicit_provides_always_includes_the_key() -> None:
    """A provides list without the key still provides the key."""
    roster = ek.Roster(students=_students(), provides={"student": ["first_name", "last_name"]})

    assert {"student": frozenset({"key", "first_name", "last_name"})} == dict(roster.provides)


def test_explicit_provides_none_means_all_fields() -> None:
    """`provides={"student": None}` provides every student field."""
    roster = ek.Roster(students=_students(), provides={"student": None})

    assert frozenset(data_fields("student")) == roster.provides["student"]


def test_explicit_provides_replaces_the_default_for_all_kinds() -> None:
    """With an explicit provides, kinds it does not name are not provided."""
    roster = ek.Roster(students=_students(), groups=[], provides={"student": ["email"]})

    assert ["student"] == list(roster.provides)


def test_provides_unknown_field_is_refused() -> None:
    """A field the kind does not have is refused, naming the unknown field and the known ones."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Roster(students=_students(), provides={"student": ["last_name", "bsn"]})

    error = caught.value
    assert ("roster", "provides", "unknown: bsn") == (error.entity, error.field, error.detail)
    assert "last_name" in error.expected


def test_provides_unknown_kind_is_refused() -> None:
    """An entity kind that does not exist is refused."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Roster(provides={"pupil": ["key"]})  # type: ignore[dict-item]

    assert ("provides", "got 'pupil'") == (caught.value.field, caught.value.detail)


def test_wrong_record_type_is_refused() -> None:
    """A Staff record among the students is a programming mistake, refused at once."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Roster(students=[ek.Staff(key="m1")])  # type: ignore[list-item]

    assert ("students", "Student records", "got Staff") == (
        caught.value.field,
        caught.value.expected,
        caught.value.detail,
    )


# -- scope ------------------------------------------------------------------------------------


def test_default_scope_takes_the_school_year_of_the_school() -> None:
    """Without an explicit scope, a roster covers every location and its school's year."""
    roster = ek.Roster(school=ek.School(brin="99ZX", school_year="2025/2026"), students=[])

    assert ek.Scope(locations=None, school_year="2025-2026") == roster.scope


def test_default_scope_without_school_is_everything() -> None:
    """No school, no scope limits."""
    assert ek.Scope() == ek.Roster(students=[]).scope


def test_scope_locations_become_a_frozenset() -> None:
    """Scope locations may be any iterable of keys; a single string is refused."""
    assert frozenset({"99ZX10"}) == ek.Scope(locations=["99ZX10"]).locations
    with pytest.raises(ek.InvalidValueError):
        ek.Scope(locations="99ZX10")  # type: ignore[arg-type]


def test_scope_school_year_is_normalised_and_validated() -> None:
    """A scope's school year is read like a school's."""
    assert "2025-2026" == ek.Scope(school_year="2025/2026").school_year
    with pytest.raises(ek.InvalidValueError):
        ek.Scope(school_year="2025-2027")


# -- records and duplicates -------------------------------------------------------------------


def test_duplicate_keys_are_kept_and_named() -> None:
    """Nothing is lost: duplicates stay in the roster, are named, and get() gives the first."""
    first = ek.Student(key="00123", last_name="Berg")
    second = ek.Student(key="00123", last_name="Jansen")
    roster = ek.Roster(students=[first, ek.Student(key="00124"), second])

    assert 3 == len(roster.students)
    assert ("00123",) == roster.students.duplicate_keys
    assert first is roster.students.get("00123")
    assert [first, ek.Student(key="00124"), second] == list(roster.students)


def test_collection_access() -> None:
    """A collection is iterable in source order, indexable by key and knows its active records."""
    archived = ek.Student(key="00126", archived=True)
    roster = ek.Roster(students=[*_students(), archived])
    students = roster.students

    assert "00123" in students
    assert "99999" not in students
    assert "Daan" == students["00123"].first_name
    assert students.get("99999") is None
    assert ["00123", "00124", "00125", "00126"] == list(students.keys())
    assert ["00123", "00124", "00125"] == [s.key for s in students.active]
    assert () == students.duplicate_keys


def test_counts_is_empty_and_repr() -> None:
    """A roster counts its records per kind and says what it holds in its repr."""
    roster = ek.Roster(students=_students(), staff=[], source="leerlingen.csv")

    expected_counts = {"location": 0, "group": 0, "student": 3, "staff": 0, "guardian": 0}
    assert expected_counts == roster.counts
    assert "<Roster source='leerlingen.csv': 3 students, 0 staff>" == repr(roster)
    assert not roster.is_empty
    assert ek.Roster.empty().is_empty
    assert {} == dict(ek.Roster.empty().provides)


def test_rosters_are_equal_regardless_of_record_order() -> None:
    """Equality compares records, provides and scope, not the order the source listed them in."""
    assert ek.Roster(students=_students()) == ek.Roster(students=reversed(_students()))
    assert ek.Roster(students=_students()) != ek.Roster(students=_students()[:2])
    assert ek.Roster(students=_students()) != ek.Roster(
        students=_students(), provides={"student": ["last_name"]}
    )


# -- fingerprint ------------------------------------------------------------------------------


def test_fingerprint_is_the_same_for_the_same_records_in_any_order() -> None:
    """Two rosters with the same records in any order have the same fingerprint."""
    a = ek.Roster(students=_students(), source="a")
    b = ek.Roster(students=list(reversed(_students())), source="b")

    assert a.fingerprint == b.fingerprint
    assert a.fingerprint.startswith("content:")


@pytest.mark.parametrize(
    "change",
    [{"last_name": "Berg-Smit"}, {"archived": True}, {"origin": "manual"}, {"email": "d@s.nl"}],
)
def test_fingerprint_changes_when_a_record_changes(change: dict[str, object]) -> None:
    """A changed field, archived flag or origin gives another fingerprint."""
    students = _students()
    changed = [attrs.evolve(students[0], **change), *students[1:]]

    assert ek.Roster(students=students).fingerprint != ek.Roster(students=changed).fingerprint


def test_fingerprint_changes_when_the_school_changes() -> None:
    """The school record is part of the fingerprint."""
    a = ek.Roster(school=ek.School(brin="99ZX", school_year="2025-2026"), students=_students())
    b = ek.Roster(school=ek.School(brin="99ZX", school_year="2026-2027"), students=_students())

    assert a.fingerprint != b.fingerprint


def test_fingerprint_is_stable() -> None:
    """Asking twice, or building the same roster twice, gives the same fingerprint."""
    roster = ek.Roster(students=_students())

    assert roster.fingerprint == roster.fingerprint
    assert ek.Roster(students=_students()).fingerprint == roster.fingerprint


def test_revision_is_used_as_fingerprint() -> None:
    """A store's revision token is the snapshot's fingerprint."""
    roster = ek.Roster(students=_students(), revision="memory:abc:7")

    assert ("memory:abc:7", "memory:abc:7") == (roster.fingerprint, roster.revision)


# -- records of a kind the roster does not provide -----------------------------------------


def test_records_of_a_kind_not_provided_are_refused() -> None:
    """`provides` without "group" beside a list of groups: refused, saying how to provide it."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Roster(
            groups=[ek.Group(key="1HA")],
            students=[ek.Student(key="00123", homeroom="1HA")],
            provides={"student": ["homeroom"]},
        )
    assert caught.value.field == "provides"
    message = str(caught.value)
    assert "1 group given" in message
    assert "'group': None" in message


def test_a_kind_named_with_none_provides_all_its_fields() -> None:
    """The one rule: `provides` names the kinds; None means all fields of that kind."""
    roster = ek.Roster(
        groups=[ek.Group(key="1HA")],
        students=[ek.Student(key="00123", homeroom="1HA")],
        provides={"group": None, "student": ["homeroom"]},
    )
    assert roster.provides["group"] == frozenset(data_fields("group"))
    assert roster.provides["student"] == frozenset({"key", "homeroom"})
    changeset = ek.plan(ek.Roster.empty(), roster)
    assert changeset.as_tuples() == [("add", "group", "1HA"), ("add", "student", "00123")]


def test_an_empty_list_of_a_kind_not_provided_is_harmless() -> None:
    """No records, nothing to lose: an empty list beside `provides` without that kind is fine."""
    roster = ek.Roster(groups=[], students=[], provides={"student": None})
    assert list(roster.provides) == ["student"]


def test_evolve_keeps_what_is_not_changed() -> None:
    """A read roster with the school added: records, provides and provenance stay."""
    read = ek.Roster(
        students=_students()[:2],
        provides={"student": ["first_name"]},
        provenance={"student": [4, 5]},
        source="leerlingen.csv",
    )
    school = ek.School(brin="99ZX", school_year="2025-2026")

    with_school = read.evolve(school=school)

    assert with_school.school == school
    assert with_school.scope.school_year == "2025-2026"
    assert with_school.students == read.students
    assert with_school.provides == read.provides
    assert with_school.students.where("00123") == (4,)
    assert with_school.source == "leerlingen.csv"
    more = read.evolve(groups=[ek.Group(key="1HA")])
    assert "group" in more.provides
    with pytest.raises(TypeError, match="unknown arguments: klassen"):
        read.evolve(klassen=[])
