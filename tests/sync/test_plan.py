"""plan(): matching, add/update/restore/archive, scope, ownership, filters and ordering."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import attrs

import edukoppel as ek

SOURCE = "las"


def _stored(*records: Any, school: ek.School | None = None) -> ek.Roster:
    """A store snapshot holding the records, each of the given kinds (all kinds provided)."""
    by_kind: dict[str, list[Any]] = {
        "locations": [],
        "groups": [],
        "students": [],
        "staff": [],
        "guardians": [],
    }
    for record in records:
        name = "staff" if record.entity == "staff" else f"{record.entity}s"
        by_kind[name].append(record)
    return ek.Roster(school=school, source="store", **by_kind)


def _own(record: Any, **changes: Any) -> Any:
    """A stored record created by this test's source."""
    return attrs.evolve(record, origin=SOURCE, **changes)


def _incoming(**kwargs: Any) -> ek.Roster:
    kwargs.setdefault("source", SOURCE)
    return ek.Roster(**kwargs)


def _codes(issues: Iterable[ek.Issue]) -> list[tuple[str, str | None, str | None]]:
    return [(issue.code, issue.entity, issue.key) for issue in issues]


# Archiving 1 of a handful of pupils is over 10% but under the floor of 5: a warning issue.
_UNDER_FLOOR = ("archive-share-under-floor", "student", None)


DAAN = ek.Student(
    key="00123",
    username="daan.berg",
    email="daan.berg@school.nl",
    first_name="Daan",
    last_name="Berg",
    location="99ZX10",
    year="1",
)
SANNE = ek.Student(
    key="00124",
    username="sanne.jansen",
    first_name="Sanne",
    last_name="Jansen",
    location="99ZX10",
)
NOAH = ek.Student(key="00125", username="noah.bakker", last_name="Bakker", location="99ZX11")


# -- add, update, restore, archive ------------------------------------------------------------


def test_new_record_is_added() -> None:
    """An incoming record without a stored counterpart is added, record and all."""
    changeset = ek.plan(ek.Roster.empty(), _incoming(students=[DAAN]))

    assert [ek.Add(entity="student", key="00123", record=DAAN)] == list(changeset)
    assert (SOURCE, False) == (changeset.source, changeset.is_blocked)


def test_changed_record_is_updated_with_one_field_change_per_field() -> None:
    """Each differing field is one FieldChange with the stored and the incoming value."""
    current = _stored(_own(DAAN))
    changed = attrs.evolve(DAAN, last_name="Berg-Smit", email="d.berg@school.nl", year="2")

    changeset = ek.plan(current, _incoming(students=[changed]))

    expected = [
        ek.Update(
            entity="student",
            key="00123",
            changes=(
                ek.FieldChange("email", "daan.berg@school.nl", "d.berg@school.nl"),
                ek.FieldChange("last_name", "Berg", "Berg-Smit"),
                ek.FieldChange("year", "1", "2"),
            ),
        )
    ]
    assert expected == list(changeset)


def test_field_cleared_by_the_source_is_an_update_to_none() -> None:
    """A provided field that the source left empty is cleared (absent column != empty value)."""
    changeset = ek.plan(_stored(_own(DAAN)), _incoming(students=[attrs.evolve(DAAN, email=None)]))

    expected = [
        ek.Update(
            entity="student",
            key="00123",
            changes=(ek.FieldChange("email", "daan.berg@school.nl", None),),
        )
    ]
    assert expected == list(changeset)


def test_same_records_give_an_empty_plan() -> None:
    """plan(x, x) is empty; the bookkeeping fields (origin) are never compared."""
    current = _stored(_own(DAAN), _own(SANNE))

    assert [] == list(ek.plan(current, _incoming(students=[DAAN, SANNE])))
    assert ek.plan(current, _incoming(students=[DAAN, SANNE])).is_empty


def test_archived_record_that_comes_back_is_restored_with_its_updates() -> None:
    """An archived record that is in the source again is restored, with its field changes."""
    current = _stored(_own(DAAN, archived=True))

    changeset = ek.plan(current, _incoming(students=[attrs.evolve(DAAN, year="2")]))

    expected = [
        ek.Restore(entity="student", key="00123", changes=(ek.FieldChange("year", "1", "2"),))
    ]
    assert expected == list(changeset)


def test_archived_record_that_comes_back_unchanged_is_restored() -> None:
    """A restore without field changes is still a restore."""
    changeset = ek.plan(_stored(_own(DAAN, archived=True)), _incoming(students=[DAAN]))

    assert [ek.Restore(entity="student", key="00123", changes=())] == list(changeset)


