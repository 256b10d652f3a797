"""Safeguards: suspicious plans are blocked with reasons a school administrator can act on."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

import edukoppel as ek

SOURCE = "las"


def _pupils(count: int, *, start: int = 0, **fields: Any) -> list[ek.Student]:
    return [ek.Student(key=f"{n:05d}", **fields) for n in range(start, start + count)]


def _stored(
    students: list[ek.Student] | None = None,
    *,
    school: ek.School | None = None,
    **kinds: Any,
) -> ek.Roster:
    own = [attrs.evolve(record, origin=SOURCE) for record in students or []]
    return ek.Roster(school=school, students=own, source="store", **kinds)


def _incoming(**kwargs: Any) -> ek.Roster:
    kwargs.setdefault("source", SOURCE)
    return ek.Roster(**kwargs)


def _codes(changeset: ek.Changeset) -> list[str]:
    return [reason.code for reason in changeset.blocked]


# -- archive share ----------------------------------------------------------------------------


@pytest.mark.parametrize(("active", "kept"), [(6, 1), (20, 15), (1000, 995)])
def test_five_archives_never_block(active: int, kept: int) -> None:
    """Up to the floor of 5 archives, a plan is never blocked, however small the school."""
    changeset = ek.plan(_stored(_pupils(active)), _incoming(students=_pupils(kept)))

    assert 5 == len(changeset.of("student", "archive"))
    assert [] == _codes(changeset)


def test_six_archives_of_twenty_block_with_a_readable_reason() -> None:
    """6 of 20 active pupils (30%) is above 10% and above the floor: blocked."""
    changeset = ek.plan(_stored(_pupils(20)), _incoming(students=_pupils(14)))

    [reason] = changeset.blocked
    assert ("archive-share", "student") == (reason.code, reason.entity)
    assert "archive 6 of 20 active students in scope (30%)" in reason.message
    assert "limit of 10%" in reason.message
    assert "Check that the source is complete" in reason.message
    assert changeset.is_blocked


def test_six_archives_of_a_hundred_do_not_block() -> None:
    """6% is below the 10% limit."""
    changeset = ek.plan(_stored(_pupils(100)), _incoming(students=_pupils(94)))

    assert 6 == len(changeset.of("student", "archive"))
    assert [] == _codes(changeset)


def test_eleven_archives_of_a_hundred_block() -> None:
    """11% is above the 10% limit."""
    changeset = ek.plan(_stored(_pupils(100)), _incoming(students=_pupils(89)))

    assert ["archive-share"] == _codes(changeset)
    assert "11 of 100" in changeset.blocked[0].message


def test_archive_share_limit_and_floor_come_from_the_policy() -> None:
    """A stricter policy blocks what the default allows, and a looser one allows more."""
    current, incoming = _stored(_pupils(20)), _incoming(students=_pupils(17))
    strict = ek.SyncPolicy(archive_floor=0, max_archive_share=0.05)
    loose = ek.SyncPolicy(archive_floor=0, max_archive_share=0.5)

    assert ["archive-share"] == _codes(ek.plan(current, incoming, policy=strict))
    assert [] == _codes(
        ek.plan(current, ek.Roster(students=_pupils(11), source=SOURCE), policy=loose)
    )
    assert "limit of 5%" in ek.plan(current, incoming, policy=strict).blocked[0].message


def test_archive_share_counts_only_active_records_in_scope() -> None:
    """The share is of the active records the source is authoritative for, not of the store."""
    here = _pupils(20, location="99ZX10")
    there = _pupils(100, start=100, location="99ZX11")
    gone = _pupils(50, start=500, location="99ZX10", archived=True)
    incoming = _incoming(students=here[:14], scope=ek.Scope(locations={"99ZX10"}))

    changeset = ek.plan(_stored([*here, *there, *gone]), incoming)

    assert 6 == len(changeset.of("student", "archive"))
    assert "6 of 20 active students" in changeset.blocked[0].message


def test_blocked_plan_still_lists_its_changes() -> None:
    """A blocked plan can be previewed in full: the changes are there, only apply refuses."""
    changeset = ek.plan(_stored(_pupils(20)), _incoming(students=_pupils(10)))

    assert changeset.is_blocked
    assert 10 == len(changeset)


# -- school and school year -------------------------------------------------------------------


def test_school_mismatch_blocks() -> None:
    """A source for another school than the store's is blocked (Cito's confirmation step)."""
    current = _stored(_pupils(3), school=ek.School(brin="99ZX", school_year="2025-2026"))
    incoming = _incoming(
        school=ek.School(brin="98AB", school_year="2025-2026"), students=_pupils(3)
    )

    changeset = ek.plan(current, incoming)

    [reason] = changeset.blocked
    assert ("school-mismatch", None) == (reason.code, reason.entity)
    assert "for school 98AB" in reason.message
    assert "holds school 99ZX" in reason.message
    assert "right school's export" in reason.message


def test_school_year_mismatch_blocks() -> None:
    """A source for another school year than the store's must be confirmed."""
    current = _stored(_pupils(3), school=ek.School(brin="99ZX", school_year="2025-2026"))
    incoming = _incoming(
        school=ek.School(brin="99ZX", school_year="2026/2027"), students=_pupils(3)
    )

    changeset = ek.plan(current, incoming)

    [reason] = changeset.blocked
    assert "school-year-mismatch" == reason.code
    assert "school year 2026-2027" in reason.message
    assert "holds 2025-2026" in reason.message
    assert "Confirm the change of school year" in reason.message
    assert ek.School(brin="99ZX", school_year="2026-2027") == changeset.school


