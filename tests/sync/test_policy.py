"""SyncPolicy: defaults, validation, and the questions plan() asks it."""

from __future__ import annotations

import datetime as dt

import pydantic
import pytest

import edukoppel as ek


def test_defaults_are_the_safe_choice() -> None:
    """Match on key, every action but archiving staff, the source owns every field."""
    policy = ek.SyncPolicy()

    assert "key" == policy.identity_of("student")
    assert all(
        policy.allows(kind, action)
        for kind in ("location", "group", "student", "guardian")
        for action in ("add", "update", "archive", "restore")
    )
    expected_staff = {"add": True, "update": True, "archive": False, "restore": True}
    actual_staff = {a: policy.allows("staff", a) for a in ("add", "update", "archive", "restore")}
    assert expected_staff == actual_staff
    assert "source" == policy.ownership("student", "email")
    expected_limits = (0.10, 5, None, None, None, False)
    actual_limits = (
        policy.max_archive_share,
        policy.archive_floor,
        policy.max_update_share,
        policy.active_on,
        policy.locations,
        policy.staff_requires_link,
    )
    assert expected_limits == actual_limits


def test_actions_replace_the_defaults_of_the_kinds_named() -> None:
    """Numo's tick boxes: the kinds named get exactly those actions, the others keep defaults."""
    policy = ek.SyncPolicy(actions={"student": ["add"], "staff": {"add", "archive"}})

    assert {"add"} == set(policy.actions["student"])
    assert (True, False, False, False) == tuple(
        policy.allows("student", a) for a in ("add", "update", "archive", "restore")
    )
    assert (True, True) == (policy.allows("staff", "archive"), policy.allows("group", "archive"))
    assert not policy.allows("staff", "update")


def test_unknown_action_is_refused() -> None:
    """An action that does not exist is a validation error."""
    with pytest.raises(pydantic.ValidationError, match="delete"):
        ek.SyncPolicy(actions={"student": ["add", "delete"]})


def test_unknown_kind_is_refused() -> None:
    """An entity kind that does not exist is a validation error."""
    with pytest.raises(pydantic.ValidationError, match="pupil"):
        ek.SyncPolicy(actions={"pupil": ["add"]})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("kind", "identity"),
    [("student", "username"), ("student", "email"), ("student", "eckid"), ("staff", "username")],
)
def test_identity_of_people(kind: str, identity: str) -> None:
    """People can be matched by username, e-mail or ECK iD."""
    policy = ek.SyncPolicy(identity={kind: identity})  # type: ignore[dict-item]

    assert identity == policy.identity_of(kind)  # type: ignore[arg-type]
    assert "key" == policy.identity_of("group")


@pytest.mark.parametrize(
    ("kind", "identity"), [("group", "username"), ("location", "email"), ("guardian", "eckid")]
)
def test_identity_that_the_kind_does_not_have_is_refused(kind: str, identity: str) -> None:
    """A group has no username: the error says which identities the kind does have."""
    with pytest.raises(pydantic.ValidationError) as caught:
        ek.SyncPolicy(identity={kind: identity})  # type: ignore[dict-item]

    message = str(caught.value)
    assert f"{kind} records cannot be matched by {identity!r}" in message
    assert "'key'" in message


def test_unknown_identity_is_refused() -> None:
    """Only key, username, email and eckid are identities."""
    with pytest.raises(pydantic.ValidationError):
        ek.SyncPolicy(identity={"student": "bsn"})  # type: ignore[dict-item]


def test_field_ownership() -> None:
    """Per field: source (default), fill-if-empty or host."""
    policy = ek.SyncPolicy(fields={"student": {"email": "host", "username": "fill-if-empty"}})

    expected = ("host", "fill-if-empty", "source", "source")
    actual = (
        policy.ownership("student", "email"),
        policy.ownership("student", "username"),
        policy.ownership("student", "last_name"),
        policy.ownership("staff", "email"),
    )
    assert expected == actual


def test_ownership_of_unknown_field_is_refused() -> None:
    """A field the kind does not have is refused, listing the fields it has."""
    with pytest.raises(pydantic.ValidationError) as caught:
        ek.SyncPolicy(fields={"group": {"email": "host"}})

    message = str(caught.value)
    assert "fields['group'] names unknown field(s) ['email']" in message
    assert "school_year" in message


def test_ownership_of_the_key_is_refused() -> None:
    """The key is identity, not a field one can own."""
    with pytest.raises(pydantic.ValidationError, match="the key is not a field one can own"):
        ek.SyncPolicy(fields={"student": {"key": "host"}})


def test_unknown_ownership_is_refused() -> None:
    """Only source, fill-if-empty and host are kinds of ownership."""
    with pytest.raises(pydantic.ValidationError):
        ek.SyncPolicy(fields={"student": {"email": "school"}})  # type: ignore[dict-item]


def test_claims() -> None:
    """A sync claims its own records, the origins named, or everything with '*'."""
    own = ek.SyncPolicy()
    manual = ek.SyncPolicy(claims={"manual"})
    everything = ek.SyncPolicy(claims=["*"])

    assert (True, False, False) == (
        own.claims_origin("las", "las"),
        own.claims_origin("manual", "las"),
        own.claims_origin(None, "las"),
    )
    assert (True, True, False) == (
        manual.claims_origin("las", "las"),
        manual.claims_origin("manual", "las"),
        manual.claims_origin("somtoday", "las"),
    )
    assert (True, True) == (
        everything.claims_origin(None, "las"),
        everything.claims_origin("somtoday", "las"),
    )
    assert frozenset({"*"}) == everything.claims


@pytest.mark.parametrize(
    "options",
    [
        {"max_archive_share": 1.5},
        {"max_archive_share": -0.1},
        {"archive_floor": -1},
        {"max_update_share": 2.0},
    ],
)
def test_safeguard_limits_are_validated(options: dict[str, float]) -> None:
    """Shares are between 0 and 1; the floor is not negative."""
    with pytest.raises(pydantic.ValidationError):
        ek.SyncPolicy(**options)  # type: ignore[arg-type]


def test_filters_are_read() -> None:
    """active_on takes a date (or ISO text); locations become a frozenset."""
    policy = ek.SyncPolicy(active_on="2025-09-01", locations=["99ZX10", "99ZX10"])  # type: ignore[arg-type]

    assert (dt.date(2025, 9, 1), frozenset({"99ZX10"})) == (policy.active_on, policy.locations)


def test_unknown_option_is_refused() -> None:
    """A misspelt option is an error, not silently ignored."""
    with pytest.raises(pydantic.ValidationError, match="archive_limit"):
        ek.SyncPolicy(archive_limit=0.2)  # type: ignore[call-arg]


def test_policy_is_frozen() -> None:
    """A policy cannot be changed after it is made."""
    policy = ek.SyncPolicy()

    with pytest.raises(pydantic.ValidationError):
        policy.archive_floor = 100  # type: ignore[misc]


def test_policy_errors_are_value_errors() -> None:
    """Callers that catch ValueError catch a bad policy."""
    with pytest.raises(ValueError, match="cannot be matched"):
        ek.SyncPolicy(identity={"group": "username"})  # type: ignore[dict-item]