def test_restore_not_allowed_leaves_the_archived_record_alone() -> None:
    """Without the restore action, an archived record is neither restored nor added again."""
    policy = ek.SyncPolicy(actions={"student": ["add", "update", "archive"]})

    changeset = ek.plan(
        _stored(_own(DAAN, archived=True)), _incoming(students=[DAAN]), policy=policy
    )

    assert [] == list(changeset)


def test_absent_record_is_archived() -> None:
    """A stored record of this source that the source no longer lists is archived."""
    changeset = ek.plan(_stored(_own(DAAN), _own(SANNE)), _incoming(students=[DAAN]))

    assert [ek.Archive(entity="student", key="00124")] == list(changeset)


def test_archived_record_is_not_archived_again() -> None:
    """A record that is already archived stays archived without a change."""
    changeset = ek.plan(_stored(_own(DAAN), _own(SANNE, archived=True)), _incoming(students=[DAAN]))

    assert [] == list(changeset)


def test_plan_carries_the_fingerprint_of_its_base() -> None:
    """The changeset remembers the state it was planned against."""
    current = _stored(_own(DAAN))

    assert current.fingerprint == ek.plan(current, _incoming(students=[DAAN])).base


# -- scope ------------------------------------------------------------------------------------


def test_file_for_one_location_never_archives_pupils_of_another() -> None:
    """A file for 99ZX10 archives absent pupils of 99ZX10 only, never those of 99ZX11."""
    current = _stored(_own(DAAN), _own(SANNE), _own(NOAH))
    incoming = _incoming(students=[DAAN], scope=ek.Scope(locations={"99ZX10"}))

    assert [("archive", "student", "00124")] == ek.plan(current, incoming).as_tuples()


def test_guardians_of_pupils_at_another_location_are_out_of_scope() -> None:
    """With a location scope, only guardians whose pupils are all in scope may be archived."""
    ouder_a = ek.Guardian(key="v1", last_name="Berg", students=["00123"])
    ouder_b = ek.Guardian(key="v2", last_name="Bakker", students=["00125"])
    ouder_c = ek.Guardian(key="v3", last_name="Berg", students=["00123"])
    current = _stored(_own(DAAN), _own(NOAH), _own(ouder_a), _own(ouder_b))
    incoming = _incoming(students=[DAAN], guardians=[ouder_c], scope=ek.Scope(locations={"99ZX10"}))

    expected = [("add", "guardian", "v3"), ("archive", "guardian", "v1")]
    assert expected == ek.plan(current, incoming).as_tuples()


def test_staff_working_elsewhere_too_are_out_of_a_location_scope() -> None:
    """A file for 99ZX10 archives only staff who work at 99ZX10 alone."""
    policy = ek.SyncPolicy(actions={"staff": ["add", "update", "archive", "restore"]})
    current = _stored(
        _own(ek.Staff(key="m1", locations=["99ZX10"])),
        _own(ek.Staff(key="m2", locations=["99ZX10", "99ZX11"])),
        _own(ek.Staff(key="m3")),
        _own(ek.Staff(key="m4", locations=["99ZX10"])),
    )
    incoming = _incoming(
        staff=[ek.Staff(key="m4", locations=["99ZX10"])], scope=ek.Scope(locations={"99ZX10"})
    )

    assert [("archive", "staff", "m1")] == ek.plan(current, incoming, policy=policy).as_tuples()


def test_pupils_only_file_never_touches_staff_groups_or_guardians() -> None:
    """Kinds the source does not provide are out of scope: nothing of theirs changes."""
    current = _stored(
        _own(ek.Location(key="99ZX10")),
        _own(ek.Group(key="1HA")),
        _own(DAAN),
        _own(ek.Staff(key="m1", groups=["1HA"])),
        _own(ek.Guardian(key="v1", students=["00123"])),
    )
    incoming = _incoming(students=[DAAN, SANNE])

    assert [("add", "student", "00124")] == ek.plan(current, incoming).as_tuples()


def test_groups_of_another_school_year_are_out_of_scope() -> None:
    """A source for 2025-2026 archives absent groups of that year, not last year's groups."""
    current = _stored(
        _own(ek.Group(key="1HA-24", school_year="2024-2025")),
        _own(ek.Group(key="1HA", school_year="2025-2026")),
        _own(ek.Group(key="1HB", school_year="2025-2026")),
        _own(ek.Group(key="extra")),
    )
    incoming = _incoming(
        school=ek.School(brin="99ZX", school_year="2025-2026"),
        groups=[ek.Group(key="1HA", school_year="2025-2026")],
    )

    changeset = ek.plan(current, incoming)

    expected = [("archive", "group", "1HB"), ("archive", "group", "extra")]
    assert expected == changeset.as_tuples()


# -- sparse fields and field ownership --------------------------------------------------------