def test_school_and_year_mismatch_both_block() -> None:
    """Both reasons are given when both differ."""
    current = _stored(school=ek.School(brin="99ZX", school_year="2025-2026"))
    incoming = _incoming(school=ek.School(brin="98AB", school_year="2026-2027"))

    assert ["school-mismatch", "school-year-mismatch"] == _codes(ek.plan(current, incoming))


def test_missing_school_information_does_not_block() -> None:
    """Without a school on both sides there is nothing to compare."""
    with_school = ek.School(brin="99ZX", school_year="2025-2026")
    cases = [
        (_stored(_pupils(3)), _incoming(school=with_school, students=_pupils(3))),
        (_stored(_pupils(3), school=with_school), _incoming(students=_pupils(3))),
        (
            _stored(_pupils(3), school=ek.School(brin="99ZX")),
            _incoming(school=ek.School(school_year="2026-2027"), students=_pupils(3)),
        ),
    ]
    for current, incoming in cases:
        assert [] == _codes(ek.plan(current, incoming))


# -- empty source -----------------------------------------------------------------------------


def test_empty_source_blocks_when_the_store_has_active_records() -> None:
    """A kind that is provided but empty, while the store holds active ones, is blocked."""
    changeset = ek.plan(_stored(_pupils(3)), _incoming(students=[]))

    [reason] = changeset.blocked
    assert ("empty-source", "student") == (reason.code, reason.entity)
    assert "provides students but has none" in reason.message
    assert "holds 3 active students in scope" in reason.message
    assert "right file or export" in reason.message


def test_empty_source_after_the_policy_filters_blocks() -> None:
    """A source whose every record the policy leaves out is as empty as an empty file."""
    policy = ek.SyncPolicy(locations={"99ZX10"})
    current = _stored(_pupils(3, location="99ZX10"))
    incoming = _incoming(students=_pupils(3, start=10, location="99ZX11"))

    assert ["empty-source"] == _codes(ek.plan(current, incoming, policy=policy))


def test_empty_source_does_not_block_without_active_records() -> None:
    """An empty source against an empty (or all archived) store is fine."""
    assert [] == _codes(ek.plan(ek.Roster.empty(), _incoming(students=[])))
    archived = _stored(_pupils(3, archived=True))
    assert [] == _codes(ek.plan(archived, _incoming(students=[])))


def test_kind_not_provided_is_not_an_empty_source() -> None:
    """A source without a kind says nothing about it: no block, no archives."""
    changeset = ek.plan(_stored(_pupils(3)), _incoming(staff=[]))

    assert ([], []) == (_codes(changeset), changeset.as_tuples())


