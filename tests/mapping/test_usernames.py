"""Usernames by a rule: unique, deterministic, and never changing one that exists."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import edukoppel as ek
from edukoppel.mapping import username_from


def _pupil(key: str, first: str | None, last: str | None, **fields: str) -> ek.Student:
    return ek.Student(key=key, first_name=first, last_name=last, **fields)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("first.last", "zoe.vanderberg"),
        ("firstlast", "zoevanderberg"),
        ("initial.last", "z.vanderberg"),
        ("key", "00123"),
        ("email", "zoe.berg@leerling.school.nl"),
        ("email-local", "zoe.berg"),
        ("{last_name}.{first_name:.2}", "berg.zo"),
    ],
)
def test_rules_fold_accents_case_and_spaces(rule: str, expected: str) -> None:
    zoe = _pupil("00123", "Zoë", "Berg", infix="van der", email="Zoe.Berg@leerling.school.nl")
    assert username_from(zoe, rule) == expected


def test_a_username_clash_is_solved_the_same_way_every_time_in_any_order() -> None:
    pupils = [
        _pupil("3", "Jan", "Jansen"),
        _pupil("1", "Jan", "Jansen"),
        _pupil("2", "Jån", "Jansen"),
    ]
    first, report = ek.make_usernames(ek.Roster(students=pupils), "first.last")
    again, _ = ek.make_usernames(ek.Roster(students=pupils[::-1]), "first.last")

    named = {pupil.key: pupil.username for pupil in first.students}
    assert named == {"1": "jan.jansen", "2": "jan.jansen2", "3": "jan.jansen3"}
    assert {pupil.key: pupil.username for pupil in again.students} == named
    assert [issue.key for issue in report.by_code("username-numbered")] == ["2", "3"]
    assert "username" in first.provides["student"]


def test_a_username_that_exists_in_the_file_or_the_store_is_never_changed() -> None:
    stored = ek.Roster(
        students=[_pupil("1", "Jan", "Jansen", username="jjansen"), _pupil("9", "Jan", "Smit")],
        staff=[],
    )
    stored = stored.evolve(
        students=[*stored.students, _pupil("8", "Eva", "Dijk", username="jan.smit")]
    )
    incoming = ek.Roster(
        students=[
            _pupil("1", "Jan", "Jansen"),  # the store's jjansen stays
            _pupil("2", "Piet", "Puk", username="ppuk"),  # the file's own stays
            _pupil("3", "Jan", "Smit"),  # jan.smit is the store's (pupil 8): a number
        ]
    )
    named, _ = ek.make_usernames(incoming, "first.last", current=stored)
    assert {p.key: p.username for p in named.students} == {
        "1": "jjansen",
        "2": "ppuk",
        "3": "jan.smit2",
    }


def test_a_rule_with_an_empty_part_makes_nothing_and_says_so() -> None:
    named, report = ek.make_usernames(ek.Roster(students=[_pupil("1", None, "Berg")]), "first.last")
    assert named.students["1"].username is None
    [missing] = report.by_code("username-not-made")
    assert (missing.key, missing.severity) == ("1", "warning")


@pytest.mark.parametrize(
    ("rule", "message"),
    [("{voornaam}.{achternaam}", r"\{voornaam\} is no field"), ("leerling", "names no field")],
)
def test_a_rule_that_cannot_make_a_username_is_refused(rule: str, message: str) -> None:
    with pytest.raises(ek.MappingError, match=message):
        ek.make_usernames(ek.Roster(students=[_pupil("1", "Jan", "Berg")]), rule)


def test_a_file_without_usernames_gets_them_before_the_sync() -> None:
    data = "Leerlingnummer;Roepnaam;Achternaam\n00123;Zoë;Berg\n00124;Zoe;Berg\n".encode()
    read = ek.read(data, name="leerlingen.csv")
    named, _ = ek.make_usernames(read.roster, "first.last")
    changes = ek.plan(ek.Roster(source="import"), named)
    adds = changes.of("student", "add")
    made = {change.key: change.record.username for change in adds}  # type: ignore[union-attr]
    assert made == {"00123": "zoe.berg", "00124": "zoe.berg2"}


names = st.sampled_from(["Jan", "Jån", "JAN", "Eva", "Zoë", "Ai"])


@given(
    st.lists(
        st.tuples(st.integers(0, 40), names, names, st.booleans()),
        max_size=15,
        unique_by=lambda item: item[0],
    ),
    st.lists(
        st.sampled_from(["jan.jan", "eva.eva", "jan.jan2", "zoe.ai"]), max_size=3, unique=True
    ),
    st.randoms(use_true_random=False),
)
def test_usernames_are_unique_kept_and_independent_of_order(
    people: list[tuple[int, str, str, bool]], stored_names: list[str], order: object
) -> None:
    pupils = [
        _pupil(f"{key:03d}", first, last, **({"username": f"own{key}"} if own else {}))
        for key, first, last, own in people
    ]
    stored = ek.Roster(
        students=[_pupil(f"9{i}", "X", "Y", username=name) for i, name in enumerate(stored_names)]
    )
    named, _ = ek.make_usernames(ek.Roster(students=pupils), "first.last", current=stored)
    shuffled = pupils[:]
    order.shuffle(shuffled)  # type: ignore[attr-defined]
    again, _ = ek.make_usernames(ek.Roster(students=shuffled), "first.last", current=stored)

    made = [pupil.username for pupil in named.students]
    all_names = [name.casefold() for name in [*made, *stored_names] if name]
    assert len(all_names) == len(set(all_names))
    for before, after in zip(pupils, named.students, strict=True):
        if before.username:
            assert after.username == before.username
    assert {p.key: p.username for p in again.students} == {
        p.key: p.username for p in named.students
    }