def test_field_not_provided_is_never_cleared() -> None:
    """A source without an e-mail column never clears the stored e-mail address."""
    incoming = _incoming(
        students=[attrs.evolve(DAAN, email=None)],
        provides={"student": ["first_name", "last_name", "username", "location", "year"]},
    )

    assert [] == list(ek.plan(_stored(_own(DAAN)), incoming))


def test_field_not_provided_is_never_changed() -> None:
    """A value in a field the source does not provide is not compared at all."""
    incoming = _incoming(
        students=[attrs.evolve(DAAN, email="other@school.nl", last_name="Berg-Smit")],
        provides={"student": ["last_name"]},
    )

    changeset = ek.plan(_stored(_own(DAAN)), incoming)

    expected = [
        ek.Update(
            entity="student",
            key="00123",
            changes=(ek.FieldChange("last_name", "Berg", "Berg-Smit"),),
        )
    ]
    assert expected == list(changeset)


def test_host_owned_field_is_set_on_add_but_never_changed() -> None:
    """A host-owned field is part of a new record, but an update never touches it."""
    policy = ek.SyncPolicy(fields={"student": {"email": "host"}})
    current = _stored(_own(DAAN), _own(SANNE))
    incoming = _incoming(
        students=[
            attrs.evolve(DAAN, email="new@school.nl", year="2"),
            attrs.evolve(SANNE, email="sanne@school.nl"),
            attrs.evolve(NOAH, email="noah@school.nl"),
        ]
    )

    changeset = ek.plan(current, incoming, policy=policy)

    expected_update = ek.Update(
        entity="student", key="00123", changes=(ek.FieldChange("year", "1", "2"),)
    )
    [add] = changeset.of("student", "add")
    assert [expected_update] == changeset.of("student", "update")
    assert "noah@school.nl" == add.record.email  # type: ignore[union-attr]
    assert [("update", "student", "00123"), ("add", "student", "00125")] == changeset.as_tuples()


def test_fill_if_empty_sets_only_empty_fields() -> None:
    """A fill-if-empty field is set where the store has no value, and left alone otherwise."""
    policy = ek.SyncPolicy(
        fields={"student": {"email": "fill-if-empty", "groups": "fill-if-empty"}}
    )
    current = _stored(_own(DAAN), _own(SANNE))
    incoming = _incoming(
        students=[
            attrs.evolve(DAAN, email="new@school.nl"),
            attrs.evolve(SANNE, email="sanne@school.nl", groups=["1HA.wi"]),
        ]
    )

    changeset = ek.plan(current, incoming, policy=policy)

    expected = [
        ek.Update(
            entity="student",
            key="00124",
            changes=(
                ek.FieldChange("email", None, "sanne@school.nl"),
                ek.FieldChange("groups", (), ("1HA.wi",)),
            ),
        )
    ]
    assert expected == list(changeset)


def test_fill_if_empty_never_clears() -> None:
    """An empty incoming value never clears a fill-if-empty field."""
    policy = ek.SyncPolicy(fields={"student": {"email": "fill-if-empty"}})

    changeset = ek.plan(
        _stored(_own(DAAN)), _incoming(students=[attrs.evolve(DAAN, email=None)]), policy=policy
    )

    assert [] == list(changeset)


# -- identity ---------------------------------------------------------------------------------


def test_match_by_username_reports_a_key_change() -> None:
    """Matched on username (Numo), a new key is a FieldChange of 'key' on the stored key."""
    policy = ek.SyncPolicy(identity={"student": "username"})
    incoming = _incoming(students=[attrs.evolve(DAAN, key="uuid-1", year="2")])

    changeset = ek.plan(_stored(_own(DAAN)), incoming, policy=policy)

    expected = [
        ek.Update(
            entity="student",
            key="00123",
            changes=(ek.FieldChange("key", "00123", "uuid-1"), ek.FieldChange("year", "1", "2")),
        )
    ]
    assert expected == list(changeset)


def test_match_by_username_ignores_case() -> None:
    """Usernames that differ only in case are the same account: no add, no archive."""
    policy = ek.SyncPolicy(identity={"student": "username"})
    incoming = _incoming(students=[attrs.evolve(DAAN, key="uuid-1", username="Daan.Berg")])

    changeset = ek.plan(_stored(_own(DAAN)), incoming, policy=policy)

    assert [("update", "student", "00123")] == changeset.as_tuples()
    [update] = changeset.of("student", "update")
    assert ek.FieldChange("key", "00123", "uuid-1") in update.changes  # type: ignore[union-attr]
    assert [] == list(changeset.issues)


def test_match_by_username_same_key_unchanged_is_empty() -> None:
    """With username identity, an unchanged record gives no change."""
    policy = ek.SyncPolicy(identity={"student": "username"})

    assert [] == list(ek.plan(_stored(_own(DAAN)), _incoming(students=[DAAN]), policy=policy))


