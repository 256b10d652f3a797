"""The Changeset: counts, text, DataFrame, JSON, and access to its changes."""

from __future__ import annotations

import datetime as dt
import json

import attrs
import polars as pl
import pytest

import edukoppel as ek

SOURCE = "las"


def _full_changeset() -> ek.Changeset:
    """A changeset with every change type, dates, links, a block, issues and a school."""
    staff = ek.Staff(
        key="m42",
        abbreviation="JNS",
        email="j.jansen@school.nl",
        gender="V",
        roles=["docent"],
        groups=[("1HA", "mentor"), "2HA"],
        start_date="01-08-2020",
    )
    guardian = ek.Guardian(
        key="v7",
        initials="A.",
        last_name="Jansen",
        students=[ek.GuardianLink("00123", relation="moeder", legal_authority=True), "00124"],
    )
    return ek.Changeset(
        source=SOURCE,
        base="memory:abc:3",
        changes=(
            ek.Add(
                entity="location", key="99ZX10", record=ek.Location(key="99ZX10", brin6="99ZX10")
            ),
            ek.Add(entity="staff", key="m42", record=staff),
            ek.Add(entity="guardian", key="v7", record=guardian),
            ek.Update(
                entity="student",
                key="00123",
                changes=(
                    ek.FieldChange("birth_date", dt.date(2011, 3, 4), dt.date(2011, 4, 3)),
                    ek.FieldChange("groups", ("1HA.en",), ("1HA.en", "1HA.wi")),
                    ek.FieldChange("last_name", "Berg", None),
                ),
            ),
            ek.Update(
                entity="staff",
                key="m7",
                changes=(
                    ek.FieldChange("key", "m7", "uuid-7"),
                    ek.FieldChange(
                        "groups", (ek.GroupRole("1HA"),), (ek.GroupRole("1HA", "mentor"),)
                    ),
                ),
            ),
            ek.Update(
                entity="guardian",
                key="v8",
                changes=(
                    ek.FieldChange(
                        "students",
                        (),
                        (ek.GuardianLink("00125", relation="vader", receives_mail=False),),
                    ),
                ),
            ),
            ek.Restore(
                entity="student",
                key="00124",
                changes=(ek.FieldChange("end_date", dt.date(2025, 7, 31), None),),
            ),
            ek.Restore(entity="group", key="1HB"),
            ek.Archive(entity="student", key="00125"),
            ek.Archive(entity="group", key="1HZ"),
        ),
        blocked=(
            ek.BlockReason(
                code="duplicate-key",
                entity="student",
                keys=("00126", "00127"),
                message="The source has 2 students key(s) more than once: 00126, 00127.",
            ),
            ek.BlockReason(code="school-year-mismatch", message="Confirm the school year."),
        ),
        issues=(
            ek.Issue(
                code="ambiguous-match",
                message="not synced: no username",
                entity="student",
                key="00128",
            ),
            ek.Issue(code="left-out-by-policy", message="2 students left out", severity="info"),
        ),
        school=ek.School(
            brin="99ZX", name="Het Voorbeeld", school_year="2025-2026", reference_date="2025-10-01"
        ),
    )


def _planned() -> ek.Changeset:
    current = ek.Roster(
        students=[
            ek.Student(key="00123", last_name="Berg", year="1", origin=SOURCE),
            ek.Student(key="00124", origin=SOURCE),
        ],
        source="store",
    )
    incoming = ek.Roster(
        students=[
            ek.Student(key="00123", last_name="Berg-Smit", year="2"),
            ek.Student(key="00125", first_name="Noah", birth_date="2011-03-04", groups=["1HA"]),
        ],
        source=SOURCE,
    )
    return ek.plan(current, incoming)


# -- counts and text --------------------------------------------------------------------------


def test_summary_has_every_kind_and_action_with_zeros() -> None:
    """summary() counts per kind and action, zeros included, so a UI can show a full table."""
    expected = {
        "location": {"add": 1, "update": 0, "restore": 0, "archive": 0},
        "group": {"add": 0, "update": 0, "restore": 1, "archive": 1},
        "student": {"add": 0, "update": 1, "restore": 1, "archive": 1},
        "staff": {"add": 1, "update": 1, "restore": 0, "archive": 0},
        "guardian": {"add": 1, "update": 1, "restore": 0, "archive": 0},
    }
    assert expected == _full_changeset().summary()