def test_empty_source_of_hand_made_records_does_not_block() -> None:
    """Records of another origin are not in the sync's care, so they do not count."""
    current = ek.Roster(students=_pupils(3, origin="manual"), source="store")

    assert [] == _codes(ek.plan(current, _incoming(students=[])))


# -- duplicate keys ---------------------------------------------------------------------------


def test_duplicate_keys_block_and_are_left_alone() -> None:
    """Keys given twice are named; those records are neither added, updated nor archived."""
    current = _stored([ek.Student(key="00123", last_name="Berg"), ek.Student(key="00125")])
    incoming = _incoming(
        students=[
            ek.Student(key="00123", last_name="Berg-Smit"),
            ek.Student(key="00124"),
            ek.Student(key="00123", last_name="Jansen"),
            ek.Student(key="00126"),
            ek.Student(key="00126"),
        ]
    )

    changeset = ek.plan(current, incoming)

    [reason] = changeset.blocked
    assert ("duplicate-key", "student", ("00123", "00126")) == (
        reason.code,
        reason.entity,
        reason.keys,
    )
    assert "00123 (records 1, 3); 00126 (records 4, 5)" in reason.message
    assert "left alone" in reason.message
    assert "every key is unique" in reason.message
    assert [("add", "student", "00124"), ("archive", "student", "00125")] == (changeset.as_tuples())


def test_many_duplicate_keys_are_named_up_to_ten() -> None:
    """A long list of duplicates is cut off with a count of the rest."""
    pupils = _pupils(12)

    changeset = ek.plan(ek.Roster.empty(), _incoming(students=[*pupils, *pupils]))

    [reason] = changeset.blocked
    assert 12 == len(reason.keys)
    assert "00000 (records 1, 13); 00001 (records 2, 14)" in reason.message
    assert "00009 (records 10, 22) and 2 more" in reason.message
    assert "00011" not in reason.message
    assert [] == changeset.as_tuples()


# -- update share -----------------------------------------------------------------------------


def test_update_share_is_off_by_default() -> None:
    """A new school year updates nearly every pupil; by default that is not blocked."""
    changeset = ek.plan(_stored(_pupils(20, year="1")), _incoming(students=_pupils(20, year="2")))

    assert 20 == len(changeset.of("student", "update"))
    assert [] == _codes(changeset)


def test_update_share_blocks_when_configured() -> None:
    """With max_update_share, updating more than that share of a kind is blocked."""
    policy = ek.SyncPolicy(max_update_share=0.5)
    current = _stored(_pupils(20, year="1"))
    incoming = _incoming(students=[*_pupils(11, year="2"), *_pupils(9, start=11, year="1")])

    changeset = ek.plan(current, incoming, policy=policy)

    [reason] = changeset.blocked
    assert ("update-share", "student") == (reason.code, reason.entity)
    assert "update 11 of 20 active students in scope" in reason.message
    assert "limit of 50%" in reason.message
    assert "mapped to the right fields" in reason.message


def test_update_share_under_the_limit_does_not_block() -> None:
    """Updating exactly the share allowed is fine."""
    policy = ek.SyncPolicy(max_update_share=0.5)
    current = _stored(_pupils(20, year="1"))
    incoming = _incoming(students=[*_pupils(10, year="2"), *_pupils(10, start=10, year="1")])

    assert [] == _codes(ek.plan(current, incoming, policy=policy))


# -- several reasons --------------------------------------------------------------------------


def test_reasons_of_several_safeguards_are_all_given() -> None:
    """Every safeguard that trips adds its own reason."""
    current = _stored(_pupils(20), school=ek.School(brin="99ZX"))
    incoming = _incoming(school=ek.School(brin="98AB"), students=[*_pupils(10), *_pupils(1)])

    assert ["school-mismatch", "duplicate-key", "archive-share"] == _codes(
        ek.plan(current, incoming)
    )