def test_match_by_email() -> None:
    """Matched on e-mail (compared lower-cased), a new key is a key change, not add + archive."""
    policy = ek.SyncPolicy(identity={"staff": "email"})
    stored = ek.Staff(key="m1", email="j.jansen@school.nl", abbreviation="JNS")
    incoming = _incoming(
        staff=[ek.Staff(key="uuid-9", email="J.Jansen@School.nl", abbreviation="JNS")]
    )

    changeset = ek.plan(_stored(_own(stored)), incoming, policy=policy)

    expected = [
        ek.Update(entity="staff", key="m1", changes=(ek.FieldChange("key", "m1", "uuid-9"),))
    ]
    assert expected == list(changeset)


def test_match_by_eckid() -> None:
    """Matched on ECK iD, a changed key is a key change."""
    policy = ek.SyncPolicy(identity={"student": "eckid"})
    stored = attrs.evolve(DAAN, eckid="https://ketenid.nl/201703/abc")
    incoming = _incoming(students=[attrs.evolve(stored, key="uuid-1")])

    changeset = ek.plan(_stored(_own(stored)), incoming, policy=policy)

    assert [("update", "student", "00123")] == changeset.as_tuples()


def test_two_incoming_records_with_one_username_are_a_conflict() -> None:
    """Two incoming records sharing a username: ambiguous-match, neither added nor archived."""
    policy = ek.SyncPolicy(identity={"student": "username"})
    twin = ek.Student(key="00999", username="DAAN.BERG", last_name="Berg")
    incoming = _incoming(students=[attrs.evolve(DAAN, year="2"), twin, SANNE])

    changeset = ek.plan(_stored(_own(DAAN), _own(NOAH)), incoming, policy=policy)

    assert [("add", "student", "00124"), ("archive", "student", "00125")] == changeset.as_tuples()
    [issue] = [issue for issue in changeset.issues if issue.code != "archive-share-under-floor"]
    assert ("ambiguous-match", "student", "00123", "error") == (
        issue.code,
        issue.entity,
        issue.key,
        issue.severity,
    )
    assert "2 incoming and 1 stored" in issue.message


def test_two_stored_records_with_one_username_are_a_conflict() -> None:
    """Two stored records sharing a username: neither archived, the incoming one not added."""
    policy = ek.SyncPolicy(identity={"student": "username"})
    twin = ek.Student(key="00999", username="daan.berg", last_name="Berg")
    incoming = _incoming(students=[attrs.evolve(DAAN, key="uuid-1")])

    changeset = ek.plan(_stored(_own(DAAN), _own(twin)), incoming, policy=policy)

    assert [] == changeset.as_tuples()
    assert [("ambiguous-match", "student", "uuid-1")] == _codes(changeset.issues)


def test_incoming_record_without_username_is_a_conflict_and_not_added() -> None:
    """A record with nothing to match on is reported, not guessed."""
    policy = ek.SyncPolicy(identity={"student": "username"})

    changeset = ek.plan(
        ek.Roster.empty(), _incoming(students=[ek.Student(key="00126")]), policy=policy
    )

    assert [] == changeset.as_tuples()
    [issue] = changeset.issues
    assert ("ambiguous-match", "00126") == (issue.code, issue.key)
    assert "no username" in issue.message


def test_stored_record_without_username_is_never_archived_by_username_sync() -> None:
    """A stored record without a username cannot be matched, so it is not known to have left."""
    policy = ek.SyncPolicy(identity={"student": "username"})
    nameless = ek.Student(key="00126", last_name="Visser")

    changeset = ek.plan(
        _stored(_own(DAAN), _own(nameless)), _incoming(students=[DAAN]), policy=policy
    )

    assert [] == changeset.as_tuples()


def test_duplicate_stored_keys_are_a_conflict() -> None:
    """A store snapshot holding a key twice: that key is neither updated nor archived."""
    current = _stored(_own(DAAN), _own(DAAN, last_name="Anders"), _own(SANNE))

    changeset = ek.plan(current, _incoming(students=[attrs.evolve(DAAN, year="3")]))

    assert [("archive", "student", "00124")] == changeset.as_tuples()
    assert [("ambiguous-match", "student", "00123"), _UNDER_FLOOR] == _codes(changeset.issues)


# -- actions per kind -------------------------------------------------------------------------


def test_add_only_first_import_archives_and_updates_nothing() -> None:
    """Numo's first import ticks only 'add': new accounts come in, nothing else changes."""
    policy = ek.SyncPolicy(actions={"student": ["add"]})
    current = _stored(_own(DAAN), _own(SANNE))
    incoming = _incoming(students=[attrs.evolve(DAAN, year="2"), NOAH])

    changeset = ek.plan(current, incoming, policy=policy)

    assert [("add", "student", "00125")] == changeset.as_tuples()