def test_summary_of_an_empty_changeset_is_all_zeros() -> None:
    """An empty changeset still lists every kind."""
    summary = ek.Changeset(source=SOURCE, base="x").summary()

    assert ["location", "group", "student", "staff", "guardian"] == list(summary)
    assert {0} == {n for actions in summary.values() for n in actions.values()}


def test_str_is_readable() -> None:
    """str() gives the counts per kind that changes, in words."""
    expected = "\n".join(
        [
            "Changeset from 'las': 3 changes",
            "  students: 1 add, 1 update, 1 archive",
            "1 issue:",
            "  - students: This sync archives 1 of 2 active students in scope (50%), more than "
            "the limit of 10%; it is not blocked only because 1 is within the archive floor of "
            "5. At a small school that can be nearly everyone: check that the source is "
            "complete. [archive-share-under-floor]",
        ]
    )
    assert expected == str(_planned())


def test_str_names_the_school_blocked_reasons_and_issues() -> None:
    """A blocked changeset says so, with each reason's message and code, and lists issues."""
    text = str(_full_changeset())

    assert text.startswith("Changeset from 'las': 10 changes\n")
    assert "  staff: 1 add, 1 update\n" in text
    assert "  school: set to 99ZX 2025-2026\n" in text
    assert "BLOCKED - apply() refuses this plan unless you acknowledge:" in text
    assert "  - The source has 2 students key(s) more than once: 00126, 00127. [duplicate-key]" in (
        text
    )
    assert "  - Confirm the school year. [school-year-mismatch]" in text
    assert "2 issues:" in text
    assert "student '00128': not synced: no username [ambiguous-match]" in text


def test_str_of_an_empty_changeset() -> None:
    """An empty changeset says it has no changes."""
    assert "Changeset from 'las': 0 changes" == str(ek.Changeset(source=SOURCE, base="x"))


def test_str_cuts_long_issue_lists() -> None:
    """More than 20 issues are summarised after the first 20."""
    issues = tuple(ek.Issue(code="ambiguous-match", message="m", key=str(n)) for n in range(25))
    text = str(ek.Changeset(source=SOURCE, base="x", issues=issues))

    assert "25 issues:" in text
    assert text.endswith("  ... and 5 more")


# -- access -----------------------------------------------------------------------------------


def test_as_tuples_of_and_len() -> None:
    """as_tuples() gives (action, entity, key); of() filters by kind and action."""
    changeset = _planned()

    expected = [
        ("update", "student", "00123"),
        ("add", "student", "00125"),
        ("archive", "student", "00124"),
    ]
    assert expected == changeset.as_tuples()
    assert 3 == len(changeset)
    assert [("archive", "student", "00124")] == [
        (c.action, c.entity, c.key) for c in changeset.of("student", "archive")
    ]
    assert 3 == len(changeset.of("student"))
    assert [] == changeset.of("group")
    assert changeset.as_tuples() == [(c.action, c.entity, c.key) for c in changeset]


def test_empty_and_blocked() -> None:
    """is_empty is about changes and school; is_blocked about the reasons."""
    empty = ek.Changeset(source=SOURCE, base="x")
    school_only = ek.Changeset(source=SOURCE, base="x", school=ek.School(brin="99ZX"))

    assert (True, False) == (empty.is_empty, empty.is_blocked)
    assert (False, False) == (school_only.is_empty, school_only.is_blocked)
    assert (False, True) == (_full_changeset().is_empty, _full_changeset().is_blocked)


def test_changeset_and_changes_are_frozen() -> None:
    """A plan cannot be edited after the fact."""
    changeset = _planned()

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        changeset.blocked = ()  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        changeset.changes[0].key = "other"  # type: ignore[misc]


# -- polars -----------------------------------------------------------------------------------