def test_block_reason_str_names_the_code() -> None:
    """A reason reads as its message followed by its code."""
    reason = ek.BlockReason(code="empty-source", message="The source is empty.")

    assert "The source is empty. [empty-source]" == str(reason)


# -- small schools, exact shares, duplicates (issue 7) ------------------------------------------


def test_a_small_school_losing_most_pupils_gets_a_warning_under_the_floor() -> None:
    """6 pupils, 1 in the file: 5 of 6 archived (83%) is under the floor, so not blocked, but
    the plan says so loudly instead of saying nothing."""
    changeset = ek.plan(_stored(_pupils(6)), _incoming(students=_pupils(1)))

    assert not changeset.is_blocked
    [issue] = changeset.issues
    assert ("archive-share-under-floor", "warning", "student") == (
        issue.code,
        issue.severity,
        issue.entity,
    )
    assert "archives 5 of 6 active students in scope (83.3%)" in issue.message
    assert "archive floor of 5" in issue.message


def test_archives_within_the_share_get_no_warning() -> None:
    """Archiving no more than the share is normal: no warning, even under the floor."""
    changeset = ek.plan(_stored(_pupils(100)), _incoming(students=_pupils(95)))

    assert [] == list(changeset.issues)
    assert not changeset.is_blocked


def test_archiving_exactly_the_share_above_the_floor_is_not_blocked() -> None:
    """57 of 100 with a limit of 0.57 is not more than the limit (compared exactly)."""
    policy = ek.SyncPolicy(max_archive_share=0.57)
    changeset = ek.plan(_stored(_pupils(100)), _incoming(students=_pupils(43)), policy=policy)

    assert 57 == len(changeset.of("student", "archive"))
    assert [] == _codes(changeset)


def test_one_more_than_the_share_blocks_and_the_message_does_not_round_to_the_limit() -> None:
    """58 of 100 over 0.57 blocks; a share just over the limit never reads as equal to it."""
    policy = ek.SyncPolicy(max_archive_share=0.57)
    blocked = ek.plan(_stored(_pupils(100)), _incoming(students=_pupils(42)), policy=policy)
    assert ["archive-share"] == _codes(blocked)
    assert "58 of 100 active students in scope (58%), more than the limit of 57%" in (
        blocked.blocked[0].message
    )

    policy = ek.SyncPolicy(max_archive_share=0.1)
    barely = ek.plan(_stored(_pupils(10_000)), _incoming(students=_pupils(8_999)), policy=policy)
    assert ["archive-share"] == _codes(barely)
    assert "(10.01%), more than the limit of 10%" in barely.blocked[0].message


def test_the_update_share_is_compared_exactly_too() -> None:
    policy = ek.SyncPolicy(max_update_share=0.57)
    renamed = [attrs.evolve(pupil, last_name="Nieuw") for pupil in _pupils(57)]
    changeset = ek.plan(
        _stored(_pupils(100)),
        _incoming(students=[*renamed, *_pupils(43, start=57)]),
        policy=policy,
    )
    assert 57 == len(changeset.of("student", "update"))
    assert [] == _codes(changeset)


def test_duplicate_keys_are_left_alone_and_named_with_their_rows() -> None:
    """A quick example (beside the slow property): a duplicated key is neither added,
    updated nor archived, and the reason names the rows where it occurs."""
    store = _stored([ek.Student(key="00123", last_name="Berg"), *_pupils(3, start=200)])
    incoming = _incoming(
        students=[
            ek.Student(key="00123", last_name="Jansen"),
            *_pupils(3, start=200),
            ek.Student(key="00123", last_name="Bakker"),
            ek.Student(key="00999"),
            ek.Student(key="00999"),
        ],
        provenance={"student": [2, 3, 4, 5, 7, 8, 9]},
    )

    changeset = ek.plan(store, incoming)

    assert [] == changeset.as_tuples()
    [reason] = changeset.blocked
    assert ("00123", "00999") == reason.keys
    assert "00123 (rows 2, 7); 00999 (rows 8, 9)" in reason.message
    assert "2 keys that occur more than once among its students" in reason.message