def test_update_only_adds_and_archives_nothing() -> None:
    """With only 'update', known records are updated and nobody comes or goes."""
    policy = ek.SyncPolicy(actions={"student": ["update"]})
    current = _stored(_own(DAAN), _own(SANNE))
    incoming = _incoming(students=[attrs.evolve(DAAN, year="2"), NOAH])

    assert [("update", "student", "00123")] == ek.plan(current, incoming, policy=policy).as_tuples()


def test_actions_of_one_kind_leave_the_defaults_of_others() -> None:
    """Restricting students does not restrict groups."""
    policy = ek.SyncPolicy(actions={"student": ["add"]})
    current = _stored(_own(ek.Group(key="1HA")), _own(ek.Group(key="1HB")), _own(DAAN))
    incoming = _incoming(groups=[ek.Group(key="1HA")], students=[DAAN])

    assert [("archive", "group", "1HB")] == ek.plan(current, incoming, policy=policy).as_tuples()


def test_staff_are_not_archived_by_default() -> None:
    """Teachers are never archived automatically (Numo)."""
    current = _stored(_own(ek.Staff(key="m1")), _own(ek.Staff(key="m2")))

    assert [] == ek.plan(current, _incoming(staff=[ek.Staff(key="m1")])).as_tuples()


def test_staff_are_archived_when_the_policy_allows() -> None:
    """A policy that allows archiving staff archives absent staff."""
    policy = ek.SyncPolicy(actions={"staff": ["add", "update", "archive", "restore"]})
    current = _stored(_own(ek.Staff(key="m1")), _own(ek.Staff(key="m2")))

    changeset = ek.plan(current, _incoming(staff=[ek.Staff(key="m1")]), policy=policy)

    assert [("archive", "staff", "m2")] == changeset.as_tuples()


# -- records of another origin ----------------------------------------------------------------


def test_hand_made_records_survive_every_sync() -> None:
    """Records created by hand (origin 'manual' or None) are neither updated nor archived."""
    manual = ek.Student(key="00200", last_name="Visser", origin="manual")
    host = ek.Student(key="00201", last_name="Smit", origin=None)
    other = ek.Student(key="00202", last_name="Mulder", origin="somtoday")
    current = _stored(_own(DAAN), manual, host, other)

    changeset = ek.plan(current, _incoming(students=[DAAN]))

    assert [] == changeset.as_tuples()
    assert [] == list(changeset.issues)


def test_matched_hand_made_record_is_left_unchanged_with_a_warning() -> None:
    """A hand-made record the source also lists is not updated; an owned-by-other-source warning."""
    manual = ek.Student(key="00200", last_name="Visser", origin="manual")
    host = ek.Student(key="00201", last_name="Smit", origin=None)
    incoming = _incoming(
        students=[
            attrs.evolve(manual, last_name="Visser-Smit", origin=None),
            attrs.evolve(host, last_name="de Smit"),
        ]
    )

    changeset = ek.plan(_stored(manual, host), incoming)

    assert [] == changeset.as_tuples()
    expected = [
        ("owned-by-other-source", "student", "00200"),
        ("owned-by-other-source", "student", "00201"),
    ]
    assert expected == _codes(changeset.issues)
    assert {"warning"} == {issue.severity for issue in changeset.issues}
    assert "'manual'" in changeset.issues[0].message
    assert "the host application" in changeset.issues[1].message


def test_hand_made_archived_record_is_not_restored() -> None:
    """An archived hand-made record is not the sync's to restore."""
    manual = ek.Student(key="00200", last_name="Visser", origin="manual", archived=True)

    changeset = ek.plan(_stored(manual), _incoming(students=[attrs.evolve(manual, archived=False)]))

    assert [] == changeset.as_tuples()
    assert [("owned-by-other-source", "student", "00200")] == _codes(changeset.issues)


def test_claims_take_over_hand_made_records() -> None:
    """With claims={'manual'}, the sync updates and archives records created by hand."""
    policy = ek.SyncPolicy(claims={"manual"})
    visser = ek.Student(key="00200", last_name="Visser", origin="manual")
    smit = ek.Student(key="00201", last_name="Smit", origin="manual")
    incoming = _incoming(students=[attrs.evolve(visser, last_name="Visser-Smit", origin=None)])

    changeset = ek.plan(_stored(visser, smit), incoming, policy=policy)

    assert [("update", "student", "00200"), ("archive", "student", "00201")] == (
        changeset.as_tuples()
    )
    assert [_UNDER_FLOOR] == _codes(changeset.issues)


