"""The canonical records: group kinds, links, names, and their bookkeeping fields."""

from __future__ import annotations

import random

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import edukoppel as ek
from edukoppel.model import data_fields, record_class

# -- group kinds ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("stamgroep", "homeroom"),
        ("klas", "homeroom"),
        ("Klas", "homeroom"),
        ("basisgroep", "homeroom"),
        ("homeroom", "homeroom"),
        ("lesgroep", "teaching"),
        ("cluster", "teaching"),
        ("clustergroep", "teaching"),
        ("teaching", "teaching"),
        ("samengestelde groep", "composite"),
        ("Samengesteld", "composite"),
        ("composite", "composite"),
        (None, None),
    ],
)
def test_group_kind_from_dutch_words(value: str | None, expected: str | None) -> None:
    """Dutch group words map to homeroom, teaching or composite, in any case."""
    assert expected == ek.Group(key="1HA", kind=value).kind


def test_unknown_group_kind_is_refused() -> None:
    """A kind that is not known is refused, listing the canonical kinds and the Dutch words."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Group(key="1HA", kind="werkgroep")

    assert ("group", "1HA", "kind") == (caught.value.entity, caught.value.key, caught.value.field)
    assert (
        "one of homeroom (stamgroep, klas, basisgroep); teaching (lesgroep, cluster, "
        "clustergroep); composite (samengestelde groep, samengesteld)"
    ) == caught.value.expected


# -- links ------------------------------------------------------------------------------------


def test_group_roles_from_tuples_dicts_strings_and_records() -> None:
    """Staff groups accept GroupRole, (group, role), {"group", "role"} and a bare group key."""
    staff = ek.Staff(
        key="m42",
        groups=[
            ("2HA", "Mentor"),
            {"group": "1HA", "role": "docent"},
            "3HA",
            ek.GroupRole("1HB"),
        ],
    )

    expected = (
        ek.GroupRole("1HA", "docent"),
        ek.GroupRole("1HB", "docent"),
        ek.GroupRole("2HA", "mentor"),
        ek.GroupRole("3HA", "docent"),
    )
    assert expected == staff.groups


def test_group_roles_are_de_duplicated_and_sorted() -> None:
    """The same group role given twice is kept once; roles are sorted by group, then role."""
    staff = ek.Staff(key="m1", groups=["2HA", ("1HA", "mentor"), ("2HA", "docent"), "1HA"])

    expected = (
        ek.GroupRole("1HA", "docent"),
        ek.GroupRole("1HA", "mentor"),
        ek.GroupRole("2HA", "docent"),
    )
    assert expected == staff.groups


def test_group_role_defaults_to_docent_and_is_lower_cased() -> None:
    """A role that is not given or blank is 'docent'; roles are lower-cased."""
    assert (
        ek.GroupRole("1HA", "docent"),
        ek.GroupRole("1HA", "docent"),
        ek.GroupRole("1HA", "mentor"),
    ) == (ek.GroupRole("1HA"), ek.GroupRole("1HA", " "), ek.GroupRole("1HA", "MENTOR"))


def test_guardian_links_from_tuples_dicts_strings_and_records() -> None:
    """Guardian students accept GuardianLink, tuples, dicts and bare student keys."""
    guardian = ek.Guardian(
        key="v7",
        students=[
            "00124",
            ("00123", "moeder", "ja", "nee"),
            {"student": "00125", "relation": "voogd", "legal_authority": True},
            ek.GuardianLink("00126", relation="vader"),
        ],
    )

    expected = (
        ek.GuardianLink("00123", relation="moeder", legal_authority=True, receives_mail=False),
        ek.GuardianLink("00124"),
        ek.GuardianLink("00125", relation="voogd", legal_authority=True),
        ek.GuardianLink("00126", relation="vader"),
    )
    assert expected == guardian.students


def test_guardian_links_are_de_duplicated() -> None:
    """The same link given twice is kept once."""
    guardian = ek.Guardian(key="v7", students=["00123", ek.GuardianLink("00123"), ("00123",)])

    assert (ek.GuardianLink("00123"),) == guardian.students


def test_links_to_one_student_with_and_without_details_sort() -> None:
    """Two links to one student, one saying less (None), sort: what is unknown comes first."""
    said = ek.GuardianLink("1", relation="moeder")
    unknown = ek.GuardianLink("1")
    authority = ek.GuardianLink("1", relation="moeder", legal_authority=True)
    no_authority = ek.GuardianLink("1", relation="moeder", legal_authority=False)

    guardian = ek.Guardian(key="v7", students=[said, authority, unknown, no_authority])

    assert (unknown, said, no_authority, authority) == guardian.students
    assert guardian == ek.Guardian(key="v7", students=[no_authority, unknown, authority, said])
    assert unknown < said
    assert not unknown < ek.GuardianLink("1")
    assert ek.GuardianLink("1", receives_mail=False) < ek.GuardianLink("1", receives_mail=True)


@given(
    st.lists(
        st.builds(
            ek.GuardianLink,
            st.sampled_from(["1", "2"]),
            relation=st.none() | st.sampled_from(["moeder", "vader"]),
            legal_authority=st.none() | st.booleans(),
            receives_mail=st.none() | st.booleans(),
        ),
        max_size=8,
    ),
    st.randoms(use_true_random=False),
)
def test_guardian_links_sort_in_any_order_of_any_details(
    links: list[ek.GuardianLink], rng: random.Random
) -> None:
    """Any links, None anywhere, give one sorted tuple, the same for every input order."""
    shuffled = list(links)
    rng.shuffle(shuffled)
    students = ek.Guardian(key="v7", students=links).students
    assert students == ek.Guardian(key="v7", students=shuffled).students
    assert list(students) == sorted(set(links))


def test_the_trusted_path_sorts_links_with_unknown_details() -> None:
    """validate_columns and the trusted records make what the constructor makes."""
    import polars as pl

    from edukoppel.model import validate_columns

    links = [
        {"student": "1", "relation": "moeder", "legal_authority": None, "receives_mail": None},
        {"student": "1", "relation": None, "legal_authority": None, "receives_mail": None},
    ]
    frame = pl.DataFrame({"key": ["v7"], "students": [links]})
    check = validate_columns("guardian", frame)
    assert check.refusals == ()
    (guardian,) = check.to_records()
    assert guardian == ek.Guardian(key="v7", students=links)


def test_links_given_as_a_single_string_are_refused() -> None:
    """A single string is not a list of links (it would be read letter by letter)."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Staff(key="m1", groups="1HA")

    assert ("staff", "m1", "groups") == (caught.value.entity, caught.value.key, caught.value.field)
    assert "GroupRole" in caught.value.expected


