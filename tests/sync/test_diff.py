"""diff(): two exports compared in a notebook, without a store, ownership or safeguards."""

from __future__ import annotations

import edukoppel as ek


def _week(source: str, *students: ek.Student, **kwargs: object) -> ek.Roster:
    return ek.Roster(students=list(students), source=source, **kwargs)  # type: ignore[arg-type]


DAAN = ek.Student(key="00123", last_name="Berg", homeroom="1HA")
SANNE = ek.Student(key="00124", last_name="Jansen", homeroom="1HA")


def test_two_exports_show_the_class_change_and_the_leaver() -> None:
    """What plan() hid behind "created by the host": diff shows the change and the leaver."""
    week1 = _week("week1.csv", DAAN, SANNE)
    week2 = _week("week2.csv", DAAN.evolve(homeroom="1HB"))

    changeset = ek.diff(week1, week2)

    assert [("update", "student", "00123"), ("archive", "student", "00124")] == (
        changeset.as_tuples()
    )
    [update] = changeset.of("student", "update")
    assert isinstance(update, ek.Update)
    assert (ek.FieldChange("homeroom", "1HA", "1HB"),) == update.changes
    assert [] == list(changeset.issues)
    assert not changeset.is_blocked
    # plan() would have left both alone: week 1's records have no origin.
    assert ek.plan(week1, week2).as_tuples() == []


def test_diff_has_no_safeguards_and_archives_staff_too() -> None:
    """Everyone leaving, another school, another year: diff reports it, it blocks nothing."""
    school1 = ek.School(brin="99ZX", school_year="2025-2026")
    school2 = ek.School(brin="98AB", school_year="2026-2027")
    staff = [ek.Staff(key=f"m{n}") for n in range(10)]
    old = ek.Roster(school=school1, students=[DAAN, SANNE], staff=staff, source="old")
    new = ek.Roster(school=school2, students=[], staff=[], source="new")

    changeset = ek.diff(old, new)

    assert not changeset.is_blocked
    assert 2 == changeset.summary()["student"]["archive"]
    assert 10 == changeset.summary()["staff"]["archive"]
    assert changeset.school == school2


def test_diff_compares_only_the_fields_both_provide() -> None:
    """Week 1 had no e-mail column, week 2 has one: that is no change of every pupil."""
    week1 = _week("week1.csv", DAAN, provides={"student": ["last_name", "homeroom"]})
    week2 = _week("week2.csv", DAAN.evolve(email="daan@school.nl"))

    assert ek.diff(week1, week2).as_tuples() == []


def test_duplicate_keys_are_an_issue_not_a_block() -> None:
    week2 = _week("week2.csv", DAAN, DAAN.evolve(last_name="Anders"))

    changeset = ek.diff(_week("week1.csv", DAAN), week2)

    assert not changeset.is_blocked
    assert [("duplicate-key", "error")] == [(i.code, i.severity) for i in changeset.issues]
    assert changeset.as_tuples() == []


def test_diff_matches_by_username_when_asked() -> None:
    old = _week("a", ek.Student(key="1", username="daan.berg", last_name="Berg"))
    new = _week("b", ek.Student(key="9", username="Daan.Berg", last_name="Berg"))

    changeset = ek.diff(old, new, identity={"student": "username"})

    [update] = changeset.of("student", "update")
    assert isinstance(update, ek.Update)
    assert update.new_values == {"key": "9", "username": "Daan.Berg"}


def test_diff_restores_a_record_archived_in_the_old_roster() -> None:
    old = _week("a", DAAN.evolve(archived=True))

    assert ek.diff(old, _week("b", DAAN)).as_tuples() == [("restore", "student", "00123")]


def test_diff_of_a_roster_with_itself_is_empty() -> None:
    week = _week("a", DAAN, SANNE)
    assert ek.diff(week, week).is_empty