def test_claim_everything() -> None:
    """claims={'*'} takes over records of every origin, including those without one."""
    policy = ek.SyncPolicy(claims={"*"})
    current = _stored(ek.Student(key="00200", origin=None), ek.Student(key="00201", origin="x"))

    changeset = ek.plan(current, _incoming(students=[ek.Student(key="00202")]), policy=policy)

    expected = [
        ("add", "student", "00202"),
        ("archive", "student", "00200"),
        ("archive", "student", "00201"),
    ]
    assert expected == changeset.as_tuples()


# -- the policy's filters ---------------------------------------------------------------------


def test_active_on_leaves_out_ended_registrations_and_archives_them() -> None:
    """Pupils whose end_date has passed are left out, so the stored ones are archived."""
    policy = ek.SyncPolicy(active_on=dt.date(2025, 9, 1))
    left = attrs.evolve(SANNE, end_date="31-07-2025")
    future = attrs.evolve(NOAH, start_date="01-10-2025")
    today = attrs.evolve(DAAN, start_date="2025-09-01", end_date="2025-09-01")
    current = _stored(_own(DAAN, start_date="2025-09-01", end_date="2025-09-01"), _own(SANNE))

    changeset = ek.plan(current, _incoming(students=[today, left, future]), policy=policy)

    assert [("archive", "student", "00124")] == changeset.as_tuples()
    [issue] = changeset.issues[1:]
    assert _UNDER_FLOOR == _codes(changeset.issues)[0]
    assert ("left-out-by-policy", "student", "info") == (issue.code, issue.entity, issue.severity)
    assert "2 students left out: not active on 2025-09-01" == issue.message


def test_active_on_applies_to_staff() -> None:
    """Staff whose employment has ended are not added."""
    policy = ek.SyncPolicy(active_on=dt.date(2025, 9, 1))
    incoming = _incoming(
        staff=[ek.Staff(key="m1", end_date="2025-08-31"), ek.Staff(key="m2", end_date=None)]
    )

    assert [("add", "staff", "m2")] == ek.plan(
        ek.Roster.empty(), incoming, policy=policy
    ).as_tuples()


def test_active_on_ignores_sources_without_dates() -> None:
    """A source that provides no start or end dates is not filtered on them."""
    policy = ek.SyncPolicy(active_on=dt.date(2025, 9, 1))
    incoming = _incoming(
        students=[attrs.evolve(SANNE, end_date="2020-01-01")], provides={"student": ["last_name"]}
    )

    changeset = ek.plan(ek.Roster.empty(), incoming, policy=policy)

    assert [("add", "student", "00124")] == changeset.as_tuples()


def test_disabled_locations_are_left_out_and_their_stored_records_kept() -> None:
    """policy.locations: pupils elsewhere are not added; stored pupils elsewhere not archived."""
    policy = ek.SyncPolicy(locations={"99ZX10"})
    elsewhere = ek.Student(key="00300", location="99ZX11")
    current = _stored(_own(DAAN), _own(SANNE), _own(NOAH))
    incoming = _incoming(students=[DAAN, elsewhere])

    changeset = ek.plan(current, incoming, policy=policy)

    assert [("archive", "student", "00124")] == changeset.as_tuples()
    assert [_UNDER_FLOOR, ("left-out-by-policy", "student", None)] == _codes(changeset.issues)
    assert "at a location that is not enabled" in changeset.issues[1].message


def test_disabled_locations_filter_locations_and_groups() -> None:
    """Only enabled vestigingen, and the groups there, are synced."""
    policy = ek.SyncPolicy(locations={"99ZX10"})
    incoming = _incoming(
        locations=[ek.Location(key="99ZX10"), ek.Location(key="99ZX11")],
        groups=[ek.Group(key="1HA", location="99ZX10"), ek.Group(key="1HB", location="99ZX11")],
    )

    changeset = ek.plan(ek.Roster.empty(), incoming, policy=policy)

    assert [("add", "location", "99ZX10"), ("add", "group", "1HA")] == changeset.as_tuples()


def test_staff_requires_link_leaves_out_unlinked_staff() -> None:
    """Staff not linked to a group or a pupil are not synced (Zien!)."""
    policy = ek.SyncPolicy(staff_requires_link=True)
    incoming = _incoming(
        staff=[
            ek.Staff(key="m1", groups=[("1HA", "mentor")]),
            ek.Staff(key="m2", mentees=["00123"]),
            ek.Staff(key="m3", roles=["conciërge"]),
        ]
    )

    changeset = ek.plan(ek.Roster.empty(), incoming, policy=policy)

    assert [("add", "staff", "m1"), ("add", "staff", "m2")] == changeset.as_tuples()
    assert ["1 staff member left out: not linked to a group or a student"] == [
        issue.message for issue in changeset.issues
    ]