def test_link_with_a_bad_value_names_the_record_and_the_link_field() -> None:
    """A numeric student key in a guardian link is refused, naming guardian, field and part."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Guardian(key="v7", students=[123])

    assert ("guardian", "v7", "students") == (
        caught.value.entity,
        caught.value.key,
        caught.value.field,
    )


def test_link_part_with_a_bad_value_is_refused() -> None:
    """A numeric key inside a link tuple is refused as an identifier given as a number."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Guardian(key="v7", students=[(123, "moeder")])

    assert ("guardian", "v7", "students") == (
        caught.value.entity,
        caught.value.key,
        caught.value.field,
    )
    assert "'student'" in caught.value.detail


def test_identifier_sets_are_sorted_and_de_duplicated() -> None:
    """Student groups, staff mentees and locations are sorted tuples without duplicates."""
    student = ek.Student(key="1", groups=["1HA.wi", "1HA.en", " 1HA.wi "])
    staff = ek.Staff(key="m1", mentees=["002", "001", "002"], locations={"99ZX11", "99ZX10"})

    assert ("1HA.en", "1HA.wi") == student.groups
    assert (("001", "002"), ("99ZX10", "99ZX11")) == (staff.mentees, staff.locations)


def test_identifier_set_given_as_a_string_is_refused() -> None:
    """A single string is not a list of group keys."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Student(key="1", groups="1HA")

    assert ("groups", "a list of identifiers, not a single string") == (
        caught.value.field,
        caught.value.expected,
    )


def test_staff_roles_are_lower_cased_sorted_and_unique() -> None:
    """Staff functions are compared without case."""
    assert ("docent", "zorgmanager") == ek.Staff(
        key="m1", roles=["Zorgmanager", "docent", "DOCENT"]
    ).roles


# -- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "display", "sort"),
    [
        (
            {"first_name": "Daan", "infix": "van der", "last_name": "Berg"},
            "Daan van der Berg",
            "Berg, Daan van der",
        ),
        ({"first_name": "Daan", "last_name": "Berg"}, "Daan Berg", "Berg, Daan"),
        (
            {"initials": "D.J.", "infix": "de", "last_name": "Vries"},
            "D.J. de Vries",
            "Vries, D.J. de",
        ),
        (
            {"first_name": "Daan", "initials": "D.J.", "last_name": "Berg"},
            "Daan Berg",
            "Berg, Daan",
        ),
        ({"last_name": "Berg"}, "Berg", "Berg"),
        ({"first_name": "Daan"}, "Daan", "Daan"),
        ({}, "", ""),
    ],
)
def test_display_and_sort_name(names: dict[str, str], display: str, sort: str) -> None:
    """Names are composed from roepnaam (or initials), infix and last name, never split."""
    for cls in (ek.Student, ek.Staff, ek.Guardian):
        person = cls(key="1", **names)
        assert (display, sort) == (person.display_name, person.sort_name)


# -- records as values ------------------------------------------------------------------------


def test_records_are_frozen() -> None:
    """A record cannot be changed in place; use attrs.evolve for a changed copy."""
    student = ek.Student(key="1", last_name="Berg")

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        student.last_name = "Jansen"  # type: ignore[misc]
    assert "Jansen" == attrs.evolve(student, last_name="Jansen").last_name


def test_evolve_validates_again() -> None:
    """A changed copy is validated like a new record."""
    with pytest.raises(ek.InvalidValueError):
        attrs.evolve(ek.Student(key="1"), birth_date="30-02-2011")


def test_records_are_equal_by_value_and_hashable() -> None:
    """Two records with the same values are equal and hash alike."""
    a = ek.Student(key="1", groups=["b", "a"], gender="M")
    b = ek.Student(key="1", groups=("a", "b"), gender="man")

    assert a == b
    assert 1 == len({a, b})


def test_records_take_keywords_only() -> None:
    """Entity records are built with keyword arguments, so columns cannot be swapped."""
    with pytest.raises(TypeError):
        ek.Student("1")  # type: ignore[misc]


def test_bookkeeping_defaults() -> None:
    """A new record has no origin and is not archived."""
    record = ek.Location(key="99ZX10")

    assert (None, False) == (record.origin, record.archived)


def test_unknown_field_is_refused() -> None:
    """A field the model does not have is a TypeError (a programming mistake)."""
    with pytest.raises(TypeError):
        ek.Student(key="1", bsn="123456782")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("kind", "cls"),
    [
        ("location", ek.Location),
        ("group", ek.Group),
        ("student", ek.Student),
        ("staff", ek.Staff),
        ("guardian", ek.Guardian),
    ],
)
def test_record_class_and_entity(kind: str, cls: type) -> None:
    """Every entity kind has its record class, which knows its kind."""
    assert (cls, kind) == (record_class(kind), cls.entity)  # type: ignore[arg-type]


def test_data_fields_start_with_key_and_leave_out_bookkeeping() -> None:
    """data_fields lists the comparable fields, key first, without origin and archived."""
    fields = data_fields("student")

    assert "key" == fields[0]
    assert {"origin", "archived"}.isdisjoint(fields)
    assert {"email", "birth_date", "groups", "end_date"} <= set(fields)


def test_error_names_the_entity_of_every_record_type() -> None:
    """Each record class names its own entity kind in errors."""
    cases = [
        (ek.Location, "location"),
        (ek.Group, "group"),
        (ek.Student, "student"),
        (ek.Staff, "staff"),
        (ek.Guardian, "guardian"),
    ]
    for cls, entity in cases:
        with pytest.raises(ek.InvalidValueError) as caught:
            cls(key=5)
        assert (entity, "key") == (caught.value.entity, caught.value.field)


# -- plain values in and out, for stores -------------------------------------------------------


def test_every_record_round_trips_through_plain_values() -> None:
    """to_dict() gives JSON-compatible values; from_dict() gives back an equal record."""
    import json

    from edukoppel.testing import example_roster

    roster = example_roster()
    for kind in ek.ENTITY_KINDS:
        for record in roster.records(kind):
            plain = record.to_dict()
            assert json.loads(json.dumps(plain)) == plain
            assert set(plain) == {*ek.data_fields(kind), "origin", "archived"}
            assert ek.record_class(kind).from_dict(plain) == record
    assert roster.school is not None
    assert ek.School.from_dict(roster.school.to_dict()) == roster.school


def test_to_dict_values_are_plain() -> None:
    daan = ek.Student(key="00123", birth_date="2012-03-04", groups=["1HA.wi"], origin="las")
    plain = daan.to_dict()
    assert plain["birth_date"] == "2012-03-04"
    assert plain["groups"] == ["1HA.wi"]
    assert (plain["origin"], plain["archived"]) == ("las", False)
    parent = ek.Guardian(key="v1", students=[ek.GuardianLink("00123", "moeder", True)])
    assert parent.to_dict()["students"] == [
        {"student": "00123", "relation": "moeder", "legal_authority": True, "receives_mail": None}
    ]


def test_from_dict_refuses_unknown_names_and_a_missing_key() -> None:
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Student.from_dict({"key": "00123", "achternaam": "Berg"})
    assert caught.value.field == "achternaam"
    assert "last_name" in str(caught.value)
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Student.from_dict({"last_name": "Berg"})
    assert caught.value.field == "key"


def test_from_dict_takes_database_booleans() -> None:
    """SQLite hands booleans back as 0 and 1; other values are refused."""
    assert ek.Student.from_dict({"key": "1", "archived": 1}).archived is True
    assert ek.Student.from_dict({"key": "1", "archived": 0}).archived is False
    with pytest.raises(ek.InvalidValueError):
        ek.Student.from_dict({"key": "1", "archived": "yes"})


def test_evolve_validates_like_the_constructor() -> None:
    daan = ek.Student(key="00123", last_name="Berg")
    assert daan.evolve(email="Daan@School.NL").email == "daan@school.nl"
    with pytest.raises(ek.InvalidValueError):
        daan.evolve(birth_date="31-02-2010")
    with pytest.raises(ek.InvalidValueError) as caught:
        daan.evolve(achternaam="Jansen")
    assert caught.value.field == "achternaam"


def test_update_new_values_apply_to_the_stored_record() -> None:
    """A store applies an Update with `stored.evolve(**update.new_values)`, a new key included."""
    update = ek.Update(
        entity="student",
        key="00123",
        changes=(ek.FieldChange("key", "00123", "10123"), ek.FieldChange("last_name", "B", "C")),
    )
    moved = ek.Student(key="00123", last_name="B").evolve(**update.new_values)
    assert (moved.key, moved.last_name) == ("10123", "C")
