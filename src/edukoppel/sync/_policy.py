"""SyncPolicy: how a sync matches, what it may do, which fields it owns, and its safeguards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from edukoppel.model import ENTITY_KINDS, EntityKind, data_fields

__all__ = ["Action", "FieldOwnership", "Identity", "SyncPolicy"]

Action = Literal["add", "update", "archive", "restore"]
Identity = Literal["key", "username", "email", "eckid"]
FieldOwnership = Literal["source", "fill-if-empty", "host"]

_ALL_ACTIONS: frozenset[Action] = frozenset({"add", "update", "archive", "restore"})
_DEFAULT_ACTIONS: dict[EntityKind, frozenset[Action]] = dict.fromkeys(ENTITY_KINDS, _ALL_ACTIONS)
_DEFAULT_ACTIONS["staff"] = frozenset({"add", "update", "restore"})
_PEOPLE: frozenset[EntityKind] = frozenset({"student", "staff", "guardian"})
_IDENTITY_FIELDS: dict[Identity, frozenset[EntityKind]] = {
    "key": frozenset(ENTITY_KINDS),
    "username": frozenset({"student", "staff"}),
    "email": _PEOPLE,
    "eckid": frozenset({"student", "staff"}),
}


class SyncPolicy(BaseModel):
    """What a sync may do. The defaults are the safe choice for a school's leerlingadministratie.

    Attributes:
        identity: Per entity kind, how incoming records find their stored counterpart:
            ``"key"`` (default), or for people ``"username"`` (as Numo does), ``"email"`` or
            ``"eckid"``. Two records with the same value are a conflict, never a guess.
        actions: Per entity kind, which of ``add``, ``update``, ``archive``, ``restore`` the
            sync may do (Numo's three tick boxes). Kinds not named keep the default: all
            four, except that staff are never archived automatically.
        fields: Per entity kind and field: ``"source"`` (default: the source overwrites),
            ``"fill-if-empty"`` (set only where the store has no value) or ``"host"`` (the
            host application owns it; the sync sets it on add and never changes it).
        claims: Origins of stored records this sync may overwrite and archive besides its
            own (``"*"`` for all; ``"host"`` for records without an origin, which the host
            application made itself). By default a sync touches only what its source created:
            a class or care manager added by hand survives every sync.
        active_on: Only registrations active on this date are synced (start date on or
            before it, end date on or after it); others are left out of the incoming roster,
            so the stored ones are archived. Zien! syncs only the current school year's
            active registrations.
        locations: Only these locations (vestigingen) are synced, as Zien! syncs only
            enabled vestigingen: incoming records elsewhere are left out, and stored records
            elsewhere are out of scope.
        staff_requires_link: Only staff linked to a group or a student are synced (Zien!).
        max_archive_share: A plan that archives more than this share of a kind's active
            records in scope is blocked...
        archive_floor: ...unless it archives no more than this many (so two leavers at a tiny
            school do not block it).
        max_update_share: Optionally block a plan that updates more than this share of a
            kind's active records in scope (Clever offers 75%), and more than
            ``archive_floor`` records. Off by default: a new school year updates nearly every
            pupil.

    Examples:
        >>> import edukoppel as ek
        >>> policy = ek.SyncPolicy(identity={"student": "username"}, actions={"student": ["add"]})
        >>> policy.allows("student", "archive"), policy.allows("group", "archive")
        (False, True)
        >>> policy.allows("staff", "archive")
        False
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    identity: Mapping[EntityKind, Identity] = Field(default_factory=dict)
    actions: Mapping[EntityKind, frozenset[Action]] = Field(default_factory=dict)
    fields: Mapping[EntityKind, Mapping[str, FieldOwnership]] = Field(default_factory=dict)
    claims: frozenset[str] = frozenset()
    active_on: dt.date | None = None
    locations: frozenset[str] | None = None
    staff_requires_link: bool = False
    max_archive_share: float = Field(default=0.10, ge=0.0, le=1.0)
    archive_floor: int = Field(default=5, ge=0)
    max_update_share: float | None = Field(default=None, ge=0.0, le=1.0)

    @field_validator("identity")
    @classmethod
    def _identity_fits_kind(
        cls, value: Mapping[EntityKind, Identity]
    ) -> Mapping[EntityKind, Identity]:
        for kind, identity in value.items():
            if kind not in _IDENTITY_FIELDS[identity]:
                allowed = sorted(i for i, kinds in _IDENTITY_FIELDS.items() if kind in kinds)
                raise ValueError(
                    f"{kind} records cannot be matched by {identity!r}; use one of {allowed}"
                )
        return value

    @model_validator(mode="after")
    def _fields_exist(self) -> SyncPolicy:
        for kind, owned in self.fields.items():
            unknown = sorted(set(owned) - set(data_fields(kind)))
            if unknown:
                raise ValueError(
                    f"fields[{kind!r}] names unknown field(s) {unknown}; "
                    f"{kind} has {', '.join(data_fields(kind))}"
                )
            if "key" in owned:
                raise ValueError(f"fields[{kind!r}]: the key is not a field one can own")
        return self

    def identity_of(self, kind: EntityKind) -> Identity:
        """How records of this kind are matched."""
        return self.identity.get(kind, "key")

    def allows(self, kind: EntityKind, action: Action) -> bool:
        """Whether the sync may do ``action`` on records of ``kind``."""
        allowed = self.actions.get(kind, _DEFAULT_ACTIONS[kind])
        return action in allowed

    def ownership(self, kind: EntityKind, field: str) -> FieldOwnership:
        """Who owns a field: the source (default), the source where empty, or the host."""
        return self.fields.get(kind, {}).get(field, "source")

    def claims_origin(self, origin: str | None, own: str) -> bool:
        """Whether a stored record of ``origin`` may be changed by a sync from ``own``."""
        return origin == own or "*" in self.claims or (origin or "host") in self.claims

    def to_dict(self, *, defaults: bool = False) -> dict[str, Any]:
        """The policy in plain values that JSON holds (sets as sorted lists).

        :meth:`from_dict` gives back an equal policy. With ``defaults=True``, the identity
        and the allowed actions of every entity kind are spelled out, also for kinds the
        policy leaves at their default: what a run log keeps (:attr:`SyncRun.policy`), so
        that the log says what a run did even after a later edukoppel changes a default.
        It holds no personal data (kinds, field names, origins, location keys, numbers),
        and :meth:`from_dict` makes a policy from it that behaves the same.

        Examples:
            >>> policy = SyncPolicy(actions={"student": ["add", "update"]}, claims={"host"})
            >>> policy.to_dict()["actions"], policy.to_dict()["claims"]
            ({'student': ['add', 'update']}, ['host'])
            >>> SyncPolicy.from_dict(policy.to_dict()) == policy
            True
            >>> in_force = policy.to_dict(defaults=True)
            >>> in_force["actions"]["staff"], in_force["identity"]["student"]
            (['add', 'restore', 'update'], 'key')
            >>> in_force["max_archive_share"], in_force["archive_floor"]
            (0.1, 5)
        """
        identity = (
            {kind: self.identity_of(kind) for kind in ENTITY_KINDS}
            if defaults
            else dict(sorted(self.identity.items()))
        )
        actions = (
            {kind: self.actions.get(kind, _DEFAULT_ACTIONS[kind]) for kind in ENTITY_KINDS}
            if defaults
            else dict(sorted(self.actions.items()))
        )
        return {
            "identity": identity,
            "actions": {kind: sorted(allowed) for kind, allowed in actions.items()},
            "fields": {
                kind: dict(sorted(owned.items())) for kind, owned in sorted(self.fields.items())
            },
            "claims": sorted(self.claims),
            "active_on": None if self.active_on is None else self.active_on.isoformat(),
            "locations": None if self.locations is None else sorted(self.locations),
            "staff_requires_link": self.staff_requires_link,
            "max_archive_share": self.max_archive_share,
            "archive_floor": self.archive_floor,
            "max_update_share": self.max_update_share,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SyncPolicy:
        """The policy :meth:`to_dict` made."""
        return cls.model_validate(dict(data))