def test_guardians_of_left_out_pupils_are_left_out() -> None:
    """When the policy leaves pupils out, guardians linked only to them are left out too."""
    policy = ek.SyncPolicy(active_on=dt.date(2025, 9, 1))
    left = attrs.evolve(SANNE, end_date="2025-07-31")
    incoming = _incoming(
        students=[DAAN, left],
        guardians=[
            ek.Guardian(key="v1", students=["00123"]),
            ek.Guardian(key="v2", students=["00124"]),
            ek.Guardian(key="v3", students=["00123", "00124"]),
        ],
    )

    changeset = ek.plan(ek.Roster.empty(), incoming, policy=policy)

    expected = [
        ("add", "student", "00123"),
        ("add", "guardian", "v1"),
        ("add", "guardian", "v3"),
    ]
    assert expected == changeset.as_tuples()
    assert ["1 guardian left out: all their children were left out"] == [
        issue.message for issue in changeset.issues if issue.entity == "guardian"
    ]


# -- order and determinism --------------------------------------------------------------------


def _everything() -> tuple[ek.Roster, list[Any]]:
    current = _stored(
        _own(ek.Location(key="99ZX10", name="Oud")),
        _own(ek.Location(key="99ZX12")),
        _own(ek.Group(key="1HA", name="oud")),
        _own(ek.Group(key="1HZ")),
        _own(attrs.evolve(DAAN, year="0")),
        _own(ek.Student(key="00100")),
        _own(ek.Staff(key="m5", abbreviation="OUD")),
        _own(ek.Staff(key="m9")),
        _own(ek.Guardian(key="v5", last_name="Oud")),
        _own(ek.Guardian(key="v9")),
    )
    incoming_records = [
        ek.Guardian(key="v5", last_name="Nieuw"),
        ek.Guardian(key="v1"),
        ek.Staff(key="m5", abbreviation="NEW"),
        ek.Staff(key="m1"),
        SANNE,
        DAAN,
        ek.Group(key="1HA", name="nieuw"),
        ek.Group(key="1HB"),
        ek.Location(key="99ZX11"),
        ek.Location(key="99ZX10", name="Nieuw"),
    ]
    return current, incoming_records


def _roster_of(records: list[Any]) -> ek.Roster:
    kinds: dict[str, list[Any]] = {}
    for record in records:
        name = "staff" if record.entity == "staff" else f"{record.entity}s"
        kinds.setdefault(name, []).append(record)
    return _incoming(**kinds)


def test_changes_are_ordered_by_kind_then_key_with_archives_last_in_reverse() -> None:
    """Adds/updates go locations, groups, students, staff, guardians; archives after, reversed."""
    policy = ek.SyncPolicy(actions={"staff": ["add", "update", "archive", "restore"]})
    current, records = _everything()

    changeset = ek.plan(current, _roster_of(records), policy=policy)

    expected = [
        ("update", "location", "99ZX10"),
        ("add", "location", "99ZX11"),
        ("update", "group", "1HA"),
        ("add", "group", "1HB"),
        ("update", "student", "00123"),
        ("add", "student", "00124"),
        ("add", "staff", "m1"),
        ("update", "staff", "m5"),
        ("add", "guardian", "v1"),
        ("update", "guardian", "v5"),
        ("archive", "guardian", "v9"),
        ("archive", "staff", "m9"),
        ("archive", "student", "00100"),
        ("archive", "group", "1HZ"),
        ("archive", "location", "99ZX12"),
    ]
    assert expected == changeset.as_tuples()


def test_plan_does_not_depend_on_input_order() -> None:
    """The same records in any order give an equal changeset."""
    current, records = _everything()
    reordered_current = _stored(
        *reversed([r for kind in current.counts for r in current.records(kind)])
    )

    first = ek.plan(current, _roster_of(records))
    second = ek.plan(reordered_current, _roster_of(list(reversed(records))))

    assert first == second


def test_plan_is_repeatable() -> None:
    """Planning twice gives equal changesets."""
    current, records = _everything()

    assert ek.plan(current, _roster_of(records)) == ek.plan(current, _roster_of(records))


# -- the school record ------------------------------------------------------------------------


def test_incoming_school_replaces_a_different_stored_school() -> None:
    """When the source's school record differs, the changeset carries the new one."""
    stored_school = ek.School(brin="99ZX", name="Oude naam", school_year="2025-2026")
    new_school = ek.School(brin="99ZX", name="Nieuwe naam", school_year="2025-2026")
    current = _stored(_own(DAAN), school=stored_school)

    changeset = ek.plan(current, _incoming(school=new_school, students=[DAAN]))

    assert new_school == changeset.school
    assert not changeset.is_empty
    assert not changeset.is_blocked