def test_to_polars_has_one_row_per_field_change() -> None:
    """Updates give a row per field, adds a row per field with a value, archives one row."""
    frame = _planned().to_polars()

    expected = pl.DataFrame(
        [
            ("update", "student", "00123", "last_name", "Berg", "Berg-Smit"),
            ("update", "student", "00123", "year", "1", "2"),
            ("add", "student", "00125", "key", None, "00125"),
            ("add", "student", "00125", "first_name", None, "Noah"),
            ("add", "student", "00125", "birth_date", None, "2011-03-04"),
            ("add", "student", "00125", "groups", None, "1HA"),
            ("archive", "student", "00124", None, None, None),
        ],
        schema=dict.fromkeys(("action", "entity", "key", "field", "old", "new"), pl.String),
        orient="row",
    )
    assert expected.to_dicts() == frame.to_dicts()
    assert expected.schema == frame.schema


def _rows(
    changeset: ek.Changeset, entity: str, key: str
) -> list[tuple[str | None, str | None, str | None]]:
    frame = changeset.to_polars()
    selected = frame.filter((pl.col("entity") == entity) & (pl.col("key") == key))
    return list(selected.select("field", "old", "new").iter_rows())


def test_to_polars_renders_links_and_dates_as_text() -> None:
    """Dates become ISO text, sets of keys and group roles a comma-separated list."""
    changeset = _full_changeset()

    assert ("birth_date", "2011-03-04", "2011-04-03") == _rows(changeset, "student", "00123")[0]
    assert ("groups", "1HA.en", "1HA.en, 1HA.wi") == _rows(changeset, "student", "00123")[1]
    assert [("key", "m7", "uuid-7"), ("groups", "1HA (docent)", "1HA (mentor)")] == _rows(
        changeset, "staff", "m7"
    )
    assert [(None, None, None)] == _rows(changeset, "group", "1HB")
    assert ("groups", None, "1HA (mentor), 2HA (docent)") in _rows(changeset, "staff", "m42")


def test_to_polars_shows_no_value_as_null() -> None:
    """A cleared or empty value (None, or an empty set of links) is null, not the text 'None'."""
    changeset = ek.Changeset(
        source=SOURCE,
        base="x",
        changes=(
            ek.Update(
                entity="student",
                key="00123",
                changes=(
                    ek.FieldChange("email", None, "daan@school.nl"),
                    ek.FieldChange("groups", (), ("1HA",)),
                    ek.FieldChange("last_name", "Berg", None),
                ),
            ),
        ),
    )

    expected = [
        ("email", None, "daan@school.nl"),
        ("groups", None, "1HA"),
        ("last_name", "Berg", None),
    ]
    assert expected == _rows(changeset, "student", "00123")


def test_to_polars_shows_different_links_differently() -> None:
    """A changed guardian link never reads the same before and after in the preview."""
    before = ek.GuardianLink("00123", legal_authority=True)
    after = ek.GuardianLink("00123", receives_mail=True)
    changeset = ek.Changeset(
        source=SOURCE,
        base="x",
        changes=(
            ek.Update(
                entity="guardian",
                key="v7",
                changes=(ek.FieldChange("students", (before,), (after,)),),
            ),
        ),
    )

    [(_, old, new)] = _rows(changeset, "guardian", "v7")
    assert old != new


def test_to_polars_of_an_empty_changeset_has_the_columns() -> None:
    """No changes, no rows, but the same columns."""
    frame = ek.Changeset(source=SOURCE, base="x").to_polars()

    assert (["action", "entity", "key", "field", "old", "new"], 0) == (frame.columns, frame.height)


# -- JSON -------------------------------------------------------------------------------------


def test_json_round_trip_of_every_change_type() -> None:
    """to_json() and from_json() give back an equal changeset: dates, links, blocks, issues."""
    changeset = _full_changeset()

    assert changeset == ek.Changeset.from_json(changeset.to_json())
    assert changeset == ek.Changeset.from_json(changeset.to_json(indent=2).encode())


def test_json_round_trip_of_a_planned_changeset() -> None:
    """A changeset from plan() survives JSON unchanged."""
    changeset = _planned()

    assert changeset == ek.Changeset.from_json(changeset.to_json())


def test_json_round_trip_keeps_the_policy() -> None:
    """The policy a plan was made with survives JSON; a document without one reads as None."""
    policy = ek.SyncPolicy(
        actions={"student": ["add", "update"]},
        locations={"99ZX11", "99ZX10"},
        active_on=dt.date(2025, 9, 1),
        max_update_share=0.5,
    )
    incoming = ek.Roster(students=[ek.Student(key="00123")], source=SOURCE)
    changeset = ek.plan(ek.Roster(source="store"), incoming, policy=policy)
    assert policy == changeset.policy
    document = json.loads(changeset.to_json())
    assert ["99ZX10", "99ZX11"] == document["policy"]["locations"]
    assert changeset == ek.Changeset.from_json(changeset.to_json())
    del document["policy"]
    assert ek.Changeset.from_json(json.dumps(document)).policy is None


def test_json_round_trip_keeps_value_types() -> None:
    """Dates stay dates and links stay link records after the round trip."""
    back = ek.Changeset.from_json(_full_changeset().to_json())

    update = back.of("student", "update")[0]
    assert isinstance(update, ek.Update)
    assert dt.date(2011, 4, 3) == update.changes[0].new
    add = back.of("guardian", "add")[0]
    assert isinstance(add, ek.Add)
    assert isinstance(add.record, ek.Guardian)
    assert (
        ek.GuardianLink("00123", relation="moeder", legal_authority=True) == add.record.students[0]
    )
    assert dt.date(2025, 10, 1) == back.school.reference_date  # type: ignore[union-attr]


def test_json_is_plain_readable_json() -> None:
    """The document says what it is, and keeps non-ASCII text readable."""
    changeset = ek.Changeset(
        source="leerlingen-één.csv",
        base="x",
        changes=(
            ek.Add(entity="student", key="1", record=ek.Student(key="1", last_name="Öztürk")),
        ),
    )
    document = json.loads(changeset.to_json())

    assert ("edukoppel.changeset", 1) == (document["format"], document["version"])
    assert "Öztürk" in changeset.to_json()
    assert changeset == ek.Changeset.from_json(changeset.to_json())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[1, 2]",
        "null",
        "42",
        "{}",
        '{"format": "something-else", "version": 1}',
        '{"format": "edukoppel.changeset", "version": 99}',
        '{"format": "edukoppel.changeset", "version": 1}',
        (
            '{"format": "edukoppel.changeset", "version": 1, "source": "x", "base": "y",'
            ' "school": null, "blocked": [], "issues": [],'
            ' "changes": [{"action": "delete", "entity": "student", "key": "1"}]}'
        ),
        (
            '{"format": "edukoppel.changeset", "version": 1, "source": "x", "base": "y",'
            ' "school": null, "blocked": [], "issues": [],'
            ' "changes": [{"action": "add", "entity": "student", "key": "1",'
            ' "record": {"key": 1}}]}'
        ),
        (
            '{"format": "edukoppel.changeset", "version": 1, "source": "x", "base": "y",'
            ' "school": null, "blocked": [], "issues": [],'
            ' "changes": [{"action": "update", "entity": "student", "key": "1",'
            ' "changes": [["no_such_field", 1, 2]]}]}'
        ),
        (
            '{"format": "edukoppel.changeset", "version": 1, "source": "x", "base": "y",'
            ' "school": null, "blocked": [], "issues": [], "changes": [42]}'
        ),
    ],
)
def test_from_json_on_garbage_raises_edukoppel_error(text: str) -> None:
    """Anything that is not a changeset document is an EdukoppelError, never a raw exception."""
    with pytest.raises(ek.EdukoppelError):
        ek.Changeset.from_json(text)


def test_from_json_error_says_what_is_wrong() -> None:
    """The error names the problem (another document, another version)."""
    with pytest.raises(ek.EdukoppelError, match="not an edukoppel changeset"):
        ek.Changeset.from_json('{"format": "x"}')
    with pytest.raises(ek.EdukoppelError, match="unsupported changeset version 99"):
        ek.Changeset.from_json('{"format": "edukoppel.changeset", "version": 99}')