def test_same_school_is_no_change() -> None:
    """An equal school record is not a change."""
    school = ek.School(brin="99ZX", school_year="2025-2026")
    current = _stored(_own(DAAN), school=school)

    changeset = ek.plan(current, _incoming(school=school, students=[DAAN]))

    assert changeset.school is None
    assert changeset.is_empty


def test_school_is_set_on_an_empty_store() -> None:
    """The first sync sets the school."""
    school = ek.School(brin="99ZX", school_year="2025-2026")

    assert school == ek.plan(ek.Roster.empty(), _incoming(school=school, students=[])).school


def test_source_without_school_keeps_the_stored_school() -> None:
    """A roster that says nothing about the school does not clear it."""
    current = _stored(_own(DAAN), school=ek.School(brin="99ZX"))

    assert ek.plan(current, _incoming(students=[DAAN])).school is None


# -- found by an independent check of section 4 (issue 7) ---------------------------------------


def test_active_on_never_reads_a_date_the_source_does_not_provide() -> None:
    """Only start_date is provided: the (unprovided) end_date in the past must not drop him."""
    incoming = ek.Roster(
        students=[
            ek.Student(key="1", start_date=dt.date(2025, 8, 1), end_date=dt.date(2025, 9, 1))
        ],
        provides={"student": ["start_date"]},
        source="las",
    )
    policy = ek.SyncPolicy(active_on=dt.date(2025, 10, 1))

    changeset = ek.plan(ek.Roster(source="store"), incoming, policy=policy)

    assert [("add", "student", "1")] == changeset.as_tuples()


def test_active_on_with_only_an_end_date_provided_tests_only_the_end_date() -> None:
    incoming = ek.Roster(
        students=[
            ek.Student(key="1", start_date=dt.date(2026, 1, 1), end_date=dt.date(2025, 9, 1)),
            ek.Student(key="2", start_date=dt.date(2026, 1, 1)),
        ],
        provides={"student": ["end_date"]},
        source="las",
    )
    policy = ek.SyncPolicy(active_on=dt.date(2025, 10, 1))

    changeset = ek.plan(ek.Roster(source="store"), incoming, policy=policy)

    assert [("add", "student", "2")] == changeset.as_tuples()


def test_an_added_record_holds_only_what_the_source_provides() -> None:
    """The independent check's scenario: adding 00004 with an unprovided location made the
    next plan archive guardian v5 and block as empty-source."""
    store = ek.MemoryStore(
        ek.Roster(
            students=[],
            guardians=[ek.Guardian(key="v5", students=["00004"], origin="las")],
            source="store",
        )
    )
    incoming = ek.Roster(
        students=[ek.Student(key="00004", first_name="Fleur", location="99ZX12")],
        guardians=[],
        provides={"student": ["first_name"], "guardian": ["last_name"]},
        source="las",
    )
    policy = ek.SyncPolicy(locations={"99ZX12"})

    first = ek.plan(store.snapshot(), incoming, policy=policy)
    [add] = first.of("student", "add")
    assert isinstance(add, ek.Add)
    assert (add.record.first_name, add.record.location) == ("Fleur", None)
    ek.apply(first, store, acknowledge=[reason.code for reason in first.blocked])

    again = ek.plan(store.snapshot(), incoming, policy=policy)
    assert again.is_empty
    assert not again.is_blocked


def test_staff_requires_link_looks_only_at_provided_links() -> None:
    """A staff export without group or mentee columns does not drop every teacher."""
    policy = ek.SyncPolicy(staff_requires_link=True)
    incoming = _incoming(
        staff=[ek.Staff(key="m1", last_name="Brink"), ek.Staff(key="m2", mentees=["00123"])],
        provides={"staff": ["last_name"]},
    )

    changeset = ek.plan(ek.Roster.empty(), incoming, policy=policy)

    assert [("add", "staff", "m1"), ("add", "staff", "m2")] == changeset.as_tuples()


def test_matching_on_an_identity_the_source_does_not_provide_plans_nothing_for_the_kind() -> None:
    """identity=username with no username column: no guessing on unknowns, no mass archive."""
    policy = ek.SyncPolicy(identity={"student": "username"})
    current = _stored(_own(DAAN), _own(SANNE))
    incoming = _incoming(
        students=[ek.Student(key="00999", username="daan.berg", last_name="Berg")],
        provides={"student": ["last_name"]},
    )

    changeset = ek.plan(current, incoming, policy=policy)

    assert [] == changeset.as_tuples()
    [issue] = changeset.issues
    assert ("identity-not-provided", "error", "student") == (
        issue.code,
        issue.severity,
        issue.entity,
    )
    assert "matches them by username, but the source does not provide it" in issue.message
